//! The judged-table cache (`quality::cache`): a second command on the same
//! export reads the cached judged tables and gives the same report; a
//! changed input or configuration is a new entry; `--no-cache` and
//! `LEADLOOP_CACHE=off` keep nothing.

use super::*;

/// `leadloop --data DIR --format json ARGS` with the cache in `cache`.
fn json_with_cache(cache: &Path, data: &Path, args: &[&str]) -> serde_json::Value {
    let out = leadloop()
        .env("LEADLOOP_CACHE_DIR", cache)
        .env_remove("LEADLOOP_CACHE")
        .args(["--data", data.to_str().unwrap(), "--format", "json"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn entries(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cache)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("complete").is_file())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_second_run_reads_the_cache_and_agrees() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let cold = json_with_cache(cache.path(), data.path(), &["bands"]);
    let made = entries(cache.path());
    assert_eq!(made.len(), 1, "{made:?}");
    let entry = cache.join(&made[0]);
    assert!(entry.join("leads.parquet").is_file());
    assert!(entry.join("lead_funnel.parquet").is_file());
    let warm = json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!(cold["tables"], warm["tables"]);
    assert_eq!(cold["notes"], warm["notes"]);
    // validate's accounting and examples come out the same from the cache.
    let a = json_with_cache(cache.path(), data.path(), &["validate"]);
    let b = json_with_cache(cache.path(), data.path(), &["validate"]);
    assert_eq!(a, b);
    // The ledger's counts are kept in the entry, and equal counting afresh.
    assert!(entry.join("ledger.json").is_file());
    let fresh = json_with_cache(cache.path(), data.path(), &["--no-cache", "validate"]);
    assert_eq!(a, fresh);
    assert_eq!(entries(cache.path()), made, "one entry per data set");
    // A warm run's --timings lists no judging step (a new user read the
    // judging phases listed at 0.00 as tables judged again).
    let out = leadloop()
        .env("LEADLOOP_CACHE_DIR", cache.path())
        .env_remove("LEADLOOP_CACHE")
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "--timings",
            "bands",
        ])
        .output()
        .unwrap();
    let timings = String::from_utf8_lossy(&out.stderr);
    assert!(timings.contains("cache: warm"), "{timings}");
    assert!(
        !timings.lines().any(|l| l.trim_start().starts_with("judge")
            || l.trim_start().starts_with("used leads")
            || l.trim_start().starts_with("duplicate ids")),
        "{timings}"
    );
}

#[test]
fn a_changed_input_is_a_new_entry_and_the_old_goes_when_idle() {
    let data = Scratch::new();
    data.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-02T00:00:00Z,web\n",
    );
    data.write(
        "handoffs.csv",
        "lead_id,stage,at\nL1,mql,2024-01-03T00:00:00Z\n",
    );
    let cache = Scratch::new();
    let before = json_with_cache(cache.path(), data.path(), &["bands"]);
    let first = entries(cache.path());
    // One more lead: a stale cache would still count one.
    data.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-02T00:00:00Z,web\nL2,2024-01-04T00:00:00Z,ads\n",
    );
    let after = json_with_cache(cache.path(), data.path(), &["bands"]);
    let all = |v: &serde_json::Value| {
        rows(v, "bands")
            .iter()
            .find(|r| r["band"] == "all")
            .unwrap()["leads"]
            .as_u64()
    };
    assert_eq!((all(&before), all(&after)), (Some(1), Some(2)));
    // The old export's entry stays while it may still be read (an hour).
    let second = entries(cache.path());
    assert_eq!(second.len(), 2, "{second:?}");
    let new: Vec<String> = second
        .iter()
        .filter(|e| !first.contains(e))
        .cloned()
        .collect();
    assert_eq!(new.len(), 1);
    // Unused for two hours: the next completed entry of the data set removes it.
    let marker = cache.join(&first[0]).join("complete");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&marker)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    data.write(
        "leadloop.toml",
        "[bands]\nthresholds = { A = 50 }\nlowest = \"B\"\n",
    );
    data.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-02T00:00:00Z,web\nL2,2024-01-04T00:00:00Z,ads\nL3,2024-01-05T00:00:00Z,ads\n",
    );
    json_with_cache(cache.path(), data.path(), &["bands"]);
    let third = entries(cache.path());
    // A leadloop.toml in the folder makes the config file the data set: a
    // new entry, the folder's two stay. Without it, a third version of the
    // folder's export removes the back-dated (idle) entry only.
    assert_eq!(third.len(), 3, "{third:?}");
    std::fs::remove_file(data.join("leadloop.toml")).unwrap();
    json_with_cache(cache.path(), data.path(), &["bands"]);
    let fourth = entries(cache.path());
    assert!(
        !fourth.contains(&first[0]),
        "the idle old entry is removed: {fourth:?}"
    );
    assert!(fourth.contains(&new[0]), "the recent one stays: {fourth:?}");
}

