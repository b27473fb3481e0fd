//! Score at first MQL and its band (SPEC §3): the last score with
//! `scored_at` ≤ the lead's (cumulative) MQL time; for a lead never MQL'd,
//! its latest score. Without a scores table, the leads' own `score` column.
//! No score at all: band `unscored`. Ties in `scored_at` go to the later row.

use polars::prelude::*;

use crate::config::Bands;
use crate::input::schema::{LEAD_ROW, SCORE, SCORED_AT};

pub fn with_band(
    frame: LazyFrame,
    scores: Option<LazyFrame>,
    lead_columns: &[String],
    bands: &Bands,
) -> LazyFrame {
    let frame = match scores {
        Some(s) => {
            let at_mql = s
                .select([col(LEAD_ROW), col(SCORED_AT), col(SCORE)])
                .join(
                    frame.clone().select([col(LEAD_ROW), col("mql_at")]),
                    [col(LEAD_ROW)],
                    [col(LEAD_ROW)],
                    JoinArgs::new(JoinType::Inner),
                )
                .filter(
                    col("mql_at")
                        .is_null()
                        .or(col(SCORED_AT).lt_eq(col("mql_at"))),
                )
                // A stable sort by time, then the last row of each lead: polars
                // keeps row order within a group, so a tie goes to the later row.
                .sort(
                    [SCORED_AT],
                    SortMultipleOptions::default().with_maintain_order(true),
                )
                .group_by([col(LEAD_ROW)])
                .agg([col(SCORE).last().alias("score_at_mql")]);
            super::join_by_lead(frame, at_mql)
        }
        None if lead_columns.iter().any(|c| c == SCORE) => {
            frame.with_column(col(SCORE).alias("score_at_mql"))
        }
        None => frame.with_column(lit(NULL).cast(DataType::Float64).alias("score_at_mql")),
    };
    frame.with_column(band_expr(col("score_at_mql"), bands).alias("band"))
}

/// The band of a score expression; null scores are `unscored`.
pub fn band_expr(score: Expr, bands: &Bands) -> Expr {
    let mut e = lit(bands.lowest.clone());
    for (name, min) in bands.thresholds.iter().rev() {
        e = when(score.clone().gt_eq(lit(*min)))
            .then(lit(name.clone()))
            .otherwise(e);
    }
    when(score.is_null()).then(lit("unscored")).otherwise(e)
}
