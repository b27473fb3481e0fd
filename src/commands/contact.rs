//! `leadloop contact`: MQLs never contacted, speed to lead, and the MQL→SQL
//! gap, per rep (or any `--by`), led by one sentence a sales leader can repeat.

use std::io::Write;

use polars::prelude::*;

use super::Context;
use crate::analysis::{contact, contact_gap, contact_speed, ALL_LABEL};
use crate::cli::ContactArgs;
use crate::error::{Error, Result};
use crate::output::Report;
use crate::quality::ledger::fmt_count;
use crate::quality::{Checked, Ledger};
use crate::stats::OddsRatio;

pub fn run(ctx: &Context, args: &ContactArgs, stdout: &mut dyn Write) -> Result<()> {
    for (flag, v) in [
        ("--sla-hours", args.sla_hours),
        ("--black-hole-days", args.black_hole_days),
    ] {
        if let Some(v) = v {
            super::positive(flag, v, "")?;
        }
    }
    let checked = ctx.checked()?;
    super::finish(ctx, &checked, stdout, |c, funnel, ledger| {
        report(c, funnel, ledger, args)
    })
}

/// The contact report; `funnel` is the materialised `lead_funnel`.
pub fn report(
    checked: &Checked,
    funnel: LazyFrame,
    ledger: &Ledger,
    args: &ContactArgs,
) -> Result<Report> {
    checked
        .require(
            crate::input::schema::TableKind::Handoffs,
            "contact (first MQL and first contact times)",
        )
        .map(drop)?;
    let as_of = super::as_of(checked, ledger);
    let by = if args.by.is_empty() {
        vec!["rep".to_string()]
    } else {
        args.by.clone()
    };
    let opts = contact::Options {
        by: by.clone(),
        sla_hours: args.sla_hours.unwrap_or(checked.settings.sla_hours),
        black_hole_days: args
            .black_hole_days
            .unwrap_or(checked.settings.black_hole_days),
        as_of: as_of.micros,
        band_order: super::band_order(checked),
    };
    let mqls = contact::mqls(funnel.clone(), &opts)?.cache();
    let untimed = funnel
        .filter(col("reached_mql").and(col("mql_at").is_null()))
        .select([len().alias("n")]);
    let plans = vec![
        contact::table(mqls.clone(), &opts)?.logical_plan,
        contact_speed::table(mqls.clone())?.logical_plan,
        contact_speed::by_band(mqls.clone(), &opts.band_order).logical_plan,
        contact_speed::effect_counts(mqls.clone()).logical_plan,
        contact_gap::table(mqls, &by)?.logical_plan,
        untimed.logical_plan,
    ];
    let results = LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default())?;
    let [table, speed, speed_by_band, counts, gap, untimed] =
        <[DataFrame; 6]>::try_from(results)
            .map_err(|_| Error::Internal("contact: expected six results".into()))?;
    let strata = contact_speed::strata(&counts)?;
    let (effect, adjusted) = contact_speed::effect(&strata)?;

    let by_text = by.join(" × ");
    let mut report = Report::new("contact");
    report.headline = headline(&table, adjusted, &opts)?;
    report = report
        .table("contact", &format!("MQL contact by {by_text}"), table)
        .table(
            "speed",
            "Speed to lead: SQL rate by time to first contact (mature MQLs)",
            speed,
        )
        .table(
            "speed_by_band",
            "Speed to lead within each score band (mature MQLs)",
            speed_by_band,
        )
        .table(
            "speed_effect",
            &format!(
                "Odds of SQL, contacted within {} h vs later (band-adjusted: lead quality held fixed)",
                fmt_num(opts.sla_hours)
            ),
            effect,
        )
        .table(
            "gap",
            &format!("Where MQLs stop, by {by_text}: SQL / contacted not SQL / not contacted"),
            gap,
        );
    report.notes.push(format!(
        "SLA {} h: mature_mql = MQLs whose SLA window has elapsed by as_of; never_contacted includes MQLs still inside it; black_hole = never contacted and older than {} days",
        fmt_num(opts.sla_hours),
        fmt_num(opts.black_hole_days)
    ));
    report.notes.push(
        "first contact = the earliest contacted handoff or sales activity at or after the first MQL; a contact before the MQL does not count".into(),
    );
    let untimed = untimed.column("n")?.cast(&DataType::UInt64)?;
    if let Some(n) = untimed.u64()?.get(0).filter(|n| *n > 0) {
        report.notes.push(format!(
            "{} MQLs known only by a flag (no MQL time) are left out: contact cannot be timed from them",
            fmt_count(n)
        ));
    }
    report.notes.push(as_of.note);
    report.notes.push(ledger.summary());
    Ok(report)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The sentence a sales leader can repeat, from the overall row.
fn headline(
    table: &DataFrame,
    effect: Option<OddsRatio>,
    opts: &contact::Options,
) -> Result<Option<String>> {
    let group = table.column("group")?.str()?.clone();
    let Some(i) = (0..table.height()).find(|&i| group.get(i) == Some(ALL_LABEL)) else {
        return Ok(None);
    };
    let u = |c: &str| -> Result<u64> {
        Ok(table
            .column(c)?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(i)
            .unwrap_or(0))
    };
    let f = |c: &str| -> Result<Option<f64>> { Ok(table.column(c)?.f64()?.get(i)) };
    let (mature, never, black_hole) = (
        u("mature_mql")?,
        u("mature_never_contacted")?,
        u("black_hole")?,
    );
    if u("mql")? == 0 {
        return Ok(Some(
            "No MQLs with a time: nothing to measure contact from.".into(),
        ));
    }
    let mut s = String::new();
    match (f("mature_never_rate")?, f("mature_never_rate_lo")?, f("mature_never_rate_hi")?) {
        (Some(r), Some(lo), Some(hi)) => s.push_str(&format!(
            "{} of {} mature MQLs ({}, {}–{}) were never contacted; {} have waited more than {} days (the black hole).",
            fmt_count(never),
            fmt_count(mature),
            pct(r),
            pct(lo),
            pct(hi),
            fmt_count(black_hole),
            fmt_num(opts.black_hole_days)
        )),
        _ => s.push_str("No MQL has passed its SLA window yet."),
    }
    if let (Some(r), Some(median)) = (f("sla_rate")?, f("median_hours_to_contact")?) {
        s.push_str(&format!(
            " {} were contacted within {} h; the median first contact took {:.1} h.",
            pct(r),
            fmt_num(opts.sla_hours),
            median
        ));
    }
    if let (Some(c), Some(n)) = (f("sql_rate_contacted")?, f("sql_rate_uncontacted")?) {
        s.push_str(&format!(
            " Contacted MQLs became SQL at {}, never-contacted ones at {}.",
            pct(c),
            pct(n)
        ));
    }
    if let Some(OddsRatio {
        estimate,
        lo: Some(lo),
        hi: Some(hi),
        ..
    }) = effect
    {
        let chance = if lo <= 1.0 && hi >= 1.0 {
            ", which could be chance"
        } else {
            ""
        };
        s.push_str(&format!(
            " With score band held fixed, contact within {} h goes with {:.2}× the odds of SQL (95% CI {:.2}–{:.2}){chance}.",
            fmt_num(opts.sla_hours),
            estimate,
            lo,
            hi
        ));
    }
    Ok(Some(s))
}
