//! `leadloop generate`: writes a synthetic data set and reports what it wrote.

use std::io::Write;

use polars::prelude::*;

use super::Context;
use crate::cli::GenerateArgs;
use crate::config::FileFormat;
use crate::error::{Error, Result};
use crate::generate::{self, Options};
use crate::output::{self, phases, Format, Report};

pub fn run(ctx: &Context, args: &GenerateArgs, stdout: &mut dyn Write) -> Result<()> {
    let out = ctx.out.clone().ok_or_else(|| {
        Error::bad_argument("generate needs --out DIR (where to write the data set)")
    })?;
    let format = match ctx.format {
        None | Some(Format::Parquet) => FileFormat::Parquet,
        Some(Format::Csv) => FileFormat::Csv,
        Some(other) => {
            return Err(Error::bad_argument(format!(
                "--format {}: generate writes parquet or csv",
                other.name()
            )));
        }
    };
    if args.leads == 0 {
        return Err(Error::bad_argument("--leads must be at least 1"));
    }
    if !(0.0..=10.0).contains(&args.dirty) {
        return Err(Error::bad_argument(format!(
            "--dirty {}: give a percentage from 0 to 10",
            args.dirty
        )));
    }
    generate::check_out(&out)?;
    let opts = Options {
        leads: args.leads,
        seed: args.seed,
        format,
        dirty_pct: args.dirty,
        out: out.clone(),
    };
    let summary = phases::time("generate", || {
        generate::generate(&opts, &phases::bar("generate: leads", opts.leads))
    })?;
    let names: Vec<&str> = summary.rows.keys().map(String::as_str).collect();
    let rows: Vec<u64> = summary.rows.values().copied().collect();
    let mut inj = (Vec::new(), Vec::new(), Vec::new());
    for (table, reasons) in &summary.injected {
        for (reason, n) in reasons {
            inj.0.push(table.clone());
            inj.1.push(reason.clone());
            inj.2.push(*n);
        }
    }
    let mut report = Report::new("generate")
        .table(
            "generate",
            &format!("Wrote {} (seed {})", out.display(), args.seed),
            df!("table" => names, "rows" => rows)?,
        )
        .note(format!(
            "{} leads; generate_manifest.json records the counts",
            args.leads
        ));
    if !inj.0.is_empty() {
        report = report.table(
            "injected",
            "Bad rows injected (validate should set exactly these aside)",
            df!("table" => inj.0, "reason" => inj.1, "rows" => inj.2)?,
        );
    }
    // The data set went to --out; the summary goes to the terminal.
    stdout.write_all(&output::stdout_bytes(&report, Format::Table)?)?;
    Ok(())
}
