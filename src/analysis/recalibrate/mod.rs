//! `recalibrate`: which weights and thresholds would predict better (SPEC §4
//! "recalibrate"). Fits an L2 logistic regression of an outcome over 0/1
//! indicators out of time, compares it with the current score, and proposes
//! a rules file that `score` reads back.
//!
//! The flow, in three collects: (1) column types, the split time and
//! maturity; (2) the train values and level counts the indicators are cut
//! from (`features`); (3) the indicator matrix, outcome and current score
//! per lead. Then, in Rust: the Newton fit (`stats::logistic`), predictions,
//! metrics (`evaluate`), points and thresholds (`propose`).
//!
//! Decisions where the spec is silent:
//! - Default features leave out the key, timestamps, the score, the columns
//!   wide-export stages are read from (outcomes), canonical id columns, the
//!   config's `leaky` columns and identifiers: a text or whole-number
//!   column whose every value is present and distinct (X Education's
//!   `Lead Number`); the note lists each with its reason. `--features`
//!   takes any lead column by name.
//! - The current model's leads without a score get the train conversion of
//!   unscored train leads as their probability (else the train rate).
//! - Besides `current` and `proposed`, `proposed_points` is the proposed
//!   rules file as `score` will apply it: integer points, Platt-scaled on
//!   train. It is the model the rules file really is.
//! - Leakage: a rule whose single-rule test AUC is ≥ 0.85 or ≤ 0.15 (it
//!   predicts the negative as well) is named.

mod evaluate;
mod features;
mod propose;

use polars::prelude::*;
use serde::Serialize;

use super::plan::{take, Analysis, Inputs, Need, Step, Summary};
use super::rules::{predicates, PredicateFrame, Rule, Rules, Typing};
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, CREATED_AT, LEAD_ID, SCORE};
use crate::output::format::{self, Unit};
use crate::output::Report;
use features::{Indicator, Kind, Level};
pub use propose::Thresholds;

/// The outcome recalibrate predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    Sql,
    Won,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Sql => "sql",
            Target::Won => "won",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Target::Sql => "reached_sql",
            Target::Won => "reached_won",
        }
    }
}

/// How band thresholds are chosen (`--capacity`, `--target-rate`, else the
/// current bands' shares).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Choice {
    #[default]
    Shares,
    Capacity(f64),
    TargetRate(Vec<(String, f64)>),
}

/// `leadloop recalibrate` options; `Default` is `report`'s run.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub rules: Option<Rules>,
    pub features: Option<Vec<String>>,
    pub train_share: f64,
    pub l2: f64,
    pub window_days: f64,
    pub thresholds: Choice,
    /// Run only with a current score to compare against (`report`'s run).
    pub require_score: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: Target::Sql,
            rules: None,
            features: None,
            train_share: 0.7,
            l2: 1.0,
            window_days: 90.0,
            thresholds: Choice::Shares,
            require_score: true,
        }
    }
}

/// The headline figures: test AUC of each model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecalibrateSummary {
    pub target: String,
    pub train: u64,
    pub test: u64,
    pub features: usize,
    pub current_test_auc: Option<f64>,
    pub proposed_test_auc: Option<f64>,
    pub proposed_test_auc_lo: Option<f64>,
    pub proposed_test_auc_hi: Option<f64>,
    pub proposed_points_test_auc: Option<f64>,
}

impl Summary for RecalibrateSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
    fn line(&self) -> Option<String> {
        let auc = |a: Option<f64>| a.map_or("–".to_string(), |a| format!("{a:.3}"));
        Some(format!(
            "recalibrate ({}): proposed test AUC {} [{}, {}] over {} features{}",
            self.target,
            auc(self.proposed_test_auc),
            auc(self.proposed_test_auc_lo),
            auc(self.proposed_test_auc_hi),
            self.features,
            match self.current_test_auc {
                Some(c) => format!(" vs current {c:.3}"),
                None => String::new(),
            }
        ))
    }
}

/// A feature column and how it is cut.
#[derive(Debug, Clone)]
enum Cut {
    Numeric,
    Text,
    Boolean,
}

