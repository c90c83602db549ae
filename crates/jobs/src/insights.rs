//! `insights.hours`, every hour: keeps last week's and this week's active hours of every
//! bookable mentor (`stint_app::insights::hours`). `insights.forecast`, every day: forecasts
//! the next weeks' demand and supply (`stint_app::insights::forecast`) and raises the
//! shortfalls they show (`stint_app::insights::alerts`); `insights.alert` delivers one alert.
//! `insights.risk`, every day: trains the no-show model (`stint_app::insights::risk`).
//! `insights.reports`, every hour: counts the kept reports again (`stint_app::insights::kept`).

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use stint_app::App;
use stint_app::insights::alerts::{AlertJob, Letter, letter, post, raise};
use stint_app::insights::forecast::{FORECAST, refresh};
use stint_app::insights::hours::{HOURS, keep_recent};
use stint_app::insights::kept::{REPORTS, recount_all};
use stint_app::insights::risk::{RISK, Trained, retrain};
use stint_mail::{Mailer, Message};
use stint_store::Job;

use crate::account_mail::{escape, host_of};
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(HOURS, Duration::from_secs(60 * 60))
}

pub fn forecast_periodic() -> Periodic {
    Periodic::new(FORECAST, Duration::from_secs(24 * 60 * 60))
}

pub fn risk_periodic() -> Periodic {
    Periodic::new(RISK, Duration::from_secs(24 * 60 * 60))
}

pub fn reports_periodic() -> Periodic {
    Periodic::new(REPORTS, Duration::from_secs(60 * 60))
}

/// `insights.reports`: value by outcome and every pilot report and experiment result an
/// operator has opened, counted again and kept.
pub struct CountReports {
    app: App,
}

impl CountReports {
    pub fn new(app: App) -> Self {
        CountReports { app }
    }
}

#[async_trait]
impl Handler for CountReports {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let started = std::time::Instant::now();
        let counted = recount_all(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        let took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(counted, took_ms, "kept reports counted");
        Ok(())
    }
}

pub struct KeepHours {
    app: App,
}

impl KeepHours {
    pub fn new(app: App) -> Self {
        KeepHours { app }
    }
}

#[async_trait]
impl Handler for KeepHours {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let kept = keep_recent(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        tracing::debug!(kept, "active hours kept");
        Ok(())
    }
}

pub struct MakeForecasts {
    app: App,
}

impl MakeForecasts {
    pub fn new(app: App) -> Self {
        MakeForecasts { app }
    }
}

#[async_trait]
impl Handler for MakeForecasts {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let started = std::time::Instant::now();
        let series = refresh(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        let raised = raise(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        tracing::info!(
            series,
            took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            opened = raised.opened,
            closed = raised.closed,
            asked = raised.asked,
            "forecasts made"
        );
        Ok(())
    }
}

/// `insights.risk`: trains the no-show model on every past session (or removes it when the
/// history is too short).
pub struct TrainRisk {
    app: App,
}

impl TrainRisk {
    pub fn new(app: App) -> Self {
        TrainRisk { app }
    }
}

#[async_trait]
impl Handler for TrainRisk {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let started = std::time::Instant::now();
        let trained = retrain(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        let took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match trained {
            Trained::Model(m) => tracing::info!(
                sessions = m.sessions,
                no_shows = m.no_shows,
                auc = m.evaluation.as_ref().map(|e| e.auc),
                took_ms,
                "no-show model trained"
            ),
            Trained::TooLittle { sessions, no_shows } => {
                tracing::info!(
                    sessions,
                    no_shows,
                    took_ms,
                    "too little history for a no-show model"
                );
            }
        }
        Ok(())
    }
}

/// `insights.alert`: one shortfall alert or ask for hours, by e-mail (under a message id
/// named by the job, so a retry is the same message) and then to the inbox, as the recipient
/// chose when it goes out.
pub struct SendAlert {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl SendAlert {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        SendAlert {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for SendAlert {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: AlertJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an alert: {e}")))?;
        let Some(l) = letter(&self.app, &input)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let id = format!("<insights-alert.{}@{}>", job.id, host_of(&self.public_url));
        deliver(&self.app, &self.mailer, &self.public_url, l, id).await
    }
}

/// Sends a letter by the channels its recipient chose: by e-mail under `message_id` (so a
/// retry is the same message), then to the inbox.
pub(crate) async fn deliver(
    app: &App,
    mailer: &Mailer,
    public_url: &str,
    l: Letter,
    message_id: String,
) -> Result<(), JobError> {
    let retry = |e: &dyn std::fmt::Display| JobError::retry(e.to_string());
    if l.by_email {
        let link = format!("{public_url}{}", l.link);
        let message = Message {
            to: (l.name.clone(), l.email.clone()),
            subject: l.subject.clone(),
            text: format!("Hello {},\n\n{}\n\n{link}\n", l.name, l.text),
            html: format!(
                "<p>Hello {},</p><p>{}</p><p><a href=\"{}\">Open Stint</a></p>",
                escape(&l.name),
                escape(&l.text),
                escape(&link)
            ),
            attachments: Vec::new(),
            message_id,
        };
        mailer
            .send(&message)
            .await
            .map_err(|e| retry(&format!("the message was not mailed: {e}")))?;
    }
    if l.in_app {
        post(app, l).await.map_err(|e| retry(&e))?;
    }
    Ok(())
}
