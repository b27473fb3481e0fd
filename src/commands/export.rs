//! `leadloop export TABLE`: writes `lead_funnel` (or the used rows of an
//! input table) for BI tools, as Parquet (default) or CSV, atomically.

use std::io::Write;

use super::Context;
use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::{self, Format};

pub fn run(ctx: &Context, args: &ExportArgs, stdout: &mut dyn Write) -> Result<()> {
    let out = ctx
        .out
        .clone()
        .ok_or_else(|| Error::bad_argument("export needs --out DIR (where to write the table)"))?;
    let format = ctx.format.unwrap_or(Format::Parquet);
    if !matches!(format, Format::Parquet | Format::Csv) {
        return Err(Error::bad_argument(format!(
            "--format {}: export writes parquet or csv",
            format.name()
        )));
    }
    let checked = ctx.checked()?;
    let plan = match args.table.as_str() {
        // lead_funnel from the run's store (cached), else built (or the
        // missing-leads error).
        "lead_funnel" => {
            // No used lead: an empty file would read as an export of zero
            // leads (a user trial's leads were all set aside, exit 0).
            let (ledger, _) = crate::quality::ledger::compute_with(&checked, true, false)?;
            if let Some(e) = super::no_used_rows(&ledger, TableKind::Leads, "export lead_funnel") {
                return Err(e);
            }
            match super::lead_funnel_if_any(&checked)? {
                Some(f) => f,
                None => crate::funnel::build(&checked)?,
            }
        }
        name => match TableKind::from_name(name) {
            Some(kind) => checked.require(kind, "export")?,
            None => {
                return Err(Error::bad_argument(format!(
                    "export {name}: no such table; tables: lead_funnel, {}",
                    TableKind::ALL.map(TableKind::name).join(", ")
                )))
            }
        },
    };
    if let Some(column) = &args.partition_by {
        if format != Format::Parquet {
            return Err(Error::bad_argument(
                "--partition-by writes hive-partitioned Parquet: drop --format csv",
            ));
        }
        let mut plan = plan;
        let schema = plan.collect_schema()?;
        if !schema.contains(column) {
            return Err(Error::bad_argument(format!(
                "--partition-by {column}: {} has no such column; columns: {}",
                args.table,
                schema
                    .iter_names()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let (path, rows, parts) = output::phases::time("write", || {
            output::parquet::write_partitioned(&out, &args.table, plan, column)
        })?;
        writeln!(
            stdout,
            "wrote {} ({} rows in {} by {column})",
            path.display(),
            crate::output::format::count(rows),
            crate::output::format::count_of(parts as u64, "partition", "partitions")
        )?;
        return Ok(());
    }
    let name = format!("{}.{}", args.table, format.ext());
    let (path, rows) = output::phases::time("write", || match format {
        // Streamed: lead_funnel at 10M leads held in memory was 8.2 GB.
        Format::Parquet => output::parquet::write_streamed(&out, &name, plan),
        _ => {
            let frame = super::streamed(plan)?;
            let bytes = output::csv::to_bytes(&frame)?;
            let written = output::atomic::write_all(&out, &[(name.clone(), bytes)])?;
            let path = written
                .into_iter()
                .next()
                .ok_or_else(|| Error::Internal("export: nothing written".into()))?;
            Ok((path, frame.height() as u64))
        }
    })?;
    writeln!(
        stdout,
        "wrote {} ({} rows)",
        path.display(),
        crate::output::format::count(rows)
    )?;
    Ok(())
}
