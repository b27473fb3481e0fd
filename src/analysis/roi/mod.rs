//! `roi`: which sources (or campaigns) pay back their spend, under each
//! attribution model (SPEC §4 "roi").
//!
//! Definitions: leads are cohorted by `created_at` (its date in the
//! configured zone) within `--from/--to` (inclusive; open-ended when not
//! given), and spend is summed over the same dates. leads, mql and sql count
//! the cohort's leads by their own source (cumulative reach). won and
//! revenue come from the model: `lead_source` gives all of a lead's won
//! revenue to its source and counts won *leads* (SPEC §3 "Counting"); a
//! touch model splits each won deal of a cohort lead over sources, and `won`
//! is then the sum of those credits (won deals). cost_per_lead/mql/sql =
//! spend / count, cac = spend / won, roas = revenue / spend, roi = (revenue −
//! spend) / spend; a zero denominator gives null, never infinity.
//!
//! Rows: every group with leads, spend or credit (a null key is `(none)`),
//! then `unattributed` (won deals with no eligible touch, touch models only)
//! and `all`. Decision where the spec is silent: a won deal's revenue counts
//! in the cohort of its lead, whenever the deal closed.

mod choices;
mod summary;
mod table;

use chrono::NaiveDate;
use polars::prelude::*;

pub use choices::{GroupBy, Models};
pub use summary::RoiSummary;
pub use table::{
    attributed, attributed_together, available, cohort_filter, markov_inputs, reconciliation,
    side_by_side, touches, won_deals, RoiInputs, COLUMNS, UNATTRIBUTED,
};

use super::attribution::{self, markov, Model};
use super::plan::{take, Analysis, Inputs, Need, Step};
use super::{Row, ALL_LABEL};
use crate::config::Zone;
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::input::schema::LEAD_ROW;
use crate::output::format::{self, Unit};
use crate::output::Report;

