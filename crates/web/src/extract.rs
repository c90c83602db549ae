//! Request extractors shared by the API and the pages: JSON bodies that fail with the
//! API's error shape, and the client's address for throttling.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// A JSON body. Malformed JSON is a 400; unknown fields, missing fields and wrong types
/// are a 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                ct == "application/json" || ct.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                e.body_text(),
            )
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialises a JSON object, reporting the path of the field that failed. Every API body
/// is an object; serde would otherwise also accept a struct written as an array.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
    {
        return Err(ApiError::validation(stint_domain::FieldErrors::single(
            "body",
            "must be a JSON object",
        )));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let inner = err.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("The body is not valid JSON: {inner}"),
            );
        }
        let path = err.path().to_string();
        let message = inner.to_string();
        // serde puts the offending name in the message for unknown/missing fields.
        let field = if path == "." || path.is_empty() {
            field_from_message(&message).unwrap_or_else(|| "body".to_string())
        } else {
            path
        };
        let mut e =
            ApiError::validation(stint_domain::FieldErrors::single(&field, clean(&message)));
        e.message = format!(
            "The body does not match the expected shape: {field}: {}",
            clean(&message)
        );
        e
    })
}

fn field_from_message(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

/// Drops serde's " at line 1 column 9" suffix, which means nothing to a form or a person.
fn clean(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The client's address: the socket peer, unless the peer is one of the trusted proxies;
/// then the rightmost `X-Forwarded-For` entry that is not a trusted proxy (entries further
/// left were written by the client and prove nothing).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientAddr("unknown".to_string()));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let client = client_address(peer, &forwarded, &state.config.trusted_proxies);
        Ok(ClientAddr(client.to_string()))
    }
}

/// The client behind `peer`, walking `forwarded` (an `X-Forwarded-For` value) from the
/// right past `trusted` proxies. An entry that is not an address stops the walk at the
/// proxy that wrote it.
pub fn client_address(peer: IpAddr, forwarded: &str, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    for entry in forwarded.rsplit(',') {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let Ok(ip) = entry.parse::<IpAddr>() else {
            return client;
        };
        client = ip;
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_rightmost_untrusted_forwarded_entry() {
        let trusted: Vec<ipnet::IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let client = |peer: &str, xff: &str| client_address(ip(peer), xff, &trusted).to_string();
        // The client may write anything on the left; only the proxies' entries count.
        assert_eq!(
            client("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.5"),
            "198.51.100.7"
        );
        assert_eq!(client("127.0.0.1", "198.51.100.7"), "198.51.100.7");
        // A request not from a proxy: its header is the client's own claim.
        assert_eq!(client("203.0.113.9", "198.51.100.7"), "203.0.113.9");
        // Garbage stops at the proxy that passed it on.
        assert_eq!(client("127.0.0.1", "1.2.3.4, junk, 10.0.0.5"), "10.0.0.5");
        // No header: the proxy itself.
        assert_eq!(client("127.0.0.1", ""), "127.0.0.1");
        assert_eq!(
            client_address(ip("127.0.0.1"), "198.51.100.7", &[]).to_string(),
            "127.0.0.1",
            "no trusted proxies: the header is ignored"
        );
    }
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        age: i64,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"email": "a", "age": "x"}"#)
            .err()
            .unwrap();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.fields.contains_key("age"), "{e:?}");
        let e = parse_json::<Body>(br#"{"email": "a", "age": 1, "admin": true}"#)
            .err()
            .unwrap();
        assert!(e.fields.contains_key("admin"), "{e:?}");
        let e = parse_json::<Body>(br#"{"age": 1}"#).err().unwrap();
        assert!(e.fields.contains_key("email"), "{e:?}");
        let e = parse_json::<Body>(br#"["a", 1]"#).err().unwrap();
        assert_eq!(
            (e.status, e.fields.contains_key("body")),
            (StatusCode::UNPROCESSABLE_ENTITY, true)
        );
        let e = parse_json::<Body>(br#"{"email": "#).err().unwrap();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "malformed_json")
        );
    }
}

/// A path parameter whose rejection (e.g. `/mentors/abc`) is a 404 in the API's shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        ApiError::not_found("resource")
    }
}

/// A query string whose rejection (unknown or mistyped parameter) is a 422 in the API's shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        let message = e.body_text();
        let field = field_from_message(&message).unwrap_or_else(|| "query".to_string());
        let mut err =
            ApiError::validation(stint_domain::FieldErrors::single(&field, clean(&message)));
        err.message = format!("The query string is not valid: {message}");
        err
    }
}
