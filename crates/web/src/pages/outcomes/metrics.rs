//! The outcome figures: the metrics' definitions (written once in the domain), a mentee's
//! progress page, a mentor's impact page, the metrics page and a SKU's public figures.

use super::view::{day_of, day_words, rubric_words};
use crate::auth::csrf::CsrfToken;
use crate::auth::{MaybeUser, PageUser};
use crate::pages::charts::{self, LevelPoint, MonthRate, Share};
use crate::pages::filters;
use crate::pages::render::{Chrome, OrPage, PageResult, forbidden_page, ok};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use stint_app::outcomes as oc;
use stint_domain::outcome::assessment::{AssessmentKind, Level};
use stint_domain::outcome::metrics::{DEFINITIONS, MIN_PUBLIC_SAMPLE, OutcomeStats};
use stint_domain::role::Role;

/// One metric's definition, as written once in the domain.
struct Definition {
    id: String,
    name: &'static str,
    text: &'static str,
}

/// The anchor of a metric's definition: `skill gain` → `def-skill-gain`.
pub(crate) fn definition_id(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("def-{slug}")
}

fn definitions() -> Vec<Definition> {
    DEFINITIONS
        .iter()
        .map(|(name, text)| Definition {
            id: definition_id(name),
            name,
            text,
        })
        .collect()
}

/// A share as a whole percentage: 0.256 → "26%".
pub(crate) fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn interval_words(stats: &OutcomeStats) -> String {
    stats
        .interval
        .map(|(lo, hi)| format!("{}–{}", pct(lo), pct(hi)))
        .unwrap_or_default()
}

fn gain_words(g: f64) -> String {
    format!("{g:+.1} levels")
}

/// A SKU's public outcome figures, worded.
pub(crate) struct PublicFigures {
    pub(crate) rate: String,
    pub(crate) interval: String,
    pub(crate) sessions: u64,
    pub(crate) mean_gain: String,
    /// Mini-wins and checkpoints reached as shares, drawn.
    pub(crate) chart: String,
}

impl PublicFigures {
    /// The headline figures of any set of sessions, worded one way wherever they appear
    /// (a SKU page, a mentor's impact).
    fn of(s: &OutcomeStats) -> Self {
        PublicFigures {
            rate: s.mini_win_rate.map(pct).unwrap_or_default(),
            interval: interval_words(s),
            sessions: s.sessions,
            mean_gain: s.mean_gain.map(gain_words).unwrap_or_default(),
            chart: figures_chart(s),
        }
    }
}

/// A set of sessions' mini-win rate (with its interval) and checkpoints reached, as bars.
fn figures_chart(s: &OutcomeStats) -> String {
    let Some(rate) = s.mini_win_rate else {
        return String::new();
    };
    #[allow(clippy::cast_precision_loss)] // session counts far below 2^52
    let reached = s.checkpoints_reached as f64 / s.sessions.max(1) as f64;
    charts::shares(
        "figures",
        "Outcomes of completed sessions",
        &[
            Share {
                label: "Mini-wins".into(),
                value: rate,
                interval: s.interval,
            },
            Share {
                label: "Checkpoint reached".into(),
                value: reached,
                interval: None,
            },
        ],
    )
}

/// The figures a SKU page shows, or `None` below the public sample size.
pub(crate) async fn public_figures(
    state: &AppState,
    sku: stint_domain::ids::SkuId,
) -> Result<Option<PublicFigures>, Response> {
    let stats = oc::sku_stats(state, sku).await.or_page()?;
    Ok(stats.as_ref().map(PublicFigures::of))
}

pub(crate) const PUBLIC_THRESHOLD: u64 = MIN_PUBLIC_SAMPLE;

struct LevelCell {
    level: i64,
    words: String,
}

/// A session on the progress page: its baseline and follow-up levels, and the gain.
struct ProgressRow {
    href: String,
    when: String,
    baseline: Option<LevelCell>,
    followup: Option<LevelCell>,
    gain: String,
}

struct CompetencyView {
    name: String,
    sessions: u64,
    checkpoints_reached: u64,
    tasks_done: u64,
    tasks_total: u64,
    mini_wins: u64,
    latest: Option<LevelCell>,
    rows: Vec<ProgressRow>,
    /// The level over time, drawn (`charts::levels_over_time`).
    chart: String,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    chrome: Chrome,
    competencies: Vec<CompetencyView>,
    definitions: Vec<Definition>,
}

