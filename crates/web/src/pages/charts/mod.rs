//! Small charts drawn on the server as inline SVG: no script, the page's own colours through
//! CSS classes (so they read in dark mode and keep the page's contrast), a `<title>` and
//! `<desc>` naming what they show, and the same numbers in text or a table beside each.
//!
//! Written here rather than with a plotting crate: these are a few fixed, small pictures whose
//! look is the stylesheet's, and the crates that draw SVG (plotters, charts-rs) write fixed
//! colours and fonts into it and leave out the accessible names.

use jiff::Timestamp;
use std::fmt::Write;

mod fan;
mod lift;
mod means;
mod weekly;
pub use fan::{FanWeek, fan};
pub use lift::{LiftRow, lifts};
pub use means::{MeanRow, means};
pub use weekly::{WeekBars, weekly_bars};

/// The drawing area, in SVG units (the picture scales to its box).
const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// Text for SVG: `&`, `<`, `>` and `"` escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The opening of a chart, named by `title` and `desc`; `id` makes the names unique.
fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    )
}

/// A round scale reaching `top` (1, 2 or 5 times a power of ten, at least `least`) and the
/// whole steps it is drawn in: a scale of 2×10ⁿ in quarters, of 1×10ⁿ or 5×10ⁿ in fifths.
fn round_scale(top: f64, least: f64) -> (f64, u8) {
    let scale = (0..9)
        .flat_map(|p| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(p)))
        .find(|s| *s >= top && *s >= least)
        .unwrap_or(top.max(least));
    let leading = scale / 10f64.powf(scale.log10().floor());
    let steps: u8 = if (leading - 2.0).abs() < 1e-9 { 4 } else { 5 };
    (scale, steps)
}

/// A grid line across the plot at height `y`, labelled `label` at its left end.
fn grid_line(svg: &mut String, y: f64, label: &str) {
    let _ = write!(
        svg,
        "<line class=\"c-grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
         <text class=\"c-axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        W - RIGHT,
        LEFT - 8.0,
        y + 4.0,
        esc(label)
    );
}

/// One rating on a level chart: when, the level (1–5), and whether it is a follow-up (a
/// baseline otherwise).
#[derive(Debug, Clone, Copy)]
pub struct LevelPoint {
    pub at: Timestamp,
    pub level: u8,
    pub followup: bool,
}

/// A competency's level over time: one line through every rating, baselines as rings and
/// follow-ups as dots, levels 1–5 up the side and the first and last dates along the bottom.
pub fn levels_over_time(
    id: &str,
    title: &str,
    points: &[LevelPoint],
    (first, last): (&str, &str),
) -> String {
    let desc = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "{} ratings from level {} on {first} to level {} on {last}.",
            points.len(),
            a.level,
            b.level
        ),
        _ => "No ratings yet.".to_string(),
    };
    let mut svg = open(id, title, &desc, H);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |level: f64| TOP + plot_h - (level - 1.0) / 4.0 * plot_h;
    for level in 1..=5 {
        grid_line(&mut svg, y(f64::from(level)), &level.to_string());
    }
    let (t0, t1) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.at.as_second(), b.at.as_second()),
        _ => (0, 0),
    };
    // Ratings of one session share a time: each is spread a little so both show.
    let x = |i: usize, p: &LevelPoint| {
        if t1 > t0 {
            #[allow(clippy::cast_precision_loss)] // seconds of a few years
            let share = (p.at.as_second() - t0) as f64 / (t1 - t0) as f64;
            LEFT + 8.0 + share * (plot_w - 16.0) + if p.followup { 6.0 } else { 0.0 }
        } else {
            #[allow(clippy::cast_precision_loss)]
            let step = plot_w / (points.len() as f64 + 1.0);
            #[allow(clippy::cast_precision_loss)]
            let at = LEFT + step * (i as f64 + 1.0);
            at
        }
    };
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (x(i, p), y(f64::from(p.level))))
        .collect();
    if coords.len() > 1 {
        let path: Vec<String> = coords
            .iter()
            .map(|(cx, cy)| format!("{cx:.1},{cy:.1}"))
            .collect();
        let _ = write!(
            svg,
            "<polyline class=\"c-line\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    for (p, (cx, cy)) in points.iter().zip(&coords) {
        let class = if p.followup { "c-dot" } else { "c-dot c-ring" };
        let _ = write!(
            svg,
            "<circle class=\"{class}\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"5\"/>"
        );
    }
    let _ = write!(
        svg,
        "<text class=\"c-axis\" x=\"{LEFT}\" y=\"{}\">{}</text>\
         <text class=\"c-axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        H - 8.0,
        esc(first),
        W - RIGHT,
        H - 8.0,
        esc(last)
    );
    svg
}

/// One month on a rate chart: its label, and its rate with the rate's interval when it had
/// sessions.
#[derive(Debug, Clone)]
pub struct MonthRate {
    pub label: String,
    pub rate: Option<f64>,
    pub interval: Option<(f64, f64)>,
}

/// A month drawn: its place, its rate and its interval.
type Plotted = (usize, f64, (f64, f64));

