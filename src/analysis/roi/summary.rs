//! The headline figures of `roi` that `report` prints and writes.

use serde::Serialize;

use crate::analysis::plan::Summary;
use crate::output::format;

/// The headline figures of `roi`: its overall row (the first model) and how
/// many sources' roi changes sign between models.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoiSummary {
    pub spend: Option<f64>,
    pub leads: u64,
    pub won: Option<f64>,
    pub revenue: Option<f64>,
    pub cac: Option<f64>,
    pub roas: Option<f64>,
    pub roi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources_whose_roi_sign_depends_on_model: Option<u64>,
}

impl Summary for RoiSummary {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        let money = |v: Option<f64>| v.map_or("–".to_string(), format::money);
        let mut line = format!(
            "roi: spend {}, closed-won revenue {}, ROAS {}",
            money(self.spend),
            money(self.revenue),
            self.roas.map_or("–".into(), |v| format!("{v:.2}"))
        );
        if let Some(n) = self.sources_whose_roi_sign_depends_on_model {
            line.push_str(&format!(
                "; {n} source(s) profitable under one attribution model and not another"
            ));
        }
        Some(line)
    }
}