/// What the user chose (`leadloop roi` flags). The default is `report`'s
/// run: every model the data set can feed, side by side.
#[derive(Debug, Clone)]
pub struct Options {
    pub by: GroupBy,
    pub model: Models,
    /// time_decay's half-life in days (positive).
    pub half_life_days: f64,
    /// First and last cohort day (inclusive); open-ended when `None`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// time_decay's half-life unless `--half-life-days` says otherwise (SPEC §4).
pub const DEFAULT_HALF_LIFE_DAYS: f64 = 7.0;

impl Default for Options {
    fn default() -> Self {
        Options {
            by: GroupBy::Source,
            model: Models::All,
            half_life_days: DEFAULT_HALF_LIFE_DAYS,
            from: None,
            to: None,
        }
    }
}

/// The options resolved for a run: days since the epoch and the zone.
#[derive(Debug, Clone)]
pub struct Params {
    pub by: GroupBy,
    /// First and last cohort day, as days since 1970-01-01 (inclusive).
    pub from_day: Option<i32>,
    pub to_day: Option<i32>,
    pub zone: Zone,
    pub half_life_days: f64,
}

/// Units of the roi table's columns.
const UNITS: [(&str, Unit); 9] = [
    ("spend", Unit::Money),
    ("won", Unit::Number),
    ("revenue", Unit::Money),
    ("cost_per_lead", Unit::Money),
    ("cost_per_mql", Unit::Money),
    ("cost_per_sql", Unit::Money),
    ("cac", Unit::Money),
    ("roas", Unit::Number),
    ("roi", Unit::Number),
];

fn day(d: Option<NaiveDate>) -> Option<i32> {
    d.map(|d| (d - NaiveDate::default()).num_days() as i32)
}

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "roi"
    }

    fn requires(&self) -> &'static [Need] {
        &[Need::Table(TableKind::Leads), Need::Table(TableKind::Spend)]
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(Error::bad_argument("--from is after --to"));
            }
        }
        let checked = inputs.checked;
        let params = Params {
            by: self.by,
            from_day: day(self.from),
            to_day: day(self.to),
            zone: *inputs.zone(),
            half_life_days: self.half_life_days,
        };
        let data = RoiInputs {
            funnel: inputs.funnel("roi")?,
            leads: checked.require_keyed(TableKind::Leads, "roi")?,
            deals: checked.keyed(TableKind::Deals),
            touches: checked.keyed(TableKind::Touches),
            spend: checked.require(TableKind::Spend, "roi")?,
        };
        let all = self.model == Models::All;
        let wanted = match self.model {
            Models::All => attribution::MODELS.to_vec(),
            Models::One(m) => vec![m],
        };
        let (mut chosen, mut skipped) = (Vec::new(), Vec::new());
        for m in wanted {
            if available(m, &data) {
                chosen.push(m);
            } else if all {
                skipped.push(m.name());
            } else {
                // The table that is missing (a breaker's touches without
                // deals were told touches were missing).
                let table = match data.touches {
                    None => "touches",
                    Some(_) => "deals",
                };
                return Err(Error::MissingTable {
                    table: table.into(),
                    place: checked.source.clone(),
                    hint: format!(" (--model {} needs touches and deals)", m.name()),
                });
            }
        }
        let run = Run {
            options: self,
            inputs,
            params,
            data,
            chosen,
            skipped,
        };
        // Won deals, and the touches of their leads (the only touches a
        // credit model reads: a few percent of them), are collected once and
        // shared by every model. Markov's transition counts, which need every
        // lead's path, are counted in the same run from the scans, so the
        // full touches table is never held (at 10M leads: 41M touches).
        if run.chosen.iter().any(|m| m.needs_touches()) {
            let (Some(deals), Some(touches)) = (
                won_deals(&run.data, &run.params),
                touches(&run.data, &run.params),
            ) else {
                return Err(Error::Internal("roi: touch model without touches".into()));
            };
            let won_leads = deals
                .clone()
                .select([col(LEAD_ROW)])
                .unique(None, UniqueKeepStrategy::Any);
            let won_touches = touches.clone().join(
                won_leads,
                [col(LEAD_ROW)],
                [col(LEAD_ROW)],
                JoinArgs::new(JoinType::Semi),
            );
            let markov = run.chosen.contains(&Model::Markov);
            let mut plans = vec![
                deals.clone(),
                won_touches,
                table::base(&run.data, &run.params),
            ];
            if markov {
                // How many leads, for the pieces Markov's paths are walked in.
                plans.push(
                    run.data
                        .leads
                        .clone()
                        .select([len().cast(IDX_DTYPE).alias("n")]),
                );
            }
            Ok(Step::stream(plans, move |frames| {
                let mut frames = frames.into_iter();
                let (Some(deals), Some(touches), Some(base)) =
                    (frames.next(), frames.next(), frames.next())
                else {
                    return Err(Error::Internal(
                        "roi: deals and touches not collected".into(),
                    ));
                };
                let shared = Shared {
                    base: base.lazy(),
                    deals: Some(deals.lazy()),
                    credited: None,
                    removal: None,
                };
                match frames.next() {
                    Some(n) => {
                        let n = n.column("n")?.idx()?.get(0).unwrap_or(0);
                        let pieces = crate::funnel::pieces(n);
                        run.markov(shared, touches.lazy(), pieces, Default::default())
                    }
                    None => run.eligible(shared, touches.lazy()),
                }
            }))
        } else {
            let deals = won_deals(&run.data, &run.params);
            let base = table::base(&run.data, &run.params).cache();
            run.models(
                Shared {
                    base,
                    deals,
                    credited: None,
                    removal: None,
                },
                Vec::new(),
            )
        }
    }
}

/// One roi run: the options, what it reads, and the models it can run.
struct Run<'a> {
    options: &'a Options,
    inputs: &'a Inputs<'a>,
    params: Params,
    data: RoiInputs,
    chosen: Vec<Model>,
    skipped: Vec<&'static str>,
}

/// What every model of a run shares: won deals, the touch models' credits
/// and, for Markov, the removal effects.
struct Shared {
    /// Per group: the cohort's counts and spend ([`table::base`]).
    base: LazyFrame,
    deals: Option<LazyFrame>,
    credited: Option<Credited>,
    removal: Option<markov::Removal>,
}

/// Every touch model's credit, collected in one run: per group
/// `__group, won_<model>, revenue_<model>`, and the unattributed won deals
/// (`won, revenue`, one row); `to_close` the same up to each deal's close
/// (full_path only).
struct Credited {
    by_creation: Option<(DataFrame, DataFrame)>,
    to_close: Option<(DataFrame, DataFrame)>,
}

impl Credited {
    /// `model`'s per-group `__group, won, revenue` and unattributed frames.
    fn of(&self, model: Model) -> Option<(LazyFrame, LazyFrame)> {
        let (per_group, unattributed) = match model {
            Model::FullPath => self.to_close.as_ref()?,
            _ => self.by_creation.as_ref()?,
        };
        let n = model.name();
        Some((
            per_group.clone().lazy().select([
                col(attribution::GROUP),
                col(format!("won_{n}")).alias("won"),
                col(format!("revenue_{n}")).alias("revenue"),
            ]),
            unattributed.clone().lazy(),
        ))
    }
}

