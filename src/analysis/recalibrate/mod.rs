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
mod finish;
mod patterns;
mod propose;

use polars::prelude::*;
use serde::Serialize;

use super::plan::{Analysis, Inputs, Need, Step, Summary};
use super::rules::{predicates, PredicateFrame, Rules, Typing};
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, CREATED_AT, LEAD_ID, SCORE};
use crate::output::format::{self, Unit};
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
    /// Proposed minus current test AUC, its DeLong 95% interval and
    /// two-sided p-value (paired: the same test leads).
    pub proposed_minus_current: Option<f64>,
    pub proposed_minus_current_lo: Option<f64>,
    pub proposed_minus_current_hi: Option<f64>,
    pub proposed_minus_current_p: Option<f64>,
    /// Why the two were not compared, when there is a current model.
    pub not_compared: Option<String>,
    /// Columns or rules that alone predict the test outcome almost
    /// perfectly (single-feature test AUC outside 0.15–0.85), as the
    /// leakage note names them: `column Tags (AUC 0.951)`.
    pub possible_leaks: Vec<String>,
}

impl RecalibrateSummary {
    /// The verdict a reader acts on, after the AUCs (`: worse by …, keep
    /// the current score`): keep the current score unless the proposal
    /// ranks better beyond chance (DeLong's paired test); empty without a
    /// current model.
    pub fn verdict(&self) -> String {
        match (
            self.proposed_minus_current,
            self.proposed_minus_current_lo,
            self.proposed_minus_current_hi,
        ) {
            (Some(d), Some(lo), Some(hi)) if d == 0.0 && lo == hi => {
                ": it ranks the test leads as the current score does, keep the current score"
                    .to_string()
            }
            (Some(d), Some(lo), Some(hi)) => match (lo > 0.0, hi < 0.0) {
                (true, _) => format!(
                    ": better by {d:.3} [{lo:.3}, {hi:.3}], {}",
                    format::p_clause(self.proposed_minus_current_p.unwrap_or(f64::NAN))
                ),
                (_, true) => format!(
                    ": worse by {:.3} [{:.3}, {:.3}], keep the current score",
                    -d, -hi, -lo
                ),
                _ => format!(
                    ": no clear difference ({d:+.3} [{lo:+.3}, {hi:+.3}]), keep the current score"
                ),
            },
            _ => match &self.not_compared {
                Some(why) => format!(": not compared ({why})"),
                None => String::new(),
            },
        }
    }
}

