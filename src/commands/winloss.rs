//! `leadloop winloss`: the month's win rate and revenue against a baseline,
//! what moved them (mix or rate, per segment, with p-values), and a revenue
//! bridge. Runs on a deals table alone; lead dimensions and lookups join in
//! when present.

use std::io::Write;

use chrono::{Datelike, Duration, TimeZone};
use polars::prelude::*;

use super::Context;
use crate::analysis::winloss::{self, bridge, drivers, monthly};
use crate::cli::WinlossArgs;
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, LEAD_ROW, REP_ID};
use crate::output::{self, Report};
use crate::quality::ledger::fmt_count;
use crate::quality::{ledger, Checked, Ledger};

pub fn run(ctx: &Context, args: &WinlossArgs, stdout: &mut dyn Write) -> Result<()> {
    if let Some(m) = &args.month {
        winloss::month_index(m)
            .ok_or_else(|| Error::bad_argument(format!("--month {m}: give a month as YYYY-MM")))?;
    }
    baseline_months(&args.baseline, 0)?;
    let checked = ctx.checked()?;
    checked.require(TableKind::Deals, "winloss").map(drop)?;
    let (ledger, _) = ledger::compute(&checked, true)?;
    let funnel = match checked.has(TableKind::Leads) {
        true => Some(super::lead_funnel(&checked)?),
        false => None,
    };
    let report = report(&checked, funnel, &ledger, args)?;
    output::emit(&report, ctx.format, ctx.out.as_deref(), stdout)?;
    Ok(())
}

fn baseline_months(baseline: &str, month: i32) -> Result<Vec<i32>> {
    match baseline {
        "previous" => Ok(vec![month - 1]),
        "trailing3" => Ok(vec![month - 3, month - 2, month - 1]),
        other => Err(Error::bad_argument(format!(
            "--baseline {other}: give previous or trailing3"
        ))),
    }
}

/// The latest calendar month complete by `as_of` (in the configured zone).
fn default_month(as_of_micros: i64, timezone: &str) -> Result<i32> {
    let tz: chrono_tz::Tz = timezone
        .parse()
        .map_err(|_| Error::Internal(format!("time zone {timezone}")))?;
    let t = chrono::Utc
        .timestamp_micros(as_of_micros)
        .single()
        .ok_or_else(|| Error::Internal("as_of out of range".into()))?
        + Duration::microseconds(1);
    let local = t.with_timezone(&tz);
    // The month that `as_of` (plus its last microsecond) falls in is not
    // complete unless as_of is its very end; the one before always is.
    Ok(local.year() * 12 + local.month0() as i32 - 1)
}

/// Deals with every dimension they can have: their own columns, `rep` (the
/// deal's owner), the lead's source, band and columns (when leads exist),
/// and lookup columns. Returns the frame and the default dimensions.
fn deals_with_dimensions(
    checked: &Checked,
    funnel: Option<LazyFrame>,
) -> Result<(LazyFrame, Vec<String>)> {
    let deal_spec: Vec<&str> = TableKind::Deals.columns().iter().map(|c| c.name).collect();
    let keyed = checked.keyed(TableKind::Deals);
    let (mut frame, funnel) = match (keyed, funnel) {
        (Some(d), Some(f)) => (d, Some(f)),
        _ => (checked.require(TableKind::Deals, "winloss")?, None),
    };
    let mut names: Vec<String> = frame
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let deal_extras: Vec<String> = names
        .iter()
        .filter(|n| !deal_spec.contains(&n.as_str()) && !n.starts_with("__"))
        .cloned()
        .collect();
    frame = frame.with_column(col(REP_ID).cast(DataType::String).alias("rep"));
    names.push("rep".into());
    let lead_extras = match funnel {
        Some(f) => {
            let (joined, extras) = join_lead_columns(frame, f, &mut names)?;
            frame = joined;
            extras
        }
        None => Vec::new(),
    };
    let (frame, lookup_cols) = join_lookups(checked, frame, &mut names)?;
    let mut dims: Vec<String> = ["source", "band", "rep"]
        .iter()
        .filter(|d| names.iter().any(|n| n == *d))
        .map(|d| d.to_string())
        .collect();
    for d in deal_extras
        .into_iter()
        .chain(lookup_cols)
        .chain(lead_extras)
    {
        if !dims.contains(&d) {
            dims.push(d);
        }
    }
    Ok((frame, dims))
}

