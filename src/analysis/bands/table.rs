//! The bands table as a lazy plan over `lead_funnel`, and what is read off
//! its collected overall rows: inversions and the chi-square test.

use polars::prelude::*;

use super::Options;
use crate::analysis::{ALL_LABEL, NONE_LABEL};
use crate::error::Result;
use crate::input::time::{micros, DAY_US};
use crate::stats;

pub const COLUMNS: [&str; 17] = [
    "band",
    "leads",
    "mql",
    "contacted",
    "sql",
    "opportunity",
    "won",
    "revenue",
    "mql_to_sql",
    "mql_to_sql_lo",
    "mql_to_sql_hi",
    "sql_to_won",
    "sql_to_won_lo",
    "sql_to_won_hi",
    "lead_to_won",
    "lead_to_won_lo",
    "lead_to_won_hi",
];

/// The per-lead 0/1 facts the table sums.
fn facts(opts: &Options) -> Vec<Expr> {
    let reach = |s: &str| {
        if opts.strict {
            col(format!("recorded_{s}"))
        } else {
            col(format!("reached_{s}"))
        }
    };
    let within = |flag: Expr, at: &str| match opts.window_days {
        None => flag,
        Some(d) => flag.and(
            (col(at) - col("mql_at"))
                .dt()
                .total_microseconds(false)
                .cast(DataType::Float64)
                .lt_eq(lit(d * DAY_US))
                .fill_null(lit(false)),
        ),
    };
    let mql = reach("mql");
    let sql = within(mql.clone().and(reach("sql")), "sql_at");
    let opp = within(mql.clone().and(reach("opportunity")), "opportunity_at");
    let won_mql = within(mql.clone().and(reach("won")), "won_at");
    let won_sql = within(sql.clone().and(reach("won")), "won_at");
    let won = match opts.window_days {
        None => reach("won"),
        Some(_) => won_mql.clone(),
    };
    vec![
        mql.cast(DataType::UInt32).alias("__mql"),
        within(col("contacted"), "contacted_at")
            .cast(DataType::UInt32)
            .alias("__contacted"),
        sql.cast(DataType::UInt32).alias("__sql"),
        opp.cast(DataType::UInt32).alias("__opp"),
        won.clone().cast(DataType::UInt32).alias("__won"),
        won_sql.cast(DataType::UInt32).alias("__won_sql"),
        when(won)
            .then(col("revenue"))
            .otherwise(lit(0.0))
            .alias("__revenue"),
    ]
}

/// The summed columns, in output order (`__won_sql` feeds sql_to_won).
const SUMMED: [&str; 8] = [
    "leads",
    "mql",
    "contacted",
    "sql",
    "opportunity",
    "won",
    "__won_sql",
    "revenue",
];

fn sums() -> Vec<Expr> {
    vec![
        len().cast(DataType::UInt32).alias("leads"),
        col("__mql").sum().alias("mql"),
        col("__contacted").sum().alias("contacted"),
        col("__sql").sum().alias("sql"),
        col("__opp").sum().alias("opportunity"),
        col("__won").sum().alias("won"),
        col("__won_sql").sum().alias("__won_sql"),
        crate::analysis::stable(crate::analysis::exact_sum(col("__revenue"))).alias("revenue"),
    ]
}

fn rates() -> Vec<Expr> {
    [
        ("mql_to_sql", "sql", "mql"),
        ("sql_to_won", "__won_sql", "sql"),
        ("lead_to_won", "won", "leads"),
    ]
    .into_iter()
    .flat_map(|(name, k, n)| crate::analysis::rate_with_bounds(name, col(k), col(n)))
    .collect()
}

/// The group columns: `by` (with `month` as the MQL month), then `mature` with a window.
fn keys(opts: &Options) -> Vec<String> {
    let mut k = opts.by.clone();
    if opts.window_days.is_some() {
        k.push("mature".into());
    }
    k
}

