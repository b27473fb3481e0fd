//! Attribution of won deals to sources (SPEC §4 "roi"): which touches are
//! eligible, where the milestones are, and how credit is normalised live
//! here, once; each model is a small module that turns eligible touches into
//! weights (`positional`, `time_decay`) or credits (`markov`).
//!
//! Definitions:
//! - A won deal's eligible touches are its lead's touches at or before the
//!   deal's `created_at` (for `full_path`, at or before its `closed_at`),
//!   in time order (ties: file order).
//! - Milestones: first = the first eligible touch; lead-creation = the last
//!   one at or before the lead's `created_at`; opportunity-creation = the last
//!   one at or before the deal's `created_at`; closing (`full_path`) = the
//!   last one at or before `closed_at`. Coinciding milestones add their
//!   shares on that touch.
//! - Credit per won deal sums to 1: weights are divided by their sum over the
//!   deal's touches. A won deal with no eligible touch is unattributed.
//!
//! Decisions where the spec is silent:
//! - A milestone that does not exist (no touch at or before the lead's
//!   creation; for `full_path`, none at or before the deal's creation) falls
//!   on the first touch.
//! - When a model's "rest" share has no touch to go to (no touch between the
//!   milestones), it is not lost: the normalisation spreads it over the
//!   milestones in proportion to their shares (so one touch gets 100% and two
//!   get 50/50, as SPEC says for `position_based`).
//! - `u_shaped` gives touches after the lead-creation touch nothing (its 20%
//!   goes to the touches between first and lead-creation only).

pub mod markov;
pub mod paths;
pub mod positional;
pub mod time_decay;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::input::schema::{AT, LEAD_ROW};

/// Every model, in the order `--model all` shows them.
pub const MODELS: [Model; 10] = [
    Model::LeadSource,
    Model::FirstTouch,
    Model::LastTouch,
    Model::Linear,
    Model::PositionBased,
    Model::UShaped,
    Model::WShaped,
    Model::FullPath,
    Model::TimeDecay,
    Model::Markov,
];

/// An attribution model, as `--model` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Model {
    LeadSource,
    FirstTouch,
    LastTouch,
    Linear,
    PositionBased,
    UShaped,
    WShaped,
    FullPath,
    TimeDecay,
    Markov,
}

impl Model {
    pub fn name(self) -> &'static str {
        match self {
            Model::LeadSource => "lead_source",
            Model::FirstTouch => "first_touch",
            Model::LastTouch => "last_touch",
            Model::Linear => "linear",
            Model::PositionBased => "position_based",
            Model::UShaped => "u_shaped",
            Model::WShaped => "w_shaped",
            Model::FullPath => "full_path",
            Model::TimeDecay => "time_decay",
            Model::Markov => "markov",
        }
    }

    /// Whether the model reads the touches table.
    pub fn needs_touches(self) -> bool {
        self != Model::LeadSource
    }
}

/// Won deals to attribute: `__deal` (a row number), [`LEAD_ROW`],
/// `__deal_created`, `__deal_closed`, `__lead_created`, `__amount`.
pub const DEAL: &str = "__deal";
pub const DEAL_CREATED: &str = "__deal_created";
pub const DEAL_CLOSED: &str = "__deal_closed";
pub const LEAD_CREATED: &str = "__lead_created";
pub const AMOUNT: &str = "__amount";
/// Touches: [`LEAD_ROW`], `at`, `__group` (the source or campaign, as text),
/// `__touch` (file order).
pub const GROUP: &str = "__group";
pub const TOUCH: &str = "__touch";

