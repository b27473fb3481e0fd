//! Time decay: a touch's weight halves every `half_life_days` before the
//! deal's creation, 2^(−age / half-life), then each deal's weights are
//! normalised to sum to 1.
//!
//! The weights are computed relative to the deal's youngest touch,
//! 2^(−(age − youngest)/half-life): the same shares after normalising, but
//! the youngest touch weighs 1, so a deal whose touches are all many
//! half-lives old does not underflow to 0/0 (a touch 3 years before the
//! deal with a 1-day half-life is 2^−1095, below the smallest f64).

use polars::prelude::*;

use super::{DEAL, DEAL_CREATED};
use crate::input::schema::AT;
use crate::input::time::{micros, DAY_US};

/// Each eligible row's weight, 2^(−age/half-life) (up to the deal's own
/// factor), age in days before the deal's creation.
pub fn weight(half_life_days: f64) -> crate::error::Result<Expr> {
    let age_days = (micros(col(DEAL_CREATED)) - micros(col(AT))) / lit(DAY_US);
    let youngest = age_days.clone().min().over([col(DEAL)])?;
    // 2^(−x) = exp(−x · ln 2); age ≥ youngest, so x ≥ 0 and the youngest is 1.
    Ok((lit(-std::f64::consts::LN_2) * (age_days - youngest) / lit(half_life_days)).exp())
}
