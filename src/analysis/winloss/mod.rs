//! `winloss`: what moved win rate and revenue this month, and is it real
//! (SPEC §4 "winloss"). Reads closed deals with their dimensions; works on
//! an opportunity export alone (no leads).
//!
//! - `monthly`: deals closed per month and loss reasons.
//! - `drivers`: the change in win rate between a month and its baseline,
//!   split per segment of each dimension into mix, rate and interaction.
//! - `bridge`: the change in revenue split into volume, win-rate and
//!   deal-size effects (symmetric Shapley split).
//!
//! Definitions: a closed deal is `won` or `lost` with a `closed_at`; its
//! month is that of `closed_at` in the configured zone. Decision where the
//! spec is silent: a lost deal without `closed_at` has no month and is left
//! out (the command says how many).

pub mod bridge;
pub mod drivers;
pub mod monthly;

use polars::prelude::*;

use super::NONE_LABEL;
use crate::input::schema::{AMOUNT, CLOSED_AT, CREATED_AT, STATUS};
use crate::input::time::{in_zone, micros, DAY_US};

/// Closed deals: `month` (YYYY-MM), `__won` (bool), `__amount` (won
/// revenue, 0 for lost), `__cycle_days`, every dimension as text (null as
/// `(none)`), and `loss_reason`.
pub fn closed(deals: LazyFrame, dims: &[String], timezone: &str) -> LazyFrame {
    let mut cols = vec![
        in_zone(col(CLOSED_AT), timezone)
            .dt()
            .to_string("%Y-%m")
            .alias("month"),
        col(STATUS).eq(lit("won")).alias("__won"),
        when(col(STATUS).eq(lit("won")))
            .then(col(AMOUNT).fill_null(lit(0.0)))
            .otherwise(lit(0.0))
            .alias("__amount"),
        ((micros(col(CLOSED_AT)) - micros(col(CREATED_AT))) / lit(DAY_US)).alias("__cycle_days"),
        col(crate::input::schema::LOSS_REASON)
            .cast(DataType::String)
            .fill_null(lit(NONE_LABEL))
            .alias("loss_reason"),
    ];
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

/// `YYYY-MM` of a month index (months since year 0).
pub fn month_name(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// The month index of `YYYY-MM`, or `None`.
pub fn month_index(name: &str) -> Option<i32> {
    let (y, m) = name.split_once('-')?;
    let (y, m): (i32, i32) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some(y * 12 + m - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip() {
        assert_eq!(month_index("2024-01"), Some(2024 * 12));
        assert_eq!(month_name(2024 * 12 - 1), "2023-12");
        assert_eq!(month_index("2024-13"), None);
        assert_eq!(month_index("May"), None);
    }
}