const DECILE_UNITS: [(&str, Unit); 5] = [
    ("rate", Unit::Rate),
    ("lift", Unit::Number),
    ("cumulative_capture", Unit::Rate),
    ("mean_predicted", Unit::Rate),
    ("observed", Unit::Rate),
];

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "recalibrate"
    }

    fn requires(&self) -> &'static [Need] {
        match self.require_score {
            true => &[
                Need::Table(TableKind::Leads),
                Need::StageEvents,
                Need::Score,
            ],
            false => &[Need::Table(TableKind::Leads), Need::StageEvents],
        }
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        if !(self.train_share > 0.0 && self.train_share < 1.0) {
            return Err(Error::bad_argument(format!(
                "--train-share must be between 0 and 1, got {}",
                self.train_share
            )));
        }
        if !(self.l2 > 0.0 && self.l2.is_finite()) {
            return Err(Error::bad_argument(format!(
                "--l2 must be a positive number, got {}",
                self.l2
            )));
        }
        if !(self.window_days >= 0.0 && self.window_days.is_finite()) {
            return Err(Error::bad_argument(format!(
                "--window must be zero or more days, got {}",
                self.window_days
            )));
        }
        let mut funnel = inputs.funnel("recalibrate")?;
        let dtypes = super::score::lead_columns(&mut funnel)?;
        let names = match &self.rules {
            Some(r) => predicates::named_columns(r)?,
            None => Default::default(),
        };
        let columns: Vec<String> = dtypes.iter().map(|(c, _)| c.clone()).collect();
        let timed = inputs.checked.leads_timed;
        let cutoff = match timed {
            true => Some(
                inputs.as_of.required("recalibrate")?
                    - (self.window_days * 86_400_000_000.0).round() as i64,
            ),
            false => None,
        };
        let created = || col(CREATED_AT).cast(DataType::Int64);
        let mature = move |c: i64| created().lt_eq(lit(c)).fill_null(false);
        let timing = match cutoff {
            Some(c) => funnel.clone().select([
                len().cast(DataType::UInt64).alias("n"),
                mature(c).sum().cast(DataType::UInt64).alias("mature"),
                created()
                    .filter(mature(c))
                    .cast(DataType::Float64)
                    .quantile(lit(self.train_share), QuantileMethod::Linear)
                    .alias("split"),
                col("score_at_mql")
                    .is_not_null()
                    .sum()
                    .cast(DataType::UInt64)
                    .alias("scored"),
            ]),
            None => funnel.clone().select([
                len().cast(DataType::UInt64).alias("n"),
                len().cast(DataType::UInt64).alias("mature"),
                lit(NULL).cast(DataType::Float64).alias("split"),
                col("score_at_mql")
                    .is_not_null()
                    .sum()
                    .cast(DataType::UInt64)
                    .alias("scored"),
            ]),
        };
        let mut plans = vec![Typing::plan(funnel.clone(), &columns), timing];
        let kinds_plan = self
            .rules
            .as_ref()
            .and_then(|_| predicates::kinds_plan(inputs.checked));
        let with_kinds = kinds_plan.is_some();
        plans.extend(kinds_plan);
        Ok(Step::collect(plans, move |frames| {
            let mut frames = frames.into_iter();
            let typing_row = frames.next().unwrap_or_default();
            let timing = frames.next().unwrap_or_default();
            let kinds = super::score::kinds(frames.next().as_ref().filter(|_| with_kinds))?;
            let typing = Typing::read(&typing_row, &dtypes)?;
            let get_u =
                |name: &str| -> Result<u64> { Ok(timing.column(name)?.u64()?.get(0).unwrap_or(0)) };
            let (n_all, n_mature, scored) = (get_u("n")?, get_u("mature")?, get_u("scored")?);
            let split = timing.column("split")?.f64()?.get(0);
            let pf = PredicateFrame::build(
                funnel,
                &dtypes,
                &typing,
                inputs.checked,
                &names,
                &kinds,
                inputs.as_of.time,
            )?;
            let current_rules = match &self.rules {
                Some(r) => Some(super::rules::compile(r, &pf)?),
                None => None,
            };
            let mut notes: Vec<String> = Vec::new();
            let chosen = self.choose_features(inputs, &dtypes, &typing, &mut notes)?;
            // The leads analysed, with their split.
            let n_train_untimed = ((self.train_share * n_all as f64) + 1e-9).floor() as u64;
            let analysed = match (cutoff, split) {
                (Some(c), Some(s)) => {
                    if n_mature < n_all {
                        notes.push(format!(
                            "{} created less than {} days before as_of left out: too young to have reached {} (never counted as negatives)",
                            format::count_of(n_all - n_mature, "lead", "leads"),
                            self.window_days,
                            self.target.name()
                        ));
                    }
                    pf.frame
                        .filter(mature(c))
                        .with_column(created().cast(DataType::Float64).lt(lit(s)).alias("__train"))
                }
                (Some(_), None) => {
                    return Err(Error::NothingToAnalyse {
                        detail: format!(
                            "recalibrate: every lead was created less than {} days before as_of, so none has had time to reach {} (--window DAYS sets the wait)",
                            self.window_days,
                            self.target.name()
                        ),
                    })
                }
                (None, _) => {
                    notes.push(format!(
                        "the leads have no created_at: train = the first {} leads in file order ({} of {}), test = the rest; no lead is left out for maturity",
                        format::count(n_train_untimed),
                        format::pct(self.train_share),
                        format::count(n_all)
                    ));
                    pf.frame
                        .with_row_index("__row", None)
                        .with_column(
                            col("__row")
                                .cast(DataType::UInt64)
                                .lt(lit(n_train_untimed))
                                .alias("__train"),
                        )
                        .drop(by_name(["__row"], true, false))
                }
            }
            .cache();
            let mut plans = vec![analysed.clone().select([
                col("__train").cast(DataType::UInt64).sum().alias("train"),
                len().cast(DataType::UInt64).alias("n"),
            ])];
            for (c, cut) in &chosen {
                plans.push(match cut {
                    Cut::Numeric => analysed.clone().select([
                        col(c.as_str()).cast(DataType::Float64).alias("v"),
                        col("__train"),
                    ]),
                    Cut::Text | Cut::Boolean => analysed
                        .clone()
                        .group_by([
                            col(c.as_str()).cast(DataType::String).alias("v"),
                            col("__train"),
                        ])
                        .agg([len().cast(DataType::UInt64).alias("n")]),
                });
            }
            Ok(Step::collect(plans, move |frames| {
                let mut frames = frames.into_iter();
                let sizes = frames.next().unwrap_or_default();
                let n_train = sizes.column("train")?.u64()?.get(0).unwrap_or(0);
                let n = sizes.column("n")?.u64()?.get(0).unwrap_or(0);
                let mut indicators: Vec<Indicator> = Vec::new();
                for ((c, cut), frame) in chosen.iter().zip(frames) {
                    indicators.extend(match cut {
                        Cut::Numeric => numeric_indicators(c, &frame)?,
                        Cut::Text => features::text(c, &levels(&frame)?, n_train, false),
                        Cut::Boolean => features::text(c, &levels(&frame)?, n_train, true),
                    });
                }
                if let Some(r) = &self.rules {
                    indicators.extend(r.rules.iter().map(|rule| Indicator {
                        column: String::new(),
                        kind: Kind::Rule,
                        label: rule.name.clone(),
                        rule: rule.when.clone(),
                    }));
                }
                self.model_plan(
                    inputs,
                    analysed,
                    indicators,
                    current_rules,
                    scored > 0,
                    n_train,
                    n,
                    notes,
                )
            }))
        }))
    }
}

