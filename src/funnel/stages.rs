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

/// Per lead `0..n`, from its stage events ([`LEAD_ROW`], [`STAGE`], [`AT`];
/// rows without a lead row skipped): for each of [`STAGES`] the earliest
/// time of an event at it (`__<stage>_rec`, null when none is timed) and
/// whether it has one, timed or not (`__has_<stage>`), then
/// `times_recycled` (its `recycled` events) and `flag_only_stages` (its
/// events without a time).
///
/// One pass over the events into a slot per lead: lead rows are 0..n, so
/// no group-by is needed (at 10M leads polars' streamed group-by with its
/// twelve aggregations, and placing its rows, took about 2 s of
/// lead_funnel's 9). Errors: a lead row ≥ `n` (a bug).
fn event_facts(events: &DataFrame, n: usize) -> Result<Vec<Column>> {
    let rows = events.column(LEAD_ROW)?.cast(&IDX_DTYPE)?;
    let stage = events.column(STAGE)?.cast(&DataType::String)?;
    let at = events.column(AT)?.cast(&DataType::Int64)?;
    let mut first: [Vec<Option<i64>>; STAGES.len()] = std::array::from_fn(|_| vec![None; n]);
    let mut seen: [Vec<bool>; STAGES.len()] = std::array::from_fn(|_| vec![false; n]);
    let mut recycled = vec![0u32; n];
    let mut flag_only = vec![0u32; n];
    for ((r, s), t) in rows
        .idx()?
        .iter()
        .zip(stage.str()?.iter())
        .zip(at.i64()?.iter())
    {
        let Some(r) = r else { continue };
        let l = r as usize;
        if l >= n {
            return Err(crate::error::Error::Internal(format!(
                "lead_funnel: lead row {r} out of range (of {n})"
            )));
        }
        if t.is_none() {
            flag_only[l] += 1;
        }
        let Some(s) = s else { continue };
        if s == "recycled" {
            recycled[l] += 1;
        } else if let Some(k) = STAGES.iter().position(|x| *x == s) {
            seen[k][l] = true;
            if let Some(t) = t {
                first[k][l] = Some(first[k][l].map_or(t, |f| f.min(t)));
            }
        }
    }
    let ts = crate::input::time::ts_dtype();
    let mut out = Vec::with_capacity(2 * STAGES.len() + 2);
    for ((s, first), seen) in STAGES.iter().zip(first).zip(seen) {
        out.push(Column::new(rec(s).into(), first).cast(&ts)?);
        out.push(Column::new(has(s).into(), seen));
    }
    out.push(Column::new("times_recycled".into(), recycled));
    out.push(Column::new("flag_only_stages".into(), flag_only));
    Ok(out)
}

/// `leads` (one row per lead, lead `i` at row `i`) with its stage facts;
/// `events` and `deals` carry [`LEAD_ROW`].
pub fn with_stages(
    leads: DataFrame,
    events: Option<&DataFrame>,
    deals: Option<LazyFrame>,
) -> Result<DataFrame> {
    let beside = super::dense::beside;
    let mut frame = match events {
        Some(e) => {
            let facts = event_facts(e, leads.height())?;
            leads.hstack(&facts)?.lazy()
        }
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
