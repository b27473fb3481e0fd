//! Tables for a person: numbers right-aligned with thousands separators,
//! rates as percentages with their 95% bounds (`29.8% (26.8–33.0)`), and
//! wide tables split into blocks (each repeating the first column) so they
//! fit the terminal (80 columns, or a wider terminal's width); over-long
//! text is cut with `…`.

use polars::prelude::*;

use super::format::{self, Unit};
use super::report::{cell_text, NamedTable, Report};

pub const DEFAULT_WIDTH: usize = 80;
/// The widest a printed table is made, however wide the terminal.
const MAX_WIDTH: usize = 240;

/// The width printed tables fit: the terminal's when standard output is
/// one (from 80 to [`MAX_WIDTH`] columns: a wide terminal shows a
/// `validate` example's long vendor column names and their values whole),
/// else [`DEFAULT_WIDTH`], so what a pipe or a file gets never depends on
/// the window.
pub fn width() -> usize {
    let term = console::Term::stdout();
    match term.is_term() {
        true => term
            .size_checked()
            .map_or(DEFAULT_WIDTH, |(_, cols)| usize::from(cols))
            .clamp(DEFAULT_WIDTH, MAX_WIDTH),
        false => DEFAULT_WIDTH,
    }
}
const GAP: &str = "  ";
/// Text columns are cut (with `…`) no shorter than this.
const MIN_TEXT: usize = 16;

/// One displayed column: a header and right- or left-aligned cells.
pub(crate) struct Shown {
    pub(crate) header: String,
    pub(crate) cells: Vec<String>,
    pub(crate) right: bool,
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
    for (name, text) in &report.files {
        out.push_str(&format!("\n{name} (--out DIR writes it)\n{text}"));
    }
    out
}

