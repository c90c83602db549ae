//! Two operator reports: `/operator/value`, what mentees brought in over the 90 days from
//! their first session by whether it was a mini-win (`stint_app::insights::value`), with a
//! chart of the means and their intervals; and `/operator/no-shows`, the no-show model as
//! last trained and how it scored sessions it was held out from
//! (`stint_app::insights::risk`).

use super::charts::{MeanRow, means};
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use stint_app::insights::{risk, value};
use stint_app::outcomes::when_for;
use stint_domain::experiment::stats::MIN_PEOPLE;
use stint_domain::risk::{HIGH_FROM, MEDIUM_FROM};
use stint_domain::value::{Figure, Split, WINDOW_DAYS};

/// One line of a table: a group and one of its outcomes.
struct Line {
    group: String,
    outcome: &'static str,
    mentees: usize,
    mean: String,
    interval: String,
}

struct Table {
    key: &'static str,
    title: &'static str,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "operator/value.html")]
struct ValuePage {
    chrome: Chrome,
    window: i64,
    min_people: usize,
    headline: String,
    chart: Option<String>,
    tables: Vec<Table>,
    as_of: String,
}

fn credits(v: f64) -> String {
    format!("{v:.1}")
}

fn lines(s: &Split) -> [Line; 2] {
    let line = |outcome, f: &Figure| Line {
        group: s.label.clone(),
        outcome,
        mentees: f.mentees,
        mean: f.mean.map_or_else(|| "–".into(), credits),
        interval: f.interval.map_or_else(String::new, |(l, h)| {
            format!("{} to {}", credits(l), credits(h))
        }),
    };
    [
        line("Mini-win", &s.mini_win),
        line("No mini-win", &s.no_mini_win),
    ]
}

/// The chart's rows: each shown figure of the overall and payer groups.
fn chart_rows(groups: &[&Split]) -> Vec<MeanRow> {
    let mut rows = Vec::new();
    for s in groups {
        for (outcome, f) in [("mini-win", &s.mini_win), ("no mini-win", &s.no_mini_win)] {
            if let (Some(mean), Some((low, high))) = (f.mean, f.interval) {
                rows.push(MeanRow {
                    label: format!("{}, {outcome}", s.label),
                    mean,
                    low,
                    high,
                });
            }
        }
    }
    rows
}

pub async fn value_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let kept = value::report(&state, &me).await.or_page()?;
    let r = &kept.figures;
    let headline = match (
        r.overall.mini_win.mean,
        r.overall.no_mini_win.mean,
        r.overall.ratio(),
    ) {
        (Some(a), Some(b), Some(x)) => format!(
            "Mentees whose first session was a mini-win brought in {} credits each over {WINDOW_DAYS} days, against {} for the others: {x:.1} times as much.",
            credits(a),
            credits(b)
        ),
        _ => format!(
            "Not enough mentees yet: each group needs {MIN_PEOPLE} whose {WINDOW_DAYS} days from their first session are over."
        ),
    };
    let mut overall = vec![&r.overall];
    overall.extend(r.by_payer.iter());
    let rows = chart_rows(&overall);
    let page = ValuePage {
        chrome: Chrome::new("Value by outcome · Stint", Some(me.clone()), &csrf.0),
        window: WINDOW_DAYS,
        min_people: MIN_PEOPLE,
        headline,
        chart: (!rows.is_empty()).then(|| {
            means(
                "value",
                "Credits per mentee over 90 days, by first-session outcome",
                "credits",
                &rows,
            )
        }),
        tables: vec![
            Table {
                key: "payer",
                title: "Who pays",
                // No mentee counted at all: the empty note, not six rows of zeros.
                lines: if r.overall.mini_win.mentees + r.overall.no_mini_win.mentees == 0 {
                    Vec::new()
                } else {
                    overall.iter().flat_map(|s| lines(s)).collect()
                },
            },
            Table {
                key: "sku",
                title: "By session type of the first session",
                lines: r.by_sku.iter().flat_map(lines).collect(),
            },
            Table {
                key: "competency",
                title: "By competency of the first session",
                lines: r.by_competency.iter().flat_map(lines).collect(),
            },
        ],
        as_of: when_for(&me, kept.as_of),
    };
    Ok(ok(&page))
}

/// `POST /operator/value/count`: the report counted now, then shown.
pub async fn count(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let me = operator(me)?;
    value::report_now(&state, &me).await.or_page()?;
    Ok(Redirect::to("/operator/value").into_response())
}

struct Bin {
    range: String,
    sessions: usize,
    predicted: String,
    observed: String,
}

#[derive(Template)]
#[template(path = "operator/no_shows.html")]
struct NoShowPage {
    chrome: Chrome,
    medium: String,
    high: String,
    min_sessions: usize,
    min_no_shows: usize,
    /// Empty without a model.
    trained: String,
    auc: String,
    tested: String,
    held_out: String,
    bins: Vec<Bin>,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

pub async fn no_shows_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let model = risk::kept(&state, &me).await.or_page()?;
    let e = model.as_ref().and_then(|m| m.evaluation.as_ref());
    let page = NoShowPage {
        chrome: Chrome::new("No-show model · Stint", Some(me.clone()), &csrf.0),
        medium: format!("{:.0}%", MEDIUM_FROM * 100.0),
        high: format!("{:.0}%", HIGH_FROM * 100.0),
        min_sessions: risk::MIN_SESSIONS,
        min_no_shows: risk::MIN_NO_SHOWS,
        trained: model.as_ref().map_or_else(String::new, |m| {
            format!(
                "Trained {} on {} sessions, {} of them no-shows.",
                when_for(&me, m.trained_at),
                m.sessions,
                m.no_shows
            )
        }),
        auc: e.map_or_else(String::new, |e| format!("{:.3}", e.auc)),
        tested: e.map_or_else(String::new, |e| {
            format!("{} ({})", e.held_out, e.held_out_no_shows)
        }),
        held_out: e.map_or_else(String::new, |e| {
            format!(
                "Tested on the latest {} sessions after training on the {} before them, as it is used: on what comes next",
                e.held_out, e.trained_on
            )
        }),
        bins: e.map_or_else(Vec::new, |e| {
            e.calibration
                .iter()
                .map(|b| Bin {
                    range: format!("{} – {}", pct(b.lowest), pct(b.highest)),
                    sessions: b.sessions,
                    predicted: pct(b.predicted),
                    observed: pct(b.observed),
                })
                .collect()
        }),
    };
    Ok(ok(&page))
}
