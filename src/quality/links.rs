//! A deal whose lead cell names several leads (HubSpot's UI export writes
//! a deal's "Associated Contact IDs" as `1479;257`).
//!
//! Decision where the spec is silent (issue 12 item 8): a deal counts for
//! exactly one lead, so its revenue is never counted twice. Of the listed
//! ids that are used leads, the deal goes to the earliest created (the lead
//! that came in first, closest to "the originating lead" of SPEC §1), ties
//! to the first listed; when none is a used lead the cell stays as it was
//! and the row is `unknown_lead`. Splitting revenue over the contacts would
//! make fractional leads, and "won = at least one won deal" would stop
//! meaning a sale.

use polars::prelude::*;

/// `frame` with its text lead-id column `lead_id` (a parsed column) brought
/// to one id wherever it lists several, separated by `separator` (config
/// `lead_list_separator`, set by the HubSpot preset); `leads` has `key` (the lead id as
/// the same text type) and `created` (its creation time).
pub fn one_lead_per_row(
    frame: LazyFrame,
    separator: &str,
    lead_id: &str,
    leads: LazyFrame,
    key: &str,
    created: &str,
) -> PolarsResult<LazyFrame> {
    let frame = frame.with_row_index("__link_row", None);
    let listed = col(lead_id)
        .cast(DataType::String)
        .str()
        .contains_literal(lit(separator.to_string()))
        .fill_null(lit(false));
    let candidates = frame
        .clone()
        .filter(listed)
        .select([
            col("__link_row"),
            col(lead_id)
                .cast(DataType::String)
                .str()
                .split(lit(separator.to_string()))
                .alias("__candidate"),
        ])
        .explode(
            names(&["__candidate"]),
            ExplodeOptions {
                empty_as_null: true,
                keep_nulls: true,
            },
        )
        .with_column(lit(1u32).alias("__one"))
        .with_columns([
            col("__candidate").str().strip_chars(lit(NULL)),
            // Position in the cell: the explode keeps the listed order.
            col("__one")
                .cum_sum(false)
                .over([col("__link_row")])?
                .alias("__position"),
        ]);
    let chosen = candidates
        .join(
            leads.select([
                col(key).cast(DataType::String).alias("__candidate"),
                col(created),
            ]),
            [col("__candidate")],
            [col("__candidate")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(
            ["__link_row", created, "__position"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by([col("__link_row")])
        .agg([col("__candidate").first().alias("__chosen")]);
    Ok(frame
        .join(
            chosen,
            [col("__link_row")],
            [col("__link_row")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_column(
            col("__chosen")
                .fill_null(col(lead_id).cast(DataType::String))
                .alias(lead_id),
        )
        .drop(names(&["__chosen", "__link_row"])))
}

fn names(columns: &[&str]) -> Selector {
    Selector::ByName {
        names: columns.iter().map(|c| PlSmallStr::from(*c)).collect(),
        strict: false,
    }
}
