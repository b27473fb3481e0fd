//! The deals winloss reads, with every dimension they can have: their own
//! columns, `rep` (the deal's owner), the lead's source, band and columns
//! (when leads exist) and lookup columns.

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{TableKind, LEAD_ROW, REP_ID};
use crate::quality::Checked;

/// Deals with every dimension they can have: their own columns, `rep` (the
/// deal's owner), the lead's source, band and columns (when leads exist),
/// and lookup columns. Returns the frame and the default dimensions.
pub fn deals_with_dimensions(
    checked: &Checked,
    funnel: Option<LazyFrame>,
) -> Result<(LazyFrame, Vec<String>)> {
    let deal_spec: Vec<&str> = TableKind::Deals.columns().iter().map(|c| c.name).collect();
    let keyed = checked.keyed(TableKind::Deals);
    let (mut frame, funnel) = match (keyed, funnel) {
        (Some(d), Some(f)) => (d, Some(f)),
        _ => (checked.require(TableKind::Deals, "winloss")?, None),
    };
    let mut names: Vec<String> = frame
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let deal_extras: Vec<String> = names
        .iter()
        .filter(|n| !deal_spec.contains(&n.as_str()) && !n.starts_with("__"))
        .cloned()
        .collect();
    frame = frame.with_column(col(REP_ID).cast(DataType::String).alias("rep"));
    names.push("rep".into());
    let lead_extras = match funnel {
        Some(f) => {
            let (joined, extras) = join_lead_columns(frame, f, &mut names)?;
            frame = joined;
            extras
        }
        None => Vec::new(),
    };
    let (frame, lookup_cols) = join_lookups(checked, frame, &mut names)?;
    let mut dims: Vec<String> = ["source", "band", "rep"]
        .iter()
        .filter(|d| names.iter().any(|n| n == *d))
        .map(|d| d.to_string())
        .collect();
    for d in deal_extras
        .into_iter()
        .chain(lookup_cols)
        .chain(lead_extras)
    {
        if !dims.contains(&d) {
            dims.push(d);
        }
    }
    Ok((frame, dims))
}

/// Joins the lead's own columns and band onto keyed deals (skipping names
/// the deals already have); returns the lead columns that are dimensions
/// beyond the canonical ones.
fn join_lead_columns(
    deals: LazyFrame,
    mut funnel: LazyFrame,
    names: &mut Vec<String>,
) -> Result<(LazyFrame, Vec<String>)> {
    let lead_spec: Vec<&str> = TableKind::Leads.columns().iter().map(|c| c.name).collect();
    // lead_funnel's own lead columns come before its facts (`mql_at` first).
    let lead_cols: Vec<String> = funnel
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .take_while(|n| n != crate::funnel::COLUMNS[0])
        .filter(|n| n != "lead_id" && n != "created_at")
        .chain(["band".to_string()])
        .collect();
    let mut pick = vec![col(LEAD_ROW)];
    let mut extras = Vec::new();
    for c in lead_cols {
        if names.contains(&c) {
            continue;
        }
        pick.push(col(c.as_str()));
        if !lead_spec.contains(&c.as_str()) && c != "band" {
            extras.push(c.clone());
        }
        names.push(c);
    }
    // lead_funnel's rows are the used leads in order: row i is lead row i.
    let joined = deals.join(
        funnel.with_row_index(LEAD_ROW, None).select(pick),
        [col(LEAD_ROW)],
        [col(LEAD_ROW)],
        JoinArgs::new(JoinType::Left),
    );
    Ok((joined, extras))
}

/// Joins every lookup whose key is among `names` (its new columns only);
/// returns the lookup columns added.
fn join_lookups(
    checked: &Checked,
    mut frame: LazyFrame,
    names: &mut Vec<String>,
) -> Result<(LazyFrame, Vec<String>)> {
    let mut added = Vec::new();
    for (cfg, plan) in &checked.lookups {
        if !names.contains(&cfg.key) {
            continue;
        }
        let mut l = plan.used();
        let cols: Vec<String> = l
            .collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .filter(|n| n != &cfg.key && !names.contains(n))
            .collect();
        let mut pick = vec![col(cfg.key.as_str()).alias("__lookup_key")];
        pick.extend(cols.iter().map(|c| col(c.as_str())));
        frame = frame
            .with_column(
                col(cfg.key.as_str())
                    .cast(DataType::String)
                    .alias("__deal_key"),
            )
            .join(
                l.select(pick),
                [col("__deal_key")],
                [col("__lookup_key")],
                JoinArgs::new(JoinType::Left),
            );
        names.extend(cols.iter().cloned());
        added.extend(cols);
    }
    Ok((frame, added))
}