impl Summary for RecalibrateSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
    fn line(&self) -> Option<String> {
        let auc = |a: Option<f64>| a.map_or("–".to_string(), |a| format!("{a:.3}"));
        let interval = match (self.proposed_test_auc_lo, self.proposed_test_auc_hi) {
            (Some(lo), Some(hi)) => format!(" [{lo:.3}, {hi:.3}]"),
            _ => String::new(),
        };
        // A leak inflates the proposed AUC: the headline says so, not only
        // the notes (a new user's trial read 0.969 on X Education unwarned).
        let leaks = match self.possible_leaks.len() {
            0 => String::new(),
            n if n <= 3 => format!(
                "; possible leakage: {} (notes)",
                self.possible_leaks.join(", ")
            ),
            n => format!(
                "; possible leakage: {} and {} more (notes)",
                self.possible_leaks[..3].join(", "),
                n - 3
            ),
        };
        let verdict = self.verdict();
        Some(format!(
            "recalibrate ({}): proposed test AUC {}{} over {} features{}{}{}",
            self.target,
            auc(self.proposed_test_auc),
            interval,
            self.features,
            match self.current_test_auc {
                Some(c) => format!(" vs current {c:.3}"),
                None => String::new(),
            },
            verdict,
            leaks
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
        // The outcome must be something the inputs can record (SPEC §3:
        // reach is cumulative, so a later stage counts).
        let recordable = crate::funnel::recordable_stages(inputs.checked, inputs.linked_deals > 0);
        let later: &[&str] = match self.target {
            Target::Sql => &["sql", "opportunity", "won"],
            Target::Won => &["won"],
        };
        if !later.iter().any(|s| recordable.iter().any(|r| r == s)) {
            return Err(Error::NothingToAnalyse {
                detail: format!(
                    "recalibrate --target {}: no input records {} (stages recorded: {}), so no lead can reach it",
                    self.target.name(),
                    later.join(" or "),
                    match recordable.is_empty() {
                        true => "none".to_string(),
                        false => recordable.join(", "),
                    }
                ),
            });
        }
        let target_note = (!recordable.iter().any(|r| r == self.target.name())).then(|| {
            format!(
                "no input records {} itself: a lead reaches it only through a later stage ({}), so {} here means that",
                self.target.name(),
                later
                    .iter()
                    .filter(|s| recordable.iter().any(|r| r == *s))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                self.target.name()
            )
        });
        if let Choice::TargetRate(t) = &self.thresholds {
            let bands = self
                .rules
                .as_ref()
                .and_then(|r| r.bands.clone())
                .unwrap_or_else(|| inputs.checked.settings.bands.clone());
            if let Some((b, _)) = t
                .iter()
                .find(|(b, _)| *b == bands.lowest || b == "unscored")
            {
                return Err(Error::bad_argument(format!(
                    "--target-rate {b}=…: {b} is the band below every threshold (or unscored); name the bands above it, e.g. A=0.4,B=0.2"
                )));
            }
        }
        let mut funnel = inputs.funnel("recalibrate")?;
        let dtypes = predicates::lead_columns(&mut funnel)?;
        let names = match &self.rules {
            Some(r) => predicates::named_columns(r)?,
            None => Default::default(),
        };
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
            Some(c) => vec![
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
            ],
            None => vec![
                len().cast(DataType::UInt64).alias("n"),
                len().cast(DataType::UInt64).alias("mature"),
                lit(NULL).cast(DataType::Float64).alias("split"),
                col("score_at_mql")
                    .is_not_null()
                    .sum()
                    .cast(DataType::UInt64)
                    .alias("scored"),
            ],
        };
        // Distinct counts (constants, identifiers) only where a default
        // feature may need them: at 10M leads, lead_id's alone took 1.5 s.
        let shaped = |c: &str| {
            self.features.is_none()
                && dtypes
                    .iter()
                    .find(|(d, _)| d == c)
                    .is_some_and(|(_, d)| left_out_by_name(c, d, inputs.checked).is_none())
        };
        // One pass over lead_funnel for both (two plans over one scan
        // would share it, held whole in memory: 1.2 GB at 10M leads).
        let shaped_columns: std::collections::BTreeSet<String> = dtypes
            .iter()
            .filter(|(c, _)| shaped(c))
            .map(|(c, _)| c.clone())
            .collect();
        let mut once = Typing::exprs(&dtypes, shaped, false);
        once.extend(timing);
        let mut plans = vec![funnel.clone().select(once)];
        let kinds_plan = self
            .rules
            .as_ref()
            .and_then(|_| predicates::kinds_plan(inputs.checked));
        let with_kinds = kinds_plan.is_some();
        plans.extend(kinds_plan);
        Ok(Step::stream(plans, move |frames| {
            let mut frames = frames.into_iter();
            // Typing's counts and the split's, one row.
            let first = frames.next().unwrap_or_default();
            let kinds = predicates::kinds(frames.next().as_ref().filter(|_| with_kinds))?;
            let typed = Typed {
                funnel,
                dtypes,
                names,
                kinds,
                target_note,
                cutoff,
            };
            // Text columns whose first value parses as a number: every
            // value parsed, in a second pass over those columns alone.
            let second = Typing::second_pass(&first, &typed.funnel, &typed.dtypes, |c| {
                shaped_columns.contains(c)
            })?;
            Typing::complete(first, second, move |timing| {
                self.typed(inputs, typed, timing)
            })
        }))
    }
}

/// What recalibrate carries from its first pass to the rest of its plan.
struct Typed {
    funnel: LazyFrame,
    dtypes: Vec<(String, DataType)>,
    /// The columns `--rules` name.
    names: std::collections::BTreeSet<String>,
    kinds: Vec<String>,
    target_note: Option<String>,
    /// Leads created after this are too young (`--window`); `None` when
    /// the leads have no creation time.
    cutoff: Option<i64>,
}

