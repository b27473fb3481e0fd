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

/// Joins per-lead stage facts onto `leads`; all three carry [`LEAD_ROW`].
pub fn with_stages(
    leads: LazyFrame,
    events: Option<LazyFrame>,
    deals: Option<LazyFrame>,
) -> Result<LazyFrame> {
    let join = super::join_by_lead;
    let mut frame = leads;
    let mut aggs: Vec<Expr> = Vec::new();
    for s in STAGES {
        let is = col(STAGE).eq(lit(s));
        aggs.push(col(AT).filter(is.clone()).min().alias(rec(s)));
        aggs.push(is.any(true).alias(has(s)));
    }
    aggs.push(
        col(STAGE)
            .eq(lit("recycled"))
            .cast(DataType::UInt32)
            .sum()
            .alias("times_recycled"),
    );
    aggs.push(
        col(AT)
            .is_null()
            .cast(DataType::UInt32)
            .sum()
            .alias("flag_only_stages"),
    );
    frame = match events {
        Some(e) => join(frame, e.group_by([col(LEAD_ROW)]).agg(aggs)),
        None => frame.with_columns(
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
        col(AMOUNT).filter(won.clone()).sum().alias("revenue"),
        col(CREATED_AT).min().alias("__deal_opp"),
        col(CLOSED_AT).filter(won).min().alias("__deal_won"),
    ];
    frame = match deals {
        Some(d) => join(frame, d.group_by([col(LEAD_ROW)]).agg(deal_aggs)),
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
    Ok(frame)
}
