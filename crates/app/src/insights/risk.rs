//! No-show risk: the `insights.risk` job trains the model on every past session (held and
//! missed) and keeps it with its record on the later sessions it was held out from; with too
//! little history it keeps none, and then no session is scored. Sessions are scored as they
//! are read: a mentor's schedule, and the extra reminder a high-risk session gets.

use crate::{App, AppError, require};
use std::collections::HashMap;
use stint_domain::account::Account;
use stint_domain::booking::BookingId;
use stint_domain::risk::{Evaluation, RiskModel, Scored};
use stint_domain::role::Role;
use stint_store::RiskSessions;

pub use stint_risk::{MIN_NO_SHOWS, MIN_SESSIONS, TrainError};

/// The job kind.
pub const RISK: &str = "insights.risk";

/// What a training run did.
#[derive(Debug)]
pub enum Trained {
    Model(Box<RiskModel>),
    /// Too little history: no model is kept.
    TooLittle {
        sessions: usize,
        no_shows: usize,
    },
}

/// Trains on every session that started before now and keeps the model (or removes the
/// last one when the history is below the minimum).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn retrain(app: &App) -> Result<Trained, AppError> {
    let now = app.now();
    let sessions = app
        .store
        .risk_sessions(RiskSessions::FinishedBefore(now))
        .await?;
    let trained = tokio::task::spawn_blocking(move || {
        stint_risk::train(&sessions, now).map(|mut model| {
            model.evaluation = stint_risk::evaluate(&sessions, now).ok();
            model
        })
    })
    .await
    .map_err(|_| AppError::internal())?;
    match trained {
        Ok(model) => {
            app.store.save_risk_model(Some(&model), now).await?;
            Ok(Trained::Model(Box::new(model)))
        }
        Err(stint_risk::TrainError::TooLittle { sessions, no_shows }) => {
            app.store.save_risk_model(None, now).await?;
            Ok(Trained::TooLittle { sessions, no_shows })
        }
        Err(e @ stint_risk::TrainError::Fit(_)) => {
            tracing::warn!(error = %e, "the no-show model could not be trained; the last one is kept");
            Err(AppError::internal())
        }
    }
}

/// Trains on the earlier 80 % of the history and scores the rest (for `stint model
/// evaluate`); nothing is kept.
pub async fn evaluate(app: &App) -> Result<Result<Evaluation, stint_risk::TrainError>, AppError> {
    let now = app.now();
    let sessions = app
        .store
        .risk_sessions(RiskSessions::FinishedBefore(now))
        .await?;
    tokio::task::spawn_blocking(move || stint_risk::evaluate(&sessions, now))
        .await
        .map_err(|_| AppError::internal())
}

/// The kept model, as operators read it.
pub async fn kept(app: &App, me: &Account) -> Result<Option<RiskModel>, AppError> {
    require(me, Role::Operator)?;
    model(app).await
}

/// The kept model, if there is one.
async fn model(app: &App) -> Result<Option<RiskModel>, AppError> {
    Ok(app.store.risk_model().await?)
}

/// The risk of each of `bookings` (none without a model).
pub async fn of_sessions(
    app: &App,
    bookings: &[BookingId],
) -> Result<HashMap<BookingId, Scored>, AppError> {
    if bookings.is_empty() {
        return Ok(HashMap::new());
    }
    let Some(model) = model(app).await? else {
        return Ok(HashMap::new());
    };
    let facts = app
        .store
        .risk_sessions(RiskSessions::Bookings(bookings))
        .await?;
    Ok(facts
        .iter()
        .map(|s| (BookingId(s.booking), model.risk(s)))
        .collect())
}
