//! The roi table of one model as a lazy plan, the inputs the touch models
//! share (won deals, touches, Markov paths), the side-by-side table of every
//! model, and the reconciliation to closed-won revenue.

use polars::prelude::*;

use super::Params;
use crate::analysis::attribution::{
    Model, AMOUNT, DEAL, DEAL_CLOSED, DEAL_CREATED, GROUP, LEAD_CREATED, TOUCH,
};
use crate::analysis::{ALL_LABEL, NONE_LABEL};
use crate::error::Result;
use crate::input::schema::{AT, CLOSED_AT, CREATED_AT, DATE, LEAD_ROW, STATUS};
use crate::input::time::in_zone;

pub const UNATTRIBUTED: &str = "unattributed";

/// The columns after the group column (`source` or `campaign_id`).
pub const COLUMNS: [&str; 12] = [
    "spend",
    "leads",
    "mql",
    "sql",
    "won",
    "revenue",
    "cost_per_lead",
    "cost_per_mql",
    "cost_per_sql",
    "cac",
    "roas",
    "roi",
];

/// What `roi` reads: `lead_funnel`, the keyed used leads, deals, touches
/// (all keyed by [`LEAD_ROW`]) and spend.
#[derive(Clone)]
pub struct RoiInputs {
    pub funnel: LazyFrame,
    pub leads: LazyFrame,
    pub deals: Option<LazyFrame>,
    pub touches: Option<LazyFrame>,
    pub spend: LazyFrame,
}

fn in_period(day: Expr, opts: &Params) -> Expr {
    let mut keep = lit(true);
    if let Some(f) = opts.from_day {
        keep = keep.and(day.clone().gt_eq(lit(f)));
    }
    if let Some(t) = opts.to_day {
        keep = keep.and(day.lt_eq(lit(t)));
    }
    keep.fill_null(lit(false))
}

/// The lead's cohort day in the configured zone.
fn cohort_day(created: Expr, opts: &Params) -> Expr {
    in_zone(created, &opts.zone)
        .dt()
        .date()
        .cast(DataType::Int32)
}

fn key(c: &str) -> Expr {
    col(c).cast(DataType::String).fill_null(lit(NONE_LABEL))
}

/// Spend per group over the period: `__group, spend`.
fn spend(spend: LazyFrame, opts: &Params) -> LazyFrame {
    // A spend date is a calendar day as written (midnight UTC).
    spend
        .filter(in_period(col(DATE).dt().date().cast(DataType::Int32), opts))
        .group_by([key(opts.by.column()).alias(GROUP)])
        .agg([crate::analysis::exact_sum(col(crate::input::schema::AMOUNT)).alias("spend")])
}

/// Cohort counts per group: `__group, leads, mql, sql` and the lead_source
/// `won` (leads) and `revenue`.
fn cohort(funnel: LazyFrame, opts: &Params) -> LazyFrame {
    let count = |c: &str| crate::analysis::count(col(c));
    funnel
        .filter(cohort_filter(opts))
        .group_by([key(opts.by.column()).alias(GROUP)])
        .agg([
            len().cast(DataType::UInt32).alias("leads"),
            count("reached_mql").alias("mql"),
            count("reached_sql").alias("sql"),
            count("reached_won")
                .cast(DataType::Float64)
                .alias("__ls_won"),
            crate::analysis::stable(crate::analysis::exact_sum(col("revenue")))
                .alias("__ls_revenue"),
        ])
}

/// Won deals of cohort leads: `__deal, __lead_row, __deal_created,
/// __deal_closed, __lead_created, __amount`.
pub fn won_deals(inputs: &RoiInputs, opts: &Params) -> Option<LazyFrame> {
    let leads = inputs
        .leads
        .clone()
        .filter(cohort_filter(opts))
        .select([col(LEAD_ROW), col(CREATED_AT).alias(LEAD_CREATED)]);
    inputs.deals.clone().map(|d| {
        d.with_row_index(DEAL, None)
            .filter(col(STATUS).eq(lit("won")))
            .select([
                col(DEAL),
                col(LEAD_ROW),
                col(CREATED_AT).alias(DEAL_CREATED),
                col(CLOSED_AT).alias(DEAL_CLOSED),
                col(crate::input::schema::AMOUNT).alias(AMOUNT),
            ])
            .join(
                leads,
                [col(LEAD_ROW)],
                [col(LEAD_ROW)],
                JoinArgs::new(JoinType::Inner),
            )
    })
}

