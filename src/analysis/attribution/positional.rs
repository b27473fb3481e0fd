//! Position models: each touch's weight from where it sits on the deal's
//! path (`__i` of `__n`, the lead-creation touch `__lc`, the
//! opportunity-creation touch `__oc`). Shares are SPEC's; coinciding
//! milestones add up; `credits_together` makes each deal's credit sum to 1.

use polars::prelude::*;

use super::Model;
use crate::error::{Error, Result};

fn is(at: Expr) -> Expr {
    col("__i").eq(at).cast(DataType::Float64)
}

fn first() -> Expr {
    is(lit(0u32))
}

fn last() -> Expr {
    is(col("__n") - lit(1u32))
}

/// `share` spread evenly over the rows where `rest` holds.
fn spread(rest: Expr, share: f64) -> Result<Expr> {
    let n = rest
        .clone()
        .cast(DataType::Float64)
        .sum()
        .over([col(super::DEAL)])?;
    Ok(when(rest).then(lit(share) / n).otherwise(lit(0.0)))
}

/// A position model's weight of each eligible row (before `credits_together` divides by the deal's sum).
pub fn weight(model: Model) -> Result<Expr> {
    let i = || col("__i");
    let not_at = |e: Expr| i().neq(e);
    let w = match model {
        Model::FirstTouch => first(),
        Model::LastTouch => last(),
        Model::Linear => lit(1.0),
        Model::PositionBased => {
            let rest = not_at(lit(0u32)).and(not_at(col("__n") - lit(1u32)));
            lit(0.4) * first() + lit(0.4) * last() + spread(rest, 0.2)?
        }
        Model::UShaped => {
            let between = i().gt(lit(0u32)).and(i().lt(col("__lc")));
            lit(0.4) * first() + lit(0.4) * is(col("__lc")) + spread(between, 0.2)?
        }
        Model::WShaped => {
            let rest = not_at(lit(0u32))
                .and(not_at(col("__lc")))
                .and(not_at(col("__n") - lit(1u32)));
            lit(0.3) * first() + lit(0.3) * is(col("__lc")) + lit(0.3) * last() + spread(rest, 0.1)?
        }
        Model::FullPath => {
            let rest = not_at(lit(0u32))
                .and(not_at(col("__lc")))
                .and(not_at(col("__oc")))
                .and(not_at(col("__n") - lit(1u32)));
            lit(0.225) * (first() + is(col("__lc")) + is(col("__oc")) + last()) + spread(rest, 0.1)?
        }
        other => {
            return Err(Error::Internal(format!(
                "{} is not a position model",
                other.name()
            )))
        }
    };
    Ok(w)
}
