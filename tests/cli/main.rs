//! The one integration-test binary (one link of polars). Each module covers
//! one command or concern:
//!
//! - `validate`: the ledger on hand-worked fixtures, every reason, quarantine output.
//! - `cache`: the judged-table cache across runs.
//! - `errors`: every exit path: 2 for unusable input or arguments, 1 for a failed write.
//! - `generate`: determinism, bounded dirt, and validate agreeing with what was injected.
//! - `real_data`: the public data sets in ../shared/real-data.
//! - `properties`: laws that hold for any generated input.
//! - `output`: renderers and --format, pinned by snapshots.
//! - `funnel`: the lead_funnel fact table and `export`.
//! - `bands`: conversion by score band.
//! - `report`: every analysis into one folder.
//! - `roi`, `contact`, `winloss`, `velocity`: each analysis on its fixture, with laws and snapshots.
//! - `differential`: lead_funnel and bands against a row-by-row reference.
//! - `vendors`: six hand-made exports in the vendors' shapes, preset and paths only.
//! - `regression`: one test per reported defect, under the issue it came from.

// A test's unwrap is its assertion, its fixtures are written plainly
// (reports, not fixtures, go through output::atomic), and its expected
// rows are tuples: `cargo clippy --tests` holds the rest of its lints.
#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    clippy::type_complexity
)]

mod bands;
mod cache;
mod contact;
mod differential;
mod errors;
mod funnel;
mod generate;
mod html;
mod output;
mod properties;
mod query;
mod real_data;
mod recalibrate;
mod regression;
mod report;
mod roi;
mod validate;
mod velocity;
mod vendors;
mod winloss;

use std::path::{Path, PathBuf};

pub fn leadloop() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_leadloop"));
    cmd.env("NO_COLOR", "1");
    // A cache of this test run's own (a test sets another where it needs
    // one): every `cargo test` starts cold, as on a fresh machine, and the
    // user's cache is left alone.
    cmd.env("LEADLOOP_CACHE_DIR", run_cache());
    cmd
}

/// The cache folder every `leadloop()` of this test run shares, removed at
/// the end of the run.
fn run_cache() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A file of the shared real data sets; fails clearly when they are missing.
pub fn real_data(rel: &str) -> PathBuf {
    let p = repo().join("../shared/real-data").join(rel);
    assert!(
        p.exists(),
        "real data missing: {} (tests expect ../shared/real-data beside the checkout)",
        p.display()
    );
    p
}

/// A scratch folder for one test.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    #[allow(clippy::disallowed_methods)]
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
        p
    }

    /// Copies a fixture's files into this folder.
    pub fn copy_fixture(&self, name: &str) {
        for e in std::fs::read_dir(fixture(name)).expect("fixture") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), self.join(&e.file_name().to_string_lossy())).expect("copy");
        }
    }

    pub fn names(&self, rel: &str) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.join(rel))
            .map(|d| {
                d.map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// Runs the library entry point in-process: (exit code, stdout, stderr).
pub fn run_lib(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut full = vec!["leadloop"];
    full.extend_from_slice(args);
    let code = leadloop::main_with(full, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).to_string(),
        String::from_utf8_lossy(&err).to_string(),
    )
}

/// Reads a data set and judges its rows through the library.
pub fn checked_of(data: &Path) -> leadloop::quality::Checked {
    let mut spec = leadloop::config::DataSpec::open(data).expect("open");
    // Judged afresh into a temporary folder: the tables are used as
    // `Checked::new` leaves them (not each judged into the store), which
    // needs the lead index, and a warm entry (an earlier `cargo test`)
    // skips building it.
    spec.settings.cache = false;
    let inputs = leadloop::input::load(&spec).expect("load");
    leadloop::quality::Checked::new(inputs, &spec).expect("check")
}

/// The ledger of a data set.
pub fn ledger_of(data: &Path) -> leadloop::quality::Ledger {
    leadloop::quality::ledger::compute(&checked_of(data), false)
        .expect("ledger")
        .0
}

/// Runs leadloop, expects success, and parses its standard output as JSON.
pub fn json_of<I, S>(args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    serde_json::from_str(&stdout_of(args)).expect("stdout is JSON")
}

/// Runs leadloop, expects exit code 2 with one line on standard error, and
/// returns that line.
pub fn fails_with_2<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = leadloop().args(args).assert().code(2).get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// A scratch folder holding `leadloop generate --leads N --seed S` (clean data).
pub fn generated(leads: u64, seed: u64) -> Scratch {
    let s = Scratch::new();
    let (code, _, err) = run_lib(&[
        "generate",
        "--leads",
        &leads.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        s.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 0, "{err}");
    s
}

/// Runs leadloop, expects success, and returns its standard output.
pub fn stdout_of<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = leadloop()
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// `leadloop --data DATA --format csv --out OUT export lead_funnel`, and the
/// CSV it wrote (`OUT` is `DATA/x`).
pub fn funnel_csv(data: &Path) -> String {
    let out = data.join("x");
    stdout_of([
        "--data",
        data.to_str().expect("utf-8 path"),
        "--format",
        "csv",
        "--out",
        out.to_str().expect("utf-8 path"),
        "export",
        "lead_funnel",
    ]);
    std::fs::read_to_string(out.join("lead_funnel.csv")).expect("lead_funnel.csv")
}

/// `leadloop --data DATA --format json COMMAND EXTRA...`, parsed.
pub fn analysis_json(data: &Path, command: &str, extra: &[&str]) -> serde_json::Value {
    let d = data.to_str().expect("utf-8 path");
    json_of(
        ["--data", d, "--format", "json", command]
            .into_iter()
            .chain(extra.iter().copied()),
    )
}

/// The rows of one table of a JSON report.
pub fn rows<'a>(v: &'a serde_json::Value, table: &str) -> &'a Vec<serde_json::Value> {
    v["tables"][table]
        .as_array()
        .unwrap_or_else(|| panic!("no table {table}"))
}

/// The row of `table` whose `key` is `value` (a panic naming them if none).
pub fn row_where(v: &serde_json::Value, table: &str, key: &str, value: &str) -> serde_json::Value {
    rows(v, table)
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("{table}: no row with {key} = {value}"))
        .clone()
}

/// validate's row for `analysis` (its `feeds` and `needs`).
pub fn analysis_row(validate: &serde_json::Value, analysis: &str) -> serde_json::Value {
    row_where(validate, "analyses", "analysis", analysis)
}
