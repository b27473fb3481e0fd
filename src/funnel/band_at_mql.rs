//! Score at first MQL and its band (SPEC §3): the last score with
//! `scored_at` ≤ the lead's (cumulative) MQL time; for a lead never MQL'd,
//! its latest score. Without a scores table, the leads' own `score` column.
//! No score at all: band `unscored`. Ties in `scored_at` go to the later row.

use polars::prelude::*;

use super::dense;
use crate::config::Bands;
use crate::error::Result;
use crate::input::schema::{LEAD_ROW, SCORE, SCORED_AT};

/// `frame` (one row per lead, lead `i` at row `i`, with `mql_at`) with
/// `score_at_mql` and `band`; `scores` keyed by [`LEAD_ROW`].
pub fn with_band(
    frame: DataFrame,
    scores: Option<LazyFrame>,
    lead_columns: &[String],
    bands: &Bands,
) -> Result<DataFrame> {
    let frame = match scores {
        Some(s) => {
            // Each score beside its lead's MQL time; those after it dropped.
            let scores = s.select([col(LEAD_ROW), col(SCORED_AT), col(SCORE)]);
            let kept = dense::with_lead_value(scores, &frame, "mql_at")?
                .filter(
                    col("mql_at")
                        .is_null()
                        .or(col(SCORED_AT).lt_eq(col("mql_at"))),
                )
                .select([col(LEAD_ROW), col(SCORED_AT), col(SCORE)])
                .collect()?;
            // The latest score of each lead (of equal times, the later row).
            let last = dense::latest(
                kept.column(LEAD_ROW)?,
                kept.column(SCORED_AT)?,
                frame.height(),
            )?;
            let score = dense::chosen(kept.column(SCORE)?, &last, "score_at_mql")?;
            frame.hstack(&[score])?.lazy()
        }
        None if lead_columns.iter().any(|c| c == SCORE) => {
            frame.lazy().with_column(col(SCORE).alias("score_at_mql"))
        }
        None => frame
            .lazy()
            .with_column(lit(NULL).cast(DataType::Float64).alias("score_at_mql")),
    };
    Ok(frame
        .with_column(band_expr(col("score_at_mql"), bands).alias("band"))
        .collect()?)
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
