//! recalibrate's last step: the indicator patterns, the fit, each model's
//! groups of leads (per pattern, per distinct current score), and the
//! report (metrics, lift, calibration, weights, thresholds,
//! proposed_rules.toml).

use polars::prelude::*;

use super::evaluate::Group;
use super::features::{Indicator, Kind};
use super::patterns::{self, Patterns, Scores};
use super::{evaluate, propose, Options, RecalibrateSummary, DECILE_UNITS};
use crate::analysis::plan::{take, Inputs, Step, Summary};
use crate::analysis::rules::{Rule, Rules};
use crate::error::{Error, Result};
use crate::output::format::Unit;
use crate::output::Report;
use crate::stats::logistic::Counts;

impl Options {
    /// Step 3: the indicator matrix, outcome and current score per lead.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn model_plan<'a>(
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
        // Each lead's indicators as bits of u64 words (`patterns::word`):
        // 8 bytes a lead for up to 64 indicators, not a byte each (at 100M
        // leads, 60 one-byte columns were the report's peak).
        let mut words: Vec<Vec<Expr>> = vec![Vec::new(); patterns::words(indicators.len())];
        for (i, ind) in indicators.iter().enumerate() {
            let e = polars::sql::sql_expr(&ind.rule).map_err(|e| match &self.rules {
                Some(r) if ind.kind == Kind::Rule => Error::BadRule {
                    file: r.file.clone(),
                    rule: ind.label.clone(),
                    detail: crate::error::one_line(&e.to_string()),
                },
                _ => Error::Internal(format!("recalibrate: rule {:?}: {e}", ind.rule)),
            })?;
            words[i / 64].push(
                when(e.fill_null(lit(false)))
                    .then(lit(1u64 << (i % 64)).cast(DataType::UInt64))
                    .otherwise(lit(0u64).cast(DataType::UInt64)),
            );
        }
        let mut exprs: Vec<Expr> = Vec::with_capacity(words.len() + 6);
        for (k, bits) in words.into_iter().enumerate() {
            // The bits are distinct, so their sum is their union.
            let word = bits
                .into_iter()
                .reduce(|a, b| a + b)
                .unwrap_or_else(|| lit(0u64));
            exprs.push(word.cast(DataType::UInt64).alias(patterns::word(k)));
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
        // Train leads per current band, and the train months: counts over
        // the leads, not a text column per lead.
        let train = || col("__train").fill_null(lit(false));
        let mut counts = vec![col("created_month")
            .filter(train())
            .drop_nulls()
            .n_unique()
            .cast(DataType::UInt64)
            .alias("__months")];
        let band_names: Vec<String> = match &current {
            Some(_) => bands
                .names()
                .into_iter()
                .chain(["unscored".to_string()])
                .collect(),
            None => Vec::new(),
        };
        if let Some(c) = current {
            // Counted by the band's index, not its text (at 10M leads a
            // text per lead and a comparison per band).
            use crate::funnel::band_at_mql::{band_code_expr, band_labels};
            let code = band_code_expr(c.clone(), &bands);
            let labels = band_labels(&bands);
            for (k, name) in band_names.iter().enumerate() {
                let is_band = labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| *l == name)
                    .map(|(j, _)| code.clone().eq(lit(j as u32)))
                    .reduce(|a, b| a.or(b))
                    .unwrap_or_else(|| lit(false));
                counts.push(
                    train()
                        .and(is_band)
                        .sum()
                        .cast(DataType::UInt64)
                        .alias(format!("__band{k}")),
                );
            }
            exprs.push(c.alias("__current"));
        }
        let plans = vec![analysed.clone().select(exprs), analysed.select(counts)];
        Ok(Step::stream(plans, move |frames| {
            let [frame, counts] = take(frames, "recalibrate")?;
            let get =
                |name: &str| -> Result<u64> { Ok(counts.column(name)?.u64()?.get(0).unwrap_or(0)) };
            let months = get("__months")? as usize;
            let current_train_bands: Option<Vec<(String, u64)>> = match has_current {
                true => Some(
                    band_names
                        .iter()
                        .enumerate()
                        .map(|(k, b)| Ok((b.clone(), get(&format!("__band{k}"))?)))
                        .collect::<Result<_>>()?,
                ),
                false => None,
            };
            self.finish(
                frame,
                indicators,
                current_train_bands,
                months,
                &bands,
                notes,
            )
        }))
    }
}

