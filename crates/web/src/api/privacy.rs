//! `/api/v1/me/privacy`: how long one's own data of each class is kept, within the ranges the
//! published policy (`/privacy/policy.json`) allows; `/api/v1/me/access-log`: who read it.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stint_app::privacy::{self, Choice};
use utoipa::ToSchema;

/// One class's retention for the person asking.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionChoiceDto {
    /// The class, as `/privacy/policy.json` names it (`notes`, `intake_answers`, …).
    pub class: String,
    pub name: String,
    /// Days kept: the person's choice, or the default.
    pub days: u32,
    /// Whether the person chose it.
    pub chosen: bool,
    pub default_days: u32,
    pub min_days: u32,
    pub max_days: u32,
}

impl From<&Choice> for RetentionChoiceDto {
    fn from(c: &Choice) -> Self {
        RetentionChoiceDto {
            class: c.key.clone(),
            name: c.policy.name.to_string(),
            days: c.days,
            chosen: c.chosen,
            default_days: c.policy.default_days,
            min_days: c.policy.min_days,
            max_days: c.policy.max_days,
        }
    }
}

/// One's privacy choices.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyDto {
    pub retention: Vec<RetentionChoiceDto>,
    /// Your mentor reads your intake answers and baseline only once the session starts
    /// (false: beforehand, to prepare).
    pub prep_private_until_session: bool,
    /// Your latest changes to these settings and to what sponsors see, newest first.
    pub changes: Vec<PrivacyChangeDto>,
}

/// One change you made to your privacy settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyChangeDto {
    pub change: String,
    pub at: String,
}

/// Changes to one's retention: days per class; classes left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivacyRequest {
    #[serde(default)]
    #[schema(example = json!({"notes": 365, "inbox": 90}))]
    pub retention: BTreeMap<String, i64>,
    /// Left out: unchanged.
    #[serde(default)]
    pub prep_private_until_session: Option<bool>,
}

/// How long your data of each class you may choose for is kept.
#[utoipa::path(get, path = "/api/v1/me/privacy", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = PrivacyDto), (status = 401, body = ErrorBody)))]
pub async fn get_privacy(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<PrivacyDto>, ApiError> {
    privacy_dto(&state, &me).await
}

async fn privacy_dto(
    state: &AppState,
    me: &stint_domain::account::Account,
) -> Result<Json<PrivacyDto>, ApiError> {
    let all = privacy::choices(state, me).await?;
    Ok(Json(PrivacyDto {
        retention: all.iter().map(RetentionChoiceDto::from).collect(),
        prep_private_until_session: privacy::prep_private(state, me).await?,
        changes: privacy::changes(state, me)
            .await?
            .into_iter()
            .map(|(change, at)| PrivacyChangeDto {
                change,
                at: at.to_string(),
            })
            .collect(),
    }))
}

/// Chooses how long your data of some classes is kept, and whether your mentor reads your
/// prep before the session. A class the policy does not let you choose for, or days outside
/// its range, is 422 naming the class; nothing changes then.
#[utoipa::path(put, path = "/api/v1/me/privacy", tag = "privacy", security(("bearer" = [])),
    request_body = PrivacyRequest,
    responses((status = 200, body = PrivacyDto), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_privacy(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<PrivacyRequest>,
) -> Result<Json<PrivacyDto>, ApiError> {
    let changes: Vec<(String, String)> = req
        .retention
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    privacy::set_choices(&state, &me, &changes).await?;
    if let Some(private) = req.prep_private_until_session {
        privacy::set_prep_private(&state, &me, private).await?;
    }
    privacy_dto(&state, &me).await
}

/// One read of your private data by someone else.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntryDto {
    pub id: i64,
    pub reader_id: i64,
    pub reader_name: String,
    /// `intake_answers`, `assessments`, `shared_notes` or `progress`.
    pub what: String,
    pub booking_id: Option<i64>,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogDto {
    /// Newest first.
    pub entries: Vec<AccessEntryDto>,
    /// Ask again with `before` set to this for older entries; null on the last page.
    pub older_before: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessLogParams {
    /// Only entries older than this one: the `older_before` of the page before.
    pub before: Option<i64>,
    /// At most this many (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Who read your intake answers, assessments, shared notes or shared progress, and when.
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "privacy", security(("bearer" = [])),
    params(AccessLogParams),
    responses((status = 200, body = AccessLogDto), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn access_log(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<AccessLogParams>,
) -> Result<Json<AccessLogDto>, ApiError> {
    let (entries, older_before) =
        stint_app::access_log::mine(&state, &me, q.before, q.limit).await?;
    Ok(Json(AccessLogDto {
        entries: entries
            .iter()
            .map(|e| AccessEntryDto {
                id: e.id,
                reader_id: e.reader.0,
                reader_name: e.reader_name.clone(),
                what: e.what.clone(),
                booking_id: e.booking.map(|b| b.0),
                at: e.at.to_string(),
            })
            .collect(),
        older_before,
    }))
}

/// Everything Stint holds about you, as a zip: `stint-export.json` for machines and
/// `stint-export.md` for people.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, description = "The zip", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<axum::response::Response, ApiError> {
    let (name, bytes) = stint_app::export::export(&state, &me).await?;
    Ok(crate::download::zip(&name, bytes))
}