/// The mentee's progress: per competency, the level session by session, checkpoints
/// reached, tasks done and mini-wins.
pub(crate) async fn progress(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let all = oc::progress(&state, &me).await.or_page()?;
    let competencies = all
        .into_iter()
        .enumerate()
        .map(|(n, np)| {
            let cell = |l: Level| LevelCell {
                level: l.get(),
                words: rubric_words(&np.rubric, l.get()),
            };
            let p = &np.progress;
            let mut rows: Vec<ProgressRow> = Vec::new();
            let mut last = None;
            for point in &p.points {
                if last != Some(point.booking_id) {
                    rows.push(ProgressRow {
                        href: format!("/sessions/{}", point.booking_id),
                        when: day_words(day_of(&me, point.at)),
                        baseline: None,
                        followup: None,
                        gain: String::new(),
                    });
                    last = Some(point.booking_id);
                }
                if let Some(row) = rows.last_mut() {
                    match point.kind {
                        AssessmentKind::Baseline => row.baseline = Some(cell(point.level)),
                        AssessmentKind::Followup => row.followup = Some(cell(point.level)),
                    }
                }
            }
            for row in &mut rows {
                if let (Some(b), Some(f)) = (&row.baseline, &row.followup) {
                    row.gain = format!("{:+}", f.level - b.level);
                }
            }
            let points: Vec<LevelPoint> = p
                .points
                .iter()
                .map(|pt| LevelPoint {
                    at: pt.at,
                    level: u8::try_from(pt.level.get()).unwrap_or(1),
                    followup: pt.kind == AssessmentKind::Followup,
                })
                .collect();
            let date = |pt: Option<&LevelPoint>| {
                pt.map(|pt| day_of(&me, pt.at).strftime("%-d %b %Y").to_string())
                    .unwrap_or_default()
            };
            let chart = charts::levels_over_time(
                &format!("progress-{n}"),
                &format!("Your level in {} over time", np.name),
                &points,
                (&date(points.first()), &date(points.last())),
            );
            CompetencyView {
                chart,
                name: np.name.clone(),
                sessions: p.sessions,
                checkpoints_reached: p.checkpoints_reached,
                tasks_done: p.tasks_done,
                tasks_total: p.tasks_total,
                mini_wins: p.mini_wins,
                latest: p.latest().map(cell),
                rows,
            }
        })
        .collect();
    Ok(ok(&ProgressPage {
        chrome: Chrome::new("Your progress · Stint", Some(me), &csrf.0),
        competencies,
        definitions: definitions(),
    }))
}

#[derive(Template)]
#[template(path = "impact.html")]
struct ImpactPage {
    chrome: Chrome,
    sessions: u64,
    mini_wins: u64,
    rate: String,
    interval: String,
    mean_gain: String,
    gains_measured: u64,
    checkpoints_reached: u64,
    tasks_done: u64,
    tasks_total: u64,
    tasks_rate: String,
    definitions: Vec<Definition>,
    /// The mini-win rate month by month, drawn, and the same as rows.
    chart: String,
    months: Vec<MonthRow>,
}

/// One month of the impact page's table.
struct MonthRow {
    month: String,
    sessions: u64,
    rate: String,
    interval: String,
}

/// Months the impact page looks back over, this one included.
const IMPACT_MONTHS: u32 = 12;

/// A mentor's impact over every session they closed.
pub(crate) async fn impact(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    if !me.has(Role::Mentor) {
        return Ok(forbidden_page(Some(me)));
    }
    let s = oc::impact(&state, &me).await.or_page()?;
    let mut by_month = oc::impact_by_month(&state, &me, IMPACT_MONTHS)
        .await
        .or_page()?;
    // Months before the first with a closed session say nothing: from there on (at least
    // the last six months, so a new mentor's chart still has a time axis).
    let first_used = by_month.iter().position(|m| m.stats.sessions > 0);
    let keep_from = first_used
        .unwrap_or(usize::MAX)
        .min(by_month.len().saturating_sub(6));
    by_month.drain(..keep_from);
    let chart = charts::rate_by_month(
        "impact-months",
        "Your mini-win rate month by month",
        "The share of sessions closed each month that were a mini-win, with its 95% interval \
         as a band; the table below has the same figures.",
        &by_month
            .iter()
            .map(|m| MonthRate {
                label: m.month.strftime("%b").to_string(),
                rate: m.stats.mini_win_rate,
                interval: m.stats.interval,
            })
            .collect::<Vec<_>>(),
    );
    let months = by_month
        .iter()
        .rev()
        .filter(|m| m.stats.sessions > 0)
        .map(|m| MonthRow {
            month: m.month.strftime("%B %Y").to_string(),
            sessions: m.stats.sessions,
            rate: m.stats.mini_win_rate.map(pct).unwrap_or_default(),
            interval: interval_words(&m.stats),
        })
        .collect();
    let PublicFigures {
        rate,
        interval,
        mean_gain,
        ..
    } = PublicFigures::of(&s);
    Ok(ok(&ImpactPage {
        chrome: Chrome::new("Your impact · Stint", Some(me), &csrf.0),
        rate,
        interval,
        mean_gain,
        tasks_rate: if s.tasks_total > 0 {
            pct(s.tasks_done as f64 / s.tasks_total as f64)
        } else {
            String::new()
        },
        sessions: s.sessions,
        mini_wins: s.mini_wins,
        gains_measured: s.gains_measured,
        checkpoints_reached: s.checkpoints_reached,
        tasks_done: s.tasks_done,
        tasks_total: s.tasks_total,
        definitions: definitions(),
        chart,
        months,
    }))
}

#[derive(Template)]
#[template(path = "metrics.html")]
struct MetricsPage {
    chrome: Chrome,
    definitions: Vec<Definition>,
    threshold: u64,
}

/// What every outcome figure means: the definitions, written once in the domain.
pub(crate) async fn metrics_page(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    ok(&MetricsPage {
        chrome: Chrome::new("How outcomes are measured · Stint", user, &csrf.0),
        definitions: definitions(),
        threshold: MIN_PUBLIC_SAMPLE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_definition_has_a_distinct_anchor() {
        let ids: BTreeSet<String> = definitions().into_iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), DEFINITIONS.len());
        assert!(ids.contains("def-mini-win-rate"));
        assert!(ids.contains("def-wilson-interval"));
    }
}