/// Touches for attribution: `__lead_row, at, __group, __touch`.
pub fn touches(inputs: &RoiInputs, opts: &Params) -> Option<LazyFrame> {
    inputs.touches.clone().map(|t| {
        t.with_row_index(TOUCH, None).select([
            col(LEAD_ROW),
            col(AT),
            key(opts.by.column()).alias(GROUP),
            col(TOUCH),
        ])
    })
}

/// What Markov's paths are walked from (`markov::transitions`): every
/// touch in file order (`__lead_row, at, __group`), the cohort's lead rows, and
/// each lead's first won deal's creation (`__lead_row, __cutoff`).
pub fn markov_inputs(
    deals: LazyFrame,
    touches: LazyFrame,
    inputs: &RoiInputs,
    opts: &Params,
) -> [LazyFrame; 3] {
    let cohort = inputs
        .leads
        .clone()
        .filter(cohort_filter(opts))
        .select([col(LEAD_ROW)]);
    let first_won = deals
        .group_by([col(LEAD_ROW)])
        .agg([col(DEAL_CREATED).min().alias("__cutoff")]);
    let touches = touches.select([col(LEAD_ROW), col(AT), col(GROUP)]);
    [touches, cohort, first_won]
}

/// Per group `__group, won, revenue` under a touch model, and the
/// unattributed won deals `won, revenue` (one row). `credits` is
/// `__deal, __group, __credit`.
pub fn attributed(deals: LazyFrame, credits: LazyFrame) -> (LazyFrame, LazyFrame) {
    let columns = ("__credit".into(), "won".into(), "revenue".into());
    attributed_together(deals, credits, &[columns])
}

/// [`attributed`] for several models' credits at once: `models` names each
/// model's credit column in `credits` (`__deal, __group`, credits) and its
/// won and revenue columns in the per-group frame. The unattributed deals
/// (no eligible touch) are the same for every model of one set of rows.
pub fn attributed_together(
    deals: LazyFrame,
    credits: LazyFrame,
    models: &[(String, String, String)],
) -> (LazyFrame, LazyFrame) {
    let credits = credits.cache();
    let amounts = deals.clone().select([col(DEAL), col(AMOUNT)]);
    let mut sums = Vec::new();
    for (credit, won, revenue) in models {
        sums.push(crate::analysis::exact_sum(col(credit.as_str())).alias(won.as_str()));
        let money = col(credit.as_str()) * col(AMOUNT);
        sums.push(crate::analysis::exact_sum(money).alias(revenue.as_str()));
    }
    let per_group = credits
        .clone()
        .join(
            amounts,
            [col(DEAL)],
            [col(DEAL)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(GROUP)])
        .agg(sums);
    let credited = credits
        .select([col(DEAL)])
        .unique(None, UniqueKeepStrategy::Any);
    let unattributed = deals
        .join(
            credited,
            [col(DEAL)],
            [col(DEAL)],
            JoinArgs::new(JoinType::Anti),
        )
        .select([
            len().cast(DataType::Float64).alias("won"),
            crate::analysis::exact_sum(col(AMOUNT)).alias("revenue"),
        ]);
    (per_group, unattributed)
}

fn full_join(a: LazyFrame, b: LazyFrame) -> LazyFrame {
    a.join(
        b,
        [col(GROUP)],
        [col(GROUP)],
        JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
    )
}

