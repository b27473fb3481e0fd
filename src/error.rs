//! The one error type, and the exit code each kind maps to.
//!
//! Variants are named for what went wrong *for the user* (as DataFusion's
//! errors say who is at fault): the input and argument kinds exit with 2,
//! everything else with 1. Each message is one line that names the file,
//! table and column where they are known.

use std::path::PathBuf;

/// Exit code for unusable input, configuration or arguments (SPEC §8).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for any other failure.
pub const EXIT_FAILURE: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table an analysis needs is not in the data set.
    #[error("{table}: no such table in {place}{hint}")]
    MissingTable {
        table: String,
        place: String,
        hint: String,
    },
    /// A required column is missing from a table (under its export name
    /// when the config or a preset named it, saying which).
    #[error("{table} ({file}): no column \"{column}\"{}; found: {found}", named_by.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    MissingColumn {
        table: String,
        file: String,
        column: String,
        named_by: Option<Box<NamedBy>>,
        found: String,
    },
    /// A file exists but cannot be read as the format it claims to be.
    #[error("{table} ({file}): cannot read: {detail}")]
    Unreadable {
        table: String,
        file: String,
        detail: String,
    },
    /// The data can be read but breaks a whole-table rule (for example two currencies).
    #[error("{table} ({file}): column \"{column}\": {detail}")]
    BadData {
        table: String,
        file: String,
        column: String,
        detail: String,
    },
    /// The input can be read but leaves an analysis nothing to analyse (every
    /// row of a table set aside, no timestamp at all): an error, not a
    /// report of zeros.
    #[error("{detail}")]
    NothingToAnalyse { detail: String },
    /// `leadloop.toml` is invalid.
    #[error("config {}{}: {detail}", file.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
    BadConfig {
        file: PathBuf,
        line: Option<usize>,
        detail: String,
    },
    /// A rule of a rules file (`score --rules`, `recalibrate --rules`) is
    /// unusable: its predicate does not parse, names an unknown column, or
    /// is not a condition.
    #[error("rules {}: rule \"{rule}\": {detail}", file.display())]
    BadRule {
        file: PathBuf,
        rule: String,
        detail: String,
    },
    /// A command-line argument is invalid.
    #[error("{detail}")]
    BadArgument { detail: String },
    /// polars failed where no table can be blamed.
    #[error("engine: {0}")]
    Engine(String),
    /// Writing outputs failed.
    #[error("cannot write {}: {detail}", path.display())]
    Output { path: PathBuf, detail: String },
    /// Writing to standard output failed (a closed pipe is not reported).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A leadloop bug.
    #[error("internal error (a bug in leadloop; please report it): {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Where the name of a missing column came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedBy {
    /// A rename to the canonical column `to`, by the config or a preset.
    Rename { to: String, by: Source },
    /// A wide-export stage's column in the config.
    WideStage { stage: String },
}

/// Who wrote a setting: the user's leadloop.toml or a shipped preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Config,
    Preset(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Config => f.write_str("the config"),
            Source::Preset(p) => write!(f, "the {p} preset"),
        }
    }
}

impl std::fmt::Display for NamedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NamedBy::Rename { to, by } => write!(f, "renamed to \"{to}\" by {by}"),
            NamedBy::WideStage { stage } => write!(f, "stage {stage} in the config"),
        }
    }
}

impl Error {
    /// 2 for input, configuration and argument errors; 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::MissingTable { .. }
            | Error::MissingColumn { .. }
            | Error::Unreadable { .. }
            | Error::BadData { .. }
            | Error::NothingToAnalyse { .. }
            | Error::BadConfig { .. }
            | Error::BadRule { .. }
            | Error::BadArgument { .. } => EXIT_BAD_INPUT,
            Error::Engine(_) | Error::Output { .. } | Error::Io(_) | Error::Internal(_) => {
                EXIT_FAILURE
            }
        }
    }

    /// True when stdout was closed by the reader (`leadloop validate | head -1`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn bad_argument(detail: impl Into<String>) -> Self {
        Error::BadArgument {
            detail: detail.into(),
        }
    }
}

/// Turns a polars message into one line (polars errors can carry a multi-line context).
pub fn one_line(msg: &str) -> String {
    // polars appends the plan it was resolving: internals, not the reason.
    let msg = msg
        .split("Resolved plan until failure")
        .next()
        .unwrap_or(msg);
    let mut out = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if out.len() > 400 {
        let mut cut = 400;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// The columns a table has, for an error's "found:": comma-separated,
/// control characters shown as `\u{..}`, and cut at 300 characters with
/// the count of columns (a breaker's binary file read as CSV echoed 3 KB
/// of raw bytes, NULs included, as its "header").
pub fn column_list(columns: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for ch in c.chars() {
            match ch.is_control() {
                true => out.push_str(&ch.escape_unicode().to_string()),
                false => out.push(ch),
            }
        }
        if out.len() > 300 {
            let mut cut = 300;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(&format!("… ({} columns)", columns.len()));
            break;
        }
    }
    out
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Engine(one_line(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_are_short_and_printable() {
        let cols = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(column_list(&cols(&["a", "b"])), "a, b");
        assert_eq!(column_list(&cols(&["x\0y"])), "x\\u{0}y");
        let many: Vec<String> = (0..200).map(|i| format!("column_{i}")).collect();
        let list = column_list(&many);
        assert!(list.len() < 330, "{list}");
        assert!(list.ends_with("… (200 columns)"), "{list}");
    }

    #[test]
    fn input_errors_exit_2_others_exit_1() {
        let missing = Error::MissingColumn {
            table: "deals".into(),
            file: "d.parquet".into(),
            column: "amount".into(),
            named_by: None,
            found: "deal_id".into(),
        };
        assert_eq!(missing.exit_code(), 2);
        assert_eq!(Error::bad_argument("x").exit_code(), 2);
        assert_eq!(Error::Internal("x".into()).exit_code(), 1);
        let out = Error::Output {
            path: "r".into(),
            detail: "full".into(),
        };
        assert_eq!(out.exit_code(), 1);
    }

    #[test]
    fn missing_column_message_names_file_table_column() {
        let e = Error::MissingColumn {
            table: "deals".into(),
            file: "data-samples/deals.parquet".into(),
            column: "amount".into(),
            named_by: None,
            found: "deal_id, lead_id, status".into(),
        };
        assert_eq!(
            e.to_string(),
            "deals (data-samples/deals.parquet): no column \"amount\"; found: deal_id, lead_id, status"
        );
        let renamed = Error::MissingColumn {
            table: "leads".into(),
            file: "Lead.csv".into(),
            column: "Lead_Score__c".into(),
            named_by: Some(Box::new(NamedBy::Rename {
                to: "score".into(),
                by: Source::Preset("salesforce"),
            })),
            found: "Id".into(),
        };
        assert_eq!(
            renamed.to_string(),
            "leads (Lead.csv): no column \"Lead_Score__c\" (renamed to \"score\" by the salesforce preset); found: Id"
        );
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = Error::Io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert!(!Error::Internal("x".into()).is_broken_pipe());
    }

    #[test]
    fn one_line_joins_and_truncates() {
        assert_eq!(one_line("a\n\n  b  \n"), "a; b");
        assert!(one_line(&"x".repeat(1000)).chars().count() <= 401);
    }
}
