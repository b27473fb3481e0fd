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
            // The latest score at or before the lead's MQL time (of equal
            // times, the later row), in one pass over the piece's scores.
            let scores = s
                .select([col(LEAD_ROW), col(SCORED_AT), col(SCORE)])
                .collect()?;
            let ts = crate::input::time::ts_dtype();
            let last = dense::latest_until(
                scores.column(LEAD_ROW)?,
                &scores.column(SCORED_AT)?.cast(&ts)?,
                &frame.column("mql_at")?.cast(&ts)?,
                frame.height(),
            )?;
            let score = dense::chosen(scores.column(SCORE)?, &last, "score_at_mql")?;
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