fn ratio(num: Expr, den: Expr) -> Expr {
    let den = den.cast(DataType::Float64);
    when(den.clone().gt(lit(0.0)))
        .then(num.cast(DataType::Float64) / den)
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// What every model's table shares, per group: the cohort's counts and
/// lead_source won and revenue ([`cohort`]) beside the period's spend.
/// Collected once per run, so the models never rescan lead_funnel.
pub fn base(inputs: &RoiInputs, opts: &Params) -> LazyFrame {
    full_join(
        cohort(inputs.funnel.clone(), opts),
        spend(inputs.spend.clone(), opts),
    )
}

/// The roi table for one model from [`base`]. `model` is `None` for
/// `lead_source`; otherwise the per-group and unattributed frames of
/// [`attributed`].
pub fn table(
    base: LazyFrame,
    model: Option<(LazyFrame, LazyFrame)>,
    opts: &Params,
) -> Result<LazyFrame> {
    let (rows, unattributed) = match model {
        None => (
            base.with_columns([
                col("__ls_won").alias("won"),
                col("__ls_revenue").alias("revenue"),
            ]),
            None,
        ),
        Some((per_group, un)) => (full_join(base, per_group), Some(un)),
    };
    let zero_u = |c: &str| col(c).fill_null(lit(0u32)).alias(c);
    // Sums of fractional credits: see `stable`.
    let zero_f = |c: &str| crate::analysis::stable(col(c).fill_null(lit(0.0))).alias(c);
    let rows = rows.select([
        col(GROUP),
        zero_f("spend"),
        zero_u("leads"),
        zero_u("mql"),
        zero_u("sql"),
        zero_f("won"),
        zero_f("revenue"),
    ]);
    let mut parts = vec![rows.clone().sort([GROUP], SortMultipleOptions::default())];
    if let Some(un) = unattributed {
        parts.push(un.select([
            lit(UNATTRIBUTED).alias(GROUP),
            lit(0.0).alias("spend"),
            lit(0u32).cast(DataType::UInt32).alias("leads"),
            lit(0u32).cast(DataType::UInt32).alias("mql"),
            lit(0u32).cast(DataType::UInt32).alias("sql"),
            col("won").fill_null(lit(0.0)),
            col("revenue").fill_null(lit(0.0)),
        ]));
    }
    let detail = concat(parts, UnionArgs::default())?.cache();
    let total = detail.clone().select([
        lit(ALL_LABEL).alias(GROUP),
        crate::analysis::exact_sum(col("spend")).alias("spend"),
        col("leads").sum(),
        col("mql").sum(),
        col("sql").sum(),
        crate::analysis::exact_sum(col("won")).alias("won"),
        crate::analysis::exact_sum(col("revenue")).alias("revenue"),
    ]);
    let all = concat([detail, total], UnionArgs::default())?;
    Ok(all.select([
        col(GROUP).alias(opts.by.column()),
        col("spend"),
        col("leads"),
        col("mql"),
        col("sql"),
        col("won"),
        col("revenue"),
        ratio(col("spend"), col("leads")).alias("cost_per_lead"),
        ratio(col("spend"), col("mql")).alias("cost_per_mql"),
        ratio(col("spend"), col("sql")).alias("cost_per_sql"),
        ratio(col("spend"), col("won")).alias("cac"),
        ratio(col("revenue"), col("spend")).alias("roas"),
        ratio(col("revenue") - col("spend"), col("spend")).alias("roi"),
    ]))
}

/// Whether `model` can run on these inputs (touch models need touches and deals).
pub fn available(model: Model, inputs: &RoiInputs) -> bool {
    !model.needs_touches() || (inputs.touches.is_some() && inputs.deals.is_some())
}

/// `--model all`: per group (the rows of each model's roi table, joined),
/// `spend`, each model's `revenue_<model>` and `won_<model>`, then the
/// revenue's min, max and spread across models, and `roi_sign_changes`: some
/// model gives a positive roi and another a negative one.
pub fn side_by_side(tables: &[(Model, LazyFrame)], by: &str) -> Result<LazyFrame> {
    let mut joined: Option<LazyFrame> = None;
    for (m, t) in tables {
        let part = t.clone().select([
            col(by),
            col("spend").alias(format!("__spend_{}", m.name())),
            col("revenue").alias(format!("revenue_{}", m.name())),
            col("won").alias(format!("won_{}", m.name())),
            col("roi").alias(format!("__roi_{}", m.name())),
        ]);
        joined = Some(match joined {
            None => part,
            Some(j) => j.join(
                part,
                [col(by)],
                [col(by)],
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            ),
        });
    }
    let Some(joined) = joined else {
        return Err(crate::error::Error::Internal(
            "roi: no model to compare".into(),
        ));
    };
    let names: Vec<&str> = tables.iter().map(|(m, _)| m.name()).collect();
    let revenue: Vec<Expr> = names
        .iter()
        .map(|n| col(format!("revenue_{n}")).fill_null(lit(0.0)))
        .collect();
    let roi = |cmp: fn(Expr) -> Expr| -> Result<Expr> {
        Ok(polars::lazy::dsl::any_horizontal(
            names
                .iter()
                .map(|n| cmp(col(format!("__roi_{n}"))).fill_null(lit(false)))
                .collect::<Vec<_>>(),
        )?)
    };
    let spend = polars::lazy::dsl::max_horizontal(
        names
            .iter()
            .map(|n| col(format!("__spend_{n}")))
            .collect::<Vec<_>>(),
    )?;
    let mut cols = vec![col(by), spend.fill_null(lit(0.0)).alias("spend")];
    for n in &names {
        cols.push(col(format!("revenue_{n}")).fill_null(lit(0.0)));
        cols.push(col(format!("won_{n}")).fill_null(lit(0.0)));
    }
    let lo = polars::lazy::dsl::min_horizontal(revenue.clone())?;
    let hi = polars::lazy::dsl::max_horizontal(revenue)?;
    cols.extend([
        lo.clone().alias("revenue_min"),
        hi.clone().alias("revenue_max"),
        // Rounded to the cent: sums of fractional credits differ in the last
        // bits from model to model, which is not a spread anyone should read.
        (hi - lo)
            .round(2, RoundMode::HalfToEven)
            .alias("revenue_spread"),
        roi(|e| e.gt(lit(0.0)))?
            .and(roi(|e| e.lt(lit(0.0)))?)
            .alias("roi_sign_changes"),
    ]);
    // Groups first (by name), then unattributed, then all.
    let special = |v: &str| col(by).eq(lit(v)).cast(DataType::UInt8);
    Ok(joined.select(cols).sort_by_exprs(
        [
            special(UNATTRIBUTED) + special(ALL_LABEL) * lit(2u8),
            col(by),
        ],
        SortMultipleOptions::default(),
    ))
}

/// Keeps the leads created in the period (their date in the configured zone).
pub fn cohort_filter(opts: &Params) -> Expr {
    in_period(cohort_day(col(CREATED_AT), opts), opts)
}

/// Per model: `model, attributed_revenue, unattributed_revenue,
/// closed_won_revenue, difference` (attributed + unattributed − closed-won,
/// to the cent: zero unless revenue was lost) from collected roi tables.
pub fn reconciliation(
    tables: &[(Model, DataFrame)],
    by: &str,
    closed_won: f64,
) -> Result<DataFrame> {
    let (mut names, mut attributed, mut unattributed) = (Vec::new(), Vec::new(), Vec::new());
    for (m, t) in tables {
        let group = t.column(by)?.str()?.clone();
        let revenue = t.column("revenue")?.f64()?.clone();
        let (mut a, mut u) = (0.0, 0.0);
        for i in 0..t.height() {
            match group.get(i) {
                Some(UNATTRIBUTED) => u += revenue.get(i).unwrap_or(0.0),
                Some(ALL_LABEL) => {}
                _ => a += revenue.get(i).unwrap_or(0.0),
            }
        }
        names.push(m.name());
        attributed.push(a);
        unattributed.push(u);
    }
    let n = names.len();
    let difference: Vec<f64> = attributed
        .iter()
        .zip(&unattributed)
        // To the cent: what is left is floating-point rounding of the credits.
        .map(|(a, u)| ((a + u - closed_won) * 100.0).round() / 100.0 + 0.0)
        .collect();
    Ok(df!(
        "model" => names,
        "attributed_revenue" => attributed,
        "unattributed_revenue" => unattributed,
        "closed_won_revenue" => vec![closed_won; n],
        "difference" => difference,
    )?)
}
