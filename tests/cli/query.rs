//! `query`: every shipped query in `queries/` snapshotted on data-samples,
//! hand-checked figures against other commands, and the exit paths.

use super::*;

fn samples() -> String {
    repo().join("data-samples").to_str().unwrap().to_string()
}

#[test]
fn every_shipped_query_runs_on_data_samples() {
    let names: Vec<String> = std::fs::read_dir(repo().join("queries"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension().is_some_and(|x| x == "sql"))
                .then(|| p.file_stem().unwrap().to_string_lossy().to_string())
        })
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    let listed = stdout_of(["query", "--list"]);
    for name in &names {
        assert!(listed.contains(name.as_str()), "{listed}");
        let csv = stdout_of(["--data", &samples(), "--format", "csv", "query", name]);
        assert!(csv.lines().count() > 1, "{name}: no rows");
        insta::assert_snapshot!(format!("query_{name}"), csv);
    }
}

#[test]
fn cohort_conversion_agrees_with_lead_funnel() {
    // Summed over cohorts, the query's leads and won equal bands' `all` row.
    let v = analysis_json(
        &repo().join("data-samples"),
        "query",
        &["cohort_conversion"],
    );
    let rows = rows(&v, "cohort_conversion");
    let leads: u64 = rows.iter().map(|r| r["leads"].as_u64().unwrap()).sum();
    let won: u64 = rows.iter().map(|r| r["won"].as_u64().unwrap()).sum();
    let bands = analysis_json(&repo().join("data-samples"), "bands", &[]);
    let all = super::rows(&bands, "bands")
        .iter()
        .find(|r| r["band"] == "all")
        .cloned()
        .unwrap();
    assert_eq!(leads, all["leads"].as_u64().unwrap());
    assert_eq!(won, all["won"].as_u64().unwrap());
}