impl<'a> Run<'a> {
    /// Markov's transition counts, one piece of the leads at a time (each
    /// piece's touches collected, walked and dropped; at 100M leads every
    /// touch at once would be 441M rows), then its removal effects.
    /// `pieces` are what is left to count; `total` the counts so far.
    fn markov(
        self,
        shared: Shared,
        won_touches: LazyFrame,
        mut pieces: Vec<(IdxSize, IdxSize)>,
        mut total: markov::Counts,
    ) -> Result<Step<'a>> {
        if pieces.is_empty() {
            let removal = markov::removal(&total.frame()?)?;
            let shared = Shared {
                removal: Some(removal),
                ..shared
            };
            return self.eligible(shared, won_touches);
        }
        let rows = pieces.remove(0);
        let (Some(deals), Some(touches)) =
            (shared.deals.clone(), touches(&self.data, &self.params))
        else {
            return Err(Error::Internal("roi: Markov without touches".into()));
        };
        let plans = markov_inputs(deals, touches, &self.data, &self.params)
            .map(|p| crate::funnel::of_leads(p, rows))
            .to_vec();
        Ok(Step::stream(plans, move |frames| {
            let [touches, cohort, cutoffs] = take(frames, "roi")?;
            total.add(&markov::transitions(&touches, Some(&cohort), &cutoffs)?)?;
            drop(touches);
            self.markov(shared, won_touches, pieces, total)
        }))
    }

    /// Each won deal's eligible touches, ranked and with their milestones
    /// (once up to the deal's creation, and once up to its close for
    /// full_path), and every touch model's credits from them, in one run.
    fn eligible(self, shared: Shared, won_touches: LazyFrame) -> Result<Step<'a>> {
        let Some(deals) = shared.deals.clone() else {
            return Err(Error::Internal("roi: touch models without deals".into()));
        };
        let touch_models = |to_close: bool| -> Vec<Model> {
            self.chosen
                .iter()
                .copied()
                .filter(|m| m.needs_touches() && (*m == Model::FullPath) == to_close)
                .collect()
        };
        let (deals_frame, touches) = (deals.clone().collect()?, won_touches.collect()?);
        let paths = attribution::paths::Paths::new(&touches)?;
        let mut plans = Vec::new();
        // Which of the two sets of rows (by creation, to close) has models.
        let mut wanted = [false; 2];
        for to_close in [false, true] {
            let models = touch_models(to_close);
            if models.is_empty() {
                continue;
            }
            wanted[usize::from(to_close)] = true;
            // The deals and their leads' touches are in memory (collected
            // in roi's first step): each path is walked once, every model
            // credited in the same pass (`attribution::paths`).
            let credits = paths
                .credits(
                    &models,
                    &deals_frame,
                    to_close,
                    self.params.half_life_days,
                    shared.removal.as_ref(),
                )?
                .lazy();
            let columns: Vec<_> = models
                .iter()
                .map(|m| {
                    (
                        attribution::credit_column(*m),
                        format!("won_{}", m.name()),
                        format!("revenue_{}", m.name()),
                    )
                })
                .collect();
            let (per_group, unattributed) =
                table::attributed_together(deals.clone(), credits, &columns);
            plans.extend([per_group, unattributed]);
        }
        Ok(Step::collect(plans, move |frames| {
            let mut frames = frames.into_iter();
            let [by_creation, to_close] = wanted.map(|w| match w {
                true => frames.next().zip(frames.next()),
                false => None,
            });
            let shared = Shared {
                credited: Some(Credited {
                    by_creation,
                    to_close,
                }),
                ..shared
            };
            self.models(shared, Vec::new())
        }))
    }

    /// Each model's table, one at a time, from the shared frames.
    fn models(self, shared: Shared, mut done: Vec<DataFrame>) -> Result<Step<'a>> {
        let Some(&m) = self.chosen.get(done.len()) else {
            return self.closed_won(shared, done);
        };
        let model = match (m, &shared.credited) {
            (Model::LeadSource, _) => None,
            (_, Some(credited)) => Some(
                credited
                    .of(m)
                    .ok_or_else(|| Error::Internal(format!("roi: {} not credited", m.name())))?,
            ),
            _ => return Err(Error::Internal("roi: touch model without touches".into())),
        };
        let plan = table::table(shared.base.clone(), model, &self.params)?;
        Ok(Step::collect(vec![plan], move |frames| {
            let [t] = take(frames, "roi")?;
            self.no_summary_names(&t, m)?;
            self.something_in_period(&t)?;
            done.push(t);
            self.models(shared, done)
        }))
    }

    /// A one-line error when a source (or campaign) is called what roi names
    /// its summary rows, `all` or `unattributed`: its row would merge with
    /// theirs (a breaker's trial got 1,024 rows called `all` and a false
    /// reconciliation). `table` is a collected model table.
    fn no_summary_names(&self, table: &DataFrame, model: Model) -> Result<()> {
        let by = self.params.by.column();
        let names = table.column(by)?.str()?;
        let rows = |label: &str| names.iter().filter(|n| *n == Some(label)).count();
        // The table's own rows: one `all`; one `unattributed` for a touch model.
        let own_unattributed = usize::from(model != Model::LeadSource);
        for (label, own) in [(ALL_LABEL, 1), (UNATTRIBUTED, own_unattributed)] {
            if rows(label) > own {
                return Err(crate::analysis::summary_name_taken(
                    &self.inputs.checked.source,
                    "leads, touches or spend",
                    &[by],
                    label,
                    "roi",
                ));
            }
        }
        Ok(())
    }

    /// A one-line error when the period holds no lead and no spend (a user
    /// trial asked for a half year before the data began and got a table
    /// of zeros). `table` is a collected model table.
    fn something_in_period(&self, table: &DataFrame) -> Result<()> {
        let by = self.params.by.column();
        let names = table.column(by)?.str()?;
        let Some(all) = names.iter().position(|n| n == Some(ALL_LABEL)) else {
            return Ok(());
        };
        let value = |c: &str| -> Result<f64> {
            let v = table.column(c)?.cast(&DataType::Float64)?;
            Ok(v.f64()?.get(all).unwrap_or(0.0))
        };
        if value("leads")? > 0.0 || value("spend")? != 0.0 || value("won")? > 0.0 {
            return Ok(());
        }
        let day = |d: Option<NaiveDate>| d.map_or("–".to_string(), |d| d.to_string());
        Err(Error::NothingToAnalyse {
            detail: match (self.options.from, self.options.to) {
                (None, None) => "roi: no lead and no spend to analyse".into(),
                (from, to) => format!(
                    "roi: no lead was created and nothing was spent from {} to {} (--from/--to)",
                    day(from),
                    day(to)
                ),
            },
        })
    }

    /// Closed-won revenue of the cohort (every model must add up to it) and,
    /// with several models, the side-by-side table.
    fn closed_won(self, shared: Shared, tables: Vec<DataFrame>) -> Result<Step<'a>> {
        let closed_won = match &shared.deals {
            Some(d) => d
                .clone()
                .select([crate::analysis::exact_sum(col(attribution::AMOUNT)).alias("r")]),
            None => self
                .data
                .funnel
                .clone()
                .filter(cohort_filter(&self.params))
                .select([crate::analysis::exact_sum(col("revenue")).alias("r")]),
        };
        let tables: Vec<(Model, DataFrame)> = self.chosen.iter().copied().zip(tables).collect();
        let mut plans = vec![closed_won];
        if tables.len() > 1 {
            let lazy: Vec<(Model, LazyFrame)> =
                tables.iter().map(|(m, t)| (*m, t.clone().lazy())).collect();
            plans.push(side_by_side(&lazy, self.params.by.column())?);
        }
        Ok(Step::collect(plans, move |mut frames| {
            let side = match frames.len() {
                2 => frames.pop(),
                _ => None,
            };
            let [closed] = take(frames, "roi")?;
            let closed_won = Row::at(&closed, 0)
                .map_or(Ok(None), |r| r.float("r"))?
                .unwrap_or(0.0);
            self.finish(tables, side, closed_won, shared.removal)
        }))
    }

    fn finish(
        self,
        tables: Vec<(Model, DataFrame)>,
        side: Option<DataFrame>,
        closed_won: f64,
        removal: Option<markov::Removal>,
    ) -> Result<Step<'a>> {
        let by = self.params.by.column();
        let reconciliation = reconciliation(&tables, by, closed_won)?;
        let period = match (self.options.from, self.options.to) {
            (None, None) => "all leads".to_string(),
            (f, t) => format!(
                "leads created {} to {}",
                f.map_or("the start".into(), |d| d.to_string()),
                t.map_or("the end".into(), |d| d.to_string())
            ),
        };
        let (main_model, mut main) = tables
            .first()
            .cloned()
            .ok_or_else(|| Error::Internal("roi: no model".into()))?;
        // Without deals nothing records a win: won, revenue and the ratios
        // that use them are empty, not 0 (which would read as a loss).
        let no_deals = self.data.deals.is_none();
        if no_deals {
            for c in ["won", "revenue", "cac", "roas", "roi"] {
                let nulls = Series::full_null(c.into(), main.height(), &DataType::Float64);
                main.with_column(nulls.into_column())?;
            }
        }
        let mut summary = RoiSummary::default();
        if let Some(all) = Row::find(&main, by, ALL_LABEL)? {
            summary = RoiSummary {
                spend: all.float("spend")?,
                leads: all.count("leads")?,
                won: all.float("won")?,
                revenue: all.float("revenue")?,
                cac: all.float("cac")?,
                roas: all.float("roas")?,
                roi: all.float("roi")?,
                sources_whose_roi_sign_depends_on_model: None,
            };
        }
        let mut report = Report::new("roi")
            .table(
                "roi",
                &format!(
                    "Return on spend by {by} ({period}; model {})",
                    main_model.name()
                ),
                main,
            )
            .units(&UNITS);
        if let Some(side) = side {
            let flips = side.column("roi_sign_changes")?.bool()?.sum().unwrap_or(0);
            summary.sources_whose_roi_sign_depends_on_model = Some(flips as u64);
            let money: Vec<String> = side
                .get_column_names()
                .iter()
                .filter(|c| c.as_str() != by && c.as_str() != "roi_sign_changes")
                .filter(|c| !c.starts_with("won_"))
                .map(|c| c.to_string())
                .collect();
            let units: Vec<(&str, Unit)> =
                money.iter().map(|c| (c.as_str(), Unit::Money)).collect();
            report = report
                .table(
                    "models",
                    &format!("Attributed revenue and won credit by {by}, every model side by side"),
                    side,
                )
                .units(&units);
        }
        report = report
            .table(
                "reconciliation",
                "Attributed + unattributed = closed-won revenue, per model",
                reconciliation.clone(),
            )
            .units(&[
                ("attributed_revenue", Unit::Money),
                ("unattributed_revenue", Unit::Money),
                ("closed_won_revenue", Unit::Money),
                ("difference", Unit::Money),
            ]);
        if let Some(removal) = &removal {
            report = report
                .table(
                    "markov",
                    &format!(
                        "Markov removal effects by {by} (conversion probability of the chain {})",
                        format::pct(removal.conversion)
                    ),
                    removal.table(by)?,
                )
                .units(&[("removal_effect", Unit::Rate), ("share", Unit::Rate)]);
        }
        for i in 0..reconciliation.height() {
            let Some(r) = Row::at(&reconciliation, i) else {
                continue;
            };
            report.notes.push(format!(
                "{}: attributed {:.2} + unattributed {:.2} = closed-won {:.2}",
                r.text("model")?.unwrap_or_default(),
                r.float("attributed_revenue")?.unwrap_or(0.0),
                r.float("unattributed_revenue")?.unwrap_or(0.0),
                closed_won
            ));
        }
        if no_deals {
            report.notes.push(
                "no deals table: won, revenue, cac, roas and roi are not measurable and are left empty".into(),
            );
        }
        // A table without the grouping column puts everything under
        // `(none)`: say so (a breaker's spend without campaign_id did not).
        let mut read = vec![TableKind::Leads, TableKind::Spend];
        if self.chosen.iter().any(|m| m.needs_touches()) {
            read.push(TableKind::Touches);
        }
        for kind in read {
            let lacks = self.inputs.checked.tables.get(&kind).is_some_and(|t| {
                t.raw
                    .clone()
                    .collect_schema()
                    .is_ok_and(|s| !s.contains(by))
            });
            if lacks {
                report.notes.push(format!(
                    "{kind} has no {by} column: all of its rows are under {} here",
                    crate::analysis::NONE_LABEL
                ));
            }
        }
        if !self.skipped.is_empty() {
            report.notes.push(format!(
                "left out (no touches or deals table): {}",
                self.skipped.join(", ")
            ));
        }
        report.notes.push(
            "won: leads with a won deal under lead_source; under a touch model, won deals credited (fractions)"
                .into(),
        );
        if self.chosen.contains(&Model::TimeDecay) {
            report.notes.push(format!(
                "time_decay half-life {} days",
                format::setting(self.params.half_life_days)
            ));
        }
        report.notes.push(self.inputs.ledger_summary.clone());
        report.notes.extend(self.inputs.unlinked_note());
        Ok(Step::done(report, summary))
    }
}
