//! Tables for a person: numbers right-aligned with thousands separators,
//! rates as percentages with their 95% bounds (`29.8% (26.8–33.0)`), and
//! wide tables split into blocks (each repeating the first column) so they
//! fit an 80-column terminal; over-long text is cut with `…`.

use polars::prelude::*;

use super::report::{cell_text, NamedTable, Report};

pub const DEFAULT_WIDTH: usize = 80;
const GAP: &str = "  ";
const NULL_MARK: &str = "–";
/// Text columns are cut (with `…`) no shorter than this.
const MIN_TEXT: usize = 16;

/// One displayed column: a header and right- or left-aligned cells.
struct Shown {
    header: String,
    cells: Vec<String>,
    right: bool,
}

pub fn render(report: &Report, width: usize) -> String {
    let mut out = String::new();
    if let Some(h) = &report.headline {
        out.push_str(&wrap(h, width, ""));
        out.push('\n');
    }
    for (i, t) in report.tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_table(t, width, &mut out);
    }
    if !report.notes.is_empty() {
        out.push_str("\nNotes\n");
        for n in &report.notes {
            out.push_str(&wrap(&format!("- {n}"), width, "  "));
        }
    }
    out
}

fn render_table(t: &NamedTable, width: usize, out: &mut String) {
    out.push_str(&t.title);
    out.push('\n');
    let shown = shown_columns(&t.frame);
    if t.frame.height() == 0 {
        out.push_str("(no rows)\n");
        return;
    }
    let mut widths: Vec<usize> = shown.iter().map(col_width).collect();
    shrink_text(&mut widths, &shown, width);
    for block in blocks(&widths, width) {
        let cols: Vec<(usize, usize)> = block.iter().map(|&c| (c, widths[c])).collect();
        let line = |cells: Vec<String>| -> String {
            let mut l = cells.join(GAP);
            while l.ends_with(' ') {
                l.pop();
            }
            l.push('\n');
            l
        };
        out.push_str(&line(
            cols.iter()
                .map(|&(c, w)| pad(&shown[c].header, w, shown[c].right))
                .collect(),
        ));
        out.push_str(&line(cols.iter().map(|&(_, w)| "─".repeat(w)).collect()));
        for r in 0..t.frame.height() {
            out.push_str(&line(
                cols.iter()
                    .map(|&(c, w)| pad(&shown[c].cells[r], w, shown[c].right))
                    .collect(),
            ));
        }
        if block.len() < shown.len() {
            out.push('\n');
        }
    }
}

fn col_width(s: &Shown) -> usize {
    s.cells
        .iter()
        .map(|c| c.chars().count())
        .chain(std::iter::once(s.header.chars().count()))
        .max()
        .unwrap_or(0)
}

/// Column groups that fit `width`, each starting with column 0.
fn blocks(widths: &[usize], width: usize) -> Vec<Vec<usize>> {
    if widths.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut current = vec![0];
    let mut used = widths[0];
    for (c, &w) in widths.iter().enumerate().skip(1) {
        if current.len() > 1 && used + GAP.len() + w > width {
            out.push(std::mem::replace(&mut current, vec![0]));
            used = widths[0];
        }
        current.push(c);
        used += GAP.len() + w;
    }
    out.push(current);
    out
}

/// Shrinks text columns (widest first, to no less than [`MIN_TEXT`]) so the
/// table fits in one block where it can; what still does not fit is split.
fn shrink_text(widths: &mut [usize], shown: &[Shown], width: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP.len() * w.len().saturating_sub(1);
    while total(widths) > width {
        let widest = (0..widths.len())
            .filter(|&c| !shown[c].right && widths[c] > MIN_TEXT)
            .max_by_key(|&c| widths[c]);
        match widest {
            Some(c) => widths[c] -= 1,
            None => break,
        }
    }
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let n = s.chars().count();
    if n > w {
        // A path keeps its end (the file name); other text keeps its start.
        if s.contains('/') && !s.contains(' ') {
            let cut: String = s.chars().skip(n + 1 - w).collect();
            return format!("…{cut}");
        }
        let cut: String = s.chars().take(w.saturating_sub(1)).collect();
        return format!("{cut}…");
    }
    let fill = " ".repeat(w - n);
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// Columns as a person sees them: `x`, `x_lo`, `x_hi` become one rate column.
fn shown_columns(df: &DataFrame) -> Vec<Shown> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let is_rate = |n: &str| {
        names.iter().any(|m| *m == format!("{n}_lo"))
            && names.iter().any(|m| *m == format!("{n}_hi"))
    };
    let mut out = Vec::new();
    for name in &names {
        if let Some(base) = name
            .strip_suffix("_lo")
            .or_else(|| name.strip_suffix("_hi"))
        {
            if is_rate(base) {
                continue;
            }
        }
        let Ok(c) = df.column(name) else { continue };
        if is_rate(name) {
            let (Ok(lo), Ok(hi)) = (
                df.column(&format!("{name}_lo")),
                df.column(&format!("{name}_hi")),
            ) else {
                continue;
            };
            let cells = (0..df.height())
                .map(|i| rate_cell(float_at(c, i), float_at(lo, i), float_at(hi, i)))
                .collect();
            out.push(Shown {
                header: name.clone(),
                cells,
                right: true,
            });
            continue;
        }
        let dtype = c.dtype();
        let right = dtype.is_primitive_numeric() || matches!(dtype, DataType::Decimal(..));
        let float = matches!(dtype, DataType::Float64 | DataType::Float32);
        let cells = (0..df.height())
            .map(|i| {
                if float && is_proportion(name) {
                    return rate_cell(float_at(c, i), None, None);
                }
                if float && is_points(name) {
                    return points_cell(float_at(c, i));
                }
                let v = c.get(i).unwrap_or(AnyValue::Null);
                number_cell(&v).unwrap_or_else(|| cell_text(&v))
            })
            .collect();
        out.push(Shown {
            header: name.clone(),
            cells,
            right,
        });
    }
    out
}

