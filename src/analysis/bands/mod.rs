//! `bands`: does a higher score band really convert better? (SPEC §4 "bands")
//!
//! What it computes: per band (× `--by` lead columns, `month` = first-MQL
//! month) the leads, MQLs, contacted, SQLs, opportunities, won leads and won
//! revenue, and mql_to_sql, sql_to_won, lead_to_won with Wilson 95% bounds;
//! then a chi-square test of mql_to_sql across the scored bands, the AUC of
//! the score at MQL for `won`, and every adjacent pair of scored bands where
//! the higher band converts worse.
//!
//! Definitions: reach is cumulative (SPEC §3) unless `--strict`, which
//! counts recorded events only. Rates are conditional: mql_to_sql is SQLs
//! among MQLs (both reached), sql_to_won is won among SQLs.
//!
//! Edge cases (decisions where the spec is silent):
//! - `--window DAYS` counts a stage only if it was reached within DAYS of
//!   the first MQL; a stage with no time (a wide export's flag) is then not
//!   counted. With a window, rows are split by `mature`: a lead is mature
//!   when its first MQL (or, never MQL'd, its creation) is at least DAYS
//!   before as_of, and immature leads are never added into mature totals.
//! - The overall row of each split has band `all` (and `all` in every `--by`
//!   column); a null group key is `(none)`.
//! - The chi-square test and inversions use the scored bands only
//!   (`unscored` has no place in the order) and the overall rows.

mod table;

use polars::prelude::*;
use serde::Serialize;

pub use table::{chi_square, inversions, table, Inversion, COLUMNS};

use super::plan::{take, Analysis, Inputs, Need, Step, Summary};
use super::{Row, ALL_LABEL};
use crate::error::Result;
use crate::funnel::band_at_mql::UNSCORED_LABEL;
use crate::input::schema::TableKind;
use crate::output::format::{self, Unit};
use crate::output::Report;

/// What the user chose (`leadloop bands` flags); the default is `report`'s run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Lead columns to split by; `month` means the first-MQL month.
    pub by: Vec<String>,
    /// Count a stage only if reached within this many days of the first MQL.
    pub window_days: Option<f64>,
    /// Recorded events only (no cumulative reach).
    pub strict: bool,
}

/// Units of the bands table's columns (the counts are integers).
pub const UNITS: [(&str, Unit); 4] = [
    ("revenue", Unit::Money),
    ("mql_to_sql", Unit::Rate),
    ("sql_to_won", Unit::Rate),
    ("lead_to_won", Unit::Rate),
];

/// Each rate with the stages that can put a lead in its denominator
/// without its numerator, and the stages that put it in its numerator.
pub(crate) const RATE_STAGES: [(&str, &[&str], &[&str]); 3] = [
    ("mql_to_sql", &["mql"], &["sql", "opportunity", "won"]),
    ("sql_to_won", &["sql", "opportunity"], &["won"]),
    ("lead_to_won", &["lead"], &["won"]),
];

/// Why no input records an opportunity or a win although the data set has
/// deals: none links to a lead. [`crate::analysis::plan::Inputs::unlinked_note`]
/// says what would link them.
pub fn unlinked_reason(checked: &crate::quality::Checked, linked: u64) -> Option<&'static str> {
    (checked.has(TableKind::Deals) && linked == 0).then_some("no deal is linked to a lead")
}

/// The core stages whose count nothing can record: no input records the
/// stage or a later one (reach is cumulative), with the reason.
fn uncountable(recordable: &[String], why_not: Option<&str>) -> Vec<(&'static str, String)> {
    const REACH: [(&str, &[&str]); 4] = [
        ("mql", &["mql", "sql", "opportunity", "won"]),
        ("sql", &["sql", "opportunity", "won"]),
        ("opportunity", &["opportunity", "won"]),
        ("won", &["won"]),
    ];
    REACH
        .iter()
        .filter(|(_, reach)| !reach.iter().any(|s| recordable.iter().any(|r| r == s)))
        .map(|(stage, reach)| {
            let why = format!("no input records {}", reach.join(", "));
            (
                *stage,
                match why_not {
                    None => why,
                    Some(r) => format!("{why} ({r})"),
                },
            )
        })
        .collect()
}

