//! Deals closed per month: `month, won, lost, win_rate (+ Wilson bounds),
//! revenue, avg_deal_size, median_cycle_days` (cycle = closed_at −
//! created_at in days, over won deals), and loss reasons as shares of each
//! month's lost deals.

use polars::prelude::*;

use crate::analysis::{count, rate_with_bounds, stable};

/// The monthly table; `closed` from [`super::closed`].
pub fn table(closed: LazyFrame) -> LazyFrame {
    let won = col("__won");
    let mut cols = vec![col("month"), col("won"), col("lost")];
    cols.extend(rate_with_bounds("win_rate", col("won"), col("closed")));
    cols.extend([
        col("revenue"),
        when(col("won").gt(lit(0u32)))
            .then(col("revenue") / col("won").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("avg_deal_size"),
        col("median_cycle_days"),
    ]);
    closed
        .group_by([col("month")])
        .agg([
            len().cast(DataType::UInt32).alias("closed"),
            count(won.clone()).alias("won"),
            count(won.clone().not()).alias("lost"),
            stable(crate::analysis::exact_sum(col("__amount"))).alias("revenue"),
            col("__cycle_days")
                .filter(won)
                .quantile(lit(0.5), QuantileMethod::Linear)
                .alias("median_cycle_days"),
        ])
        .sort(["month"], SortMultipleOptions::default())
        .select(cols)
}

/// `month, loss_reason, lost, share` (share of the month's lost deals).
pub fn loss_reasons(closed: LazyFrame) -> Result<LazyFrame, PolarsError> {
    Ok(closed
        .filter(col("__won").not())
        .group_by([col("month"), col("loss_reason")])
        .agg([len().cast(DataType::UInt32).alias("lost")])
        .with_column(
            (col("lost").cast(DataType::Float64)
                / col("lost")
                    .sum()
                    .over([col("month")])?
                    .cast(DataType::Float64))
            .alias("share"),
        )
        .sort_by_exprs(
            [col("month"), col("lost"), col("loss_reason")],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
        ))
}