#[test]
fn query_files_formats_and_exit_paths() {
    let s = Scratch::new();
    let file = s.write(
        "top.sql",
        "-- Leads per source\nSELECT source, COUNT(*) AS leads FROM leads GROUP BY source ORDER BY leads DESC, source LIMIT 3\n",
    );
    let v = json_of([
        "--data",
        &samples(),
        "--format",
        "json",
        "query",
        file.to_str().unwrap(),
    ]);
    assert_eq!(rows(&v, "top").len(), 3);
    let out = s.join("out");
    let printed = stdout_of([
        "--data",
        &samples(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "parquet",
        "query",
        file.to_str().unwrap(),
    ]);
    assert!(printed.contains("top.parquet"), "{printed}");
    let e = fails_with_2(["--data", &samples(), "query", "nope"]);
    assert!(
        e.contains("query nope: no such query; queries: cohort_conversion"),
        "{e}"
    );
    let bad = s.write("bad.sql", "SELEC * FROM leads");
    let e = fails_with_2(["--data", &samples(), "query", bad.to_str().unwrap()]);
    assert!(e.starts_with("leadloop: query bad: "), "{e}");
    let table = s.write("table.sql", "SELECT * FROM opportunities");
    let e = fails_with_2(["--data", &samples(), "query", table.to_str().unwrap()]);
    assert!(
        e.contains("opportunities") && e.contains("tables: leads"),
        "{e}"
    );
    let column = s.write("column.sql", "SELECT no_such_column FROM leads");
    let e = fails_with_2(["--data", &samples(), "query", column.to_str().unwrap()]);
    assert!(e.contains("no_such_column"), "{e}");
    let e = fails_with_2(["--data", &samples(), "query", "missing.sql"]);
    assert!(e.contains("query missing.sql: cannot read it"), "{e}");
    let e = fails_with_2(["query"]);
    assert!(e.contains("NAME|FILE.sql"), "{e}");
}

/// The python that has DuckDB: `$LEADLOOP_DUCKDB_PYTHON` (.ci/run installs
/// one), else `python3` if it can import duckdb.
fn duckdb_python() -> Option<String> {
    let candidates = std::env::var("LEADLOOP_DUCKDB_PYTHON")
        .into_iter()
        .chain(["python3".to_string()]);
    for py in candidates {
        let ok = std::process::Command::new(&py)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    None
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    // A timestamp's fraction: 58.564900Z and 58.5649Z are one instant.
    let instant = |v: &serde_json::Value| {
        v.as_str()
            .filter(|t| t.ends_with('Z') && t.contains('T'))
            .map(|t| {
                let t = t.trim_end_matches('Z');
                match t.contains('.') {
                    true => t.trim_end_matches('0').trim_end_matches('.').to_string(),
                    false => t.to_string(),
                }
            })
    };
    match (a.as_f64(), b.as_f64(), instant(a), instant(b)) {
        (Some(x), Some(y), _, _) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (_, _, Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `export lead_funnel --partition-by created_month` writes hive folders,
/// and every shipped query gives the same rows on DuckDB over the export as
/// `leadloop query` does (SPEC: the same SQL runs beyond one machine).
#[test]
fn shipped_queries_run_unchanged_on_duckdb_over_the_partitioned_export() {
    let s = Scratch::new();
    let out = s.path().to_str().unwrap();
    let printed = stdout_of([
        "--data",
        &samples(),
        "--out",
        out,
        "export",
        "lead_funnel",
        "--partition-by",
        "created_month",
    ]);
    assert!(
        printed.contains("(20,000 rows in 24 partitions by created_month)"),
        "{printed}"
    );
    let parts = s.names("lead_funnel");
    assert_eq!(parts.len(), 24);
    assert_eq!(parts[0], "created_month=2024-11");
    assert_eq!(
        s.names("lead_funnel/created_month=2024-11"),
        ["part-0.parquet"]
    );
    // Exporting again replaces the folder.
    stdout_of([
        "--data",
        &samples(),
        "--out",
        out,
        "export",
        "lead_funnel",
        "--partition-by",
        "created_month",
    ]);
    assert_eq!(s.names("lead_funnel").len(), 24);
    let e = fails_with_2([
        "--data",
        &samples(),
        "--out",
        out,
        "export",
        "lead_funnel",
        "--partition-by",
        "nope",
    ]);
    assert!(
        e.contains("--partition-by nope: lead_funnel has no such column"),
        "{e}"
    );
    for table in ["deals", "touches", "leads"] {
        stdout_of(["--data", &samples(), "--out", out, "export", table]);
    }
    let Some(py) = duckdb_python() else {
        assert!(
            std::env::var("LEADLOOP_REQUIRE_DUCKDB").is_err(),
            "LEADLOOP_REQUIRE_DUCKDB is set but no python can import duckdb"
        );
        eprintln!("duckdb not installed: the DuckDB half of this test did not run (README: Beyond one machine)");
        return;
    };
    let run = std::process::Command::new(py)
        .arg(repo().join("tests/tools/duckdb_queries.py"))
        .arg(s.path())
        .arg(repo().join("queries"))
        .output()
        .expect("run duckdb");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let duck: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let names: Vec<String> = duck.as_object().unwrap().keys().cloned().collect();
    assert_eq!(names.len(), 4);
    for name in names {
        let ours = analysis_json(&repo().join("data-samples"), "query", &[&name]);
        let ours = rows(&ours, &name);
        let theirs = duck[&name].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{name}: rows");
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            for (k, v) in a.as_object().unwrap() {
                assert!(
                    same(v, &b[k]),
                    "{name} row {i} {k}: leadloop {v}, DuckDB {}",
                    b[k]
                );
            }
        }
    }
}

/// A query that plans but fails on the data is still the query's error.
#[test]
fn a_query_failing_on_the_data_is_exit_2_naming_it() {
    let s = Scratch::new();
    let cast = s.write("cast.sql", "SELECT CAST(source AS INT) AS n FROM leads");
    let e = fails_with_2(["--data", &samples(), "query", cast.to_str().unwrap()]);
    assert!(e.starts_with("leadloop: query cast: "), "{e}");
}

/// From the breaker trial: a partition value cannot write outside --out,
/// a value spelled like the null folder keeps its rows, and a query reads
/// only the data set (no file-reading table functions, no DDL).
#[test]
fn partition_values_stay_in_their_folder_and_queries_only_ask() {
    let s = Scratch::new();
    s.write(
        "data/leads.csv",
        "lead_id,created_at,source,campaign_id\nA,2024-01-01,ads,../../../ESCAPED\nB,2024-01-02,ads,__HIVE_DEFAULT_PARTITION__\nC,2024-01-03,seo,\n",
    );
    s.write("data/handoffs.csv", "lead_id,stage,at\nA,mql,2024-01-05\n");
    let data = s.join("data");
    let out = s.join("out/inner");
    let printed = stdout_of([
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "export",
        "leads",
        "--partition-by",
        "campaign_id",
    ]);
    assert!(
        printed.contains("(3 rows in 3 partitions by campaign_id)"),
        "{printed}"
    );
    assert_eq!(
        s.names("out/inner/leads"),
        [
            "campaign_id=%5F_HIVE_DEFAULT_PARTITION__",
            "campaign_id=..%2F..%2F..%2FESCAPED",
            "campaign_id=__HIVE_DEFAULT_PARTITION__"
        ]
    );
    assert_eq!(s.names("out"), ["inner"]);
    assert!(!s.join("ESCAPED").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.join("out/inner/leads"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    let reads = s.write("reads.sql", "SELECT * FROM read_csv('/etc/passwd')");
    let e = fails_with_2([
        "--data",
        data.to_str().unwrap(),
        "query",
        reads.to_str().unwrap(),
    ]);
    assert!(
        e.contains("read_csv(…) reads files outside the data set"),
        "{e}"
    );
    let drop = s.write("drop.sql", "DROP TABLE leads");
    let e = fails_with_2([
        "--data",
        data.to_str().unwrap(),
        "query",
        drop.to_str().unwrap(),
    ]);
    assert!(e.contains("only a SELECT"), "{e}");
}

// See: issue 14's user trial. On Olist, which records no contact,
// `mqls_never_contacted` printed 100% never contacted (exit 0) where
// `contact` refuses to run. The query still runs; its notes say the
// contact columns measure nothing there, and only there.
#[test]
fn a_query_of_contacts_without_a_record_of_them_says_so() {
    let olist = repo().join("tests/real-data/olist/leadloop.toml");
    let olist = olist.to_str().unwrap();
    let says = "no input records a contact";
    let out = stdout_of(["--data", olist, "query", "mqls_never_contacted"]);
    assert!(out.contains(says), "{out}");
    // A query that reads no contact column, or data that records contacts: no note.
    let out = stdout_of(["--data", olist, "query", "cohort_conversion"]);
    assert!(!out.contains(says), "{out}");
    let out = stdout_of(["--data", &samples(), "query", "mqls_never_contacted"]);
    assert!(!out.contains(says), "{out}");
}

/// Rates print as percentages (last stop's new user read cohort_conversion's
/// `0.47` as a count); the files keep the fraction. Worked from the same
/// run's JSON: the first cohort's lead_to_mql is mql / leads.
#[test]
fn a_query_s_rates_print_as_percentages_and_stay_fractions_in_files() {
    let data = repo().join("data-samples");
    let d = data.to_str().unwrap();
    let v = json_of([
        "--data",
        d,
        "--format",
        "json",
        "query",
        "cohort_conversion",
    ]);
    let first = &rows(&v, "cohort_conversion")[0];
    let rate = first["lead_to_mql"].as_f64().unwrap();
    let (mql, leads) = (
        first["mql"].as_f64().unwrap(),
        first["leads"].as_f64().unwrap(),
    );
    assert!((rate - mql / leads).abs() < 1e-9 && rate < 1.0, "{first}");
    let printed = stdout_of(["--data", d, "query", "cohort_conversion"]);
    let want = format!("{:.1}%", 100.0 * rate);
    let line = printed
        .lines()
        .find(|l| l.starts_with(first["created_month"].as_str().unwrap()))
        .unwrap();
    assert!(line.contains(&want), "{want}: {line}");
}
