//! report.html (SPEC §4 "report"): one self-contained page a leader can
//! open from an email or a shared drive. No script, no external style,
//! font or image: inline CSS, inline SVG charts (`charts`), and a Content
//! Security Policy that forbids every request, so a browser cannot fetch
//! anything even if a value tried. The page is built by maud, which escapes
//! every value.
//!
//! Each section leads with the sentence `report` prints for its analysis,
//! then a chart, then the numbers in a table (the same cells the terminal
//! shows). Rendering never computes: it picks rows and columns of the
//! analyses' reports and draws them.

pub mod charts;

use maud::{html, Markup, PreEscaped, DOCTYPE};
use polars::prelude::*;

use super::report::{NamedTable, Report};
use super::table::shown_columns;

/// What the page shows.
pub struct Page<'a> {
    /// The data set, as `report` names it.
    pub source: &'a str,
    /// The ledger's one-line summary.
    pub ledger: &'a str,
    /// The run's as_of, as the reports cite it.
    pub as_of: &'a str,
    /// Every report `report` made (validate first).
    pub reports: &'a [Report],
    /// `(analysis, its summary sentence)`.
    pub lines: &'a [(String, String)],
    /// Analyses skipped, with why.
    pub skipped: &'a [String],
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #111; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.4rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin-top: 1.4rem; }
p.lead { font-size: 1.05rem; }
p.meta, p.note { color: #444; font-size: .9rem; }
.pair { display: flex; flex-direction: column; gap: .8rem; }
figure { margin: 0; flex: 0 0 auto; }
figcaption { font-size: .85rem; color: #444; max-width: 640px; }
.scroll { overflow-x: auto; }
details.notes { margin: .8rem 0; font-size: .85rem; color: #333; }
details.notes summary { cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
th, td { padding: .2rem .5rem; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; max-width: 24rem; overflow: hidden; text-overflow: ellipsis; }
p, li { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; }
code { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: .92em; }
thead th { border-bottom: 2px solid #999; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } section, figure, table { break-inside: avoid; } .scroll { overflow: visible; } th, td { white-space: normal; padding: .1rem .25rem; } table { font-size: 7.5pt; } }
";

/// Text as the page shows it: bidirectional controls removed (U+202A–202E,
/// U+2066–2069, which could turn "+100.0" into "0.001+" on screen); maud
/// escapes the rest.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(*c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// A sentence or note as the page shows it ([`clean`]): its `backticked`
/// commands and names set as code, as the terminal's backticks mean them
/// (an odd backtick, say in a value, is left out rather than opening a
/// span to the end).
fn prose(text: &str) -> Markup {
    let text = clean(text);
    let parts: Vec<&str> = text.split('`').collect();
    let balanced = parts.len() % 2 == 1;
    html! {
        @for (i, part) in parts.iter().enumerate() {
            @if balanced && i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

fn report<'a>(page: &'a Page, analysis: &str) -> Option<&'a Report> {
    page.reports.iter().find(|r| r.analysis == analysis)
}

fn table<'a>(r: &'a Report, name: &str) -> Option<&'a NamedTable> {
    r.tables.iter().find(|t| t.name == name)
}

fn line<'a>(page: &'a Page, analysis: &str) -> Option<&'a str> {
    page.lines
        .iter()
        .find(|(a, _)| a == analysis)
        .map(|(_, l)| l.as_str())
}

/// A column as text values.
fn texts(t: &NamedTable, column: &str) -> Vec<String> {
    t.frame
        .column(column)
        .ok()
        .and_then(|c| c.cast(&DataType::String).ok())
        .map(|c| {
            c.str()
                .map(|s| {
                    s.iter()
                        .map(|v| v.unwrap_or("(none)").to_string())
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// A column as numbers (null as None).
fn numbers(t: &NamedTable, column: &str) -> Vec<Option<f64>> {
    t.frame
        .column(column)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .map(|c| c.f64().map(|s| s.iter().collect()).unwrap_or_default())
        .unwrap_or_default()
}

/// The numbers of a table as the terminal shows them, at most `rows` rows.
fn html_table(t: &NamedTable, rows: usize) -> Markup {
    let shown = shown_columns(t);
    let n = t.frame.height().min(rows);
    html! {
        div.scroll {
            table aria-label=(t.title) {
                thead { tr { @for c in &shown { th.num[c.right] scope="col" { (c.header) } } } }
                tbody {
                    @for r in 0..n {
                        tr { @for c in &shown { td.num[c.right] { (clean(&c.cells[r])) } } }
                    }
                }
            }
            @if t.frame.height() > rows {
                p.note { "First " (rows) " of " (t.frame.height()) " rows; the CSV beside this page holds all of them." }
            }
        }
    }
}

/// A chart (or why it is missing) with its caption.
fn figure(drawn: Result<String, String>, caption: &str) -> Markup {
    html! {
        figure role="img" aria-label=(caption) {
            @match drawn {
                Ok(svg) => (PreEscaped(svg)),
                Err(e) => p.note { (e) },
            }
            figcaption { (caption) }
        }
    }
}

fn section(id: &str, title: &str, sentence: Option<&str>, body: Markup) -> Markup {
    html! {
        section id=(id) aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (title) }
            @if let Some(s) = sentence { p.lead { (prose(s)) } }
            (body)
        }
    }
}

/// What a reader must know before trusting a section: its analysis' notes
/// (rows set aside, leakage, rates not measurable, immature cohorts).
fn notes(page: &Page, analysis: &str) -> Markup {
    let Some(r) = report(page, analysis) else {
        return html! {};
    };
    html! {
        @if !r.notes.is_empty() {
            details.notes open {
                summary { "What to know (" (r.notes.len()) ")" }
                ul { @for n in &r.notes { li { (prose(n)) } } }
            }
        }
    }
}

fn missing(page: &Page, analysis: &str) -> Markup {
    let why = page
        .skipped
        .iter()
        .find(|s| s.starts_with(analysis) || s.contains(&format!("so {analysis} ")))
        .cloned()
        .unwrap_or_else(|| format!("{analysis} did not run on this data set"));
    html! { p.note { "Not shown: " (prose(&why)) } }
}

fn funnel(page: &Page) -> Markup {
    let body = match report(page, "bands").and_then(|r| table(r, "bands")) {
        None => missing(page, "bands"),
        Some(t) => {
            let bands = texts(t, "band");
            let all = bands.iter().position(|b| b == "all");
            // A stage nothing records is left out (its count is empty), not
            // drawn as a bar of 0.
            let stages = [
                ("leads", "leads"),
                ("mql", "MQL"),
                ("sql", "SQL"),
                ("opportunity", "opportunity"),
                ("won", "won"),
            ];
            let (names, values): (Vec<String>, Vec<f64>) = stages
                .iter()
                .filter_map(|(s, name)| {
                    let v = all.and_then(|i| numbers(t, s).get(i).copied().flatten());
                    v.map(|v| (name.to_string(), v))
                })
                .unzip();
            let overall = NamedTable {
                frame: all.map_or(t.frame.clone(), |i| t.frame.slice(i as i64, 1)),
                ..t.clone()
            };
            html! {
                div.pair {
                    (figure(charts::bars("Leads reaching each stage", &names, &values, None, false),
                        "The funnel: leads that reached each stage (cumulative: a won lead also reached SQL)."))
                    (html_table(&overall, 1))
                }
            }
        }
    };
    section("funnel", "The funnel", line(page, "bands"), body)
}

fn bands(page: &Page) -> Markup {
    let Some(r) = report(page, "bands") else {
        return section(
            "bands",
            "Conversion by score band",
            None,
            missing(page, "bands"),
        );
    };
    let body = match table(r, "bands") {
        None => missing(page, "bands"),
        Some(t) => {
            let names = texts(t, "band");
            let keep: Vec<usize> = (0..names.len()).filter(|i| names[*i] != "all").collect();
            // MQL→SQL, unless no band has it (a won flag alone makes it 100%
            // by construction): then lead→won.
            let (column, label) = match numbers(t, "mql_to_sql").iter().any(Option::is_some) {
                true => ("mql_to_sql", "MQL → SQL"),
                false => ("lead_to_won", "lead → won"),
            };
            let rate = numbers(t, column);
            let (lo, hi) = (
                numbers(t, &format!("{column}_lo")),
                numbers(t, &format!("{column}_hi")),
            );
            let cats: Vec<String> = keep.iter().map(|i| names[*i].clone()).collect();
            let vals: Vec<f64> = keep.iter().map(|i| rate[*i].unwrap_or(0.0)).collect();
            let bounds: Vec<(Option<f64>, Option<f64>)> =
                keep.iter().map(|i| (lo[*i], hi[*i])).collect();
            let inversions = table(r, "inversions").filter(|t| t.frame.height() > 0);
            html! {
                div.pair {
                    (figure(charts::bars(&format!("{label} by band (95% Wilson interval)"), &cats, &vals, Some(&bounds), true),
                        &format!("Does a higher band convert better? Bars are {label} rates, whiskers their 95% Wilson intervals.")))
                    (html_table(t, 20))
                }
                @if let Some(inv) = inversions {
                    h3 { "Inversions: a higher band converting worse than a lower one" }
                    (html_table(inv, 20))
                }
                @if let Some(tests) = table(r, "tests") { h3 { (tests.title) } (html_table(tests, 10)) }
            }
        }
    };
    section("bands", "Conversion by score band", None, body)
}

fn contact(page: &Page) -> Markup {
    let Some(r) = report(page, "contact") else {
        return section("speed", "Speed to lead", None, missing(page, "contact"));
    };
    let body = match table(r, "speed") {
        None => missing(page, "contact"),
        Some(t) => {
            let cats = texts(t, "bucket");
            let vals: Vec<f64> = numbers(t, "sql_rate")
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .collect();
            let lo = numbers(t, "sql_rate_lo");
            let hi = numbers(t, "sql_rate_hi");
            let bounds: Vec<(Option<f64>, Option<f64>)> = lo.into_iter().zip(hi).collect();
            html! {
                div.pair {
                    (figure(charts::bars("SQL rate by time to first contact", &cats, &vals, Some(&bounds), true),
                        "MQLs by how fast sales first contacted them, and the share that became SQL (95% Wilson intervals)."))
                    (html_table(t, 20))
                }
                @if let Some(e) = table(r, "speed_effect") {
                    h3 { "Band-adjusted effect of contact within the SLA (Mantel–Haenszel)" }
                    (html_table(e, 10))
                }
            }
        }
    };
    section("speed", "Speed to lead", r.headline.as_deref(), body)
}

fn roi(page: &Page) -> Markup {
    let Some(r) = report(page, "roi") else {
        return section("roi", "ROI by source", None, missing(page, "roi"));
    };
    let body = match table(r, "roi") {
        None => missing(page, "roi"),
        Some(t) => {
            let cats = texts(t, "source");
            let keep: Vec<usize> = (0..cats.len()).filter(|i| cats[*i] != "all").collect();
            let roi = numbers(t, "roi");
            let keep: Vec<usize> = keep.into_iter().filter(|i| roi[*i].is_some()).collect();
            let names: Vec<String> = keep.iter().map(|i| cats[*i].clone()).collect();
            let vals: Vec<f64> = keep.iter().map(|i| roi[*i].unwrap_or(0.0)).collect();
            html! {
                div.pair {
                    (figure(charts::bars("ROI by source: (revenue − spend) / spend", &names, &vals, None, true),
                        "Return on spend per source, leads cohorted by creation date; a bar below zero did not pay back; a source without spend has no ROI and no bar."))
                    (html_table(t, 30))
                }
                @if let Some(m) = table(r, "models") { h3 { (m.title) } (html_table(m, 30)) }
                @if let Some(rec) = table(r, "reconciliation") { h3 { (rec.title) } (html_table(rec, 12)) }
            }
        }
    };
    section("roi", "ROI by source", line(page, "roi"), body)
}

fn winloss(page: &Page) -> Markup {
    let Some(r) = report(page, "winloss") else {
        return section(
            "winloss",
            "What moved win rate",
            None,
            missing(page, "winloss"),
        );
    };
    let drivers = table(r, "drivers").filter(|t| t.frame.height() > 0);
    let monthly = table(r, "winloss");
    let chart = match (drivers, monthly) {
        (Some(d), Some(m)) => {
            let month = texts(d, "month").first().cloned().unwrap_or_default();
            let dims = texts(d, "dimension");
            let first = dims.first().cloned().unwrap_or_default();
            let values = texts(d, "value");
            let contribution = numbers(d, "contribution");
            let steps: Vec<(String, f64)> = (0..dims.len())
                .filter(|i| dims[*i] == first)
                .map(|i| (values[i].clone(), contribution[i].unwrap_or(0.0)))
                .collect();
            let months = texts(m, "month");
            let rates = numbers(m, "win_rate");
            let at = months.iter().position(|x| *x == month);
            let base = at.and_then(|i| i.checked_sub(1)).and_then(|i| rates[i]);
            match base {
                Some(b) => figure(
                    charts::waterfall(&format!("Win rate {month}: contribution of each {first}"), ("baseline", b), &steps, &month, true),
                    &format!("From the previous month's win rate to {month}'s: each {first}'s contribution (mix, rate and interaction together; blue raised it, vermillion lowered it); they add up exactly. {first} is the dimension of the largest single driver."),
                ),
                None => html! {},
            }
        }
        _ => html! {},
    };
    let bridge = table(r, "bridge").filter(|t| t.frame.height() > 0).map(|t| {
        let factors = texts(t, "factor");
        let effect = numbers(t, "effect");
        let baseline = numbers(t, "baseline");
        let last = factors.len().saturating_sub(1);
        let steps: Vec<(String, f64)> = (0..last).map(|i| (factors[i].clone(), effect[i].unwrap_or(0.0))).collect();
        html! {
            div.pair {
                (figure(charts::waterfall("Revenue bridge", ("baseline", baseline.get(last).copied().flatten().unwrap_or(0.0)), &steps, "this month", false),
                    "The change in closed-won revenue split into volume, win rate and deal size (symmetric Shapley split); the parts add up exactly."))
                (html_table(t, 10))
            }
        }
    });
    let body = html! {
        div.pair {
            (chart)
            @if let Some(d) = drivers { (html_table(d, 15)) }
        }
        @if let Some(b) = bridge { h3 { "Revenue bridge" } (b) }
        @if let Some(m) = monthly { h3 { (m.title) } (html_table(m, 36)) }
    };
    section(
        "winloss",
        "What moved win rate",
        r.headline.as_deref(),
        body,
    )
}

fn velocity(page: &Page) -> Markup {
    let Some(r) = report(page, "velocity") else {
        return section(
            "velocity",
            "Velocity: time from stage to stage",
            None,
            missing(page, "velocity"),
        );
    };
    let body = match table(r, "velocity") {
        None => missing(page, "velocity"),
        Some(t) => {
            let chart = match table(r, "curves") {
                Some(c) => {
                    let transitions = texts(c, "transition");
                    let days = numbers(c, "days");
                    let reached = numbers(c, "reached_share");
                    // Only the transitions the table reports (one left out by
                    // construction is left out of the chart too).
                    let shown = texts(t, "transition");
                    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
                    for (i, tr) in transitions.iter().enumerate() {
                        if !shown.contains(tr) {
                            continue;
                        }
                        if series.last().is_none_or(|(n, _)| n != tr) {
                            series.push((tr.clone(), Vec::new()));
                        }
                        if let (Some(d), Some(y), Some(s)) =
                            (days[i], reached[i], series.last_mut())
                        {
                            s.1.push((d, y));
                        }
                    }
                    charts::lines(
                        "Share that has made each transition (Kaplan–Meier)",
                        "days",
                        &series,
                        true,
                        true,
                        false,
                    )
                }
                None => Err("chart: no curve table".into()),
            };
            html! {
                div.pair {
                    (figure(chart, "Kaplan–Meier: the share of leads that made each transition within so many days, leads not there yet counted as still on their way (censored at as_of)."))
                    (html_table(t, 20))
                }
            }
        }
    };
    section(
        "velocity",
        "Velocity: time from stage to stage",
        line(page, "velocity"),
        body,
    )
}

fn recalibrate(page: &Page) -> Markup {
    let Some(r) = report(page, "recalibrate") else {
        return section(
            "recalibrate",
            "Recalibrating the score",
            None,
            missing(page, "recalibrate"),
        );
    };
    let by_model = |t: &NamedTable, x: &str, y: &str| -> Vec<(String, Vec<(f64, f64)>)> {
        let models = texts(t, "model");
        let xs = numbers(t, x);
        let ys = numbers(t, y);
        let mut out: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for i in 0..models.len() {
            if out.last().is_none_or(|(m, _)| *m != models[i]) {
                out.push((models[i].clone(), Vec::new()));
            }
            if let (Some(a), Some(b), Some(s)) = (xs[i], ys[i], out.last_mut()) {
                s.1.push((a, b));
            }
        }
        out
    };
    let body = html! {
        @if let Some(m) = table(r, "metrics") { (html_table(m, 10)) }
        div.pair {
            @if let Some(l) = table(r, "lift") {
                (figure(charts::lines("Lift by decile on test", "decile (1 = highest predictions)", &by_model(l, "decile", "lift"), false, false, false),
                    "How many times the average conversion each tenth of test leads converts, best-scored tenth first."))
            }
            @if let Some(c) = table(r, "calibration") {
                (figure(charts::lines("Calibration on test: observed rate per decile", "mean predicted probability", &by_model(c, "mean_predicted", "observed"), true, false, true),
                    "Observed conversion against the mean predicted probability of each decile; a calibrated model lies on the grey diagonal."))
            }
        }
        // The charts' numbers (every chart has its table: a user trial
        // found these two without theirs).
        @if let Some(l) = table(r, "lift") { h3 { (l.title) } (html_table(l, 40)) }
        @if let Some(c) = table(r, "calibration") { h3 { (c.title) } (html_table(c, 40)) }
        @if let Some(t) = table(r, "thresholds") { h3 { (t.title) } (html_table(t, 10)) }
    };
    section(
        "recalibrate",
        "Recalibrating the score",
        line(page, "recalibrate"),
        body,
    )
}

fn quality(page: &Page) -> Markup {
    let body = match report(page, "validate") {
        None => html! {},
        Some(r) => html! {
            @if let Some(t) = table(r, "validate").filter(|t| numbers(t, "set_aside").iter().any(|v| v.unwrap_or(0.0) > 0.0)) {
                div.pair {
                    (figure(
                        charts::bars("Rows set aside per table", &texts(t, "table"), &numbers(t, "set_aside").iter().map(|v| v.unwrap_or(0.0)).collect::<Vec<_>>(), None, false),
                        "Every input row is used or set aside with a reason; the analyses above ran on the used rows."))
                    (html_table(t, 20))
                }
            }
            @if let Some(t) = table(r, "validate").filter(|t| numbers(t, "set_aside").iter().all(|v| v.unwrap_or(0.0) == 0.0)) {
                p { "No input row was set aside." }
                (html_table(t, 20))
            }
            @if let Some(t) = table(r, "reasons").filter(|t| t.frame.height() > 0) { h3 { "Why rows were set aside" } (html_table(t, 40)) }
        },
    };
    section("quality", "Data quality", Some(page.ledger), body)
}

/// The whole page.
pub fn render(page: &Page) -> String {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                title { "leadloop report" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "leadloop report" }
                    p.meta { "Data: " (page.source) }
                    p.meta { (page.as_of) }
                }
                main {
                    (funnel(page))
                    (bands(page))
                    (notes(page, "bands"))
                    (contact(page))
                    (notes(page, "contact"))
                    (roi(page))
                    (notes(page, "roi"))
                    (winloss(page))
                    (notes(page, "winloss"))
                    (velocity(page))
                    (notes(page, "velocity"))
                    (recalibrate(page))
                    (notes(page, "recalibrate"))
                    (quality(page))
                    @if !page.skipped.is_empty() {
                        section id="skipped" {
                            h2 { "Not analysed" }
                            ul { @for s in page.skipped { li { (prose(s)) } } }
                        }
                    }
                }
            }
        }
    };
    markup.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_words_are_code_and_an_odd_backtick_is_left_out() {
        let shown = prose("2 rows set aside; `leadloop validate` lists them").into_string();
        assert_eq!(
            shown,
            "2 rows set aside; <code>leadloop validate</code> lists them"
        );
        // An odd backtick (a value's) opens no span; the text is escaped.
        assert_eq!(
            prose("source `a<b` and `c").into_string(),
            "source a&lt;b and c"
        );
        // Bidirectional controls are removed there too.
        assert_eq!(prose("+100.0\u{202E}").into_string(), "+100.0");
    }
}