impl Options {
    /// The rest of recalibrate once the lead columns are typed: `timing`
    /// is the first pass's row (typing counts, `n`, `mature`, `split`,
    /// `scored`), completed by [`Typing::complete`].
    fn typed<'a>(
        &'a self,
        inputs: &'a Inputs<'a>,
        typed: Typed,
        timing: DataFrame,
    ) -> Result<Step<'a>> {
        let Typed {
            funnel,
            dtypes,
            names,
            kinds,
            target_note,
            cutoff,
        } = typed;
        let created = || col(CREATED_AT).cast(DataType::Int64);
        let mature = move |c: i64| created().lt_eq(lit(c)).fill_null(false);
        let typing = Typing::read(&timing, &dtypes)?;
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
        let mut notes: Vec<String> = target_note.into_iter().collect();
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
        Ok(Step::stream(plans, move |frames| {
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
    }
}

const ID: &str = "an id";

/// Why a lead column is never a default feature, whatever its values: an
/// id, a timestamp, the score, an outcome, or leaky by the config.
fn left_out_by_name(
    c: &str,
    d: &DataType,
    checked: &crate::quality::Checked,
) -> Option<&'static str> {
    let ids = [
        LEAD_ID,
        crate::input::schema::CONVERTED_DEAL_ID,
        crate::input::schema::ALIAS_ID,
        "owner_id",
    ];
    if ids.contains(&c) {
        Some(ID)
    } else if c == CREATED_AT
        || d.is_temporal()
        // Dates read as text (a CSV's HubSpot `hs_sa_first_engagement_date`
        // became two leaky rules in a user trial); a number named so stays
        // (X Education's `Total Time Spent on Website`).
        || (d == &DataType::String && names_a_time(c))
    {
        Some("a timestamp")
    } else if !predicates::countable(d) {
        Some("neither text nor a number")
    } else if c == SCORE {
        Some("the score")
    } else if checked.stage_columns.iter().any(|s| s == c) {
        Some("a stage column: the outcome")
    } else if is_lead_status(c) {
        Some("a status or stage: the outcome")
    } else if checked.settings.leaky.iter().any(|l| l == c) {
        Some("leaky: recorded after the outcome")
    } else {
        None
    }
}

/// Whether a column's name says it holds a time: one of its words (split
/// at spaces, `_`, `-` and lower-to-upper case) is `date`, `timestamp` or
/// `datetime`, or its last word is `at` (`hs_sa_first_engagement_date`,
/// `CreatedDate`, `converted_at`); not X Education's `Update me on Supply
/// Chain Content`, nor its `Total Time Spent on Website` (a duration).
fn names_a_time(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            words.push(std::mem::take(&mut word));
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = ch.is_lowercase();
        word.push(ch.to_ascii_lowercase());
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
        .iter()
        .any(|w| ["date", "timestamp", "datetime"].contains(&w.as_str()))
        || words.last().is_some_and(|w| w == "at")
}

/// A lead column that records where the lead is now, so the outcome
/// (Salesforce's `Status` and `IsConverted`, X Education's `Converted`,
/// HubSpot's lifecycle stage, a `Lead Stage`): its name, without case,
/// spaces or `_`, is one of these or ends with one after a vendor prefix
/// (`hs_lead_status`, `property_lifecyclestage`). `Marital Status` is not.
fn is_lead_status(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['_', ' ', '-'], "");
    const NAMES: [&str; 10] = [
        "status",
        "leadstatus",
        "stage",
        "leadstage",
        "lifecyclestage",
        "stagename",
        "converted",
        "isconverted",
        "iswon",
        "isclosed",
    ];
    NAMES.contains(&n.as_str())
        || ["leadstatus", "lifecyclestage", "leadstage", "isconverted"]
            .iter()
            .any(|w| n.ends_with(w))
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
        let unknown: Vec<&str> = leaky
            .iter()
            .filter(|l| !dtypes.iter().any(|(c, _)| c == *l))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            notes.push(format!(
                "leaky in leadloop.toml names no lead column: {} (check the spelling; columns are named after the config's renames)",
                unknown.join(", ")
            ));
        }
        let mut out = Vec::new();
        let mut left: Vec<String> = Vec::new();
        for (c, d) in dtypes {
            let by_name = left_out_by_name(c, d, checked);
            let why = if by_name == Some(ID) {
                by_name
            } else if typing.empty.contains(c) {
                Some("no value")
            } else if by_name.is_some() {
                by_name
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
}

#[cfg(test)]
mod status_names {
    use super::is_lead_status;

    #[test]
    fn a_lead_s_status_or_stage_is_named_so_and_a_marital_status_is_not() {
        for name in [
            "Status",
            "Lead Status",
            "hs_lead_status",
            "IsConverted",
            "Converted",
            "Lead Stage",
            "Stage",
            "Lifecycle Stage",
            "property_lifecyclestage",
        ] {
            assert!(is_lead_status(name), "{name}");
        }
        for name in [
            "Marital Status",
            "Employment Status",
            "tier",
            "Backstage Pass",
            "source",
        ] {
            assert!(!is_lead_status(name), "{name}");
        }
    }

    #[test]
    fn a_name_that_says_it_holds_a_time() {
        use super::names_a_time;
        for name in [
            "hs_sa_first_engagement_date",
            "CreatedDate",
            "converted_at",
            "Last Activity Date",
            "first-touch-timestamp",
        ] {
            assert!(names_a_time(name), "{name}");
        }
        for name in [
            "Update me on Supply Chain Content",
            "Get updates on DM Content",
            "Receive More Updates About Our Courses",
            "Total Time Spent on Website",
            "status",
            "Lead Origin",
            "Attribute",
        ] {
            assert!(!names_a_time(name), "{name}");
        }
    }
}