/// A rate month by month (0–100% up the side) with its 95% interval as a band around the
/// line; a month without sessions leaves a gap.
pub fn rate_by_month(id: &str, title: &str, desc: &str, months: &[MonthRate]) -> String {
    let mut svg = open(id, title, desc, H);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |rate: f64| TOP + plot_h - rate.clamp(0.0, 1.0) * plot_h;
    for pct in [0u8, 25, 50, 75, 100] {
        grid_line(&mut svg, y(f64::from(pct) / 100.0), &format!("{pct}%"));
    }
    #[allow(clippy::cast_precision_loss)] // a dozen months
    let step = plot_w / months.len().max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    // Runs of months with sessions: each gets its band and its line.
    let mut runs: Vec<Vec<Plotted>> = Vec::new();
    let mut run = Vec::new();
    for (i, m) in months.iter().enumerate() {
        match (m.rate, m.interval) {
            (Some(r), Some(band)) => run.push((i, r, band)),
            _ => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for run in &runs {
        if run.len() == 1 {
            let (i, _, (lo, hi)) = run[0];
            let _ = write!(
                svg,
                "<rect class=\"c-band\" x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"{:.1}\" rx=\"3\"/>",
                x(i) - 6.0,
                y(hi),
                (y(lo) - y(hi)).max(1.0)
            );
        } else {
            let upper = run
                .iter()
                .map(|(i, _, (_, hi))| format!("{:.1},{:.1}", x(*i), y(*hi)));
            let lower = run
                .iter()
                .rev()
                .map(|(i, _, (lo, _))| format!("{:.1},{:.1}", x(*i), y(*lo)));
            let all: Vec<String> = upper.chain(lower).collect();
            let _ = write!(
                svg,
                "<polygon class=\"c-band\" points=\"{}\"/>",
                all.join(" ")
            );
            let line: Vec<String> = run
                .iter()
                .map(|(i, r, _)| format!("{:.1},{:.1}", x(*i), y(*r)))
                .collect();
            let _ = write!(
                svg,
                "<polyline class=\"c-line\" points=\"{}\"/>",
                line.join(" ")
            );
        }
        for (i, r, _) in run {
            let _ = write!(
                svg,
                "<circle class=\"c-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4.5\"/>",
                x(*i),
                y(*r)
            );
        }
    }
    for (i, m) in months.iter().enumerate() {
        let _ = write!(
            svg,
            "<text class=\"c-axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(i),
            H - 8.0,
            esc(&m.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One row of a share chart: its label, the share (0–1) and, when known, its interval.
#[derive(Debug, Clone)]
pub struct Share {
    pub label: String,
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// Shares as horizontal bars on one 0–100% scale, each interval as a band behind its bar's
/// end: small enough for a session type's page.
pub fn shares(id: &str, title: &str, rows: &[Share]) -> String {
    let row_h = 34.0;
    #[allow(clippy::cast_precision_loss)] // two or three rows
    let height = TOP + row_h * rows.len() as f64 + 24.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {:.0}%", r.label, r.value * 100.0))
        .collect();
    let mut svg = open(id, title, &desc.join("; "), height);
    let label_w = 235.0;
    let bar_w = W - label_w - RIGHT - 44.0;
    let x = |v: f64| label_w + v.clamp(0.0, 1.0) * bar_w;
    for (n, r) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let top = TOP + row_h * n as f64;
        let _ = write!(
            svg,
            "<text class=\"c-label\" x=\"0\" y=\"{:.1}\">{}</text>\
             <rect class=\"c-track\" x=\"{label_w}\" y=\"{top:.1}\" width=\"{bar_w}\" height=\"18\" rx=\"4\"/>",
            top + 13.0,
            esc(&r.label)
        );
        if let Some((lo, hi)) = r.interval {
            let _ = write!(
                svg,
                "<rect class=\"c-band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"26\" rx=\"3\"/>",
                x(lo),
                top - 4.0,
                (x(hi) - x(lo)).max(2.0)
            );
        }
        let _ = write!(
            svg,
            "<rect class=\"c-bar\" x=\"{label_w}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"18\" rx=\"4\"/>\
             <text class=\"c-value\" x=\"{:.1}\" y=\"{:.1}\">{:.0}%</text>",
            (x(r.value) - label_w).max(0.0),
            W - RIGHT - 38.0,
            top + 13.0,
            r.value * 100.0
        );
    }
    for pct in [0u8, 50, 100] {
        let _ = write!(
            svg,
            "<text class=\"c-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{pct}%</text>",
            x(f64::from(pct) / 100.0),
            height - 6.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn a_level_chart_names_what_it_shows_and_escapes_its_text() {
        let points = [
            LevelPoint {
                at: at(0),
                level: 1,
                followup: false,
            },
            LevelPoint {
                at: at(100),
                level: 3,
                followup: true,
            },
        ];
        let svg = levels_over_time("c1", "Levels <b>", &points, ("1 Oct", "2 Dec"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("Levels &lt;b&gt;"));
        assert!(svg.contains("2 ratings from level 1 on 1 Oct to level 3 on 2 Dec."));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(
            svg.contains("class=\"c-dot c-ring\""),
            "a baseline is a ring"
        );
    }

    #[test]
    fn a_month_without_sessions_leaves_a_gap() {
        let m = |rate: Option<f64>| MonthRate {
            label: "M".into(),
            rate,
            interval: rate.map(|r| (r - 0.1, r + 0.1)),
        };
        let svg = rate_by_month(
            "c2",
            "Rate",
            "d",
            &[m(Some(0.5)), m(Some(0.6)), m(None), m(Some(0.7))],
        );
        assert_eq!(
            svg.matches("<polygon").count(),
            1,
            "one band for the first run"
        );
        assert_eq!(
            svg.matches("<rect class=\"c-band\"").count(),
            1,
            "a lone month is a bar"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    #[test]
    fn shares_draw_a_bar_per_row() {
        let rows = [Share {
            label: "Mini-wins".into(),
            value: 0.62,
            interval: Some((0.5, 0.72)),
        }];
        let svg = shares("c3", "Outcomes", &rows);
        assert!(svg.contains("Mini-wins: 62%"));
        assert!(svg.contains(">62%</text>"));
    }
}
