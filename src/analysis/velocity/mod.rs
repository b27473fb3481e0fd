//! `velocity`: how long leads take from stage to stage, honest about the
//! leads that have not got there yet (SPEC §4 "velocity").
//!
//! What it computes: per group (`--by`) and transition (`lead_to_mql`,
//! `mql_to_sql`, `sql_to_won`, `lead_to_won`): entered, reached, censored,
//! the Kaplan–Meier median days and the probability of having made the
//! transition by 30, 60 and 90 days, each with 95% bounds (Greenwood
//! variance, log(−log) bounds: `stats::kaplan_meier`). `recycling` adds the
//! recycled and re-MQL'd MQLs and the SQL rate of first-pass vs recycled ones.
//!
//! Definitions: entered = leads with a time at the from-stage at or before
//! as_of (`created_at` for `lead`, else the cumulative stage time of SPEC §3
//! from lead_funnel); time = to-time − from-time in days; a lead without a
//! to-time by as_of is censored at as_of; a to-time equal to the from-time
//! is an event at day 0. `month` groups by the month of the from-stage time
//! in the configured zone.
//!
//! Decisions where the spec is silent:
//! - A lead that reached the to-stage only by a flag (no time) cannot be
//!   timed: left out of that transition, with a note (SPEC: flag-only stages
//!   are left out). So is a to-time before the from-time (a wide export's
//!   stage columns are not checked against `created_at`), with a note.
//! - p_by_Xd is empty where the group's follow-up ends before X days while
//!   some of it had not made the transition (the curve is unknown there), as
//!   R's `summary.survfit` drops such times; median bounds are empty where a
//!   band never reaches 0.5.
//! - Rows: groups by name, then `all`; transitions in SPEC's order.

mod curves;
mod recycling;

use polars::prelude::*;
use serde::Serialize;

pub use curves::{Transition, COLUMNS, TRANSITIONS};
pub use recycling::COLUMNS as RECYCLING_COLUMNS;

use super::plan::{Analysis, Inputs, Need, Step, Summary};
use crate::error::Result;
use crate::input::schema::TableKind;
use crate::output::format::{self, Unit};
use crate::output::Report;

/// What the user chose (`leadloop velocity` flags); the default is `report`'s run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Lead_funnel columns to split by; `month` is the from-stage's month.
    pub by: Vec<String>,
}

/// Units of the velocity table's columns.
const UNITS: [(&str, Unit); 4] = [
    ("median_days", Unit::Days),
    ("p_by_30d", Unit::Rate),
    ("p_by_60d", Unit::Rate),
    ("p_by_90d", Unit::Rate),
];

/// One overall transition's headline figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransitionSummary {
    pub entered: u64,
    pub reached: u64,
    pub median_days: Option<f64>,
    pub p_by_90d: Option<f64>,
    /// The share that made it by the longest of 90, 60 and 30 days the
    /// follow-up covers, and that horizon.
    pub p_within: Option<f64>,
    pub within_days: Option<u32>,
}

/// The headline figures of `velocity`: each overall transition.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VelocitySummary {
    pub transitions: std::collections::BTreeMap<String, TransitionSummary>,
}

impl Summary for VelocitySummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(&self.transitions).unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        let get = |t: &Transition| self.transitions.get(t.name).map(|s| (t.name, s));
        let by_90: Vec<String> = TRANSITIONS
            .iter()
            .filter_map(get)
            .map(|(n, s)| match (s.p_within, s.within_days) {
                (Some(p), Some(d)) => format!("{n} {} by {d} days", format::pct(p)),
                _ => format!("{n} –"),
            })
            .collect();
        if by_90.is_empty() {
            return None;
        }
        let medians: Vec<String> = TRANSITIONS
            .iter()
            .filter_map(get)
            .filter_map(|(n, s)| Some(format!("{n} {:.1}", s.median_days?)))
            .collect();
        Some(format!(
            "velocity (Kaplan–Meier): {}; median days {}",
            by_90.join(", "),
            match medians.is_empty() {
                true => "not reached: in no transition had half the leads made it by as_of".into(),
                false => medians.join(", "),
            }
        ))
    }
}

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "velocity"
    }

    fn requires(&self) -> &'static [Need] {
        &[
            Need::Table(TableKind::Leads),
            Need::StageEvents,
            Need::TimedStages,
        ]
    }

    fn reads_touches(&self) -> bool {
        false
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let mut funnel = inputs.funnel("velocity")?;
        super::check_by(&mut funnel, &self.by, &[])?;
        let zone = *inputs.zone();
        let long = curves::durations(
            funnel.clone(),
            &self.by,
            inputs.as_of.required("velocity")?,
            &zone,
        )?
        .cache();
        let split = !self.by.is_empty();
        let events = recycling::events(inputs.checked)?;
        let has_events = events.is_some();
        let mut plans = vec![
            curves::left_out(long.clone()),
            recycling::leads(funnel, &self.by),
        ];
        plans.extend(events);
        plans.extend(curves::sorted_times(long.clone()));
        if split {
            plans.push(curves::counts(long));
        }
        // Streamed: the per-(lead, transition) frame is four rows a lead.
        Ok(Step::stream(plans, move |frames| {
            let mut frames = frames.into_iter();
            let (Some(left_out), Some(leads)) = (frames.next(), frames.next()) else {
                return Err(crate::error::Error::Internal(
                    "velocity: tables not collected".into(),
                ));
            };
            let events = match has_events {
                true => frames.next(),
                false => None,
            };
            let recycling = recycling::table(leads, events.as_ref(), &self.by)?;
            drop(events);
            let sorted: Vec<DataFrame> = frames
                .by_ref()
                .take(2 * curves::TRANSITIONS.len())
                .collect();
            let counts = frames.next();
            finish(
                inputs,
                &self.by,
                &sorted,
                counts.as_ref(),
                &left_out,
                recycling,
            )
        }))
    }
}

