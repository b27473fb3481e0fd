//! `leadloop generate`: a realistic, deterministic data set of every SPEC
//! table, for samples, tests and benchmarks.
//!
//! Leads are simulated in fixed chunks of [`CHUNK`], each with its own
//! random stream seeded from (seed, chunk), and every chunk is written as it
//! is made, so memory stays bounded however many leads are asked for and the
//! same seed always gives the same files. Files are staged as temporary
//! files and renamed into place at the end (as every output is).
//!
//! The Parquet files use a different timestamp form per table on purpose,
//! so reading them exercises SPEC §1: zone-aware microseconds (leads), naive
//! milliseconds (handoffs), New York time (activities), epoch milliseconds as
//! integers (scores), dates (spend). CSV uses ISO-8601 text of several shapes.

pub mod dirt;
pub mod model;
pub mod world;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::config::FileFormat;
use crate::error::{Error, Result};
use model::{Tables, DAY, GARBAGE};

/// Leads per chunk: fixed, so output does not depend on memory or threads.
pub const CHUNK: u64 = 50_000;

pub struct Options {
    pub leads: u64,
    pub seed: u64,
    pub format: FileFormat,
    pub dirty_pct: f64,
    pub out: PathBuf,
}

/// What was written: rows per table and bad rows injected.
pub struct Summary {
    pub rows: BTreeMap<String, u64>,
    pub injected: dirt::Injected,
    pub files: Vec<PathBuf>,
}

const TABLES: [&str; 7] = [
    "leads",
    "scores",
    "handoffs",
    "activities",
    "deals",
    "spend",
    "touches",
];

enum Writer {
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>),
    Csv(polars::io::csv::write::BatchedWriter<File>),
}

struct Sink {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    writer: Option<Writer>,
    rows: u64,
}

impl Sink {
    fn write(&mut self, df: &DataFrame, format: FileFormat) -> Result<()> {
        let fail = |e: PolarsError| Error::Output {
            path: self.target.clone(),
            detail: e.to_string(),
        };
        if self.writer.is_none() {
            let file = self.tmp.as_file().try_clone().map_err(|e| Error::Output {
                path: self.target.clone(),
                detail: e.to_string(),
            })?;
            let schema = df.schema();
            self.writer = Some(match format {
                FileFormat::Parquet => Writer::Parquet(Box::new(
                    ParquetWriter::new(file).batched(schema).map_err(fail)?,
                )),
                FileFormat::Csv | FileFormat::Xlsx => Writer::Csv(
                    CsvWriter::new(file)
                        .include_header(true)
                        .batched(schema)
                        .map_err(fail)?,
                ),
            });
        }
        match self.writer.as_mut() {
            Some(Writer::Parquet(w)) => w.write_batch(df).map_err(fail)?,
            Some(Writer::Csv(w)) => w.write_batch(df).map_err(fail)?,
            None => {}
        }
        self.rows += df.height() as u64;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let fail = |e: PolarsError| Error::Output {
            path: self.target.clone(),
            detail: e.to_string(),
        };
        match self.writer.as_mut() {
            Some(Writer::Parquet(w)) => {
                w.finish().map_err(fail)?;
            }
            Some(Writer::Csv(w)) => w.finish().map_err(fail)?,
            None => {}
        }
        Ok(())
    }
}

fn chunk_rng(seed: u64, chunk: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ chunk)
}

