//! Differential tests: on generated data, a plain row-by-row reference
//! computed here must agree exactly with the polars plan of `lead_funnel`
//! (key columns) and with the `bands` counts.

use std::collections::HashMap;

use polars::prelude::*;

use super::*;

pub(super) fn read(dir: &Path, table: &str) -> DataFrame {
    let f = std::fs::File::open(dir.join(format!("{table}.parquet"))).unwrap();
    ParquetReader::new(f).finish().unwrap()
}

pub(super) fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// Microseconds since the epoch of any time column (physical UTC value).
pub(super) fn micros(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
    let col = df.column(c).unwrap();
    let (scale, col) = match col.dtype() {
        DataType::Datetime(TimeUnit::Milliseconds, _) => {
            (1000, col.cast(&DataType::Int64).unwrap())
        }
        DataType::Datetime(TimeUnit::Microseconds, _) => (1, col.cast(&DataType::Int64).unwrap()),
        DataType::Int64 => (1000, col.clone()), // epoch ms
        other => panic!("{c}: {other}"),
    };
    col.i64()
        .unwrap()
        .iter()
        .map(|v| v.map(|x| x * scale))
        .collect()
}

pub(super) fn floats(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

#[derive(Default, Debug, Clone, PartialEq)]
struct Lead {
    mql: Option<i64>,
    sql: Option<i64>,
    opp: Option<i64>,
    won: Option<i64>,
    scores: Vec<(i64, f64)>,
    deals: u32,
    revenue: f64,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn band(score: Option<f64>) -> &'static str {
    match score {
        None => "unscored",
        Some(s) if s >= 75.0 => "A",
        Some(s) if s >= 50.0 => "B",
        Some(s) if s >= 25.0 => "C",
        Some(_) => "D",
    }
}

/// lead_id -> (mql_at, contacted_at, sql_at, won_at, band, deals, revenue)
pub(super) type Expected = HashMap<
    String,
    (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        u32,
        f64,
    ),
>;

pub(super) fn reference(dir: &Path) -> Expected {
    let mut leads: HashMap<String, Lead> = HashMap::new();
    for id in strs(&read(dir, "leads"), "lead_id").into_iter().flatten() {
        leads.insert(id, Lead::default());
    }
    let h = read(dir, "handoffs");
    let mut contacted_rows = Vec::new();
    for ((id, stage), at) in strs(&h, "lead_id")
        .into_iter()
        .zip(strs(&h, "stage"))
        .zip(micros(&h, "at"))
    {
        let (id, stage, at) = (id.unwrap(), stage.unwrap(), at.unwrap());
        let l = leads.get_mut(&id).unwrap();
        match stage.as_str() {
            "mql" => l.mql = min_opt(l.mql, Some(at)),
            "sql" => l.sql = min_opt(l.sql, Some(at)),
            "contacted" => contacted_rows.push((id, at)),
            _ => {}
        }
    }
    let a = read(dir, "activities");
    for (id, at) in strs(&a, "lead_id").into_iter().zip(micros(&a, "at")) {
        contacted_rows.push((id.unwrap(), at.unwrap()));
    }
    let d = read(dir, "deals");
    let rows = strs(&d, "lead_id")
        .into_iter()
        .zip(strs(&d, "status"))
        .zip(micros(&d, "created_at"))
        .zip(micros(&d, "closed_at"))
        .zip(floats(&d, "amount"));
    for ((((id, status), created), closed), amount) in rows {
        let l = leads.get_mut(&id.unwrap()).unwrap();
        l.deals += 1;
        l.opp = min_opt(l.opp, created);
        if status.as_deref() == Some("won") {
            l.won = min_opt(l.won, closed);
            l.revenue += amount.unwrap();
        }
    }
    let s = read(dir, "scores");
    for ((id, at), score) in strs(&s, "lead_id")
        .into_iter()
        .zip(micros(&s, "scored_at"))
        .zip(floats(&s, "score"))
    {
        leads
            .get_mut(&id.unwrap())
            .unwrap()
            .scores
            .push((at.unwrap(), score.unwrap()));
    }
    let mut out = Expected::new();
    for (id, l) in &leads {
        let won = l.won;
        let opp = min_opt(l.opp, won);
        let sql = min_opt(l.sql, opp);
        let mql = min_opt(l.mql, sql);
        let contacted = contacted_rows
            .iter()
            .filter(|(cid, at)| cid == id && mql.is_some_and(|m| *at >= m))
            .map(|(_, at)| *at)
            .min();
        // Last score at or before the MQL (file order breaks ties: the later row).
        let mut best: Option<(i64, f64)> = None;
        for (at, score) in &l.scores {
            if mql.is_none_or(|m| *at <= m) && best.is_none_or(|(b, _)| *at >= b) {
                best = Some((*at, *score));
            }
        }
        out.insert(
            id.clone(),
            (
                mql,
                contacted,
                sql,
                won,
                band(best.map(|b| b.1)).to_string(),
                l.deals,
                l.revenue,
            ),
        );
    }
    out
}

fn plan(dir: &Path) -> Expected {
    let f = leadloop::funnel::build(&checked_of(dir))
        .unwrap()
        .collect()
        .unwrap();
    let ts = |c: &str| -> Vec<Option<i64>> {
        f.column(c)
            .unwrap()
            .cast(&DataType::Int64)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect()
    };
    let (mql, con, sql, won) = (ts("mql_at"), ts("contacted_at"), ts("sql_at"), ts("won_at"));
    let ids = strs(&f, "lead_id");
    let bands = strs(&f, "band");
    let deals: Vec<Option<u32>> = f.column("deals").unwrap().u32().unwrap().iter().collect();
    let revenue = floats(&f, "revenue");
    (0..f.height())
        .map(|i| {
            (
                ids[i].clone().unwrap(),
                (
                    mql[i],
                    con[i],
                    sql[i],
                    won[i],
                    bands[i].clone().unwrap(),
                    deals[i].unwrap(),
                    revenue[i].unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn lead_funnel_agrees_with_a_row_by_row_reference() {
    for seed in [3u64, 17] {
        let s = Scratch::new();
        let (code, _, err) = run_lib(&[
            "generate",
            "--leads",
            "3000",
            "--seed",
            &seed.to_string(),
            "--out",
            s.path().to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let want = reference(s.path());
        let got = plan(s.path());
        assert_eq!(got.len(), 3000);
        for (id, w) in &want {
            let g = &got[id];
            assert_eq!(
                (g.0, g.1, g.2, g.3, &g.4, g.5),
                (w.0, w.1, w.2, w.3, &w.4, w.5),
                "seed {seed}, lead {id}"
            );
            assert!(
                (g.6 - w.6).abs() < 1e-6,
                "seed {seed}, lead {id}: revenue {} vs {}",
                g.6,
                w.6
            );
        }
        // bands counts from the reference agree with the bands table.
        let v = json_of([
            "--data",
            s.path().to_str().unwrap(),
            "--format",
            "json",
            "bands",
        ]);
        for row in v["tables"]["bands"].as_array().unwrap() {
            let b = row["band"].as_str().unwrap();
            let mine: Vec<_> = want.values().filter(|w| b == "all" || w.4 == b).collect();
            assert_eq!(row["leads"].as_u64().unwrap() as usize, mine.len(), "{b}");
            assert_eq!(
                row["mql"].as_u64().unwrap() as usize,
                mine.iter().filter(|w| w.0.is_some()).count(),
                "{b}"
            );
            assert_eq!(
                row["sql"].as_u64().unwrap() as usize,
                mine.iter().filter(|w| w.2.is_some()).count(),
                "{b}"
            );
            assert_eq!(
                row["won"].as_u64().unwrap() as usize,
                mine.iter().filter(|w| w.3.is_some()).count(),
                "{b}"
            );
            assert_eq!(
                row["contacted"].as_u64().unwrap() as usize,
                mine.iter().filter(|w| w.1.is_some()).count(),
                "{b}"
            );
        }
    }
}