/// Eligible (deal, touch) rows in order, with `__i` (0-based position in the
/// deal's path), `__n` (path length) and `__lc` (position of the
/// lead-creation touch) and `__oc` (of the opportunity-creation touch).
pub fn eligible(deals: LazyFrame, touches: LazyFrame, until_close: bool) -> Result<LazyFrame> {
    let limit = if until_close {
        DEAL_CLOSED
    } else {
        DEAL_CREATED
    };
    let by = || [col(DEAL)];
    Ok(deals
        .join(
            touches,
            [col(LEAD_ROW)],
            [col(LEAD_ROW)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(AT).lt_eq(col(limit)))
        .sort(
            [DEAL, AT, TOUCH],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_column(lit(1u32).alias("__one"))
        .with_columns([
            (col("__one").cum_sum(false).over(by())? - lit(1u32)).alias("__i"),
            len().cast(DataType::UInt32).over(by())?.alias("__n"),
        ])
        .with_columns([
            milestone(col(AT).lt_eq(col(LEAD_CREATED)))?.alias("__lc"),
            milestone(col(AT).lt_eq(col(DEAL_CREATED)))?.alias("__oc"),
        ]))
}

/// The position of the last touch meeting `cond` in its deal's path; the
/// first touch when none does.
fn milestone(cond: Expr) -> Result<Expr> {
    Ok(when(cond)
        .then(col("__i"))
        .otherwise(lit(NULL).cast(DataType::UInt32))
        .max()
        .over([col(DEAL)])?
        .fill_null(lit(0u32)))
}

/// The column of `model`'s credit in [`credits_together`]'s frame.
pub fn credit_column(model: Model) -> String {
    format!("__credit_{}", model.name())
}

/// Every model of `models` over the same [`eligible`] rows, in one plan
/// (the reference `paths::Paths::credits` is held to; `roi` runs the pass):
/// `__deal, __group` and each model's [`credit_column`], the deal's credit
/// to that source (a deal's credits sum to 1). The rows' windows and the
/// (deal, source) group-by are shared: one model at a time re-ran them per
/// model (at 10M leads, 0.4–0.5 s each).
///
/// Position and decay models weigh each row (`positional`, `time_decay`),
/// divide by the deal's sum and add up per source; Markov credits a deal's
/// distinct sources by their removal effects (`removal`, required for it).
///
/// Errors: `lead_source` (it attributes through the lead), or Markov
/// without `removal`.
pub fn credits_together(
    models: &[Model],
    rows: LazyFrame,
    half_life_days: f64,
    removal: Option<&markov::Removal>,
) -> Result<LazyFrame> {
    let weight = |m: Model| format!("__weight_{}", m.name());
    let mut weighed = Vec::new();
    let mut markov_removal = None;
    for &m in models {
        match m {
            Model::LeadSource => {
                return Err(Error::Internal(
                    "lead_source attributes through the lead, not touches".into(),
                ))
            }
            Model::Markov => {
                markov_removal = Some(removal.ok_or_else(|| {
                    Error::Internal("markov credit needs its removal effects".into())
                })?)
            }
            Model::TimeDecay => weighed.push((m, time_decay::weight(half_life_days)?)),
            m => weighed.push((m, positional::weight(m)?)),
        }
    }
    let mut shares = Vec::new();
    for (m, _) in &weighed {
        let w = || col(weight(*m));
        shares.push((w() / w().sum().over([col(DEAL)])?).alias(credit_column(*m)));
    }
    // A count keeps the aggregation non-empty when Markov runs alone.
    let mut per_pair = vec![len().alias("__touches")];
    per_pair.extend(weighed.iter().map(|(m, _)| col(credit_column(*m)).sum()));
    let mut pairs = rows
        .with_columns(
            weighed
                .iter()
                .map(|(m, e)| e.clone().alias(weight(*m)))
                .collect::<Vec<_>>(),
        )
        .with_columns(shares)
        .group_by([col(DEAL), col(GROUP)])
        .agg(per_pair);
    if let Some(removal) = markov_removal {
        pairs = markov::credit(pairs, removal, &credit_column(Model::Markov))?;
    }
    let mut keep = vec![col(DEAL), col(GROUP)];
    keep.extend(models.iter().map(|m| col(credit_column(*m))));
    Ok(pairs.select(keep))
}

/// One touch model's credit plan: `__deal, __group, __credit`, from won
/// deals and touches (see [`eligible`], [`credits_together`]).
pub fn credits(
    model: Model,
    deals: LazyFrame,
    touches: LazyFrame,
    half_life_days: f64,
    markov_credit: Option<&markov::Removal>,
) -> Result<LazyFrame> {
    let rows = eligible(deals, touches, model == Model::FullPath)?;
    Ok(
        credits_together(&[model], rows, half_life_days, markov_credit)?.select([
            col(DEAL),
            col(GROUP),
            col(credit_column(model)).alias("__credit"),
        ]),
    )
}
