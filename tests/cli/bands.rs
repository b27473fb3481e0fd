//! `bands`: hand-worked counts on the `ledger` fixture, the inversion on real
//! data, and the printed table on data-samples/.

use super::*;

fn bands_json(args: &[&str]) -> serde_json::Value {
    json_of(args.iter().copied().chain(["--format", "json", "bands"]))
}

fn row<'a>(v: &'a serde_json::Value, band: &str) -> &'a serde_json::Value {
    v["tables"]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["band"] == band)
        .unwrap_or_else(|| panic!("no band {band}"))
}

/// ledger fixture (NOTES.md "lead_funnel"): L1 is band A and won; L2, L3, L9,
/// L10 are unscored; L10 won; L2, L9, L10 reached SQL through their deals or
/// handoffs; L3 has no events at all.
#[test]
fn ledger_fixture_bands_by_hand() {
    let v = bands_json(&["--data", fixture("ledger").to_str().unwrap()]);
    let counts = |r: &serde_json::Value| {
        ["leads", "mql", "contacted", "sql", "opportunity", "won"].map(|c| r[c].as_u64().unwrap())
    };
    assert_eq!(counts(row(&v, "A")), [1, 1, 1, 1, 1, 1]);
    assert_eq!(counts(row(&v, "unscored")), [4, 3, 0, 3, 3, 1]);
    assert_eq!(counts(row(&v, "all")), [5, 4, 1, 4, 4, 2]);
    assert_eq!(row(&v, "all")["revenue"], 3500.0);
    let u = row(&v, "unscored");
    assert_eq!(u["mql_to_sql"], 1.0);
    assert!((u["sql_to_won"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(u["lead_to_won"], 0.25);
    assert_eq!(row(&v, "all")["lead_to_won"], 0.4);
    let bands: Vec<&str> = v["tables"]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, ["A", "unscored", "all"]);
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("30 input rows set aside")),
        "{notes:?}"
    );
}

/// PROVENANCE.md: by Asymmetrique Activity Index, High converts 245/821 =
/// 29.8% but Medium 1,630/3,839 = 42.5% (Low 33/362, empty 1,653/4,218).
#[test]
fn x_education_flags_that_the_higher_band_converts_worse() {
    let cfg = repo().join("tests/real-data/x-education/leadloop.toml");
    real_data("x-education-lead-scoring/Leads.csv");
    let v = bands_json(&["--data", cfg.to_str().unwrap()]);
    for (band, leads, won) in [
        ("A", 821, 245),
        ("B", 3839, 1630),
        ("C", 362, 33),
        ("unscored", 4218, 1653),
        ("all", 9240, 3561),
    ] {
        let r = row(&v, band);
        assert_eq!(
            (r["leads"].as_u64(), r["won"].as_u64()),
            (Some(leads), Some(won)),
            "{band}"
        );
    }
    let inv = v["tables"]["inversions"].as_array().unwrap();
    assert_eq!(inv.len(), 1, "{inv:?}");
    assert_eq!(inv[0]["rate"], "lead_to_won");
    assert_eq!(
        (inv[0]["higher"].as_str(), inv[0]["lower"].as_str()),
        (Some("A"), Some("B"))
    );
    assert_eq!(inv[0]["intervals_overlap"], false);
}

#[test]
fn bands_on_data_samples() {
    let out = leadloop()
        .current_dir(repo())
        .arg("bands")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("bands_data_samples", text);
}

