//! The MQL→SQL gap (SPEC §4 "contact"): each group's MQLs split three
//! ways, with shares that sum to 1.
//!
//! Decision where the spec is silent: the three parts must not overlap, and
//! an MQL that reached SQL with no recorded contact (sales-sourced, or a
//! call nobody logged) plainly was not lost by sales, so SQL comes first:
//! `sql` = reached SQL; `contacted_not_sql` = contacted, not SQL;
//! `not_contacted_not_sql` = neither. The contact table's never_contacted
//! is therefore `not_contacted_not_sql` plus the uncontacted SQLs. All MQLs
//! count, as in the contact table (recent ones may still move).

use polars::prelude::*;

use super::mqls::{grouped, order};
use crate::analysis::count;
use crate::error::Result;

pub const COLUMNS: [&str; 8] = [
    "group",
    "mql",
    "sql",
    "contacted_not_sql",
    "not_contacted_not_sql",
    "sql_share",
    "contacted_not_sql_share",
    "not_contacted_not_sql_share",
];

/// The gap table; `mqls` from `contact::mqls`.
pub fn table(mqls: LazyFrame, by: &[String]) -> Result<LazyFrame> {
    let sql = col("__sql");
    let t = grouped(
        mqls,
        vec![
            len().cast(DataType::UInt32).alias("mql"),
            count(sql.clone()).alias("sql"),
            count(col("contacted").and(sql.clone().not())).alias("contacted_not_sql"),
            count(col("contacted").not().and(sql.not())).alias("not_contacted_not_sql"),
        ],
    )?;
    let share = |c: &str| {
        when(col("mql").gt(lit(0u32)))
            .then(col(c).cast(DataType::Float64) / col("mql").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias(format!("{c}_share"))
    };
    let mut cols: Vec<Expr> = COLUMNS[..5].iter().map(|c| col(*c)).collect();
    cols.extend([
        share("sql"),
        share("contacted_not_sql"),
        share("not_contacted_not_sql"),
    ]);
    Ok(order(t.select(cols), by))
}
