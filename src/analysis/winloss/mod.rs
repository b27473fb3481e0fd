//! `winloss`: what moved win rate and revenue this month, and is it real
//! (SPEC §4 "winloss"). Reads closed deals with their dimensions; works on
//! an opportunity export alone (no leads).
//!
//! - `monthly`: deals closed per month and loss reasons.
//! - `drivers`: the change in win rate between a month and its baseline,
//!   split per segment of each dimension into mix, rate and interaction.
//! - `bridge`: the change in revenue split into volume, win-rate and
//!   deal-size effects (symmetric Shapley split).
//! - `dimensions`: the deals with every dimension they can have.
//! - `headline`: the figures and the sentence a leader reads aloud.
//!
//! Definitions: a closed deal is `won` or `lost` with a `closed_at`; its
//! month is that of `closed_at` in the configured zone. Decision where the
//! spec is silent: a lost deal without `closed_at` has no month and is left
//! out (with a note saying how many); the default month is the latest
//! calendar month complete by as_of (as_of at the very end of a month makes
//! that month complete).

pub mod bridge;
pub mod dimensions;
pub mod drivers;
mod headline;
mod month;
pub mod monthly;

use polars::prelude::*;

pub use headline::WinlossSummary;
pub use month::{Baseline, Month};

use super::plan::{take, Analysis, Inputs, Need, Step};
use super::{count, Row, NONE_LABEL};
use crate::config::Zone;
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, AMOUNT, CLOSED_AT, CREATED_AT, STATUS};
use crate::input::time::{in_zone, micros, DAY_US};
use crate::output::format::{self, Unit};
use crate::output::Report;

/// What the user chose (`leadloop winloss` flags); the default is `report`'s run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The month to explain; default the latest month complete by as_of.
    pub month: Option<Month>,
    pub baseline: Baseline,
    /// Dimensions; default source, band, rep, then every other deal,
    /// lookup and lead column.
    pub dims: Option<Vec<String>>,
}

/// Closed deals: `month` (YYYY-MM), `__won` (bool), `__amount` (won
/// revenue, 0 for lost), `__cycle_days`, every dimension as text (null as
/// `(none)`), and `loss_reason`.
pub fn closed(deals: LazyFrame, dims: &[String], zone: &Zone) -> LazyFrame {
    let mut cols = vec![
        in_zone(col(CLOSED_AT), zone)
            .dt()
            .to_string("%Y-%m")
            .alias("month"),
        col(STATUS).eq(lit("won")).alias("__won"),
        when(col(STATUS).eq(lit("won")))
            .then(col(AMOUNT).fill_null(lit(0.0)))
            .otherwise(lit(0.0))
            .alias("__amount"),
        ((micros(col(CLOSED_AT)) - micros(col(CREATED_AT))) / lit(DAY_US)).alias("__cycle_days"),
    ];
    // The loss reason is also a dimension when `--dims` names it: once.
    if !dims.iter().any(|d| d == crate::input::schema::LOSS_REASON) {
        cols.push(
            col(crate::input::schema::LOSS_REASON)
                .cast(DataType::String)
                .fill_null(lit(NONE_LABEL))
                .alias("loss_reason"),
        );
    }
    cols.extend(dims.iter().map(|d| {
        col(d.as_str())
            .cast(DataType::String)
            .fill_null(lit(NONE_LABEL))
            .alias(d.as_str())
    }));
    deals
        .filter(
            col(STATUS)
                .eq(lit("won"))
                .or(col(STATUS).eq(lit("lost")))
                .and(col(CLOSED_AT).is_not_null()),
        )
        .select(cols)
}

/// Units of the monthly table's columns.
const UNITS: [(&str, Unit); 4] = [
    ("win_rate", Unit::Rate),
    ("revenue", Unit::Money),
    ("avg_deal_size", Unit::Money),
    ("median_cycle_days", Unit::Days),
];

