//! `velocity`: every cell of the hand-worked fixture (tests/fixtures/
//! velocity/NOTES.md, lifelines 0.30.3 agreeing), a plain product-limit
//! reference on generated data, the laws every curve keeps, exit paths and
//! the printed tables.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn row<'a>(v: &'a Value, group: &str, transition: &str) -> &'a Value {
    rows(v, "velocity")
        .iter()
        .find(|r| r["group"] == group && r["transition"] == transition)
        .unwrap_or_else(|| panic!("no row {group} {transition}"))
}

fn near(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-6)
}

/// (entered, reached, censored), median (value, lo, hi) and p_by 30/60/90
/// (value, lo, hi); `None` = empty.
type Want = ([u64; 3], [Option<f64>; 3], [[Option<f64>; 3]; 3]);

fn check(v: &Value, group: &str, transition: &str, want: Want) {
    let r = row(v, group, transition);
    let counts: Vec<u64> = ["entered", "reached", "censored"]
        .iter()
        .map(|c| r[*c].as_u64().unwrap())
        .collect();
    assert_eq!(counts, want.0, "{group} {transition}");
    let cells = |base: &str| {
        [
            r[base].clone(),
            r[format!("{base}_lo")].clone(),
            r[format!("{base}_hi")].clone(),
        ]
    };
    let mut all = vec![("median_days", cells("median_days"), want.1)];
    for (x, w) in ["p_by_30d", "p_by_60d", "p_by_90d"].iter().zip(want.2) {
        all.push((x, cells(x), w));
    }
    for (name, got, w) in all {
        for (g, w) in got.iter().zip(w) {
            match w {
                None => assert!(g.is_null(), "{group} {transition} {name}: {g}"),
                Some(w) => assert!(near(g, w), "{group} {transition} {name}: {g} vs {w}"),
            }
        }
    }
}

#[test]
fn velocity_fixture_every_cell_by_hand() {
    let v = analysis_json(&fixture("velocity"), "velocity", &["--by", "source"]);
    let order: Vec<(String, String)> = rows(&v, "velocity")
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["transition"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want_order = [
        ("event", "lead_to_mql"),
        ("event", "lead_to_won"),
        ("web", "lead_to_mql"),
        ("web", "mql_to_sql"),
        ("web", "sql_to_won"),
        ("web", "lead_to_won"),
        ("all", "lead_to_mql"),
        ("all", "mql_to_sql"),
        ("all", "sql_to_won"),
        ("all", "lead_to_won"),
    ];
    assert_eq!(
        order,
        want_order.map(|(g, t)| (g.to_string(), t.to_string()))
    );
    let none = None;
    let p = |x: f64, lo: f64, hi: f64| [Some(x), Some(lo), Some(hi)];
    let empty = [none; 3];
    let zero = p(0.0, 0.0, 0.0);
    check(
        &v,
        "web",
        "lead_to_mql",
        (
            [5, 4, 1],
            [Some(4.0), Some(0.0), none],
            [
                p(0.8, 0.418_146_973_951_633, 0.991_630_960_093_347),
                p(0.8, 0.418_146_973_951_633, 0.991_630_960_093_347),
                empty,
            ],
        ),
    );
    check(
        &v,
        "event",
        "lead_to_mql",
        ([2, 0, 2], [none; 3], [zero, empty, empty]),
    );
    let all_mql = p(4.0 / 7.0, 0.265_626_582_948_553, 0.902_247_797_883_071);
    check(
        &v,
        "all",
        "lead_to_mql",
        (
            [7, 4, 3],
            [Some(20.0), Some(0.0), none],
            [all_mql, all_mql, empty],
        ),
    );
    let mql_sql = p(0.75, 0.334_674_657_211_135, 0.991_052_175_583_397);
    for g in ["web", "all"] {
        check(
            &v,
            g,
            "mql_to_sql",
            (
                [4, 3, 1],
                [Some(10.0), Some(0.0), none],
                [mql_sql, mql_sql, empty],
            ),
        );
        let won = p(1.0 / 3.0, 0.054_793_612_727_953, 0.945_926_573_213_483);
        check(
            &v,
            g,
            "sql_to_won",
            ([3, 1, 2], [none, Some(30.0), none], [won, won, empty]),
        );
    }
    let lw = p(0.2, 0.030_820_211_133_257, 0.796_190_736_732_361);
    // S stays at 0.8, but the lower band (0.2038) is below 0.5 from day 40.
    let med = [none, Some(40.0), none];
    check(&v, "web", "lead_to_won", ([5, 1, 4], med, [zero, lw, lw]));
    check(&v, "all", "lead_to_won", ([7, 1, 6], med, [zero, lw, lw]));
    check(
        &v,
        "event",
        "lead_to_won",
        ([2, 0, 2], [none; 3], [zero, empty, empty]),
    );

    let rec = rows(&v, "recycling");
    let web = rec.iter().find(|r| r["group"] == "web").unwrap();
    assert_eq!(
        (
            web["mql"].as_u64(),
            web["recycled"].as_u64(),
            web["re_mql"].as_u64()
        ),
        (Some(4), Some(1), Some(1))
    );
    assert!(near(&web["sql_rate_first_pass"], 2.0 / 3.0));
    assert!(near(&web["sql_rate_recycled"], 1.0));
    assert_eq!(rec.last().unwrap()["group"], "all");
}

/// A plain product-limit estimate, row by row from lead_funnel: for each
/// distinct event time, S *= 1 − d / n over the leads still at risk.
fn reference(
    funnel: &polars::prelude::DataFrame,
    as_of: i64,
) -> BTreeMap<&'static str, (u64, u64, f64)> {
    use polars::prelude::*;
    let t = |c: &str| -> Vec<Option<i64>> {
        funnel
            .column(c)
            .unwrap()
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap()
            .cast(&DataType::Int64)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect()
    };
    let flag = |c: &str| -> Vec<bool> {
        funnel
            .column(c)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|b| b == Some(true))
            .collect()
    };
    let mut out = BTreeMap::new();
    for (name, from, to, reached) in [
        ("lead_to_mql", "created_at", "mql_at", "reached_mql"),
        ("mql_to_sql", "mql_at", "sql_at", "reached_sql"),
        ("sql_to_won", "sql_at", "won_at", "reached_won"),
        ("lead_to_won", "created_at", "won_at", "reached_won"),
    ] {
        let (f, g, r) = (t(from), t(to), flag(reached));
        // (days, event) for every lead that entered and can be timed.
        let mut obs: Vec<(f64, bool)> = Vec::new();
        for i in 0..f.len() {
            let Some(f) = f[i].filter(|f| *f <= as_of) else {
                continue;
            };
            match g[i] {
                Some(g) if g <= as_of && g >= f => obs.push(((g - f) as f64 / 86_400e6, true)),
                Some(g) if g <= as_of => {}
                None if r[i] => {}
                _ => obs.push(((as_of - f) as f64 / 86_400e6, false)),
            }
        }
        let events = obs.iter().filter(|o| o.1).count() as u64;
        // S at 60 days.
        let mut times: Vec<f64> = obs.iter().filter(|o| o.1).map(|o| o.0).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let mut s = 1.0;
        for t in times.into_iter().filter(|t| *t <= 60.0) {
            let n = obs.iter().filter(|o| o.0 >= t).count() as f64;
            let d = obs.iter().filter(|o| o.1 && o.0 == t).count() as f64;
            s *= 1.0 - d / n;
        }
        out.insert(name, (obs.len() as u64, events, 1.0 - s));
    }
    out
}