/// The rates this data set cannot measure: where no input records a stage
/// of the denominator short of the numerator (every lead counted is counted
/// there only through a later stage, so the rate is 100% by construction),
/// or none records the numerator's stages (0% by construction).
/// `why_not`: why no input records the later stages, when it is known.
fn unmeasurable(recordable: &[String], why_not: Option<&str>) -> Vec<(&'static str, String)> {
    let hint = why_not.map_or(String::new(), |r| format!("; {r}"));
    let has = |stages: &[&str]| {
        stages
            .iter()
            .any(|s| *s == "lead" || recordable.iter().any(|r| r == s))
    };
    let mut out = Vec::new();
    for (rate, from, to) in RATE_STAGES {
        if !has(from) {
            out.push((rate, format!(
                "no input records {} short of a later stage, so every lead it counts would count as converted (100% by construction)",
                from.join(" or ")
            )));
        } else if !has(to) {
            out.push((
                rate,
                format!(
                    "no input records {} (0% by construction{hint})",
                    to.join(", ")
                ),
            ));
        }
    }
    out
}

/// The headline figures of `bands` (its overall row and its tests).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BandsSummary {
    pub leads: u64,
    pub mql: u64,
    pub sql: u64,
    /// None where nothing records a win (no deal linked to a lead).
    pub won: Option<u64>,
    pub revenue: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub lead_to_won: Option<f64>,
    pub auc_score_for_won: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chi_square_p_value: Option<f64>,
    pub inversions: usize,
}

impl Summary for BandsSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        // Without an AUC (no score, or scored MQLs of one outcome only)
        // there are no bands to invert either: say so, not "–; 0".
        let scored = match self.auc_score_for_won {
            Some(a) => format!(
                "score AUC for won {a:.2}; {} band inversion(s)",
                self.inversions
            ),
            None => "no score AUC (it needs scored MQLs, won and not won)".into(),
        };
        Some(format!(
            "{} leads, {} won ({}); {scored}",
            format::count(self.leads),
            self.won.map_or("–".into(), format::count),
            self.lead_to_won.map_or("–".into(), format::pct),
        ))
    }
}

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "bands"
    }

    fn requires(&self) -> &'static [Need] {
        &[Need::Table(TableKind::Leads), Need::StageEvents]
    }

    fn reads_touches(&self) -> bool {
        false
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let funnel = inputs.funnel("bands")?;
        let band_order = inputs.band_order();
        let linked = inputs.linked_deals > 0;
        let recordable = crate::funnel::recordable_stages(inputs.checked, linked);
        let why_not = unlinked_reason(inputs.checked, inputs.linked_deals);
        let mut unmeasurable = unmeasurable(&recordable, why_not);
        let won = if self.strict {
            "recorded_won"
        } else {
            "reached_won"
        };
        let mut nulls: Vec<Expr> = unmeasurable
            .iter()
            .flat_map(|(r, _)| [r.to_string(), format!("{r}_lo"), format!("{r}_hi")])
            .map(|c| lit(NULL).cast(DataType::Float64).alias(c))
            .collect();
        // Counts nothing can record are empty too, not 0 (a user trial's
        // Salesforce export: 840 won deals, none linked, read "0 won").
        for (stage, why) in uncountable(&recordable, why_not) {
            nulls.push(lit(NULL).cast(DataType::UInt32).alias(stage));
            unmeasurable.push((stage, why));
        }
        let checked = inputs.checked;
        if !checked.has(TableKind::Deals) {
            nulls.push(lit(NULL).cast(DataType::Float64).alias("revenue"));
            unmeasurable.push(("revenue", "no deals table".into()));
        } else if !linked {
            nulls.push(lit(NULL).cast(DataType::Float64).alias("revenue"));
            unmeasurable.push(("revenue", "no deal is linked to a lead".into()));
        }
        if !checked.records_contacts(inputs.activities_used) {
            nulls.push(lit(NULL).cast(DataType::UInt32).alias("contacted"));
            unmeasurable.push((
                "contacted",
                "no activities, contacted handoff or contacted column records a contact".into(),
            ));
        }
        // Both results in one run over the materialised lead_funnel.
        let plans = vec![
            table(
                funnel.clone(),
                self,
                match self.window_days {
                    Some(_) => inputs.as_of.required("bands --window")?,
                    None => inputs.as_of.time.unwrap_or(0),
                },
                &band_order,
            )?
            .with_columns(nulls),
            // The AUC needs each distinct score's won and other leads only.
            funnel
                .filter(col("score_at_mql").is_not_null())
                .group_by([col("score_at_mql")])
                .agg([
                    col(won)
                        .fill_null(lit(false))
                        .sum()
                        .cast(DataType::UInt64)
                        .alias("won"),
                    len().cast(DataType::UInt64).alias("leads"),
                ]),
        ];
        Ok(Step::stream(plans, move |frames| {
            let [table, scored] = take(frames, "bands")?;
            self.finish(inputs, table, scored, &band_order, &unmeasurable)
        }))
    }
}

