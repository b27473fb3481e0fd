//! The public data sets in ../shared/real-data, read through the configs in
//! tests/real-data/. Expected figures come from their PROVENANCE.md and were
//! re-counted with Python's csv module (see each test).

use leadloop::quality::Reason;

use super::*;

fn config(name: &str) -> PathBuf {
    real_data(""); // fails clearly when the shared data is missing
    repo()
        .join("tests/real-data")
        .join(name)
        .join("leadloop.toml")
}

/// PROVENANCE.md: 8,000 MQLs, 842 won deals, one deal (row 668, mql_id
/// b91cf8812365f50ff4bda4bcd6206b05) won 2018-03-06 before its MQL date 2018-03-08.
#[test]
fn olist_ledger_sets_aside_the_deal_won_before_its_mql() {
    let ledger = ledger_of(&config("olist"));
    let leads = ledger.table("leads").unwrap();
    assert_eq!((leads.read, leads.used, leads.set_aside()), (8000, 8000, 0));
    let deals = ledger.table("deals").unwrap();
    assert_eq!((deals.read, deals.used), (842, 841));
    assert_eq!(deals.rows(Reason::StageBeforeCreated), 1);
    let ex = &deals.reasons[0].examples[0];
    assert_eq!(ex.row, 668);
    assert!(
        ex.values
            .contains("lead_id=b91cf8812365f50ff4bda4bcd6206b05"),
        "{}",
        ex.values
    );
    assert!(
        ex.values.contains("closed_at=2018-03-06 19:38:55"),
        "{}",
        ex.values
    );
}

#[test]
fn olist_validate_runs_end_to_end() {
    let out = leadloop()
        .args(["--data", config("olist").to_str().unwrap(), "validate"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("stage_before_created"), "{text}");
    assert!(
        text.contains("8,842 read = 8,841 used + 1 set aside"),
        "{text}"
    );
}

/// PROVENANCE.md: 9,240 rows, 9,240 distinct Prospect IDs, no timestamps.
#[test]
fn x_education_every_row_is_accounted_for() {
    let ledger = ledger_of(&config("x-education"));
    let leads = ledger.table("leads").unwrap();
    assert_eq!((leads.read, leads.used, leads.set_aside()), (9240, 9240, 0));
    assert_eq!(ledger.tables.len(), 1);
}

#[test]
fn x_education_validate_notes_the_missing_created_at() {
    let (code, out, err) = run_lib(&[
        "--data",
        config("x-education").to_str().unwrap(),
        "validate",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("declares no created_at"), "{out}");
    assert!(
        out.contains("9,240 read = 9,240 used + 0 set aside"),
        "{out}"
    );
}

fn stage_event_counts(cfg: &Path) -> Vec<(String, u32, u32)> {
    use polars::prelude::*;
    let checked = checked_of(cfg);
    let events = leadloop::funnel::events::stage_events(
        checked.handoffs_keyed(),
        checked.leads_wide(),
        &checked.wide_stages,
    )
    .unwrap()
    .expect("wide stages give events");
    let df = events
        .group_by([col("stage")])
        .agg([len().alias("n"), col("at").null_count().alias("no_time")])
        .sort(["stage"], Default::default())
        .collect()
        .unwrap();
    let stage = df.column("stage").unwrap().str().unwrap().clone();
    let n = df.column("n").unwrap().u32().unwrap().clone();
    let no_time = df
        .column("no_time")
        .unwrap()
        .cast(&DataType::UInt32)
        .unwrap();
    let no_time = no_time.u32().unwrap();
    (0..df.height())
        .map(|i| {
            (
                stage.get(i).unwrap().to_string(),
                n.get(i).unwrap(),
                no_time.get(i).unwrap(),
            )
        })
        .collect()
}

/// Olist: every lead is an MQL at its first_contact_date (a wide `at` stage).
#[test]
fn olist_wide_mql_stage_gives_one_timed_event_per_lead() {
    assert_eq!(
        stage_event_counts(&config("olist")),
        [("mql".to_string(), 8000, 0)]
    );
}

/// X Education: `Converted` = 1 for 3,561 leads (PROVENANCE.md), a flag-only `won` stage.
#[test]
fn x_education_converted_flag_gives_untimed_won_events() {
    assert_eq!(
        stage_event_counts(&config("x-education")),
        [("won".to_string(), 3561, 3561)]
    );
}

/// X Education has no timestamps at all (created_at declared absent): velocity
/// has nothing to measure, said in one line (it asked for --as-of, and with
/// one printed an empty table), and validate does not list it as fed.
#[test]
fn x_education_velocity_has_no_times_to_measure() {
    let cfg = config("x-education");
    let err = fails_with_2([
        "--data",
        cfg.to_str().unwrap(),
        "--as-of",
        "2020-01-01",
        "velocity",
    ]);
    assert!(
        err.contains("velocity: the leads have no created_at (the config declares it absent)"),
        "{err}"
    );
    let v = analysis_json(&cfg, "validate", &[]);
    let feeds = analysis_row(&v, "velocity");
    assert_eq!(feeds["feeds"], "no", "{feeds}");
}

/// Olist's deals are won deals only and it records no SQL: every SQL is one
/// because it won, so sql_to_won (841 of 841 in 0 days) is left out with a
/// note; lead_to_won stays (841 won of 8,000, PROVENANCE.md).
#[test]
fn olist_velocity_leaves_out_sql_to_won() {
    let v = analysis_json(&config("olist"), "velocity", &[]);
    let transitions: Vec<&str> = rows(&v, "velocity")
        .iter()
        .map(|r| r["transition"].as_str().unwrap())
        .collect();
    assert_eq!(transitions, ["lead_to_mql", "mql_to_sql", "lead_to_won"]);
    let won = rows(&v, "velocity")
        .iter()
        .find(|r| r["transition"] == "lead_to_won")
        .unwrap();
    assert_eq!(
        (won["entered"].as_u64(), won["reached"].as_u64()),
        (Some(8000), Some(841))
    );
    assert!(
        v["notes"]
            .to_string()
            .contains("sql_to_won left out: no input records sql short of a later stage"),
        "{}",
        v["notes"]
    );
}
