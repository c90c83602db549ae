//! Applications to mentor, written once for the API and the pages. Anyone signed in who is
//! not a mentor applies (experience, competencies, a sample of how they would run a session,
//! links); operators work through the queue, ask a question, approve (which grants the mentor
//! role, so only vetted people are ever listed or booked) or decline with a reason. The
//! applicant is mailed each step (`APPLICATION_MAIL`, queued in the step's own write).

use crate::App;
use crate::access::require;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::application::{self, Application, ApplicationInput, Decision};
use stint_domain::role::Role;
use stint_store::NewJob;

pub use crate::letter::Letter;

/// The job that mails an applicant about a step of their review.
pub const APPLICATION_MAIL: &str = "mentor_application.mail";

/// The mail job's payload: the application and the step it tells of.
#[derive(Debug, Serialize, Deserialize)]
pub struct ApplicationMail {
    pub application: i64,
    /// `asked`, `approved` or `declined`.
    pub step: String,
}

/// Sends `me`'s application to mentor.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    app: &App,
    me: &Account,
    input: &ApplicationInput,
) -> Result<Application, AppError> {
    if me.has(Role::Mentor) {
        return Err(AppError::conflict(
            "application",
            "you are a mentor already",
        ));
    }
    let (input, _) = input.validate().map_err(AppError::validation)?;
    let known = crate::catalog_read::competencies(app).await?;
    if let Some(unknown) = input
        .competencies
        .iter()
        .find(|c| !known.iter().any(|k| &k.slug == *c))
    {
        return Err(AppError::validation(FieldErrors::single(
            "competencies",
            format!("{unknown} is not a competency on offer"),
        )));
    }
    Ok(app
        .store
        .create_application(me.id, &input, app.now())
        .await?)
}

/// `me`'s applications, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(app: &App, me: &Account) -> Result<Vec<Application>, AppError> {
    Ok(app.store.applications_of(me.id).await?)
}

/// Applications under review, oldest first (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(app: &App, operator: &Account) -> Result<Vec<Application>, AppError> {
    require(operator, Role::Operator)?;
    Ok(app.store.open_applications().await?)
}

/// Application `id` as `viewer` may see it: its applicant or an operator; others get
/// `NotFound`, as if it did not exist.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn one(app: &App, viewer: &Account, id: i64) -> Result<Application, AppError> {
    match app.store.application(id).await? {
        Some(a) if a.user_id == viewer.id || viewer.has(Role::Operator) => Ok(a),
        _ => Err(AppError::not_found("application")),
    }
}

/// An operator's step on application `id`: `ask` a question, `approve`, or `decline` with
/// a reason (`note` holds the question or the reason).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn decide(
    app: &App,
    operator: &Account,
    id: i64,
    step: &str,
    note: &str,
) -> Result<Application, AppError> {
    require(operator, Role::Operator)?;
    let checked = |field: &str| {
        application::note(note).map_err(|m| AppError::validation(FieldErrors::single(field, m)))
    };
    let decision = match step {
        "ask" => Decision::Ask(checked("question")?),
        "approve" => Decision::Approve,
        "decline" => Decision::Decline(checked("reason")?),
        _ => {
            return Err(AppError::validation(FieldErrors::single(
                "step",
                "must be ask, approve or decline",
            )));
        }
    };
    let current = one(app, operator, id).await?;
    if !decision.allowed_from(current.status) {
        return Err(AppError::conflict(
            "status",
            format!(
                "this application is {} already",
                current
                    .status
                    .as_str()
                    .replace("asked", "waiting for an answer")
            ),
        ));
    }
    let now = app.now();
    let job = NewJob {
        kind: APPLICATION_MAIL.into(),
        payload: serde_json::to_string(&ApplicationMail {
            application: id,
            step: decision.status().as_str().into(),
        })
        .map_err(|e| {
            tracing::error!(error = %e, "application mail payload");
            AppError::internal()
        })?,
        dedupe_key: None,
        due_at: now,
        max_attempts: 12,
    };
    app.store
        .decide_application(id, current.status, &decision, operator.id, &job, now)
        .await?
        .ok_or_else(|| {
            AppError::conflict(
                "status",
                "another operator changed this application meanwhile",
            )
        })
}

/// The applicant's answer to the question on application `id`; it goes back to the queue.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn answer(app: &App, me: &Account, id: i64, text: &str) -> Result<Application, AppError> {
    let text = application::note(text)
        .map_err(|m| AppError::validation(FieldErrors::single("answer", m)))?;
    one(app, me, id).await?;
    app.store
        .answer_application(id, me.id, &text, app.now())
        .await?
        .ok_or_else(|| AppError::conflict("status", "no question waits for your answer"))
}

/// What the `APPLICATION_MAIL` job sends; `None` when the application is gone (erased).
pub async fn letter(app: &App, job: &ApplicationMail) -> Result<Option<Letter>, AppError> {
    let Some(a) = app.store.application(job.application).await? else {
        return Ok(None);
    };
    let (subject, lines, link_path) = match job.step.as_str() {
        "asked" => (
            "A question about your application to mentor".to_string(),
            vec![
                "Thank you for applying to mentor on Stint. Before we decide, we have a question:"
                    .to_string(),
                a.question.clone(),
                "Answer it on your application page; it goes back to the review at once.".into(),
            ],
            "/mentor/apply".to_string(),
        ),
        "approved" => (
            "Welcome: you are a Stint mentor".to_string(),
            vec![
                "Your application to mentor is approved.".to_string(),
                "Write your profile and choose the sessions you deliver; then set your hours, \
                 and mentees can book you."
                    .into(),
            ],
            "/mentor/profile".to_string(),
        ),
        _ => (
            "Your application to mentor".to_string(),
            vec![
                "Thank you for applying to mentor on Stint. We are not able to accept your \
                 application now."
                    .to_string(),
                format!("The reason: {}", a.reason),
                "You are welcome to apply again when that has changed.".into(),
            ],
            "/mentor/apply".to_string(),
        ),
    };
    Ok(Some(Letter {
        name: a.applicant_name,
        email: a.applicant_email,
        subject,
        lines,
        link_path,
    }))
}
