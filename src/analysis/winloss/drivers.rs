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
//!
//! The plan counts each segment's deals and wins; the shares and effects
//! are computed on the collected counts ([`finished`]), each with one IEEE
//! division: polars divides a column by a scalar as a product with its
//! reciprocal, and a run took one path or the other, so an effect could
//! differ in its last bit from run to run (and ties in the ranking move).

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
            ]);
        let effect = || lit(NULL).cast(DataType::Float64);
        parts.push(joined.select([
            lit(month.to_string()).alias("month"),
            lit(dim.clone()).alias("dimension"),
            col("value"),
            col("deals"),
            col("deals_base"),
            shown("won", "deals").alias("win_rate"),
            shown("won_base", "deals_base").alias("win_rate_base"),
            effect().alias("mix_effect"),
            effect().alias("rate_effect"),
            effect().alias("interaction"),
            effect().alias("contribution"),
            lit(NULL).cast(DataType::Float64).alias("p_value"),
            col("won"),
            col("won_base"),
        ]));
    }
    if parts.is_empty() {
        return Ok(DataFrame::empty().lazy());
    }
    Ok(concat(parts, UnionArgs::default())?)
}

/// A collected drivers table ([`table`]) with its effects and p-values,
/// ranked by |contribution|, largest first (ties by dimension, then value).
pub fn finished(mut df: DataFrame) -> Result<DataFrame> {
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
    // Each dimension's closed deals in the month and in the baseline.
    let dims: Vec<Option<String>> = df
        .column("dimension")?
        .str()?
        .iter()
        .map(|d| d.map(String::from))
        .collect();
    let mut totals: std::collections::BTreeMap<Option<String>, (u64, u64)> = Default::default();
    for (i, d) in dims.iter().enumerate() {
        let t = totals.entry(d.clone()).or_default();
        t.0 += u64::from(deals[i].unwrap_or(0));
        t.1 += u64::from(deals_b[i].unwrap_or(0));
    }
    let ratio = |k: Option<u32>, n: f64| match n > 0.0 {
        true => f64::from(k.unwrap_or(0)) / n,
        false => 0.0,
    };
    // Ranked by the exact contribution, won/T₁ − won_base/T₀ (w·r = won/T):
    // rows whose contributions are equal fractions tie, and go by
    // dimension, then value, whatever their last bits.
    let mut effects: [Vec<f64>; 4] = Default::default();
    let mut exact: Vec<(i128, i128)> = Vec::with_capacity(dims.len());
    for (i, d) in dims.iter().enumerate() {
        let (t1, t0) = totals.get(d).copied().unwrap_or_default();
        let w1 = ratio(deals[i], t1 as f64);
        let w0 = ratio(deals_b[i], t0 as f64);
        let r1 = ratio(won[i], f64::from(deals[i].unwrap_or(0)));
        let r0 = ratio(won_b[i], f64::from(deals_b[i].unwrap_or(0)));
        effects[0].push((w1 - w0) * r0);
        effects[1].push(w0 * (r1 - r0));
        effects[2].push((w1 - w0) * (r1 - r0));
        effects[3].push(w1 * r1 - w0 * r0);
        exact.push(contribution_fraction(
            won[i].unwrap_or(0),
            t1,
            won_b[i].unwrap_or(0),
            t0,
        ));
    }
    let names = ["mix_effect", "rate_effect", "interaction", "contribution"];
    for (name, values) in names.into_iter().zip(effects) {
        df.with_column(Column::new(name.into(), values))?;
    }
    let values: Vec<Option<String>> = df
        .column("value")?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.map(String::from))
        .collect();
    let mut order: Vec<usize> = (0..df.height()).collect();
    // |n|·d fits u128: counts and totals are polars row counts (u32), so
    // |n| = |won·T₀ − won_base·T₁| and d = T₁·T₀ are each below 2^64.
    let size = |(n, d): (i128, i128)| (n.unsigned_abs(), d.unsigned_abs());
    order.sort_by(|&a, &b| {
        let ((na, da), (nb, db)) = (size(exact[a]), size(exact[b]));
        (nb * da)
            .cmp(&(na * db))
            .then_with(|| dims[a].cmp(&dims[b]))
            .then_with(|| values[a].cmp(&values[b]))
    });
    let order = IdxCa::from_vec(
        "order".into(),
        order.into_iter().map(|i| i as IdxSize).collect(),
    );
    Ok(df.take(&order)?)
}

