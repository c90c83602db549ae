//! Week-by-week bars: a whole (hours offered) with its part (hours booked) inside it.

use super::{BOTTOM, H, LEFT, RIGHT, TOP, W, esc, grid_line, open, round_scale};
use std::fmt::Write;

/// One week on a bar chart: its label, the whole (say hours offered) and the part of it
/// (hours booked), in minutes.
#[derive(Debug, Clone)]
pub struct WeekBars {
    pub label: String,
    pub total: i64,
    pub part: i64,
}

/// Week by week, the whole as a pale bar and the part as a solid bar inside it, in hours up
/// the side (`unit` names them in the description).
pub fn weekly_bars(id: &str, title: &str, unit: &str, weeks: &[WeekBars]) -> String {
    #[allow(clippy::cast_precision_loss)] // minutes of a few weeks
    let h = |m: i64| m as f64 / 60.0;
    let desc: Vec<String> = weeks
        .iter()
        .map(|w| {
            format!(
                "week of {}: {:.0} of {:.0} {unit}",
                w.label,
                h(w.part),
                h(w.total)
            )
        })
        .collect();
    let mut svg = open(id, title, &desc.join("; "), H);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let top = weeks
        .iter()
        .map(|w| h(w.total.max(w.part)))
        .fold(0.0_f64, f64::max);
    let (scale, steps) = round_scale(top, 10.0);
    let y = |v: f64| TOP + plot_h - (v / scale).clamp(0.0, 1.0) * plot_h;
    for k in 0..=steps {
        let v = scale * f64::from(k) / f64::from(steps);
        grid_line(&mut svg, y(v), &format!("{v:.0}"));
    }
    #[allow(clippy::cast_precision_loss)] // a few dozen weeks
    let step = plot_w / weeks.len().max(1) as f64;
    let bar = (step * 0.6).min(36.0);
    // At most four or five labels, so they fit a phone's width too.
    let every = weeks.len().div_ceil(5).max(1);
    for (i, w) in weeks.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let cx = LEFT + step * (i as f64 + 0.5);
        let _ = write!(
            svg,
            "<rect class=\"c-total\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" rx=\"2\"/>\
             <rect class=\"c-bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" rx=\"2\"/>",
            cx - bar / 2.0,
            y(h(w.total)),
            (TOP + plot_h - y(h(w.total))).max(0.0),
            cx - bar / 2.0,
            y(h(w.part)),
            (TOP + plot_h - y(h(w.part))).max(0.0),
        );
        if (weeks.len() - 1 - i).is_multiple_of(every) {
            let _ = write!(
                svg,
                "<text class=\"c-axis\" x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                H - 8.0,
                esc(&w.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