fn render_table(t: &NamedTable, width: usize, out: &mut String) {
    if t.preview == Some(0) {
        // A table for files and charts only (curves): named, not printed.
        out.push_str(&wrap(&t.title, width, ""));
        out.push_str(&format!(
            "({} rows: --out DIR writes them)\n",
            crate::output::format::count(t.frame.height() as u64)
        ));
        return;
    }
    if let Some(rows) = t.preview.filter(|r| t.frame.height() > *r) {
        let head = NamedTable {
            frame: t.frame.head(Some(rows)),
            preview: None,
            ..t.clone()
        };
        render_table(&head, width, out);
        out.push_str(&format!(
            "… and {} more rows (--out DIR writes them all)\n",
            crate::output::format::count((t.frame.height() - rows) as u64)
        ));
        return;
    }
    out.push_str(&wrap(&t.title, width, ""));
    let shown = shown_columns(t);
    if t.frame.height() == 0 {
        out.push_str("(no rows)\n");
        return;
    }
    let mut widths: Vec<usize> = shown.iter().map(col_width).collect();
    shrink_text(&mut widths, &shown, width);
    // The leading text columns name the row (month, dimension, value):
    // every block repeats them, so no block's numbers lose their row.
    let mut keys = shown.iter().take_while(|c| !c.right).count().max(1);
    while keys > 1 && widths[..keys].iter().sum::<usize>() + GAP.len() * keys > key_budget(width) {
        keys -= 1;
    }
    for block in blocks(&widths, width, keys) {
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

/// Column groups that fit `width`, each starting with the `keys` first columns.
fn blocks(widths: &[usize], width: usize, keys: usize) -> Vec<Vec<usize>> {
    let keys = keys.min(widths.len());
    if keys == 0 {
        return Vec::new();
    }
    let key_cols: Vec<usize> = (0..keys).collect();
    let key_width = widths[..keys].iter().sum::<usize>() + GAP.len() * (keys - 1);
    let mut out = Vec::new();
    let mut current = key_cols.clone();
    let mut used = key_width;
    for (c, &w) in widths.iter().enumerate().skip(keys) {
        if current.len() > keys && used + GAP.len() + w > width {
            out.push(std::mem::replace(&mut current, key_cols.clone()));
            used = key_width;
        }
        current.push(c);
        used += GAP.len() + w;
    }
    out.push(current);
    out
}

/// Shrinks text columns (widest first, to no less than [`MIN_TEXT`]) so the
/// table fits in one block where it can; what still does not fit is split.
/// A table split anyway keeps its text whole where it fits: its leading
/// text columns (the row's name, repeated in every block) are shrunk only
/// to three fifths of the width, and any other text column to what fits
/// beside them (a breaker's `bands --by segment` read "Enterprise Acco…"
/// on every row, cut to fit one block it could never fit in).
fn shrink_text(widths: &mut [usize], shown: &[Shown], width: usize) {
    let text = |c: usize| !shown[c].right;
    let narrowest: Vec<usize> = (0..widths.len())
        .map(|c| match text(c) {
            true => widths[c].min(MIN_TEXT),
            false => widths[c],
        })
        .collect();
    if total(&narrowest) <= width {
        shrink_widest(widths, widths.len(), &text, width);
        return;
    }
    let keys = shown.iter().take_while(|c| !c.right).count();
    shrink_widest(widths, keys, &text, key_budget(width));
    let beside = width.saturating_sub(total(&widths[..keys.max(1)]) + GAP.len());
    for (c, w) in widths.iter_mut().enumerate().skip(keys) {
        if text(c) {
            *w = (*w).min(beside.max(MIN_TEXT));
        }
    }
}

/// The width of columns side by side, gaps included.
fn total(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + GAP.len() * widths.len().saturating_sub(1)
}

/// Narrows the widest of the first `n` columns that are `text`, a column
/// at a time and to no less than [`MIN_TEXT`], until they fit in `limit`.
fn shrink_widest(widths: &mut [usize], n: usize, text: &dyn Fn(usize) -> bool, limit: usize) {
    while total(&widths[..n]) > limit {
        let widest = (0..n)
            .filter(|&c| text(c) && widths[c] > MIN_TEXT)
            .max_by_key(|&c| widths[c]);
        match widest {
            Some(c) => widths[c] -= 1,
            None => break,
        }
    }
}

/// How wide the row-naming columns repeated in every block may be: three
/// fifths of the width (at 80 columns winloss's drivers lost their
/// `value`, 41 columns wide, under a half: a new user could not tell one
/// company_size's row from another's).
fn key_budget(width: usize) -> usize {
    width * 3 / 5
}

/// A text cell on one line of the table: a control character in a value
/// (a quoted CSV field may hold a line break; a value may hold an escape
/// sequence that would restyle the terminal) is shown escaped, `\n`,
/// `\r`, `\t` or `\u{1b}`, as are the line and paragraph separators
/// U+2028 and U+2029, not let break the row.
fn one_line(text: &str) -> String {
    let odd = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.contains(odd) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if odd(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
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

/// Columns as a person sees them, each by its declared [`Unit`]; a
/// [`Unit::Rate`] column `x` with `x_lo` and `x_hi` beside it shows them as
/// its bounds, in one column.
/// The columns of `t` as a person reads them (units applied, bounds
/// folded into their rate); also what report.html's tables show.
pub(crate) fn shown_columns(t: &NamedTable) -> Vec<Shown> {
    let df = &t.frame;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let has = |n: &str| names.iter().any(|m| m == n);
    let bounded =
        |n: &str| t.unit(n) == Unit::Rate && has(&format!("{n}_lo")) && has(&format!("{n}_hi"));
    let mut out = Vec::new();
    for name in &names {
        let is_bound = name
            .strip_suffix("_lo")
            .or_else(|| name.strip_suffix("_hi"))
            .is_some_and(bounded);
        if is_bound {
            continue;
        }
        let Ok(c) = df.column(name) else { continue };
        if bounded(name) {
            let (Ok(lo), Ok(hi)) = (
                df.column(&format!("{name}_lo")),
                df.column(&format!("{name}_hi")),
            ) else {
                continue;
            };
            let cells = (0..df.height())
                .map(|i| format::rate(float_at(c, i), float_at(lo, i), float_at(hi, i)))
                .collect();
            out.push(Shown {
                header: name.clone(),
                cells,
                right: true,
            });
            continue;
        }
        let unit = t.unit(name);
        let cells = (0..df.height())
            .map(|i| {
                let v = c.get(i).unwrap_or(AnyValue::Null);
                match (&v, unit) {
                    (AnyValue::Null, _) => format::NULL_MARK.to_string(),
                    (_, Unit::Text) => one_line(&cell_text(&v)),
                    (v, Unit::Count) if v.is_integer() => format::group_digits(&v.to_string()),
                    (v, _) => match v.extract::<f64>() {
                        Some(f) => format::cell(unit, Some(f)),
                        None => cell_text(v),
                    },
                }
            })
            .collect();
        out.push(Shown {
            header: name.clone(),
            cells,
            right: unit != Unit::Text,
        });
    }
    out
}

fn float_at(c: &Column, i: usize) -> Option<f64> {
    c.get(i).ok().and_then(|v| v.extract::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_percentages_and_effects_are_points() {
        let df = df!(
            "share" => [0.5, 0.125],
            "win_rate" => [Some(2.0 / 3.0), None],
            "contribution" => [0.1, -0.0251],
            "revenue" => [0.5, 2.0]
        )
        .unwrap();
        let report = Report::new("t").table("t", "T", df).units(&[
            ("share", Unit::Rate),
            ("win_rate", Unit::Rate),
            ("contribution", Unit::Points),
        ]);
        let text = render(&report, 80);
        assert!(text.contains("50.0%") && text.contains("12.5%"), "{text}");
        assert!(text.contains("66.7%"), "{text}");
        assert!(
            text.contains("+10.0 pts") && text.contains("−2.5 pts"),
            "{text}"
        );
        assert!(text.contains("0.50"), "revenue stays a number: {text}");
    }

    #[test]
    fn bounds_join_their_rate_only_when_it_is_declared_a_rate() {
        let df = df!(
            "x" => [0.5], "x_lo" => [0.25], "x_hi" => [0.75],
            "p_value" => [0.0001]
        )
        .unwrap();
        let plain = render(&Report::new("t").table("t", "T", df.clone()), 80);
        assert!(plain.contains("x_lo"), "{plain}");
        let declared = Report::new("t")
            .table("t", "T", df)
            .units(&[("x", Unit::Rate), ("p_value", Unit::PValue)]);
        let text = render(&declared, 80);
        assert!(text.contains("50.0% (25.0–75.0)"), "{text}");
        assert!(!text.contains("x_lo") && text.contains("< 0.001"), "{text}");
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

    /// A line break in a value (a quoted CSV field) stays on its row, as
    /// an escape, instead of breaking the table (a breaker's example row).
    #[test]
    fn a_line_break_in_a_value_stays_on_its_row() {
        let df = df!(
            "id" => ["1", "2", "3"],
            "note" => ["2024-01-02\nlater\tx", "ok", "a\u{0b}b\u{1b}[7mc\u{85}d\u{2028}e"]
        )
        .unwrap();
        let text = render(&Report::new("t").table("t", "T", df), 80);
        assert_eq!(text.lines().count(), 6, "{text}");
        assert!(text.contains("1   2024-01-02\\nlater\\tx"), "{text}");
        // A vertical tab, an escape sequence, NEL and U+2028: escaped too.
        assert!(
            text.contains("3   a\\u{b}b\\u{1b}[7mc\\u{85}d\\u{2028}e"),
            "{text}"
        );
    }
}
