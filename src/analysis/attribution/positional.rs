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

/// [`weight`] of each row of one deal's path, row by row (`paths`' pass):
/// the same shares, added in the same order as the expressions add them.
///
/// Errors: a model that is not a position model.
pub(super) fn weights(model: Model, at: &super::paths::Position, out: &mut Vec<f64>) -> Result<()> {
    let (n, lc, oc) = (at.n, at.lc, at.oc);
    let one = |b: bool| if b { 1.0 } else { 0.0 };
    // `share` spread evenly over the rows where `rest` holds.
    let spread = |rest: &dyn Fn(usize) -> bool, share: f64, out: &mut Vec<f64>| {
        let count = (0..n).filter(|&i| rest(i)).count() as f64;
        for (i, w) in out.iter_mut().enumerate() {
            *w += if rest(i) { share / count } else { 0.0 };
        }
    };
    out.clear();
    let (first, last) = (|i: usize| one(i == 0), |i: usize| one(i == n - 1));
    match model {
        Model::FirstTouch => out.extend((0..n).map(first)),
        Model::LastTouch => out.extend((0..n).map(last)),
        Model::Linear => out.extend((0..n).map(|_| 1.0)),
        Model::PositionBased => {
            out.extend((0..n).map(|i| 0.4 * first(i) + 0.4 * last(i)));
            spread(&|i| i != 0 && i != n - 1, 0.2, out);
        }
        Model::UShaped => {
            out.extend((0..n).map(|i| 0.4 * first(i) + 0.4 * one(i == lc)));
            spread(&|i| i > 0 && i < lc, 0.2, out);
        }
        Model::WShaped => {
            out.extend((0..n).map(|i| 0.3 * first(i) + 0.3 * one(i == lc) + 0.3 * last(i)));
            spread(&|i| i != 0 && i != lc && i != n - 1, 0.1, out);
        }
        Model::FullPath => {
            out.extend((0..n).map(|i| 0.225 * (first(i) + one(i == lc) + one(i == oc) + last(i))));
            spread(&|i| i != 0 && i != lc && i != oc && i != n - 1, 0.1, out);
        }
        other => {
            return Err(Error::Internal(format!(
                "{} is not a position model",
                other.name()
            )))
        }
    }
    Ok(())
}
