//! Cohort months (SPEC §3): the month of `created_at` and of the first MQL,
//! cut in the configured time zone, as `YYYY-MM` text.

use polars::prelude::*;

use crate::config::Zone;
use crate::input::schema::CREATED_AT;
use crate::input::time::in_zone;

pub fn with_months(frame: LazyFrame, zone: &Zone) -> LazyFrame {
    let month = |c: &str| in_zone(col(c), zone).dt().to_string("%Y-%m");
    frame.with_columns([
        month(CREATED_AT).alias("created_month"),
        month("mql_at").alias("mql_month"),
        col(CREATED_AT).is_not_null().alias("has_created_at"),
    ])
}