/// Joins the lead's own columns and band onto keyed deals (skipping names
/// the deals already have); returns the lead columns that are dimensions
/// beyond the canonical ones.
fn join_lead_columns(
    deals: LazyFrame,
    mut funnel: LazyFrame,
    names: &mut Vec<String>,
) -> Result<(LazyFrame, Vec<String>)> {
    let lead_spec: Vec<&str> = TableKind::Leads.columns().iter().map(|c| c.name).collect();
    // lead_funnel's own lead columns come before its facts (`mql_at` first).
    let lead_cols: Vec<String> = funnel
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .take_while(|n| n != crate::funnel::COLUMNS[0])
        .filter(|n| n != "lead_id" && n != "created_at")
        .chain(["band".to_string()])
        .collect();
    let mut pick = vec![col(LEAD_ROW)];
    let mut extras = Vec::new();
    for c in lead_cols {
        if names.contains(&c) {
            continue;
        }
        pick.push(col(c.as_str()));
        if !lead_spec.contains(&c.as_str()) && c != "band" {
            extras.push(c.clone());
        }
        names.push(c);
    }
    // lead_funnel's rows are the used leads in order: row i is lead row i.
    let joined = deals.join(
        funnel.with_row_index(LEAD_ROW, None).select(pick),
        [col(LEAD_ROW)],
        [col(LEAD_ROW)],
        JoinArgs::new(JoinType::Left),
    );
    Ok((joined, extras))
}

/// Joins every lookup whose key is among `names` (its new columns only);
/// returns the lookup columns added.
fn join_lookups(
    checked: &Checked,
    mut frame: LazyFrame,
    names: &mut Vec<String>,
) -> Result<(LazyFrame, Vec<String>)> {
    let mut added = Vec::new();
    for (cfg, plan) in &checked.lookups {
        if !names.contains(&cfg.key) {
            continue;
        }
        let mut l = plan.used();
        let cols: Vec<String> = l
            .collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .filter(|n| n != &cfg.key && !names.contains(n))
            .collect();
        let mut pick = vec![col(cfg.key.as_str()).alias("__lookup_key")];
        pick.extend(cols.iter().map(|c| col(c.as_str())));
        frame = frame
            .with_column(
                col(cfg.key.as_str())
                    .cast(DataType::String)
                    .alias("__deal_key"),
            )
            .join(
                l.select(pick),
                [col("__deal_key")],
                [col("__lookup_key")],
                JoinArgs::new(JoinType::Left),
            );
        names.extend(cols.iter().cloned());
        added.extend(cols);
    }
    Ok((frame, added))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn money(v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "" };
    format!("{sign}{}", fmt_count(v.abs().round() as u64))
}

/// Percentage points with a sign (− for a fall).
fn points(v: f64) -> String {
    let p = format!("{:.1}", (v * 100.0).abs());
    match v {
        v if v < 0.0 && p != "0.0" => format!("−{p}"),
        _ => format!("+{p}"),
    }
}

fn signed_money(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", money(v))
    } else {
        money(v)
    }
}