/// A note when every scored lead falls in one of several bands (from 20
/// scored leads): the score's scale likely does not match the thresholds.
/// A trial's X Education scores (0–99, most below 25) put all 5,022
/// scored leads in D with nothing said. `table` is the bands table,
/// `groups` (score, won, other) per distinct score.
fn one_band_note(
    table: &DataFrame,
    groups: &[(f64, u64, u64)],
    bands: &crate::config::settings::Bands,
) -> Result<Option<String>> {
    let scored: u64 = groups.iter().map(|(_, w, o)| w + o).sum();
    if bands.thresholds.is_empty() || scored < 20 {
        return Ok(None);
    }
    let names = table.column("band")?.str()?;
    let leads = table.column("leads")?.cast(&DataType::UInt64)?;
    let filled: Vec<&str> = names
        .iter()
        .zip(leads.u64()?.iter())
        .filter_map(|(b, n)| Some((b?, n?)))
        .filter(|(b, n)| *n > 0 && *b != UNSCORED_LABEL && *b != ALL_LABEL)
        .map(|(b, _)| b)
        .collect();
    let [only] = filled[..] else {
        return Ok(None);
    };
    let (lo, hi) = groups
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (s, ..)| {
            (lo.min(*s), hi.max(*s))
        });
    let thresholds: Vec<String> = bands
        .thresholds
        .iter()
        .map(|(b, min)| format!("{b} ≥ {}", format::setting(*min)))
        .collect();
    Ok(Some(format!(
        "every scored lead ({}) is in band {only}, with scores from {} to {}: the bands' thresholds ({}) may not suit this score's scale; set [bands] thresholds in leadloop.toml",
        format::count(scored),
        format::setting(lo),
        format::setting(hi),
        thresholds.join(", ")
    )))
}

impl Options {
    fn plain(&self) -> bool {
        self.by.is_empty() && self.window_days.is_none()
    }

