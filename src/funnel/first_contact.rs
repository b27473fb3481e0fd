//! First contact (SPEC §3): the earliest recorded contact — a `contacted`
//! stage event (a handoff, or a timed wide-export column) or a sales
//! activity — at or after the lead's first MQL time.
//! Contacts before the MQL do not count, and reaching SQL does not imply one.

use polars::prelude::*;

use super::dense;
use crate::error::Result;
use crate::input::schema::{AT, LEAD_ROW, STAGE};

/// `frame` has one row per lead (lead `i` at row `i`) and `mql_at`;
/// `events` are `events::stage_events`; `activities` the sales activities
/// keyed by lead row. Adds `contacted_at` and `contacted`.
pub fn with_first_contact(
    frame: DataFrame,
    events: Option<&DataFrame>,
    activities: Option<LazyFrame>,
) -> Result<DataFrame> {
    let mut parts = Vec::new();
    if let Some(e) = events {
        parts.push(
            e.clone()
                .lazy()
                .filter(col(STAGE).eq(lit("contacted")))
                .select([col(LEAD_ROW), col(AT)]),
        );
    }
    if let Some(a) = activities {
        parts.push(a.select([col(LEAD_ROW), col(AT)]));
    }
    let frame = match parts.len() {
        0 => frame.lazy().with_column(
            lit(NULL)
                .cast(crate::input::time::ts_dtype())
                .alias("contacted_at"),
        ),
        _ => {
            // Each contact beside its lead's MQL time.
            let contacts = concat(parts, UnionArgs::default())?;
            let first = dense::with_lead_value(contacts, &frame, "mql_at")?
                .filter(col(AT).gt_eq(col("mql_at")))
                .group_by([col(LEAD_ROW)])
                .agg([col(AT).min().alias("contacted_at")]);
            dense::beside(frame, first)?.lazy()
        }
    };
    Ok(frame
        .with_column(col("contacted_at").is_not_null().alias("contacted"))
        .collect()?)
}
