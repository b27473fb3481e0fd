//! First entry into each stage, and reach (SPEC §3).
//!
//! Definitions:
//! - recorded first time at a stage: the earliest event of that stage
//!   (handoffs and wide-export columns); opportunity = earliest deal
//!   `created_at`; won = earliest `closed_at` of a won deal.
//! - cumulative time at a core stage (mql → sql → opportunity → won): the
//!   earliest recorded entry into that stage or any later one, so a
//!   sales-sourced SQL with no `mql` row gets its MQL time from its SQL.
//! - `reached_*`: any event (timed or flag-only) at that stage or a later
//!   core stage; `recorded_*`: an event at that stage itself (`--strict`).

use polars::lazy::dsl::min_horizontal;
use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{AMOUNT, AT, CLOSED_AT, CREATED_AT, LEAD_ROW, STAGE, STATUS};

fn rec(stage: &str) -> String {
    format!("__{stage}_rec")
}

fn has(stage: &str) -> String {
    format!("__has_{stage}")
}

const STAGES: [&str; 5] = ["mql", "sal", "sql", "opportunity", "won"];

/// `leads` (one row per lead, lead `i` at row `i`) with its stage facts;
/// `events` and `deals` carry [`LEAD_ROW`].
pub fn with_stages(
    leads: DataFrame,
    events: Option<&DataFrame>,
    deals: Option<LazyFrame>,
) -> Result<DataFrame> {
    let beside = super::dense::beside;
    // Each fact is a column first, then a plain min, max or sum per lead:
    // polars' fast group-by paths (a filter inside the aggregation was five
    // times slower at 10M leads).
    let ts = crate::input::time::ts_dtype();
    let mut pre: Vec<Expr> = Vec::new();
    let mut aggs: Vec<Expr> = Vec::new();
    for s in STAGES {
        let is = col(STAGE).eq(lit(s)).fill_null(lit(false));
        pre.push(
            when(is.clone())
                .then(col(AT))
                .otherwise(lit(NULL).cast(ts.clone()))
                .alias(rec(s)),
        );
        pre.push(is.cast(DataType::UInt8).alias(has(s)));
        aggs.push(col(rec(s)).min());
        aggs.push(col(has(s)).max().cast(DataType::Boolean));
    }
    pre.push(
        col(STAGE)
            .eq(lit("recycled"))
            .cast(DataType::UInt32)
            .alias("times_recycled"),
    );
    pre.push(
        col(AT)
            .is_null()
            .cast(DataType::UInt32)
            .alias("flag_only_stages"),
    );
    aggs.push(col("times_recycled").sum());
    aggs.push(col("flag_only_stages").sum());
    let mut frame = match events {
        Some(e) => beside(
            leads,
            e.clone()
                .lazy()
                .select([col(LEAD_ROW)].into_iter().chain(pre).collect::<Vec<_>>())
                .group_by([col(LEAD_ROW)])
                .agg(aggs),
        )?
        .lazy(),
        None => leads.lazy().with_columns(
            STAGES
                .iter()
                .flat_map(|s| {
                    [
                        lit(NULL).cast(crate::input::time::ts_dtype()).alias(rec(s)),
                        lit(false).alias(has(s)),
                    ]
                })
                .chain([
                    lit(0u32).alias("times_recycled"),
                    lit(0u32).alias("flag_only_stages"),
                ])
                .collect::<Vec<_>>(),
        ),
    };
    let won = col(STATUS).eq(lit("won"));
    let deal_aggs = [
        len().cast(DataType::UInt32).alias("deals"),
        won.clone().cast(DataType::UInt32).sum().alias("deals_won"),
        col(STATUS)
            .eq(lit("lost"))
            .cast(DataType::UInt32)
            .sum()
            .alias("deals_lost"),
        col(STATUS)
            .eq(lit("open"))
            .cast(DataType::UInt32)
            .sum()
            .alias("deals_open"),
        when(won.clone())
            .then(col(AMOUNT))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .sum()
            .alias("revenue"),
        col(CREATED_AT).min().alias("__deal_opp"),
        when(won)
            .then(col(CLOSED_AT))
            .otherwise(lit(NULL).cast(crate::input::time::ts_dtype()))
            .min()
            .alias("__deal_won"),
    ];
    frame = match deals {
        Some(d) => beside(frame.collect()?, d.group_by([col(LEAD_ROW)]).agg(deal_aggs))?.lazy(),
        None => frame.with_columns([
            lit(0u32).alias("deals"),
            lit(0u32).alias("deals_won"),
            lit(0u32).alias("deals_lost"),
            lit(0u32).alias("deals_open"),
            lit(0.0).alias("revenue"),
            lit(NULL)
                .cast(crate::input::time::ts_dtype())
                .alias("__deal_opp"),
            lit(NULL)
                .cast(crate::input::time::ts_dtype())
                .alias("__deal_won"),
        ]),
    };
    let zero = |c: &str| col(c).fill_null(lit(0u32));
    frame = frame.with_columns([
        zero("deals").alias("deals"),
        zero("deals_won").alias("deals_won"),
        zero("deals_lost").alias("deals_lost"),
        zero("deals_open").alias("deals_open"),
        col("revenue").fill_null(lit(0.0)).alias("revenue"),
        zero("times_recycled").alias("times_recycled"),
        zero("flag_only_stages").alias("flag_only_stages"),
    ]);
    let flag = |s: &str| col(has(s)).fill_null(lit(false));
    // Recorded (strict) facts per core stage.
    frame = frame.with_columns([
        flag("mql").alias("recorded_mql"),
        flag("sql").alias("recorded_sql"),
        flag("opportunity")
            .or(col("deals").gt(lit(0u32)))
            .alias("recorded_opportunity"),
        flag("won")
            .or(col("deals_won").gt(lit(0u32)))
            .alias("recorded_won"),
        min_horizontal([col(rec("opportunity")), col("__deal_opp")])?.alias("__opp_at"),
        min_horizontal([col(rec("won")), col("__deal_won")])?.alias("__won_at"),
        col(rec("sal")).alias("sal_at"),
    ]);
    // Cumulative reach and times.
    frame = frame.with_columns([
        col("recorded_won").alias("reached_won"),
        col("recorded_opportunity")
            .or(col("recorded_won"))
            .alias("reached_opportunity"),
        col("recorded_sql")
            .or(col("recorded_opportunity"))
            .or(col("recorded_won"))
            .alias("reached_sql"),
        col("recorded_mql")
            .or(col("recorded_sql"))
            .or(col("recorded_opportunity"))
            .or(col("recorded_won"))
            .alias("reached_mql"),
        col("__won_at").alias("won_at"),
        min_horizontal([col("__opp_at"), col("__won_at")])?.alias("opportunity_at"),
        min_horizontal([col(rec("sql")), col("__opp_at"), col("__won_at")])?.alias("sql_at"),
        min_horizontal([
            col(rec("mql")),
            col(rec("sql")),
            col("__opp_at"),
            col("__won_at"),
        ])?
        .alias("mql_at"),
    ]);
    Ok(frame.collect()?)
}
