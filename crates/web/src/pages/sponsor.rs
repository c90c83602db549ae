//! The sponsor console (`/sponsor/{id}`), for an organisation's admins: the budget's balance
//! and spend, its rules, funding invoices, members and invitations, and outcomes in
//! aggregate. Each form is one call of `stint_app::sponsor`; a wrong one re-shows the console
//! with its field messages and what was typed.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::outcomes::when_for;
use stint_app::sponsor::console::{Console, console};
use stint_app::sponsor::{approvals, budget, members, orgs};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::SkuStatus;
use stint_domain::ids::OrgId;

/// One session type on the rules form.
pub(crate) struct SkuOption {
    slug: String,
    title: String,
    price: i64,
    checked: bool,
}

/// One row of the members' or invitations' list.
pub(crate) struct PersonRow {
    name: String,
    email: String,
    role: &'static str,
    note: String,
}

/// One member's progress, shared by them.
pub(crate) struct ProgressRow {
    name: String,
    sessions: u64,
    checkpoints: u64,
    gain: String,
    tasks: String,
}

/// One booking waiting for approval.
pub(crate) struct ApprovalLine {
    booking: i64,
    what: String,
    due: String,
}

/// One funding: an invoice or a card payment.
pub(crate) struct FundingRow {
    id: i64,
    credits: i64,
    reference: String,
    state: String,
    card: bool,
}

