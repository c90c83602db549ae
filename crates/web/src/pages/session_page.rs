//! A session page: when it is for each party, what it costs, its outcome loop, review,
//! materials and the one next step for its state.

use super::booking::when;
use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure_for, not_found_page};
use crate::api::bookings::{BookingDto, view};
use crate::auth::PageUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use stint_app::bookings;
use stint_domain::account::{Account, zone_or_utc};
use stint_domain::booking::BookingId;

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
    /// The mentee's credential for a checkpoint reached: to claim, or claimed.
    credential: Option<stint_app::skill_credentials::SessionCredential>,
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
    let (review, materials, credential) = match stint_app::outcomes::party_to(state, &me, id).await
    {
        Ok(party) => (
            Some(
                super::reviews::panel(state, &party, saved, refused.review.clone())
                    .await
                    .or_page()?,
            ),
            stint_app::materials::of_party(state, &party)
                .await
                .or_page()?,
            stint_app::skill_credentials::for_session(state, &party)
                .await
                .or_page()?,
        ),
        Err(e) if e.is(stint_app::ErrorKind::NotFound) => (None, Vec::new(), None),
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
            credential,
            b: dto,
        },
    ))
}
