//! First contact (SPEC §3): the earliest recorded contact — a `contacted`
//! stage event (a handoff, or a timed wide-export column) or a sales
//! activity — at or after the lead's first MQL time.
//! Contacts before the MQL do not count, and reaching SQL does not imply one.

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{AT, LEAD_ROW, STAGE};

/// `frame` carries [`LEAD_ROW`] and `mql_at`; `events` are
/// `events::stage_events`; `activities` the sales activities keyed by lead
/// row. Adds `contacted_at` and `contacted`.
pub fn with_first_contact(
    frame: LazyFrame,
    events: Option<LazyFrame>,
    activities: Option<LazyFrame>,
) -> Result<LazyFrame> {
    let mut parts = Vec::new();
    if let Some(e) = events {
        parts.push(
            e.filter(col(STAGE).eq(lit("contacted")))
                .select([col(LEAD_ROW), col(AT)]),
        );
    }
    if let Some(a) = activities {
        parts.push(a.select([col(LEAD_ROW), col(AT)]));
    }
    let frame = match parts.len() {
        0 => frame.with_column(
            lit(NULL)
                .cast(crate::input::time::ts_dtype())
                .alias("contacted_at"),
        ),
        _ => {
            let contacts = concat(parts, UnionArgs::default())?;
            let first = contacts
                .join(
                    frame.clone().select([col(LEAD_ROW), col("mql_at")]),
                    [col(LEAD_ROW)],
                    [col(LEAD_ROW)],
                    JoinArgs::new(JoinType::Inner),
                )
                .filter(col(AT).gt_eq(col("mql_at")))
                .group_by([col(LEAD_ROW)])
                .agg([col(AT).min().alias("contacted_at")]);
            super::join_by_lead(frame, first)
        }
    };
    Ok(frame.with_column(col("contacted_at").is_not_null().alias("contacted")))
}
