//! `generate`: deterministic, realistic, and its injected dirt is exactly
//! what `validate` sets aside.

use std::collections::BTreeMap;

use super::*;

fn generate(dir: &Path, leads: u64, seed: u64, extra: &[&str]) {
    let mut args: Vec<String> = vec![
        "generate".into(),
        "--leads".into(),
        leads.to_string(),
        "--seed".into(),
        seed.to_string(),
        "--out".into(),
        dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run_lib(&refs);
    assert_eq!(code, 0, "{err}");
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("generate_manifest.json")).unwrap()).unwrap()
}

fn injected(dir: &Path) -> BTreeMap<(String, String), u64> {
    let m = manifest(dir);
    let mut out = BTreeMap::new();
    for (table, reasons) in m["injected"].as_object().unwrap() {
        for (reason, n) in reasons.as_object().unwrap() {
            out.insert((table.clone(), reason.clone()), n.as_u64().unwrap());
        }
    }
    out
}

fn ledger_counts(dir: &Path) -> BTreeMap<(String, String), u64> {
    let ledger = ledger_of(dir);
    let mut out = BTreeMap::new();
    for t in &ledger.tables {
        assert_eq!(t.read, t.used + t.set_aside(), "{}", t.table);
        for r in &t.reasons {
            out.insert((t.table.clone(), r.reason.clone()), r.rows);
        }
    }
    out
}

#[test]
fn the_same_seed_writes_identical_files() {
    let s = Scratch::new();
    generate(&s.join("a"), 3000, 7, &[]);
    generate(&s.join("b"), 3000, 7, &[]);
    generate(&s.join("c"), 3000, 8, &[]);
    let names = s.names("a");
    assert_eq!(
        names,
        [
            "activities.parquet",
            "deals.parquet",
            "generate_manifest.json",
            "handoffs.parquet",
            "leads.parquet",
            "scores.parquet",
            "spend.parquet",
            "touches.parquet"
        ]
    );
    for n in &names {
        let a = std::fs::read(s.join("a").join(n)).unwrap();
        assert_eq!(
            a,
            std::fs::read(s.join("b").join(n)).unwrap(),
            "{n} differs"
        );
    }
    assert_ne!(
        std::fs::read(s.join("a/leads.parquet")).unwrap(),
        std::fs::read(s.join("c/leads.parquet")).unwrap()
    );
}

#[test]
fn clean_data_has_nothing_to_set_aside() {
    let s = Scratch::new();
    generate(s.path(), 4000, 1, &[]);
    let ledger = ledger_of(s.path());
    assert_eq!(ledger.set_aside_total(), 0, "{:?}", ledger.tables);
    let rows = manifest(s.path())["rows"].clone();
    for t in &ledger.tables {
        assert_eq!(t.read, rows[&t.table].as_u64().unwrap(), "{}", t.table);
    }
}

#[test]
fn parquet_dirt_is_exactly_what_validate_sets_aside() {
    let s = Scratch::new();
    generate(s.path(), 6000, 3, &["--dirty", "1"]);
    let inj = injected(s.path());
    assert!(inj.len() >= 18, "{inj:?}");
    assert_eq!(ledger_counts(s.path()), inj);
}

#[test]
fn csv_dirt_is_exactly_what_validate_sets_aside() {
    let s = Scratch::new();
    generate(s.path(), 3000, 4, &["--dirty", "2", "--format", "csv"]);
    assert!(s.names("").contains(&"leads.csv".to_string()));
    let inj = injected(s.path());
    assert!(inj.contains_key(&("leads".into(), "unparseable_timestamp".into())));
    assert_eq!(ledger_counts(s.path()), inj);
}

#[test]
fn generated_data_looks_like_a_real_funnel() {
    use polars::prelude::*;
    let s = Scratch::new();
    generate(s.path(), 20_000, 11, &[]);
    let read = |t: &str| {
        LazyFrame::scan_parquet(
            PlRefPath::try_from_path(&s.join(&format!("{t}.parquet"))).unwrap(),
            Default::default(),
        )
        .unwrap()
        .collect()
        .unwrap()
    };
    let leads = read("leads");
    assert_eq!(leads.height(), 20_000);
    assert_eq!(leads.column("source").unwrap().n_unique().unwrap(), 12);
    let handoffs = read("handoffs");
    let stages: Vec<String> = handoffs
        .column("stage")
        .unwrap()
        .unique()
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    for st in ["mql", "contacted", "sal", "sql", "recycled", "disqualified"] {
        assert!(stages.contains(&st.to_string()), "no {st}");
    }
    let deals = read("deals");
    let statuses = deals.column("status").unwrap().n_unique().unwrap();
    assert_eq!(statuses, 3);
    let scores = read("scores");
    let per_lead = scores.height() as f64 / 20_000.0;
    assert!((1.5..4.0).contains(&per_lead), "{per_lead} scores per lead");
    let touches = read("touches");
    let per_lead = touches.height() as f64 / 20_000.0;
    assert!(
        (2.0..6.0).contains(&per_lead),
        "{per_lead} touches per lead"
    );
    let spend = read("spend");
    assert!(spend.height() > 700 * 20, "{}", spend.height());
    // Times stay inside the 24 months (2024-11-01 .. 2026-11-01 UTC).
    let created = leads
        .column("created_at")
        .unwrap()
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap();
    let min = created
        .as_materialized_series()
        .min::<i64>()
        .unwrap()
        .unwrap();
    let max = created
        .as_materialized_series()
        .max::<i64>()
        .unwrap()
        .unwrap();
    assert!(min >= 1_730_419_200_000_000 && max < 1_793_491_200_000_000);
}

/// The first row of a key in file order is the one used: every injected
/// duplicate comes after the chunk's 6,000 clean leads, so each row set
/// aside as a duplicate must be numbered above 6,000.
#[test]
fn the_first_row_of_a_duplicated_key_is_used() {
    use polars::prelude::*;
    let s = Scratch::new();
    generate(s.path(), 6000, 5, &["--dirty", "2"]);
    let checked = checked_of(s.path());
    let (_, aside) = leadloop::quality::ledger::compute(&checked, false).unwrap();
    let leads = aside.iter().find(|a| a.table == "leads").unwrap();
    let dups = leads
        .frame
        .clone()
        .lazy()
        .filter(col("reason").eq(lit("duplicate_key")))
        .select([col("row").min().alias("first"), len().alias("n")])
        .collect()
        .unwrap();
    let first = dups
        .column("first")
        .unwrap()
        .cast(&DataType::UInt64)
        .unwrap()
        .u64()
        .unwrap()
        .get(0)
        .unwrap();
    let n = dups.column("n").unwrap().u32().unwrap().get(0).unwrap();
    assert_eq!(n, 120);
    assert!(
        first > 6000,
        "a clean lead was judged a duplicate (row {first})"
    );
}

/// The bundled data-samples/ was made with --dirty 0.5; validate sets aside
/// exactly what its manifest says was injected.
#[test]
fn data_samples_ledger_matches_its_manifest() {
    let dir = repo().join("data-samples");
    assert_eq!(ledger_counts(&dir), injected(&dir));
    let m = manifest(&dir);
    assert_eq!(
        (
            m["leads"].as_u64(),
            m["seed"].as_u64(),
            m["dirty_pct"].as_f64()
        ),
        (Some(20_000), Some(42), Some(0.5))
    );
}
