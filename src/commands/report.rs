//! `leadloop report`: every analysis built so far over one data set, into
//! one folder (default `reports/`): each table as CSV (or Parquet with
//! `--format parquet`), a `summary.json` with the headline figures and the
//! ledger, and a short printed summary. All files are written together or
//! not at all. Analyses a data set cannot feed are skipped with a note.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::Context;
use crate::cli::{BandsArgs, ContactArgs, RoiArgs, WinlossArgs};
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::{self, Format};
use crate::quality::ledger::{self, fmt_count, Ledger};

pub fn run(ctx: &Context, stdout: &mut dyn Write) -> Result<()> {
    let out = ctx.out.clone().unwrap_or_else(|| PathBuf::from("reports"));
    let format = match ctx.format {
        None | Some(Format::Csv) | Some(Format::Table) => Format::Csv,
        Some(Format::Parquet) => Format::Parquet,
        Some(Format::Json) => Format::Json,
    };
    let checked = ctx.checked()?;
    let (ledger, _) = ledger::compute(&checked, true)?;
    let mut reports = vec![super::validate::report(&checked, &ledger)?];
    let mut skipped = Vec::new();
    let mut headline = serde_json::Map::new();
    let funnel = match checked.has(TableKind::Leads) {
        true => Some(super::lead_funnel(&checked)?),
        false => None,
    };
    if let Some(funnel) = funnel.clone() {
        let bands = super::bands::report(
            &checked,
            funnel.clone(),
            &ledger,
            &BandsArgs {
                by: Vec::new(),
                window: None,
                strict: false,
            },
        )?;
        headline.insert("bands".into(), super::headline::bands(&bands)?);
        reports.push(bands);
        if checked.has(TableKind::Spend) {
            let touches = checked.has(TableKind::Touches) && checked.has(TableKind::Deals);
            let roi = super::roi::report(
                &checked,
                funnel.clone(),
                &ledger,
                &RoiArgs {
                    by: "source".into(),
                    model: if touches { "all" } else { "lead_source" }.into(),
                    half_life_days: 7.0,
                    from: None,
                    to: None,
                },
            )?;
            headline.insert("roi".into(), super::headline::roi(&roi)?);
            reports.push(roi);
        } else {
            skipped.push("roi (needs a spend table)");
        }
        if checked.has(TableKind::Handoffs) {
            let contact = super::contact::report(
                &checked,
                funnel,
                &ledger,
                &ContactArgs {
                    by: Vec::new(),
                    sla_hours: None,
                    black_hole_days: None,
                },
            )?;
            headline.insert("contact".into(), super::headline::contact(&contact)?);
            reports.push(contact);
        } else {
            skipped.push("contact (needs a handoffs table)");
        }
    } else {
        skipped.push("bands (needs a leads table)");
        skipped.push("contact (needs a leads table)");
        skipped.push("roi (needs a leads table)");
    }
    if checked.has(TableKind::Deals) {
        let winloss = super::winloss::report(
            &checked,
            funnel,
            &ledger,
            &WinlossArgs {
                month: None,
                baseline: "previous".into(),
                dims: None,
            },
        )?;
        headline.insert("winloss".into(), super::headline::winloss(&winloss)?);
        reports.push(winloss);
    } else {
        skipped.push("winloss (needs a deals table)");
    }
    let mut files = Vec::new();
    for r in &reports {
        files.extend(output::files(r, format)?);
    }
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
    let written = output::atomic::write_all(&out, &files)?;

    writeln!(stdout, "leadloop report: {}", checked.source)?;
    writeln!(stdout, "- {}", ledger.summary())?;
    if let Some(b) = headline.get("bands") {
        writeln!(
            stdout,
            "- {} leads, {} won ({}); score AUC for won {}; {} band inversion(s)",
            fmt_count(b["leads"].as_u64().unwrap_or(0)),
            fmt_count(b["won"].as_u64().unwrap_or(0)),
            b["lead_to_won"]
                .as_f64()
                .map_or("–".into(), |r| format!("{:.1}%", r * 100.0)),
            b["auc_score_for_won"]
                .as_f64()
                .map_or("–".into(), |a| format!("{a:.2}")),
            b["inversions"].as_u64().unwrap_or(0),
        )?;
    }
    if let Some(r) = headline.get("roi") {
        let money = |k: &str| {
            r[k].as_f64()
                .map_or("–".to_string(), |v| fmt_count(v.round() as u64))
        };
        let mut line = format!(
            "- roi: spend {}, closed-won revenue {}, ROAS {}",
            money("spend"),
            money("revenue"),
            r["roas"].as_f64().map_or("–".into(), |v| format!("{v:.2}"))
        );
        if let Some(n) = r["sources_whose_roi_sign_depends_on_model"].as_u64() {
            line.push_str(&format!(
                "; {n} source(s) profitable under one attribution model and not another"
            ));
        }
        writeln!(stdout, "{line}")?;
    }
    if let Some(c) = reports
        .iter()
        .find(|r| r.analysis == "contact")
        .and_then(|r| r.headline.as_ref())
    {
        writeln!(stdout, "- contact: {c}")?;
    }
    if let Some(w) = reports
        .iter()
        .find(|r| r.analysis == "winloss")
        .and_then(|r| r.headline.as_ref())
    {
        writeln!(stdout, "- winloss: {w}")?;
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
