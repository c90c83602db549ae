//! An experiment's lifts: each variant's difference from the control as a dot on a scale
//! centred on zero, with its 95 % interval as a band, so an interval that crosses the zero
//! line reads at a glance as "no clear difference".

use super::{RIGHT, TOP, W, esc, open};
use std::fmt::Write;

/// One variant's lift over the control, in shares (0.05 = 5 points).
#[derive(Debug, Clone)]
pub struct LiftRow {
    pub label: String,
    pub difference: f64,
    pub low: f64,
    pub high: f64,
}

/// The scale's half-width: the widest interval end, rounded up to whole 5 points.
fn reach(rows: &[LiftRow]) -> f64 {
    let widest = rows
        .iter()
        .flat_map(|r| [r.low.abs(), r.high.abs()])
        .fold(0.05_f64, f64::max);
    ((widest * 20.0).ceil() / 20.0).min(1.0)
}

/// Percentage points, signed.
fn points(v: f64) -> String {
    format!("{:+.0}", v * 100.0)
}

pub fn lifts(id: &str, title: &str, rows: &[LiftRow]) -> String {
    let row_h = 34.0;
    #[allow(clippy::cast_precision_loss)] // up to three rows
    let height = TOP + row_h * rows.len() as f64 + 24.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} points (95% interval {} to {})",
                r.label,
                points(r.difference),
                points(r.low),
                points(r.high)
            )
        })
        .collect();
    let mut svg = open(id, title, &desc.join("; "), height);
    let label_w = 200.0;
    let plot_w = W - label_w - RIGHT - 16.0;
    let m = reach(rows);
    let x = |v: f64| label_w + (v.clamp(-m, m) + m) / (2.0 * m) * plot_w;
    let _ = write!(
        svg,
        "<line class=\"c-grid\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\"/>",
        x(0.0),
        TOP - 8.0,
        height - 22.0
    );
    for (n, r) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let top = TOP + row_h * n as f64;
        let _ = write!(
            svg,
            "<text class=\"c-label\" x=\"0\" y=\"{:.1}\">{}</text>\
             <rect class=\"c-band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"18\" rx=\"3\"/>\
             <circle class=\"c-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/>",
            top + 13.0,
            esc(&r.label),
            x(r.low),
            top,
            (x(r.high) - x(r.low)).max(2.0),
            x(r.difference),
            top + 9.0
        );
    }
    for v in [-m, 0.0, m] {
        let _ = write!(
            svg,
            "<text class=\"c-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} pts</text>",
            x(v),
            height - 6.0,
            if v == 0.0 { "0".to_string() } else { points(v) }
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lift_chart_centres_zero_and_describes_each_interval() {
        let svg = lifts(
            "x",
            "Lift <over> control",
            &[LiftRow {
                label: "Three days".into(),
                difference: 0.08,
                low: -0.02,
                high: 0.18,
            }],
        );
        assert!(svg.contains("Lift &lt;over&gt; control"));
        assert!(svg.contains("Three days: +8 points (95% interval -2 to +18)"));
        // The scale reaches 20 points each way; zero sits in the middle of the plot.
        assert!(svg.contains("+20 pts") && svg.contains("-20 pts"));
        assert_eq!(svg.matches("<circle").count(), 1);
    }
}
