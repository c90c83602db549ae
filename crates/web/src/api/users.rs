//! `/api/v1/users`: operators list accounts and grant or revoke roles.

use super::dto::{Me, RoleRequest};
use crate::auth::ApiOperator;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use stint_app::accounts;
use stint_domain::FieldErrors;
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use utoipa::IntoParams;

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).ok_or_else(|| {
        ApiError::validation(FieldErrors::single(
            "role",
            "must be mentee, mentor, sponsor_admin or operator",
        ))
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsersParams {
    /// Only accounts after this id: the last id of the page before.
    pub after: Option<i64>,
    /// At most this many (1 to 500; 100 when not given).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Accounts in id order, a page at a time (operators only): ask again with `after` set to
/// the last id until a page comes back shorter than `limit`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(UsersParams),
    responses((status = 200, body = [Me]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiQuery(p): ApiQuery<UsersParams>,
) -> Result<Json<Vec<Me>>, ApiError> {
    let (page, _) = accounts::page(&state, &me, p.after, p.limit).await?;
    Ok(Json(page.iter().map(Me::from).collect()))
}

/// Grants a role (operators only).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")), request_body = RoleRequest,
    responses((status = 200, body = Me), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant_role(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> Result<Json<Me>, ApiError> {
    let role = parse_role(&req.role)?;
    let account = accounts::grant_role(&state, &me, UserId(id), role).await?;
    Ok(Json(Me::from(&account)))
}

/// Revokes a role (operators only; an operator cannot revoke their own operator role).
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id"), ("role" = crate::api::dto::RoleName, Path, description = "Role name")),
    responses((status = 200, body = Me), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "An operator cannot revoke their own operator role", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath((id, role)): ApiPath<(i64, String)>,
) -> Result<Json<Me>, ApiError> {
    let role = parse_role(&role)?;
    let account = accounts::revoke_role(&state, &me, UserId(id), role).await?;
    Ok(Json(Me::from(&account)))
}