fn finish<'a>(
    inputs: &Inputs,
    by: &[String],
    sorted: &[DataFrame],
    counts: Option<&DataFrame>,
    left_out: &DataFrame,
    recycling: DataFrame,
) -> Result<Step<'a>> {
    // A group called what velocity names its overall row would be a second
    // `all` row (a breaker's source named "all"), as roi refuses it too.
    if let Some(counts) = counts {
        let groups = counts.column("group")?.str()?;
        if groups.iter().any(|g| g == Some(super::ALL_LABEL)) {
            let by: Vec<&str> = by.iter().map(String::as_str).collect();
            return Err(super::summary_name_taken(
                &inputs.checked.source,
                "leads",
                &by,
                super::ALL_LABEL,
                "velocity",
            ));
        }
    }
    let (table, drawn, mut overall) = curves::table(sorted, counts)?;
    // A transition whose from-stage no input records short of a later
    // stage is instantaneous by construction (Olist: every SQL is one
    // because it won): left out, with a note.
    let recordable = crate::funnel::recordable_stages(inputs.checked, inputs.linked_deals > 0);
    let recorded = |stages: &[&str]| {
        stages
            .iter()
            .any(|s| *s == "lead" || recordable.iter().any(|r| r == s))
    };
    // Days to a stage need its time: a won flag alone (a wide export's
    // `won = { flag = ... }`) gave "sql_to_won 0.0% (0.0–0.0)" beside
    // bands' wins (a breaker's find).
    let timed = crate::funnel::timed_stages(inputs.checked, inputs.linked_deals > 0);
    let timed_to = |stages: &[&str]| stages.iter().any(|s| timed.iter().any(|r| r == s));
    // The same stages bands' rates are judged by (`lead` is always there):
    // a from-stage no input records short of a later one, or a to-stage
    // no input records at all (none reaches it: 0% by construction; a user
    // trial's unlinked won deals read "sql_to_won 0.0% (0.0–0.0)").
    let hint = super::bands::unlinked_reason(inputs.checked, inputs.linked_deals)
        .map_or(String::new(), |r| format!("; {r}"));
    let unmeasured: Vec<(&str, String)> = super::bands::RATE_STAGES
        .iter()
        .filter_map(|(name, from, to)| match (recorded(from), recorded(to), timed_to(to)) {
            (false, _, _) => Some((*name, format!(
                "{name} left out: no input records {} short of a later stage, so every lead there reached it at the same moment it moved on (0 days by construction)",
                from[0]
            ))),
            (true, false, _) => Some((*name, format!(
                "{name} left out: no input records {}, so no lead reaches it (0% by construction{hint})",
                to.join(", ")
            ))),
            (true, true, false) => Some((*name, format!(
                "{name} left out: no input records a time for {} (a flag only), so no day of reaching it can be measured",
                to.join(", ")
            ))),
            (true, true, true) => None,
        })
        .collect();
    let names: Vec<&str> = unmeasured.iter().map(|(n, _)| *n).collect();
    // Left out of the table and of the curves alike (a breaker found the
    // curves' files still drawing them at 0).
    let without = |frame: DataFrame| -> Result<DataFrame> {
        Ok(match names.is_empty() {
            true => frame,
            false => frame
                .lazy()
                .filter(
                    col("transition")
                        .is_in(
                            lit(Series::new("t".into(), names.clone())).implode(false),
                            false,
                        )
                        .not(),
                )
                .collect()?,
        })
    };
    let table = without(table)?;
    let drawn = without(drawn)?;
    overall.retain(|name, _| !names.contains(&name.as_str()));
    let summary = VelocitySummary {
        transitions: overall,
    };
    let by_text = match by.is_empty() {
        true => "all leads".to_string(),
        false => by.join(" × "),
    };
    let mut report = Report::new("velocity")
        .table(
            "velocity",
            &format!("Days from stage to stage (Kaplan–Meier, censored at as_of), by {by_text}"),
            table,
        )
        .units(&UNITS)
        .table(
            "recycling",
            &format!("Recycled MQLs and their SQL rate, by {by_text}"),
            recycling,
        )
        .units(&[
            ("sql_rate_first_pass", Unit::Rate),
            ("sql_rate_recycled", Unit::Rate),
        ])
        .table(
            "curves",
            "Kaplan–Meier curves of every lead: the share that made each transition by day 0–180",
            drawn,
        )
        .units(&[("reached_share", Unit::Rate)])
        .preview(0);
    report.notes.push(
        "entered = leads at the from-stage by as_of; reached = made the transition by as_of; censored = not yet, counted until as_of (never as a loss); p_by_Xd = 1 − S(X), empty where the group's follow-up ends before X days; median bounds are where the curve's 95% bounds cross 0.5".into(),
    );
    report.notes.extend(curves::left_out_notes(left_out)?);
    for (_, why) in &unmeasured {
        report.notes.push(why.clone());
    }
    if !inputs.checked.has(TableKind::Handoffs) {
        report.notes.push(
            "no handoffs table: recycling needs `recycled` events, so the recycling table counts none".into(),
        );
    }
    report.notes.push(inputs.as_of.note.clone());
    report.notes.push(inputs.ledger_summary.clone());
    report.notes.extend(inputs.unlinked_note());
    Ok(Step::done(report, summary))
}
