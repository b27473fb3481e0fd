//! `score`: applies a points model (a rules file) to every used lead and
//! bands it (SPEC §4 "score").
//!
//! What it computes: per lead, `lead_id`, `points` (base + the points of
//! every matched rule), `band` (the file's `[bands]`, else the data set's)
//! and one 0/1 column per rule; per rule, the leads matched and their share,
//! and the conversion to SQL and to won (cumulative reach, SPEC §3) of
//! matched vs unmatched leads with Wilson bounds; per band, leads and the
//! same conversions.
//!
//! Predicates are polars SQL over the lead's columns and activity counts as
//! of the scoring time (`rules::predicates`). A predicate that is null for a
//! lead (a null column) does not match.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use super::plan::{take, Analysis, Inputs, Need, Step, Summary};
use super::rules::predicates::{kinds, lead_columns};
use super::rules::{compile, predicates, PredicateFrame, Rules, Typing};
use super::{count, rate_with_bounds};
use crate::error::Result;
use crate::input::schema::{TableKind, LEAD_ID};
use crate::output::format::Unit;
use crate::output::Report;

/// `leadloop score --rules FILE`.
#[derive(Debug, Clone)]
pub struct Options {
    pub rules: Rules,
}

/// The headline of `score`: leads scored, and per band its leads.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScoreSummary {
    pub leads: u64,
    pub rules: usize,
    pub bands: BTreeMap<String, u64>,
}

impl Summary for ScoreSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
    fn line(&self) -> Option<String> {
        Some(format!(
            "score: {} leads scored by {} rules",
            crate::output::format::count(self.leads),
            self.rules
        ))
    }
}

/// Units of the rule and band tables.
const UNITS: [(&str, Unit); 5] = [
    ("share", Unit::Rate),
    ("sql_rate_matched", Unit::Rate),
    ("sql_rate_unmatched", Unit::Rate),
    ("won_rate_matched", Unit::Rate),
    ("won_rate_unmatched", Unit::Rate),
];

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "score"
    }

    fn requires(&self) -> &'static [Need] {
        &[Need::Table(TableKind::Leads)]
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let mut funnel = inputs.funnel("score")?;
        let dtypes = lead_columns(&mut funnel)?;
        // Predicates that do not parse fail before any work.
        let names = predicates::named_columns(&self.rules)?;
        let mut plans = vec![Typing::plan(funnel.clone(), &dtypes, |_| false)];
        let kinds_plan = predicates::kinds_plan(inputs.checked);
        let with_kinds = kinds_plan.is_some();
        plans.extend(kinds_plan);
        Ok(Step::collect(plans, move |frames| {
            let mut frames = frames.into_iter();
            let typing_row = frames.next().unwrap_or_default();
            let kinds = kinds(frames.next().as_ref().filter(|_| with_kinds))?;
            let typing = Typing::read(&typing_row, &dtypes)?;
            let pf = PredicateFrame::build(
                funnel,
                &dtypes,
                &typing,
                inputs.checked,
                &names,
                &kinds,
                inputs.as_of.time,
            )?;
            let matched = compile(&self.rules, &pf)?;
            let bands = self
                .rules
                .bands
                .clone()
                .unwrap_or_else(|| inputs.checked.settings.bands.clone());
            let plan = per_lead(pf.frame, &self.rules, matched, &bands);
            Ok(Step::stream(vec![plan], move |frames| {
                let [leads] = take(frames, "score")?;
                finish(&self.rules, &bands, leads)
            }))
        }))
    }
}

/// lead_id, points, band, a 0/1 column per rule, and (dropped before
/// writing) the outcomes.
fn per_lead(
    frame: LazyFrame,
    rules: &Rules,
    matched: Vec<Expr>,
    bands: &crate::config::Bands,
) -> LazyFrame {
    let mut points = lit(rules.base);
    for (r, m) in rules.rules.iter().zip(&matched) {
        points = points + when(m.clone()).then(lit(r.points)).otherwise(lit(0i64));
    }
    let mut exprs = vec![col(LEAD_ID).cast(DataType::String), points.alias("points")];
    exprs.extend(matched.into_iter().map(|m| m.cast(DataType::UInt8)));
    exprs.push(col("reached_sql").alias("__sql"));
    exprs.push(col("reached_won").alias("__won"));
    frame.select(exprs).with_column(
        crate::funnel::band_at_mql::band_expr(col("points").cast(DataType::Float64), bands)
            .alias("band"),
    )
}

