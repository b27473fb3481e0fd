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
