//! Renderers, pinned on one small report, and --format / --out through the CLI.

use leadloop::output::{self, Format, Report, Unit};
use polars::prelude::*;

use super::*;

fn sample() -> Report {
    let df = df!(
        "band" => ["A", "B", "unscored"],
        "leads" => [1200i64, 35, 0],
        "revenue" => [1234567.5f64, 0.0, 0.0],
        "mql_to_sql" => [Some(0.298), Some(0.425), None],
        "mql_to_sql_lo" => [Some(0.268), Some(0.40), None],
        "mql_to_sql_hi" => [Some(0.33), Some(0.45), None],
    )
    .unwrap();
    Report::new("bands")
        .table("bands", "Conversion by band", df)
        .units(&[("revenue", Unit::Money), ("mql_to_sql", Unit::Rate)])
        .note("2 input rows set aside")
}

#[test]
fn table_renderer() {
    let text = String::from_utf8(output::stdout_bytes(&sample(), Format::Table).unwrap()).unwrap();
    insta::assert_snapshot!("render_table", text);
}

#[test]
fn csv_renderer() {
    let text = String::from_utf8(output::stdout_bytes(&sample(), Format::Csv).unwrap()).unwrap();
    insta::assert_snapshot!("render_csv", text);
}

#[test]
fn json_renderer() {
    let text = String::from_utf8(output::stdout_bytes(&sample(), Format::Json).unwrap()).unwrap();
    insta::assert_snapshot!("render_json", text);
}

#[test]
fn parquet_files_round_trip() {
    let files = output::files(&sample(), Format::Parquet).unwrap();
    assert_eq!(files[0].0, "bands.parquet");
    let df = ParquetReader::new(std::io::Cursor::new(files[0].1.clone()))
        .finish()
        .unwrap();
    assert!(df.equals_missing(&sample().tables[0].frame));
}

#[test]
fn out_writes_one_file_per_table() {
    let s = Scratch::new();
    for (format, ext) in [("csv", "csv"), ("json", "json"), ("parquet", "parquet")] {
        let dir = s.join(format);
        leadloop()
            .args([
                "--data",
                fixture("ledger").to_str().unwrap(),
                "--format",
                format,
                "--out",
            ])
            .arg(&dir)
            .arg("validate")
            .assert()
            .success();
        let names = s.names(format);
        let want: Vec<String> = [
            "validate",
            "validate_analyses",
            "validate_examples",
            "validate_reasons",
        ]
        .iter()
        .map(|n| format!("{n}.{ext}"))
        .collect();
        assert_eq!(names, want);
    }
}