/// won/t1 − won_base/t0 (x/0 read as 0) as a fraction (numerator,
/// positive denominator).
fn contribution_fraction(won: u32, t1: u64, won_base: u32, t0: u64) -> (i128, i128) {
    let (k1, k0, t1, t0) = (
        i128::from(won),
        i128::from(won_base),
        i128::from(t1),
        i128::from(t0),
    );
    match (t1 > 0, t0 > 0) {
        (true, true) => (k1 * t0 - k0 * t1, t1 * t0),
        (true, false) => (k1, t1),
        (false, true) => (-k0, t0),
        (false, false) => (0, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two segments of one dimension whose contributions are the same
    /// fraction, 1/10, reached by different counts: "a" as 3/10 − 2/10
    /// (0.09999999999999998 in floating point), "b" as 1/10 − 0/10 (0.1).
    /// T₁ = T₀ = 10.
    #[allow(clippy::type_complexity)]
    fn tied(rows: [usize; 2]) -> DataFrame {
        let all = [("a", 6u32, 3u32, 5u32, 2u32), ("b", 4, 1, 5, 0)];
        let pick = |f: &dyn Fn(&(&str, u32, u32, u32, u32)) -> u32| -> Vec<u32> {
            rows.iter().map(|&i| f(&all[i])).collect()
        };
        let none = || vec![None::<f64>; 2];
        df!(
            "month" => ["2024-02"; 2],
            "dimension" => ["region"; 2],
            "value" => rows.iter().map(|&i| all[i].0).collect::<Vec<_>>(),
            "deals" => pick(&|r| r.1),
            "deals_base" => pick(&|r| r.3),
            "win_rate" => none(),
            "win_rate_base" => none(),
            "mix_effect" => none(),
            "rate_effect" => none(),
            "interaction" => none(),
            "contribution" => none(),
            "p_value" => none(),
            "won" => pick(&|r| r.2),
            "won_base" => pick(&|r| r.4),
        )
        .unwrap()
    }

    fn values(df: &DataFrame) -> Vec<String> {
        let v = df.column("value").unwrap().str().unwrap();
        v.iter()
            .map(|s| s.unwrap_or_default().to_string())
            .collect()
    }

    /// Found by a breaker's trial: the effects differed in their last bit
    /// from run to run, and rows that tie swapped places.
    #[test]
    fn equal_contributions_tie_and_go_by_value_whatever_their_last_bits() {
        let forward = finished(tied([0, 1])).unwrap();
        let backward = finished(tied([1, 0])).unwrap();
        assert_eq!(values(&forward), ["a", "b"]);
        assert!(forward.equals_missing(&backward));
        let c: Vec<Option<f64>> = forward
            .column("contribution")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        // w₁r₁ − w₀r₀ with each share and rate one IEEE division.
        assert_eq!(c, [Some(0.6 * 0.5 - 0.5 * 0.4), Some(0.4 * 0.25 - 0.0)]);
    }

    #[test]
    fn contribution_fractions_read_a_period_without_deals_as_zero() {
        assert_eq!(contribution_fraction(3, 10, 2, 10), (10, 100));
        assert_eq!(contribution_fraction(3, 10, 2, 0), (3, 10));
        assert_eq!(contribution_fraction(3, 0, 2, 10), (-2, 10));
        assert_eq!(contribution_fraction(0, 0, 0, 0), (0, 1));
    }
}
