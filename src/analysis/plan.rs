//! The seam between an analysis and the command that runs it.
//!
//! An analysis owns its whole computation: from what it reads ([`Inputs`]:
//! the judged data set, `lead_funnel`, as_of) and its typed options to lazy
//! plans, and from the collected frames to its [`Report`] and a typed
//! [`Summary`] (the headline figures `report` prints and writes to
//! summary.json). It never collects, reads files or prints: it hands the
//! runner (`commands::run`) a [`Step`], either finished or "collect these
//! plans, then continue with the frames". An analysis whose later plans
//! depend on earlier results (roi: Markov removal effects solved in Rust
//! between two collects) simply returns several steps.

use polars::prelude::*;

use crate::config::Zone;
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::Report;
use crate::quality::{Checked, Ledger};

/// What an analysis reads: the judged data set, `lead_funnel` (materialised
/// once per run when the data set has leads), and the run's as_of.
pub struct Inputs<'a> {
    pub checked: &'a Checked,
    funnel: Option<LazyFrame>,
    pub as_of: AsOf,
    /// The ledger's one-line summary, which every report cites in its notes.
    pub ledger_summary: String,
    /// How many used deals have no lead (SPEC §1: per-lead analyses count
    /// linked deals only, and say so).
    pub unlinked_deals: u64,
    /// Used deals linked to a lead (0 without deals).
    pub linked_deals: u64,
    /// Used activities (the ledger's count).
    pub activities_used: u64,
}

impl<'a> Inputs<'a> {
    pub fn new(checked: &'a Checked, funnel: Option<LazyFrame>, ledger: &Ledger) -> Inputs<'a> {
        Inputs {
            checked,
            funnel,
            as_of: AsOf::of(checked, ledger),
            ledger_summary: ledger.summary(),
            unlinked_deals: ledger.table("deals").map_or(0, |t| t.unlinked),
            activities_used: ledger
                .table(TableKind::Activities.name())
                .map_or(0, |t| t.used),
            linked_deals: ledger
                .table("deals")
                .map_or(0, |t| t.used.saturating_sub(t.unlinked)),
        }
    }

    /// The note of a per-lead analysis about deals linked to no lead; when
    /// none is, what would link them.
    pub fn unlinked_note(&self) -> Option<String> {
        (self.unlinked_deals > 0 && self.funnel.is_some()).then(|| {
            // How to link them, whether none or some are (a breaker's one
            // linked open deal hid the advice beside 840 unlinked wins).
            let how = "; a deal's lead_id links it, or the leads' converted_deal_id (Salesforce's ConvertedOpportunityId, HubSpot's associated deal), or a deal_leads table";
            format!(
                "{} linked to no lead: counted in winloss only{how}",
                crate::output::format::count_of(self.unlinked_deals, "deal is", "deals are")
            )
        })
    }

    /// `lead_funnel`, or the missing-leads error naming `analysis`.
    pub fn funnel(&self, analysis: &str) -> Result<LazyFrame> {
        match &self.funnel {
            Some(f) => Ok(f.clone()),
            None => Err(self
                .checked
                .require(TableKind::Leads, analysis)
                .err()
                .unwrap_or_else(|| Error::Internal(format!("{analysis}: no lead_funnel")))),
        }
    }

    /// `lead_funnel` when the data set has leads.
    pub fn funnel_if_any(&self) -> Option<LazyFrame> {
        self.funnel.clone()
    }

    /// Band names from best to worst, as configured (without `unscored`).
    pub fn band_order(&self) -> Vec<String> {
        self.checked.settings.bands.names()
    }

    /// The zone reporting periods are cut in.
    pub fn zone(&self) -> &Zone {
        &self.checked.settings.timezone
    }
}

/// The `as_of` of a run (SPEC §3): `--as-of` or the config's, else the
/// latest timestamp in the data; with the sentence reports cite.
#[derive(Debug, Clone)]
pub struct AsOf {
    /// Microseconds since the epoch (UTC); `None` when the data has no
    /// timestamp at all and no `--as-of` was given.
    pub time: Option<i64>,
    pub note: String,
}

impl AsOf {
    /// as_of, or the one-line error of an analysis that measures time to it
    /// on data with no timestamp (rather than an as_of of 1970).
    pub fn required(&self, analysis: &str) -> Result<i64> {
        self.time.ok_or_else(|| Error::NothingToAnalyse {
            detail: format!(
                "{analysis}: no table has a timestamp to measure time to as_of; give --as-of DATE (or timestamps in the data)"
            ),
        })
    }