/// Won deals with not one lost that make an export of won deals, not a
/// sample of a win rate: at a win rate of even 80%, 30 wins in a row come
/// about once in 800 samples (0.8³⁰ ≈ 0.0012).
const WINS_WITHOUT_A_LOSS: u64 = 30;

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "winloss"
    }

    fn requires(&self) -> &'static [Need] {
        &[Need::Table(TableKind::Deals)]
    }

    fn reads_touches(&self) -> bool {
        false
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let (frame, all_dims) =
            dimensions::deals_with_dimensions(inputs.checked, inputs.funnel_if_any())?;
        // Read once: the closed deals and the count of unplaced ones share it.
        let frame = frame.cache();
        let schema = frame.clone().collect_schema()?;
        match &self.dims {
            Some(dims) => {
                for (i, d) in dims.iter().enumerate() {
                    if dims[..i].contains(d) {
                        return Err(Error::bad_argument(format!("--dims {d}: given twice")));
                    }
                    if d == "month" {
                        return Err(Error::bad_argument(
                            "--dims month: month is winloss's own column (the month closed)",
                        ));
                    }
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
                    if schema.get(d).is_some_and(|t| t.is_nested()) {
                        return Err(Error::bad_argument(format!(
                            "--dims {d}: a list or struct column has no one value per deal to group by"
                        )));
                    }
                }
                self.plan(inputs, frame, dims.clone(), Vec::new())
            }
            None => {
                // Which columns a leader would segment by depends on how
                // many values each has among closed deals: counted first.
                let defaults = dimensions::Defaults::sort(&all_dims, &schema);
                let counts =
                    defaults.counts(closed(frame.clone(), &defaults.candidates, inputs.zone()));
                // Streamed, as the other collect: the deals' lead columns are
                // picked from lead_funnel in batches.
                Ok(Step::stream(vec![counts], move |frames| {
                    let [counts] = take(frames, "winloss")?;
                    let (dims, left_out) = defaults.choose(&counts)?;
                    self.plan(inputs, frame, dims, left_out)
                }))
            }
        }
    }
}

