//! `velocity_recycling` (SPEC §4 "velocity"): per group, MQLs, how many
//! were recycled (a `recycled` event after the first MQL), how many of those
//! were MQL'd again (an `mql` event after that recycle), and the SQL rate of
//! first-pass vs recycled MQLs with Wilson bounds.
//!
//! Decision where the spec is silent: MQLs are leads with a first-MQL time
//! (a flag-only MQL has no "after"); SQL is cumulative reach; `month` is the
//! first-MQL month.

use polars::prelude::*;

use crate::analysis::{count, rate_with_bounds, ALL_LABEL};
use crate::error::Result;
use crate::input::schema::{AT, LEAD_ROW, STAGE};
use crate::quality::Checked;

pub const COLUMNS: [&str; 10] = [
    "group",
    "mql",
    "recycled",
    "re_mql",
    "sql_rate_first_pass",
    "sql_rate_first_pass_lo",
    "sql_rate_first_pass_hi",
    "sql_rate_recycled",
    "sql_rate_recycled_lo",
    "sql_rate_recycled_hi",
];

fn group(by: &[String]) -> Expr {
    crate::analysis::group_label(by, col("mql_month"))
}

/// Per lead: whether its first MQL was followed by a recycle, and that by
/// another MQL. `mqls` carries [`LEAD_ROW`] and `mql_at`.
fn recycles(mqls: LazyFrame, events: LazyFrame) -> LazyFrame {
    let timed = events
        .filter(col(AT).is_not_null())
        .select([col(LEAD_ROW), col(STAGE), col(AT)])
        .join(
            mqls.select([col(LEAD_ROW), col("mql_at")]),
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Inner),
        );
    let first_recycle = timed
        .clone()
        .filter(
            col(STAGE)
                .eq(lit("recycled"))
                .and(col(AT).gt(col("mql_at"))),
        )
        .group_by([col(LEAD_ROW)])
        .agg([col(AT).min().alias("__recycled_at")]);
    timed
        .join(
            first_recycle,
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(LEAD_ROW)])
        .agg([col(STAGE)
            .eq(lit("mql"))
            .and(col(AT).gt(col("__recycled_at")))
            .any(true)
            .alias("__re_mql")])
        .with_column(lit(true).alias("__recycled"))
}

/// The recycling table over `funnel` (lead_funnel) and the stage events of
/// `checked`.
pub fn table(funnel: LazyFrame, checked: &Checked, by: &[String]) -> Result<LazyFrame> {
    let mqls = funnel
        .with_row_index(LEAD_ROW, None)
        .filter(col("mql_at").is_not_null())
        .select([
            col(LEAD_ROW),
            group(by).alias("group"),
            col("mql_at"),
            col("reached_sql").alias("__sql"),
        ]);
    let events = crate::funnel::events::stage_events(
        checked.handoffs_keyed(),
        checked.leads_wide(),
        &checked.wide_stages,
    )?;
    let per_lead = match events {
        Some(e) => crate::funnel::join_by_lead(mqls.clone(), recycles(mqls, e)),
        None => mqls.with_columns([
            lit(NULL).cast(DataType::Boolean).alias("__recycled"),
            lit(NULL).cast(DataType::Boolean).alias("__re_mql"),
        ]),
    }
    .with_columns([
        col("__recycled").fill_null(lit(false)),
        col("__re_mql").fill_null(lit(false)),
    ]);
    let sums = || {
        vec![
            len().cast(DataType::UInt32).alias("mql"),
            count(col("__recycled")).alias("recycled"),
            count(col("__re_mql")).alias("re_mql"),
            count(col("__sql").and(col("__recycled").not())).alias("__sql_first"),
            count(col("__sql").and(col("__recycled"))).alias("__sql_recycled"),
        ]
    };
    let order = [
        "group",
        "mql",
        "recycled",
        "re_mql",
        "__sql_first",
        "__sql_recycled",
    ];
    let overall = per_lead
        .clone()
        .select(sums())
        .with_column(lit(ALL_LABEL).alias("group"))
        .select(order.map(col));
    let rows = match by.is_empty() {
        true => overall,
        false => concat(
            [
                per_lead
                    .group_by([col("group")])
                    .agg(sums())
                    .sort(["group"], SortMultipleOptions::default()),
                overall,
            ],
            UnionArgs::default(),
        )?,
    };
    let mut cols = vec![col("group"), col("mql"), col("recycled"), col("re_mql")];
    cols.extend(rate_with_bounds(
        "sql_rate_first_pass",
        col("__sql_first"),
        col("mql") - col("recycled"),
    ));
    cols.extend(rate_with_bounds(
        "sql_rate_recycled",
        col("__sql_recycled"),
        col("recycled"),
    ));
    Ok(rows.select(cols))
}
