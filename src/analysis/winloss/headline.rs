//! What a leader reads aloud: the two periods' totals (from the monthly
//! table), the change in win rate and revenue with the bridge, and the three
//! largest drivers.

use polars::prelude::*;
use serde::Serialize;

use super::bridge::{Bridge, Period};
use super::Month;
use crate::analysis::plan::Summary;
use crate::analysis::Row;
use crate::error::Result;
use crate::output::format;

/// The headline figures of `winloss`: the month, both periods' closed
/// deals, win rates and revenues, and the sentence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WinlossSummary {
    pub sentence: Option<String>,
    pub month: Option<String>,
    pub closed_deals: f64,
    pub closed_deals_baseline: f64,
    /// Null for a period without closed deals (undefined, not 0%).
    pub win_rate: Option<f64>,
    pub win_rate_baseline: Option<f64>,
    pub revenue: f64,
    pub revenue_baseline: f64,
}

impl WinlossSummary {
    /// `won_only`: the deals record no loss, so there is no win rate.
    pub fn new(
        month: Month,
        sentence: String,
        (p0, p1): (Period, Period),
        b: &Bridge,
        won_only: bool,
    ) -> Self {
        WinlossSummary {
            sentence: Some(sentence),
            month: Some(month.to_string()),
            closed_deals: b.month[0],
            closed_deals_baseline: b.base[0],
            win_rate: (p1.deals > 0.0 && !won_only).then_some(b.month[1]),
            win_rate_baseline: (p0.deals > 0.0 && !won_only).then_some(b.base[1]),
            revenue: p1.revenue,
            revenue_baseline: p0.revenue,
        }
    }
}

impl Summary for WinlossSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        self.sentence.as_ref().map(|s| format!("winloss: {s}"))
    }
}

/// The totals of `months` (a pooled baseline as a monthly average) from the
/// collected monthly table.
pub fn period(table: &DataFrame, months: &[Month]) -> Result<Period> {
    let mut p = Period {
        deals: 0.0,
        won: 0.0,
        revenue: 0.0,
    };
    let wanted: Vec<String> = months.iter().map(Month::to_string).collect();
    for i in 0..table.height() {
        let Some(row) = Row::at(table, i) else {
            continue;
        };
        if !row.text("month")?.is_some_and(|m| wanted.contains(&m)) {
            continue;
        }
        let (won, lost) = (row.float("won")?, row.float("lost")?);
        p.deals += won.unwrap_or(0.0) + lost.unwrap_or(0.0);
        p.won += won.unwrap_or(0.0);
        p.revenue += row.float("revenue")?.unwrap_or(0.0);
    }
    let k = months.len().max(1) as f64;
    Ok(Period {
        deals: p.deals / k,
        won: p.won / k,
        revenue: p.revenue / k,
    })
}

/// What there is to say when one period has no closed deals: the other's
/// figures, and that there is nothing to compare.
pub fn without_comparison(month: Month, base: &str, p1: Period) -> String {
    if p1.deals == 0.0 {
        return format!("No deals closed in {month}.");
    }
    format!(
        "Win rate in {month}: {} ({} of {} closed deals won), revenue {}; no deals closed in {base} to compare with.",
        format::pct(p1.won / p1.deals),
        format::count(p1.won.round() as u64),
        format::count(p1.deals.round() as u64),
        format::money(p1.revenue),
    )
}

/// What a won-deals export can say: revenue and won deals of both periods
/// (a baseline of several months as its monthly average, which `period`
/// gives).
pub fn wins_only(month: Month, base: &[Month], p0: Period, p1: Period) -> String {
    let base_text = match base {
        [only] => format!(
            "{only}: {} from {}",
            format::money(p0.revenue),
            format::count(p0.won.round() as u64)
        ),
        [first, .., last] => format!(
            "{first} to {last}, a month on average: {} from {:.1}",
            format::money(p0.revenue),
            p0.won
        ),
        [] => "no baseline".to_string(),
    };
    format!(
        "Revenue in {month}: {} from {} won deals ({base_text}); the deals record wins only, so there is no win rate.",
        format::money(p1.revenue),
        format::count(p1.won.round() as u64),
    )
}

/// The change, the bridge, the three largest drivers.
pub fn sentence(
    month: &str,
    base: &str,
    p0: Period,
    p1: Period,
    b: &Bridge,
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
        format::pct(r0),
        format::pct(r1),
        format::points(r1 - r0),
        format::money(p0.revenue),
        format::money(p1.revenue),
        format::signed_money(p1.revenue - p0.revenue),
        format::signed_money(b.volume),
        format::signed_money(b.win_rate),
        format::signed_money(b.deal_size),
    );
    let parts = (0..drivers.height().min(3))
        .filter_map(|i| Row::at(drivers, i))
        .map(|row| {
            let sig = match row.float("p_value")? {
                Some(v) if v < 0.05 => format::p_clause(v),
                Some(v) => format!("{}, not significant", format::p_clause(v)),
                // No p-value: the segment is absent from a period, or
                // both its rates are 0% or 100% (no spread to test: a
                // breaker's 29 wins read "absent" for a segment in both).
                None => match (row.count("deals")?, row.count("deals_base")?) {
                    (0, _) | (_, 0) => "no test: absent from one period".into(),
                    _ => "no test: every deal won or lost in both periods".into(),
                },
            };
            Ok(format!(
                "{} = {} ({} points, {sig})",
                row.text("dimension")?.unwrap_or_default(),
                row.text("value")?.unwrap_or_default(),
                format::points(row.float("contribution")?.unwrap_or(0.0))
            ))
        })
        .collect::<Result<Vec<String>>>()?;
    if !parts.is_empty() {
        s.push_str(&format!(" Largest drivers: {}.", parts.join("; ")));
    }
    Ok(s)
}
