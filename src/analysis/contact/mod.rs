//! `contact`: how many MQLs sales never calls, and how fast it calls the
//! rest (SPEC §4 "contact"), led by one sentence a sales leader can repeat.
//! `mqls` builds the per-MQL facts and the contact table, `speed` the
//! speed-to-lead tables and the band-adjusted odds ratio, `gap` the MQL→SQL
//! gap; this module runs them and writes the report.
//!
//! Definitions (SPEC §3, §4):
//! - An MQL is a lead that reached `mql` (cumulative), with its first MQL
//!   time; first contact is its earliest `contacted` event (handoff or
//!   activity) at or after that time (`lead_funnel.contacted_at`).
//! - hours to contact = contacted_at − mql_at, in hours.
//! - mature: the SLA window has elapsed by as_of (as_of − mql_at ≥
//!   sla_hours); contacted_within_sla counts mature MQLs contacted within
//!   sla_hours (≤); sla_rate = contacted_within_sla / mature_mql.
//! - never_contacted = mql − contacted, including MQLs still inside their
//!   SLA window; black_hole = never contacted and as_of − mql_at >
//!   black_hole_days.
//! - sql = the MQL reached SQL (cumulative); sql_rate_contacted and
//!   sql_rate_uncontacted split it by whether the MQL was contacted.
//! - The rep of an MQL is `lead_funnel.rep` (SPEC §3).
//!
//! Decisions where the spec is silent:
//! - An MQL known only by a flag (a wide export with no date) has no time to
//!   measure contact from, so it is left out (the command says how many).
//! - Extra columns after SPEC's: every rate's `_lo`/`_hi`, and
//!   `mature_never_contacted` with its rate over mature MQLs — the figure
//!   the leading sentence quotes, since an MQL inside its SLA window has not
//!   yet been missed.
//! - `--by` values repeated: groups are their combinations, `group` is the
//!   values joined by " / "; a null value is `(none)`; the table ends with
//!   the overall row `all`. Rows are ordered by MQLs (most first), or by
//!   group when a split is `month`.

pub mod gap;
pub mod mqls;
pub mod speed;

use polars::prelude::*;
use serde::Serialize;

pub use mqls::{mqls, table, Params, COLUMNS};

use super::plan::{take, Analysis, Inputs, Need, Step, Summary};
use super::{Row, ALL_LABEL};
use crate::error::Result;
use crate::input::schema::TableKind;
use crate::output::format::{self, Unit};
use crate::output::Report;
use crate::stats::OddsRatio;

/// What the user chose (`leadloop contact` flags); the default is `report`'s run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Lead_funnel columns to split by (`month`: first-MQL month; `rep`: the
    /// rep of the MQL). Empty means `rep`.
    pub by: Vec<String>,
    /// Hours within which an MQL should be contacted (default: the config's).
    pub sla_hours: Option<f64>,
    /// Age past which a never-contacted MQL is in the black hole (default: the config's).
    pub black_hole_days: Option<f64>,
}

/// Units of the contact table's columns (counts are integers).
const UNITS: [(&str, Unit); 8] = [
    ("contact_rate", Unit::Rate),
    ("sla_rate", Unit::Rate),
    ("median_hours_to_contact", Unit::Hours),
    ("p90_hours_to_contact", Unit::Hours),
    ("sql_rate_contacted", Unit::Rate),
    ("sql_rate_uncontacted", Unit::Rate),
    ("mature_never_rate", Unit::Rate),
    ("share", Unit::Rate),
];

/// MQLs from which a contact rate under 1% is cautioned as a likely gap
/// in the export (fewer is too few to tell).
const CONTACT_COVERAGE_MQLS: u64 = 100;

