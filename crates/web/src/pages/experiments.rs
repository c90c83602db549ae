//! The operators' experiments: `/operator/experiments` lists them with a form to start one,
//! `/operator/experiments/{id}` shows one's results (people per variant, each metric's rate
//! and lift over the control with its 95 % interval and chart, and what the sample can
//! detect), with a button to end it. Each form is one call of
//! `stint_app::insights::experiments`.

use super::charts::{LiftRow, lifts};
use super::filters;
use super::operator::operator;
use super::outcomes::metrics::pct;
use super::render::{Chrome, OrPage, PageResult, failure, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::insights::experiments::{self, ExperimentReport, MetricResult};
use stint_app::outcomes::when_for;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::experiment::stats::{CONFIDENCE, MIN_PEOPLE, POWER};
use stint_domain::experiment::{ExperimentInput, Factor, VARIANTS_MAX, VariantInput};
use stint_store::ExperimentRecord;

/// The form's rows of variants.
const ROWS: usize = VARIANTS_MAX;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartFields {
    name: String,
    factor: String,
    hypothesis: String,
    v0_name: String,
    v0_value: String,
    v1_name: String,
    v1_value: String,
    v2_name: String,
    v2_value: String,
    v3_name: String,
    v3_value: String,
}

impl StartFields {
    fn rows(&self) -> [(&str, &str); ROWS] {
        [
            (&self.v0_name, &self.v0_value),
            (&self.v1_name, &self.v1_value),
            (&self.v2_name, &self.v2_value),
            (&self.v3_name, &self.v3_value),
        ]
    }
}

/// A variant row of the form, as typed.
struct FormRow {
    n: usize,
    name: String,
    value: String,
}

struct ListRow {
    id: i64,
    name: String,
    factor: &'static str,
    variants: String,
    status: String,
    running: bool,
}

#[derive(Template)]
#[template(path = "operator/experiments.html")]
struct ListPage {
    chrome: Chrome,
    experiments: Vec<ListRow>,
    factors: Vec<(&'static str, &'static str)>,
    form: StartFields,
    rows: Vec<FormRow>,
    errors: FieldErrors,
}

fn variants_line(e: &ExperimentRecord) -> String {
    let unit = e.factor.unit();
    e.variants
        .iter()
        .map(|v| format!("{} ({} {unit})", v.name, v.value))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn status(me: &Account, e: &ExperimentRecord) -> String {
    match e.ended_at {
        Some(end) => format!(
            "Ran {} to {}",
            when_for(me, e.started_at),
            when_for(me, end)
        ),
        None => format!("Running since {}", when_for(me, e.started_at)),
    }
}

async fn list_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    form: StartFields,
    errors: FieldErrors,
) -> Result<ListPage, axum::response::Response> {
    let all = experiments::list(state, me).await.or_page()?;
    let rows = form
        .rows()
        .iter()
        .enumerate()
        .map(|(n, (name, value))| FormRow {
            n,
            name: (*name).to_string(),
            value: (*value).to_string(),
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new("Experiments · Operator · Stint", Some(me.clone()), csrf),
        experiments: all
            .iter()
            .map(|e| ListRow {
                id: e.id,
                name: e.name.clone(),
                factor: e.factor.label(),
                variants: variants_line(e),
                status: status(me, e),
                running: e.ended_at.is_none(),
            })
            .collect(),
        factors: Factor::ALL
            .iter()
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        form,
        rows,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let form = StartFields {
        factor: Factor::FollowUpDelay.as_str().into(),
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

/// The domain counts variants over the rows filled in; the form shows its messages on the
/// row they came from.
fn on_form_rows(errors: FieldErrors, filled: &[usize]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, message) in errors.0 {
        let moved = field
            .strip_prefix("variants.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(i, part)| {
                let row = filled.get(i.parse::<usize>().ok()?)?;
                Some(format!("v{row}_{part}"))
            });
        out.add(moved.as_deref().unwrap_or(&field), message);
    }
    out
}

pub async fn start(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<StartFields>,
) -> PageResult {
    let me = operator(me)?;
    let filled: Vec<usize> = form
        .rows()
        .iter()
        .enumerate()
        .filter(|(_, (n, v))| !n.trim().is_empty() || !v.trim().is_empty())
        .map(|(i, _)| i)
        .collect();
    let input = ExperimentInput {
        name: form.name.clone(),
        factor: form.factor.clone(),
        hypothesis: form.hypothesis.clone(),
        variants: form
            .rows()
            .iter()
            .map(|(name, value)| VariantInput {
                name: (*name).to_string(),
                value: (*value).to_string(),
            })
            .collect(),
    };
    match experiments::start(&state, &me, &input).await {
        Ok(e) => Ok(Redirect::to(&format!("/operator/experiments/{}", e.id)).into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                list_page(&state, &me, &csrf.0, form, on_form_rows(errors, &filled))
            })
            .await
        }
    }
}

/// One variant in a metric's table.
struct FigureLine {
    name: String,
    people: usize,
    rate: String,
    lift: String,
    interval: String,
    verdict: &'static str,
}

struct MetricView {
    key: &'static str,
    /// The anchor of its definition.
    definition: String,
    label: &'static str,
    lines: Vec<FigureLine>,
    chart: Option<String>,
    note: String,
}

#[derive(Template)]
#[template(path = "operator/experiment.html")]
struct ResultPage {
    chrome: Chrome,
    id: i64,
    name: String,
    factor: &'static str,
    hypothesis: String,
    status: String,
    running: bool,
    variants: Vec<(String, String, usize)>,
    metrics: Vec<MetricView>,
    min_people: usize,
    confidence: String,
    power: String,
    as_of: String,
}

fn pts(v: f64) -> String {
    format!("{:+.1} pts", v * 100.0)
}

fn metric_view(r: &MetricResult, report: &ExperimentReport) -> MetricView {
    let variants = &report.experiment.variants;
    let mut chart_rows = Vec::new();
    let mut detectable: Option<f64> = None;
    let lines = r
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = variants.get(i).map_or_else(String::new, |v| v.name.clone());
            let (lift, interval, verdict) = match (i, f.lift) {
                (0, _) => ("control".to_string(), String::new(), ""),
                (_, None) => ("–".to_string(), String::new(), "too few people yet"),
                (_, Some(l)) => {
                    chart_rows.push(LiftRow {
                        label: name.clone(),
                        difference: l.difference,
                        low: l.low,
                        high: l.high,
                    });
                    detectable = Some(detectable.map_or(l.detectable, |d| d.max(l.detectable)));
                    let verdict = match (l.is_clear(), l.difference > 0.0) {
                        (false, _) => "no clear difference",
                        (true, true) => "higher than the control",
                        (true, false) => "lower than the control",
                    };
                    (
                        pts(l.difference),
                        format!("{} to {}", pts(l.low), pts(l.high)),
                        verdict,
                    )
                }
            };
            FigureLine {
                name,
                people: f.people,
                rate: f.mean.map_or_else(|| "–".to_string(), pct),
                lift,
                interval,
                verdict,
            }
        })
        .collect();
    let note = match detectable {
        Some(d) if d >= 1.0 => format!(
            "Too few people yet to find even the largest difference {} of the time.",
            pct(POWER)
        ),
        Some(d) => format!(
            "With these numbers of people, a true difference of {:.0} points is found {} of \
             the time; smaller ones would usually go unseen.",
            d * 100.0,
            pct(POWER)
        ),
        None => format!(
            "Figures appear once each variant has at least {MIN_PEOPLE} people counted here."
        ),
    };
    MetricView {
        key: r.metric.as_str(),
        definition: super::outcomes::metrics::definition_id(r.metric.term()),
        label: r.metric.label(),
        chart: (!chart_rows.is_empty()).then(|| {
            lifts(
                &format!("lift-{}", r.metric.as_str()),
                &format!("{}: lift over the control", r.metric.label()),
                &chart_rows,
            )
        }),
        lines,
        note,
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> PageResult {
    let me = operator(me)?;
    let report = experiments::report(&state, &me, id).await.or_page()?;
    Ok(ok(&result_page(&me, &csrf.0, &report)))
}

/// `POST /operator/experiments/{id}/count`: the results counted now, then shown.
pub async fn count(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EndFields>,
) -> PageResult {
    let me = operator(me)?;
    experiments::report_now(&state, &me, id)
        .await
        .map_err(failure)?;
    Ok(Redirect::to(&format!("/operator/experiments/{id}")).into_response())
}

fn result_page(me: &Account, csrf: &str, report: &ExperimentReport) -> ResultPage {
    let e = &report.experiment;
    ResultPage {
        chrome: Chrome::new(
            format!("{} · Experiments · Stint", e.name),
            Some(me.clone()),
            csrf,
        ),
        id: e.id,
        name: e.name.clone(),
        factor: e.factor.label(),
        hypothesis: e.hypothesis.clone(),
        status: status(me, e),
        running: e.ended_at.is_none(),
        variants: e
            .variants
            .iter()
            .zip(&report.exposed)
            .map(|(v, n)| {
                (
                    v.name.clone(),
                    format!("{} {}", v.value, e.factor.unit()),
                    *n,
                )
            })
            .collect(),
        metrics: report
            .metrics
            .iter()
            .map(|m| metric_view(m, report))
            .collect(),
        min_people: MIN_PEOPLE,
        confidence: pct(CONFIDENCE),
        power: pct(POWER),
        as_of: when_for(me, report.as_of),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndFields {}

pub async fn end(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EndFields>,
) -> PageResult {
    let me = operator(me)?;
    experiments::end(&state, &me, id).await.map_err(failure)?;
    Ok(Redirect::to(&format!("/operator/experiments/{id}")).into_response())
}
