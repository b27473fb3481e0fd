//! Pipeline benchmarks over `leadloop generate` data at a fixed seed.
//!
//! Run: `cargo bench --bench pipeline` (release profile). Each size is
//! generated once into a temporary folder; timings are for reading and
//! judging every row (the ledger), for building lead_funnel, for the
//! contact analysis over it, and for generating itself. End-to-end CLI
//! timings with peak memory at 1M and 10M leads: `benches/time-cli.sh`.

use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn data(leads: u64) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leadloop-bench-{leads}"));
    if !dir.join("generate_manifest.json").exists() {
        let opts = leadloop::generate::Options {
            leads,
            seed: 42,
            format: leadloop::config::FileFormat::Parquet,
            dirty_pct: 0.5,
            out: dir.clone(),
        };
        leadloop::generate::generate(&opts, &indicatif::ProgressBar::hidden()).expect("generate");
    }
    dir
}

fn ledger(dir: &Path) -> u64 {
    let spec = leadloop::config::DataSpec::open(dir).expect("open");
    let inputs = leadloop::input::load(&spec).expect("load");
    let checked = leadloop::quality::Checked::new(inputs, &spec).expect("check");
    leadloop::quality::ledger::compute(&checked, false)
        .expect("ledger")
        .0
        .set_aside_total()
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn validate_ledger(bencher: divan::Bencher, leads: u64) {
    let dir = data(leads);
    bencher.bench(|| ledger(&dir));
}

/// The floor: decode every column of every table once, nothing else.
#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn scan_floor(bencher: divan::Bencher, leads: u64) {
    use polars::prelude::*;
    let dir = data(leads);
    bencher.bench(|| {
        let mut rows = 0;
        for t in [
            "leads",
            "scores",
            "handoffs",
            "activities",
            "deals",
            "spend",
            "touches",
        ] {
            let f = std::fs::File::open(dir.join(format!("{t}.parquet"))).expect("open");
            rows += ParquetReader::new(f).finish().expect("read").height();
        }
        rows
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn lead_funnel_build(bencher: divan::Bencher, leads: u64) {
    let dir = data(leads);
    bencher.bench(|| {
        let spec = leadloop::config::DataSpec::open(&dir).expect("open");
        let inputs = leadloop::input::load(&spec).expect("load");
        let checked = leadloop::quality::Checked::new(inputs, &spec).expect("check");
        leadloop::funnel::build(&checked)
            .expect("plan")
            .collect()
            .expect("collect")
            .height()
    });
}

/// The contact analysis alone, over a lead_funnel already in memory (what
/// `contact` adds beyond building lead_funnel).
#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn contact_on_funnel(bencher: divan::Bencher, leads: u64) {
    use leadloop::analysis::contact::{self, gap, speed};
    use polars::prelude::*;
    let dir = data(leads);
    let spec = leadloop::config::DataSpec::open(&dir).expect("open");
    let inputs = leadloop::input::load(&spec).expect("load");
    let checked = leadloop::quality::Checked::new(inputs, &spec).expect("check");
    let funnel = leadloop::funnel::build(&checked)
        .expect("plan")
        .collect()
        .expect("collect");
    let opts = contact::Params {
        by: vec!["rep".into()],
        sla_hours: 24.0,
        black_hole_days: 30.0,
        as_of: 1_790_000_000_000_000,
        band_order: vec!["A".into(), "B".into(), "C".into(), "D".into()],
    };
    bencher.bench(|| {
        let mqls = contact::mqls(funnel.clone().lazy(), &opts)
            .expect("mqls")
            .cache();
        let plans = vec![
            contact::table(mqls.clone(), &opts)
                .expect("table")
                .logical_plan,
            speed::table(mqls.clone()).expect("speed").logical_plan,
            speed::by_band(mqls.clone(), &opts.band_order).logical_plan,
            speed::effect_counts(mqls.clone()).logical_plan,
            gap::table(mqls, &opts.by).expect("gap").logical_plan,
        ];
        LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default())
            .expect("collect")
            .len()
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn generate(bencher: divan::Bencher, leads: u64) {
    let out = tempfile::tempdir().expect("tmp");
    bencher.bench(|| {
        let opts = leadloop::generate::Options {
            leads,
            seed: 1,
            format: leadloop::config::FileFormat::Parquet,
            dirty_pct: 0.0,
            out: out.path().to_path_buf(),
        };
        leadloop::generate::generate(&opts, &indicatif::ProgressBar::hidden()).expect("generate")
    });
}
