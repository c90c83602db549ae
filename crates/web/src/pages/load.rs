//! Load and burnout signals on the pages: the mentor's "Your load" card on the dashboard,
//! and the operators' at-risk list on `/operator/mentors`; both read `stint_app::load`.

use super::charts::{WeekBars, weekly_bars};
use super::render::OrPage;
use crate::state::AppState;
use axum::response::Response;
use stint_app::load::{self, AtRisk};
use stint_domain::account::Account;
use stint_domain::load::{LoadReport, WeekLoad, week_label};

/// The dashboard's card: the report, its chart and its weeks' labels.
pub struct LoadCard {
    pub report: LoadReport,
    pub chart: String,
    /// (label, the week), newest first.
    pub rows: Vec<(String, WeekLoad)>,
}

impl LoadCard {
    /// "3 of 4" or "3" (no cap).
    pub fn against_cap(&self, w: &WeekLoad) -> String {
        match self.report.cap_per_week {
            Some(cap) => format!("{} of {cap}", w.sessions),
            None => w.sessions.to_string(),
        }
    }
}

pub async fn card(state: &AppState, me: &Account) -> Result<LoadCard, Response> {
    let report = load::mine(state, me).await.or_page()?;
    let bars: Vec<WeekBars> = report
        .weeks
        .iter()
        .map(|w| WeekBars {
            label: week_label(w.week),
            total: w.minutes,
            part: w.minutes,
        })
        .collect();
    let chart = weekly_bars("load", "Hours in sessions, week by week", "hours", &bars);
    let rows = report
        .weeks
        .iter()
        .rev()
        .map(|w| (week_label(w.week), w.clone()))
        .collect();
    Ok(LoadCard {
        report,
        chart,
        rows,
    })
}

/// The operators' list of listed mentors at risk.
pub async fn at_risk(state: &AppState, me: &Account) -> Result<Vec<AtRisk>, Response> {
    load::at_risk(state, me).await.or_page()
}