/// The winloss report. `funnel` is the materialised `lead_funnel` when the
/// data set has leads.
pub fn report(
    checked: &Checked,
    funnel: Option<LazyFrame>,
    ledger: &Ledger,
    args: &WinlossArgs,
) -> Result<Report> {
    let tz = checked.settings.timezone.clone();
    let as_of = super::as_of(checked, ledger);
    let (frame, default_dims) = deals_with_dimensions(checked, funnel)?;
    // Read once: the closed deals and the count of unplaced ones share it.
    let frame = frame.cache();
    let dims = match &args.dims {
        None => default_dims,
        Some(list) => {
            let mut f = frame.clone();
            let schema = f.collect_schema()?;
            let dims: Vec<String> = list
                .split(',')
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .collect();
            for d in &dims {
                if !schema.contains(d) {
                    return Err(Error::bad_argument(format!(
                        "--dims {d}: no such deal, lead or lookup column; dimensions: {}",
                        schema
                            .iter_names()
                            .filter(|n| !n.starts_with("__"))
                            .map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
            dims
        }
    };
    let month_idx = match &args.month {
        Some(m) => winloss::month_index(m)
            .ok_or_else(|| Error::bad_argument(format!("--month {m}: give a month as YYYY-MM")))?,
        None => default_month(as_of.micros, &tz)?,
    };
    let month = winloss::month_name(month_idx);
    let base: Vec<String> = baseline_months(&args.baseline, month_idx)?
        .into_iter()
        .map(winloss::month_name)
        .collect();
    let closed = winloss::closed(frame.clone(), &dims, &tz).cache();
    let unplaced = frame
        .filter(
            col(crate::input::schema::STATUS)
                .eq(lit("lost"))
                .and(col(crate::input::schema::CLOSED_AT).is_null()),
        )
        .select([len().cast(DataType::UInt64).alias("n")]);
    let plans = vec![
        monthly::table(closed.clone()).logical_plan,
        monthly::loss_reasons(closed.clone())?.logical_plan,
        drivers::table(closed, &dims, &month, &base)?.logical_plan,
        unplaced.logical_plan,
    ];
    let results = LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default())?;
    let [months, reasons, driver_table, unplaced] = <[DataFrame; 4]>::try_from(results)
        .map_err(|_| Error::Internal("winloss: expected four results".into()))?;
    let driver_table = drivers::with_p_values(driver_table)?;

    // The two periods, from the monthly table.
    let names = months.column("month")?.str()?.clone();
    let get = |c: &str| -> Result<Vec<f64>> {
        Ok(months
            .column(c)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let (won, lost, revenue) = (get("won")?, get("lost")?, get("revenue")?);
    let period = |wanted: &[String]| {
        let mut p = bridge::Period {
            deals: 0.0,
            won: 0.0,
            revenue: 0.0,
        };
        for i in 0..months.height() {
            if names.get(i).is_some_and(|m| wanted.iter().any(|w| w == m)) {
                p.deals += won[i] + lost[i];
                p.won += won[i];
                p.revenue += revenue[i];
            }
        }
        // A pooled baseline is compared as a monthly average.
        let k = wanted.len() as f64;
        bridge::Period {
            deals: p.deals / k,
            won: p.won / k,
            revenue: p.revenue / k,
        }
    };
    let (p1, p0) = (period(std::slice::from_ref(&month)), period(&base));
    let b = bridge::bridge(p0, p1);
    let bridge_table = df!(
        "factor" => ["closed deals", "win rate", "average won deal size", "revenue"],
        "baseline" => [b.base[0], b.base[1], b.base[2], p0.revenue],
        "month" => [b.month[0], b.month[1], b.month[2], p1.revenue],
        "effect" => [b.volume, b.win_rate, b.deal_size, p1.revenue - p0.revenue],
    )?;

    let base_label = match args.baseline.as_str() {
        "trailing3" => format!("{} to {} (monthly average)", base[0], base[2]),
        _ => base[0].clone(),
    };
    let mut report = Report::new("winloss");
    report.headline = Some(headline(&month, &base_label, p0, p1, &b, &driver_table)?);
    report = report
        .table("winloss", "Deals closed per month", months)
        .table(
            "loss_reasons",
            "Loss reasons, share of each month's lost deals",
            reasons,
        )
        .table(
            "drivers",
            &format!("What moved win rate in {month} against {base_label}, by segment"),
            driver_table,
        )
        .table(
            "bridge",
            &format!("Revenue bridge, {month} against {base_label} (Shapley split)"),
            bridge_table,
        );
    report.notes.push(format!(
        "month {month} ({}); baseline {base_label}; dimensions: {}",
        if args.month.is_some() {
            "--month"
        } else {
            "the latest month complete by as_of"
        },
        dims.join(", ")
    ));
    report.notes.push(
        "contribution = w1·r1 − w0·r0 = mix + rate + interaction; within a dimension the contributions add up to the change in win rate; p_value: two-proportion z-test of the segment's win rate against the baseline's".into(),
    );
    report.notes.push(
        "revenue bridge: revenue = closed deals × win rate × average won deal size; the three effects are the symmetric Shapley split of the change and add up to it".into(),
    );
    let unplaced = unplaced.column("n")?.u64()?.get(0).unwrap_or(0);
    if unplaced > 0 {
        report.notes.push(format!(
            "{} lost deals have no closed_at: they have no month and are left out",
            fmt_count(unplaced)
        ));
    }
    if !checked.has(TableKind::Leads) {
        report
            .notes
            .push("no leads table: dimensions come from the deals (and lookups) alone".into());
    }
    report.notes.push(as_of.note);
    report.notes.push(ledger.summary());
    Ok(report)
}

/// What a leader reads aloud: the change, the bridge, the three largest drivers.
fn headline(
    month: &str,
    base: &str,
    p0: bridge::Period,
    p1: bridge::Period,
    b: &bridge::Bridge,
    drivers: &DataFrame,
) -> Result<String> {
    if p1.deals == 0.0 {
        return Ok(format!("No deals closed in {month}."));
    }
    let (r0, r1) = (b.base[1], b.month[1]);
    let verb = if r1 < r0 {
        "fell"
    } else if r1 > r0 {
        "rose"
    } else {
        "held"
    };
    let mut s = format!(
        "Win rate {verb} from {} ({base}) to {} in {month} ({} points); revenue {} → {} ({}: volume {}, win rate {}, deal size {}).",
        pct(r0),
        pct(r1),
        points(r1 - r0),
        money(p0.revenue),
        money(p1.revenue),
        signed_money(p1.revenue - p0.revenue),
        signed_money(b.volume),
        signed_money(b.win_rate),
        signed_money(b.deal_size),
    );
    let n = drivers.height().min(3);
    if n > 0 {
        let dim = drivers.column("dimension")?.str()?.clone();
        let value = drivers.column("value")?.str()?.clone();
        let contribution = drivers.column("contribution")?.f64()?.clone();
        let p = drivers.column("p_value")?.f64()?.clone();
        let parts: Vec<String> = (0..n)
            .map(|i| {
                let pv = p.get(i);
                let sig = match pv {
                    Some(v) if v < 0.05 => format!("p = {v:.3}"),
                    Some(v) => format!("p = {v:.2}, not significant"),
                    None => "no test: absent from one period".into(),
                };
                format!(
                    "{} = {} ({} points, {sig})",
                    dim.get(i).unwrap_or(""),
                    value.get(i).unwrap_or(""),
                    points(contribution.get(i).unwrap_or(0.0))
                )
            })
            .collect();
        s.push_str(&format!(" Largest drivers: {}.", parts.join("; ")));
    }
    Ok(s)
}
