//! The charts of report.html, drawn by plotters' SVG backend into strings
//! (inline SVG: no file, no script, no font file; text is SVG `<text>` the
//! browser sets in its sans-serif). Colours are the Okabe–Ito palette,
//! which colour-blind readers tell apart (Okabe & Ito 2008).
//!
//! Each function takes the numbers to draw, already computed by the
//! analyses, and returns one `<svg>` element, or an error text.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky
/// blue, yellow, black.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

const WIDTH: u32 = 640;
const HEIGHT: u32 = 320;
const FONT: &str = "sans-serif";

type Drawn = Result<String, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("chart: {e}")
}

/// The name of category segment `v` (a bar's slot).
fn segment_label(names: &[String], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            names.get(*i as usize).cloned().unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    }
}

/// The y range that holds `values` (and 0), with a little headroom.
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
}

fn axis_label(percent: bool) -> impl Fn(&f64) -> String {
    move |v: &f64| match percent {
        true if (v * 100.0).abs() >= 1000.0 => {
            let whole = crate::output::format::count((v * 100.0).abs().round() as u64);
            if *v < 0.0 {
                format!("−{whole}%")
            } else {
                format!("{whole}%")
            }
        }
        true => format!("{:.0}%", v * 100.0),
        // Axis ticks: whole numbers with thousands separators.
        false if v.abs() >= 10.0 || v.fract() == 0.0 => {
            let whole = crate::output::format::count(v.abs().round() as u64);
            if *v < 0.0 {
                format!("−{whole}")
            } else {
                whole
            }
        }
        false => format!("{v:.2}"),
    }
}