/// A pack the budget can be funded with by card.
pub(crate) struct PackOption {
    id: i64,
    label: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesFields {
    period: String,
    leftover: String,
    cap_credits: String,
    cap_sessions: String,
    skus: Vec<String>,
    approval_hours: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FundingFields {
    credits: String,
    reference: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CardFields {
    pack_id: String,
    quantity: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteFields {
    email: String,
    role: String,
}

/// What the forms hold and which one failed.
#[derive(Default)]
struct Forms {
    rules: RulesFields,
    funding: FundingFields,
    card: CardFields,
    invite: InviteFields,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "sponsor/console.html")]
struct ConsolePage {
    chrome: Chrome,
    c: Console,
    period_words: String,
    utilization: String,
    skus: Vec<SkuOption>,
    members: Vec<PersonRow>,
    invites: Vec<PersonRow>,
    fundings: Vec<FundingRow>,
    approvals: Vec<ApprovalLine>,
    rules: RulesFields,
    funding: FundingFields,
    card: CardFields,
    /// Packs to fund by card with; empty where cards are not taken.
    packs: Vec<PackOption>,
    /// The progress of members who chose to share it.
    shared: Vec<ProgressRow>,
    invite: InviteFields,
    errors: FieldErrors,
    notice: &'static str,
}

impl ConsolePage {
    fn percent(share: Option<f64>) -> String {
        share.map_or("—".to_string(), |s| format!("{:.0}%", s * 100.0))
    }

    fn mini_win(&self) -> String {
        Self::percent(self.c.outcomes.stats.as_ref().and_then(|s| s.mini_win_rate))
    }

    fn interval(&self) -> String {
        match self.c.outcomes.stats.as_ref().and_then(|s| s.interval) {
            Some((lo, hi)) => format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0),
            None => String::new(),
        }
    }

    fn mean_gain(&self) -> String {
        gain(self.c.outcomes.stats.as_ref().and_then(|s| s.mean_gain))
    }

    fn tasks(&self) -> String {
        Self::percent(
            self.c
                .outcomes
                .stats
                .as_ref()
                .filter(|s| s.tasks_total > 0)
                .map(|s| s.tasks_done as f64 / s.tasks_total as f64),
        )
    }
}

/// A mean gain as people read it: "+0.8 levels", or a dash when hidden or unmeasured.
fn gain(g: Option<f64>) -> String {
    g.map_or("—".to_string(), |g| format!("{g:+.1} levels"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

async fn console_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    org: OrgId,
    forms: Forms,
    notice: &'static str,
) -> Result<ConsolePage, Response> {
    let c = console(state, me, org).await.map_err(failure)?;
    let rules = c.org.rules.clone();
    let skus = stint_app::catalog_read::skus(state, Some(me), Some(SkuStatus::Active))
        .await
        .or_page()?
        .into_iter()
        .map(|s| SkuOption {
            checked: if forms.errors.is_empty() {
                rules.as_ref().is_some_and(|r| r.skus.contains(&s.sku_id))
            } else {
                forms.rules.skus.contains(&s.slug)
            },
            slug: s.slug,
            title: s.content.title,
            price: s.content.price_credits + s.content.bonus_credits,
        })
        .collect();
    let people = members::members(state, me, org).await.or_page()?;
    let members = people
        .iter()
        .map(|m| PersonRow {
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.as_str(),
            note: match m.left_at {
                Some(t) => format!("left {}", when_for(me, t)),
                None => format!("since {}", when_for(me, m.joined_at)),
            },
        })
        .collect();
    let now = state.now();
    let invites = members::invites(state, me, org)
        .await
        .or_page()?
        .iter()
        .map(|i| PersonRow {
            name: String::new(),
            email: i.email.clone(),
            role: i.role.as_str(),
            note: match i.used_at {
                Some(t) => format!("joined {}", when_for(me, t)),
                None if i.expires_at <= now => "expired".to_string(),
                None => format!("open until {}", when_for(me, i.expires_at)),
            },
        })
        .collect();
    let fundings = budget::fundings(state, me, org)
        .await
        .or_page()?
        .iter()
        .map(|f| FundingRow {
            id: f.id,
            credits: f.credits,
            reference: f.reference.clone(),
            card: f.provider == "stripe",
            state: match (f.paid_at, f.provider.as_str()) {
                (Some(t), _) => format!("paid {}", when_for(me, t)),
                (None, "stripe") => "waiting for the card payment".to_string(),
                (None, _) => "waiting for payment".to_string(),
            },
        })
        .collect();
    let shared = stint_app::sponsor::sharing::shared_progress(state, me, org)
        .await
        .or_page()?
        .into_iter()
        .map(|p| ProgressRow {
            name: p.name,
            sessions: p.sessions,
            checkpoints: p.checkpoints_reached,
            gain: gain(p.mean_gain),
            tasks: if p.tasks_total == 0 {
                "—".into()
            } else {
                format!("{} of {}", p.tasks_done, p.tasks_total)
            },
        })
        .collect();
    let packs = if stint_app::sponsor::card::offered(state) {
        stint_app::money::packs::on_sale(state)
            .await
            .or_page()?
            .into_iter()
            .map(|p| PackOption {
                id: p.id,
                label: format!(
                    "{}: {} credits for {}",
                    p.pack.name,
                    p.pack.credits,
                    stint_domain::ledger::format_money(p.pack.price_minor, &p.pack.currency)
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let approvals = approvals::pending(state, me, org)
        .await
        .or_page()?
        .iter()
        .map(|a| ApprovalLine {
            booking: a.booking.0,
            what: format!(
                "{} · {} · {} · {} credits",
                a.member,
                a.sku_title,
                when_for(me, a.start),
                a.credits
            ),
            due: when_for(me, a.due),
        })
        .collect();
    let rules_form = if forms.errors.is_empty() {
        match &rules {
            Some(r) => RulesFields {
                period: r.period.as_str().into(),
                leftover: r.leftover.as_str().into(),
                cap_credits: r.cap_credits.to_string(),
                cap_sessions: r.cap_sessions.to_string(),
                skus: Vec::new(),
                approval_hours: r.approval_hours.map(|h| h.to_string()).unwrap_or_default(),
            },
            None => RulesFields {
                period: "month".into(),
                leftover: "roll_over".into(),
                ..RulesFields::default()
            },
        }
    } else {
        forms.rules
    };
    let period_words = match c.period {
        Some((start, end)) => format!(
            "{} to {}",
            start.strftime("%-d %b %Y"),
            end.strftime("%-d %b %Y")
        ),
        None => "not set".to_string(),
    };
    Ok(ConsolePage {
        chrome: Chrome::new(
            format!("{} · Sponsor · Stint", c.org.name),
            Some(me.clone()),
            csrf,
        ),
        utilization: ConsolePage::percent(c.utilization),
        period_words,
        c,
        skus,
        members,
        invites,
        fundings,
        approvals,
        rules: rules_form,
        funding: forms.funding,
        shared,
        card: CardFields {
            quantity: if forms.card.quantity.is_empty() {
                "1".into()
            } else {
                forms.card.quantity
            },
            pack_id: forms.card.pack_id,
        },
        packs,
        invite: forms.invite,
        errors: forms.errors,
        notice,
    })
}

/// `/sponsor`: the console of the organisation one administers (the first, if several).
pub async fn index(State(state): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let mine = orgs::administered_by(&state, &me).await.or_page()?;
    match mine.first() {
        Some(m) => Ok(Redirect::to(&format!("/sponsor/{}", m.org.0)).into_response()),
        None => Err(failure(stint_app::AppError::not_found("organisation"))),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let notice = match q.done.as_str() {
        "rules" => "The budget's rules are saved.",
        "funding" => "Invoice requested: the credits arrive once it is paid.",
        "card" => "Thank you: the credits arrive as soon as Stripe confirms the payment.",
        "invite" => "Invitation sent.",
        "approved" => "Approved: the session stays booked, paid by the budget.",
        "declined" => "Declined: the session is cancelled and its credits are back in the budget.",
        _ => "",
    };
    let page = console_page(&state, &me, &csrf.0, OrgId(id), Forms::default(), notice).await?;
    Ok(ok(&page))
}

/// Back to the console with `notice`, or the console again with the form's errors.
async fn answer(
    state: &AppState,
    me: &Account,
    csrf: &str,
    org: OrgId,
    result: Result<(), stint_app::AppError>,
    done: &str,
    forms: impl FnOnce(FieldErrors) -> Forms,
) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/sponsor/{}?done={done}", org.0)).into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                console_page(state, me, csrf, org, forms(errors), "")
            })
            .await
        }
    }
}

pub async fn save_rules(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RulesFields>,
) -> PageResult {
    let form = budget::RulesForm {
        period: f.period.clone(),
        leftover: f.leftover.clone(),
        cap_credits: f.cap_credits.clone(),
        cap_sessions: f.cap_sessions.clone(),
        skus: f.skus.clone(),
        approval_hours: f.approval_hours.clone(),
    };
    let done = budget::set_rules(&state, &me, OrgId(id), &form)
        .await
        .map(|_| ());
    answer(&state, &me, &csrf.0, OrgId(id), done, "rules", |errors| {
        Forms {
            rules: f,
            errors,
            ..Forms::default()
        }
    })
    .await
}

pub async fn request_funding(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<FundingFields>,
) -> PageResult {
    let done = budget::request_funding(&state, &me, OrgId(id), &f.credits, &f.reference)
        .await
        .map(|_| ());
    answer(&state, &me, &csrf.0, OrgId(id), done, "funding", |errors| {
        Forms {
            funding: f,
            errors,
            ..Forms::default()
        }
    })
    .await
}

/// Funds the budget by card: on to Stripe's page, or the console again with the errors.
pub async fn fund_by_card(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CardFields>,
) -> PageResult {
    match stint_app::sponsor::card::fund_by_card(&state, &me, OrgId(id), &f.pack_id, &f.quantity)
        .await
    {
        Ok((_, pay_at)) => Ok(Redirect::to(&pay_at).into_response()),
        Err(e) => {
            answer(&state, &me, &csrf.0, OrgId(id), Err(e), "card", |errors| {
                Forms {
                    card: f,
                    errors,
                    ..Forms::default()
                }
            })
            .await
        }
    }
}

pub async fn invite(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<InviteFields>,
) -> PageResult {
    let done = members::invite(&state, &me, OrgId(id), &f.email, &f.role)
        .await
        .map(|_| ());
    answer(&state, &me, &csrf.0, OrgId(id), done, "invite", |errors| {
        Forms {
            invite: f,
            errors,
            ..Forms::default()
        }
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionFields {
    /// `approve` or `decline`.
    decision: String,
}

/// Approves or declines a booking waiting for approval.
pub async fn decide(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, booking)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<DecisionFields>,
) -> PageResult {
    let approve = f.decision == "approve";
    approvals::decide(
        &state,
        &me,
        OrgId(id),
        stint_domain::booking::BookingId(booking),
        approve,
    )
    .await
    .map_err(failure)?;
    let done = if approve { "approved" } else { "declined" };
    Ok(Redirect::to(&format!("/sponsor/{id}?done={done}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthParam {
    month: String,
}

/// A month's statement as a CSV download.
pub async fn statement(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<MonthParam>,
) -> PageResult {
    let (name, body) = stint_app::sponsor::console::statement_csv(&state, &me, OrgId(id), &q.month)
        .await
        .map_err(failure)?;
    Ok(crate::download::csv(&name, body))
}
