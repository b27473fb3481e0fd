//! The per-MQL facts every contact table reads, and the contact table itself.

use polars::prelude::*;

use crate::analysis::{count, rate_with_bounds, ALL_LABEL};
use crate::error::Result;
use crate::input::time::{micros, HOUR_US};

/// The settings the per-MQL facts are built with: the user's options
/// resolved against the config and the run.
#[derive(Debug, Clone)]
pub struct Params {
    /// Lead_funnel columns to split by; `month` is the first-MQL month,
    /// `rep` the rep of the MQL.
    pub by: Vec<String>,
    pub sla_hours: f64,
    pub black_hole_days: f64,
    /// Microseconds since the epoch (UTC).
    pub as_of: i64,
    /// Band names from best to worst (without `unscored`).
    pub band_order: Vec<String>,
}

/// SPEC's columns, then the extra ones (see the module docs).
pub const COLUMNS: [&str; 26] = [
    "group",
    "mql",
    "mature_mql",
    "contacted",
    "contacted_within_sla",
    "never_contacted",
    "black_hole",
    "contact_rate",
    "contact_rate_lo",
    "contact_rate_hi",
    "sla_rate",
    "sla_rate_lo",
    "sla_rate_hi",
    "median_hours_to_contact",
    "p90_hours_to_contact",
    "sql",
    "sql_rate_contacted",
    "sql_rate_contacted_lo",
    "sql_rate_contacted_hi",
    "sql_rate_uncontacted",
    "sql_rate_uncontacted_lo",
    "sql_rate_uncontacted_hi",
    "mature_never_contacted",
    "mature_never_rate",
    "mature_never_rate_lo",
    "mature_never_rate_hi",
];

/// Per-MQL facts: `group` (the `--by` label), `band`, `__hours`, `__mature`,
/// `__within` (contacted within the SLA), `__black_hole`, `__sql` and
/// `contacted`, one row per MQL with a first-MQL time.
pub fn mqls(funnel: LazyFrame, opts: &Params) -> Result<LazyFrame> {
    let mut funnel = funnel;
    crate::analysis::check_by(&mut funnel, &opts.by, &[])?;
    let group = crate::analysis::group_label(&opts.by, col("mql_month"));
    let hours = (micros(col("contacted_at")) - micros(col("mql_at"))) / lit(HOUR_US);
    let age_hours = (lit(opts.as_of as f64) - micros(col("mql_at"))) / lit(HOUR_US);
    Ok(funnel
        .filter(col("reached_mql").and(col("mql_at").is_not_null()))
        .select([
            group.alias("group"),
            col("band"),
            col("contacted"),
            hours.alias("__hours"),
            age_hours.alias("__age_hours"),
            col("reached_sql").alias("__sql"),
        ])
        .with_columns([
            col("__age_hours")
                .gt_eq(lit(opts.sla_hours))
                .alias("__mature"),
            col("contacted")
                .and(col("__hours").lt_eq(lit(opts.sla_hours)))
                .fill_null(lit(false))
                .alias("__within"),
            col("contacted")
                .not()
                .and(col("__age_hours").gt(lit(opts.black_hole_days * 24.0)))
                .alias("__black_hole"),
        ]))
}

fn sums() -> Vec<Expr> {
    let contacted = col("contacted");
    vec![
        len().cast(DataType::UInt32).alias("mql"),
        count(col("__mature")).alias("mature_mql"),
        count(contacted.clone()).alias("contacted"),
        count(col("__mature").and(col("__within"))).alias("contacted_within_sla"),
        count(col("__black_hole")).alias("black_hole"),
        col("__hours")
            .quantile(lit(0.5), QuantileMethod::Linear)
            .alias("median_hours_to_contact"),
        col("__hours")
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("p90_hours_to_contact"),
        count(col("__sql")).alias("sql"),
        count(col("__sql").and(contacted.clone())).alias("__sql_contacted"),
        count(col("__sql").and(contacted.clone().not())).alias("__sql_uncontacted"),
        count(col("__mature").and(contacted.not())).alias("mature_never_contacted"),
    ]
}

/// Orders groups: by MQLs (most first) then name, or by name when split by
/// month; the overall row last.
pub fn order(frame: LazyFrame, by: &[String]) -> LazyFrame {
    let chronological = by.iter().any(|b| b == "month");
    let mut keys = vec![col("group").eq(lit(ALL_LABEL))];
    let mut desc = vec![false];
    if !chronological {
        keys.push(col("mql"));
        desc.push(true);
    }
    keys.push(col("group"));
    desc.push(false);
    frame.sort_by_exprs(
        keys,
        SortMultipleOptions::default()
            .with_order_descending_multi(desc)
            .with_maintain_order(true),
    )
}

/// Per group, then the overall row `all`.
pub fn grouped(mqls: LazyFrame, aggs: Vec<Expr>) -> Result<LazyFrame> {
    let detail = mqls.clone().group_by([col("group")]).agg(aggs.clone());
    let overall = mqls.select(aggs).with_column(lit(ALL_LABEL).alias("group"));
    let mut names = vec![col("group")];
    let mut probe = detail.clone();
    names.extend(
        probe
            .collect_schema()?
            .iter_names()
            .filter(|n| n.as_str() != "group")
            .map(|n| col(n.as_str())),
    );
    Ok(concat(
        [detail.select(names.clone()), overall.select(names)],
        UnionArgs::default(),
    )?)
}

/// The contact table (SPEC's columns, then the extra ones); `mqls` from [`mqls`].
pub fn table(mqls: LazyFrame, opts: &Params) -> Result<LazyFrame> {
    let t = grouped(mqls, sums())?
        .with_column((col("mql") - col("contacted")).alias("never_contacted"));
    let mut cols: Vec<Expr> = COLUMNS[..7].iter().map(|c| col(*c)).collect();
    cols.extend(rate_with_bounds(
        "contact_rate",
        col("contacted"),
        col("mql"),
    ));
    cols.extend(rate_with_bounds(
        "sla_rate",
        col("contacted_within_sla"),
        col("mature_mql"),
    ));
    cols.push(col("median_hours_to_contact"));
    cols.push(col("p90_hours_to_contact"));
    cols.push(col("sql"));
    cols.extend(rate_with_bounds(
        "sql_rate_contacted",
        col("__sql_contacted"),
        col("contacted"),
    ));
    cols.extend(rate_with_bounds(
        "sql_rate_uncontacted",
        col("__sql_uncontacted"),
        col("never_contacted"),
    ));
    cols.push(col("mature_never_contacted"));
    cols.extend(rate_with_bounds(
        "mature_never_rate",
        col("mature_never_contacted"),
        col("mature_mql"),
    ));
    Ok(order(t.select(cols), &opts.by))
}