#[test]
fn no_cache_keeps_nothing() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    leadloop()
        .env("LEADLOOP_CACHE_DIR", cache.path())
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "--no-cache",
            "bands",
        ])
        .assert()
        .success();
    leadloop()
        .env("LEADLOOP_CACHE_DIR", cache.path())
        .env("LEADLOOP_CACHE", "off")
        .args(["--data", data.path().to_str().unwrap(), "bands"])
        .assert()
        .success();
    data.write("leadloop.toml", "cache = false\n");
    leadloop()
        .env("LEADLOOP_CACHE_DIR", cache.path())
        .args(["--data", data.path().to_str().unwrap(), "bands"])
        .assert()
        .success();
    assert!(entries(cache.path()).is_empty());
}

/// A cached file cut short (a full disk, a crash) is judged again, in
/// place, not read as if it were the input (the breaker trial: every warm
/// run then failed, blaming leads.parquet).
#[test]
fn a_truncated_cached_file_is_judged_again() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let cold = json_with_cache(cache.path(), data.path(), &["bands"]);
    let entry = cache.join(&entries(cache.path())[0]);
    for name in ["leads.parquet", "lead_funnel.parquet"] {
        let bytes = std::fs::read(entry.join(name)).unwrap();
        // Not through output::atomic: this is the damage under test.
        #[allow(clippy::disallowed_methods)]
        std::fs::write(entry.join(name), &bytes[..bytes.len() / 2]).unwrap();
    }
    let warm = json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!(cold["tables"], warm["tables"]);
    let again = json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!(cold["tables"], again["tables"]);
}

/// Every file of a hive-partitioned folder is part of the key: a part
/// added to it is a new entry, not the old answer.
#[test]
fn a_part_added_to_a_hive_folder_is_a_new_entry() {
    let data = Scratch::new();
    data.write(
        "leads/region=eu/part-0.csv",
        "lead_id,created_at,source\nL1,2024-01-02T00:00:00Z,web\n",
    );
    data.write(
        "handoffs.csv",
        "lead_id,stage,at\nL1,mql,2024-01-03T00:00:00Z\n",
    );
    let cache = Scratch::new();
    let leads = |v: &serde_json::Value| {
        rows(v, "bands")
            .iter()
            .find(|r| r["band"] == "all")
            .unwrap()["leads"]
            .as_u64()
    };
    let before = json_with_cache(cache.path(), data.path(), &["bands"]);
    data.write(
        "leads/region=us/part-0.csv",
        "lead_id,created_at,source\nL2,2024-01-04T00:00:00Z,ads\n",
    );
    let after = json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!((leads(&before), leads(&after)), (Some(1), Some(2)));
}