/// The headline figures of `contact`: its overall row, the band-adjusted
/// odds ratio of SQL for contact within the SLA, and the sentence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactSummary {
    pub sentence: Option<String>,
    pub mql: u64,
    pub mature_mql: u64,
    pub contacted: u64,
    pub never_contacted: u64,
    pub black_hole: u64,
    pub contact_rate: Option<f64>,
    pub sla_rate: Option<f64>,
    pub median_hours_to_contact: Option<f64>,
    pub mature_never_contacted: u64,
    pub mature_never_rate: Option<f64>,
    pub mature_never_rate_lo: Option<f64>,
    pub mature_never_rate_hi: Option<f64>,
    pub sql_rate_contacted: Option<f64>,
    pub sql_rate_uncontacted: Option<f64>,
    pub sla_odds_ratio_band_adjusted: Option<f64>,
    pub sla_odds_ratio_lo: Option<f64>,
    pub sla_odds_ratio_hi: Option<f64>,
}

impl Summary for ContactSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        self.sentence.as_ref().map(|s| format!("contact: {s}"))
    }
}

impl Analysis for Options {
    fn name(&self) -> &'static str {
        "contact"
    }

    fn requires(&self) -> &'static [Need] {
        &[
            Need::Table(TableKind::Leads),
            Need::StageEvents,
            Need::Contacts,
        ]
    }

    fn reads_touches(&self) -> bool {
        false
    }

    fn start<'a>(&'a self, inputs: &'a Inputs<'a>) -> Result<Step<'a>> {
        let settings = &inputs.checked.settings;
        let params = Params {
            by: match self.by.is_empty() {
                true => vec!["rep".to_string()],
                false => self.by.clone(),
            },
            sla_hours: self.sla_hours.unwrap_or(settings.sla_hours),
            black_hole_days: self.black_hole_days.unwrap_or(settings.black_hole_days),
            as_of: inputs.as_of.required("contact")?,
            band_order: inputs.band_order(),
        };
        let funnel = inputs.funnel("contact")?;
        let mqls = mqls(funnel.clone(), &params)?.cache();
        // MQLs known only by a flag (no time: left out), and timed MQLs with
        // and without a recorded MQL event (without one, their time is a
        // later stage's, SPEC §3, so a contact before it does not count).
        let count = |c: Expr| c.cast(DataType::UInt64).sum();
        let mql_counts = funnel.filter(col("reached_mql")).select([
            count(col("mql_at").is_null()).alias("untimed"),
            count(col("mql_at").is_not_null()).alias("timed"),
            count(col("mql_at").is_not_null().and(col("recorded_mql").not())).alias("inferred"),
        ]);
        let plans = vec![
            table(mqls.clone(), &params)?,
            speed::table(mqls.clone())?,
            speed::by_band(mqls.clone(), &params.band_order),
            speed::effect_counts(mqls.clone()),
            gap::table(mqls.clone(), &params.by)?,
            mql_counts,
            // A group called what contact names its overall row: its row
            // would merge into `all` (a breaker's source named "all").
            mqls.clone()
                .filter(col("group").eq(lit(ALL_LABEL)))
                .select([len().cast(DataType::UInt64).alias("n")]),
        ];
        Ok(Step::stream(plans, move |frames| {
            finish(inputs, &params, frames)
        }))
    }
}

