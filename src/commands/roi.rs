//! `leadloop roi`: spend against leads and revenue per source or campaign,
//! under one attribution model or all of them, reconciled to closed-won
//! revenue.

use std::io::Write;

use chrono::NaiveDate;
use polars::prelude::*;

use super::Context;
use crate::analysis::attribution::{self, markov, Model};
use crate::analysis::roi::{self, Inputs, Options};
use crate::cli::RoiArgs;
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::Report;
use crate::quality::{Checked, Ledger};

fn day(flag: &str, v: &Option<String>) -> Result<Option<i32>> {
    let Some(s) = v else { return Ok(None) };
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::bad_argument(format!("{flag} {s}: give a date as YYYY-MM-DD")))?;
    let epoch =
        NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| Error::Internal("epoch".into()))?;
    Ok(Some((d - epoch).num_days() as i32))
}

/// The models `--model` asks for, checked before any data is read.
fn models(args: &RoiArgs) -> Result<Vec<Model>> {
    if args.model == "all" {
        return Ok(attribution::MODELS.to_vec());
    }
    Model::from_name(&args.model)
        .map(|m| vec![m])
        .ok_or_else(|| {
            Error::bad_argument(format!(
                "--model {}: no such model; models: {}, all",
                args.model,
                roi::model_names().join(", ")
            ))
        })
}

fn options(checked: &Checked, args: &RoiArgs) -> Result<Options> {
    if args.by != "source" && args.by != "campaign_id" {
        return Err(Error::bad_argument(format!(
            "--by {}: roi groups by source or campaign_id",
            args.by
        )));
    }
    super::positive("--half-life-days", args.half_life_days, " of days")?;
    let (from_day, to_day) = (day("--from", &args.from)?, day("--to", &args.to)?);
    if let (Some(f), Some(t)) = (from_day, to_day) {
        if f > t {
            return Err(Error::bad_argument("--from is after --to"));
        }
    }
    Ok(Options {
        by: args.by.clone(),
        from_day,
        to_day,
        timezone: checked.settings.timezone.clone(),
        half_life_days: args.half_life_days,
    })
}

pub fn run(ctx: &Context, args: &RoiArgs, stdout: &mut dyn Write) -> Result<()> {
    models(args)?;
    let checked = ctx.checked()?;
    options(&checked, args)?;
    checked.require(TableKind::Spend, "roi").map(drop)?;
    super::finish(ctx, &checked, stdout, |c, funnel, ledger| {
        report(c, funnel, ledger, args)
    })
}

