//! `contact`: every cell of the hand-worked fixture (tests/fixtures/contact/
//! NOTES.md), a row-by-row reference on generated data, the laws every
//! contact table keeps, its exit paths and the printed tables.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn contact_json(data: &Path, extra: &[&str]) -> Value {
    analysis_json(data, "contact", extra)
}

fn row<'a>(v: &'a Value, table: &str, key: &str, value: &str) -> &'a Value {
    rows(v, table)
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("{table}: no {key} = {value}"))
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

fn counts(r: &Value, cols: &[&str]) -> Vec<u64> {
    cols.iter()
        .map(|c| r[*c].as_u64().unwrap_or_else(|| panic!("{c}: {r}")))
        .collect()
}

const COUNTS: [&str; 8] = [
    "mql",
    "mature_mql",
    "contacted",
    "contacted_within_sla",
    "never_contacted",
    "black_hole",
    "sql",
    "mature_never_contacted",
];

#[test]
fn contact_fixture_every_cell_by_hand() {
    let v = contact_json(&fixture("contact"), &[]);
    let groups: Vec<&str> = rows(&v, "contact")
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    // C12's first `mql` row names no rep: routed to nobody (SPEC §3, issue 13).
    assert_eq!(groups, ["r1", "r2", "(none)", "all"]);
    // (group, counts, contact_rate, sla_rate, median, p90, sql|contacted, sql|uncontacted, mature_never_rate)
    let want = [
        (
            "r1",
            [6, 5, 5, 3, 1, 1, 3, 1],
            [5.0 / 6.0, 3.0 / 5.0, 2.0, 44.0, 2.0 / 5.0, 1.0, 1.0 / 5.0],
        ),
        (
            "r2",
            [5, 4, 2, 1, 3, 1, 2, 2],
            [2.0 / 5.0, 1.0 / 4.0, 27.0, 29.4, 1.0, 0.0, 2.0 / 4.0],
        ),
        (
            "all",
            [12, 10, 8, 5, 4, 2, 6, 3],
            [
                8.0 / 12.0,
                5.0 / 10.0,
                3.0,
                42.6,
                5.0 / 8.0,
                1.0 / 4.0,
                3.0 / 10.0,
            ],
        ),
    ];
    // (none) = C12 alone: contacted at 4 h, an SQL; no uncontacted MQL.
    let none = row(&v, "contact", "group", "(none)");
    assert_eq!(counts(none, &COUNTS), [1, 1, 1, 1, 0, 0, 1, 0]);
    assert!(none["sql_rate_uncontacted"].is_null());
    assert!(close(&none["median_hours_to_contact"], 4.0));
    for (group, c, f) in want {
        let r = row(&v, "contact", "group", group);
        assert_eq!(counts(r, &COUNTS), c, "{group}");
        for (col, w) in [
            "contact_rate",
            "sla_rate",
            "median_hours_to_contact",
            "p90_hours_to_contact",
            "sql_rate_contacted",
            "sql_rate_uncontacted",
            "mature_never_rate",
        ]
        .iter()
        .zip(f)
        {
            assert!(close(&r[*col], w), "{group} {col}: {} vs {w}", r[*col]);
        }
        // Every rate carries its Wilson bounds around it.
        for col in [
            "contact_rate",
            "sla_rate",
            "sql_rate_contacted",
            "mature_never_rate",
        ] {
            let (lo, x, hi) = (
                r[format!("{col}_lo")].as_f64().unwrap(),
                r[col].as_f64().unwrap(),
                r[format!("{col}_hi")].as_f64().unwrap(),
            );
            assert!(lo <= x && x <= hi, "{group} {col}");
        }
    }
    // Wilson 95% for 3 of 10 (Newcombe 1998 method 3 rule): 0.1078–0.6032.
    let all = row(&v, "contact", "group", "all");
    assert!((all["mature_never_rate_lo"].as_f64().unwrap() - 0.107_789).abs() < 1e-5);
    assert!((all["mature_never_rate_hi"].as_f64().unwrap() - 0.603_222).abs() < 1e-5);
    let headline = v["headline"].as_str().unwrap();
    assert!(
        headline.starts_with(
            "3 of 10 mature MQLs (30.0%, 10.8%–60.3%) were never contacted; 2 have waited more than 30 days"
        ),
        "{headline}"
    );

    // Speed to lead: mature MQLs only.
    for (bucket, mql, sql) in [
        ("<1h", 1, 1),
        ("1-4h", 2, 1),
        ("4-24h", 1, 1),
        ("1-3d", 2, 2),
        ("3-7d", 1, 0),
        (">7d", 0, 0),
        ("never", 3, 1),
        ("all", 10, 6),
    ] {
        let r = row(&v, "speed", "bucket", bucket);
        assert_eq!(counts(r, &["mql", "sql"]), [mql, sql], "{bucket}");
        assert!(close(&r["share"], mql as f64 / 10.0), "{bucket}");
    }
    let by_band: Vec<(String, String, u64, u64)> = rows(&v, "speed_by_band")
        .iter()
        .map(|r| {
            (
                r["band"].as_str().unwrap().to_string(),
                r["bucket"].as_str().unwrap().to_string(),
                r["mql"].as_u64().unwrap(),
                r["sql"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64, u64)> = [
        ("A", "<1h", 1, 1),
        ("A", "1-4h", 2, 1),
        ("A", "4-24h", 1, 1),
        ("A", "1-3d", 1, 1),
        ("A", "never", 1, 0),
        ("C", "1-3d", 1, 1),
        ("C", "3-7d", 1, 0),
        ("C", "never", 2, 1),
    ]
    .iter()
    .map(|(b, k, m, s)| (b.to_string(), k.to_string(), *m, *s))
    .collect();
    assert_eq!(by_band, want);

    // Odds ratios (NOTES.md; statsmodels StratifiedTable agrees).
    let crude = row(&v, "speed_effect", "measure", "crude");
    assert!(close(&crude["odds_ratio"], 4.0));
    assert!((crude["lower_95"].as_f64().unwrap() - 0.116_8).abs() < 1e-4);
    assert!((crude["upper_95"].as_f64().unwrap() - 136.96).abs() < 1e-2);
    assert_eq!(crude["mql"], 7);
    let mh = row(
        &v,
        "speed_effect",
        "measure",
        "band-adjusted (Mantel-Haenszel)",
    );
    assert!(close(&mh["odds_ratio"], 2.5));
    assert!((mh["lower_95"].as_f64().unwrap() - 0.106_027_56).abs() < 1e-7);
    assert!((mh["upper_95"].as_f64().unwrap() - 58.946_939).abs() < 1e-5);
    assert_eq!(mh["strata"], 2);

    // The gap.
    for (group, c, shares) in [
        ("r1", [6, 3, 3, 0], [0.5, 0.5, 0.0]),
        ("r2", [5, 2, 0, 3], [0.4, 0.0, 0.6]),
        ("(none)", [1, 1, 0, 0], [1.0, 0.0, 0.0]),
        ("all", [12, 6, 3, 3], [0.5, 0.25, 0.25]),
    ] {
        let r = row(&v, "gap", "group", group);
        assert_eq!(
            counts(
                r,
                &["mql", "sql", "contacted_not_sql", "not_contacted_not_sql"]
            ),
            c,
            "{group}"
        );
        for (col, w) in [
            "sql_share",
            "contacted_not_sql_share",
            "not_contacted_not_sql_share",
        ]
        .iter()
        .zip(shares)
        {
            assert!(close(&r[*col], w), "{group} {col}");
        }
    }
}

/// NOTES.md: with a 4-hour SLA every MQL is mature; C12, contacted at 4 h
/// exactly, is within it.
#[test]
fn contact_fixture_sla_boundary_and_maturity_follow_the_flag() {
    let v = contact_json(&fixture("contact"), &["--sla-hours", "4"]);
    let all = row(&v, "contact", "group", "all");
    assert_eq!(counts(all, &COUNTS), [12, 12, 8, 5, 4, 2, 6, 4]);
    assert!(close(&all["sla_rate"], 5.0 / 12.0));
    // A 60-day black hole holds only C03 (78.6 days); C10 is 54.6 days old.
    let v = contact_json(&fixture("contact"), &["--black-hole-days", "60"]);
    assert_eq!(row(&v, "contact", "group", "all")["black_hole"], 1);
}

#[test]
fn contact_by_band_and_month_labels_combinations() {
    let v = contact_json(&fixture("contact"), &["--by", "band", "--by", "month"]);
    let groups: Vec<&str> = rows(&v, "contact")
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    // Ordered by name when a split is the month; `all` last.
    assert_eq!(
        groups,
        [
            "A / 2024-01",
            "A / 2024-02",
            "A / 2024-03",
            "C / 2024-01",
            "C / 2024-02",
            "C / 2024-03",
            "all"
        ]
    );
    // A / 2024-01: C01, C02, C03, C11; C / 2024-02: C05, C10.
    assert_eq!(row(&v, "contact", "group", "A / 2024-01")["mql"], 4);
    assert_eq!(row(&v, "contact", "group", "C / 2024-02")["mql"], 2);
    let v = contact_json(&fixture("contact"), &["--by", "source"]);
    assert_eq!(row(&v, "contact", "group", "webinar")["mql"], 6);
    assert_eq!(row(&v, "contact", "group", "paid_search")["mql"], 6);
}

#[test]
fn contact_exit_paths() {
    let d = fixture("contact");
    let d = d.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--sla-hours", "0"],
            "--sla-hours 0: give a positive number",
        ),
        (vec!["--black-hole-days=-3"], "--black-hole-days -3"),
        (
            vec!["--by", "nope"],
            "--by nope: lead_funnel has no such column",
        ),
    ] {
        let err = fails_with_2(["--data", d, "contact"].iter().chain(&args));
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A data set without handoffs: a one-line missing-table error.
    let s = Scratch::new();
    s.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-01T00:00:00Z,web\n",
    );
    let err = fails_with_2(["--data", s.path().to_str().unwrap(), "contact"]);
    assert!(err.contains("handoffs"), "{err}");
}

/// A status history with no contacted status (a user trial's
/// Salesforce-shaped export: LeadHistory with MQL and SQL statuses, no
/// activities) records no contact: `contact` read every MQL as never
/// contacted, won leads "black-holed". It now exits 2 naming what would
/// do, validate says it cannot feed contact, and bands leaves `contacted`
/// empty; one contacted handoff makes it a record again.
#[test]
fn handoffs_without_a_contacted_row_record_no_contact() {
    let s = Scratch::new();
    s.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-01T00:00:00Z,web\nL2,2024-01-01T00:00:00Z,web\n",
    );
    s.write(
        "handoffs.csv",
        "lead_id,stage,at,rep_id\nL1,mql,2024-01-02T00:00:00Z,r1\nL1,sql,2024-01-05T00:00:00Z,r1\nL2,mql,2024-01-03T00:00:00Z,r1\n",
    );
    let d = s.path().to_str().unwrap();
    let err = fails_with_2(["--data", d, "contact"]);
    assert!(
        err.contains(
            "contact: no activities, contacted handoff or timed contacted column records a contact"
        ),
        "{err}"
    );
    let v = analysis_json(s.path(), "validate", &[]);
    assert_eq!(analysis_row(&v, "contact")["feeds"], "no");
    let bands = analysis_json(s.path(), "bands", &[]);
    let all = rows(&bands, "bands")
        .iter()
        .find(|r| r["band"] == "all")
        .unwrap()
        .clone();
    assert_eq!(all["mql"], 2);
    assert!(all["contacted"].is_null(), "{all}");
    // Contacted handoffs that were all set aside (a bad time, an unknown
    // lead): the message says so instead of advising a stage_map.
    s.write(
        "handoffs.csv",
        "lead_id,stage,at,rep_id\nL1,mql,2024-01-02T00:00:00Z,r1\nL1,contacted,soon,r1\nL9,contacted,2024-01-02T01:00:00Z,r1\nL2,mql,2024-01-03T00:00:00Z,r1\n",
    );
    let err = fails_with_2(["--data", d, "contact"]);
    assert!(
        err.contains("contact: no used row records a contact (2 handoffs at stage contacted set aside); `leadloop validate` lists"),
        "{err}"
    );
    // An activities table with no used row (a breaker's were all set
    // aside) records none either.
    s.write(
        "activities.csv",
        "lead_id,at,rep_id,kind\nL7,2024-01-02T02:00:00Z,r1,call\n",
    );
    let err = fails_with_2(["--data", d, "contact"]);
    assert!(err.contains("set aside, no activity used)"), "{err}");
    std::fs::remove_file(s.join("activities.csv")).unwrap();
    // One contacted handoff: a record of contacts, L2 never contacted.
    s.write(
        "handoffs.csv",
        "lead_id,stage,at,rep_id\nL1,mql,2024-01-02T00:00:00Z,r1\nL1,contacted,2024-01-02T01:00:00Z,r1\nL1,sql,2024-01-05T00:00:00Z,r1\nL2,mql,2024-01-03T00:00:00Z,r1\n",
    );
    let v = contact_json(s.path(), &["--by", "source"]);
    let web = row(&v, "contact", "group", "web");
    assert_eq!(web["mql"], 2);
    assert_eq!(web["contacted"], 1);
    assert_eq!(web["never_contacted"], 1);
}

