//! The rep of an MQL (SPEC §3): its owner at the moment it became an MQL —
//! the `rep_id` of its first `mql` event, even when that is null (an MQL
//! routed to nobody is `(none)`, the routing failure `contact` exists to
//! show). Only a lead with no `mql` event (sales-sourced) takes the `rep_id`
//! of its first `sql` event, else of its first deal.
//!
//! Decision where the spec is silent: "first" is by time (a flag-only event
//! with no time comes last; ties keep file order). A lead with none of these
//! has a null rep, shown as `(none)`.

use polars::prelude::*;

use super::dense;
use crate::error::Result;
use crate::input::schema::{AT, CREATED_AT, LEAD_ROW, REP_ID, STAGE};

/// `frame` (one row per lead, lead `i` at row `i`) with `rep`; `events`
/// are stage events, `deals` the used deals, both keyed by [`LEAD_ROW`].
pub fn with_rep(
    frame: DataFrame,
    events: Option<&DataFrame>,
    deals: Option<LazyFrame>,
) -> Result<DataFrame> {
    let mut parts = Vec::new();
    if let Some(e) = events {
        parts.push(
            e.clone()
                .lazy()
                .filter(col(STAGE).is_in(
                    lit(Series::new("s".into(), ["mql", "sql"])).implode(false),
                    false,
                ))
                .select([
                    col(LEAD_ROW),
                    when(col(STAGE).eq(lit("mql")))
                        .then(lit(0u8))
                        .otherwise(lit(1u8))
                        .alias("__rank"),
                    col(AT).alias("__at"),
                    col(REP_ID).cast(DataType::String).alias("rep"),
                ]),
        );
    }
    if let Some(d) = deals {
        parts.push(d.select([
            col(LEAD_ROW),
            lit(2u8).alias("__rank"),
            col(CREATED_AT).alias("__at"),
            col(REP_ID).cast(DataType::String).alias("rep"),
        ]));
    }
    let reps = match parts.len() {
        0 => {
            return Ok(frame
                .lazy()
                .with_column(lit(NULL).cast(DataType::String).alias("rep"))
                .collect()?)
        }
        1 => parts.remove(0),
        _ => concat(parts, UnionArgs::default())?,
    };
    // The first row of the lead's best kind (mql, else sql, else deal),
    // whatever its rep: a null owner at the MQL is the answer, not a gap.
    // Ties keep the order of `reps` (events, then deals, each in file order).
    let reps = reps.collect()?;
    let first = dense::first_by_rank_then_time(
        reps.column(LEAD_ROW)?,
        reps.column("__rank")?,
        reps.column("__at")?,
        frame.height(),
    )?;
    let rep = dense::chosen(reps.column("rep")?, &first, "rep")?;
    Ok(frame.hstack(&[rep])?)
}
