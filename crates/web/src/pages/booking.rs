//! Booking pages: times in the viewer's zone grouped by day, and the confirmation of a
//! picked time (the session itself is `session_page`, changing it `session_moves`).

use super::render::{Chrome, PageResult, failure_for, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::catalog_read;
use stint_app::scheduling::{self, BookRequest, Offer};
use stint_domain::account::{Account, TimeZoneName, zone_or_utc};
use stint_domain::booking::{self};
use stint_domain::catalog::SkuVersion;
use stint_domain::ids::UserId;
use stint_domain::mentor::MentorProfile;

/// "Tue 1 Dec, 14:00" in `tz`.
pub fn when(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%a %-d %b, %H:%M")
        .to_string()
}

pub(super) fn query_string(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub struct SlotLink {
    pub time: String,
    pub href: String,
}

pub struct DayGroup {
    pub label: String,
    pub slots: Vec<SlotLink>,
}

/// Chooses the zone times are shown in: the one asked for, else the account's, else UTC.
pub(super) fn viewer_zone(asked: &str, user: &Option<Account>) -> (String, bool) {
    if let Ok(z) = TimeZoneName::parse(asked) {
        return (z.as_str().to_string(), true);
    }
    (
        user.as_ref()
            .map(|u| u.timezone.clone())
            .unwrap_or_else(|| "UTC".into()),
        false,
    )
}

pub(super) fn group_by_day(
    offers: &[Offer],
    tz: &TimeZone,
    link: impl Fn(&Offer) -> String,
) -> Vec<DayGroup> {
    let mut days: Vec<DayGroup> = Vec::new();
    let mut last: Option<Date> = None;
    for o in offers {
        let local = o.slot.start.to_zoned_datetime(tz.clone());
        if last != Some(local.date()) {
            days.push(DayGroup {
                label: local.strftime("%A %-d %B").to_string(),
                slots: Vec::new(),
            });
            last = Some(local.date());
        }
        if let Some(day) = days.last_mut() {
            day.slots.push(SlotLink {
                time: local.strftime("%H:%M").to_string(),
                href: link(o),
            });
        }
    }
    days
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmParams {
    mentor: String,
    start: String,
    tz: String,
    /// `1` when a booking was refused for too few credits.
    short: String,
    /// The code of a sponsor's refusal to pay (`stint_domain::sponsor::PayRefusal`).
    budget: String,
}

/// An organisation that may pay for this session, as the confirmation offers it.
struct SponsorChoice {
    id: i64,
    name: String,
    /// Hours its admins have to approve the booking, if they must.
    approval_hours: Option<i64>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    sku: SkuVersion,
    /// `None`: any mentor, assigned when the booking is made.
    mentor: Option<MentorProfile>,
    start: String,
    when_mine: String,
    when_theirs: String,
    my_zone: String,
    cancel_words: String,
    reschedule_words: String,
    key: String,
    back_href: String,
    /// What the viewer's wallet can spend now.
    spendable: i64,
    /// Sent back here because the wallet held too little when confirming.
    refused_short: bool,
    /// Organisations whose budget pays for this session type; the first is chosen.
    sponsors: Vec<SponsorChoice>,
    /// Why a sponsor would not pay, when sent back here for it.
    budget_refusal: Option<&'static str>,
}

impl ConfirmPage {
    /// What confirming takes from the wallet: the price and the outcome bonus.
    fn needed(&self) -> i64 {
        self.sku.content.price_credits + self.sku.content.bonus_credits
    }

    fn short(&self) -> bool {
        self.spendable < self.needed()
    }

    /// Whether confirming cannot work: the wallet is short and no sponsor offers to pay.
    fn blocked(&self) -> bool {
        self.short() && self.sponsors.is_empty()
    }
}

pub async fn confirm_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    Query(q): Query<ConfirmParams>,
) -> PageResult {
    let sku = catalog_read::bookable_sku(&state, &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    // No mentor: "any mentor", one is assigned fairly when the booking is made.
    let mentor = match q.mentor.trim() {
        "" => Some(None),
        id => match id.parse::<i64>() {
            Ok(id) => catalog_read::mentor(&state, UserId(id))
                .await
                .ok()
                .map(Some),
            Err(_) => None,
        },
    };
    let (Some(mentor), Ok(start)) = (mentor, q.start.parse::<Timestamp>()) else {
        return Ok(Redirect::to(&format!("/skus/{slug}/book")).into_response());
    };
    let (tz_name, _) = viewer_zone(&q.tz, &Some(me.clone()));
    let tz = zone_or_utc(&tz_name);
    let c = &sku.content;
    let words = |hours: i64| when(booking::cutoff(start, hours), &tz);
    let spendable = stint_app::money::wallet::spendable(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let sponsors = stint_app::sponsor::orgs::sponsors_of(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?
        .into_iter()
        .filter(|o| {
            o.rules
                .as_ref()
                .is_some_and(|r| r.skus.contains(&sku.sku_id))
        })
        .map(|o| SponsorChoice {
            id: o.id.0,
            approval_hours: o.rules.as_ref().and_then(|r| r.approval_hours),
            name: o.name,
        })
        .collect();
    Ok(ok(&ConfirmPage {
        spendable,
        refused_short: q.short == "1",
        sponsors,
        budget_refusal: stint_domain::sponsor::PayRefusal::parse(&q.budget).map(|r| r.message()),
        chrome: Chrome::new(format!("Confirm {} · Stint", c.title), Some(me), &csrf.0),
        when_mine: when(start, &tz),
        when_theirs: mentor
            .as_ref()
            .map(|m| {
                format!(
                    "{} in {}",
                    when(start, &zone_or_utc(&m.timezone)),
                    m.timezone
                )
            })
            .unwrap_or_default(),
        cancel_words: if c.price_credits > 0 && c.late_cancel_percent > 0 {
            format!(
                "Free cancellation until {} your time; after that, {}% of the price goes to your mentor.",
                words(c.cancel_cutoff_hours),
                c.late_cancel_percent
            )
        } else {
            format!(
                "Free cancellation until {} your time.",
                words(c.cancel_cutoff_hours)
            )
        },
        reschedule_words: format!(
            "Rescheduling possible until {} your time.",
            words(c.reschedule_cutoff_hours)
        ),
        start: start.to_string(),
        my_zone: tz_name.clone(),
        key: stint_app::auth::secret::new_secret().map_err(|e| failure_for(e, None))?,
        back_href: format!(
            "/skus/{slug}/book?{}",
            query_string(&[
                ("tz", tz_name),
                (
                    "day",
                    start.to_zoned_datetime(tz.clone()).date().to_string()
                ),
                ("mentor", q.mentor.clone())
            ])
        ),
        sku,
        mentor,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookFields {
    sku: String,
    mentor_id: String,
    start: String,
    /// One per confirmation page: a double click or a resubmit books once.
    key: String,
    tz: String,
    /// An organisation's id whose budget pays; empty for the wallet.
    paid_by: String,
}

pub async fn create_booking(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(f): CsrfForm<BookFields>,
) -> PageResult {
    let req = BookRequest {
        sku_slug: &f.sku,
        // Empty: any mentor (the fair rule picks one); anything else must be a mentor's id.
        mentor_id: match f.mentor_id.trim() {
            "" => None,
            id => Some(id.parse().unwrap_or(-1)),
        },
        start: &f.start,
        idempotency_key: (!f.key.is_empty()).then_some(f.key.as_str()),
        paid_by: match f.paid_by.trim() {
            "" => None,
            id => Some(stint_domain::ids::OrgId(id.parse().unwrap_or(-1))),
        },
    };
    match scheduling::book(&state, &me, req).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("/sessions/{}?booked=1", done.booking.id)).into_response())
        }
        Err(e)
            if e.code == "slot_taken"
                || e.kind == ErrorKind::Invalid && e.fields.contains_key("start") =>
        {
            let back = query_string(&[("tz", f.tz.clone()), ("taken", "1".into())]);
            Ok(Redirect::to(&format!("/skus/{}/book?{back}", f.sku)).into_response())
        }
        // Back to the same time, which now says why the sponsor would not pay.
        Err(e) if e.fields.contains_key("paid_by") => {
            let back = query_string(&[
                ("mentor", f.mentor_id.clone()),
                ("start", f.start.clone()),
                ("tz", f.tz.clone()),
                ("budget", e.code.to_string()),
            ]);
            Ok(Redirect::to(&format!("/skus/{}/book/confirm?{back}", f.sku)).into_response())
        }
        // Back to the same time, which now says how many credits are missing.
        Err(e) if e.kind == ErrorKind::PaymentRequired => {
            let back = query_string(&[
                ("mentor", f.mentor_id.clone()),
                ("start", f.start.clone()),
                ("tz", f.tz.clone()),
                ("short", "1".into()),
            ]);
            Ok(Redirect::to(&format!("/skus/{}/book/confirm?{back}", f.sku)).into_response())
        }
        Err(e) => Err(failure_for(e, Some(me))),
    }
}