#[test]
fn contact_printed_on_data_samples() {
    let data = repo().join("data-samples");
    let text = stdout_of(["--data", data.to_str().unwrap(), "contact"]);
    insta::assert_snapshot!("contact_data_samples", text);
}

/// The reference per lead: (first MQL, first contact, reached SQL, rep).
type Mql = (i64, Option<i64>, bool, Option<String>);

/// Reps from the raw files: first `mql` row naming a rep (by time, then file
/// order), else first `sql` row, else first deal by creation.
fn reps(dir: &Path) -> HashMap<String, String> {
    use super::differential::{micros, read, strs};
    let mut best: HashMap<String, (u8, i64, String)> = HashMap::new();
    let mut offer = |id: String, rank: u8, at: i64, rep: Option<String>| {
        if let Some(rep) = rep {
            let e = best.entry(id).or_insert((rank, at, rep.clone()));
            if (rank, at) < (e.0, e.1) {
                *e = (rank, at, rep);
            }
        }
    };
    let h = read(dir, "handoffs");
    for (((id, stage), at), rep) in strs(&h, "lead_id")
        .into_iter()
        .zip(strs(&h, "stage"))
        .zip(micros(&h, "at"))
        .zip(strs(&h, "rep_id"))
    {
        let rank = match stage.as_deref() {
            Some("mql") => 0,
            Some("sql") => 1,
            _ => continue,
        };
        offer(id.unwrap(), rank, at.unwrap(), rep);
    }
    let d = read(dir, "deals");
    for ((id, at), rep) in strs(&d, "lead_id")
        .into_iter()
        .zip(micros(&d, "created_at"))
        .zip(strs(&d, "rep_id"))
    {
        offer(id.unwrap(), 2, at.unwrap(), rep);
    }
    best.into_iter().map(|(k, v)| (k, v.2)).collect()
}

