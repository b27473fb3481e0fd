//! Speed to lead (SPEC §4 "contact"): MQLs and their SQL rate by how fast
//! sales first contacted them, overall and within each score band, and the
//! Mantel–Haenszel odds ratio of SQL for contact within the SLA against
//! later contact, stratified by band — the speed effect with lead quality
//! held fixed.
//!
//! Buckets include their lower bound and exclude their upper: `<1h` [0, 1),
//! `1-4h` [1, 4), `4-24h` [4, 24), `1-3d` [24, 72), `3-7d` [72, 168), `>7d`
//! 168 hours on, `never` not contacted.
//!
//! Decisions where the spec is silent:
//! - Only mature MQLs (SLA window elapsed by as_of) count: a younger MQL not
//!   yet contacted is not yet "never", and one contacted early has had less
//!   time to become an SQL, which would flatter fast contact.
//! - The odds ratio compares contacted MQLs only (within the SLA, ≤
//!   sla_hours, against later); `never` is not part of it. Its strata are
//!   the bands, `unscored` included; a band with fewer than two MQLs adds
//!   nothing. The crude (unstratified) ratio is shown beside it, so the
//!   reader sees how much of the raw speed effect is lead quality.

use polars::prelude::*;

use super::mqls::grouped;
use crate::analysis::rate_with_bounds;
use crate::error::{Error, Result};
use crate::stats::{mantel_haenszel, OddsRatio, Stratum};

/// Bucket names, fastest first, and each one's lower bound in hours.
pub const BUCKETS: [(&str, f64); 6] = [
    ("<1h", 0.0),
    ("1-4h", 1.0),
    ("4-24h", 4.0),
    ("1-3d", 24.0),
    ("3-7d", 72.0),
    (">7d", 168.0),
];
pub const NEVER: &str = "never";

fn bucket_names() -> Vec<&'static str> {
    BUCKETS.iter().map(|(b, _)| *b).chain([NEVER]).collect()
}

/// The bucket of each MQL from `__hours` and `contacted`.
fn bucket() -> Expr {
    let mut e = lit(BUCKETS[BUCKETS.len() - 1].0);
    for w in BUCKETS.windows(2).rev() {
        let (name, _) = w[0];
        let (_, upper) = w[1];
        e = when(col("__hours").lt(lit(upper)))
            .then(lit(name))
            .otherwise(e);
    }
    when(col("contacted").not())
        .then(lit(NEVER))
        .otherwise(e)
        .alias("bucket")
}

fn rank(column: &str, names: Vec<String>) -> Expr {
    let ranks: Vec<u32> = (0..names.len() as u32).collect();
    col(column).replace_strict(
        lit(Series::new("n".into(), names)),
        lit(Series::new("r".into(), ranks)),
        Some(lit(u32::MAX)),
        Some(DataType::UInt32),
    )
}

fn sums() -> Vec<Expr> {
    vec![
        len().cast(DataType::UInt32).alias("mql"),
        crate::analysis::count(col("__sql")).alias("sql"),
    ]
}

