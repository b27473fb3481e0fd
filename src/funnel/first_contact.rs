//! First contact (SPEC §3): the earliest recorded contact — a `contacted`
//! handoff or a sales activity — at or after the lead's first MQL time.
//! Contacts before the MQL do not count, and reaching SQL does not imply one.

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{TableKind, AT, LEAD_ID, STAGE};
use crate::quality::Checked;

pub fn with_first_contact(frame: LazyFrame, checked: &Checked) -> Result<LazyFrame> {
    let mut parts = Vec::new();
    if let Some(h) = checked.used(TableKind::Handoffs) {
        parts.push(
            h.filter(col(STAGE).eq(lit("contacted")))
                .select([col(LEAD_ID), col(AT)]),
        );
    }
    if let Some(a) = checked.used(TableKind::Activities) {
        parts.push(a.select([col(LEAD_ID), col(AT)]));
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
                    frame.clone().select([col(LEAD_ID), col("mql_at")]),
                    [col(LEAD_ID)],
                    [col(LEAD_ID)],
                    JoinArgs::new(JoinType::Inner),
                )
                .filter(col(AT).gt_eq(col("mql_at")))
                .group_by([col(LEAD_ID)])
                .agg([col(AT).min().alias("contacted_at")]);
            frame.join(
                first,
                [col(LEAD_ID)],
                [col(LEAD_ID)],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
        }
    };
    Ok(frame.with_column(col("contacted_at").is_not_null().alias("contacted")))
}