#[test]
fn bands_by_an_unknown_column_is_a_bad_argument() {
    let out = leadloop()
        .args([
            "--data",
            fixture("ledger").to_str().unwrap(),
            "bands",
            "--by",
            "regionn",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("--by regionn"));
}

/// Olist lead→won by source, counted from the two CSVs with the one deal won
/// before its MQL date (an organic_search lead) set aside: PROVENANCE.md's
/// organic_search 271 becomes 270; every other source as published.
#[test]
fn olist_lead_to_won_by_source() {
    let cfg = repo().join("tests/real-data/olist/leadloop.toml");
    real_data("olist-marketing-funnel");
    let v = json_of([
        "--data",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "bands",
        "--by",
        "source",
    ]);
    let rows = v["tables"]["bands"].as_array().unwrap();
    let get = |source: &str| {
        let r = rows
            .iter()
            .find(|r| r["band"] == "unscored" && r["source"] == source)
            .unwrap_or_else(|| panic!("no {source}"));
        (r["leads"].as_u64().unwrap(), r["won"].as_u64().unwrap())
    };
    for (source, leads, won) in [
        ("(none)", 60, 14),
        ("direct_traffic", 499, 56),
        ("display", 118, 6),
        ("email", 493, 15),
        ("organic_search", 2296, 270),
        ("other", 150, 4),
        ("other_publicities", 65, 3),
        ("paid_search", 1586, 195),
        ("referral", 284, 24),
        ("social", 1350, 75),
        ("unknown", 1099, 179),
    ] {
        assert_eq!(get(source), (leads, won), "{source}");
    }
    let all = rows
        .iter()
        .find(|r| r["band"] == "all" && r["source"] == "all")
        .unwrap();
    assert_eq!(
        (all["leads"].as_u64(), all["won"].as_u64()),
        (Some(8000), Some(841))
    );
}

fn find<'a>(v: &'a serde_json::Value, band: &str, mature: Option<&str>) -> &'a serde_json::Value {
    v["tables"]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["band"] == band && mature.is_none_or(|m| r["mature"] == m))
        .unwrap_or_else(|| panic!("no row {band} {mature:?}"))
}

/// The `funnel` fixture: NOTES.md "bands (no window)".
#[test]
fn funnel_fixture_bands_every_cell() {
    let v = bands_json(&["--data", fixture("funnel").to_str().unwrap()]);
    let want: [(&str, [u64; 6], f64, [(u64, u64); 3]); 6] = [
        ("A", [2, 2, 0, 1, 1, 1], 2000.0, [(1, 2), (1, 1), (1, 2)]),
        ("B", [2, 1, 0, 1, 1, 0], 0.0, [(1, 1), (0, 1), (0, 2)]),
        ("C", [3, 3, 1, 2, 2, 2], 7000.0, [(2, 3), (2, 2), (2, 3)]),
        ("D", [2, 2, 0, 1, 1, 0], 0.0, [(1, 2), (0, 1), (0, 2)]),
        (
            "unscored",
            [2, 2, 1, 0, 0, 0],
            0.0,
            [(0, 2), (0, 0), (0, 2)],
        ),
        (
            "all",
            [11, 10, 2, 5, 5, 3],
            9000.0,
            [(5, 10), (3, 5), (3, 11)],
        ),
    ];
    let bands: Vec<&str> = v["tables"]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, ["A", "B", "C", "D", "unscored", "all"]);
    for (band, counts, revenue, rates) in want {
        let r = find(&v, band, None);
        let got = ["leads", "mql", "contacted", "sql", "opportunity", "won"]
            .map(|c| r[c].as_u64().unwrap());
        assert_eq!(got, counts, "{band}");
        assert_eq!(r["revenue"].as_f64().unwrap(), revenue, "{band}");
        for ((name, (k, n)), _) in ["mql_to_sql", "sql_to_won", "lead_to_won"]
            .iter()
            .zip(rates)
            .zip(0..)
        {
            let w = leadloop::stats::wilson(k, n);
            match w {
                None => assert!(
                    r[*name].is_null() && r[format!("{name}_lo")].is_null(),
                    "{band} {name}"
                ),
                Some(w) => {
                    assert!(
                        (r[*name].as_f64().unwrap() - k as f64 / n as f64).abs() < 1e-12,
                        "{band} {name}"
                    );
                    assert!(
                        (r[format!("{name}_lo")].as_f64().unwrap() - w.lo).abs() < 1e-12,
                        "{band} {name}"
                    );
                    assert!(
                        (r[format!("{name}_hi")].as_f64().unwrap() - w.hi).abs() < 1e-12,
                        "{band} {name}"
                    );
                }
            }
        }
    }
    let inv: Vec<(String, String, String, bool)> = v["tables"]["inversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["rate"].as_str().unwrap().into(),
                i["higher"].as_str().unwrap().into(),
                i["lower"].as_str().unwrap().into(),
                i["intervals_overlap"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inv,
        [
            ("mql_to_sql".into(), "A".into(), "B".into(), true),
            ("sql_to_won".into(), "B".into(), "C".into(), true),
            ("lead_to_won".into(), "B".into(), "C".into(), true)
        ]
    );
}

