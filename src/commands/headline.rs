//! The headline figures `report` puts in summary.json, one function per
//! analysis, read from the analysis' own tables (nothing is recomputed).

use polars::prelude::*;
use serde_json::{json, Map, Value};

use crate::analysis::ALL_LABEL;
use crate::error::Result;
use crate::output::{self, Report};

fn table<'a>(report: &'a Report, name: &str) -> Option<&'a DataFrame> {
    report
        .tables
        .iter()
        .find(|t| t.name == name)
        .map(|t| &t.frame)
}

/// Copies `columns` of the overall row (`key` = `all`) of `frame` into `h`.
fn overall(
    h: &mut Map<String, Value>,
    frame: &DataFrame,
    key: &str,
    columns: &[&str],
) -> Result<()> {
    let keys = frame.column(key)?.str()?.clone();
    if let Some(i) = (0..frame.height()).find(|&i| keys.get(i) == Some(ALL_LABEL)) {
        for c in columns {
            h.insert((*c).into(), output::json::value(&frame.column(c)?.get(i)?));
        }
    }
    Ok(())
}

fn with_sentence(report: &Report) -> Map<String, Value> {
    let mut h = Map::new();
    if let Some(s) = &report.headline {
        h.insert("sentence".into(), json!(s));
    }
    h
}

/// bands: its overall row, the AUC, the chi-square p-value and the inversions.
pub fn bands(report: &Report) -> Result<Value> {
    let mut h = with_sentence(report);
    if let Some(t) = table(report, "bands") {
        overall(
            &mut h,
            t,
            "band",
            &[
                "leads",
                "mql",
                "sql",
                "won",
                "revenue",
                "mql_to_sql",
                "lead_to_won",
            ],
        )?;
    }
    if let Some(t) = table(report, "tests") {
        let name = t.column("test")?.str()?.clone();
        let stat = t.column("statistic")?.f64()?.clone();
        let p = t.column("p_value")?.f64()?.clone();
        for i in 0..t.height() {
            match name.get(i) {
                Some("auc_score_for_won") => {
                    h.insert("auc_score_for_won".into(), json!(stat.get(i)));
                }
                Some("chi_square_mql_to_sql_across_bands") => {
                    h.insert("chi_square_p_value".into(), json!(p.get(i)));
                }
                _ => {}
            }
        }
    }
    h.insert(
        "inversions".into(),
        json!(table(report, "inversions").map_or(0, DataFrame::height)),
    );
    Ok(Value::Object(h))
}

/// contact: its overall row and the band-adjusted odds ratio of SQL for
/// contact within the SLA.
pub fn contact(report: &Report) -> Result<Value> {
    let mut h = with_sentence(report);
    if let Some(t) = table(report, "contact") {
        overall(
            &mut h,
            t,
            "group",
            &[
                "mql",
                "mature_mql",
                "contacted",
                "never_contacted",
                "black_hole",
                "contact_rate",
                "sla_rate",
                "median_hours_to_contact",
                "mature_never_contacted",
                "mature_never_rate",
            ],
        )?;
    }
    if let Some(t) = table(report, "speed_effect").filter(|t| t.height() == 2) {
        for (c, key) in [
            ("odds_ratio", "sla_odds_ratio_band_adjusted"),
            ("lower_95", "sla_odds_ratio_lo"),
            ("upper_95", "sla_odds_ratio_hi"),
        ] {
            h.insert(key.into(), output::json::value(&t.column(c)?.get(1)?));
        }
    }
    Ok(Value::Object(h))
}

/// roi: its overall row (lead_source) and how many sources change the sign
/// of their roi between attribution models.
pub fn roi(report: &Report) -> Result<Value> {
    let mut h = with_sentence(report);
    if let Some(t) = table(report, "roi") {
        overall(
            &mut h,
            t,
            "source",
            &["spend", "leads", "won", "revenue", "cac", "roas", "roi"],
        )?;
    }
    if let Some(t) = table(report, "models") {
        let flips = t.column("roi_sign_changes")?.bool()?.sum().unwrap_or(0);
        h.insert(
            "sources_whose_roi_sign_depends_on_model".into(),
            json!(flips),
        );
    }
    Ok(Value::Object(h))
}

/// winloss: the month, both periods' deals, win rates and revenues.
pub fn winloss(report: &Report) -> Result<Value> {
    let mut h = with_sentence(report);
    if let Some(t) = table(report, "bridge") {
        let factor = t.column("factor")?.str()?.clone();
        let base = t.column("baseline")?.f64()?.clone();
        let month = t.column("month")?.f64()?.clone();
        for i in 0..t.height() {
            let key = match factor.get(i) {
                Some("win rate") => "win_rate",
                Some("revenue") => "revenue",
                Some("closed deals") => "closed_deals",
                _ => continue,
            };
            h.insert(format!("{key}_baseline"), json!(base.get(i)));
            h.insert(key.into(), json!(month.get(i)));
        }
    }
    if let Some(t) = table(report, "drivers").filter(|t| t.height() > 0) {
        if let Some(m) = t.column("month")?.str()?.get(0) {
            h.insert("month".into(), json!(m));
        }
    }
    Ok(Value::Object(h))
}