/// A model's scores on the train and test leads, grouped ([`evaluate::Group`]),
/// and each test lead's group in file order (for the deciles' ties).
struct Model<'l> {
    name: &'static str,
    train: Vec<Group>,
    test: Vec<Group>,
    test_leads: &'l [u32],
}

/// The groups of `counts` (one per pattern or score level) with the
/// ranking and probability of each.
fn groups(
    counts: &[Counts],
    ranking: impl Fn(usize) -> f64,
    probability: impl Fn(usize) -> f64,
) -> Vec<Group> {
    counts
        .iter()
        .enumerate()
        .map(|(k, c)| Group {
            ranking: ranking(k),
            probability: probability(k),
            counts: *c,
        })
        .collect()
}

impl Options {
    fn finish<'a>(
        &self,
        frame: DataFrame,
        indicators: Vec<Indicator>,
        current_train_bands: Option<Vec<(String, u64)>>,
        months: usize,
        bands: &crate::config::Bands,
        mut notes: Vec<String>,
    ) -> Result<Step<'a>> {
        let p = indicators.len();
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
        let n_train = is_train.iter().filter(|t| **t).count();
        let mut frame = frame;
        let patterns = Patterns::take(&mut frame, p, &y, &is_train)?;
        let support = patterns.support();
        // The current score's distinct values (none for a score that is
        // not a finite number: NaN, inf).
        let current = match frame.column("__current") {
            Ok(c) => Some(Scores::take(c.f64()?, &y, &is_train)?),
            Err(_) => None,
        };
        drop(frame);
        let (pattern_train, pattern_test) = patterns.leads(&is_train);
        let (y_train, y_test) = patterns::split(&y, &is_train);
        drop((y, is_train));
        let pattern_rows = patterns.rows();
        let fit = crate::stats::logistic::fit_counts(&pattern_rows, &patterns.train, self.l2)
            .map_err(|e| match e {
                crate::stats::logistic::FitError::OneClass { positive } => Error::NothingToAnalyse {
                    detail: format!(
                        "recalibrate: every train lead {} {}, so there is nothing to tell apart (--target, --train-share)",
                        if positive { "reached" } else { "did not reach" },
                        self.target.name()
                    ),
                },
                crate::stats::logistic::FitError::NotPositiveDefinite => Error::bad_argument(format!(
                    "--l2 {}: too weak a penalty for rules without a reference level (the fit is singular at this C); use a smaller C, e.g. 1e6",
                    self.l2
                )),
                e => Error::NothingToAnalyse {
                    detail: format!("recalibrate: the logistic fit failed: {e} (a smaller --l2 penalises harder and steadies it)"),
                },
            })?;
        // Predictions and points once per pattern.
        let probability: Vec<f64> = pattern_rows.iter().map(|r| fit.probability(r)).collect();
        let base_points = propose::points(fit.intercept);
        let rule_points: Vec<i64> = fit.coef.iter().map(|c| propose::points(*c)).collect();
        let points: Vec<i64> = pattern_rows
            .iter()
            .map(|r| {
                base_points
                    + r.iter()
                        .zip(&rule_points)
                        .filter(|(v, _)| **v != 0)
                        .map(|(_, p)| *p)
                        .sum::<i64>()
            })
            .collect();
        let counted = |counts: &[Counts], x: &dyn Fn(usize) -> f64| -> Vec<(f64, u64, u64)> {
            counts
                .iter()
                .enumerate()
                .map(|(k, c)| (x(k), c.positives, c.negatives))
                .collect()
        };
        let points_platt =
            crate::stats::platt_counts(&counted(&patterns.train, &|k| points[k] as f64))
                .ok_or_else(|| Error::Internal("recalibrate: Platt scaling of points".into()))?;
        let mut models: Vec<Model> = Vec::new();
        // The current score on no test lead cannot be compared there.
        let mut current_scores_no_test_lead = false;
        if let Some(cur) = &current {
            let scored: Vec<(f64, u64, u64)> =
                counted(&cur.train, &|k| cur.values[k].unwrap_or(f64::NAN))
                    .into_iter()
                    .zip(&cur.values)
                    .filter(|(_, v)| v.is_some())
                    .map(|(g, _)| g)
                    .collect();
            let rate = |c: Counts| c.positives as f64 / (c.positives + c.negatives).max(1) as f64;
            let unscored = cur
                .values
                .iter()
                .zip(&cur.train)
                .filter(|(v, _)| v.is_none())
                .fold(Counts::default(), |a, (_, c)| Counts {
                    negatives: a.negatives + c.negatives,
                    positives: a.positives + c.positives,
                });
            let fallback = match unscored.positives + unscored.negatives {
                0 => rate(Counts {
                    negatives: y_train.len() as u64 - y_train.iter().filter(|y| **y).count() as u64,
                    positives: y_train.iter().filter(|y| **y).count() as u64,
                }),
                _ => rate(unscored),
            };
            // Unscored test leads rank below every scored one here, where
            // bands' AUC leaves them out: say so, or the two AUCs of one
            // score disagree unexplained (X Education: 0.62 in bands,
            // 0.516 here, with 46% of leads unscored).
            let (unscored_test, test_leads) =
                cur.values
                    .iter()
                    .zip(&cur.test)
                    .fold((0u64, 0u64), |(u, n), (v, c)| {
                        let leads = c.positives + c.negatives;
                        (u + if v.is_none() { leads } else { 0 }, n + leads)
                    });
            current_scores_no_test_lead = test_leads > 0 && unscored_test == test_leads;
            if unscored_test > 0 {
                notes.push(format!(
                    "current: {} of {} test leads have no score; they rank below every scored lead (AUC) with the train rate of unscored leads as their probability, where bands' AUC leaves unscored leads out",
                    crate::output::format::count(unscored_test),
                    crate::output::format::count(test_leads)
                ));
            }
            match crate::stats::platt_counts(&scored) {
                Some(platt) => {
                    let prob = |k: usize| cur.values[k].map_or(fallback, |c| platt.probability(c));
                    // Unscored leads rank below every scored one.
                    let rank = |k: usize| cur.values[k].unwrap_or(f64::NEG_INFINITY);
                    models.push(Model {
                        name: "current",
                        train: groups(&cur.train, rank, prob),
                        test: groups(&cur.test, rank, prob),
                        test_leads: &cur.test_leads,
                    });
                }
                None => notes.push(
                    "no current model: no train lead has a usable score, so only the proposed model is reported".into(),
                ),
            }
        } else {
            notes.push(
                "no current model: the data set has no score and no --rules FILE was given, so only the proposed model is reported".into(),
            );
        }
        let by_probability = |k: usize| probability[k];
        models.push(Model {
            name: "proposed",
            train: groups(&patterns.train, by_probability, by_probability),
            test: groups(&patterns.test, by_probability, by_probability),
            test_leads: &pattern_test,
        });
        let by_points = |k: usize| points[k] as f64;
        let points_probability = |k: usize| points_platt.probability(points[k] as f64);
        models.push(Model {
            name: "proposed_points",
            train: groups(&patterns.train, by_points, points_probability),
            test: groups(&patterns.test, by_points, points_probability),
            test_leads: &pattern_test,
        });
        drop(pattern_train);
        // Metrics, lift and calibration.
        let mut m_model = Vec::new();
        let mut m_split = Vec::new();
        let mut m_rows: Vec<evaluate::Metrics> = Vec::new();
        let mut lift_rows: Vec<(&str, evaluate::Lift)> = Vec::new();
        let mut cal_rows: Vec<(&str, evaluate::Calibration)> = Vec::new();
        for model in &models {
            for (split, groups) in [("train", &model.train), ("test", &model.test)] {
                m_model.push(model.name);
                m_split.push(split);
                m_rows.push(evaluate::metrics(groups, split == "test"));
                if split == "test" {
                    let d = evaluate::deciles(groups, model.test_leads, &y_test);
                    lift_rows.extend(evaluate::lift(&d).into_iter().map(|l| (model.name, l)));
                    cal_rows.extend(
                        evaluate::calibration(&d)
                            .into_iter()
                            .map(|c| (model.name, c)),
                    );
                }
            }
        }
        // The points levels for the thresholds, one per pattern.
        let train_levels: Vec<(i64, Counts)> = points
            .iter()
            .copied()
            .zip(patterns.train.iter().copied())
            .collect();
        let test_levels: Vec<(i64, Counts)> = points
            .iter()
            .copied()
            .zip(patterns.test.iter().copied())
            .collect();
        // The proposed model against the current score on the same test
        // leads: DeLong's paired test (the two AUCs are correlated).
        let versus_current = {
            let ranks = |name: &str| {
                models.iter().find(|m| m.name == name).map(|m| {
                    let scores: Vec<f64> = m.test.iter().map(|g| g.ranking).collect();
                    (scores, m.test_leads)
                })
            };
            match (ranks("proposed"), ranks("current")) {
                _ if current_scores_no_test_lead => None,
                (Some((p, p_leads)), Some((c, c_leads))) => crate::stats::delong_paired(
                    crate::stats::Grouped {
                        scores: &p,
                        leads: p_leads,
                    },
                    crate::stats::Grouped {
                        scores: &c,
                        leads: c_leads,
                    },
                    &y_test,
                ),
                _ => None,
            }
        };
        drop(models);
        drop(current);
        drop(pattern_test);
        let metrics = df!(
            "model" => m_model.clone(),
            "split" => m_split.clone(),
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
            .map(|s| {
                evaluate::single_rule_auc(s.test.positives, test_pos, s.test.negatives, test_neg)
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
            w_train.push(support[j].train.positives + support[j].train.negatives);
            w_test.push(support[j].test.positives + support[j].test.negatives);
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
        // Leakage: a column, or a rule, that alone nearly decides the
        // outcome. A column's test AUC scores each lead by the train
        // conversion of its level (its indicators are exclusive).
        let train_rate = y_train.iter().filter(|y| **y).count() as f64 / n_train.max(1) as f64;
        let leaky = |a: f64| !(0.15..0.85).contains(&a);
        let mut columns: Vec<&str> = Vec::new();
        for ind in indicators.iter().filter(|i| i.kind != Kind::Rule) {
            if !columns.contains(&ind.column.as_str()) {
                columns.push(ind.column.as_str());
            }
        }
        let mut leaks: Vec<String> = Vec::new();
        let mut leaky_columns: Vec<&str> = Vec::new();
        for c in columns {
            let groups: Vec<(f64, u64, u64)> = indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.column == c && i.kind != Kind::Rule)
                .map(|(j, _)| {
                    let t = support[j].train;
                    let rate = match t.positives + t.negatives {
                        0 => train_rate,
                        n => t.positives as f64 / n as f64,
                    };
                    (rate, support[j].test.positives, support[j].test.negatives)
                })
                .collect();
            if let Some(a) = evaluate::grouped_auc(&groups).filter(|a| leaky(*a)) {
                leaks.push(format!("column {c} (AUC {a:.3})"));
                leaky_columns.push(c);
            }
        }
        leaks.extend(
            indicators
                .iter()
                .zip(&single)
                .filter(|(i, a)| {
                    a.is_some_and(leaky)
                        && (i.kind == Kind::Rule || !leaky_columns.contains(&i.column.as_str()))
                })
                .map(|(i, a)| format!("{} (AUC {:.3})", i.feature(), a.unwrap_or_default())),
        );
        if !leaks.is_empty() {
            notes.push(format!(
                "leakage: {} alone {} the test outcome almost perfectly; something that good is often recorded after the outcome (leaky = [\"column\"] in leadloop.toml leaves a column out)",
                leaks.join(", "),
                if leaks.len() == 1 { "predicts" } else { "predict" }
            ));
        }
        // Thresholds on the proposed points.
        let propose::Proposed {
            chosen,
            missed,
            fell_back,
            lowest,
            table: thresholds,
        } = propose::proposed_bands(
            &self.thresholds,
            bands,
            &train_levels,
            &test_levels,
            months,
            current_train_bands.as_deref(),
        )?;
        if !missed.is_empty() {
            notes.push(format!(
                "no points level meets the target of band {}: {}",
                missed.join(", "),
                match fell_back {
                    true =>
                        "the proposed bands keep the current bands' shares of train leads instead",
                    false => "left out of the proposed bands",
                }
            ));
        }
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
        // Negative thresholds read as a mistake to a new user: a total is
        // about 10/ln 2 times the fitted log-odds, so 0 is even odds.
        if chosen.iter().any(|b| b.min_points < 0) {
            notes.push(format!(
                "some band thresholds are below 0: a lead's points (the base, {base_points}, plus its rules' points) are about 10/ln 2 times the model's log-odds, so 0 is even odds and a band of leads less likely than not to convert has a negative threshold"
            ));
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
                .zip(&m_split)
                .zip(&m_rows)
                .find(|((m, s), _)| **m == model && **s == split)
                .map(|(_, r)| r)
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
            proposed_minus_current: versus_current.map(|d| d.difference),
            proposed_minus_current_lo: versus_current.map(|d| d.lo),
            proposed_minus_current_hi: versus_current.map(|d| d.hi),
            proposed_minus_current_p: versus_current.map(|d| d.p_value),
            not_compared: match (versus_current, current_scores_no_test_lead) {
                (Some(_), _) => None,
                (None, true) => Some("the current score scores no test lead".into()),
                (None, false) => match get("current", "test") {
                    None => None,
                    // One outcome only among the test leads: no AUC at all.
                    Some(m) if m.auc.is_none() => Some(format!(
                        "{} test lead reached {}",
                        if m.positives == 0 { "no" } else { "every" },
                        self.target.name()
                    )),
                    Some(_) => Some("a paired test needs two test leads of each outcome".into()),
                },
            },
            possible_leaks: leaks,
        };
        // What a reader must know before trusting the comparison.
        if let (Some(cur), Some(pro)) = (summary.current_test_auc, summary.proposed_test_auc) {
            notes.push(match versus_current {
                Some(d) => {
                    let test = format!(
                        "AUC {pro:.3} vs {cur:.3}; DeLong's paired test: difference {:+.3} [{:+.3}, {:+.3}], {}",
                        d.difference,
                        d.lo,
                        d.hi,
                        crate::output::format::p_clause(d.p_value)
                    );
                    if d.difference == 0.0 && d.lo == d.hi {
                        format!("the proposed model ranks test leads exactly as the current score does (AUC {pro:.3}): keep the current score")
                    } else if d.hi < 0.0 {
                        format!("the proposed model ranks test leads worse than the current score ({test}): the score carries information these features lack; keep it, or give its inputs as features")
                    } else if d.lo > 0.0 {
                        format!("the proposed model ranks test leads better than the current score ({test})")
                    } else {
                        format!("the proposed model ranks test leads no differently from the current score beyond chance ({test}): keep the current score unless more test leads show a gain")
                    }
                }
                None => format!(
                    "the proposed model is not compared with the current score ({}): the AUCs {pro:.3} and {cur:.3} alone do not say which ranks better",
                    summary.not_compared.as_deref().unwrap_or("no paired test")
                ),
            });
        }
        let rate = |ys: &[bool]| ys.iter().filter(|y| **y).count() as f64 / ys.len().max(1) as f64;
        let (r_train, r_test) = (rate(&y_train), rate(&y_test));
        if r_train > 0.0 && r_test > 0.0 && (r_test / r_train > 1.5 || r_train / r_test > 1.5) {
            notes.push(format!(
                "the outcome's rate moves from {} on train to {} on test: the periods differ, so predicted probabilities (Brier, calibration, band rates) are off on test; AUC still compares rankings",
                crate::output::format::pct(r_train),
                crate::output::format::pct(r_test)
            ));
        }
        let test_pos = y_test.iter().filter(|y| **y).count();
        let test_neg = y_test.len() - test_pos;
        match test_pos.min(test_neg) {
            0 => notes.push(format!(
                "every test lead {} {}: test AUC is undefined (it compares positives with negatives), and only Brier and calibration are shown for test",
                if test_pos == 0 { "did not reach" } else { "reached" },
                self.target.name()
            )),
            1 => notes.push(format!(
                "only {} test leads ({} positive, {} negative): with a single {} the test AUC has no interval (DeLong's variance divides by its count less one), and the figures are rough",
                y_test.len(),
                test_pos,
                test_neg,
                if test_pos == 1 { "positive" } else { "negative" }
            )),
            k if k < 30 => notes.push(format!(
                "only {} test leads ({} positive, {} negative): the test figures are rough, as their intervals show",
                y_test.len(),
                test_pos,
                test_neg
            )),
            _ => {}
        }
        let leak_warning = match summary.possible_leaks.is_empty() {
            true => String::new(),
            false => format!(
                "; possible leakage: {} (recalibrate's notes)",
                summary.possible_leaks.join(", ")
            ),
        };
        let header = format!(
            "Proposed by leadloop recalibrate: target {}, C = {}, {} train / {} test leads.\nTest AUC: proposed {}, these points {}{}{}{}.\n`leadloop score --rules proposed_rules.toml` applies it.",
            self.target.name(),
            self.l2,
            n_train,
            y_test.len(),
            summary.proposed_test_auc.map_or("–".into(), |a| format!("{a:.4}")),
            summary.proposed_points_test_auc.map_or("–".into(), |a| format!("{a:.4}")),
            summary.current_test_auc.map_or(String::new(), |a| format!(", current {a:.4}")),
            // A user trial: the sample's file proposed a worse model with
            // nothing in it saying so; a breaker's, a leak.
            summary.verdict(),
            leak_warning,
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
