//! The "Nudges" section of the session page: each nudge of the session on each channel,
//! sent or failed, with times in the viewer's zone.

use super::render::OrPage;
use crate::state::AppState;
use axum::response::Response;
use jiff::tz::TimeZone;
use stint_app::nudges::{self as nudge_ops, LogEntry};
use stint_domain::account::Account;
use stint_domain::booking::Booking;
use stint_domain::nudge::NudgeKind;
use stint_store::DeliveryStatus;

/// One line of the log, e.g. "24 hour reminder — sent Tue 1 Dec 09:00 (Asia/Kolkata) by
/// e-mail to Priya".
pub struct LogRow {
    /// "24 hour reminder", "Booking confirmation".
    pub what: String,
    pub sent: bool,
    pub attempts: u32,
    pub when: String,
    pub iso: String,
    /// "by e-mail", "in Stint".
    pub channel: &'static str,
    pub recipient: String,
    /// The last attempt's error, for a failed delivery.
    pub error: String,
}

impl LogRow {
    fn new(e: &LogEntry, tz: &TimeZone, zone_name: &str) -> Self {
        let d = &e.delivery;
        let what = match (d.kind, e.lead) {
            (NudgeKind::Reminder, Some(lead)) => super::nudges::reminder_name(i64::from(lead)),
            (NudgeKind::Reminder, None) => "Reminder".to_string(),
            (kind, _) => kind.label().to_string(),
        };
        let z = d.at.to_zoned_datetime(tz.clone());
        let sent = d.status == DeliveryStatus::Sent;
        LogRow {
            what,
            sent,
            attempts: d.attempts,
            when: format!("{} ({zone_name})", z.strftime("%a %-d %b %H:%M")),
            iso: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            channel: d.channel.label(),
            recipient: e.recipient_name.clone(),
            error: if sent {
                String::new()
            } else {
                d.detail.clone()
            },
        }
    }
}

/// The log of `b` for `me`, who may see the booking (checked by the session page).
pub async fn rows(state: &AppState, me: &Account, b: &Booking) -> Result<Vec<LogRow>, Response> {
    let log = nudge_ops::delivery_log(state, me, b.id).await.or_page()?;
    let tz = me.zone();
    let zone_name = tz.iana_name().unwrap_or("UTC").to_string();
    Ok(log
        .iter()
        .map(|e| LogRow::new(e, &tz, &zone_name))
        .collect())
}
