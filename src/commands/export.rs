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
        "lead_funnel" => crate::funnel::build(&checked)?,
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
    let frame = output::phases::time(&format!("build {}", args.table), || super::streamed(plan))?;
    let name = format!("{}.{}", args.table, format.ext());
    let written = output::phases::time("write", || {
        let bytes = match format {
            Format::Csv => output::csv::to_bytes(&frame)?,
            _ => output::parquet::to_bytes(&frame)?,
        };
        output::atomic::write_all(&out, &[(name, bytes)])
    })?;
    for p in written {
        writeln!(
            stdout,
            "wrote {} ({} rows)",
            p.display(),
            crate::output::format::count(frame.height() as u64)
        )?;
    }
    Ok(())
}
