//! `leadloop report`: every analysis over one data set, into one folder
//! (default `reports/`): each table as CSV (or Parquet with `--format
//! parquet`), a `summary.json` with each analysis' headline figures and the
//! ledger, `report.html` (one self-contained page: `output::html`), and a
//! short printed summary. All files are written together or
//! not at all. Analyses a data set cannot feed are skipped with a note.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::Context;
use crate::analysis::{bands, contact, recalibrate, roi, velocity, winloss, Analysis, Inputs};
use crate::error::{Error, Result};
use crate::output::{self, Format};
use crate::quality::ledger::{self, Ledger};

/// Every analysis `report` runs, in order, each as its options' default.
pub fn analyses() -> Vec<Box<dyn Analysis>> {
    vec![
        Box::new(bands::Options::default()),
        Box::new(roi::Options::default()),
        Box::new(contact::Options::default()),
        Box::new(winloss::Options::default()),
        Box::new(velocity::Options::default()),
        Box::new(recalibrate::Options::default()),
    ]
}

pub fn run(ctx: &Context, stdout: &mut dyn Write) -> Result<()> {
    let out = ctx.out.clone().unwrap_or_else(|| PathBuf::from("reports"));
    let format = match ctx.format {
        None | Some(Format::Csv) | Some(Format::Table) => Format::Csv,
        Some(Format::Parquet) => Format::Parquet,
        Some(Format::Json) => Format::Json,
    };
    let checked = ctx.checked()?;
    let (ledger, _) =
        output::phases::time("ledger", || ledger::compute_with(&checked, true, false))?;
    let funnel = super::lead_funnel_if_any(&checked)?;
    let inputs = Inputs::new(&checked, funnel, &ledger);
    let mut reports = vec![super::validate::report(&checked, &ledger)?];
    // (analysis, the line report prints for it)
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut skipped = Vec::new();
    let mut headline = serde_json::Map::new();
    for analysis in analyses() {
        if let Some(need) = super::lacks(&checked, analysis.as_ref()) {
            skipped.push(format!("{} (needs {})", analysis.name(), need.describe()));
            continue;
        }
        if let Some(e) = super::unusable(&checked, &ledger, analysis.as_ref()) {
            skipped.push(e.to_string());
            continue;
        }
        let finished = match super::run(analysis.as_ref(), &inputs) {
            Ok(f) => f,
            // Nothing to analyse for this one (no timestamp to measure
            // to): the others still run, and the summary says why.
            Err(Error::NothingToAnalyse { detail }) => {
                skipped.push(detail);
                continue;
            }
            Err(e) => return Err(e),
        };
        headline.insert(analysis.name().into(), finished.summary.json());
        if let Some(l) = finished.summary.line() {
            lines.push((analysis.name().to_string(), l));
        }
        reports.push(finished.report);
    }
    // Only the ledger would be written: nothing was analysed.
    if reports.len() == 1 {
        return Err(Error::NothingToAnalyse {
            detail: format!(
                "report: no analysis can run on {}: {}",
                checked.source,
                skipped.join("; ")
            ),
        });
    }
    let mut files = Vec::new();
    output::phases::time("render", || -> Result<()> {
        for r in &reports {
            files.extend(output::files(r, format)?);
        }
        Ok(())
    })?;
    // report.html: the page a leader opens (SPEC §4 "report").
    let page = output::phases::time("report.html", || {
        output::html::render(&output::html::Page {
            source: &checked.source,
            ledger: &ledger.summary(),
            as_of: &inputs.as_of.note,
            reports: &reports,
            lines: &lines,
            skipped: &skipped,
        })
    });
    files.push(("report.html".into(), page.into_bytes()));
    let summary = json!({
        "data": checked.source,
        "analyses": reports.iter().map(|r| r.analysis.clone()).collect::<Vec<_>>(),
        "skipped": skipped,
        "headline": headline,
        "ledger": ledger_json(&ledger),
        "notes": reports.iter().flat_map(|r| r.notes.iter().cloned()).collect::<Vec<_>>(),
    });
    files.push((
        "summary.json".into(),
        serde_json::to_vec_pretty(&summary).map_err(|e| Error::Internal(e.to_string()))?,
    ));
    let written = output::phases::time("write", || output::atomic::write_all(&out, &files))?;

    writeln!(stdout, "leadloop report: {}", checked.source)?;
    writeln!(stdout, "- {}", ledger.summary())?;
    for (_, line) in lines {
        writeln!(stdout, "- {line}")?;
    }
    for s in &skipped {
        writeln!(stdout, "- skipped {s}")?;
    }
    writeln!(
        stdout,
        "- wrote {} files to {}",
        written.len(),
        out.display()
    )?;
    Ok(())
}

fn ledger_json(ledger: &Ledger) -> serde_json::Value {
    json!(ledger
        .tables
        .iter()
        .map(|t| json!({
            "table": t.table,
            "location": t.location,
            "read": t.read,
            "used": t.used,
            "set_aside": t.set_aside(),
            "reasons": t.reasons.iter().map(|r| (r.reason.clone(), json!(r.rows))).collect::<serde_json::Map<_, _>>(),
        }))
        .collect::<Vec<_>>())
}
