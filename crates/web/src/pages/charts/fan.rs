//! A forecast's fan: week by week, demand as a solid line in its 80 % band and supply as a
//! dashed line in its own, so a week where the demand band climbs into the supply band reads
//! as a shortfall at a glance.

use super::{BOTTOM, H, LEFT, RIGHT, TOP, W, esc, grid_line, open, round_scale};
use std::fmt::Write;

/// One forecast week: its label, and each series' (hours, lower, upper).
#[derive(Debug, Clone)]
pub struct FanWeek {
    pub label: String,
    pub demand: (f64, f64, f64),
    pub supply: (f64, f64, f64),
}

pub fn fan(id: &str, title: &str, weeks: &[FanWeek]) -> String {
    let desc: Vec<String> = weeks
        .iter()
        .map(|w| {
            format!(
                "week of {}: demand {:.0} h ({:.0}–{:.0}), supply {:.0} h ({:.0}–{:.0})",
                w.label, w.demand.0, w.demand.1, w.demand.2, w.supply.0, w.supply.1, w.supply.2
            )
        })
        .collect();
    let mut svg = open(id, title, &desc.join("; "), H);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let top = weeks
        .iter()
        .flat_map(|w| [w.demand.2, w.supply.2, w.demand.0, w.supply.0])
        .fold(0.0_f64, f64::max);
    let (scale, steps) = round_scale(top, 1.0);
    let y = |v: f64| TOP + plot_h - (v / scale).clamp(0.0, 1.0) * plot_h;
    for k in 0..=steps {
        let v = scale * f64::from(k) / f64::from(steps);
        let label = if scale < 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        };
        grid_line(&mut svg, y(v), &label);
    }
    #[allow(clippy::cast_precision_loss)] // eight weeks
    let x = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / weeks.len().max(1) as f64;
    let band = |pick: &dyn Fn(&FanWeek) -> (f64, f64, f64)| {
        let upper: Vec<String> = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{:.1},{:.1}", x(i), y(pick(w).2)))
            .collect();
        let lower: Vec<String> = weeks
            .iter()
            .enumerate()
            .rev()
            .map(|(i, w)| format!("{:.1},{:.1}", x(i), y(pick(w).1)))
            .collect();
        let line: Vec<String> = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{:.1},{:.1}", x(i), y(pick(w).0)))
            .collect();
        (
            format!("{} {}", upper.join(" "), lower.join(" ")),
            line.join(" "),
        )
    };
    let (supply_band, supply_line) = band(&|w| w.supply);
    let (demand_band, demand_line) = band(&|w| w.demand);
    let _ = write!(
        svg,
        "<polygon class=\"c-band c-alt\" points=\"{supply_band}\"/>\
         <polyline class=\"c-line c-alt\" points=\"{supply_line}\"/>\
         <polygon class=\"c-band\" points=\"{demand_band}\"/>\
         <polyline class=\"c-line\" points=\"{demand_line}\"/>"
    );
    let every = weeks.len().div_ceil(4).max(1);
    for (i, w) in weeks.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text class=\"c-axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                H - 8.0,
                esc(&w.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fan_draws_both_bands_and_describes_each_week() {
        let weeks: Vec<FanWeek> = (0..8)
            .map(|i| FanWeek {
                label: format!("{} Jun", i + 1),
                demand: (10.0 + f64::from(i), 8.0, 14.0 + f64::from(i)),
                supply: (20.0, 18.0, 22.0),
            })
            .collect();
        let svg = fan("f", "Career transition <Americas>", &weeks);
        assert!(svg.contains("Career transition &lt;Americas&gt;"));
        assert!(svg.contains("week of 1 Jun: demand 10 h (8–14), supply 20 h (18–22)"));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 2);
        // The scale reaches 50 (the next round number above 22).
        assert!(svg.contains(">50</text>"));
    }
}
