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
/// another MQL. `mqls` carries [`LEAD_ROW`] and `mql_at`. Only `recycled`
/// and `mql` events are joined (at 10M leads, joining every stage event
/// with the MQLs was a third of velocity's time).
fn recycles(mqls: LazyFrame, events: LazyFrame) -> LazyFrame {
    // One scan of the events (a common subplan of both branches).
    let both = events
        .filter(
            col(AT)
                .is_not_null()
                .and(col(STAGE).eq(lit("recycled")).or(col(STAGE).eq(lit("mql")))),
        )
        .select([col(LEAD_ROW), col(STAGE), col(AT)]);
    let timed = |stage: &str| {
        both.clone()
            .filter(col(STAGE).eq(lit(stage)))
            .select([col(LEAD_ROW), col(AT)])
    };
    let first_recycle = timed("recycled")
        .join(
            mqls.select([col(LEAD_ROW), col("mql_at")]),
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(AT).gt(col("mql_at")))
        .group_by([col(LEAD_ROW)])
        .agg([col(AT).min().alias("__recycled_at")]);
    let re_mql = timed("mql")
        .join(
            first_recycle.clone(),
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(AT).gt(col("__recycled_at")))
        .select([col(LEAD_ROW)])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("__re_mql"));
    first_recycle
        .select([col(LEAD_ROW), lit(true).alias("__recycled")])
        .join(
            re_mql,
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Left),
        )
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