fn finish<'a>(inputs: &Inputs, params: &Params, frames: Vec<DataFrame>) -> Result<Step<'a>> {
    let [table, speed, speed_by_band, counts, gap, mql_counts, named_all] =
        take(frames, "contact")?;
    if Row::at(&named_all, 0).map_or(Ok(0), |r| r.count("n"))? > 0 {
        let by: Vec<&str> = params.by.iter().map(String::as_str).collect();
        return Err(super::summary_name_taken(
            &inputs.checked.source,
            "leads",
            &by,
            ALL_LABEL,
            "contact",
        ));
    }
    let strata = speed::strata(&counts)?;
    let (effect, adjusted) = speed::effect(&strata)?;
    let mql_count = |c: &str| Row::at(&mql_counts, 0).map_or(Ok(0), |r| r.count(c));
    let (untimed, timed, inferred) = (
        mql_count("untimed")?,
        mql_count("timed")?,
        mql_count("inferred")?,
    );
    let mut summary = match summary(&table, adjusted)? {
        Some(mut s) => {
            s.sentence = Some(headline(&s, adjusted, params));
            s
        }
        None => ContactSummary::default(),
    };
    // Most MQL times inferred from a later stage: the never-contacted
    // figure counts the contacts before conversion as none (a user trial's
    // Salesforce export, whose standard statuses have no MQL step, read
    // "100% never contacted" with most leads worked).
    if inferred > 0 && 2 * inferred >= timed {
        if let Some(sentence) = summary.sentence.as_mut() {
            sentence.push_str(&format!(
                " Caution: {} of these MQLs have no recorded MQL, so their MQL time is a later stage's and a contact before it does not count (see the notes).",
                format::pct(inferred as f64 / timed as f64)
            ));
        }
    }
    // Fewer than one MQL in a hundred contacted: more likely an export
    // that records few contacts than a team that calls nobody (a user
    // trial's status history with one contacted row read "9,097 of 9,098
    // never contacted" with no warning).
    if summary.mql >= CONTACT_COVERAGE_MQLS && summary.contacted * 100 < summary.mql {
        if let Some(sentence) = summary.sentence.as_mut() {
            sentence.push_str(&format!(
                " Caution: only {} of {} MQLs have a recorded contact at or after their MQL; check that the export records contacts (activities, a contacted status) and that their times follow the MQL's before reading this as sales not calling.",
                format::count(summary.contacted),
                format::count(summary.mql)
            ));
        }
    }

    let by_text = params.by.join(" × ");
    let sla = format::setting(params.sla_hours);
    let mut report = Report::new("contact");
    report.headline = summary.sentence.clone();
    report = report
        .table("contact", &format!("MQL contact by {by_text}"), table)
        .units(&UNITS)
        .table(
            "speed",
            "Speed to lead: SQL rate by time to first contact (mature MQLs)",
            speed,
        )
        .units(&[("share", Unit::Rate), ("sql_rate", Unit::Rate)])
        .table(
            "speed_by_band",
            "Speed to lead within each score band (mature MQLs)",
            speed_by_band,
        )
        .units(&[("sql_rate", Unit::Rate)])
        .table(
            "speed_effect",
            &format!(
                "Odds of SQL, contacted within {sla} h vs later (band-adjusted: lead quality held fixed)"
            ),
            effect,
        )
        .table(
            "gap",
            &format!("Where MQLs stop, by {by_text}: SQL / contacted not SQL / not contacted"),
            gap,
        )
        .units(&[
            ("sql_share", Unit::Rate),
            ("contacted_not_sql_share", Unit::Rate),
            ("not_contacted_not_sql_share", Unit::Rate),
        ]);
    report.notes.push(format!(
        "SLA {sla} h: mature_mql = MQLs whose SLA window has elapsed by as_of; never_contacted includes MQLs still inside it; black_hole = never contacted and older than {} days",
        format::setting(params.black_hole_days)
    ));
    report.notes.push(
        "first contact = the earliest contacted handoff or sales activity at or after the first MQL; a contact before the MQL does not count".into(),
    );
    if inferred > 0 {
        report.notes.push(format!(
            "{} of {} MQLs have no recorded MQL event: their MQL time is their first later stage's (SQL, deal or win; SPEC §3), and a contact before it does not count. If your CRM has no MQL status (Salesforce's standard lead statuses have none) and leads are MQLs when created, say so in leadloop.toml: [tables.leads.stages] mql = {{ at = \"created_at\" }}",
            format::count(inferred),
            format::count(timed)
        ));
    }
    if untimed > 0 {
        report.notes.push(format!(
            "{} MQLs known only by a flag (no MQL time) are left out: contact cannot be timed from them",
            format::count(untimed)
        ));
    }
    report.notes.push(inputs.as_of.note.clone());
    report.notes.push(inputs.ledger_summary.clone());
    report.notes.extend(inputs.unlinked_note());
    Ok(Step::done(report, summary))
}

