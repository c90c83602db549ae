//! Group means with their 95 % intervals: each group a dot on a scale from zero, its
//! interval a band, so two groups whose bands do not overlap read at a glance as different.

use super::{RIGHT, TOP, W, esc, open, round_scale};
use std::fmt::Write;

/// One group's mean and interval, in the chart's unit.
#[derive(Debug, Clone)]
pub struct MeanRow {
    pub label: String,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

pub fn means(id: &str, title: &str, unit: &str, rows: &[MeanRow]) -> String {
    let row_h = 34.0;
    #[allow(clippy::cast_precision_loss)] // a few rows
    let height = TOP + row_h * rows.len() as f64 + 24.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {:.0} {unit} (95% interval {:.0} to {:.0})",
                r.label, r.mean, r.low, r.high
            )
        })
        .collect();
    let mut svg = open(id, title, &desc.join("; "), height);
    let label_w = 220.0;
    let plot_w = W - label_w - RIGHT - 16.0;
    let top_value = rows.iter().map(|r| r.high.max(r.mean)).fold(0.0, f64::max);
    let (scale, steps) = round_scale(top_value, 1.0);
    let x = |v: f64| label_w + v.clamp(0.0, scale) / scale * plot_w;
    for step in 0..=steps {
        let v = scale * f64::from(step) / f64::from(steps);
        let _ = write!(
            svg,
            "<line class=\"c-grid\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\"/>\
             <text class=\"c-axis\" x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4:.0}</text>",
            x(v),
            TOP - 8.0,
            height - 22.0,
            height - 6.0,
            v
        );
    }
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
            x(r.low.max(0.0)),
            top,
            (x(r.high) - x(r.low.max(0.0))).max(2.0),
            x(r.mean),
            top + 9.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_means_chart_starts_at_zero_and_describes_each_interval() {
        let svg = means(
            "v",
            "Credits in 90 days",
            "credits",
            &[
                MeanRow {
                    label: "Mini-win".into(),
                    mean: 84.0,
                    low: 70.0,
                    high: 98.0,
                },
                MeanRow {
                    label: "No mini-win".into(),
                    mean: 31.0,
                    low: 20.0,
                    high: 42.0,
                },
            ],
        );
        assert!(svg.contains("Mini-win: 84 credits (95% interval 70 to 98)"));
        // The scale is the round 100 above the highest interval end, in fifths.
        assert!(svg.contains(">100</text>") && svg.contains(">0</text>"));
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
