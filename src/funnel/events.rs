//! Stage events (SPEC §1): one row per stage entry, from the handoffs table
//! and from a wide export's stage columns on the lead row —
//! `__lead_row, stage, at, rep_id`, `at` null for a flag-only
//! stage (reached at an unknown time).

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{AT, LEAD_ROW, REP_ID, STAGE};
use crate::quality::rules::wide;

/// `handoffs` keyed by lead row; `leads` the used leads with their wide
/// stage columns; `wide_stages` (stage, flag only) as configured. `None`
/// when neither gives an event.
pub fn stage_events(
    handoffs: Option<LazyFrame>,
    leads: Option<LazyFrame>,
    wide_stages: &[(String, bool)],
) -> Result<Option<LazyFrame>> {
    let mut parts = Vec::new();
    if let Some(h) = handoffs {
        parts.push(h.select([col(LEAD_ROW), col(STAGE), col(AT), col(REP_ID)]));
    }
    if let Some(leads) = leads {
        for (stage, flag_only) in wide_stages {
            let w = col(wide(stage));
            let (keep, at) = match flag_only {
                true => (w, lit(NULL).cast(crate::input::time::ts_dtype())),
                false => (w.clone().is_not_null(), w),
            };
            parts.push(leads.clone().filter(keep).select([
                col(LEAD_ROW),
                lit(stage.clone()).alias(STAGE),
                at.alias(AT),
                lit(NULL).cast(DataType::String).alias(REP_ID),
            ]));
        }
    }
    Ok(match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(concat(parts, UnionArgs::default())?),
    })
}
