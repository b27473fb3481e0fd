//! Laws that hold for any input (proptest; modest case counts because each
//! case links polars and touches the disk).

use proptest::prelude::*;

use super::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Rows read = rows used + rows set aside, for every table, and the
    /// ledger matches what generate injected, for any seed and dirt rate.
    #[test]
    fn read_equals_used_plus_set_aside(seed in 0u64..10_000, pct in 0.0f64..5.0, n in 50u64..600) {
        let s = Scratch::new();
        let out = s.path().display().to_string();
        let (code, _, err) = run_lib(&[
            "generate", "--leads", &n.to_string(), "--seed", &seed.to_string(),
            "--dirty", &format!("{pct:.2}"), "--out", &out,
        ]);
        prop_assert_eq!(code, 0, "{}", err);
        let ledger = ledger_of(s.path());
        for t in &ledger.tables {
            prop_assert_eq!(t.read, t.used + t.set_aside(), "{}", &t.table);
        }
    }

    /// Whatever text a CSV holds, leadloop answers with 0 or 2, never a panic.
    #[test]
    fn no_csv_makes_leadloop_panic(cells in proptest::collection::vec("[ -~]{0,12}", 18)) {
        let s = Scratch::new();
        let row = |r: &[String]| r.iter().map(|c| c.replace([',', '"', '\n', '\r'], "")).collect::<Vec<_>>().join(",");
        s.write("leads.csv", format!("lead_id,created_at,source\n{}\n{}\n", row(&cells[0..3]), row(&cells[3..6])));
        s.write("handoffs.csv", format!("lead_id,stage,at,rep_id\n{}\n{}\n", row(&cells[6..10]), row(&cells[10..14])));
        s.write("deals.csv", format!("deal_id,lead_id,created_at,status,amount\n{}\n", row(&cells[14..18].iter().chain(cells[0..1].iter()).cloned().collect::<Vec<_>>())));
        let (code, _, err) = run_lib(&["--data", s.path().to_str().unwrap(), "validate"]);
        prop_assert!(code == 0 || code == 2, "exit {}: {}", code, err);
        prop_assert!(!err.contains("panicked"));
    }

    /// Random bytes as a CSV or as a config (issue 12): exit 0 or 2, never a
    /// panic; when it reads, every row is accounted for.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), as_config in any::<bool>(), header in any::<bool>()) {
        let s = Scratch::new();
        let mut csv = Vec::new();
        if header {
            csv.extend_from_slice(b"lead_id,created_at,source\n");
        }
        csv.extend_from_slice(&bytes);
        match as_config {
            true => {
                s.write("leads.csv", "lead_id,created_at,source\nL1,2024-01-01T00:00:00Z,web\n");
                s.write("leadloop.toml", &bytes);
            }
            false => {
                s.write("leads.csv", &csv);
            }
        }
        let out = leadloop()
            .args(["--data", s.path().to_str().unwrap(), "--format", "json", "validate"])
            .output()
            .expect("run");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        prop_assert!(code == 0 || code == 2, "exit {}: {}", code, err);
        prop_assert!(!err.contains("panicked"), "{}", err);
        if code == 0 {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            for t in rows(&v, "validate") {
                let (read, used, aside) = (t["read"].as_u64().unwrap(), t["used"].as_u64().unwrap(), t["set_aside"].as_u64().unwrap());
                prop_assert_eq!(read, used + aside);
            }
        }
    }
}
