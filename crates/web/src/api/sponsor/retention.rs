//! `/api/v1/sponsor/orgs/{id}/retention`: the 90-day retention comparison of members who took
//! part against those who did not, from the organisation's own list of who is still employed.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use stint_app::sponsor::retention::{self, RetentionReport};
use stint_domain::ids::OrgId;
use stint_domain::sponsor::retention::{GroupRetention, Retention};
use utoipa::ToSchema;

/// One side of the comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionGroupDto {
    pub people: u64,
    pub still_employed: u64,
    /// The share still employed, 0 to 1.
    pub rate: f64,
}

impl From<&GroupRetention> for RetentionGroupDto {
    fn from(g: &GroupRetention) -> Self {
        RetentionGroupDto {
            people: g.people,
            still_employed: g.still_employed,
            rate: g.rate,
        }
    }
}

/// A comparison as it was run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionDto {
    /// `shown`, or `hidden` when a group (took part or not, employed or not) has fewer than
    /// five people.
    pub state: String,
    pub participants: Option<RetentionGroupDto>,
    pub non_participants: Option<RetentionGroupDto>,
    /// Participants' rate less non-participants', in percentage points.
    pub difference_points: Option<f64>,
    /// Members who belonged for 90 days, all of them in the list.
    pub cohort: u64,
    /// Rows of the list that were not members of the cohort.
    pub rows_ignored: u64,
    pub ran_at: String,
}

impl From<&RetentionReport> for RetentionDto {
    fn from(r: &RetentionReport) -> Self {
        let (state, participants, non_participants, difference_points) = match &r.figures {
            Retention::Shown {
                participants,
                non_participants,
                difference_points,
            } => (
                "shown",
                Some(participants.into()),
                Some(non_participants.into()),
                Some(*difference_points),
            ),
            Retention::Hidden { .. } => ("hidden", None, None, None),
        };
        RetentionDto {
            state: state.into(),
            participants,
            non_participants,
            difference_points,
            cohort: r.cohort,
            rows_ignored: r.rows_ignored,
            ran_at: r.ran_at.to_string(),
        }
    }
}

/// The organisation's list of who is still employed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    /// CSV with a header row naming `email` and `employed` (yes or no), one row per person;
    /// every member who belonged 90 days ago must be in it. At most 1 MB (a longer list is
    /// 422 under `file`; a body over 2 MB is 413). It is read, never stored.
    #[schema(example = "email,employed\nsam@acme.example,yes\n")]
    pub csv: String,
}

/// The last comparison run (null before the first).
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/retention", tag = "sponsor", security(("bearer" = [])),
    operation_id = "get_org_retention",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Option<RetentionDto>), (status = 404, body = ErrorBody)))]
pub async fn latest(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Option<RetentionDto>>, ApiError> {
    let r = retention::latest(&state, &me, OrgId(id)).await?;
    Ok(Json(r.as_ref().map(RetentionDto::from)))
}

/// Runs the comparison. A list that is not such CSV or leaves a member out is 422 under
/// `file`; a second comparison within 30 days is 409. Nothing of the list is kept.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/retention", tag = "sponsor", security(("bearer" = [])),
    operation_id = "run_org_retention",
    params(("id" = i64, Path, description = "Organisation id")), request_body = RetentionRequest,
    responses((status = 200, body = RetentionDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RetentionRequest>,
) -> Result<Json<RetentionDto>, ApiError> {
    let r = retention::compare(&state, &me, OrgId(id), &req.csv).await?;
    Ok(Json(RetentionDto::from(&r)))
}