/// A proportion without bounds, shown as a percentage: `share`, `*_share`,
/// `*_rate`, `*_rate_base`.
fn is_proportion(name: &str) -> bool {
    name == "share"
        || name.ends_with("_share")
        || name.ends_with("_rate")
        || name.ends_with("_rate_base")
}

/// A difference of proportions (winloss effects), shown in percentage points.
fn is_points(name: &str) -> bool {
    matches!(
        name,
        "mix_effect" | "rate_effect" | "interaction" | "contribution"
    )
}

/// `+4.9 pts`, `−0.3 pts`.
fn points_cell(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let p = format!("{:.1}", (v * 100.0).abs());
            let sign = if v < 0.0 && p != "0.0" { "−" } else { "+" };
            format!("{sign}{p} pts")
        }
        _ => NULL_MARK.to_string(),
    }
}

fn float_at(c: &Column, i: usize) -> Option<f64> {
    c.get(i).ok().and_then(|v| v.extract::<f64>())
}

/// `29.8% (26.8–33.0)`; a rate with no denominator shows as `–`.
pub fn rate_cell(p: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (p, lo, hi) {
        (Some(p), Some(lo), Some(hi)) if p.is_finite() => {
            format!("{:.1}% ({:.1}–{:.1})", p * 100.0, lo * 100.0, hi * 100.0)
        }
        (Some(p), _, _) if p.is_finite() => format!("{:.1}%", p * 100.0),
        _ => NULL_MARK.to_string(),
    }
}

fn number_cell(v: &AnyValue) -> Option<String> {
    Some(match v {
        AnyValue::Null => NULL_MARK.to_string(),
        AnyValue::Float32(_) | AnyValue::Float64(_) => {
            let f = v.extract::<f64>()?;
            if !f.is_finite() {
                return Some(NULL_MARK.to_string());
            }
            if f != 0.0 && f.abs() < 0.01 {
                // Small values (p-values) keep their magnitude.
                format!("{f:.2e}")
            } else {
                group_digits(&format!("{f:.2}"))
            }
        }
        v if v.is_integer() => group_digits(&v.to_string()),
        _ => return None,
    })
}

/// `1234567.50` -> `1,234,567.50`.
pub fn group_digits(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits("1234567.5"), "1,234,567.5");
        assert_eq!(group_digits("-1000"), "-1,000");
        assert_eq!(group_digits("12"), "12");
    }

    #[test]
    fn rates_show_their_bounds() {
        assert_eq!(
            rate_cell(Some(0.2984), Some(0.268), Some(0.33)),
            "29.8% (26.8–33.0)"
        );
        assert_eq!(rate_cell(None, None, None), "–");
    }

    #[test]
    fn shares_are_percentages_and_effects_are_points() {
        let df = df!(
            "share" => [0.5, 0.125],
            "win_rate" => [Some(2.0 / 3.0), None],
            "contribution" => [0.1, -0.0251],
            "revenue" => [0.5, 2.0]
        )
        .unwrap();
        let text = render(&Report::new("t").table("t", "T", df), 80);
        assert!(text.contains("50.0%") && text.contains("12.5%"), "{text}");
        assert!(text.contains("66.7%"), "{text}");
        assert!(
            text.contains("+10.0 pts") && text.contains("−2.5 pts"),
            "{text}"
        );
        assert!(text.contains("0.50"), "revenue stays a number: {text}");
    }

    #[test]
    fn wide_tables_split_into_blocks_that_fit() {
        let df = df!(
            "group" => ["a", "b"],
            "aaaaaaaaaaaaaaaaaaaa" => [1i64, 2],
            "bbbbbbbbbbbbbbbbbbbb" => [1i64, 2],
            "cccccccccccccccccccc" => [1i64, 2],
            "dddddddddddddddddddd" => [1i64, 2]
        )
        .unwrap();
        let r = Report::new("t").table("t", "T", df);
        let text = render(&r, 60);
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
        assert_eq!(text.matches("group").count(), 2, "{text}");
    }
}
