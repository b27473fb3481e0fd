//! `leadloop query NAME|FILE.sql` and `leadloop query --list`.
//!
//! A NAME is `queries/NAME.sql` in the working directory if there is one,
//! else one of the queries built into the binary (the repository's
//! `queries/`); anything ending in `.sql` or holding a path separator is a
//! file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Context;
use crate::analysis::query::Options;
use crate::cli::QueryArgs;
use crate::error::{Error, Result};

/// The shipped queries, `queries/*.sql`, built in.
pub const BUILT_IN: [(&str, &str); 4] = [
    (
        "cohort_conversion",
        include_str!("../../queries/cohort_conversion.sql"),
    ),
    ("deals_stuck", include_str!("../../queries/deals_stuck.sql")),
    (
        "mqls_never_contacted",
        include_str!("../../queries/mqls_never_contacted.sql"),
    ),
    (
        "revenue_by_first_touch_source",
        include_str!("../../queries/revenue_by_first_touch_source.sql"),
    ),
];

pub fn run(ctx: &Context, args: &QueryArgs, stdout: &mut dyn Write) -> Result<()> {
    if args.list {
        for (name, sql) in list()? {
            writeln!(
                stdout,
                "{name:<32}{}",
                Options::description(&sql).unwrap_or_default()
            )?;
        }
        return Ok(());
    }
    let Some(query) = &args.query else {
        return Err(Error::bad_argument(
            "query needs NAME or FILE.sql (leadloop query --list shows the names)",
        ));
    };
    let options = resolve(query)?;
    // A query that plans but fails on the data (a cast of text that is no
    // number) is the query's fault, not leadloop's: one line, exit 2.
    super::analyse(ctx, &options, stdout).map_err(|e| match e {
        Error::Engine(reason) => Error::bad_argument(format!("query {}: {reason}", options.name)),
        e => e,
    })
}

/// Every query by name: the local `queries/` folder's, then the built-in
/// ones it does not shadow, sorted by name.
fn list() -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("queries") {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "sql") {
                if let (Some(stem), Ok(sql)) = (p.file_stem(), std::fs::read_to_string(&p)) {
                    out.push((stem.to_string_lossy().to_string(), sql));
                }
            }
        }
    }
    for (name, sql) in BUILT_IN {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), sql.to_string()));
        }
    }
    out.sort();
    Ok(out)
}

fn resolve(query: &str) -> Result<Options> {
    let read = |path: &Path| -> Result<Options> {
        let sql = std::fs::read_to_string(path).map_err(|e| {
            Error::bad_argument(format!("query {}: cannot read it: {e}", path.display()))
        })?;
        let name = path
            .file_stem()
            .map_or("query".to_string(), |s| s.to_string_lossy().to_string());
        Ok(Options { name, sql })
    };
    if query.ends_with(".sql") || query.contains('/') || query.contains('\\') {
        return read(Path::new(query));
    }
    let local = PathBuf::from("queries").join(format!("{query}.sql"));
    if local.is_file() {
        return read(&local);
    }
    match BUILT_IN.iter().find(|(n, _)| *n == query) {
        Some((name, sql)) => Ok(Options {
            name: name.to_string(),
            sql: sql.to_string(),
        }),
        None => Err(Error::bad_argument(format!(
            "query {query}: no such query; queries: {}",
            list()?
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
