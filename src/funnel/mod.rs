//! `lead_funnel` (SPEC §5): one row per used lead, the one fact table every
//! analysis reads.
//!
//! What it computes, per lead: its dimensions (every leads column), the
//! first time at each stage, cumulative and recorded-only reach flags, the
//! score at first MQL and its band, deal counts and won revenue, times
//! recycled, and cohort months in the configured zone.
//!
//! Definitions (SPEC §3): see `stages` (first entry, cumulative reach),
//! `first_contact`, `band_at_mql`, `cohort`.
//!
//! Edge cases: a lead with no events has every stage null and every flag
//! false; a flag-only stage (wide export) sets its reach flag with a null
//! time; deals for set-aside or unknown leads never reach this table (the
//! ledger set them aside).

pub mod band_at_mql;
pub mod cohort;
pub mod first_contact;
pub mod stages;

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{TableKind, LEAD_ID};
use crate::quality::Checked;

/// The columns every lead_funnel has, in order, after the lead's own columns.
pub const COLUMNS: [&str; 27] = [
    "mql_at",
    "contacted_at",
    "sal_at",
    "sql_at",
    "opportunity_at",
    "won_at",
    "reached_mql",
    "contacted",
    "reached_sql",
    "reached_opportunity",
    "reached_won",
    "recorded_mql",
    "recorded_sql",
    "recorded_opportunity",
    "recorded_won",
    "score_at_mql",
    "band",
    "deals",
    "deals_won",
    "deals_lost",
    "deals_open",
    "revenue",
    "times_recycled",
    "created_month",
    "mql_month",
    "flag_only_stages",
    "has_created_at",
];

/// The lazy plan of `lead_funnel` over the used rows of `checked`.
pub fn build(checked: &Checked) -> Result<LazyFrame> {
    let leads = checked.require(TableKind::Leads, "lead_funnel")?;
    let lead_columns: Vec<String> = {
        let mut l = leads.clone();
        l.collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .collect()
    };
    let events = checked.stage_events()?;
    let deals = checked.used(TableKind::Deals);
    let frame = stages::with_stages(leads, events, deals)?;
    let frame = first_contact::with_first_contact(frame, checked)?;
    let frame = band_at_mql::with_band(
        frame,
        checked.used(TableKind::Scores),
        &lead_columns,
        &checked.settings.bands,
    );
    let frame = cohort::with_months(frame, &checked.settings.timezone);
    let mut select: Vec<Expr> = lead_columns
        .iter()
        .filter(|c| c.as_str() != "score")
        .map(|c| col(c.as_str()))
        .collect();
    select.extend(COLUMNS.iter().map(|c| col(*c)));
    Ok(frame.select(select).sort(
        [LEAD_ID],
        SortMultipleOptions::default().with_maintain_order(true),
    ))
}
