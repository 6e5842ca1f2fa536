//! Charts drawn on the server as SVG: no charting library in the browser. Each scales to its
//! container (phone or desktop), carries a title and a text description for screen readers, and
//! the page shows the same numbers as a table.

use crate::input::escape_html;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

fn open(id: &str, title: &str, description: &str) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_html(title),
        escape_html(description)
    )
}

/// Horizontal grid lines and their values, from 0 to `max` in `steps`.
fn grid(max: f64, steps: u32, unit: &str) -> String {
    let plot = HEIGHT - TOP - BOTTOM;
    let mut out = String::new();
    for i in 0..=steps {
        let value = max * f64::from(i) / f64::from(steps);
        let y = TOP + plot - plot * f64::from(i) / f64::from(steps);
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{unit}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            trim(value)
        ));
    }
    out
}

fn trim(v: f64) -> String {
    crate::grading::model::format_points((v * 10.0).round() / 10.0)
}

/// A nice upper bound for counts: at least 1, rounded up to a step of the grid.
fn ceiling(max: f64, steps: u32) -> f64 {
    let max = max.max(1.0);
    let step = (max / f64::from(steps)).ceil();
    step * f64::from(steps)
}

/// Vertical bars, one per label (e.g. a score distribution).
pub fn bar_chart(id: &str, title: &str, labels: &[String], values: &[f64]) -> String {
    let description = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}: {}", trim(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    let steps = 4;
    let max = ceiling(values.iter().copied().fold(0.0, f64::max), steps);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    let mut out = open(id, title, &description);
    out.push_str(&grid(max, steps, ""));
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let h = plot_h * value / max;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = TOP + plot_h - h;
        out.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {}</title></rect>",
            slot * 0.7,
            escape_html(label),
            trim(*value)
        ));
        if *value > 0.0 {
            out.push_str(&format!(
                "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                y - 4.0,
                trim(*value)
            ));
        }
        out.push_str(&format!(
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x + slot * 0.35,
            HEIGHT - BOTTOM + 16.0,
            escape_html(label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// A line over time (e.g. the share of learners who have completed), `max` at the top.
pub fn line_chart(id: &str, title: &str, points: &[(String, f64)], max: f64, unit: &str) -> String {
    let description = match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            format!(
                "From {} on {} to {} on {}.",
                trim(first.1),
                first.0,
                trim(last.1),
                last.0
            ) + &format!(
                " Values in {}.",
                if unit.is_empty() { "numbers" } else { unit }
            )
        }
        _ => "No data yet.".into(),
    };
    let max = if max > 0.0 { max } else { 1.0 };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut out = open(id, title, &description);
    out.push_str(&grid(max, 4, unit));
    let n = points.len();
    let x_of = |i: usize| {
        if n <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| TOP + plot_h - plot_h * (v.clamp(0.0, max) / max);
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
        .collect();
    if !path.is_empty() {
        out.push_str(&format!(
            "<polyline class=\"line\" fill=\"none\" points=\"{}\"/>",
            path.join(" ")
        ));
    }
    // Labels for the first, middle and last points keep a narrow chart readable.
    let labelled: Vec<usize> = match n {
        0 => vec![],
        1 => vec![0],
        2 => vec![0, 1],
        _ => vec![0, (n - 1) / 2, n - 1],
    };
    for (i, (label, value)) in points.iter().enumerate() {
        out.push_str(&format!(
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}{}</title></circle>",
            x_of(i),
            y_of(*value),
            escape_html(label),
            trim(*value),
            escape_html(unit)
        ));
        if labelled.contains(&i) {
            let anchor = if i == 0 && n > 1 {
                "start"
            } else if i == n - 1 && n > 1 {
                "end"
            } else {
                "middle"
            };
            out.push_str(&format!(
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                x_of(i),
                HEIGHT - BOTTOM + 16.0,
                escape_html(label)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = bar_chart(
            "d",
            "Scores <all>",
            &["0–9 %".into(), "A&B".into()],
            &[2.0, 4.0],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"d-title\">Scores &lt;all&gt;</title>"));
        assert!(svg.contains("A&amp;B: 4"));
        assert!(!svg.contains("<all>"));
        // The larger bar fills the plot (216 high), the smaller half of it.
        assert!(svg.contains("height=\"216.0\""), "{svg}");
        assert!(svg.contains("height=\"108.0\""), "{svg}");
    }

    #[test]
    fn lines_describe_their_ends() {
        let svg = line_chart(
            "c",
            "Completed",
            &[
                ("1 Nov".into(), 0.0),
                ("2 Nov".into(), 25.0),
                ("3 Nov".into(), 50.0),
            ],
            100.0,
            " %",
        );
        assert!(svg.contains("From 0 on 1 Nov to 50 on 3 Nov."));
        assert!(svg.contains("<polyline"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(line_chart("e", "Empty", &[], 100.0, "").contains("No data yet."));
    }
}
