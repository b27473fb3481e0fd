//! `leadloop validate`: the quality ledger of a data set (SPEC §7), which
//! analyses it can feed, and optionally its set-aside rows as files.

use std::io::Write;

use polars::prelude::*;

use super::Context;
use crate::cli::ValidateArgs;
use crate::error::{Error, Result};
use crate::output::{self, Format, Report};
use crate::quality::ledger::{self, Ledger, SetAside};
use crate::quality::Checked;

pub fn run(ctx: &Context, args: &ValidateArgs, stdout: &mut dyn Write) -> Result<()> {
    let checked = ctx.checked_to_count()?;
    let rows = args.quarantine_out.is_some();
    // Filling a cache entry, the ledger is counted whole (with the latest
    // timestamp analyses need) and kept in it, so the next command does
    // not count again.
    let keep = checked.store().keeps();
    let (ledger, aside) =
        output::phases::time("ledger", || ledger::compute_with(&checked, keep, rows))?;
    for t in &ledger.tables {
        if t.read != t.used + t.set_aside() {
            return Err(Error::Internal(format!(
                "{}: {} rows read but {} used and {} set aside",
                t.table,
                t.read,
                t.used,
                t.set_aside()
            )));
        }
    }
    let mut report = report(&checked, &ledger)?;
    if let Some(dir) = &args.quarantine_out {
        let format = match ctx.format {
            Some(Format::Parquet) => Format::Parquet,
            _ => Format::Csv,
        };
        let files = quarantine_files(&aside, format)?;
        let n = files.len();
        output::atomic::write_all(dir, &files)?;
        report.notes.push(format!(
            "set-aside rows of {n} table(s) written to {}",
            dir.display()
        ));
    }
    output::emit(&report, ctx.format, ctx.out.as_deref(), stdout)?;
    Ok(())
}

/// `<table>.csv` (or .parquet) for every table with set-aside rows.
fn quarantine_files(aside: &[SetAside], format: Format) -> Result<Vec<(String, Vec<u8>)>> {
    aside
        .iter()
        .filter(|a| a.frame.height() > 0)
        .map(|a| {
            let bytes = match format {
                Format::Parquet => output::parquet::to_bytes(&a.frame)?,
                _ => output::csv::to_bytes(&a.frame)?,
            };
            Ok((format!("{}.{}", a.table, format.ext()), bytes))
        })
        .collect()
}

pub fn report(checked: &Checked, ledger: &Ledger) -> Result<Report> {
    let t = &ledger.tables;
    let summary = df!(
        "table" => t.iter().map(|t| t.table.as_str()).collect::<Vec<_>>(),
        "read" => t.iter().map(|t| t.read).collect::<Vec<_>>(),
        "used" => t.iter().map(|t| t.used).collect::<Vec<_>>(),
        "set_aside" => t.iter().map(|t| t.set_aside()).collect::<Vec<_>>(),
        "location" => t.iter().map(|t| t.location.as_str()).collect::<Vec<_>>(),
    )?;
    let mut rt = (Vec::new(), Vec::new(), Vec::new());
    let mut ex = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for table in t {
        for r in &table.reasons {
            rt.0.push(table.table.clone());
            rt.1.push(r.reason.clone());
            rt.2.push(r.rows);
            for e in &r.examples {
                ex.0.push(table.table.clone());
                ex.1.push(r.reason.clone());
                ex.2.push(e.file.clone());
                ex.3.push(e.row);
                ex.4.push(e.values.clone());
            }
        }
    }
    let reasons = df!("table" => rt.0, "reason" => rt.1, "rows" => rt.2)?;
    // The file column only matters for tables read from several files.
    let several = t.iter().any(|t| {
        t.reasons
            .iter()
            .flat_map(|r| &r.examples)
            .any(|e| e.file != t.location)
    });
    let mut examples = df!(
        "table" => ex.0, "reason" => ex.1, "row" => ex.3, "values" => ex.4
    )?;
    if several {
        examples.with_column(Column::new("file".into(), ex.2))?;
    }
    // The same list and the same needs `report` runs by.
    let mut rows: Vec<(String, Option<String>)> = super::report::analyses()
        .iter()
        .map(|a| {
            let lacks = super::lacks(checked, a.as_ref())
                .map(|n| n.describe())
                .or_else(|| {
                    super::unusable(checked, ledger, a.as_ref())
                        .map(|_| "usable rows (see above)".into())
                });
            (a.name().to_string(), lacks)
        })
        .collect();
    // Without a used lead, lead_funnel would be an empty file (a user
    // trial's leads were all set aside, and validate still said yes).
    let leads = crate::input::schema::TableKind::Leads;
    rows.push((
        "export lead_funnel".into(),
        match (checked.has(leads), ledger.table(leads.name())) {
            (false, _) => Some("a leads table".into()),
            (true, Some(t)) if t.used == 0 => Some("usable rows (see above)".into()),
            _ => None,
        },
    ));
    let feeds = df!(
        "analysis" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "feeds" => rows.iter().map(|r| if r.1.is_none() { "yes" } else { "no" }).collect::<Vec<_>>(),
        "needs" => rows.iter().map(|r| r.1.clone().unwrap_or_default()).collect::<Vec<_>>(),
    )?;
    let mut report = Report::new("validate")
        .table(
            "validate",
            &format!("Rows read, used and set aside ({})", checked.source),
            summary,
        )
        .table("reasons", "Rows set aside, by reason", reasons)
        .table(
            "examples",
            "Examples of rows set aside (row = row number in its file)",
            examples,
        )
        .table("analyses", "Analyses this data set can feed", feeds);
    let read: u64 = t.iter().map(|t| t.read).sum();
    report.notes.push(format!(
        "every row accounted for: {} read = {} used + {} set aside",
        crate::output::format::count(read),
        crate::output::format::count(read - ledger.set_aside_total()),
        crate::output::format::count(ledger.set_aside_total())
    ));
    report.notes.extend(ledger.date_format_hints());
    report.notes.extend(checked.notes.iter().cloned());
    report.notes.extend(lookup_notes(checked)?);
    report.notes.extend(mapping_hints(ledger));
    Ok(report)
}