    pub fn of(checked: &Checked, ledger: &Ledger) -> AsOf {
        let shown = |t: i64| {
            chrono::DateTime::from_timestamp_micros(t)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        match checked.settings.as_of {
            Some(t) => AsOf {
                time: Some(t.timestamp_micros()),
                note: format!("as_of {}", shown(t.timestamp_micros())),
            },
            None if ledger.latest.is_none() => AsOf {
                time: None,
                note: "no as_of: the data has no timestamp (give --as-of for time-based figures)"
                    .into(),
            },
            None => {
                // The end of the day of the latest timestamp, in the zone
                // (SPEC §3): an export cut at midnight makes its last month
                // complete.
                let latest = ledger.latest.unwrap_or(0);
                let zone = checked.settings.timezone;
                let end = chrono::DateTime::from_timestamp_micros(latest)
                    .map(|t| t.with_timezone(&zone.tz()).date_naive())
                    .and_then(|d| crate::config::settings::end_of_day(d, &zone).ok())
                    .map_or(latest, |t| t.timestamp_micros());
                AsOf {
                    time: Some(end),
                    note: format!(
                        "as_of {} (the end of the day of the latest timestamp in the data, {})",
                        shown(end),
                        shown(latest)
                    ),
                }
            }
        }
    }
}

/// The headline figures of a finished analysis, typed by the analysis.
pub trait Summary {
    /// The figures as summary.json holds them under `headline.<analysis>`.
    fn json(&self) -> serde_json::Value;
    /// The line `report` prints for this analysis, if any.
    fn line(&self) -> Option<String>;
}

/// A finished analysis: its report and its headline figures.
pub struct Finished {
    pub report: Report,
    pub summary: Box<dyn Summary>,
}

/// The rest of an analysis once its plans are collected.
pub type Then<'a> = Box<dyn FnOnce(Vec<DataFrame>) -> Result<Step<'a>> + 'a>;

/// Where an analysis stands: finished, or waiting for plans to be collected.
pub enum Step<'a> {
    Done(Finished),
    Collect {
        plans: Vec<LazyFrame>,
        /// Collect with polars' streaming engine (large joins over every
        /// lead or touch) rather than in memory.
        streaming: bool,
        then: Then<'a>,
    },
}

impl<'a> Step<'a> {
    /// Collect `plans` in memory (in one run, sharing common subplans), then `then`.
    pub fn collect(
        plans: Vec<LazyFrame>,
        then: impl FnOnce(Vec<DataFrame>) -> Result<Step<'a>> + 'a,
    ) -> Step<'a> {
        Step::Collect {
            plans,
            streaming: false,
            then: Box::new(then),
        }
    }

    /// Collect `plans` with the streaming engine, then `then`.
    pub fn stream(
        plans: Vec<LazyFrame>,
        then: impl FnOnce(Vec<DataFrame>) -> Result<Step<'a>> + 'a,
    ) -> Step<'a> {
        Step::Collect {
            plans,
            streaming: true,
            then: Box::new(then),
        }
    }

    pub fn done(report: Report, summary: impl Summary + 'static) -> Step<'a> {
        Step::Done(Finished {
            report,
            summary: Box::new(summary),
        })
    }
}

/// Collected frames in the order their plans were given, taken by count.
pub fn take<const N: usize>(frames: Vec<DataFrame>, analysis: &str) -> Result<[DataFrame; N]> {
    let got = frames.len();
    <[DataFrame; N]>::try_from(frames)
        .map_err(|_| Error::Internal(format!("{analysis}: expected {N} results, got {got}")))
}

/// Something an analysis cannot do without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Table(TableKind),
    /// Stage events: a handoffs table, or stage columns of a wide export.
    StageEvents,
    /// A record of contacts: activities, handoffs or a timed `contacted`
    /// column of a wide export (SPEC §3: reaching SQL does not imply one);
    /// that a used row has one is checked with the ledger
    /// ([`Checked::records_contacts`]).
    Contacts,
    /// Times to measure from: the leads' creation times (not declared
    /// absent) and a timed stage (handoffs, a timed wide column, or deals).
    TimedStages,
    /// A lead score: a scores table or the leads' `score` column.
    Score,
}

impl Need {
    pub fn met(self, checked: &Checked) -> bool {
        match self {
            Need::Table(kind) => checked.has(kind),
            Need::StageEvents => {
                checked.has(TableKind::Handoffs) || !checked.wide_stages.is_empty()
            }
            // Whether a used row has one is the ledger's to say
            // (`commands::unusable`): this is only whether one could.
            Need::Contacts => {
                checked.has(TableKind::Handoffs)
                    || checked.has(TableKind::Activities)
                    || checked.contacted_column() == Some(true)
            }
            Need::Score => {
                checked.has(TableKind::Scores)
                    || checked.keyed(TableKind::Leads).is_some_and(|mut l| {
                        l.collect_schema()
                            .is_ok_and(|s| s.contains(crate::input::schema::SCORE))
                    })
            }
            Need::TimedStages => {
                checked.leads_timed
                    && (checked.has(TableKind::Handoffs)
                        || checked.has(TableKind::Deals)
                        || checked.wide_stages.iter().any(|(_, flag_only)| !flag_only))
            }
        }
    }