fn finish<'a>(rules: &Rules, bands: &crate::config::Bands, leads: DataFrame) -> Result<Step<'a>> {
    let n = leads.height() as u64;
    // Per rule: matched leads and their outcomes (sums over the lead table).
    let mut sums: Vec<Expr> = vec![
        col("__sql").cast(DataType::UInt32).sum().alias("__sql_all"),
        col("__won").cast(DataType::UInt32).sum().alias("__won_all"),
    ];
    for (i, r) in rules.rules.iter().enumerate() {
        let m = col(r.name.as_str()).eq(lit(1u8));
        sums.push(count(m.clone()).alias(format!("m{i}")));
        sums.push(count(m.clone().and(col("__sql"))).alias(format!("s{i}")));
        sums.push(count(m.and(col("__won"))).alias(format!("w{i}")));
    }
    let totals = leads.clone().lazy().select(sums).collect()?;
    let get = |name: &str| -> Result<u32> {
        Ok(totals
            .column(name)?
            .cast(&DataType::UInt32)?
            .u32()?
            .get(0)
            .unwrap_or(0))
    };
    let (sql_all, won_all) = (get("__sql_all")?, get("__won_all")?);
    let mut m = Vec::new();
    let mut s = Vec::new();
    let mut w = Vec::new();
    for i in 0..rules.rules.len() {
        m.push(get(&format!("m{i}"))?);
        s.push(get(&format!("s{i}"))?);
        w.push(get(&format!("w{i}"))?);
    }
    let counts = df!(
        "rule" => rules.rules.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "when" => rules.rules.iter().map(|r| r.when.clone()).collect::<Vec<_>>(),
        "points" => rules.rules.iter().map(|r| r.points).collect::<Vec<_>>(),
        "matched" => m,
        "__s" => s,
        "__w" => w,
    )?;
    let n_lit = || lit(n as u32);
    let unmatched = || n_lit() - col("matched");
    let mut exprs = vec![
        col("rule"),
        col("when"),
        col("points"),
        col("matched"),
        (col("matched").cast(DataType::Float64) / lit(n as f64)).alias("share"),
    ];
    exprs.extend(rate_with_bounds(
        "sql_rate_matched",
        col("__s"),
        col("matched"),
    ));
    exprs.extend(rate_with_bounds(
        "sql_rate_unmatched",
        lit(sql_all) - col("__s"),
        unmatched(),
    ));
    exprs.extend(rate_with_bounds(
        "won_rate_matched",
        col("__w"),
        col("matched"),
    ));
    exprs.extend(rate_with_bounds(
        "won_rate_unmatched",
        lit(won_all) - col("__w"),
        unmatched(),
    ));
    let rule_table = counts.lazy().select(exprs).collect()?;
    // Per band, in the bands' order.
    let order: Vec<String> = bands.names();
    let mut band_exprs = vec![col("band"), len().cast(DataType::UInt32).alias("leads")];
    band_exprs.push(count(col("__sql")).alias("sql"));
    band_exprs.push(count(col("__won")).alias("won"));
    let by_band = leads
        .clone()
        .lazy()
        .group_by([col("band")])
        .agg(&band_exprs[1..])
        .with_column(
            col("band")
                .replace_strict(
                    lit(Series::new("b".into(), order.clone())),
                    lit(Series::new(
                        "i".into(),
                        (0..order.len() as u32).collect::<Vec<_>>(),
                    )),
                    None,
                    Some(DataType::UInt32),
                )
                .alias("__order"),
        )
        .sort(["__order"], SortMultipleOptions::default())
        .collect()?;
    let mut band_table_exprs = vec![col("band"), col("leads"), col("sql")];
    band_table_exprs.extend(rate_with_bounds("sql_rate", col("sql"), col("leads")));
    band_table_exprs.push(col("won"));
    band_table_exprs.extend(rate_with_bounds("won_rate", col("won"), col("leads")));
    let band_table = by_band.lazy().select(band_table_exprs).collect()?;
    let summary = ScoreSummary {
        leads: n,
        rules: rules.rules.len(),
        bands: band_table
            .column("band")?
            .str()?
            .iter()
            .zip(band_table.column("leads")?.u32()?.iter())
            .filter_map(|(b, l)| Some((b?.to_string(), u64::from(l?))))
            .collect(),
    };
    let per_lead = leads.drop_many(["__sql", "__won"]);
    let report = Report::new("score")
        .table(
            "score",
            &format!(
                "Points and band per lead (rules {})",
                rules
                    .file
                    .file_name()
                    .map_or(rules.file.display().to_string(), |f| f.to_string_lossy().to_string())
            ),
            per_lead,
        )
        .preview(10)
        .table(
            "rules",
            "Per rule: leads matched, and conversion of matched vs unmatched leads",
            rule_table,
        )
        .units(&UNITS)
        .table("bands", "Per band of points: leads and conversion", band_table)
        .units(&[("sql_rate", Unit::Rate), ("won_rate", Unit::Rate)])
        .note(format!(
            "points = base {} + the points of every matched rule; a predicate that is null for a lead does not match",
            rules.base
        ))
        .note("conversion is cumulative reach (SPEC §3): a lead that won also reached SQL");
    Ok(Step::done(report, summary))
}
