//! `report`: every analysis into one folder, summary.json, all or nothing.

use super::*;

#[test]
fn report_writes_every_table_and_a_summary() {
    let s = Scratch::new();
    leadloop()
        .args(["--data", fixture("ledger").to_str().unwrap(), "--out"])
        .arg(s.join("r"))
        .arg("report")
        .assert()
        .success();
    assert_eq!(
        s.names("r"),
        [
            "bands.csv",
            "bands_inversions.csv",
            "bands_tests.csv",
            "contact.csv",
            "contact_gap.csv",
            "contact_speed.csv",
            "contact_speed_by_band.csv",
            "contact_speed_effect.csv",
            "report.html",
            "roi.csv",
            "roi_markov.csv",
            "roi_models.csv",
            "roi_reconciliation.csv",
            "summary.json",
            "validate.csv",
            "validate_analyses.csv",
            "validate_examples.csv",
            "validate_reasons.csv",
            "velocity.csv",
            "velocity_curves.csv",
            "velocity_recycling.csv",
            "winloss.csv",
            "winloss_bridge.csv",
            "winloss_drivers.csv",
            "winloss_loss_reasons.csv"
        ]
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.join("r/summary.json")).unwrap()).unwrap();
    let ledger = v["ledger"].as_array().unwrap();
    let sum = |k: &str| ledger.iter().map(|t| t[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("read"), sum("used"), sum("set_aside")), (48, 18, 30));
    assert_eq!(v["headline"]["bands"]["leads"], 5);
    assert_eq!(v["headline"]["bands"]["won"], 2);
    assert_eq!(v["headline"]["contact"]["mql"], 4);
    assert_eq!(v["headline"]["roi"]["revenue"], 3500.0);
    assert!(v["headline"]["contact"]["sentence"].is_string());
    assert_eq!(
        v["analyses"],
        serde_json::json!(["validate", "bands", "roi", "contact", "winloss", "velocity"])
    );
}

#[test]
fn report_without_leads_skips_bands_with_a_note() {
    let s = Scratch::new();
    s.write(
        "deals.csv",
        "deal_id,lead_id,created_at,closed_at,status,amount\nD1,L1,2024-01-01,2024-02-01,won,10\n",
    );
    let out = leadloop()
        .args(["--data", s.path().to_str().unwrap(), "--out"])
        .arg(s.join("r"))
        .arg("report")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("skipped bands (needs a leads table)"));
    assert!(!s.names("r").contains(&"bands.csv".to_string()));
}

#[test]
fn a_failed_report_leaves_no_partial_folder() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.join("r/summary.json")).unwrap();
    leadloop()
        .args(["--data", fixture("ledger").to_str().unwrap(), "--out"])
        .arg(s.join("r"))
        .arg("report")
        .assert()
        .code(1);
    assert_eq!(s.names("r"), ["summary.json"]);
}

#[test]
fn report_summary_on_data_samples() {
    let s = Scratch::new();
    let out = leadloop()
        .current_dir(s.path())
        .arg("--data")
        .arg(repo().join("data-samples"))
        .arg("report")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out)
        .unwrap()
        .replace(&repo().display().to_string(), "[REPO]");
    insta::assert_snapshot!("report_data_samples", text);
    assert_eq!(s.names("reports").len(), 31);
}

/// `--timings` prints the phases of the run on stderr (and nothing on
/// stdout); without it, stderr stays empty.
#[test]
fn timings_list_the_phases_on_stderr() {
    let data = repo().join("data-samples");
    let out = Scratch::new();
    // Cold (judged into a temporary folder), so lead_funnel is built and
    // its steps are listed, however warm the user's cache is.
    let (code, stdout, stderr) = run_lib(&[
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--timings",
        "--no-cache",
        "report",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Phases, and indented under each analysis its parts: its plan, then
    // each collect and the computation after it.
    let phases: Vec<&str> = stderr
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("cache: "))
        .filter(|l| !l.starts_with("  "))
        .map(|l| l.split("  ").next().unwrap().trim())
        .collect();
    // Under the table: how the run used the cache.
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("cache: "), "{stderr}");
    let parts_of = |phase: &str| -> Vec<&str> {
        stderr
            .lines()
            .skip_while(|l| !l.starts_with(phase))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(|l| l.trim().split("  ").next().unwrap())
            .collect()
    };
    assert_eq!(
        parts_of("bands"),
        ["plan 1", "collect 1", "compute 1"],
        "{stderr}"
    );
    // lead_funnel's steps, summed over its pieces.
    assert_eq!(
        parts_of("lead_funnel"),
        [
            "leads",
            "stage events",
            "stages",
            "first contact",
            "rep",
            "band at mql",
            "months",
            "lookups",
            "write",
            "wait for write"
        ],
        "{stderr}"
    );
    assert_eq!(
        phases,
        [
            "read + judge leads",
            "judge scores",
            "judge handoffs",
            "judge activities",
            "judge deals",
            "judge spend",
            "judge touches",
            "ledger",
            "lead_funnel",
            "bands",
            "roi",
            "contact",
            "winloss",
            "velocity",
            "recalibrate",
            "render",
            "report.html",
            "write",
            "total"
        ],
        "{stderr}"
    );
    assert!(!stdout.contains("seconds"), "{stdout}");
    let (_, _, quiet) = run_lib(&["--data", data.to_str().unwrap(), "bands"]);
    assert_eq!(quiet, "");
}