/// The overall row's figures and the adjusted odds ratio.
fn summary(table: &DataFrame, adjusted: Option<OddsRatio>) -> Result<Option<ContactSummary>> {
    let mut s = ContactSummary {
        sla_odds_ratio_band_adjusted: adjusted.map(|o| o.estimate),
        sla_odds_ratio_lo: adjusted.and_then(|o| o.lo),
        sla_odds_ratio_hi: adjusted.and_then(|o| o.hi),
        ..ContactSummary::default()
    };
    if let Some(all) = Row::find(table, "group", ALL_LABEL)? {
        s.mql = all.count("mql")?;
        s.mature_mql = all.count("mature_mql")?;
        s.contacted = all.count("contacted")?;
        s.never_contacted = all.count("never_contacted")?;
        s.black_hole = all.count("black_hole")?;
        s.contact_rate = all.float("contact_rate")?;
        s.sla_rate = all.float("sla_rate")?;
        s.median_hours_to_contact = all.float("median_hours_to_contact")?;
        s.mature_never_contacted = all.count("mature_never_contacted")?;
        s.mature_never_rate = all.float("mature_never_rate")?;
        s.mature_never_rate_lo = all.float("mature_never_rate_lo")?;
        s.mature_never_rate_hi = all.float("mature_never_rate_hi")?;
        s.sql_rate_contacted = all.float("sql_rate_contacted")?;
        s.sql_rate_uncontacted = all.float("sql_rate_uncontacted")?;
        return Ok(Some(s));
    }
    Ok(None)
}

/// The sentence a sales leader can repeat, from the overall figures.
fn headline(s: &ContactSummary, effect: Option<OddsRatio>, params: &Params) -> String {
    if s.mql == 0 {
        return "No MQLs with a time: nothing to measure contact from.".into();
    }
    let mut text = match (s.mature_never_rate, s.mature_never_rate_lo, s.mature_never_rate_hi) {
        (Some(r), Some(lo), Some(hi)) => format!(
            "{} of {} mature MQLs ({}, {}–{}) were never contacted; {} have waited more than {} days (the black hole).",
            format::count(s.mature_never_contacted),
            format::count(s.mature_mql),
            format::pct(r),
            format::pct(lo),
            format::pct(hi),
            format::count(s.black_hole),
            format::setting(params.black_hole_days)
        ),
        _ => "No MQL has passed its SLA window yet.".into(),
    };
    if let (Some(r), Some(median)) = (s.sla_rate, s.median_hours_to_contact) {
        text.push_str(&format!(
            " {} were contacted within {} h; the median first contact took {:.1} h.",
            format::pct(r),
            format::setting(params.sla_hours),
            median
        ));
    }
    // Over every MQL, as the table's columns are (SPEC §4): the clauses
    // before are over mature MQLs, and the speed table's rates, over those
    // too, differ in the last digit, so the base is named.
    if let (Some(c), Some(n)) = (s.sql_rate_contacted, s.sql_rate_uncontacted) {
        text.push_str(&format!(
            " Of all {} MQLs, those contacted became SQL at {}, those never contacted at {}.",
            format::count(s.mql),
            format::pct(c),
            format::pct(n)
        ));
    }
    if let Some(OddsRatio {
        estimate,
        lo: Some(lo),
        hi: Some(hi),
        ..
    }) = effect
    {
        let chance = if lo <= 1.0 && hi >= 1.0 {
            ", which could be chance"
        } else {
            ""
        };
        text.push_str(&format!(
            " With score band held fixed, contact within {} h goes with {:.2}× the odds of SQL of a later first contact (95% CI {:.2}–{:.2}){chance}.",
            format::setting(params.sla_hours),
            estimate,
            lo,
            hi
        ));
    }
    text
}