/// Differential: on generated data, the command agrees with the plain
/// reference on entered, reached and p_by_60d for every transition.
#[test]
fn velocity_agrees_with_a_plain_product_limit_reference() {
    for seed in [3, 17] {
        let s = generated(3000, seed);
        let v = analysis_json(s.path(), "velocity", &["--as-of", "2025-12-31"]);
        let funnel = leadloop::funnel::build(&checked_of(s.path()))
            .unwrap()
            .collect()
            .unwrap();
        // The end of 2025-12-31 (SPEC §3): midnight 2026-01-01 UTC.
        let want = reference(&funnel, 1_767_225_600_000_000);
        for (t, (entered, reached, p60)) in want {
            let r = row(&v, "all", t);
            assert_eq!(r["entered"].as_u64(), Some(entered), "seed {seed} {t}");
            assert_eq!(r["reached"].as_u64(), Some(reached), "seed {seed} {t}");
            assert!(
                (r["p_by_60d"].as_f64().unwrap() - p60).abs() < 1e-9,
                "seed {seed} {t}: {} vs {p60}",
                r["p_by_60d"]
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// For any generated data and split: entered = reached + censored;
    /// p_by_30d ≤ p_by_60d ≤ p_by_90d; every bound contains its estimate.
    #[test]
    fn velocity_laws(seed in 0u64..10_000, n in 200u64..1200, by_month in any::<bool>()) {
        let s = generated(n, seed);
        let by: &[&str] = if by_month { &["--by", "month"] } else { &["--by", "source"] };
        let v = analysis_json(s.path(), "velocity", by);
        for r in rows(&v, "velocity") {
            let c = |k: &str| r[k].as_u64().unwrap();
            prop_assert_eq!(c("entered"), c("reached") + c("censored"));
            let p: Vec<Option<f64>> = ["p_by_30d", "p_by_60d", "p_by_90d"].iter().map(|k| r[*k].as_f64()).collect();
            for w in p.windows(2) {
                if let (Some(a), Some(b)) = (w[0], w[1]) {
                    prop_assert!(a <= b + 1e-12, "{}", r);
                }
            }
            for k in ["median_days", "p_by_30d", "p_by_60d", "p_by_90d"] {
                let (x, lo, hi) = (r[k].as_f64(), r[format!("{k}_lo")].as_f64(), r[format!("{k}_hi")].as_f64());
                if let (Some(x), Some(lo)) = (x, lo) { prop_assert!(lo <= x + 1e-12, "{} {}", k, r); }
                if let (Some(x), Some(hi)) = (x, hi) { prop_assert!(x <= hi + 1e-12, "{} {}", k, r); }
            }
        }
    }
}

#[test]
fn velocity_exit_paths() {
    let d = fixture("velocity");
    let err = fails_with_2(["--data", d.to_str().unwrap(), "velocity", "--by", "planet"]);
    assert!(
        err.contains("--by planet: lead_funnel has no such column"),
        "{err}"
    );
    let s = Scratch::new();
    s.write(
        "leads.csv",
        "lead_id,created_at,source\nL1,2024-01-01T00:00:00Z,web\n",
    );
    let err = fails_with_2(["--data", s.path().to_str().unwrap(), "velocity"]);
    assert!(err.contains("velocity needs stage events"), "{err}");
}

#[test]
fn velocity_printed_on_data_samples() {
    let text = stdout_of([
        "--data",
        repo().join("data-samples").to_str().unwrap(),
        "velocity",
        "--by",
        "band",
    ]);
    insta::assert_snapshot!("velocity_data_samples", text);
}