/// The bands table as a lazy plan; `funnel` is `lead_funnel`, `as_of` in
/// microseconds since the epoch, `band_order` the bands best first.
pub fn table(
    funnel: LazyFrame,
    opts: &Options,
    as_of: i64,
    band_order: &[String],
) -> Result<LazyFrame> {
    let mut base = funnel;
    let mut reserved: Vec<&str> = COLUMNS.to_vec();
    reserved.extend(["mature", "__won_sql"]);
    crate::analysis::check_by(&mut base, &opts.by, &reserved)?;
    let mut extra: Vec<Expr> = facts(opts);
    if opts.by.iter().any(|b| b == "month") {
        extra.push(col("mql_month").alias("month"));
    }
    if let Some(d) = opts.window_days {
        let entry = col("mql_at").fill_null(col("created_at"));
        extra.push(
            (lit(as_of as f64) - micros(entry))
                .gt_eq(lit(d * DAY_US))
                .fill_null(lit(false))
                .alias("mature"),
        );
    }
    base = base.with_columns(extra);
    let keys = keys(opts);
    // Group keys as text, with null as "(none)".
    let key_exprs: Vec<Expr> = keys
        .iter()
        .map(|k| {
            col(k.as_str())
                .cast(DataType::String)
                .fill_null(lit(NONE_LABEL))
                .alias(k.as_str())
        })
        .collect();
    base = base.with_columns(key_exprs);
    let mut by_band: Vec<Expr> = vec![col("band")];
    by_band.extend(keys.iter().map(|k| col(k.as_str())));
    let detail = base.clone().group_by(by_band).agg(sums());
    // Overall rows: every split except by band and the --by columns.
    let overall_keys: Vec<Expr> = keys
        .iter()
        .filter(|k| k.as_str() == "mature")
        .map(|k| col(k.as_str()))
        .collect();
    let mut overall = if overall_keys.is_empty() {
        base.select(sums())
    } else {
        base.group_by(overall_keys).agg(sums())
    };
    let mut fill = vec![lit(ALL_LABEL).alias("band")];
    fill.extend(
        keys.iter()
            .filter(|k| k.as_str() != "mature")
            .map(|k| lit(ALL_LABEL).alias(k.as_str())),
    );
    overall = overall.with_columns(fill);
    let mut order: Vec<String> = vec!["band".into()];
    order.extend(keys.iter().cloned());
    let mut cols: Vec<Expr> = order.iter().map(|c| col(c.as_str())).collect();
    cols.extend(SUMMED.iter().map(|c| col(*c)));
    let all = concat(
        [detail.select(cols.clone()), overall.select(cols)],
        UnionArgs::default(),
    )?;
    // Band order: configured bands best first, then unscored, then all.
    let mut names: Vec<String> = band_order.to_vec();
    names.push("unscored".into());
    names.push(ALL_LABEL.into());
    let ranks: Vec<u32> = (0..names.len() as u32).collect();
    let rank = col("band").replace_strict(
        lit(Series::new("b".into(), names)),
        lit(Series::new("r".into(), ranks)),
        Some(lit(u32::MAX)),
        Some(DataType::UInt32),
    );
    let mut sort_by: Vec<Expr> = keys
        .iter()
        .filter(|k| k.as_str() == "mature")
        .map(|k| col(k.as_str()))
        .collect();
    sort_by.extend(keys.iter().filter(|k| k.as_str() != "mature").map(|k| {
        // `all` sorts after every value of its column.
        col(k.as_str()).eq(lit(ALL_LABEL))
    }));
    sort_by.extend(
        keys.iter()
            .filter(|k| k.as_str() != "mature")
            .map(|k| col(k.as_str())),
    );
    sort_by.push(rank);
    let n = sort_by.len();
    let mut final_cols: Vec<Expr> = vec![col("band")];
    final_cols.extend(keys.iter().map(|k| col(k.as_str())));
    final_cols.extend(COLUMNS[1..8].iter().map(|c| col(*c)));
    final_cols.extend(rates());
    Ok(all
        .sort_by_exprs(
            sort_by,
            SortMultipleOptions::default()
                .with_order_descending_multi(vec![false; n])
                .with_maintain_order(true),
        )
        .select(final_cols))
}

/// An adjacent pair of scored bands where the higher converts worse.
#[derive(Debug, Clone, PartialEq)]
pub struct Inversion {
    pub rate: &'static str,
    pub higher: String,
    pub lower: String,
    pub higher_rate: f64,
    pub lower_rate: f64,
    pub intervals_overlap: bool,
}

/// Inversions among the overall per-band rows of a collected bands table
/// (no `--by`, no window split).
pub fn inversions(table: &DataFrame, band_order: &[String]) -> Result<Vec<Inversion>> {
    let band = table.column("band")?.str()?.clone();
    let mut out = Vec::new();
    // Every rate of SPEC §4 (sql_to_won was left out: a user trial's band
    // B closed 18.6% of its SQLs against C's 43.8%, unflagged).
    for rate in ["mql_to_sql", "sql_to_won", "lead_to_won"] {
        let get =
            |c: &str| -> Result<Vec<Option<f64>>> { Ok(table.column(c)?.f64()?.iter().collect()) };
        let (r, lo, hi) = (
            get(rate)?,
            get(&format!("{rate}_lo"))?,
            get(&format!("{rate}_hi"))?,
        );
        let rows: Vec<(String, f64, f64, f64)> = band_order
            .iter()
            .filter_map(|b| {
                let i = (0..table.height()).find(|&i| band.get(i) == Some(b.as_str()))?;
                Some((b.clone(), r[i]?, lo[i]?, hi[i]?))
            })
            .collect();
        for pair in rows.windows(2) {
            let (h, l) = (&pair[0], &pair[1]);
            if h.1 < l.1 {
                out.push(Inversion {
                    rate,
                    higher: h.0.clone(),
                    lower: l.0.clone(),
                    higher_rate: h.1,
                    lower_rate: l.1,
                    intervals_overlap: h.3 >= l.2,
                });
            }
        }
    }
    Ok(out)
}

/// Chi-square test of mql_to_sql across the scored bands of a collected table.
pub fn chi_square(table: &DataFrame, band_order: &[String]) -> Result<Option<stats::ChiSquare>> {
    let band = table.column("band")?.str()?.clone();
    let sql = table.column("sql")?.cast(&DataType::UInt64)?;
    let mql = table.column("mql")?.cast(&DataType::UInt64)?;
    let (sql, mql) = (sql.u64()?, mql.u64()?);
    let groups: Vec<(u64, u64)> = (0..table.height())
        .filter(|&i| {
            band.get(i)
                .is_some_and(|b| band_order.iter().any(|o| o == b))
        })
        .map(|i| (sql.get(i).unwrap_or(0), mql.get(i).unwrap_or(0)))
        .collect();
    Ok(stats::chi_square_homogeneity(&groups))
}
