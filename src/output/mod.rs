//! Rendering a [`Report`] (pure: report to bytes) and deciding where the
//! bytes go (`atomic` alone touches the disk). One file per format, as
//! hyperfine's exporters are.

pub mod atomic;
pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod parquet;
pub mod phases;
pub mod report;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use format::Unit;
pub use report::{cell_text, NamedTable, Report};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for a person.
    Table,
    /// One CSV per table (on the terminal: each table after a `# name` line).
    Csv,
    /// One object holding every table and the notes (with --out: one file per table).
    Json,
    /// One Parquet file per table (needs --out).
    Parquet,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Parquet => "parquet",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Format::Table | Format::Csv => "csv",
            Format::Json => "json",
            Format::Parquet => "parquet",
        }
    }
}

/// Every table of `report` as (file name, bytes) in `format` (table means
/// CSV), then its text files.
pub fn files(report: &Report, format: Format) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = report
        .tables
        .iter()
        .map(|t| {
            let bytes = match format {
                Format::Table | Format::Csv => csv::to_bytes(&t.frame)?,
                Format::Json => json::to_bytes(&json::rows(&t.frame))?,
                Format::Parquet => parquet::to_bytes(&t.frame)?,
            };
            Ok((report.file_name(t, format.ext()), bytes))
        })
        .collect::<Result<Vec<_>>>()?;
    out.extend(
        report
            .files
            .iter()
            .map(|(name, text)| (name.clone(), text.clone().into_bytes())),
    );
    Ok(out)
}

/// What a command printing `report` writes to standard output.
pub fn stdout_bytes(report: &Report, format: Format) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Table => table::render(report, table::width()).into_bytes(),
        Format::Json => json::to_bytes(&json::report_value(report))?,
        Format::Csv => {
            let mut out = Vec::new();
            let many = report.tables.len() > 1;
            for (i, t) in report.tables.iter().enumerate() {
                if many {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    out.extend_from_slice(format!("# {}\n", report.file_name(t, "csv")).as_bytes());
                }
                out.extend(csv::to_bytes(&t.frame)?);
            }
            out
        }
        Format::Parquet => {
            return Err(Error::bad_argument(
                "--format parquet writes files: add --out DIR",
            ))
        }
    })
}

/// Prints `report`, or writes its tables into `out` (all or nothing) and
/// lists the files written.
pub fn emit(
    report: &Report,
    format: Option<Format>,
    out: Option<&Path>,
    stdout: &mut dyn Write,
) -> Result<Vec<PathBuf>> {
    match out {
        None => {
            stdout.write_all(&stdout_bytes(report, format.unwrap_or(Format::Table))?)?;
            Ok(Vec::new())
        }
        Some(dir) => {
            let written = atomic::write_all(dir, &files(report, format.unwrap_or(Format::Csv))?)?;
            for p in &written {
                writeln!(stdout, "wrote {}", p.display())?;
            }
            // The notes (rows set aside, leakage, immature cohorts) are no
            // table: printed after the files, so writing never hides them.
            if !report.notes.is_empty() {
                writeln!(stdout, "Notes")?;
                for n in &report.notes {
                    writeln!(stdout, "- {n}")?;
                }
            }
            Ok(written)
        }
    }
}