    fn finish<'a>(
        &self,
        inputs: &Inputs,
        table: DataFrame,
        scored: DataFrame,
        band_order: &[String],
        unmeasurable: &[(&str, String)],
    ) -> Result<Step<'a>> {
        let measurable = |rate: &str| !unmeasurable.iter().any(|(r, _)| *r == rate);
        // (score, won, not won) per distinct score: Mann–Whitney over groups.
        let groups: Vec<(f64, u64, u64)> = scored
            .column("score_at_mql")?
            .f64()?
            .iter()
            .zip(scored.column("won")?.u64()?.iter())
            .zip(scored.column("leads")?.u64()?.iter())
            .filter_map(|((s, w), n)| {
                let (w, n) = (w.unwrap_or(0), n.unwrap_or(0));
                Some((s?, w, n.saturating_sub(w)))
            })
            .collect();
        let auc = crate::stats::delong_counts(&groups).map(|d| d.auc);
        let mut summary = BandsSummary {
            auc_score_for_won: auc,
            ..BandsSummary::default()
        };
        if let Some(all) = Row::find(&table, "band", ALL_LABEL)? {
            summary.leads = all.count("leads")?;
            summary.mql = all.count("mql")?;
            summary.sql = all.count("sql")?;
            summary.won = measurable("won").then(|| all.count("won")).transpose()?;
            summary.revenue = all.float("revenue")?;
            summary.mql_to_sql = all.float("mql_to_sql")?;
            summary.lead_to_won = all.float("lead_to_won")?;
        }

        let (mut test_names, mut stat, mut df_col, mut p) = (
            vec!["auc_score_for_won"],
            vec![auc],
            vec![None::<u64>],
            vec![None::<f64>],
        );
        let chi = match self.plain() && measurable("mql_to_sql") {
            true => Some(chi_square(&table, band_order)?),
            false => None,
        };
        if let Some(chi) = chi {
            test_names.push("chi_square_mql_to_sql_across_bands");
            stat.push(chi.map(|c| c.statistic));
            df_col.push(chi.map(|c| c.df));
            p.push(chi.map(|c| c.p_value));
            summary.chi_square_p_value = chi.map(|c| c.p_value);
        }
        let mut report = Report::new("bands")
            .table(
                "bands",
                "Conversion by score band (score at first MQL; latest score for leads never MQL'd)",
                table.clone(),
            )
            .units(&UNITS)
            .table(
                "tests",
                "Does the score separate outcomes?",
                df!("test" => test_names, "statistic" => stat, "df" => df_col, "p_value" => p)?,
            )
            .units(&[("p_value", Unit::PValue)]);
        if self.plain() {
            let inv: Vec<Inversion> = inversions(&table, band_order)?
                .into_iter()
                .filter(|i| measurable(i.rate))
                .collect();
            summary.inversions = inv.len();
            report = report
                .table(
                    "inversions",
                    "Higher bands that convert worse than the band below",
                    df!(
                        "rate" => inv.iter().map(|i| i.rate).collect::<Vec<_>>(),
                        "higher" => inv.iter().map(|i| i.higher.clone()).collect::<Vec<_>>(),
                        "lower" => inv.iter().map(|i| i.lower.clone()).collect::<Vec<_>>(),
                        "higher_rate" => inv.iter().map(|i| i.higher_rate).collect::<Vec<_>>(),
                        "lower_rate" => inv.iter().map(|i| i.lower_rate).collect::<Vec<_>>(),
                        "intervals_overlap" => inv.iter().map(|i| i.intervals_overlap).collect::<Vec<_>>(),
                    )?,
                )
                .units(&[("higher_rate", Unit::Rate), ("lower_rate", Unit::Rate)]);
            for i in &inv {
                report.notes.push(format!(
                    "band {} converts worse than band {} on {} ({} vs {}); their 95% intervals {}",
                    i.higher,
                    i.lower,
                    i.rate,
                    format::pct(i.higher_rate),
                    format::pct(i.lower_rate),
                    if i.intervals_overlap {
                        "overlap, so this may be noise"
                    } else {
                        "do not overlap"
                    }
                ));
            }
        }
        if self.plain() {
            report.notes.extend(one_band_note(
                &table,
                &groups,
                &inputs.checked.settings.bands,
            )?);
        }
        for (column, why) in unmeasurable {
            report.notes.push(format!(
                "{column} is not measurable on this data set and is left empty: {why}"
            ));
        }
        if !self.plain() {
            report.notes.push(
                "the chi-square test and the inversions compare the overall bands: run bands without --by and --window for them".into(),
            );
        }
        report.notes.push(inputs.as_of.note.clone());
        if self.strict {
            report
                .notes
                .push("--strict: only recorded events count (no cumulative reach)".into());
        }
        if let Some(w) = self.window_days {
            report.notes.push(format!(
                "--window {w}: a stage counts only if reached within {w} days of the first MQL; rows with mature = false are cohorts whose window has not elapsed by as_of, never added into mature totals; stages known only by a flag are not counted"
            ));
        }
        report.notes.push(inputs.ledger_summary.clone());
        report.notes.extend(inputs.unlinked_note());
        Ok(Step::done(report, summary))
    }
}