/// How to fix values no mapping covers: an export's own stage or status
/// names go under the table's `stage_map` / `status_map`.
fn mapping_hints(ledger: &Ledger) -> Vec<String> {
    let mut hints = Vec::new();
    for t in &ledger.tables {
        for r in &t.reasons {
            let (map, values) = match r.reason.as_str() {
                "unknown_stage" => (
                    "stage_map",
                    "mql, contacted, sal, sql, recycled or disqualified",
                ),
                "invalid_status" => ("status_map", "won, lost or open"),
                _ => continue,
            };
            hints.push(format!(
                "{}: {} {} (see the examples); map the export's values to {values} under [tables.{}] {map} = {{ \"value\" = \"...\" }} in leadloop.toml",
                t.table,
                crate::output::format::count_of(r.rows, "row is", "rows are"),
                r.reason,
                t.table
            ));
        }
    }
    hints
}

/// How many rows of each lookup's target have a key the lookup lacks (SPEC §1 lookups).
fn lookup_notes(checked: &Checked) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for (cfg, plan) in &checked.lookups {
        let Some(target) = checked.used(cfg.join_to.kind()) else {
            continue;
        };
        let key = cfg.key.as_str();
        // As lead_funnel joins them (`funnel::join_lookups`).
        let mut target = target;
        let row_key = crate::funnel::lookup_key_of(&mut target, key)?;
        let own = target.collect_schema()?;
        let keys = target
            .select([row_key.alias(key)])
            .filter(col(key).is_not_null());
        let mut lookup = plan.used();
        let lookup_key = crate::funnel::lookup_key_of(&mut lookup, key)?;
        let unmatched = keys
            .clone()
            .join(
                lookup.select([lookup_key.alias(key)]),
                [col(key)],
                [col(key)],
                JoinArgs::new(JoinType::Anti),
            )
            .select([len().alias("n")])
            .collect()?;
        let n = unmatched
            .column("n")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0);
        notes.push(format!(
            "lookup {}: {} {} rows with a {key} that has no match in {} (kept; the lookup's columns are empty for them)",
            cfg.name,
            crate::output::format::count(n),
            cfg.join_to.kind(),
            cfg.name
        ));
        // A lookup column the target already has is not joined (the
        // target's is kept): said here, not left for a user to find.
        let shadowed: Vec<String> = plan
            .used()
            .collect_schema()?
            .iter_names()
            .filter(|c| c.as_str() != key && own.contains(c))
            .map(|c| c.to_string())
            .collect();
        if !shadowed.is_empty() {
            notes.push(format!(
                "lookup {}: {} {} also a {} column; the {}' own is kept, the lookup's is not joined (rename it in the lookup)",
                cfg.name,
                crate::error::column_list(&shadowed),
                match shadowed.len() {
                    1 => "is",
                    _ => "are",
                },
                cfg.join_to.kind(),
                cfg.join_to.kind()
            ));
        }
    }
    Ok(notes)
}
