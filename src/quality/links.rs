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

//!
//! A deal without a lead of its own (an opportunity export has no lead
//! column, SPEC §1) takes it, in order, from the lead that names the deal as
//! its converted deal (Salesforce `Lead.ConvertedOpportunityId`), then from
//! the `deal_leads` table (OpportunityContactRole, HubSpot's deal–contact
//! associations): the primary association, else the earliest created lead,
//! else the first row in file order. Same rule, same reason: one lead per
//! deal, revenue counted once.

use polars::prelude::*;

use super::reason::Reason;
use super::rules::{parsed, TablePlan, LEAD_CREATED, LINK_DEAL, LINK_LEAD};
use crate::input::schema::{
    CONVERTED_DEAL_ID, CREATED_AT, DEAL_ID, INDEX_COL, LEAD_ID, LEAD_ROW, PRIMARY, REASON_COL,
};
use crate::input::values;

/// Which way a deal found its lead (`deal_links`' `__link_route`).
pub const LINK_ROUTE: &str = "__link_route";
/// How many distinct leads the deal's chosen route offered.
pub const LINK_CHOICES: &str = "__link_choices";
pub const ROUTES: [&str; 2] = ["leads.converted_deal_id", "deal_leads"];

/// Set when a deal had linked leads but every one was created after it.
pub const LINK_LATER: &str = "__link_later";

/// Every lead another table offers a deal: [`LINK_DEAL`] (the deal id as
/// text), [`LINK_LEAD`] (the lead key type), [`LINK_ROUTE`] (an index into
/// [`ROUTES`]), `__primary`, `__created` (the lead's creation) and
/// `__order` (file order). `leads` are the used leads (with [`LEAD_ROW`]);
/// `deal_leads` the judged associations, each (deal, lead) pair once (a
/// repeated pair is `duplicate_key` and decides nothing). `None` when
/// neither route exists.
pub fn deal_candidates(
    leads: Option<LazyFrame>,
    leads_have_deal: bool,
    deal_leads: Option<&TablePlan>,
) -> PolarsResult<Option<LazyFrame>> {
    let mut routes = Vec::new();
    if let (Some(leads), true) = (leads, leads_have_deal) {
        routes.push(
            leads
                .select([
                    col(CONVERTED_DEAL_ID)
                        .cast(DataType::String)
                        .alias(LINK_DEAL),
                    col(LEAD_ID).alias(LINK_LEAD),
                    lit(0u32).alias(LINK_ROUTE),
                    lit(false).alias("__primary"),
                    col(CREATED_AT).alias("__created"),
                    col(LEAD_ROW).cast(DataType::UInt64).alias("__order"),
                ])
                .filter(col(LINK_DEAL).is_not_null()),
        );
    }
    if let Some(plan) = deal_leads {
        let pair = concat_str(
            [
                col(parsed(DEAL_ID)).cast(DataType::String),
                col(parsed(LEAD_ID)).cast(DataType::String),
            ],
            "\u{1f}",
            true,
        );
        routes.push(
            plan.annotated
                .clone()
                .filter(col(REASON_COL).is_null())
                .filter(pair.is_first_distinct())
                .select([
                    col(parsed(DEAL_ID)).cast(DataType::String).alias(LINK_DEAL),
                    col(parsed(LEAD_ID)).alias(LINK_LEAD),
                    lit(1u32).alias(LINK_ROUTE),
                    values::parse_flag(col(parsed(PRIMARY)), &DataType::String).alias("__primary"),
                    col(LEAD_CREATED).alias("__created"),
                    col(INDEX_COL).cast(DataType::UInt64).alias("__order"),
                ]),
        );
    }
    match routes.len() {
        0 | 1 => Ok(routes.pop()),
        _ => concat(routes, UnionArgs::default()).map(Some),
    }
}

/// `frame` (a deals plan: the deal id `deal_id`, its creation `created`, its
/// own lead `lead_id`) with the lead of each deal that names none of its
/// own chosen from `candidates` ([`deal_candidates`]): among the leads
/// created no later than the deal (a lead that came after the deal did not
/// originate it: Salesforce can convert a lead into an existing
/// opportunity), the first route, then the primary, then the earliest
/// created, then file order. Adds [`LINK_ROUTE`], [`LINK_CHOICES`] and
/// [`LINK_LATER`]; a deal whose linked leads all came later stays unlinked.
pub fn link_deals(
    frame: LazyFrame,
    candidates: LazyFrame,
    deal_id: &str,
    created: &str,
    lead_id: &str,
) -> LazyFrame {
    let frame = frame.with_row_index("__deal_row", None);
    let eligible = col("__eligible");
    let first_route = col(LINK_ROUTE).filter(eligible.clone()).first();
    let chosen = frame
        .clone()
        .filter(col(lead_id).is_null())
        .select([
            col("__deal_row"),
            col(deal_id).cast(DataType::String).alias(LINK_DEAL),
            col(created).alias("__deal_created"),
        ])
        .join(
            candidates,
            [col(LINK_DEAL)],
            [col(LINK_DEAL)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(
            col("__created")
                .lt_eq(col("__deal_created"))
                .fill_null(lit(true))
                .alias("__eligible"),
        )
        .sort(
            [
                "__deal_row",
                LINK_ROUTE,
                "__primary",
                "__created",
                "__order",
            ],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, false, true, false, false])
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .group_by([col("__deal_row")])
        .agg([
            col(LINK_LEAD)
                .filter(eligible.clone())
                .first()
                .alias("__chosen_lead"),
            first_route.clone().alias(LINK_ROUTE),
            col(LINK_LEAD)
                .filter(eligible.clone().and(col(LINK_ROUTE).eq(first_route)))
                .n_unique()
                .alias(LINK_CHOICES),
            eligible.any(false).not().alias(LINK_LATER),
        ]);
    frame
        .join(
            chosen,
            [col("__deal_row")],
            [col("__deal_row")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_column(coalesce(&[col(lead_id), col("__chosen_lead")]).alias(lead_id))
        .drop(names(&["__deal_row", "__chosen_lead"]))
}

/// The deal_leads plan with the checks that need the judged deals: an
/// association whose deal is not a used deal is `unknown_deal`, and a
/// later row with the same (deal, lead) pair as a usable earlier one is
/// `duplicate_key`.
pub fn finish_deal_leads(plan: &mut TablePlan, deals_used: LazyFrame) {
    let known = deals_used
        .select([col(DEAL_ID).cast(DataType::String).alias("__known_deal")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("__deal_known"));
    let ok = col(REASON_COL).is_null();
    let pair = concat_str(
        [
            col(parsed(DEAL_ID)).cast(DataType::String),
            col(parsed(LEAD_ID)).cast(DataType::String),
        ],
        "\u{1f}",
        true,
    );
    plan.annotated = plan
        .annotated
        .clone()
        .join(
            known,
            [col(parsed(DEAL_ID)).cast(DataType::String)],
            [col("__known_deal")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_column(
            when(ok.clone().and(col("__deal_known").is_null()))
                .then(Reason::UnknownDeal.expr())
                .otherwise(col(REASON_COL))
                .alias(REASON_COL),
        )
        .with_column(
            when(
                col(REASON_COL).is_null().and(
                    when(col(REASON_COL).is_null())
                        .then(pair)
                        .otherwise(lit(NULL).cast(DataType::String))
                        .is_first_distinct()
                        .not(),
                ),
            )
            .then(Reason::DuplicateKey.expr())
            .otherwise(col(REASON_COL))
            .alias(REASON_COL),
        );
}

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
