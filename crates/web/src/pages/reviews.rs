//! The session page's review part: its mentee rates a session that took place (1–5 and a
//! line), its mentor answers once. The rules are `stint_app::reviews`'; a refused form comes
//! back on the session page with its input and messages.

use super::render::{PageResult, failure_for, not_found_page, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::outcomes::PartyBooking;
use stint_app::reviews;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::review::{Review, ReviewInput};

/// What the review and answer forms post.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReviewFields {
    pub rating: String,
    pub text: String,
    pub reply: String,
}

/// The review part of one session page, for one of its parties.
pub struct ReviewPanel {
    pub review: Option<Review>,
    pub may_review: bool,
    pub may_reply: bool,
    pub form: ReviewFields,
    pub errors: FieldErrors,
    /// "review" or "reply" just after one was posted.
    pub saved: String,
}

impl ReviewPanel {
    pub fn chosen(&self, n: &u8) -> bool {
        self.form.rating.trim() == n.to_string()
    }

    /// Whether there is anything to show: a review, or a form.
    pub fn shown(&self) -> bool {
        self.review.is_some() || self.may_review
    }
}

/// The panel for `pb`'s page; `refused` carries a refused form back.
pub(crate) async fn panel(
    state: &AppState,
    pb: &PartyBooking,
    saved: &str,
    refused: Option<(ReviewFields, FieldErrors)>,
) -> Result<ReviewPanel, stint_app::AppError> {
    let part = reviews::for_session(state, pb).await?;
    let (form, errors) = refused.unwrap_or_default();
    Ok(ReviewPanel {
        review: part.review,
        may_review: part.may_review,
        may_reply: part.may_reply,
        form,
        errors,
        saved: saved.to_string(),
    })
}

async fn party(state: &AppState, me: &Account, id: &str) -> Result<PartyBooking, Response> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(not_found_page(Some(me.clone())));
    };
    stint_app::outcomes::party_to(state, me, id)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))
}

/// The session page again with the review form refused.
async fn reshow(
    state: &AppState,
    me: Account,
    csrf: &CsrfToken,
    id: i64,
    form: ReviewFields,
    (status, errors): (StatusCode, FieldErrors),
) -> PageResult {
    let refused = super::outcomes::Refused::review(form, errors);
    super::session_page::render_session(state, me, &csrf.0, id, "", "", refused, status).await
}

/// `POST /sessions/{id}/review`: the mentee's review.
pub async fn leave(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ReviewFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    let id = pb.booking.id.0;
    let Ok(rating) = f.rating.trim().parse::<i64>() else {
        let errors = FieldErrors::single("rating", "choose 1 to 5 stars");
        return reshow(
            &state,
            me,
            &csrf,
            id,
            f,
            (StatusCode::UNPROCESSABLE_ENTITY, errors),
        )
        .await;
    };
    let input = ReviewInput {
        rating,
        text: f.text.clone(),
    };
    match reviews::leave_review(&state, &me, id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?saved=review#review")).into_response()),
        Err(e) => {
            let refused = refusal(e, &me)?;
            reshow(&state, me, &csrf, id, f, refused).await
        }
    }
}

/// `POST /sessions/{id}/review/reply`: the mentor's one answer.
pub async fn reply(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ReviewFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    let id = pb.booking.id.0;
    let found = reviews::for_session(&state, &pb)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let Some(review) = found.review else {
        return Ok(not_found_page(Some(me)));
    };
    match reviews::reply(&state, &me, review.id, &f.reply).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?saved=reply#review")).into_response()),
        Err(e) => {
            let refused = refusal(e, &me)?;
            reshow(&state, me, &csrf, id, f, refused).await
        }
    }
}
