//! `insights.hours`, every hour: keeps last week's and this week's active hours of every
//! bookable mentor (`stint_app::insights::hours`). `insights.forecast`, every day: forecasts
//! the next weeks' demand and supply (`stint_app::insights::forecast`).

use async_trait::async_trait;
use std::time::Duration;
use stint_app::App;
use stint_app::insights::forecast::{FORECAST, refresh};
use stint_app::insights::hours::{HOURS, keep_recent};
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(HOURS, Duration::from_secs(60 * 60))
}

pub fn forecast_periodic() -> Periodic {
    Periodic::new(FORECAST, Duration::from_secs(24 * 60 * 60))
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
        tracing::info!(
            series,
            took_ms = started.elapsed().as_millis() as u64,
            "forecasts made"
        );
        Ok(())
    }
}
