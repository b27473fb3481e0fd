//! Drivers of the change in win rate (SPEC §4 "winloss"): per segment of
//! each dimension, with share w and win rate r in the month (1) and the
//! baseline (0), r = 0 where w = 0:
//! rate_effect = w₀(r₁ − r₀), mix_effect = (w₁ − w₀)r₀, interaction =
//! (w₁ − w₀)(r₁ − r₀), contribution = w₁r₁ − w₀r₀ (= the sum of the three).
//! Within one dimension the contributions add up to the change in overall
//! win rate, R₁ − R₀, since Σw·r = R. p_value: two-proportion z-test of r₁
//! against r₀ (R's `prop.test(correct = FALSE)`), null where either period
//! has no deals in the segment.
//!
//! Decisions where the spec is silent: `win_rate`/`win_rate_base` show null
//! for a segment absent from that period (the effects use r = 0 as SPEC
//! says); with `--baseline trailing3` the baseline pools the three months
//! before (shares and rates pooled; `deals_base` is the three months'
//! count). Rows are ranked by |contribution|, largest first, across all
//! dimensions; `won` and `won_base` follow SPEC's columns.

use polars::prelude::*;

use crate::error::Result;
use crate::stats::two_proportion_z;

pub const COLUMNS: [&str; 14] = [
    "month",
    "dimension",
    "value",
    "deals",
    "deals_base",
    "win_rate",
    "win_rate_base",
    "mix_effect",
    "rate_effect",
    "interaction",
    "contribution",
    "p_value",
    "won",
    "won_base",
];

fn in_months(months: &[String]) -> Expr {
    col("month").is_in(
        lit(Series::new("m".into(), months.to_vec())).implode(false),
        false,
    )
}

fn counts(closed: LazyFrame, dim: &str, months: &[String], suffix: &str) -> LazyFrame {
    closed
        .filter(in_months(months))
        .group_by([col(dim).alias("value")])
        .agg([
            len().cast(DataType::UInt32).alias(format!("deals{suffix}")),
            col("__won")
                .cast(DataType::UInt32)
                .sum()
                .alias(format!("won{suffix}")),
        ])
}

/// The segments of every dimension, without p-values (see [`with_p_values`]).
pub fn table(
    closed: LazyFrame,
    dims: &[String],
    month: &str,
    base: &[String],
) -> Result<LazyFrame> {
    let f = |c: &str| col(c).cast(DataType::Float64);
    let share = |n: &str| {
        let total = f(n).sum();
        when(total.clone().gt(lit(0.0)))
            .then(f(n) / total)
            .otherwise(lit(0.0))
    };
    let rate = |k: &str, n: &str| {
        when(col(n).gt(lit(0u32)))
            .then(f(k) / f(n))
            .otherwise(lit(0.0))
    };
    let shown = |k: &str, n: &str| {
        when(col(n).gt(lit(0u32)))
            .then(f(k) / f(n))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let mut parts = Vec::new();
    for dim in dims {
        let cur = counts(closed.clone(), dim, &[month.to_string()], "");
        let old = counts(closed.clone(), dim, base, "_base");
        let joined = cur
            .join(
                old,
                [col("value")],
                [col("value")],
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            )
            .with_columns([
                col("deals").fill_null(lit(0u32)),
                col("won").fill_null(lit(0u32)),
                col("deals_base").fill_null(lit(0u32)),
                col("won_base").fill_null(lit(0u32)),
            ])
            .with_columns([
                share("deals").alias("__w1"),
                share("deals_base").alias("__w0"),
                rate("won", "deals").alias("__r1"),
                rate("won_base", "deals_base").alias("__r0"),
            ]);
        let (w1, w0, r1, r0) = (col("__w1"), col("__w0"), col("__r1"), col("__r0"));
        parts.push(joined.select([
            lit(month.to_string()).alias("month"),
            lit(dim.clone()).alias("dimension"),
            col("value"),
            col("deals"),
            col("deals_base"),
            shown("won", "deals").alias("win_rate"),
            shown("won_base", "deals_base").alias("win_rate_base"),
            ((w1.clone() - w0.clone()) * r0.clone()).alias("mix_effect"),
            (w0.clone() * (r1.clone() - r0.clone())).alias("rate_effect"),
            ((w1.clone() - w0.clone()) * (r1.clone() - r0.clone())).alias("interaction"),
            (w1 * r1 - w0 * r0).alias("contribution"),
            lit(NULL).cast(DataType::Float64).alias("p_value"),
            col("won"),
            col("won_base"),
        ]));
    }
    if parts.is_empty() {
        return Ok(DataFrame::empty().lazy());
    }
    Ok(concat(parts, UnionArgs::default())?.sort_by_exprs(
        [col("contribution").abs(), col("dimension"), col("value")],
        SortMultipleOptions::default()
            .with_order_descending_multi([true, false, false])
            .with_maintain_order(true),
    ))
}

/// Fills `p_value` of a collected drivers table.
pub fn with_p_values(mut df: DataFrame) -> Result<DataFrame> {
    if df.height() == 0 {
        return Ok(df);
    }
    let get = |c: &str| -> Result<Vec<Option<u32>>> { Ok(df.column(c)?.u32()?.iter().collect()) };
    let (won, deals, won_b, deals_b) = (
        get("won")?,
        get("deals")?,
        get("won_base")?,
        get("deals_base")?,
    );
    let p: Vec<Option<f64>> = (0..df.height())
        .map(|i| {
            two_proportion_z(
                won[i]? as u64,
                deals[i]? as u64,
                won_b[i]? as u64,
                deals_b[i]? as u64,
            )
            .map(|t| t.p_value)
        })
        .collect();
    df.with_column(Column::new("p_value".into(), p))?;
    Ok(df)
}