pub fn generate(opts: &Options, progress: &indicatif::ProgressBar) -> Result<Summary> {
    let ext = match opts.format {
        FileFormat::Parquet => "parquet",
        // generate writes Parquet or CSV (commands::generate never asks for xlsx).
        FileFormat::Csv | FileFormat::Xlsx => "csv",
    };
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::Output {
        path: opts.out.clone(),
        detail: e.to_string(),
    })?;
    let mut sinks: BTreeMap<&str, Sink> = BTreeMap::new();
    for name in TABLES {
        let target = opts.out.join(format!("{name}.{ext}"));
        let tmp = crate::output::atomic::staging()
            .tempfile_in(&opts.out)
            .map_err(|e| Error::Output {
                path: target.clone(),
                detail: e.to_string(),
            })?;
        sinks.insert(
            name,
            Sink {
                tmp,
                target,
                writer: None,
                rows: 0,
            },
        );
    }
    let csv = opts.format == FileFormat::Csv;
    let dirty = opts.dirty_pct > 0.0;
    let mut injected = dirt::Injected::new();
    let chunks = opts.leads.div_ceil(CHUNK);
    for c in 0..chunks {
        let mut rng = chunk_rng(opts.seed, c);
        let mut t = Tables::default();
        for i in c * CHUNK..((c + 1) * CHUNK).min(opts.leads) {
            model::simulate(i, opts.leads, &mut rng, &mut t);
        }
        if dirty {
            dirt::inject(&mut t, c, opts.dirty_pct, csv, &mut rng, &mut injected);
        }
        for (name, df) in frames(t, csv, dirty)? {
            if let Some(sink) = sinks.get_mut(name) {
                sink.write(&df, opts.format)?;
            }
        }
        progress.set_position(((c + 1) * CHUNK).min(opts.leads));
    }
    let mut rng = chunk_rng(opts.seed, u64::MAX);
    let mut spend = model::spend(opts.leads, &mut rng);
    if dirty {
        dirt::inject_spend(&mut spend, opts.dirty_pct, csv, &mut rng, &mut injected);
    }
    let spend_df = DataFrame::new_infer_height(vec![
        date_column(&spend.0, csv)?,
        Column::new("source".into(), spend.1),
        Column::new("campaign_id".into(), spend.2),
        Column::new("amount".into(), spend.3),
    ])?;
    if let Some(sink) = sinks.get_mut("spend") {
        sink.write(&spend_df, opts.format)?;
    }
    progress.finish_and_clear();

    let mut rows = BTreeMap::new();
    let mut staged = Vec::new();
    for (name, mut sink) in sinks {
        sink.finish()?;
        rows.insert(name.to_string(), sink.rows);
        staged.push((sink.tmp, sink.target));
    }
    let manifest = serde_json::json!({
        "seed": opts.seed,
        "leads": opts.leads,
        "format": ext,
        "dirty_pct": opts.dirty_pct,
        "rows": rows,
        "injected": injected,
    });
    let mut tmp = crate::output::atomic::staging()
        .tempfile_in(&opts.out)
        .map_err(|e| Error::Output {
            path: opts.out.clone(),
            detail: e.to_string(),
        })?;
    let target = opts.out.join("generate_manifest.json");
    serde_json::to_writer_pretty(&mut tmp, &manifest).map_err(|e| Error::Output {
        path: target.clone(),
        detail: e.to_string(),
    })?;
    staged.push((tmp, target));
    let files = crate::output::atomic::persist_all(staged)?;
    Ok(Summary {
        rows,
        injected,
        files,
    })
}

fn micros(v: &[Option<i64>]) -> Vec<Option<i64>> {
    v.iter().map(|x| x.filter(|t| *t != GARBAGE)).collect()
}

/// A time column: typed for Parquet, ISO text (or garbage) for CSV.
fn time_column(
    name: &str,
    v: &[Option<i64>],
    csv: bool,
    dtype: DataType,
    text: &str,
) -> Result<Column> {
    if csv {
        let s: Vec<Option<String>> = v
            .iter()
            .map(|x| {
                x.map(|t| {
                    if t == GARBAGE {
                        "not a date".to_string()
                    } else {
                        format_time(t, text)
                    }
                })
            })
            .collect();
        return Ok(Column::new(name.into(), s));
    }
    let s = Series::new(name.into(), micros(v));
    let out = match &dtype {
        DataType::Datetime(TimeUnit::Milliseconds, tz) => {
            (s / 1000).cast(&DataType::Datetime(TimeUnit::Milliseconds, tz.clone()))?
        }
        _ => s.cast(&dtype)?,
    };
    Ok(out.into())
}

fn format_time(t: i64, pattern: &str) -> String {
    let Some(dt) = chrono::DateTime::from_timestamp_micros(t) else {
        return String::new();
    };
    match pattern {
        "new_york" => dt
            .with_timezone(&chrono_tz::America::New_York)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        "epoch_ms" => (t / 1000).to_string(),
        p => dt.format(p).to_string(),
    }
}

