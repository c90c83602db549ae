//! Pilots. Operators: `/operator/pilots` lists them with a form to start one,
//! `/operator/pilots/{id}` is the report (printable as it is: the print style drops the
//! chrome), `/operator/pilots/{id}/report.csv` its figures. Members: `/pilots` lists their
//! check-ins, `/pilots/{id}/check-ins/{day}` rates them on the pilot's competencies. Each is
//! one call of `stint_app::pilots`.

use super::filters;
use super::operator::operator;
use super::outcomes::metrics::pct;
use super::render::{Chrome, OrPage, PageResult, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use std::collections::BTreeMap;
use stint_app::outcomes::when_for;
use stint_app::pilots::report::{PilotReport, csv, report, report_now};
use stint_app::pilots::{self, CheckIn, PilotView};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::pilot::{PILOT_DAYS, PilotInput};

/// The form's fields; `skus` repeats, one per box ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PilotFields {
    name: String,
    start: String,
    org: String,
    emails: String,
    skus: Vec<String>,
}

struct PilotLine {
    id: i64,
    name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "operator/pilots.html")]
struct ListPage {
    chrome: Chrome,
    pilots: Vec<PilotLine>,
    orgs: Vec<(i64, String)>,
    skus: Vec<(String, String)>,
    form: PilotFields,
    errors: FieldErrors,
}

fn detail(p: &PilotView) -> String {
    let titles: Vec<&str> = p.skus.iter().map(|(_, t)| t.as_str()).collect();
    format!(
        "{} members · from {} for {PILOT_DAYS} days · {}",
        p.pilot.members.len(),
        p.pilot.start,
        titles.join(", ")
    )
}

