//! `query`: an SQL question over the data set (SPEC §8), in polars' SQL
//! dialect (`polars::sql::SQLContext`).
//!
//! Registered tables: every used input table by its name (`leads`,
//! `handoffs`, `deals`, `scores`, `activities`, `spend`, `touches`,
//! `deal_leads`: the rows that passed judging, with their canonical columns)
//! and `lead_funnel`. Read-only: the context only answers queries; nothing
//! it runs writes a file.
//!
//! The result is one table named after the query. A query that does not
//! parse or names an unknown table or column is a one-line exit-2 error
//! naming the query and polars' reason.

use polars::prelude::*;
use polars::sql::SQLContext;

use super::plan::{take, Analysis, Inputs, Need, Step, Summary};
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::Report;

/// A query to run: its name (a file stem) and SQL text.
#[derive(Debug, Clone)]
pub struct Options {
    pub name: String,
    pub sql: String,
}

impl Options {
    /// The first comment line of the query: what it answers.
    pub fn description(sql: &str) -> Option<String> {
        sql.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .and_then(|l| l.strip_prefix("--"))
            .map(|l| l.trim().to_string())
    }
}

/// The headline of a query: its rows.
pub struct QuerySummary {
    rows: usize,
}

impl Summary for QuerySummary {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "rows": self.rows })
    }
    fn line(&self) -> Option<String> {
        None
    }
}

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "query"
    }

    fn requires(&self) -> &'static [Need] {
        &[]
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let mut ctx = SQLContext::new();
        let mut names: Vec<&str> = Vec::new();
        for kind in TableKind::ALL {
            if let Some(t) = inputs.checked.used(kind) {
                ctx.register(kind.name(), t);
                names.push(kind.name());
            }
        }
        if let Some(f) = inputs.funnel_if_any() {
            ctx.register("lead_funnel", f);
            names.push("lead_funnel");
        }
        let bad = |e: PolarsError| Error::BadArgument {
            detail: format!(
                "query {}: {} (tables: {})",
                self.name,
                {
                    // polars' reason, without the parser's syntax tree.
                    let reason = crate::error::one_line(&e.to_string());
                    match reason.char_indices().nth(240) {
                        Some((i, _)) => format!("{}…", &reason[..i]),
                        None => reason,
                    }
                },
                names.join(", ")
            ),
        };
        guard(&self.name, &self.sql)?;
        let mut plan = ctx.execute(&self.sql).map_err(bad)?;
        // Unknown columns and type errors surface when the plan resolves.
        plan.collect_schema().map_err(bad)?;
        // lead_funnel's contact columns without a record of contacts are
        // false and empty for every lead, not a measurement (a user trial's
        // `mqls_never_contacted` on Olist read "100% never contacted"
        // where `contact` refuses to run).
        let reads_contacts = words(&self.sql)
            .iter()
            .any(|w| w == "contacted" || w == "contacted_at");
        let unmeasured = (reads_contacts && !inputs.checked.records_contacts(inputs.activities_used)).then(|| {
            "no input records a contact (activities, contacted handoffs or a timed contacted column): lead_funnel's contacted is false and contacted_at empty for every lead, so a count of never-contacted leads here measures nothing".to_string()
        });
        Ok(Step::stream(vec![plan], move |frames| {
            let [frame] = take(frames, "query")?;
            let rows = frame.height();
            let title = Options::description(&self.sql).unwrap_or_else(|| self.name.clone());
            let rates = rate_columns(&frame);
            let units: Vec<(&str, crate::output::format::Unit)> = rates
                .iter()
                .map(|c| (c.as_str(), crate::output::format::Unit::Rate))
                .collect();
            let mut report = Report::new(&self.name)
                .table(&self.name, &title, frame)
                .units(&units);
            report.headline = None;
            report.notes.extend(unmeasured);
            Ok(Step::done(report, QuerySummary { rows }))
        }))
    }
}

/// The columns of a query's result printed as percentages: a float column
/// named as the analyses name their rates (`*_rate`, `*_share`, `a_to_b`
/// such as `lead_to_won`) whose values all lie in [0, 1]. Only the printed
/// table: CSV, JSON and Parquet keep the fraction (last stop's new user
/// read `0.47` as a count).
fn rate_columns(frame: &DataFrame) -> Vec<String> {
    frame
        .columns()
        .iter()
        .filter(|c| {
            let name = c.name().as_str();
            let named = name.ends_with("_rate")
                || name.ends_with("_share")
                || name
                    .split('_')
                    .collect::<Vec<_>>()
                    .windows(3)
                    .any(|w| w[1] == "to");
            let in_unit = |v: &Column| -> Option<bool> {
                let v = v.as_materialized_series();
                Some(
                    v.min::<f64>().ok()?.unwrap_or(0.0) >= 0.0
                        && v.max::<f64>().ok()?.unwrap_or(0.0) <= 1.0,
                )
            };
            named && c.dtype().is_float() && in_unit(c).unwrap_or(false)
        })
        .map(|c| c.name().to_string())
        .collect()
}

/// The words of `sql`'s code (no comments or string literals), lower-cased.
fn words(sql: &str) -> Vec<String> {
    code(sql)
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A query asks; it never reads other files, reaches the network or
/// changes anything: one SELECT (or WITH … SELECT), and none of polars'
/// file-reading table functions (`read_csv('…')`, which also fetch URLs).
fn guard(name: &str, sql: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::BadArgument {
            detail: format!("query {name}: {why}"),
        })
    };
    let code = code(sql);
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    match words.first() {
        None => return bad("no SQL statement in it"),
        Some(w) if *w != "select" && *w != "with" => {
            return bad(&format!(
                "only a SELECT (or WITH … SELECT) runs here, not {}",
                w.to_uppercase()
            ))
        }
        _ => {}
    }
    if let Some(f) = words
        .iter()
        .find(|w| w.starts_with("read_") || **w == "scan_csv" || **w == "scan_parquet")
    {
        return bad(&format!(
            "{f}(…) reads files outside the data set; a query reads only its tables (see --list's tables in the error of an unknown name)"
        ));
    }
    if code.trim_end().trim_end_matches(';').contains(';') {
        return bad("one statement at a time");
    }
    Ok(())
}

/// The text of `sql` without comments and string literals, lower-cased.
fn code(sql: &str) -> String {
    let mut code = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                code.push(' ');
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
                code.push_str("''");
            }
            c => code.extend(c.to_lowercase()),
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_is_the_first_comment_line() {
        assert_eq!(
            Options::description("\n-- MQLs never contacted\nSELECT 1").as_deref(),
            Some("MQLs never contacted")
        );
        assert_eq!(Options::description("SELECT 1"), None);
    }

    #[test]
    fn queries_only_ask() {
        assert!(guard("q", "-- c\nSELECT * FROM leads;").is_ok());
        assert!(guard("q", "WITH a AS (SELECT 1) SELECT * FROM a").is_ok());
        assert!(guard("q", "SELECT 'read_csv(x)' AS s FROM leads").is_ok());
        for bad in [
            "",
            "-- only a comment",
            "DROP TABLE leads",
            "CREATE TABLE x AS SELECT 1",
            "SELECT * FROM read_csv('/etc/passwd')",
            "select * from READ_PARQUET('http://x/y.parquet')",
            "SELECT 1; SELECT 2",
        ] {
            assert!(guard("q", bad).is_err(), "{bad}");
        }
    }
}