/// The `funnel` fixture: NOTES.md "bands --window 30".
#[test]
fn funnel_fixture_bands_with_a_window() {
    let v = json_of([
        "--data",
        fixture("funnel").to_str().unwrap(),
        "--format",
        "json",
        "bands",
        "--window",
        "30",
    ]);
    let counts = |band: &str, mature: &str| {
        let r = find(&v, band, Some(mature));
        (
            ["leads", "mql", "contacted", "sql", "won"].map(|c| r[c].as_u64().unwrap()),
            r["revenue"].as_f64().unwrap(),
        )
    };
    assert_eq!(counts("A", "false"), ([1, 1, 0, 0, 0], 0.0));
    assert_eq!(counts("A", "true"), ([1, 1, 0, 1, 1], 2000.0));
    assert_eq!(counts("C", "true"), ([3, 3, 1, 1, 1], 2000.0));
    assert_eq!(counts("all", "false"), ([1, 1, 0, 0, 0], 0.0));
    assert_eq!(counts("all", "true"), ([10, 9, 2, 4, 2], 4000.0));
}

/// The `funnel` fixture by first-MQL month (NY): F08 is the only March MQL,
/// F05 never MQL'd (month `(none)`), the other nine are January.
#[test]
fn funnel_fixture_bands_by_month() {
    let v = json_of([
        "--data",
        fixture("funnel").to_str().unwrap(),
        "--format",
        "json",
        "bands",
        "--by",
        "month",
    ]);
    let rows = v["tables"]["bands"].as_array().unwrap();
    let key = |r: &serde_json::Value| {
        (
            r["band"].as_str().unwrap().to_string(),
            r["month"].as_str().unwrap().to_string(),
            r["leads"].as_u64().unwrap(),
        )
    };
    let got: Vec<(String, String, u64)> = rows.iter().map(key).collect();
    let want: Vec<(String, String, u64)> = [
        ("B", "(none)", 1),
        ("A", "2024-01", 1),
        ("B", "2024-01", 1),
        ("C", "2024-01", 3),
        ("D", "2024-01", 2),
        ("unscored", "2024-01", 2),
        ("A", "2024-03", 1),
        ("all", "all", 11),
    ]
    .iter()
    .map(|(b, m, n)| (b.to_string(), m.to_string(), *n))
    .collect();
    assert_eq!(got, want);
}

/// Olist has no lead score: the report's bands line says there is no score
/// AUC, not "score AUC for won –; 0 band inversion(s)" (a new user's trial).
#[test]
fn without_a_score_the_headline_says_no_score_auc() {
    let cfg = repo().join("tests/real-data/olist/leadloop.toml");
    real_data("olist-marketing-funnel");
    let out = Scratch::new();
    let stdout = stdout_of([
        "--data",
        cfg.to_str().unwrap(),
        "--out",
        out.join("r").to_str().unwrap(),
        "report",
    ]);
    assert!(
        stdout.contains("won (10.5%); no score AUC (it needs scored MQLs, won and not won)"),
        "{stdout}"
    );
    assert!(!stdout.contains("band inversion"), "{stdout}");
}

// A new user's X Education scores (7–18) put all 5,022 scored leads in
// band D under the default thresholds (A ≥ 75, B ≥ 50, C ≥ 25) with
// nothing said. Hand-made: 20 leads scored 5 to 24 all fall in D; one
// lead scored 80 moves one into A and the note goes.
#[test]
fn every_scored_lead_in_one_band_is_said_with_the_thresholds() {
    let s = Scratch::new();
    let mut leads = String::from("lead_id,created_at,source,score\n");
    let mut handoffs = String::from("lead_id,stage,at\n");
    for i in 0..20 {
        leads.push_str(&format!("L{i},2024-01-01T00:00:00Z,web,{}\n", 5 + i));
        handoffs.push_str(&format!("L{i},mql,2024-01-02T00:00:00Z\n"));
    }
    s.write("leads.csv", &leads);
    s.write("handoffs.csv", &handoffs);
    let v = analysis_json(s.path(), "bands", &[]);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("every scored lead (20) is in band D, with scores from 5 to 24: the bands' thresholds (A ≥ 75, B ≥ 50, C ≥ 25) may not suit this score's scale; set [bands] thresholds in leadloop.toml"),
        "{notes}"
    );
    leads.push_str("L20,2024-01-01T00:00:00Z,web,80\n");
    s.write("leads.csv", &leads);
    let v = analysis_json(s.path(), "bands", &[]);
    assert!(
        !v["notes"].to_string().contains("every scored lead"),
        "{}",
        v["notes"]
    );
}