/// `bucket, mql, share, sql, sql_rate(+bounds)` over mature MQLs, every
/// bucket shown (zeros included), then `all`.
pub fn table(mqls: LazyFrame) -> Result<LazyFrame> {
    let mature = mqls
        .filter(col("__mature"))
        .with_column(bucket().alias("group"));
    let counts = grouped(mature, sums())?;
    let names: Vec<&str> = bucket_names()
        .into_iter()
        .chain([crate::analysis::ALL_LABEL])
        .collect();
    let all = df!("group" => names.clone())?.lazy().join(
        counts,
        [col("group")],
        [col("group")],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    );
    let total = col("mql")
        .filter(col("group").eq(lit(crate::analysis::ALL_LABEL)))
        .first();
    let mut cols = vec![
        col("group").alias("bucket"),
        col("mql"),
        // No mature MQL: no share (null, not 0/0 = NaN in the CSV).
        when(total.clone().gt(lit(0u32)))
            .then(col("mql").cast(DataType::Float64) / total.cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("share"),
        col("sql"),
    ];
    cols.extend(rate_with_bounds("sql_rate", col("sql"), col("mql")));
    Ok(all
        .with_columns([
            col("mql").fill_null(lit(0u32)),
            col("sql").fill_null(lit(0u32)),
        ])
        .select(cols))
}

/// `band, bucket, mql, sql, sql_rate(+bounds)` over mature MQLs: the speed
/// table repeated within each band (buckets with no MQLs left out).
pub fn by_band(mqls: LazyFrame, band_order: &[String]) -> LazyFrame {
    let mut bands: Vec<String> = band_order.to_vec();
    bands.push("unscored".into());
    let buckets: Vec<String> = bucket_names().into_iter().map(String::from).collect();
    let mut cols = vec![col("band"), col("bucket"), col("mql"), col("sql")];
    cols.extend(rate_with_bounds("sql_rate", col("sql"), col("mql")));
    mqls.filter(col("__mature"))
        .with_column(bucket())
        .group_by([col("band"), col("bucket")])
        .agg(sums())
        .sort_by_exprs(
            [rank("band", bands), rank("bucket", buckets)],
            SortMultipleOptions::default(),
        )
        .select(cols)
}

/// Counts for the odds ratio: `band, within, sql, n` over mature, contacted MQLs.
pub fn effect_counts(mqls: LazyFrame) -> LazyFrame {
    mqls.filter(col("__mature").and(col("contacted")))
        .group_by([col("band"), col("__within"), col("__sql")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .select([
            col("band"),
            col("__within").alias("within"),
            col("__sql").alias("sql"),
            col("n"),
        ])
}

/// The 2×2 strata (one per band) of collected [`effect_counts`]: exposed =
/// contacted within the SLA, outcome = SQL.
pub fn strata(counts: &DataFrame) -> Result<Vec<(String, Stratum)>> {
    let band = counts.column("band")?.str()?.clone();
    let within = counts.column("within")?.bool()?.clone();
    let sql = counts.column("sql")?.bool()?.clone();
    let n = counts.column("n")?.u64()?.clone();
    let mut out: Vec<(String, Stratum)> = Vec::new();
    for i in 0..counts.height() {
        let (Some(b), Some(w), Some(s), Some(k)) =
            (band.get(i), within.get(i), sql.get(i), n.get(i))
        else {
            return Err(Error::Internal("contact: null in odds-ratio counts".into()));
        };
        let cell = match (w, s) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        match out.iter_mut().find(|(name, _)| name == b) {
            Some((_, st)) => st[cell] += k,
            None => {
                let mut st = [0; 4];
                st[cell] = k;
                out.push((b.to_string(), st));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// `measure, odds_ratio, lower_95, upper_95, strata, mql`: the crude ratio
/// and the band-adjusted Mantel–Haenszel ratio. (Not `_lo`/`_hi`: those
/// name a proportion's bounds, and an odds ratio is not a proportion.)
pub fn effect(strata: &[(String, Stratum)]) -> Result<(DataFrame, Option<OddsRatio>)> {
    let pooled: Stratum = strata.iter().fold([0; 4], |mut acc, (_, s)| {
        for (a, v) in acc.iter_mut().zip(s) {
            *a += v;
        }
        acc
    });
    let crude = mantel_haenszel(&[pooled]);
    let adjusted = mantel_haenszel(&strata.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    let n: u64 = pooled.iter().sum();
    let df = df!(
        "measure" => ["crude", "band-adjusted (Mantel-Haenszel)"],
        "odds_ratio" => [crude.map(|o| o.estimate), adjusted.map(|o| o.estimate)],
        "lower_95" => [crude.and_then(|o| o.lo), adjusted.and_then(|o| o.lo)],
        "upper_95" => [crude.and_then(|o| o.hi), adjusted.and_then(|o| o.hi)],
        "strata" => [crude.map_or(0, |o| o.strata as u32), adjusted.map_or(0, |o| o.strata as u32)],
        "mql" => [n, n],
    )?;
    Ok((df, adjusted))
}