fn date_column(v: &[Option<i64>], csv: bool) -> Result<Column> {
    if csv {
        return time_column("date", v, true, DataType::Date, "%Y-%m-%d");
    }
    let days: Vec<Option<i32>> = micros(v)
        .iter()
        .map(|x| x.map(|t| (t / DAY) as i32))
        .collect();
    Ok(Series::new("date".into(), days)
        .cast(&DataType::Date)?
        .into())
}

fn frames(t: Tables, csv: bool, dirty: bool) -> Result<Vec<(&'static str, DataFrame)>> {
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    let naive_us = DataType::Datetime(TimeUnit::Microseconds, None);
    let naive_ms = DataType::Datetime(TimeUnit::Milliseconds, None);
    let ny = DataType::Datetime(
        TimeUnit::Microseconds,
        Some(TimeZone::from_chrono(&chrono_tz::America::New_York)),
    );

    let l = t.leads;
    let mut leads = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), l.lead_id),
        time_column("created_at", &l.created_at, csv, utc, "%Y-%m-%dT%H:%M:%SZ")?,
        Column::new("source".into(), l.source),
        Column::new("campaign_id".into(), l.campaign_id),
        Column::new("industry".into(), l.industry),
        Column::new("company_size".into(), l.company_size),
        Column::new("country".into(), l.country),
    ])?;
    if dirty {
        leads.with_column(Column::new("is_deleted".into(), l.is_deleted))?;
    }

    let s = t.scores;
    let scored_at = if csv {
        time_column("scored_at", &s.scored_at, true, DataType::Int64, "epoch_ms")?
    } else {
        Column::new(
            "scored_at".into(),
            micros(&s.scored_at)
                .iter()
                .map(|x| x.map(|t| t / 1000))
                .collect::<Vec<_>>(),
        )
    };
    let scores = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), s.lead_id),
        scored_at,
        Column::new("score".into(), s.score),
        Column::new("fit".into(), s.fit),
        Column::new("engagement".into(), s.engagement),
        Column::new("intent".into(), s.intent),
    ])?;

    let h = t.handoffs;
    let handoffs = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), h.lead_id),
        Column::new("stage".into(), h.stage),
        time_column("at", &h.at, csv, naive_ms, "%Y-%m-%d %H:%M:%S")?,
        Column::new("rep_id".into(), h.rep_id),
    ])?;

    let a = t.activities;
    let activities = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), a.lead_id),
        time_column("at", &a.at, csv, ny, "new_york")?,
        Column::new("rep_id".into(), a.rep_id),
        Column::new("kind".into(), a.kind),
    ])?;

    let d = t.deals;
    let created: Vec<Option<i64>> = d.created_at.iter().copied().map(Some).collect();
    let deals = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), d.deal_id),
        Column::new("lead_id".into(), d.lead_id),
        time_column(
            "created_at",
            &created,
            csv,
            naive_us.clone(),
            "%Y-%m-%dT%H:%M:%S",
        )?,
        time_column(
            "closed_at",
            &d.closed_at,
            csv,
            naive_us.clone(),
            "%Y-%m-%dT%H:%M:%S",
        )?,
        Column::new("status".into(), d.status),
        Column::new("amount".into(), d.amount),
        Column::new("loss_reason".into(), d.loss_reason),
        Column::new("rep_id".into(), d.rep_id),
    ])?;

    let tt = t.touches;
    let at: Vec<Option<i64>> = tt.at.iter().copied().map(Some).collect();
    let touches = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), tt.lead_id),
        time_column("at", &at, csv, naive_us, "%Y-%m-%dT%H:%M:%S%.3fZ")?,
        Column::new("source".into(), tt.source),
        Column::new("campaign_id".into(), tt.campaign_id),
        Column::new("touch_type".into(), tt.touch_type),
    ])?;

    Ok(vec![
        ("leads", leads),
        ("scores", scores),
        ("handoffs", handoffs),
        ("activities", activities),
        ("deals", deals),
        ("touches", touches),
    ])
}

/// `--out` must be a folder (or not exist yet), not a file.
pub fn check_out(out: &Path) -> Result<()> {
    if out.is_file() {
        return Err(Error::bad_argument(format!(
            "--out {}: is a file, not a folder",
            out.display()
        )));
    }
    Ok(())
}
