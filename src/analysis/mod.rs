//! The analyses (SPEC §4). Each owns its whole computation, from what it
//! reads (`lead_funnel`, plus other tables where the spec says so) and its
//! typed options to its `Report` and headline figures; `plan` is the seam
//! through which the runner in `commands/` collects its plans. Analyses
//! never collect, read files or print.

pub mod attribution;
pub mod bands;
pub mod contact;
pub mod plan;
pub mod query;
pub mod recalibrate;
pub mod roi;
pub mod rules;
pub mod score;
pub mod velocity;
pub mod winloss;

/// Label of a group whose key is null (SPEC §3).
pub const NONE_LABEL: &str = "(none)";
/// Label of the overall row that ends every grouped table (SPEC §3).
pub const ALL_LABEL: &str = "all";

use polars::prelude::*;

pub use plan::{Analysis, Finished, Inputs, Step, Summary};

use crate::error::{Error, Result};
use crate::stats::wilson_bounds;

/// How many rows of a group meet a boolean condition (`u32`).
pub fn count(condition: Expr) -> Expr {
    condition.cast(DataType::UInt32).sum()
}

/// A float rounded to six decimals. Sums of money and of fractional
/// credits differ in their last bits with the order polars adds them in
/// (threads); rounding far below a cent makes every printed figure the same
/// on every run.
pub fn stable(e: Expr) -> Expr {
    e.round(6, RoundMode::HalfToEven)
}

/// The sum of a float expression, the same whatever order polars adds the
/// rows in: each value is rounded to 1e-9 and the sum is taken exactly, as
/// a 38-digit decimal, then read back as a float. A plain float sum of
/// millions of credits varied in its sixth decimal from run to run, which
/// [`stable`]'s rounding cannot hide at 10^8.
pub fn exact_sum(e: Expr) -> Expr {
    e.cast(DataType::Decimal(38, 9))
        .sum()
        .cast(DataType::Float64)
}

/// `name`, `name_lo`, `name_hi`: `k / n` with its Wilson 95% bounds; null
/// where `n` is 0.
pub fn rate_with_bounds(name: &str, k: Expr, n: Expr) -> [Expr; 3] {
    let (lo, hi) = wilson_bounds(k.clone(), n.clone());
    let rate = when(n.clone().gt(lit(0u32)))
        .then(k.cast(DataType::Float64) / n.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64));
    [
        rate.alias(name),
        lo.alias(format!("{name}_lo")),
        hi.alias(format!("{name}_hi")),
    ]
}

/// The `--by` label of a row: each split's value as text (`month` is the
/// expression `month`), a null as `(none)`, several joined by " / " (the
/// `a / b` labels of SPEC §4's groups); `all` without a split.
pub fn group_label(by: &[String], month: Expr) -> Expr {
    let keys: Vec<Expr> = by
        .iter()
        .map(|b| match b.as_str() {
            "month" => month.clone(),
            other => col(other).cast(DataType::String),
        })
        .map(|k| k.fill_null(lit(NONE_LABEL)))
        .collect();
    match keys.len() {
        0 => lit(ALL_LABEL),
        1 => keys[0].clone(),
        _ => concat_str(keys, " / ", false),
    }
}

/// The one-line error when a group of `--by` columns `by` (in the data of
/// `table`, read from `file`) is called `label`, which `analysis` names one
/// of its own rows (`all`, roi's `unattributed`): the group's row would
/// merge with that one (a breaker's source called "all" did, silently, in
/// contact).
pub fn summary_name_taken(
    file: &str,
    table: &str,
    by: &[&str],
    label: &str,
    analysis: &str,
) -> Error {
    let what = match by {
        [one] => *one,
        _ => "group",
    };
    let row = match label {
        ALL_LABEL => "overall",
        other => other,
    };
    Error::BadData {
        table: table.into(),
        file: file.into(),
        column: by.join(", "),
        detail: format!(
            "a {what} is called \"{label}\", which {analysis} names its {row} row; rename it in the export (or map it with a lookup)"
        ),
    }
}

/// A one-line error unless every `--by` name is `month` or a column of
/// `funnel`, none is given twice, and none is one of `reserved` (the
/// table's own columns, which a split column would collide with).
pub fn check_by(funnel: &mut LazyFrame, by: &[String], reserved: &[&str]) -> Result<()> {
    let schema = funnel.collect_schema()?;
    for (i, b) in by.iter().enumerate() {
        if by[..i].contains(b) {
            return Err(Error::bad_argument(format!("--by {b}: given twice")));
        }
        if reserved.contains(&b.as_str()) {
            return Err(Error::bad_argument(format!(
                "--by {b}: the table already has a column \"{b}\"; split by another column"
            )));
        }
        if b != "month" && !schema.contains(b) {
            return Err(Error::bad_argument(format!(
                "--by {b}: lead_funnel has no such column; columns: month, {}",
                schema
                    .iter_names()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// One row of a collected table, its cells read by column name.
pub struct Row<'a> {
    frame: &'a DataFrame,
    i: usize,
}

impl<'a> Row<'a> {
    /// The first row whose text column `key` is `value`.
    pub fn find(frame: &'a DataFrame, key: &str, value: &str) -> Result<Option<Row<'a>>> {
        let keys = frame.column(key)?.str()?;
        Ok((0..frame.height())
            .find(|&i| keys.get(i) == Some(value))
            .map(|i| Row { frame, i }))
    }

    /// Row `i` (none past the end).
    pub fn at(frame: &'a DataFrame, i: usize) -> Option<Row<'a>> {
        (i < frame.height()).then_some(Row { frame, i })
    }

    /// A count (0 when null).
    pub fn count(&self, column: &str) -> Result<u64> {
        Ok(self
            .frame
            .column(column)?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(self.i)
            .unwrap_or(0))
    }

    /// A number, `None` when null.
    pub fn float(&self, column: &str) -> Result<Option<f64>> {
        Ok(self
            .frame
            .column(column)?
            .cast(&DataType::Float64)?
            .f64()?
            .get(self.i))
    }

    /// A text cell, `None` when null.
    pub fn text(&self, column: &str) -> Result<Option<String>> {
        Ok(self
            .frame
            .column(column)?
            .cast(&DataType::String)?
            .str()?
            .get(self.i)
            .map(str::to_string))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Money-like values of mixed size summed in two orders: the float sum
    /// depends on the order (that is what varied between runs); the exact
    /// sum does not, and is within 1e-9 a value of the true total.
    #[test]
    fn exact_sum_does_not_depend_on_row_order() {
        let values: Vec<f64> = (0..100_000u64)
            .map(|i| {
                let x = (i.wrapping_mul(2_654_435_761) % 1_000_003) as f64;
                x * 97.123_456_789 + (i % 7) as f64 * 1e8 * 0.000_001_3
            })
            .collect();
        let mut reversed = values.clone();
        reversed.reverse();
        let sum_of = |v: Vec<f64>| -> f64 {
            df!("x" => v)
                .unwrap()
                .lazy()
                .select([exact_sum(col("x"))])
                .collect()
                .unwrap()
                .column("x")
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
                .unwrap()
        };
        let (a, b) = (sum_of(values.clone()), sum_of(reversed));
        assert_eq!(a.to_bits(), b.to_bits());
        // The data is order-sensitive for a float sum.
        let plain: f64 = values.iter().sum();
        let backwards: f64 = values.iter().rev().sum();
        assert_ne!(plain.to_bits(), backwards.to_bits());
        assert!((a - plain).abs() <= 1e-9 * values.len() as f64 + 1e-6 * plain.abs() * 1e-9);
    }
}