// See: issue 14's user trial. A first run killed while filling the cache
// left its `lock` file, and every later run worked in a temporary folder
// until the lock was hours old. The lock is now the system's advisory
// lock, released when a run ends however it ends: the next run takes the
// entry over and completes it.
#[test]
fn a_killed_first_run_does_not_keep_the_cache_off() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    json_with_cache(cache.path(), data.path(), &["bands"]);
    let made = entries(cache.path());
    assert_eq!(made.len(), 1, "{made:?}");
    // What a killed run leaves: a lock file, a half-written file, no marker.
    let entry = cache.join(&made[0]);
    std::fs::remove_file(entry.join("complete")).unwrap();
    std::fs::write(entry.join("lock"), "").unwrap();
    std::fs::write(entry.join("touches.1.partial"), "half").unwrap();
    assert!(entries(cache.path()).is_empty());
    json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!(entries(cache.path()), made, "the entry was taken over");
    assert!(!entry.join("touches.1.partial").exists());
    assert!(!entry.join("lock").exists());
}

// See: issue 14's user trial. `--as-of` was part of the key, so each new
// date judged the export again into another entry with identical files;
// nothing cached depends on as_of.
#[test]
fn a_new_as_of_reads_the_same_entry() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let a = json_with_cache(
        cache.path(),
        data.path(),
        &["--as-of", "2024-06-30", "bands"],
    );
    let made = entries(cache.path());
    json_with_cache(
        cache.path(),
        data.path(),
        &["--as-of", "2024-12-31", "bands"],
    );
    assert_eq!(entries(cache.path()), made);
    let fresh = json_with_cache(
        cache.path(),
        data.path(),
        &["--no-cache", "--as-of", "2024-06-30", "bands"],
    );
    assert_eq!(a["tables"], fresh["tables"]);
}

// See: issue 14's breaker. A relative LEADLOOP_CACHE_DIR was ignored (the
// cache went to ~/.cache); it is taken from the current folder.
#[test]
fn a_relative_cache_dir_is_taken_from_the_current_folder() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let here = Scratch::new();
    leadloop()
        .current_dir(here.path())
        .env("LEADLOOP_CACHE_DIR", "relcache")
        .env_remove("LEADLOOP_CACHE")
        .args(["--data", data.path().to_str().unwrap(), "bands"])
        .assert()
        .success();
    assert_eq!(entries(&here.join("relcache")).len(), 1);
}

/// `validate` with nothing to keep counts each table in one pass over its
/// input (no judged files): its ledger, examples, notes and set-aside rows
/// equal those of the run that judges every table into a cache entry, on
/// every hand-made fixture, each vendor shape and olist (issue 14).
#[test]
fn validate_without_a_cache_counts_as_the_judged_tables_do() {
    let mut sets: Vec<PathBuf> = [
        "ledger", "funnel", "winloss", "roi", "contact", "velocity", "xlsx",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    for shape in [
        "salesforce-api",
        "salesforce-report",
        "salesforce-snake",
        "hubspot-api",
        "hubspot-property",
        "hubspot-ui",
    ] {
        sets.push(
            repo()
                .join("tests/real-data/vendors")
                .join(shape)
                .join("leadloop.toml"),
        );
    }
    real_data("olist-marketing-funnel");
    sets.push(repo().join("tests/real-data/olist/leadloop.toml"));
    for data in &sets {
        let cache = Scratch::new();
        let s = Scratch::new();
        let q = s.join("q");
        let run = |no_cache: bool| {
            let mut cmd = leadloop();
            cmd.env("LEADLOOP_CACHE_DIR", cache.path())
                .env_remove("LEADLOOP_CACHE")
                .args(["--data", data.to_str().unwrap(), "--format", "json"]);
            if no_cache {
                cmd.arg("--no-cache");
            }
            let out = cmd
                .args(["validate", "--quarantine-out"])
                .arg(&q)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let files: Vec<(String, Vec<u8>)> = s
                .names("q")
                .into_iter()
                .map(|f| {
                    let bytes = std::fs::read(q.join(&f)).unwrap();
                    (f, bytes)
                })
                .collect();
            let _ = std::fs::remove_dir_all(&q);
            (
                serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
                files,
            )
        };
        let judged = run(false);
        assert_eq!(entries(cache.path()).len(), 1, "{}", data.display());
        let counted = run(true);
        assert_eq!(judged, counted, "{}", data.display());
    }
}

/// A first `validate` with the cache on keeps the ledger's counts in the
/// entry (a trial found the next command counting again), and `bands`
/// after it agrees with `bands` on a fresh cache.
#[test]
fn a_validate_keeps_the_ledger_for_the_next_command() {
    let data = Scratch::new();
    data.copy_fixture("ledger");
    let cache = Scratch::new();
    json_with_cache(cache.path(), data.path(), &["validate"]);
    let made = entries(cache.path());
    assert_eq!(made.len(), 1, "{made:?}");
    let entry = cache.join(&made[0]);
    assert!(entry.join("ledger.json").is_file());
    assert!(!entry.join("lead_funnel.parquet").exists());
    let after = json_with_cache(cache.path(), data.path(), &["bands"]);
    let fresh = Scratch::new();
    let alone = json_with_cache(fresh.path(), data.path(), &["bands"]);
    assert_eq!(after, alone);
}

/// A run killed while adding lead_funnel to a complete entry leaves its
/// `<name>.<pid>.partial` file: the next run removes it once that process
/// is gone (a trial found one left for good), and keeps a live one's.
#[test]
fn a_killed_run_s_partial_file_is_removed_by_the_next() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    json_with_cache(cache.path(), data.path(), &["validate"]);
    let entry = cache.join(&entries(cache.path())[0]);
    // Above Linux's largest pid (2^22): no process has it.
    let gone = entry.join("lead_funnel.4194399.partial");
    let live = entry.join(format!("lead_funnel.{}.partial", std::process::id()));
    std::fs::write(&gone, b"cut off").unwrap();
    std::fs::write(&live, b"being written").unwrap();
    json_with_cache(cache.path(), data.path(), &["bands"]);
    if Path::new("/proc/self").exists() {
        assert!(!gone.exists());
    }
    assert!(live.exists());
}

