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

/// The band of a lead without a score at MQL (nor a latest score).
pub const UNSCORED_LABEL: &str = "unscored";

/// The labels [`band_code_expr`] indexes: the thresholds' bands (highest
/// first), the lowest band, then `unscored`.
pub fn band_labels(bands: &Bands) -> Vec<String> {
    let mut labels = bands.names();
    labels.push(UNSCORED_LABEL.into());
    labels
}

/// The band of a score expression as its index in [`band_labels`]
/// (UInt32): the same choice as [`band_expr`], without a text per row
/// (for counting leads per band).
pub fn band_code_expr(score: Expr, bands: &Bands) -> Expr {
    choose(score, bands, |k| lit(k as u32)).cast(DataType::UInt32)
}

/// The band of a score expression; null scores are `unscored`.
pub fn band_expr(score: Expr, bands: &Bands) -> Expr {
    let labels = band_labels(bands);
    choose(score, bands, |k| lit(labels[k].clone()))
}

/// The band of `score` as `label(k)` of its index `k` in [`band_labels`]:
/// the first threshold (highest first) it reaches, else the lowest band;
/// a null score `unscored`.
fn choose(score: Expr, bands: &Bands, label: impl Fn(usize) -> Expr) -> Expr {
    let n = bands.thresholds.len();
    let mut e = label(n);
    for (k, (_, min)) in bands.thresholds.iter().enumerate().rev() {
        e = when(score.clone().gt_eq(lit(*min)))
            .then(label(k))
            .otherwise(e);
    }
    when(score.is_null()).then(label(n + 1)).otherwise(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band's index names the band [`band_expr`] gives, for every kind
    /// of score: null, NaN, ±infinity, each threshold and just under it;
    /// under the default bands and under bands whose lowest is called
    /// like another label (`unscored`).
    #[test]
    fn band_codes_name_the_bands_band_expr_gives() {
        let scores: Vec<Option<f64>> = vec![
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(75.0),
            Some(74.999_999),
            Some(50.0),
            Some(49.5),
            Some(25.0),
            Some(24.0),
            Some(0.0),
            Some(-3.0),
            Some(100.0),
        ];
        let odd = Bands {
            thresholds: vec![("hot".into(), 10.0), ("warm".into(), 5.0)],
            lowest: "unscored".into(),
        };
        for bands in [Bands::default(), odd] {
            let got = df!("score" => scores.clone())
                .unwrap()
                .lazy()
                .select([
                    band_expr(col("score"), &bands).alias("band"),
                    band_code_expr(col("score"), &bands).alias("code"),
                ])
                .collect()
                .unwrap();
            let labels = band_labels(&bands);
            let band = got.column("band").unwrap().str().unwrap();
            let code = got.column("code").unwrap().u32().unwrap();
            for (b, c) in band.iter().zip(code.iter()) {
                assert_eq!(b, c.map(|c| labels[c as usize].as_str()), "{bands:?}");
            }
        }
    }
}