/// Bars, one per category, with an optional 95% interval whisker each.
pub fn bars(
    caption: &str,
    categories: &[String],
    values: &[f64],
    bounds: Option<&[(Option<f64>, Option<f64>)]>,
    percent: bool,
) -> Drawn {
    let n = categories.len();
    if n == 0 {
        return Err("chart: nothing to draw".into());
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let whiskers = bounds
            .into_iter()
            .flatten()
            .flat_map(|(l, h)| [l.unwrap_or(0.0), h.unwrap_or(0.0)]);
        let (lo, hi) = span(values.iter().copied().chain(whiskers));
        let names = categories.to_vec();
        // Names too long to sit side by side (sources, campaigns): the bars
        // lie down, one name per row.
        let longest = names.iter().map(|c| c.chars().count()).max().unwrap_or(0);
        if longest * 7 > (WIDTH as usize - 80) / n {
            let mut chart = ChartBuilder::on(&root)
                .caption(caption, (FONT, 16))
                .margin(8)
                .x_label_area_size(32)
                .y_label_area_size((longest * 7 + 12) as u32)
                .build_cartesian_2d(lo..hi, (0..(n as i32 - 1).max(1)).into_segmented())
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n)
                .y_label_formatter(&|v| segment_label(names.as_slice(), v))
                .x_label_formatter(&axis_label(percent))
                .label_style((FONT, 12))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let i = i as i32;
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(i)),
                            (*v, SegmentValue::Exact(i + 1)),
                        ],
                        PALETTE[0].filled(),
                    );
                    bar.set_margin(3, 3, 0, 0);
                    bar
                }))
                .map_err(err)?;
            if let Some(b) = bounds {
                chart
                    .draw_series(b.iter().enumerate().filter_map(|(i, (l, h))| {
                        let (l, h) = ((*l)?, (*h)?);
                        Some(PathElement::new(
                            vec![
                                (l, SegmentValue::CenterOf(i as i32)),
                                (h, SegmentValue::CenterOf(i as i32)),
                            ],
                            PALETTE[7].stroke_width(2),
                        ))
                    }))
                    .map_err(err)?;
            }
            root.present().map_err(err)?;
            drop(chart);
            drop(root);
            return Ok(svg);
        }
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((0..(n as i32 - 1).max(1)).into_segmented(), lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|v| segment_label(names.as_slice(), v))
            .y_label_formatter(&axis_label(percent))
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    PALETTE[0].filled(),
                );
                bar.set_margin(0, 0, 8, 8);
                bar
            }))
            .map_err(err)?;
        if let Some(b) = bounds {
            chart
                .draw_series(b.iter().enumerate().filter_map(|(i, (l, h))| {
                    let (l, h) = ((*l)?, (*h)?);
                    Some(PathElement::new(
                        vec![
                            (SegmentValue::CenterOf(i as i32), l),
                            (SegmentValue::CenterOf(i as i32), h),
                        ],
                        PALETTE[7].stroke_width(2),
                    ))
                }))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Whether a point has a place on a chart: both coordinates finite.
fn placed((x, y): &(f64, f64)) -> bool {
    x.is_finite() && y.is_finite()
}

/// Lines over a numeric x axis, one per named series, with a legend.
pub fn lines(
    caption: &str,
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
    percent: bool,
    steps: bool,
    diagonal: bool,
) -> Drawn {
    // Only finite points set the axes: a NaN x left them at f64::MAX.
    let points = || {
        series
            .iter()
            .flat_map(|(_, p)| p.iter())
            .filter(|p| placed(p))
    };
    if points().next().is_none() {
        return Err("chart: nothing to draw".into());
    }
    let (x0, x1) = points().fold((f64::MAX, f64::MIN), |(a, b), (x, _)| {
        (a.min(*x), b.max(*x))
    });
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    let (lo, hi) = span(points().map(|(_, y)| *y));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .x_label_formatter(&axis_label(diagonal && percent))
            .y_label_formatter(&axis_label(percent))
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        if diagonal {
            // y = x: where a calibrated model's points lie.
            let (a, b) = (x0.max(lo), x1.min(hi));
            chart
                .draw_series(LineSeries::new(
                    vec![(a, a), (b, b)],
                    PALETTE[7].mix(0.4).stroke_width(1),
                ))
                .map_err(err)?
                .label("calibrated (y = x)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], PALETTE[7].mix(0.4)));
        }
        for (k, (name, pts)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            // A point without a finite place is not drawn (nor shown).
            let pts: Vec<(f64, f64)> = pts.iter().copied().filter(placed).collect();
            let drawn: Vec<(f64, f64)> = match steps {
                // A step function: flat until the next time, then a drop.
                true => {
                    let mut v = Vec::new();
                    for w in pts.windows(2) {
                        v.push(w[0]);
                        v.push((w[1].0, w[0].1));
                    }
                    v.extend(pts.last().copied());
                    v
                }
                // Points joined in x order, not in the order given.
                false => {
                    let mut v = pts.clone();
                    v.sort_by(|a, b| a.0.total_cmp(&b.0));
                    v
                }
            };
            chart
                .draw_series(LineSeries::new(drawn, colour.stroke_width(2)))
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            if !steps {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, colour.filled())))
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .position(match steps {
                // Curves that rise leave the lower right free.
                true => SeriesLabelPosition::LowerRight,
                false => SeriesLabelPosition::UpperRight,
            })
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 12))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A waterfall: from `start`, each step adds its delta (up in blue, down in
/// vermillion), ending at `start + Σ deltas`, drawn as a last full bar.
pub fn waterfall(
    caption: &str,
    start: (&str, f64),
    steps: &[(String, f64)],
    end: &str,
    percent: bool,
) -> Drawn {
    let n = steps.len() + 2;
    let mut level = start.1;
    let mut spans: Vec<(f64, f64)> = vec![(0.0, start.1)];
    for (_, d) in steps {
        spans.push((level, level + d));
        level += d;
    }
    spans.push((0.0, level));
    let mut names: Vec<String> = vec![start.0.to_string()];
    names.extend(steps.iter().map(|(n, _)| n.clone()));
    names.push(end.to_string());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = span(spans.iter().flat_map(|(a, b)| [*a, *b]));
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d((0..(n as i32 - 1).max(1)).into_segmented(), lo..hi)
            .map_err(err)?;
        let labels = names.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|v| segment_label(labels.as_slice(), v))
            .y_label_formatter(&axis_label(percent))
            .label_style((FONT, 11))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(spans.iter().enumerate().map(|(i, (a, b))| {
                let colour = match i {
                    0 => PALETTE[7],
                    _ if i == n - 1 => PALETTE[7],
                    _ if b >= a => PALETTE[0],
                    _ => PALETTE[3],
                };
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), *a),
                        (SegmentValue::Exact(i + 1), *b),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels() {
        let svg = bars(
            "Conversion",
            &["A".into(), "B".into()],
            &[0.4, 0.2],
            Some(&[(Some(0.3), Some(0.5)), (None, None)]),
            true,
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        // plotters writes each label on its own line inside <text>.
        let has = |svg: &str, label: &str| svg.contains(&format!("\n{label}\n</text>"));
        assert!(has(&svg, "Conversion") && has(&svg, "A"));
        let svg = lines(
            "Lift",
            "decile",
            &[("proposed".into(), vec![(1.0, 2.0), (2.0, 1.0)])],
            false,
            false,
            false,
        )
        .unwrap();
        assert!(has(&svg, "proposed"));
        // Points without a finite place neither set the axes nor draw:
        // all of them NaN is nothing to draw (the axes were f64::MAX).
        let nan =
            |pts: Vec<(f64, f64)>| lines("Lift", "x", &[("s".into(), pts)], false, false, false);
        assert!(nan(vec![(f64::NAN, 1.0), (f64::NAN, 2.0)]).is_err());
        let some = nan(vec![
            (f64::NAN, 1.0),
            (1.0, 2.0),
            (2.0, f64::INFINITY),
            (3.0, 1.0),
        ])
        .unwrap();
        assert!(!some.contains("NaN") && !some.contains("inf"), "{some}");
        let svg = waterfall(
            "Win rate",
            ("before", 0.4),
            &[("paid".into(), 0.02)],
            "after",
            true,
        )
        .unwrap();
        assert!(has(&svg, "after"));
        assert!(bars("x", &[], &[], None, false).is_err());
        // One category still draws a bar of positive width (a single band).
        let one = bars("One", &["unscored".into()], &[0.5], None, true).unwrap();
        assert!(!one.contains("width=\"-"), "{one}");
    }
}