/// The roi report; `funnel` is the materialised `lead_funnel`.
pub fn report(
    checked: &Checked,
    funnel: LazyFrame,
    ledger: &Ledger,
    args: &RoiArgs,
) -> Result<Report> {
    let opts = options(checked, args)?;
    let wanted = models(args)?;
    let leads = checked.require_keyed(TableKind::Leads, "roi")?;
    let inputs = Inputs {
        funnel,
        leads,
        deals: checked.keyed(TableKind::Deals),
        touches: checked.keyed(TableKind::Touches),
        spend: checked.require(TableKind::Spend, "roi")?,
    };
    let all = args.model == "all";
    let mut skipped = Vec::new();
    let mut chosen = Vec::new();
    for m in wanted {
        if roi::available(m, &inputs) {
            chosen.push(m);
        } else if all {
            skipped.push(m.name());
        } else {
            return Err(Error::MissingTable {
                table: "touches".into(),
                place: checked.source.clone(),
                hint: format!(" (--model {} needs touches and deals)", m.name()),
            });
        }
    }
    // Won deals and touches are read and judged once, held in memory (narrow:
    // keys, times, the group) and shared by every model, which then run one
    // at a time so peak memory is one model's, not all of them at once.
    let collect = |f: Option<LazyFrame>| -> Result<Option<LazyFrame>> {
        Ok(match f {
            Some(f) => Some(super::streamed(f)?.lazy()),
            None => None,
        })
    };
    let needs_touches = chosen.iter().any(|m| m.needs_touches());
    let (deals, touches) = if needs_touches {
        (
            collect(roi::won_deals(&inputs, &opts))?,
            collect(roi::touches(&inputs, &opts))?,
        )
    } else {
        (roi::won_deals(&inputs, &opts), None)
    };
    let removal = match (&deals, &touches, chosen.contains(&Model::Markov)) {
        (Some(d), Some(t), true) => {
            let counts =
                markov::transitions(roi::markov_paths(d.clone(), t.clone(), &inputs, &opts))?
                    .collect()?;
            Some(markov::removal(&counts)?)
        }
        _ => None,
    };
    let mut results = Vec::new();
    for m in &chosen {
        let model = match (m, &deals, &touches) {
            (Model::LeadSource, _, _) => None,
            (_, Some(d), Some(t)) => {
                let credits = attribution::credits(
                    *m,
                    d.clone(),
                    t.clone(),
                    opts.half_life_days,
                    removal.as_ref(),
                )?;
                Some(roi::attributed(d.clone(), credits))
            }
            _ => return Err(Error::Internal("roi: touch model without touches".into())),
        };
        results.push(roi::table(&inputs, &opts, model)?.collect()?);
    }
    // Closed-won revenue of the cohort: every model must add up to it.
    let closed_won = match &deals {
        Some(d) => d
            .clone()
            .select([col(attribution::AMOUNT).sum().alias("r")]),
        None => inputs
            .funnel
            .clone()
            .filter(roi::cohort_filter(&opts))
            .select([col("revenue").sum().alias("r")]),
    };
    let closed = closed_won.collect()?;
    let closed_won = closed.column("r")?.f64()?.get(0).unwrap_or(0.0);
    let tables: Vec<(Model, DataFrame)> = chosen.iter().copied().zip(results).collect();
    let reconciliation = roi::reconciliation(&tables, &opts.by, closed_won)?;

    let period = match (&args.from, &args.to) {
        (None, None) => "all leads".to_string(),
        (f, t) => format!(
            "leads created {} to {}",
            f.as_deref().unwrap_or("the start"),
            t.as_deref().unwrap_or("the end")
        ),
    };
    let mut report = Report::new("roi");
    let by = &opts.by;
    let (main_model, main) = tables
        .first()
        .cloned()
        .ok_or_else(|| Error::Internal("roi: no model".into()))?;
    report = report.table(
        "roi",
        &format!(
            "Return on spend by {by} ({period}; model {})",
            main_model.name()
        ),
        main,
    );
    if all {
        let lazy: Vec<(Model, LazyFrame)> =
            tables.iter().map(|(m, t)| (*m, t.clone().lazy())).collect();
        let side = roi::side_by_side(&lazy, by)?.collect()?;
        report = report.table(
            "models",
            &format!("Attributed revenue and won credit by {by}, every model side by side"),
            side,
        );
    }
    report = report.table(
        "reconciliation",
        "Attributed + unattributed = closed-won revenue, per model",
        reconciliation.clone(),
    );
    let models = reconciliation.column("model")?.str()?.clone();
    let attributed = reconciliation.column("attributed_revenue")?.f64()?.clone();
    let unattributed = reconciliation
        .column("unattributed_revenue")?
        .f64()?
        .clone();
    for i in 0..reconciliation.height() {
        report.notes.push(format!(
            "{}: attributed {:.2} + unattributed {:.2} = closed-won {:.2}",
            models.get(i).unwrap_or(""),
            attributed.get(i).unwrap_or(0.0),
            unattributed.get(i).unwrap_or(0.0),
            closed_won
        ));
    }
    if !skipped.is_empty() {
        report.notes.push(format!(
            "left out (no touches or deals table): {}",
            skipped.join(", ")
        ));
    }
    report.notes.push(
        "won: leads with a won deal under lead_source; under a touch model, won deals credited (fractions)"
            .into(),
    );
    if chosen.contains(&Model::TimeDecay) {
        report
            .notes
            .push(format!("time_decay half-life {} days", opts.half_life_days));
    }
    report.notes.push(ledger.summary());
    Ok(report)
}