// See: issue 14 ("--timings does not say hit or miss", noticed in the
// breaker's trial): a timed run says whether it filled the cache, read it,
// or had it off, since a warm run is many times quicker than a cold one.
#[test]
fn timings_say_whether_the_cache_was_cold_warm_or_off() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let timed_in = |cache: &Path, extra: &[&str], command: &str| -> String {
        let out = leadloop()
            .env("LEADLOOP_CACHE_DIR", cache)
            .env_remove("LEADLOOP_CACHE")
            .args(["--data", data.path().to_str().unwrap(), "--timings"])
            .args(extra)
            .arg(command)
            .assert()
            .success()
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).unwrap()
    };
    let timed = |extra: &[&str], command: &str| timed_in(cache.path(), extra, command);
    let cold = timed(&[], "validate");
    let made = entries(cache.path());
    assert_eq!(made.len(), 1, "{made:?}");
    let entry = cache.join(&made[0]);
    let line = |stderr: &str| -> String {
        stderr
            .lines()
            .filter(|l| l.starts_with("cache: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        line(&cold),
        format!("cache: cold, this run fills {}", entry.display()),
        "{cold}"
    );
    let warm = timed(&[], "validate");
    assert_eq!(
        line(&warm),
        format!("cache: warm, read from {}", entry.display()),
        "{warm}"
    );
    // After a validate filled the entry, the next command still builds
    // lead_funnel: the line under "warm" says so.
    assert!(!entry.join("lead_funnel.parquet").exists());
    let rebuilt = timed(&[], "bands");
    assert_eq!(
        line(&rebuilt),
        format!(
            "cache: warm, read from {}\ncache: lead_funnel was not in the entry yet: built now and kept there",
            entry.display()
        ),
        "{rebuilt}"
    );
    // A cold run that builds lead_funnel into its new entry says "cold"
    // only (the 100M check found the "not in the entry yet" line there too).
    let other = Scratch::new();
    let first = timed_in(other.path(), &[], "bands");
    let fresh = other.join(&entries(other.path())[0]);
    assert_eq!(
        line(&first),
        format!("cache: cold, this run fills {}", fresh.display()),
        "{first}"
    );
    let off = timed(&["--no-cache"], "validate");
    assert_eq!(
        line(&off),
        "cache: off (--no-cache, cache = false or LEADLOOP_CACHE=off): judged into a temporary folder",
        "{off}"
    );
    // Without --timings, nothing is said.
    let quiet = leadloop()
        .env("LEADLOOP_CACHE_DIR", cache.path())
        .args(["--data", data.path().to_str().unwrap(), "validate"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(!String::from_utf8(quiet).unwrap().contains("cache: "));
}

// See: issue 14's new-user trial. `LEADLOOP_CACHE=bogus` left the cache on
// without a word; any value but the documented ones is now a one-line error.
#[test]
fn an_unknown_leadloop_cache_value_is_a_one_line_error() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let run = |value: &str| {
        leadloop()
            .env("LEADLOOP_CACHE_DIR", cache.path())
            .env("LEADLOOP_CACHE", value)
            .args(["--data", data.path().to_str().unwrap(), "validate"])
            .assert()
    };
    let out = run("bogus").code(2).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "leadloop: LEADLOOP_CACHE=bogus: give off (or 0, false, no) to turn the cache off, on to keep it\n"
    );
    assert!(entries(cache.path()).is_empty());
    run("No").success();
    assert!(entries(cache.path()).is_empty(), "no: the cache stays off");
    run("ON").success();
    assert_eq!(entries(cache.path()).len(), 1, "on: an entry is kept");
}

/// An analysis that reads no touches, run with `--no-cache`, counts the
/// touches in the ledger instead of writing them to a judged file (issue
/// 14): its report equals the cached run's, the touches' set-aside rows
/// included, and so does the default as_of, which a used touch sets here
/// (a later touch of an unknown lead does not).
#[test]
fn an_analysis_without_touches_counts_them_without_a_judged_file() {
    let data = Scratch::new();
    data.copy_fixture("roi");
    data.write("leadloop.toml", "timezone = \"UTC\"\n");
    let mut touches = std::fs::read_to_string(data.join("touches.csv")).unwrap();
    touches.push_str("R1,2024-12-30T10:00:00Z,ads,c_ads,click\n");
    touches.push_str("NOBODY,2025-06-01T10:00:00Z,ads,c_ads,click\n");
    touches.push_str("R2,not a time,email,c_mail,open\n");
    data.write("touches.csv", touches);
    for command in ["bands", "contact", "winloss", "velocity"] {
        let run = |no_cache: bool| {
            let cache = Scratch::new();
            let mut cmd = leadloop();
            cmd.env("LEADLOOP_CACHE_DIR", cache.path())
                .env_remove("LEADLOOP_CACHE")
                .args(["--data", data.path().to_str().unwrap(), "--format", "json"]);
            if no_cache {
                cmd.args(["--no-cache", "--timings"]);
            }
            let out = cmd.arg(command).output().unwrap();
            (
                out.status.code(),
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        };
        let (cached, counted) = (run(false), run(true));
        assert_eq!(cached.0, counted.0, "{command}: {}", counted.2);
        assert_eq!(cached.1, counted.1, "{command}");
        if counted.0 == Some(0) {
            assert!(
                !counted.2.contains("judge touches"),
                "{command}: {}",
                counted.2
            );
            assert!(counted.1.contains("2024-12-30"), "{command}: {}", counted.1);
            assert!(counted.1.contains("2 touches"), "{command}: {}", counted.1);
        }
    }
    // roi reads them: judged into a file as before.
    let out = leadloop()
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "--no-cache",
            "--timings",
            "roi",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("judge touches"));
}

/// A Parquet export and the same data as CSV give the same answers, cold
/// (the entry filled), warm (read from it) and with `--no-cache`: the
/// leads and touches as CSV (judged whole, text and all) are the
/// reference for roi (every model), bands by a lead dimension, contact,
/// and the exported used touches and leads; the leads split into a
/// two-file hive folder too. Written for an attempt (issue 14) that read
/// the judged leads' text from the Parquet input beside the judged file:
/// misaligning the two made it fail; the attempt was dropped (a higher
/// peak for about 2% of a cold report), the test kept.
#[test]
fn a_parquet_export_and_the_same_data_as_csv_agree_cold_warm_and_uncached() {
    use polars::prelude::*;
    let pq = generated(3000, 21);
    let csv = Scratch::new();
    for name in std::fs::read_dir(pq.path()).unwrap() {
        let path = name.unwrap().path();
        let table = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.extension().is_none_or(|e| e != "parquet") {
            continue;
        }
        match table.as_str() {
            "leads" | "touches" => {
                let mut df = ParquetReader::new(std::fs::File::open(&path).unwrap())
                    .finish()
                    .unwrap();
                let file = std::fs::File::create(csv.join(&format!("{table}.csv"))).unwrap();
                CsvWriter::new(file).finish(&mut df).unwrap();
            }
            _ => {
                std::fs::copy(&path, csv.join(&format!("{table}.parquet"))).unwrap();
            }
        }
    }
    let cache = Scratch::new();
    let none = Scratch::new();
    for args in [
        vec!["roi", "--model", "all"],
        vec!["bands", "--by", "industry"],
        vec!["contact"],
    ] {
        let mut off = vec!["--no-cache"];
        off.extend(&args);
        let want = json_with_cache(none.path(), csv.path(), &off);
        for run in ["cold", "warm", "no cache"] {
            let got = match run {
                "no cache" => json_with_cache(none.path(), pq.path(), &off),
                _ => json_with_cache(cache.path(), pq.path(), &args),
            };
            assert_eq!(got["tables"], want["tables"], "{args:?} {run}");
        }
    }
    // The used touches and leads as exported (every used column, the
    // touches' touch_type among them), warm from the entry and afresh.
    for table in ["touches", "leads"] {
        let export = |data: &Path, cache: &Path, extra: &[&str]| -> DataFrame {
            let out = Scratch::new();
            leadloop()
                .env("LEADLOOP_CACHE_DIR", cache)
                .args(["--data", data.to_str().unwrap(), "--out"])
                .arg(out.path())
                .args(extra)
                .args(["export", table])
                .assert()
                .success();
            let file = std::fs::File::open(out.join(&format!("{table}.parquet"))).unwrap();
            ParquetReader::new(file).finish().unwrap()
        };
        let want = export(csv.path(), none.path(), &["--no-cache"]);
        for (run, got) in [
            ("warm", export(pq.path(), cache.path(), &[])),
            ("no cache", export(pq.path(), none.path(), &["--no-cache"])),
        ] {
            assert!(got.equals_missing(&want), "{table} {run}:\n{got}\n{want}");
        }
    }
    // The leads in two files of a hive folder (with its own text column,
    // `region`): the rows of both, in order, beside the judged file.
    let hive = Scratch::new();
    for name in std::fs::read_dir(pq.path()).unwrap() {
        let path = name.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        match file.as_str() {
            "leads.parquet" => {
                let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
                    .finish()
                    .unwrap();
                let half = df.height() as i64 / 2;
                for (part, mut rows) in [
                    ("a", df.slice(0, half as usize)),
                    ("b", df.slice(half, df.height())),
                ] {
                    let dir = hive.join(&format!("leads/region={part}"));
                    std::fs::create_dir_all(&dir).unwrap();
                    let f = std::fs::File::create(dir.join("part-0.parquet")).unwrap();
                    ParquetWriter::new(f).finish(&mut rows).unwrap();
                }
            }
            _ => {
                std::fs::copy(&path, hive.join(&file)).unwrap();
            }
        }
    }
    for args in [
        vec!["roi", "--model", "all"],
        vec!["bands", "--by", "industry"],
    ] {
        let mut off = vec!["--no-cache"];
        off.extend(&args);
        let want = json_with_cache(none.path(), csv.path(), &off);
        for run in ["hive, cold", "hive, warm"] {
            let got = json_with_cache(cache.path(), hive.path(), &args);
            assert_eq!(got["tables"], want["tables"], "{args:?} {run}");
        }
    }
    // validate reads the same accounting and examples from the entry.
    let a = json_with_cache(cache.path(), pq.path(), &["validate"]);
    let b = json_with_cache(none.path(), pq.path(), &["--no-cache", "validate"]);
    assert_eq!(a, b);
}

// Seen in a full test run (every command sharing one cache folder): a run
// completing its entry removes the entries of killed runs, those with a
// lock no run holds; it took one whose run had made its lock file and not
// yet taken it, and that run's next write failed ("No such file or
// directory: …/leads.<pid>.partial"). A lock file made in the last minute
// is left alone; an older one no run holds goes with its entry.
#[test]
fn an_entry_whose_lock_was_just_made_is_not_taken_for_abandoned() {
    let data = Scratch::new();
    data.copy_fixture("funnel");
    let cache = Scratch::new();
    let starting = cache.join("0000000000000001");
    let killed = cache.join("0000000000000002");
    for dir in [&starting, &killed] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("leads.1.partial"), "half").unwrap();
        std::fs::write(dir.join("lock"), "").unwrap();
    }
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    std::fs::File::options()
        .append(true)
        .open(killed.join("lock"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    json_with_cache(cache.path(), data.path(), &["bands"]);
    assert_eq!(entries(cache.path()).len(), 1);
    assert!(
        starting.join("leads.1.partial").exists(),
        "a starting run's entry went"
    );
    assert!(!killed.exists(), "a killed run's entry stayed");
}

/// The used leads are the judged leads' rows that `duplicates::mark`
/// numbered: filling an entry (read from its judged leads), warm, and
/// without a cache (written alone), lead_funnel has the same leads in
/// file order. Hand-worked: row 2's date is bad (set aside), row 3
/// repeats L1 (duplicate), row 5 has no id; row 6's L2 is the first
/// usable L2, so the used leads are L1, L3, L2 with MQLs on the 3rd,
/// 5th and 7th.
#[test]
fn used_leads_are_the_numbered_judged_rows_cold_warm_and_uncached() {
    let data = Scratch::new();
    data.write(
        "leads.csv",
        "lead_id,created_at,source\n\
         L1,2024-01-02T00:00:00Z,web\n\
         L2,not a date,web\n\
         L1,2024-01-03T00:00:00Z,ads\n\
         L3,2024-01-04T00:00:00Z,web\n\
         ,2024-01-05T00:00:00Z,web\n\
         L2,2024-01-06T00:00:00Z,ads\n",
    );
    data.write(
        "handoffs.csv",
        "lead_id,stage,at\n\
         L2,mql,2024-01-07T00:00:00Z\n\
         L3,mql,2024-01-05T00:00:00Z\n\
         L1,mql,2024-01-03T00:00:00Z\n",
    );
    let cache = Scratch::new();
    let export = |extra: &[&str]| -> String {
        let out = Scratch::new();
        leadloop()
            .env("LEADLOOP_CACHE_DIR", cache.path())
            .env_remove("LEADLOOP_CACHE")
            .args(["--data", data.path().to_str().unwrap()])
            .args(extra)
            .args(["export", "lead_funnel", "--format", "csv", "--out"])
            .arg(out.path())
            .assert()
            .success();
        std::fs::read_to_string(out.join("lead_funnel.csv")).unwrap()
    };
    let cold = export(&[]);
    assert_eq!(entries(cache.path()).len(), 1);
    let warm = export(&[]);
    let uncached = export(&["--no-cache"]);
    assert_eq!(cold, warm);
    assert_eq!(cold, uncached);
    // No value here holds a comma or a quote.
    let mut lines = cold.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, source, mql) = (at("lead_id"), at("source"), at("mql_at"));
    let got: Vec<(String, String, String)> = lines
        .map(|l| {
            let r: Vec<&str> = l.split(',').collect();
            (
                r[id].to_string(),
                r[source].to_string(),
                r[mql][..10].to_string(),
            )
        })
        .collect();
    let want = [
        ("L1", "web", "2024-01-03"),
        ("L3", "web", "2024-01-05"),
        ("L2", "ads", "2024-01-07"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(got, want);
}