async fn list_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    form: PilotFields,
    errors: FieldErrors,
) -> Result<ListPage, axum::response::Response> {
    let all = pilots::list(state, me).await.or_page()?;
    let orgs = stint_app::sponsor::orgs::all(state, me).await.or_page()?;
    let skus = pilots::sku_choices(state, me).await.or_page()?;
    Ok(ListPage {
        chrome: Chrome::new("Pilots · Operator · Stint", Some(me.clone()), csrf),
        pilots: all
            .iter()
            .map(|p| PilotLine {
                id: p.pilot.id,
                name: p.pilot.name.clone(),
                detail: detail(p),
            })
            .collect(),
        orgs: orgs.into_iter().map(|o| (o.id.0, o.name)).collect(),
        skus,
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let form = PilotFields {
        start: state.now().to_zoned_datetime(me.zone()).date().to_string(),
        ..Default::default()
    };
    Ok(ok(&list_page(
        &state,
        &me,
        &csrf.0,
        form,
        FieldErrors::new(),
    )
    .await?))
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<PilotFields>,
) -> PageResult {
    let me = operator(me)?;
    let input = PilotInput {
        name: form.name.clone(),
        start: form.start.clone(),
        org: form.org.trim().parse::<i64>().ok(),
        emails: form.emails.clone(),
        skus: form.skus.clone(),
    };
    match pilots::create(&state, &me, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/operator/pilots/{}", p.pilot.id)).into_response()),
        Err(e) => refused_form(e, |errors| list_page(&state, &me, &csrf.0, form, errors)).await,
    }
}

/// A figure as the report shows it.
struct Figure {
    label: &'static str,
    value: String,
    interval: String,
    of: String,
}

struct CheckInLine {
    day: String,
    answered: String,
    gain: String,
    interval: String,
}

#[derive(Template)]
#[template(path = "operator/pilot.html")]
struct ReportPage {
    chrome: Chrome,
    id: i64,
    name: String,
    period: String,
    cohort: String,
    skus: String,
    competencies: String,
    figures: Vec<Figure>,
    check_ins: Vec<CheckInLine>,
    as_of: String,
}

fn report_page(me: &Account, csrf: &str, r: &PilotReport) -> ReportPage {
    let p = &r.pilot.pilot;
    let rate = |label, v: Option<stint_app::pilots::report::Rate>, what: &str| match v {
        Some(v) => Figure {
            label,
            value: pct(v.share),
            interval: format!("{} to {}", pct(v.low), pct(v.high)),
            of: format!("of {} {what}", v.of),
        },
        None => Figure {
            label,
            value: "–".into(),
            interval: String::new(),
            of: format!("shown from 5 {what}"),
        },
    };
    let figures = vec![
        Figure {
            label: "Members",
            value: r.figures.members.to_string(),
            interval: String::new(),
            of: String::new(),
        },
        rate("Took part", r.figures.participation, "members"),
        Figure {
            label: "Sessions",
            value: r.figures.sessions.to_string(),
            interval: String::new(),
            of: format!("{} completed", r.figures.completed),
        },
        rate(
            "Mini-win rate",
            r.figures.mini_win_rate,
            "completed sessions",
        ),
    ];
    let check_ins = r
        .figures
        .check_ins
        .iter()
        .map(|c| CheckInLine {
            day: if c.day == 0 {
                "Start (baseline)".into()
            } else {
                format!("Day {}", c.day)
            },
            answered: format!("{} of {}", c.answered, r.figures.members),
            gain: match (c.day, c.gain) {
                (0, _) => String::new(),
                (_, Some(g)) => format!("{:+.2} levels ({} people)", g.mean, g.people),
                (_, None) => "shown from 5 people".into(),
            },
            interval: c
                .gain
                .map(|g| format!("{:+.2} to {:+.2}", g.low, g.high))
                .unwrap_or_default(),
        })
        .collect();
    ReportPage {
        chrome: Chrome::new(
            format!("{} · Pilots · Stint", p.name),
            Some(me.clone()),
            csrf,
        ),
        id: p.id,
        name: p.name.clone(),
        period: format!(
            "{} to {}",
            p.start,
            r.ends.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
        ),
        cohort: format!("{} members", r.figures.members),
        skus: r
            .pilot
            .skus
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        competencies: r
            .pilot
            .competencies
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        figures,
        check_ins,
        as_of: when_for(me, r.as_of),
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> PageResult {
    let me = operator(me)?;
    let r = report(&state, &me, id).await.or_page()?;
    Ok(ok(&report_page(&me, &csrf.0, &r)))
}

/// `POST /operator/pilots/{id}/count`: the report counted now, then shown.
pub async fn count(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let me = operator(me)?;
    report_now(&state, &me, id).await.or_page()?;
    Ok(Redirect::to(&format!("/operator/pilots/{id}")).into_response())
}

/// `GET /operator/pilots/{id}/report.csv`: the report's figures, one per row.
pub async fn report_csv(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let me = operator(me)?;
    let r = report(&state, &me, id).await.or_page()?;
    Ok(crate::download::csv(&format!("pilot-{id}.csv"), csv(&r)))
}

struct CheckInRow {
    pilot: i64,
    pilot_name: String,
    day: i64,
    label: String,
    when: String,
    state: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "pilots.html")]
struct MinePage {
    chrome: Chrome,
    rows: Vec<CheckInRow>,
}

fn day_label(day: i64) -> String {
    if day == 0 {
        "Starting point".into()
    } else {
        format!("{day}-day check-in")
    }
}

pub async fn mine(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let all = pilots::mine(&state, &me).await.or_page()?;
    let now = state.now();
    let rows = all
        .iter()
        .map(|c| CheckInRow {
            pilot: c.pilot.pilot.id,
            pilot_name: c.pilot.pilot.name.clone(),
            day: c.day,
            label: day_label(c.day),
            when: when_for(&me, c.due),
            state: if !c.answered.is_empty() {
                "answered"
            } else if c.open {
                "open"
            } else if now < c.due {
                "not yet open"
            } else {
                "closed"
            },
            open: c.open,
        })
        .collect();
    Ok(ok(&MinePage {
        chrome: Chrome::new("Pilots · Stint", Some(me.clone()), &csrf.0),
        rows,
    }))
}

struct Rating {
    id: i64,
    name: String,
    rubric: Vec<(usize, String)>,
    chosen: String,
}

#[derive(Template)]
#[template(path = "pilot_check_in.html")]
struct CheckInPage {
    chrome: Chrome,
    pilot: i64,
    day: i64,
    title: String,
    pilot_name: String,
    open: bool,
    /// Not open yet (rather than closed).
    upcoming: bool,
    when: String,
    saved: bool,
    ratings: Vec<Rating>,
    errors: FieldErrors,
}

fn check_in_page(
    now: jiff::Timestamp,
    me: &Account,
    csrf: &str,
    c: &CheckIn,
    typed: &BTreeMap<i64, String>,
    errors: FieldErrors,
    saved: bool,
) -> CheckInPage {
    CheckInPage {
        chrome: Chrome::new(
            format!("{} · {} · Stint", day_label(c.day), c.pilot.pilot.name),
            Some(me.clone()),
            csrf,
        ),
        pilot: c.pilot.pilot.id,
        day: c.day,
        title: day_label(c.day),
        pilot_name: c.pilot.pilot.name.clone(),
        open: c.open,
        upcoming: now < c.due,
        when: when_for(me, c.due),
        saved,
        ratings: c
            .pilot
            .competencies
            .iter()
            .map(|comp| Rating {
                id: comp.id.0,
                name: comp.name.clone(),
                rubric: comp
                    .rubric
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i + 1, r.clone()))
                    .collect(),
                chosen: typed
                    .get(&comp.id.0)
                    .cloned()
                    .or_else(|| c.answered.get(&comp.id).map(|l| l.to_string()))
                    .unwrap_or_default(),
            })
            .collect(),
        errors,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path((id, day)): Path<(i64, i64)>,
    Query(q): Query<SavedParam>,
) -> PageResult {
    let c = pilots::check_in(&state, &me, id, day).await.or_page()?;
    let page = check_in_page(
        state.now(),
        &me,
        &csrf.0,
        &c,
        &BTreeMap::new(),
        FieldErrors::new(),
        q.saved == "1",
    );
    Ok(ok(&page))
}

/// The form's ratings: `level_<competency id>` = 1–5.
fn levels(form: &BTreeMap<String, String>) -> BTreeMap<i64, String> {
    form.iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("level_")?.parse::<i64>().ok()?;
            Some((id, v.clone()))
        })
        .collect()
}

pub async fn answer(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path((id, day)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> PageResult {
    let typed = levels(&form);
    match pilots::answer(&state, &me, id, day, &typed).await {
        Ok(_) => Ok(Redirect::to(&format!("/pilots/{id}/check-ins/{day}?saved=1")).into_response()),
        Err(e) => {
            refused_form(e, |errors| async {
                let c = pilots::check_in(&state, &me, id, day).await.or_page()?;
                Ok(check_in_page(
                    state.now(),
                    &me,
                    &csrf.0,
                    &c,
                    &typed,
                    errors,
                    false,
                ))
            })
            .await
        }
    }
}
