//! Booking pages: times in the viewer's zone, confirmation, my sessions, a session page
//! with cancel, reschedule and no-show.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure_for, not_found_page, ok, refusal};
use crate::api::bookings::{BookingDto, view};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::bookings;
use stint_app::catalog_read;
use stint_app::scheduling::{self, BookRequest, Offer};
use stint_domain::account::{Account, TimeZoneName, zone_or_utc};
use stint_domain::booking::{self, BookingId};
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

fn group_by_day(offers: &[Offer], tz: &TimeZone, link: impl Fn(&Offer) -> String) -> Vec<DayGroup> {
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionParams {
    booked: String,
    cancelled: String,
    moved: String,
    taken: String,
    /// Which outcome form was just saved, confirmed next to it.
    saved: String,
    /// `paid` after the mentee confirmed the milestone.
    bonus: String,
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    chrome: Chrome,
    b: BookingDto,
    when_mine: String,
    when_theirs: String,
    other_name: String,
    is_mentor: bool,
    can_cancel: bool,
    cancel_is_late: bool,
    can_reschedule: bool,
    can_report: bool,
    /// A refused cancel: the reason as typed and its messages.
    cancel_reason: String,
    cancel_errors: stint_domain::FieldErrors,
    /// Asking "cancel this session?" before it is done.
    confirm_cancel: bool,
    notice: String,
    /// The outcome loop, for the session's two parties only.
    outcome: Option<super::outcomes::Panel>,
    /// The delivery log of the session's nudges.
    nudges: Vec<super::deliveries::LogRow>,
    /// Where the session's credits stand, in words; empty for a free session.
    payment: String,
    /// The share of the price a mentee's late cancel forfeits (the booked version's).
    late_share: i64,
    /// Where the outcome bonus stands, in words; empty without one.
    bonus: String,
    /// The mentee may confirm the milestone now.
    can_confirm_bonus: bool,
    /// The review and its answer, or the form for one (the session's parties only).
    review: Option<super::reviews::ReviewPanel>,
    /// The one primary action for the session's state.
    next: Option<super::next_step::NextStep>,
    /// What the session type promises, with the links and files attached to it.
    materials: Vec<stint_app::materials::ArtifactMaterial>,
}

/// Where a hold stands, in words for the mentee or the mentor.
fn payment_words(hold: &stint_store::ledger::HoldRecord, is_mentor: bool, other: &str) -> String {
    use stint_domain::ledger::HoldState;
    let n = hold.price;
    let credits = if n == 1 { "credit" } else { "credits" };
    // A sponsor's budget pays for some sessions: their credits come from and go back there.
    let source = match hold.payer {
        stint_domain::ledger::Account::Budget(_) => "your organisation's budget",
        _ => "your wallet",
    };
    match (hold.state, is_mentor) {
        (HoldState::Held, false) => {
            format!("{n} {credits} held from {source}, paid to {other} once the session is closed.")
        }
        (HoldState::Held, true) => format!(
            "{n} {credits} held; yours when you close the session, less the platform's fee."
        ),
        (HoldState::Settled, false) => format!("{n} {credits} paid to {other}."),
        (HoldState::Settled, true) => {
            format!("{n} {credits} paid to you, less the platform's fee.")
        }
        (HoldState::Released, false) => format!("{n} {credits} back in {source}."),
        (HoldState::Released, true) => format!("{n} {credits} released to {other}."),
        (HoldState::Forfeited, false) => format!(
            "{n} {credits} held; the session's policy gave {other} their share and the rest came back to {source}."
        ),
        (HoldState::Forfeited, true) => format!(
            "{n} {credits} held; the session's policy gave you your share (less the platform's fee), the rest went back."
        ),
    }
}

/// Where a sponsor's approval of the session stands, in words.
fn approval_words(
    a: &stint_app::sponsor::approvals::ApprovalState,
    is_mentor: bool,
    me: &Account,
) -> String {
    use stint_domain::sponsor::Approval;
    let org = &a.org_name;
    let due = a
        .due
        .map_or(String::new(), |t| stint_app::outcomes::when_for(me, t));
    match (a.approval, is_mentor) {
        (Approval::Pending, false) => format!(
            "Waiting for {org}'s approval: if nobody decides by {due}, the session is cancelled and the credits go back."
        ),
        (Approval::Pending, true) => format!(
            "The mentee's organisation has until {due} to approve it; undecided, it is cancelled."
        ),
        (Approval::Approved, _) => format!("{org} approved it."),
        (Approval::Declined, _) => {
            format!("{org} declined it, so it was cancelled and nothing was charged.")
        }
        (Approval::Lapsed, _) => {
            format!("Nobody at {org} decided in time, so it was cancelled and nothing was charged.")
        }
    }
}

pub async fn session(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<SessionParams>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let notice = if !q.booked.is_empty() {
        "Booked. It is in your sessions; add it to your calendar below."
    } else if !q.cancelled.is_empty() {
        "Cancelled. The other party can see why."
    } else if !q.moved.is_empty() {
        "Moved to the new time."
    } else if !q.taken.is_empty() {
        "That time was just taken. Please choose another."
    } else if q.bonus == "paid" {
        "Congratulations on reaching the milestone. The bonus went to your mentor."
    } else {
        ""
    };
    render_session(
        &state,
        me,
        &csrf.0,
        id,
        notice,
        &q.saved,
        super::outcomes::Refused::default(),
        StatusCode::OK,
    )
    .await
}

/// The session page; a refused outcome form comes back in it with its input and messages.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn render_session(
    state: &AppState,
    me: Account,
    csrf: &str,
    id: i64,
    notice: &str,
    saved: &str,
    refused: super::outcomes::Refused,
    status: StatusCode,
) -> PageResult {
    let d = bookings::detail(state, &me, BookingId(id))
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let dto = view(&me, &d);
    let actions = bookings::actions(&d.context, &me, state.now());
    let b = d.context.booking;
    let is_mentor = b.mentor_id == me.id;
    let other = if is_mentor { &dto.mentee } else { &dto.mentor };
    let (cancel_reason, cancel_errors) = refused.cancel.clone().unwrap_or_default();
    let confirm_cancel = refused.confirm_cancel;
    let mut payment = d.hold.as_ref().map_or(String::new(), |h| {
        payment_words(h, is_mentor, &other.display_name)
    });
    let budget_paid = d
        .hold
        .as_ref()
        .is_some_and(|h| matches!(h.payer, stint_domain::ledger::Account::Budget(_)));
    if budget_paid
        && let Some(a) = stint_app::sponsor::approvals::state_of(state, &me, b.id)
            .await
            .or_page()?
    {
        payment = format!("{payment} {}", approval_words(&a, is_mentor, &me));
    }
    let bonus = d.hold.as_ref().map_or(String::new(), |h| {
        super::bonus::words(
            h,
            is_mentor,
            &other.display_name,
            &zone_or_utc(&me.timezone),
        )
    });
    let can_confirm_bonus = d
        .hold
        .as_ref()
        .is_some_and(|h| super::bonus::can_confirm(h, b.mentee_id == me.id, state.now()));
    let late_share = d.context.sku.content.late_cancel_percent;
    // Reviews and materials are the two parties' (an operator sees the session, not these).
    let (review, materials) = match stint_app::outcomes::party_to(state, &me, id).await {
        Ok(party) => (
            Some(
                super::reviews::panel(state, &party, saved, refused.review.clone())
                    .await
                    .or_page()?,
            ),
            stint_app::materials::of_party(state, &party)
                .await
                .or_page()?,
        ),
        Err(e) if e.is(stint_app::ErrorKind::NotFound) => (None, Vec::new()),
        Err(e) => return Err(failure_for(e, Some(me))),
    };
    let outcome =
        super::outcomes::panel(state, &me, &other.display_name, id, saved, refused).await?;
    let nudges = super::deliveries::rows(state, &me, &b).await?;
    let next = super::next_step::next_step(
        &super::next_step::SessionState {
            live: b.status == stint_domain::booking::BookingStatus::Confirmed,
            start: b.start,
            end: b.end,
            now: state.now(),
            is_mentor,
            other: &other.display_name,
            meeting_url: &b.meeting_url,
            can_confirm_bonus,
        },
        outcome.as_ref(),
        review.as_ref(),
    );
    Ok(super::render::html(
        status,
        &SessionPage {
            chrome: Chrome::new(format!("{} · Stint", dto.sku.title), Some(me.clone()), csrf),
            when_mine: format!(
                "{} in {}",
                when(b.start, &zone_or_utc(&me.timezone)),
                me.timezone
            ),
            when_theirs: format!(
                "{} in {}",
                when(b.start, &zone_or_utc(&other.timezone)),
                other.timezone
            ),
            other_name: other.display_name.clone(),
            can_cancel: actions.can_cancel,
            cancel_is_late: actions.cancel_is_late,
            can_reschedule: actions.can_reschedule,
            can_report: actions.can_report_no_show,
            cancel_reason,
            cancel_errors,
            confirm_cancel,
            notice: notice.to_string(),
            is_mentor,
            outcome,
            nudges,
            payment,
            late_share,
            bonus,
            can_confirm_bonus,
            review,
            next,
            materials,
            b: dto,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelFields {
    reason: String,
    /// `yes` once the person confirmed; the first send only asks.
    confirm: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CancelFields>,
) -> PageResult {
    // The first send is checked as the cancellation would be, then asks for a confirmation
    // (also without JavaScript), saying what it costs.
    if f.confirm != "yes" {
        return match bookings::preview_cancel(&state, &me, BookingId(id), &f.reason).await {
            Ok(_) => {
                let asking = super::outcomes::Refused::confirm_cancel(f.reason);
                render_session(&state, me, &csrf.0, id, "", "", asking, StatusCode::OK).await
            }
            Err(e) => {
                let (status, errors) = refusal(e, &me)?;
                let refused = super::outcomes::Refused::cancel(f.reason, errors);
                render_session(&state, me, &csrf.0, id, "", "", refused, status).await
            }
        };
    }
    match bookings::cancel(&state, &me, BookingId(id), &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?cancelled=1")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e, &me)?;
            let refused = super::outcomes::Refused::cancel(f.reason, errors);
            render_session(&state, me, &csrf.0, id, "", "", refused, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoShowFields {
    side: String,
}

pub async fn no_show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<NoShowFields>,
) -> PageResult {
    bookings::report_no_show(&state, &me, BookingId(id), &f.side)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!("/sessions/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "reschedule.html")]
struct ReschedulePage {
    chrome: Chrome,
    b: BookingDto,
    days: Vec<DayGroup>,
    tz: String,
    taken: bool,
    /// A time picked and not yet confirmed: (its instant, from → to in words).
    moving: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveParams {
    taken: String,
    /// A new start picked: the page asks to confirm the move.
    start: String,
}

pub async fn reschedule_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<MoveParams>,
) -> PageResult {
    let d = bookings::detail(&state, &me, BookingId(id))
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let tz = zone_or_utc(&me.timezone);
    let today = state.now().to_zoned_datetime(tz.clone()).date();
    let to = today
        .checked_add(SignedDuration::from_hours(24 * 13))
        .unwrap_or(today);
    let window = scheduling::parse_window(&today.to_string(), &to.to_string(), &me.timezone)
        .map_err(|_| not_found_page(Some(me.clone())))?;
    let offers = scheduling::offers_for_booking(&state, &d.context, window.from, window.to)
        .await
        .or_page()?;
    let days = group_by_day(&offers, &tz, |o| o.slot.start.to_string());
    let dto = view(&me, &d);
    // Only a time on offer is asked about; anything else shows the times again.
    let moving = q
        .start
        .parse::<Timestamp>()
        .ok()
        .filter(|t| offers.iter().any(|o| o.slot.start == *t))
        .map(|t| {
            (
                t.to_string(),
                format!(
                    "from {} to {}",
                    when(d.context.booking.start, &tz),
                    when(t, &tz)
                ),
            )
        });
    Ok(ok(&ReschedulePage {
        chrome: Chrome::new("Reschedule · Stint", Some(me.clone()), &csrf.0),
        tz: me.timezone.clone(),
        taken: !q.taken.is_empty(),
        b: dto,
        days,
        moving,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveFields {
    start: String,
}

pub async fn reschedule(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MoveFields>,
) -> PageResult {
    match scheduling::reschedule(&state, &me, BookingId(id), &f.start).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?moved=1")).into_response()),
        Err(e) if e.code == "slot_taken" || e.kind == ErrorKind::Invalid => {
            Ok(Redirect::to(&format!("/sessions/{id}/reschedule?taken=1")).into_response())
        }
        Err(e) => Err(failure_for(e, Some(me))),
    }
}

/// The invitation file of a session, for the browser (session cookie).
pub async fn invite_file(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let base = crate::ics::site_base(&state.config);
    stint_app::calendar_files::invite(&state, &me, BookingId(id), base.as_deref())
        .await
        .map(crate::ics::calendar_response)
        .map_err(|e| failure_for(e, Some(me)))
}
