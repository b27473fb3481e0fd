//! Time decay: a touch's weight halves every `half_life_days` before the
//! deal's creation, 2^(−age / half-life), then each deal's weights are
//! normalised to sum to 1.

use polars::prelude::*;

use super::DEAL_CREATED;
use crate::input::schema::AT;
use crate::input::time::{micros, DAY_US};

/// Adds `__w` = 2^(−age/half-life), age in days before the deal's creation.
pub fn weights(rows: LazyFrame, half_life_days: f64) -> LazyFrame {
    let age_days = (micros(col(DEAL_CREATED)) - micros(col(AT))) / lit(DAY_US);
    // 2^(−x) = exp(−x · ln 2); age ≥ 0 for an eligible touch.
    rows.with_column(
        (lit(-std::f64::consts::LN_2) * age_days / lit(half_life_days))
            .exp()
            .alias("__w"),
    )
}
