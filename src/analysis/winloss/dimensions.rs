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
    let (frame, lookup_cols) = crate::funnel::join_lookups(frame, checked, &mut names, None)?;
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
    // Only the leads with a deal are joined (a few percent: at 100M leads,
    // every lead's columns on the join's build side took 10 GB).
    let with_deals = deals
        .clone()
        .select([col(LEAD_ROW)])
        .unique(None, UniqueKeepStrategy::Any);
    let leads = funnel.with_row_index(LEAD_ROW, None).select(pick).join(
        with_deals,
        [col(LEAD_ROW)],
        [col(LEAD_ROW)],
        JoinArgs::new(JoinType::Semi),
    );
    let joined = deals.join(
        leads,
        [col(LEAD_ROW)],
        [col(LEAD_ROW)],
        JoinArgs::new(JoinType::Left),
    );
    Ok((joined, extras))
}

/// Columns left out of the default dimensions, each with the reason.
pub type LeftOut = Vec<(String, String)>;

/// The most segments a default dimension may have among closed deals: more
/// is free text or an id, not something a leader segments by.
pub const MAX_SEGMENTS: u32 = 20;

/// The dimensions a leader segments by, chosen without `--dims` (issue 13):
/// source, band and rep always (when present); every other column only when
/// it is text or a flag with 2 to [`MAX_SEGMENTS`] values among closed deals,
/// and at most one value per two deals — never a timestamp, a number, an id,
/// a loader's system column, or free text and personal data (names, emails).
pub struct Defaults {
    /// Always in: source, band, rep.
    pub always: Vec<String>,
    /// Worth counting: text and flag columns that pass the name checks.
    pub candidates: Vec<String>,
    /// Left out by type or name, with the reason.
    pub left_out: Vec<(String, &'static str)>,
}

fn looks_like_id(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("_key")
        || (name.ends_with("Id") && name.len() > 2)
        || lower.starts_with('_')
}

/// A column that records the outcome or the stage itself (explaining win
/// rate by the won flag is circular; HubSpot's lifecycle stage is
/// `Customer` once won: a user trial's top "driver"). recalibrate leaves
/// them out of its default features too (Salesforce's Lead `Status` and
/// `IsConverted` predicted SQL at AUC 1.000 in a user trial).
pub fn looks_like_outcome(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['_', ' '], "");
    [
        "iswon",
        "isclosed",
        "closedwon",
        "stagename",
        "dealstage",
        "forecastcategory",
        "status",
        "lifecyclestage",
        "isconverted",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn looks_like_free_text(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "name",
        "email",
        "phone",
        "address",
        "description",
        "url",
        "comment",
        "note",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn looks_like_time(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["date", "time", "_at", "timestamp"]
        .iter()
        .any(|w| lower.contains(w))
}

impl Defaults {
    /// Sorts `dims` (from [`deals_with_dimensions`]) by what a name and a
    /// type can tell.
    pub fn sort(dims: &[String], schema: &Schema) -> Defaults {
        let mut d = Defaults {
            always: Vec::new(),
            candidates: Vec::new(),
            left_out: Vec::new(),
        };
        for name in dims {
            let dtype = schema.get(name.as_str()).cloned().unwrap_or(DataType::Null);
            if ["source", "band", "rep"].contains(&name.as_str()) {
                d.always.push(name.clone());
            } else if name == "month" {
                d.left_out.push((name.clone(), "winloss's own column name"));
            } else if dtype.is_temporal() || looks_like_time(name) {
                d.left_out.push((name.clone(), "a timestamp"));
            } else if looks_like_id(name) {
                d.left_out
                    .push((name.clone(), "an id or a loader's column"));
            } else if looks_like_outcome(name) {
                d.left_out
                    .push((name.clone(), "the outcome or stage itself"));
            } else if looks_like_free_text(name) {
                d.left_out
                    .push((name.clone(), "free text or personal data"));
            } else if dtype.is_primitive_numeric() || matches!(dtype, DataType::Decimal(..)) {
                d.left_out.push((name.clone(), "a number, not binned"));
            } else if dtype.is_nested() || matches!(dtype, DataType::Binary) {
                // A list's values have no one text to group by (a
                // breaker's list column stopped winloss and report: "cannot
                // cast List type").
                d.left_out
                    .push((name.clone(), "a list, struct or binary column"));
            } else {
                d.candidates.push(name.clone());
            }
        }
        d
    }

    /// Over closed deals, one row: `n_unique` of every candidate, and
    /// `__text_<c>`: how many of its values are not numbers (CSV columns are
    /// text; one whose every value is a number is a number).
    pub fn counts(&self, closed: LazyFrame) -> LazyFrame {
        let exprs: Vec<Expr> = self
            .candidates
            .iter()
            .flat_map(|c| {
                let v = col(c.as_str());
                [
                    v.clone()
                        .n_unique()
                        .cast(DataType::UInt32)
                        .alias(c.as_str()),
                    v.clone()
                        .is_not_null()
                        .and(v.neq(lit(crate::analysis::NONE_LABEL)))
                        .and(col(c.as_str()).cast(DataType::Float64).is_null())
                        .cast(DataType::UInt32)
                        .sum()
                        .alias(format!("__text_{c}")),
                ]
            })
            .collect();
        let mut exprs = exprs;
        exprs.push(len().cast(DataType::UInt32).alias("__deals"));
        closed.select(exprs)
    }

    /// The chosen dimensions, and every column left out with its reason.
    pub fn choose(mut self, counts: &DataFrame) -> Result<(Vec<String>, LeftOut)> {
        let mut chosen = std::mem::take(&mut self.always);
        let mut left: Vec<(String, String)> = self
            .left_out
            .iter()
            .map(|(c, why)| (c.clone(), why.to_string()))
            .collect();
        for c in &self.candidates {
            let n = counts.column(c)?.u32()?.get(0).unwrap_or(0);
            let text = counts
                .column(&format!("__text_{c}"))?
                .u32()?
                .get(0)
                .unwrap_or(0);
            let deals = counts.column("__deals")?.u32()?.get(0).unwrap_or(0);
            if text == 0 && n > 1 {
                left.push((c.clone(), "a number, not binned".into()));
            } else if n < 2 {
                left.push((c.clone(), "one value only".into()));
            } else if n > MAX_SEGMENTS {
                left.push((c.clone(), format!("{n} values")));
            } else if deals >= 4 && 2 * n > deals {
                left.push((c.clone(), format!("{n} values among {deals} closed deals")));
            } else {
                chosen.push(c.clone());
            }
        }
        Ok((chosen, left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendors' outcome and stage columns, in their API, loader and UI
    /// spellings, are not drivers; ordinary dimensions are.
    #[test]
    fn outcome_columns_are_recognised_in_every_spelling() {
        for name in [
            "IsWon",
            "StageName",
            "Lead Status",
            "hs_lead_status",
            "dealstage",
            "Lifecycle Stage",
            "lifecyclestage",
            "property_lifecyclestage",
            "IsConverted",
            "Status",
        ] {
            assert!(looks_like_outcome(name), "{name}");
        }
        for name in ["industry", "Company Size", "country", "Lead Source"] {
            assert!(!looks_like_outcome(name), "{name}");
        }
    }
}