    /// What the data set lacks, as `report` lists it (`a leads table`).
    pub fn describe(self) -> String {
        match self {
            Need::Table(TableKind::Spend) => {
                "a spend table; `leadloop bands --by source` gives conversion and revenue by source without it".into()
            }
            Need::Table(kind) => format!("a {kind} table"),
            Need::StageEvents => {
                "stage events: a handoffs table or stage columns in leadloop.toml".into()
            }
            Need::Contacts => {
                "a record of contacts: activities, contacted handoffs or a timed contacted column".into()
            }
            Need::Score => "a lead score: a scores table or a score column in leads".into(),
            Need::TimedStages => {
                "times: the leads' created_at and a timed stage (handoffs, deals or a stage date column)".into()
            }
        }
    }

    /// The one-line missing-input error for `analysis`.
    pub fn error(self, checked: &Checked, analysis: &str) -> Error {
        match self {
            Need::Table(kind) => checked
                .require(kind, analysis)
                .err()
                .unwrap_or_else(|| Error::Internal(format!("{analysis}: {kind} is there"))),
            Need::StageEvents => Error::MissingTable {
                table: "handoffs".into(),
                place: checked.source.clone(),
                hint: format!(
                    " ({analysis} needs stage events: a handoffs table, or the leads' stage columns under [tables.leads.stages] in leadloop.toml)"
                ),
            },
            Need::TimedStages => Error::NothingToAnalyse {
                detail: format!(
                    "{analysis}: {}, so no time from stage to stage can be measured",
                    match checked.leads_timed {
                        false => "the leads have no created_at (the config declares it absent)",
                        true => "no handoffs, deals or stage date column gives a stage a time",
                    }
                ),
            },
            Need::Score => Error::NothingToAnalyse {
                detail: format!(
                    "{analysis}: the data set has no lead score (a scores table or a score column in leads)"
                ),
            },
            Need::Contacts => no_contacts(checked, analysis),
        }
    }
}

/// One analysis: a name, what it cannot do without, and its plan.
/// The options type implements it, so `Options::default()` is the analysis
/// as `report` runs it.
pub trait Analysis {
    /// The stem of its files and its key in summary.json.
    fn name(&self) -> &'static str;
    /// What it cannot do without, in the order a missing one is reported.
    fn requires(&self) -> &'static [Need];
    /// Its plan over `inputs`.
    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>>;
    /// Whether it reads the touches' rows (lead_funnel has none of them).
    /// A run that keeps no judged tables (`--no-cache`) only counts the
    /// touches of an analysis that does not: at 10M leads writing them
    /// took 5.5 s, counting them 1.5 s. True unless an analysis says not.
    fn reads_touches(&self) -> bool {
        true
    }
}

/// contact's one-line error when no used row records a contact: what was
/// there and why it records none (the advice to map a status is wrong
/// when the rows were set aside), else what would record one.
pub fn no_contacts(checked: &Checked, analysis: &str) -> Error {
    let mut there = Vec::new();
    let set_aside = checked.contacts_set_aside();
    let mut then = match set_aside > 0 || checked.has(TableKind::Activities) {
        true => "; `leadloop validate` lists the rows set aside and why",
        false => "",
    };
    if set_aside > 0 {
        there.push(format!(
            "{} at stage contacted set aside",
            crate::output::format::count_of(set_aside, "handoff", "handoffs")
        ));
    }
    if checked.has(TableKind::Activities) {
        there.push("no activity used".to_string());
    }
    match checked.contacted_column() {
        Some(true) => there.push("no time in the contacted column".to_string()),
        Some(false) => {
            there.push("a contacted flag has no time to follow an MQL".to_string());
            if set_aside == 0 && !checked.has(TableKind::Activities) {
                then = "; name a column with the time ([tables.leads.stages] contacted = { at = \"...\" })";
            }
        }
        None => {}
    }
    let detail = match there.is_empty() {
            true => format!(
                "{analysis}: no activities, contacted handoff or timed contacted column records a contact; add activities, map a status to contacted ([tables.handoffs] stage_map) or name a column ([tables.leads.stages] contacted = {{ at = \"...\" }})"
            ),
            false => format!(
                "{analysis}: no used row records a contact ({}){then}",
                there.join(", ")
            ),
        };
    Error::NothingToAnalyse { detail }
}