fn levels(frame: &DataFrame) -> Result<Vec<Level>> {
    let v = frame.column("v")?.str()?;
    let t = frame.column("__train")?.bool()?;
    let n = frame.column("n")?.u64()?;
    let mut out: Vec<Level> = Vec::new();
    for i in 0..frame.height() {
        let value = v.get(i).map(str::to_string);
        let (train, count) = (t.get(i).unwrap_or(false), n.get(i).unwrap_or(0));
        let entry = match out.iter_mut().position(|l| l.value == value) {
            Some(p) => &mut out[p],
            None => {
                out.push(Level {
                    value,
                    train: 0,
                    test: 0,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        match train {
            true => entry.train += count,
            false => entry.test += count,
        }
    }
    Ok(out)
}

fn numeric_indicators(column: &str, frame: &DataFrame) -> Result<Vec<Indicator>> {
    let v = frame.column("v")?.f64()?;
    let t = frame.column("__train")?.bool()?;
    let any_null = v.null_count() > 0;
    let train: Vec<f64> = v
        .iter()
        .zip(t.iter())
        .filter_map(|(v, t)| t.unwrap_or(false).then_some(v).flatten())
        .collect();
    Ok(features::numeric(column, &train, any_null))
}

impl Options {
    /// The feature columns and how each is cut, with the note listing them.
    fn choose_features(
        &self,
        inputs: &Inputs,
        dtypes: &[(String, DataType)],
        typing: &Typing,
        notes: &mut Vec<String>,
    ) -> Result<Vec<(String, Cut)>> {
        let checked = inputs.checked;
        let leaky = &checked.settings.leaky;
        let cut = |c: &str, d: &DataType| -> Option<Cut> {
            match d {
                _ if typing.numeric.contains(c) => Some(Cut::Numeric),
                DataType::Boolean => Some(Cut::Boolean),
                DataType::String | DataType::Categorical(..) | DataType::Enum(..) => {
                    Some(Cut::Text)
                }
                _ => None,
            }
        };
        let ids = [
            LEAD_ID,
            crate::input::schema::CONVERTED_DEAL_ID,
            crate::input::schema::ALIAS_ID,
            "owner_id",
        ];
        if let Some(asked) = &self.features {
            let mut out = Vec::new();
            for f in asked {
                let Some((_, d)) = dtypes.iter().find(|(c, _)| c == f) else {
                    return Err(Error::bad_argument(format!(
                        "--features {f}: the leads have no such column; columns: {}",
                        dtypes
                            .iter()
                            .map(|(c, _)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                let Some(k) = cut(f, d) else {
                    return Err(Error::bad_argument(format!(
                        "--features {f}: a {d} column cannot be a feature (numbers, text and true/false can)"
                    )));
                };
                if out.iter().any(|(c, _): &(String, Cut)| c == f) {
                    return Err(Error::bad_argument(format!("--features {f}: given twice")));
                }
                out.push((f.clone(), k));
            }
            let named_leaky: Vec<&str> = out
                .iter()
                .filter(|(c, _)| leaky.contains(c))
                .map(|(c, _)| c.as_str())
                .collect();
            if !named_leaky.is_empty() {
                notes.push(format!(
                    "leakage: {} recorded only after the outcome (leaky in leadloop.toml), used because --features names {}",
                    named_leaky.join(", "),
                    match named_leaky.len() {
                        1 => "it",
                        _ => "them",
                    }
                ));
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        let mut left: Vec<String> = Vec::new();
        for (c, d) in dtypes {
            let why = if ids.contains(&c.as_str()) {
                Some("an id")
            } else if c == CREATED_AT || d.is_temporal() {
                Some("a timestamp")
            } else if c == SCORE {
                Some("the score")
            } else if checked.stage_columns.contains(c) {
                Some("a stage column: the outcome")
            } else if leaky.contains(c) {
                Some("leaky: recorded after the outcome")
            } else if typing.empty.contains(c) {
                Some("no value")
            } else if typing.constant.contains(c) {
                Some("one value for every lead")
            } else if typing.distinct.contains(c) {
                Some("every value distinct: an identifier")
            } else if cut(c, d).is_none() {
                Some("not a number, text or true/false")
            } else {
                None
            };
            match why {
                Some(w) => left.push(format!("{c} ({w})")),
                None => out.push((c.clone(), cut(c, d).unwrap_or(Cut::Text))),
            }
        }
        notes.push(format!(
            "features: every lead column that is not an id, a timestamp, the score or the outcome ({}: {}); left out: {}",
            format::count_of(out.len() as u64, "column", "columns"),
            out.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", "),
            match left.is_empty() {
                true => "none".to_string(),
                false => left.join(", "),
            }
        ));
        Ok(out)
    }

    /// Step 3: the indicator matrix, outcome and current score per lead.
    #[allow(clippy::too_many_arguments)]
    fn model_plan<'a>(
        &'a self,
        inputs: &'a Inputs<'a>,
        analysed: LazyFrame,
        indicators: Vec<Indicator>,
        current_rules: Option<Vec<Expr>>,
        has_score: bool,
        n_train: u64,
        n: u64,
        notes: Vec<String>,
    ) -> Result<Step<'a>> {
        if n_train == 0 || n_train == n {
            return Err(Error::NothingToAnalyse {
                detail: format!(
                    "recalibrate: the split leaves {} train and {} test leads; a fit and its check need both",
                    n_train,
                    n - n_train
                ),
            });
        }
        if indicators.is_empty() {
            return Err(Error::NothingToAnalyse {
                detail: "recalibrate: no feature to fit (name lead columns with --features, or give --rules FILE)".into(),
            });
        }
        let mut exprs: Vec<Expr> = Vec::with_capacity(indicators.len() + 4);
        for (i, ind) in indicators.iter().enumerate() {
            let e = polars::sql::sql_expr(&ind.rule).map_err(|e| match &self.rules {
                Some(r) if ind.kind == Kind::Rule => Error::BadRule {
                    file: r.file.clone(),
                    rule: ind.label.clone(),
                    detail: crate::error::one_line(&e.to_string()),
                },
                _ => Error::Internal(format!("recalibrate: rule {:?}: {e}", ind.rule)),
            })?;
            exprs.push(
                e.fill_null(lit(false))
                    .cast(DataType::UInt8)
                    .alias(format!("__i{i}")),
            );
        }
        exprs.push(col(self.target.column()).fill_null(lit(false)).alias("__y"));
        exprs.push(col("__train"));
        let bands = self
            .rules
            .as_ref()
            .and_then(|r| r.bands.clone())
            .unwrap_or_else(|| inputs.checked.settings.bands.clone());
        let current = match (&self.rules, current_rules) {
            (Some(r), Some(matched)) => {
                let mut points = lit(r.base);
                for (rule, m) in r.rules.iter().zip(matched) {
                    points = points + when(m).then(lit(rule.points)).otherwise(lit(0i64));
                }
                Some(points.cast(DataType::Float64))
            }
            _ if has_score => Some(col("score_at_mql")),
            _ => None,
        };
        let has_current = current.is_some();
        if let Some(c) = current {
            exprs.push(c.clone().alias("__current"));
            exprs.push(crate::funnel::band_at_mql::band_expr(c, &bands).alias("__current_band"));
        }
        exprs.push(col("created_month").alias("__month"));
        let plan = analysed.select(exprs);
        Ok(Step::stream(vec![plan], move |frames| {
            let [frame] = take(frames, "recalibrate")?;
            self.finish(frame, indicators, has_current, &bands, notes)
        }))
    }
}

/// A model's predictions over the analysed leads, in file order.
struct Model {
    name: &'static str,
    predictions: Vec<f64>,
}

impl Options {
    fn finish<'a>(
        &self,
        frame: DataFrame,
        indicators: Vec<Indicator>,
        has_current: bool,
        bands: &crate::config::Bands,
        mut notes: Vec<String>,
    ) -> Result<Step<'a>> {
        let p = indicators.len();
        let rows = frame.height();
        let y: Vec<bool> = frame
            .column("__y")?
            .bool()?
            .iter()
            .map(|v| v.unwrap_or(false))
            .collect();
        let is_train: Vec<bool> = frame
            .column("__train")?
            .bool()?
            .iter()
            .map(|v| v.unwrap_or(false))
            .collect();
        // Row-major 0/1 matrices, train and test: the only copy the fit reads.
        let n_train = is_train.iter().filter(|t| **t).count();
        let mut slot = Vec::with_capacity(rows);
        let (mut a, mut b) = (0usize, 0usize);
        for t in &is_train {
            slot.push(match t {
                true => {
                    a += 1;
                    a - 1
                }
                false => {
                    b += 1;
                    b - 1
                }
            });
        }
        let mut train_x = vec![0u8; n_train * p];
        let mut test_x = vec![0u8; (rows - n_train) * p];
        // Per indicator: train support, test support, test matches among positives.
        let mut support = vec![(0u64, 0u64, 0u64); p];
        for (j, s) in support.iter_mut().enumerate() {
            let c = frame.column(&format!("__i{j}"))?.u8()?;
            for (r, v) in c.iter().enumerate() {
                if v.unwrap_or(0) == 0 {
                    continue;
                }
                match is_train[r] {
                    true => {
                        train_x[slot[r] * p + j] = 1;
                        s.0 += 1;
                    }
                    false => {
                        test_x[slot[r] * p + j] = 1;
                        s.1 += 1;
                        s.2 += u64::from(y[r]);
                    }
                }
            }
        }
        let current: Option<Vec<Option<f64>>> = match has_current {
            true => Some(frame.column("__current")?.f64()?.iter().collect()),
            false => None,
        };
        let current_band: Option<Vec<String>> = match has_current {
            true => Some(
                frame
                    .column("__current_band")?
                    .str()?
                    .iter()
                    .map(|b| b.unwrap_or("unscored").to_string())
                    .collect(),
            ),
            false => None,
        };
        let months: std::collections::BTreeSet<String> = frame
            .column("__month")?
            .str()?
            .iter()
            .zip(&is_train)
            .filter(|(_, t)| **t)
            .filter_map(|(m, _)| m.map(str::to_string))
            .collect();
        drop(frame);
        let y_train: Vec<bool> = y
            .iter()
            .zip(&is_train)
            .filter(|(_, t)| **t)
            .map(|(y, _)| *y)
            .collect();
        let y_test: Vec<bool> = y
            .iter()
            .zip(&is_train)
            .filter(|(_, t)| !**t)
            .map(|(y, _)| *y)
            .collect();
        let train_rows: Vec<&[u8]> = train_x.chunks(p).collect();
        let fit = crate::stats::logistic::fit(&train_rows, &y_train, self.l2).map_err(|e| {
            match e {
                crate::stats::logistic::FitError::OneClass { positive } => Error::NothingToAnalyse {
                    detail: format!(
                        "recalibrate: every train lead {} {}, so there is nothing to tell apart (--target, --train-share)",
                        if positive { "reached" } else { "did not reach" },
                        self.target.name()
                    ),
                },
                e => Error::Engine(format!("recalibrate: the logistic fit failed: {e}")),
            }
        })?;
        let test_rows: Vec<&[u8]> = test_x.chunks(p).collect();
        // Predictions in file order, per split.
        let split_rows = |f: &dyn Fn(&[u8]) -> f64| -> (Vec<f64>, Vec<f64>) {
            (
                train_rows.iter().map(|r| f(r)).collect(),
                test_rows.iter().map(|r| f(r)).collect(),
            )
        };
        let proposed = split_rows(&|r| fit.probability(r));
        let base_points = propose::points(fit.intercept);
        let rule_points: Vec<i64> = fit.coef.iter().map(|c| propose::points(*c)).collect();
        let points_of = |r: &[u8]| -> i64 {
            base_points
                + r.iter()
                    .zip(&rule_points)
                    .filter(|(v, _)| **v != 0)
                    .map(|(_, p)| *p)
                    .sum::<i64>()
        };
        let train_points: Vec<i64> = train_rows.iter().map(|r| points_of(r)).collect();
        let test_points: Vec<i64> = test_rows.iter().map(|r| points_of(r)).collect();
        let scale = |values: (&[f64], &[f64]), ys: &[bool]| -> Option<(Vec<f64>, Vec<f64>)> {
            let pairs: Vec<(f64, bool)> =
                values.0.iter().copied().zip(ys.iter().copied()).collect();
            let platt = crate::stats::platt(&pairs)?;
            Some((
                values.0.iter().map(|x| platt.probability(*x)).collect(),
                values.1.iter().map(|x| platt.probability(*x)).collect(),
            ))
        };
        let tp: Vec<f64> = train_points.iter().map(|p| *p as f64).collect();
        let sp: Vec<f64> = test_points.iter().map(|p| *p as f64).collect();
        let points_model = scale((&tp, &sp), &y_train)
            .ok_or_else(|| Error::Internal("recalibrate: Platt scaling of points".into()))?;
        let mut models: Vec<(Model, Model)> = Vec::new();
        if let Some(cur) = &current {
            let train_cur: Vec<Option<f64>> = cur
                .iter()
                .zip(&is_train)
                .filter(|(_, t)| **t)
                .map(|(c, _)| *c)
                .collect();
            let test_cur: Vec<Option<f64>> = cur
                .iter()
                .zip(&is_train)
                .filter(|(_, t)| !**t)
                .map(|(c, _)| *c)
                .collect();
            let scored: Vec<(f64, bool)> = train_cur
                .iter()
                .zip(&y_train)
                .filter_map(|(c, y)| c.map(|c| (c, *y)))
                .collect();
            let unscored: Vec<bool> = train_cur
                .iter()
                .zip(&y_train)
                .filter(|(c, _)| c.is_none())
                .map(|(_, y)| *y)
                .collect();
            let rate = |v: &[bool]| v.iter().filter(|y| **y).count() as f64 / v.len().max(1) as f64;
            let fallback = match unscored.is_empty() {
                true => rate(&y_train),
                false => rate(&unscored),
            };
            if let Some(platt) = crate::stats::platt(&scored) {
                let prob = |c: &Option<f64>| c.map_or(fallback, |c| platt.probability(c));
                models.push((
                    Model {
                        name: "current",
                        predictions: train_cur.iter().map(prob).collect(),
                    },
                    Model {
                        name: "current",
                        predictions: test_cur.iter().map(prob).collect(),
                    },
                ));
            }
        } else {
            notes.push(
                "no current model: the data set has no score and no --rules FILE was given, so only the proposed model is reported".into(),
            );
        }
        models.push((
            Model {
                name: "proposed",
                predictions: proposed.0,
            },
            Model {
                name: "proposed",
                predictions: proposed.1,
            },
        ));
        models.push((
            Model {
                name: "proposed_points",
                predictions: points_model.0,
            },
            Model {
                name: "proposed_points",
                predictions: points_model.1,
            },
        ));
        // Metrics, lift and calibration.
        let mut m_model = Vec::new();
        let mut m_split = Vec::new();
        let mut m_rows: Vec<evaluate::Metrics> = Vec::new();
        let mut lift_rows: Vec<(&str, evaluate::Lift)> = Vec::new();
        let mut cal_rows: Vec<(&str, evaluate::Calibration)> = Vec::new();
        for (train, test) in &models {
            for (split, model, ys) in [("train", train, &y_train), ("test", test, &y_test)] {
                let pairs: Vec<(f64, bool)> = model
                    .predictions
                    .iter()
                    .copied()
                    .zip(ys.iter().copied())
                    .collect();
                m_model.push(model.name);
                m_split.push(split);
                m_rows.push(evaluate::metrics(&pairs, split == "test"));
                if split == "test" {
                    let d = evaluate::deciles(&pairs);
                    lift_rows.extend(evaluate::lift(&d).into_iter().map(|l| (model.name, l)));
                    cal_rows.extend(
                        evaluate::calibration(&d)
                            .into_iter()
                            .map(|c| (model.name, c)),
                    );
                }
            }
        }
        let metrics = df!(
            "model" => m_model.clone(),
            "split" => m_split,
            "n" => m_rows.iter().map(|m| m.n).collect::<Vec<_>>(),
            "positives" => m_rows.iter().map(|m| m.positives).collect::<Vec<_>>(),
            "auc" => m_rows.iter().map(|m| m.auc).collect::<Vec<_>>(),
            "auc_lo" => m_rows.iter().map(|m| m.auc_lo).collect::<Vec<_>>(),
            "auc_hi" => m_rows.iter().map(|m| m.auc_hi).collect::<Vec<_>>(),
            "brier" => m_rows.iter().map(|m| m.brier).collect::<Vec<_>>(),
        )?;
        let lift = df!(
            "model" => lift_rows.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            "decile" => lift_rows.iter().map(|(_, l)| l.decile).collect::<Vec<_>>(),
            "leads" => lift_rows.iter().map(|(_, l)| l.leads).collect::<Vec<_>>(),
            "positives" => lift_rows.iter().map(|(_, l)| l.positives).collect::<Vec<_>>(),
            "rate" => lift_rows.iter().map(|(_, l)| l.rate).collect::<Vec<_>>(),
            "lift" => lift_rows.iter().map(|(_, l)| l.lift).collect::<Vec<_>>(),
            "cumulative_capture" => lift_rows.iter().map(|(_, l)| l.cumulative_capture).collect::<Vec<_>>(),
        )?;
        let calibration = df!(
            "model" => cal_rows.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            "decile" => cal_rows.iter().map(|(_, c)| c.decile).collect::<Vec<_>>(),
            "mean_predicted" => cal_rows.iter().map(|(_, c)| c.mean_predicted).collect::<Vec<_>>(),
            "observed" => cal_rows.iter().map(|(_, c)| c.observed).collect::<Vec<_>>(),
            "observed_lo" => cal_rows.iter().map(|(_, c)| c.observed_lo).collect::<Vec<_>>(),
            "observed_hi" => cal_rows.iter().map(|(_, c)| c.observed_hi).collect::<Vec<_>>(),
            "n" => cal_rows.iter().map(|(_, c)| c.n).collect::<Vec<_>>(),
        )?;
        // Weights: the intercept, then each rule.
        let test_pos = y_test.iter().filter(|y| **y).count() as u64;
        let test_neg = y_test.len() as u64 - test_pos;
        let single: Vec<Option<f64>> = support
            .iter()
            .map(|(_, matched, matched_pos)| {
                evaluate::single_rule_auc(*matched_pos, test_pos, matched - matched_pos, test_neg)
            })
            .collect();
        let mut w_feature = vec!["(intercept)".to_string()];
        let mut w_rule = vec!["TRUE".to_string()];
        let mut w_coef = vec![fit.intercept];
        let mut w_points = vec![base_points];
        let mut w_train = vec![n_train as u64];
        let mut w_test = vec![y_test.len() as u64];
        let mut w_auc: Vec<Option<f64>> = vec![None];
        for (j, ind) in indicators.iter().enumerate() {
            w_feature.push(ind.feature());
            w_rule.push(ind.rule.clone());
            w_coef.push(fit.coef[j]);
            w_points.push(rule_points[j]);
            w_train.push(support[j].0);
            w_test.push(support[j].1);
            w_auc.push(single[j]);
        }
        let weights = df!(
            "feature" => w_feature,
            "rule" => w_rule,
            "coefficient" => w_coef,
            "points" => w_points,
            "train_support" => w_train,
            "test_support" => w_test,
            "single_rule_auc" => w_auc,
        )?;
        // Leakage: rules that alone nearly decide the outcome.
        let leaks: Vec<String> = indicators
            .iter()
            .zip(&single)
            .filter(|(_, a)| a.is_some_and(|a| !(0.15..0.85).contains(&a)))
            .map(|(i, a)| format!("{} (AUC {:.3})", i.feature(), a.unwrap_or_default()))
            .collect();
        if !leaks.is_empty() {
            notes.push(format!(
                "leakage: {} alone {} the test outcome almost perfectly; a rule that good is often recorded after the outcome (set leaky = [\"column\"] in leadloop.toml to leave its column out)",
                leaks.join(", "),
                if leaks.len() == 1 { "predicts" } else { "predict" }
            ));
        }
        // Thresholds on the proposed points.
        let train_pairs: Vec<(i64, bool)> = train_points
            .iter()
            .copied()
            .zip(y_train.iter().copied())
            .collect();
        let names = bands.names();
        let (chosen, missed) = match &self.thresholds {
            Choice::TargetRate(t) => propose::by_target_rate(&train_pairs, t),
            Choice::Capacity(c) => {
                if months.is_empty() {
                    return Err(Error::bad_argument(
                        "--capacity counts leads a month, and the leads have no created_at; use --target-rate instead",
                    ));
                }
                let t = propose::by_capacity(&train_pairs, *c, months.len() as u64);
                match t {
                    Some(t) => (
                        vec![propose::BandThreshold {
                            band: names[0].clone(),
                            min_points: t,
                            target: format!(
                                "capacity {c} a month over {} train months",
                                months.len()
                            ),
                        }],
                        Vec::new(),
                    ),
                    None => (Vec::new(), vec![names[0].clone()]),
                }
            }
            Choice::Shares => {
                let upper = &names[..names.len() - 1];
                let cumulative: Vec<(String, f64)> = match &current_band {
                    Some(cb) => {
                        let train_bands: Vec<&String> = cb
                            .iter()
                            .zip(&is_train)
                            .filter(|(_, t)| **t)
                            .map(|(b, _)| b)
                            .collect();
                        let mut acc = 0usize;
                        upper
                            .iter()
                            .map(|b| {
                                acc += train_bands.iter().filter(|x| **x == b).count();
                                (b.clone(), acc as f64 / train_bands.len().max(1) as f64)
                            })
                            .collect()
                    }
                    None => upper
                        .iter()
                        .enumerate()
                        .map(|(i, b)| (b.clone(), (i + 1) as f64 / names.len() as f64))
                        .collect(),
                };
                (propose::by_shares(&train_pairs, &cumulative), Vec::new())
            }
        };
        if !missed.is_empty() {
            notes.push(format!(
                "no points level meets the target of band {}: left out of the proposed bands",
                missed.join(", ")
            ));
        }
        let lowest = names.last().cloned().unwrap_or_else(|| "D".into());
        let band_of = |p: i64| -> String {
            chosen
                .iter()
                .find(|b| p >= b.min_points)
                .map_or(lowest.clone(), |b| b.band.clone())
        };
        let mut t_band = Vec::new();
        let mut t_min: Vec<Option<i64>> = Vec::new();
        let mut t_target = Vec::new();
        let mut counts: Vec<[u64; 4]> = Vec::new();
        let mut all_bands: Vec<(String, Option<i64>, String)> = chosen
            .iter()
            .map(|b| (b.band.clone(), Some(b.min_points), b.target.clone()))
            .collect();
        all_bands.push((lowest.clone(), None, "the rest".into()));
        for (band, min, target) in &all_bands {
            let mut c = [0u64; 4];
            for (p, y) in &train_pairs {
                if band_of(*p) == *band {
                    c[0] += 1;
                    c[1] += u64::from(*y);
                }
            }
            for (p, y) in test_points.iter().zip(&y_test) {
                if band_of(*p) == *band {
                    c[2] += 1;
                    c[3] += u64::from(*y);
                }
            }
            t_band.push(band.clone());
            t_min.push(*min);
            t_target.push(target.clone());
            counts.push(c);
        }
        let thresholds = df!(
            "band" => t_band,
            "min_points" => t_min,
            "train_leads" => counts.iter().map(|c| c[0]).collect::<Vec<_>>(),
            "train_positives" => counts.iter().map(|c| c[1]).collect::<Vec<_>>(),
            "test_leads" => counts.iter().map(|c| c[2]).collect::<Vec<_>>(),
            "test_positives" => counts.iter().map(|c| c[3]).collect::<Vec<_>>(),
            "target" => t_target,
        )?
        .lazy()
        .select({
            let mut e = vec![
                col("band"),
                col("min_points"),
                col("train_leads"),
                col("train_positives"),
            ];
            e.extend(super::rate_with_bounds(
                "train_rate",
                col("train_positives"),
                col("train_leads"),
            ));
            e.extend([col("test_leads"), col("test_positives")]);
            e.extend(super::rate_with_bounds(
                "test_rate",
                col("test_positives"),
                col("test_leads"),
            ));
            e.push(col("target"));
            e
        })
        .collect()?;
        // The proposed rules file: every rule with points.
        let mut rules: Vec<Rule> = Vec::new();
        for (ind, pts) in indicators.iter().zip(&rule_points) {
            if *pts == 0 {
                continue;
            }
            let mut name = ind.feature();
            let mut k = 2;
            while rules.iter().any(|r| r.name == name) {
                name = format!("{} ({k})", ind.feature());
                k += 1;
            }
            rules.push(Rule {
                name,
                when: ind.rule.clone(),
                points: *pts,
            });
        }
        let proposed_bands = (!chosen.is_empty()).then(|| crate::config::Bands {
            thresholds: chosen
                .iter()
                .map(|b| (b.band.clone(), b.min_points as f64))
                .collect(),
            lowest: lowest.clone(),
        });
        let get = |model: &str, split: &str| -> Option<&evaluate::Metrics> {
            m_model
                .iter()
                .zip(&m_rows)
                .enumerate()
                .find(|(i, (m, _))| **m == model && (*i % 2 == usize::from(split == "test")))
                .map(|(_, (_, r))| r)
        };
        let proposed_test = get("proposed", "test");
        let summary = RecalibrateSummary {
            target: self.target.name().into(),
            train: n_train as u64,
            test: y_test.len() as u64,
            features: p,
            current_test_auc: get("current", "test").and_then(|m| m.auc),
            proposed_test_auc: proposed_test.and_then(|m| m.auc),
            proposed_test_auc_lo: proposed_test.and_then(|m| m.auc_lo),
            proposed_test_auc_hi: proposed_test.and_then(|m| m.auc_hi),
            proposed_points_test_auc: get("proposed_points", "test").and_then(|m| m.auc),
        };
        let header = format!(
            "Proposed by leadloop recalibrate: target {}, C = {}, {} train / {} test leads.\nTest AUC: proposed {}, these points {}{}.\n`leadloop score --rules proposed_rules.toml` applies it.",
            self.target.name(),
            self.l2,
            n_train,
            y_test.len(),
            summary.proposed_test_auc.map_or("–".into(), |a| format!("{a:.4}")),
            summary.proposed_points_test_auc.map_or("–".into(), |a| format!("{a:.4}")),
            summary.current_test_auc.map_or(String::new(), |a| format!(", current {a:.4}")),
        );
        let file = Rules {
            file: "proposed_rules.toml".into(),
            base: base_points,
            rules,
            bands: proposed_bands,
        }
        .to_toml(&header);
        notes.push(format!(
            "model: L2 logistic regression at the minimiser of Σ log-loss + ‖w‖²/(2C), C = {}, intercept unpenalised (scikit-learn's LogisticRegression objective); Newton's method, {} steps, max |gradient| {:.1e}",
            self.l2, fit.iterations, fit.gradient_norm
        ));
        notes.push("points: round(10 · coefficient / ln 2): 10 points double the odds; proposed_points is the rules file as score applies it, Platt-scaled on train".to_string());
        let report = Report::new("recalibrate")
            .table("metrics", &format!("How well each model predicts {} (AUC with a DeLong 95% interval on test; Brier)", self.target.name()), metrics)
            .units(&[
                ("auc", Unit::Statistic),
                ("auc_lo", Unit::Statistic),
                ("auc_hi", Unit::Statistic),
                ("brier", Unit::Statistic),
            ])
            .table("lift", "Lift by decile of prediction on test (decile 1 = the highest 10%)", lift)
            .units(&DECILE_UNITS)
            .table("calibration", "Calibration by decile on test: mean prediction vs observed rate", calibration)
            .units(&DECILE_UNITS)
            .table("weights", "Proposed weights: each rule's coefficient and points", weights)
            .units(&[("single_rule_auc", Unit::Statistic), ("coefficient", Unit::Number)])
            .table("thresholds", "Proposed bands: points thresholds and conversion", thresholds)
            .units(&[("train_rate", Unit::Rate), ("test_rate", Unit::Rate)])
            .file("proposed_rules.toml", file);
        let report = notes.into_iter().fold(report, Report::note);
        let report = Report {
            headline: summary.line(),
            ..report
        };
        Ok(Step::done(report, summary))
    }
}