fn quantile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

#[test]
fn contact_agrees_with_a_row_by_row_reference() {
    const HOUR: f64 = 3.6e9;
    // as_of: end of 2025-06-30 UTC, inside the generated two years.
    let as_of = 1_751_327_999_999_999i64;
    for seed in [5u64, 29] {
        let s = generated(3000, seed);
        let funnel = super::differential::reference(s.path());
        let reps = reps(s.path());
        let mqls: Vec<Mql> = funnel
            .iter()
            .filter_map(|(id, w)| Some((w.0?, w.1, w.2.is_some(), reps.get(id).cloned())))
            .collect();
        let v = contact_json(s.path(), &["--as-of", "2025-06-30"]);
        let table = rows(&v, "contact");
        assert!(table.len() > 2, "several reps");
        for r in table {
            let g = r["group"].as_str().unwrap();
            let mine: Vec<&Mql> = mqls
                .iter()
                .filter(|m| g == "all" || m.3.as_deref().unwrap_or("(none)") == g)
                .collect();
            let hours = |m: &Mql| m.1.map(|c| (c - m.0) as f64 / HOUR);
            let age = |m: &Mql| (as_of - m.0) as f64 / HOUR;
            let n = |f: &dyn Fn(&Mql) -> bool| mine.iter().filter(|m| f(m)).count() as u64;
            let want = vec![
                mine.len() as u64,
                n(&|m| age(m) >= 24.0),
                n(&|m| m.1.is_some()),
                n(&|m| age(m) >= 24.0 && hours(m).is_some_and(|h| h <= 24.0)),
                n(&|m| m.1.is_none()),
                n(&|m| m.1.is_none() && age(m) > 30.0 * 24.0),
                n(&|m| m.2),
                n(&|m| age(m) >= 24.0 && m.1.is_none()),
            ];
            assert_eq!(counts(r, &COUNTS), want, "seed {seed}, group {g}");
            let mut h: Vec<f64> = mine.iter().filter_map(|m| hours(m)).collect();
            for (col, q) in [
                ("median_hours_to_contact", 0.5),
                ("p90_hours_to_contact", 0.9),
            ] {
                match quantile(&mut h, q) {
                    Some(w) => assert!(
                        (r[col].as_f64().unwrap() - w).abs() < 1e-9,
                        "seed {seed}, {g} {col}"
                    ),
                    None => assert!(r[col].is_null()),
                }
            }
        }
        for r in rows(&v, "speed") {
            let b = r["bucket"].as_str().unwrap();
            let want = mqls
                .iter()
                .filter(|m| (as_of - m.0) as f64 / HOUR >= 24.0)
                .filter(|m| {
                    let h = m.1.map(|c| (c - m.0) as f64 / HOUR);
                    let k = match h {
                        None => "never",
                        Some(h) if h < 1.0 => "<1h",
                        Some(h) if h < 4.0 => "1-4h",
                        Some(h) if h < 24.0 => "4-24h",
                        Some(h) if h < 72.0 => "1-3d",
                        Some(h) if h < 168.0 => "3-7d",
                        Some(_) => ">7d",
                    };
                    b == "all" || k == b
                })
                .count() as u64;
            assert_eq!(r["mql"].as_u64().unwrap(), want, "seed {seed}, bucket {b}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

    /// never_contacted + contacted = mql in every group; the gap's three parts
    /// add up to mql and their shares to 1; the speed buckets add up to all.
    #[test]
    fn contact_tables_add_up(seed in 0u64..10_000, n in 100u64..800, sla in 1u32..72, by in 0usize..4) {
        let s = generated(n, seed);
        let dim = ["rep", "source", "band", "month"][by];
        let v = contact_json(s.path(), &["--by", dim, "--sla-hours", &sla.to_string()]);
        for r in rows(&v, "contact") {
            let c = counts(r, &COUNTS);
            prop_assert_eq!(c[4] + c[2], c[0]);
            prop_assert!(c[3] <= c[1] && c[1] <= c[0]);
            prop_assert!(c[5] <= c[4]);
        }
        for r in rows(&v, "gap") {
            let c = counts(r, &["mql", "sql", "contacted_not_sql", "not_contacted_not_sql"]);
            prop_assert_eq!(c[1] + c[2] + c[3], c[0]);
            let shares: f64 = ["sql_share", "contacted_not_sql_share", "not_contacted_not_sql_share"]
                .iter()
                .map(|k| r[*k].as_f64().unwrap())
                .sum();
            prop_assert!((shares - 1.0).abs() < 1e-12, "{}", shares);
        }
        let speed = rows(&v, "speed");
        let (parts, all): (Vec<&Value>, Vec<&Value>) = speed.iter().partition(|r| r["bucket"] != "all");
        let total: u64 = parts.iter().map(|r| r["mql"].as_u64().unwrap()).sum();
        prop_assert_eq!(total, all[0]["mql"].as_u64().unwrap());
    }
}

/// A wide export whose contacted column is a flag (no time), or a timed
/// column with no value: lead_funnel's `contacted` needs a contact at or
/// after the MQL, so neither records one. bands showed contacted 0 for a
/// lead flagged contacted (a breaker's find); it is empty now, and contact
/// says what would do.
#[test]
fn a_contacted_flag_or_an_empty_contacted_column_records_no_contact() {
    let s = Scratch::new();
    s.write(
        "leads.csv",
        "lead_id,created_at,source,mql_date,was_contacted,first_call\nL1,2024-01-01T00:00:00Z,web,2024-01-02T00:00:00Z,true,\nL2,2024-01-01T00:00:00Z,web,2024-01-03T00:00:00Z,false,\n",
    );
    let d = s.path().to_str().unwrap();
    for (stage, says) in [
        (
            "contacted = { flag = \"was_contacted\" }",
            "contact: no used row records a contact (a contacted flag has no time to follow an MQL); name a column with the time",
        ),
        (
            "contacted = { at = \"first_call\" }",
            "contact: no used row records a contact (no time in the contacted column)",
        ),
    ] {
        s.write(
            "leadloop.toml",
            format!("[tables.leads.stages]\nmql = {{ at = \"mql_date\" }}\n{stage}\n"),
        );
        let err = fails_with_2(["--data", d, "contact"]);
        assert!(err.contains(says), "{stage}: {err}");
        let v = analysis_json(s.path(), "bands", &[]);
        let all = rows(&v, "bands")
            .iter()
            .find(|r| r["band"] == "all")
            .unwrap()
            .clone();
        assert_eq!(all["mql"], 2, "{stage}");
        assert!(all["contacted"].is_null(), "{stage}: {all}");
    }
}

/// A user trial's status history with a single contacted row read "9,097
/// of 9,098 mature MQLs were never contacted" unwarned. Under one MQL in a
/// hundred contacted (from 100 MQLs) the sentence cautions that the export
/// may record few contacts: 1 of 200 is; 2 of 200 (1%) is not.
#[test]
fn a_contact_rate_under_one_percent_is_cautioned() {
    let s = Scratch::new();
    let data = |contacted: u32| {
        let mut leads = String::from("lead_id,created_at,source\n");
        let mut handoffs = String::from("lead_id,stage,at,rep_id\n");
        for i in 1..=200u32 {
            leads.push_str(&format!("L{i},2024-01-01T00:00:00Z,web\n"));
            handoffs.push_str(&format!("L{i},mql,2024-01-02T00:00:00Z,r1\n"));
            if i <= contacted {
                handoffs.push_str(&format!("L{i},contacted,2024-01-02T01:00:00Z,r1\n"));
            }
        }
        s.write("leads.csv", leads);
        s.write("handoffs.csv", handoffs);
        contact_json(s.path(), &["--as-of", "2024-06-30"])["headline"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let one = data(1);
    assert!(
        one.ends_with(" Caution: only 1 of 200 MQLs have a recorded contact at or after their MQL; check that the export records contacts (activities, a contacted status) and that their times follow the MQL's before reading this as sales not calling."),
        "{one}"
    );
    assert!(!data(2).contains("Caution"));
}