impl Options {
    /// The monthly, loss-reason and driver tables over `dims`.
    fn plan<'a>(
        &'a self,
        inputs: &'a Inputs<'a>,
        frame: LazyFrame,
        dims: Vec<String>,
        left_out: Vec<(String, String)>,
    ) -> Result<Step<'a>> {
        let zone = *inputs.zone();
        let month = match self.month {
            Some(m) => m,
            None => Month::complete_by(inputs.as_of.required("winloss (without --month)")?, &zone)?,
        };
        let base = self.baseline.months(month);
        let names = |ms: &[Month]| ms.iter().map(Month::to_string).collect::<Vec<_>>();
        let closed = closed(frame.clone(), &dims, &zone).cache();
        let won = col(STATUS).eq(lit("won"));
        let unplaced = frame.select([
            // Lost deals with no close time: no month, but losses.
            count(col(STATUS).eq(lit("lost")).and(col(CLOSED_AT).is_null())).alias("n"),
            // Every lost deal, with a close time or not.
            count(col(STATUS).eq(lit("lost"))).alias("lost"),
            // Won deals of no amount (Olist's declared revenue is 0 on
            // most: its months read 0.00 revenue unexplained).
            count(won.clone()).alias("won"),
            count(won.and(col(AMOUNT).fill_null(lit(0.0)).eq(lit(0.0)))).alias("won_zero"),
        ]);
        // The month's largest won deal, against its revenue.
        let largest = closed
            .clone()
            .filter(col("month").eq(lit(month.to_string())).and(col("__won")))
            .select([
                col("__amount").max().alias("largest"),
                col("__amount").sum().alias("revenue"),
            ]);
        let plans = vec![
            monthly::table(closed.clone()),
            monthly::loss_reasons(closed.clone())?,
            drivers::table(closed, &dims, &month.to_string(), &names(&base))?,
            unplaced,
            largest,
        ];
        Ok(Step::stream(plans, move |frames| {
            self.finish(inputs, frames, month, &base, &dims, &left_out)
        }))
    }

    fn finish<'a>(
        &self,
        inputs: &Inputs,
        frames: Vec<DataFrame>,
        month: Month,
        base: &[Month],
        dims: &[String],
        left_out: &[(String, String)],
    ) -> Result<Step<'a>> {
        let [months, reasons, driver_table, totals, largest] = take(frames, "winloss")?;
        // A --month outside the months any deal closed in has nothing to
        // analyse (it printed "No deals closed in 2030-01", exit 0); an
        // empty month between them is a finding and stays one.
        let closed: Vec<String> = months
            .column("month")?
            .cast(&DataType::String)?
            .str()?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let span = closed.iter().min().zip(closed.iter().max());
        if self.month.is_some() {
            let wanted = month.to_string();
            if let Some((first, last)) = span {
                if wanted < *first || wanted > *last {
                    return Err(crate::error::Error::NothingToAnalyse {
                        detail: format!(
                            "winloss --month {wanted}: no deal closed then; the deals closed from {first} to {last}"
                        ),
                    });
                }
            }
        }
        let (p1, p0) = (
            headline::period(&months, &[month])?,
            headline::period(&months, base)?,
        );
        let base_label = match base {
            [only] => only.to_string(),
            [first, .., last] => format!("{first} to {last}, pooled"),
            [] => String::new(),
        };
        // A win rate of a period without closed deals is undefined: nothing
        // to compare, so no drivers and no bridge (issue 13), only a note.
        // So is one whose export records no loss at all (an export of won
        // deals read through IsWon/IsClosed: a user trial saw "drivers" of
        // a win rate of 100% every month): at least WINS_WITHOUT_A_LOSS won
        // deals and not one lost. Fewer wins may be a small sample of a
        // real win rate, which keeps its (wide) interval.
        // Over every used deal: lost deals without a close time have no
        // month, but are losses (a won deal always has one: SPEC §1).
        let total_of = |c: &str| Row::at(&totals, 0).map_or(Ok(0), |r| r.count(c));
        let (unplaced, lost_all, won_all) = (total_of("n")?, total_of("lost")?, total_of("won")?);
        let no_loss = lost_all == 0 && won_all >= WINS_WITHOUT_A_LOSS;
        let won_only = inputs.checked.deals_won_only || no_loss;
        let empty = match (won_only, p0.deals > 0.0, p1.deals > 0.0) {
            (true, _, _) if inputs.checked.deals_won_only => Some(
                "the deals record won deals only (status is the config's constant \"won\"): no loss is recorded, so there is no win rate".to_string(),
            ),
            (true, _, _) => Some(format!(
                "no used deal is lost (every one of {} closed deals is won{}): with no loss recorded there is no win rate",
                format::count(won_all),
                // Lost deals set aside are not losses here; say so (a
                // breaker's lost deal closed before it was created).
                match inputs.checked.set_aside_where(TableKind::Deals, STATUS, "lost") {
                    0 => String::new(),
                    n => format!(
                        "; {} set aside, which `leadloop validate` lists",
                        format::count_of(n, "lost deal was", "lost deals were")
                    ),
                }
            )),
            (_, true, true) => None,
            (_, false, _) => Some(format!("no deals closed in {base_label}")),
            (_, true, false) => Some(format!("no deals closed in {month}")),
        };
        // A won-deals export has no win rate: its monthly rate is empty, not 100%.
        let months = match won_only {
            true => {
                let mut m = months;
                for c in ["win_rate", "win_rate_lo", "win_rate_hi"] {
                    let nulls = Series::full_null(c.into(), m.height(), &DataType::Float64);
                    m.with_column(nulls.into_column())?;
                }
                m
            }
            false => months,
        };
        let b = bridge::bridge(p0, p1);
        let (driver_table, bridge_table) = match &empty {
            None => (
                drivers::finished(driver_table)?,
                df!(
                    "factor" => ["closed deals", "win rate", "average won deal size", "revenue"],
                    "baseline" => [b.base[0], b.base[1], b.base[2], p0.revenue],
                    "month" => [b.month[0], b.month[1], b.month[2], p1.revenue],
                    "effect" => [b.volume, b.win_rate, b.deal_size, p1.revenue - p0.revenue],
                )?,
            ),
            Some(_) => (
                drivers::finished(driver_table.head(Some(0)))?,
                df!(
                    "factor" => Vec::<String>::new(),
                    "baseline" => Vec::<f64>::new(),
                    "month" => Vec::<f64>::new(),
                    "effect" => Vec::<f64>::new(),
                )?,
            ),
        };
        let sentence = match (&empty, won_only) {
            (None, _) => {
                headline::sentence(&month.to_string(), &base_label, p0, p1, &b, &driver_table)?
            }
            (Some(_), true) => headline::wins_only(month, base, p0, p1),
            (Some(_), false) => headline::without_comparison(month, &base_label, p1),
        };
        let summary = WinlossSummary::new(month, sentence, (p0, p1), &b, won_only);
        let mut report = Report::new("winloss");
        report.headline = summary.sentence.clone();
        report = report
            .table("winloss", "Deals closed per month", months)
            .units(&UNITS);
        // Without any recorded loss reason the table would say `(none)` 100%
        // every month: left out, with a note.
        let reasons_recorded = reasons
            .column("loss_reason")?
            .str()?
            .iter()
            .any(|r| r.is_some_and(|r| r != NONE_LABEL));
        if reasons_recorded {
            report = report
                .table(
                    "loss_reasons",
                    "Loss reasons, share of each month's lost deals",
                    reasons,
                )
                .units(&[("share", Unit::Rate)]);
        } else if reasons.height() > 0 {
            report
                .notes
                .push("no lost deal has a loss_reason: the loss-reason table is left out".into());
        }
        report = report
            .table(
                "drivers",
                &format!("What moved win rate in {month} against {base_label}, by segment"),
                driver_table,
            )
            .units(&[
                ("win_rate", Unit::Rate),
                ("win_rate_base", Unit::Rate),
                ("mix_effect", Unit::Points),
                ("rate_effect", Unit::Points),
                ("interaction", Unit::Points),
                ("contribution", Unit::Points),
                ("p_value", Unit::PValue),
            ])
            .table(
                "bridge",
                &format!("Revenue bridge, {month} against {base_label} (Shapley split)"),
                bridge_table,
            );
        report.notes.push(format!(
            "month {month} ({}); baseline {base_label}; dimensions: {}",
            if self.month.is_some() {
                "--month"
            } else {
                "the latest month complete by as_of"
            },
            dims.join(", ")
        ));
        if !left_out.is_empty() {
            report.notes.push(format!(
                "not default dimensions (give --dims to use one): {}",
                left_out
                    .iter()
                    .map(|(c, why)| format!("{c} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        // A new user read empty tables as a failure: say which months
        // have closes.
        let other_months = match span {
            Some((first, last)) if first != last => {
                format!("; `--month` picks another month (deals closed from {first} to {last})")
            }
            Some((only, _)) if *only != month.to_string() => {
                format!("; deals closed in {only} only (`--month {only}`)")
            }
            _ => String::new(),
        };
        match (&empty, won_only) {
            (Some(why), true) => report.notes.push(format!(
                "{why}, no drivers and no revenue bridge{}",
                match p1.deals > 0.0 {
                    true => "",
                    false => other_months.as_str(),
                }
            )),
            (Some(why), false) => report.notes.push(format!(
                "{why}: a win rate needs closed deals, so there is nothing to compare and no drivers or revenue bridge{other_months}"
            )),
            (None, _) => {}
        }
        // How to read the drivers and the bridge, where they are shown.
        if empty.is_none() {
            report.notes.push(
                "contribution = w1·r1 − w0·r0 = mix + rate + interaction; within a dimension the contributions add up to the change in win rate; p_value: two-proportion z-test of the segment's win rate against the baseline's".into(),
            );
            report.notes.push(
                "revenue bridge: revenue = closed deals × win rate × average won deal size; the three effects are the symmetric Shapley split of the change and add up to it".into(),
            );
        }
        let won_zero = total_of("won_zero")?;
        if won_zero > 0 {
            report.notes.push(format!(
                "{} of {} won deals have an amount of 0: they add nothing to revenue and lower the average won deal size (which divides by every won deal)",
                format::count(won_zero),
                format::count(won_all),
            ));
        }
        // One deal most of the month's revenue: its change is that deal.
        if let Some(row) = Row::at(&largest, 0) {
            if let (Some(top), Some(total)) = (row.float("largest")?, row.float("revenue")?) {
                if p1.won >= 3.0 && total > 0.0 && top >= 0.5 * total {
                    report.notes.push(format!(
                        "one deal is {} of {month}'s revenue ({} of {}): its revenue moves with that deal",
                        format::pct(top / total),
                        format::money(top),
                        format::money(total)
                    ));
                }
            }
        }
        if unplaced > 0 {
            report.notes.push(format!(
                "{} lost deals have no closed_at: they have no month and are left out",
                format::count(unplaced)
            ));
        }
        if !inputs.checked.has(TableKind::Leads) {
            report
                .notes
                .push("no leads table: dimensions come from the deals (and lookups) alone".into());
        }
        report.notes.push(inputs.as_of.note.clone());
        if inputs.unlinked_deals > 0 {
            report.notes.push(format!(
                "{} linked to no lead: counted here, without lead dimensions",
                format::count_of(inputs.unlinked_deals, "deal is", "deals are")
            ));
        }
        report.notes.push(inputs.ledger_summary.clone());
        Ok(Step::done(report, summary))
    }
}
