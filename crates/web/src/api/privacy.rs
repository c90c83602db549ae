//! `/api/v1/me/privacy`: how long one's own data of each class is kept, within the ranges the
//! published policy (`/privacy/policy.json`) allows.

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
}

/// Changes to one's retention: days per class; classes left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivacyRequest {
    #[schema(example = json!({"notes": 365, "inbox": 90}))]
    pub retention: BTreeMap<String, i64>,
}

/// How long your data of each class you may choose for is kept.
#[utoipa::path(get, path = "/api/v1/me/privacy", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = PrivacyDto), (status = 401, body = ErrorBody)))]
pub async fn get_privacy(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<PrivacyDto>, ApiError> {
    let all = privacy::choices(&state, &me).await?;
    Ok(Json(PrivacyDto {
        retention: all.iter().map(RetentionChoiceDto::from).collect(),
    }))
}

/// Chooses how long your data of some classes is kept. A class the policy does not let you
/// choose for, or days outside its range, is 422 naming the class; nothing changes then.
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
    let all = privacy::set_choices(&state, &me, &changes).await?;
    Ok(Json(PrivacyDto {
        retention: all.iter().map(RetentionChoiceDto::from).collect(),
    }))
}
