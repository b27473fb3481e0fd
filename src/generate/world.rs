//! The world `leadloop generate` simulates: its sources, company sizes,
//! reps and calendar, the rows each table records, and the random draws
//! the simulation is made of.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Exp1, StandardNormal};

pub const HOUR: i64 = 3_600_000_000;
pub const DAY: i64 = 24 * HOUR;
/// 2024-11-01T00:00:00Z in microseconds.
pub const START: i64 = 1_730_419_200_000_000;
/// 2026-11-01T00:00:00Z in microseconds.
pub const END: i64 = 1_793_491_200_000_000;

pub struct Source {
    pub name: &'static str,
    /// Share of leads.
    pub weight: f64,
    /// Mean of the hidden quality of its leads.
    pub quality: f64,
    /// Cost per lead in the reporting currency (0: no spend rows).
    pub cost_per_lead: f64,
    pub campaigns: u32,
}

const fn src(
    name: &'static str,
    weight: f64,
    quality: f64,
    cost_per_lead: f64,
    campaigns: u32,
) -> Source {
    Source {
        name,
        weight,
        quality,
        cost_per_lead,
        campaigns,
    }
}

pub const SOURCES: [Source; 12] = [
    src("paid_search", 0.18, 0.2, 95.0, 4),
    src("organic_search", 0.14, 0.1, 12.0, 2),
    src("paid_social", 0.12, -0.6, 55.0, 4),
    src("content_syndication", 0.10, -0.9, 40.0, 3),
    src("webinar", 0.08, 0.4, 70.0, 3),
    src("email", 0.08, -0.1, 8.0, 3),
    src("partner", 0.06, 0.6, 80.0, 2),
    src("direct", 0.06, 0.3, 0.0, 0),
    src("trade_show", 0.05, 0.5, 260.0, 2),
    src("referral", 0.05, 1.0, 0.0, 0),
    src("review_sites", 0.04, 0.3, 110.0, 2),
    src("display", 0.04, -1.1, 30.0, 3),
];

pub(super) const SIZES: [(&str, f64, f64); 5] = [
    // (company_size, share, quality shift); deal size grows with it (DEAL_MEAN).
    ("1-10", 0.30, -0.4),
    ("11-50", 0.28, -0.1),
    ("51-200", 0.22, 0.1),
    ("201-1000", 0.13, 0.3),
    ("1000+", 0.07, 0.4),
];
pub(super) const DEAL_MEAN: [f64; 5] = [4_000.0, 11_000.0, 28_000.0, 60_000.0, 130_000.0];
pub(super) const INDUSTRIES: [&str; 8] = [
    "software",
    "manufacturing",
    "finance",
    "healthcare",
    "retail",
    "education",
    "logistics",
    "media",
];
pub(super) const COUNTRIES: [(&str, f64); 6] = [
    ("US", 0.45),
    ("GB", 0.15),
    ("DE", 0.12),
    ("FR", 0.10),
    ("BR", 0.10),
    ("IN", 0.08),
];
pub(super) const LOSS_REASONS: [(&str, f64); 6] = [
    ("price", 0.26),
    ("competitor", 0.22),
    ("no_decision", 0.20),
    ("timing", 0.14),
    ("no_budget", 0.12),
    ("product_fit", 0.06),
];
pub(super) const TOUCH_TYPES: [&str; 6] = [
    "ad_click",
    "form_fill",
    "email_click",
    "content_download",
    "webinar_attend",
    "event_visit",
];
pub(super) const ACTIVITY_KINDS: [(&str, f64); 3] =
    [("call", 0.55), ("email", 0.35), ("meeting", 0.10)];
pub const REPS: usize = 24;

pub fn rep_name(r: usize) -> String {
    format!("rep_{:02}", r + 1)
}

/// How likely rep `r` is to call an MQL at all, and how slow it is (log-hours).
pub(super) fn rep_profile(r: usize) -> (f64, f64) {
    let reach = 0.55 + 0.4 * ((r * 7 % REPS) as f64 / REPS as f64);
    let slowness = -0.8 + 2.4 * ((r * 11 % REPS) as f64 / REPS as f64);
    (reach, slowness)
}

pub fn campaign_name(source: usize, k: u32) -> String {
    format!("{}-{:02}", SOURCES[source].name, k + 1)
}

/// Rows of every table, as column vectors. `None` in a time is a missing
/// time; [`GARBAGE`] marks a value the dirt injector made unreadable.
#[derive(Default)]
pub struct Tables {
    pub leads: Leads,
    pub scores: Scores,
    pub handoffs: Events,
    pub activities: Activities,
    pub deals: Deals,
    pub touches: Touches,
}

/// A time the writer turns into unreadable text (CSV) or null (Parquet).
pub const GARBAGE: i64 = i64::MIN;

#[derive(Default)]
pub struct Leads {
    pub lead_id: Vec<Option<String>>,
    pub created_at: Vec<Option<i64>>,
    pub source: Vec<String>,
    pub campaign_id: Vec<Option<String>>,
    pub industry: Vec<String>,
    pub company_size: Vec<String>,
    pub country: Vec<String>,
    pub is_deleted: Vec<bool>,
}

#[derive(Default)]
pub struct Scores {
    pub lead_id: Vec<String>,
    pub scored_at: Vec<Option<i64>>,
    pub score: Vec<Option<f64>>,
    pub fit: Vec<i64>,
    pub engagement: Vec<i64>,
    pub intent: Vec<i64>,
}

#[derive(Default)]
pub struct Events {
    pub lead_id: Vec<String>,
    pub stage: Vec<String>,
    pub at: Vec<Option<i64>>,
    pub rep_id: Vec<Option<String>>,
}

#[derive(Default)]
pub struct Activities {
    pub lead_id: Vec<String>,
    pub at: Vec<Option<i64>>,
    pub rep_id: Vec<String>,
    pub kind: Vec<String>,
}

#[derive(Default)]
pub struct Deals {
    pub deal_id: Vec<String>,
    pub lead_id: Vec<String>,
    pub created_at: Vec<i64>,
    pub closed_at: Vec<Option<i64>>,
    pub status: Vec<String>,
    pub amount: Vec<f64>,
    pub loss_reason: Vec<Option<String>>,
    pub rep_id: Vec<String>,
}

#[derive(Default)]
pub struct Touches {
    pub lead_id: Vec<String>,
    pub at: Vec<i64>,
    pub source: Vec<String>,
    pub campaign_id: Vec<Option<String>>,
    pub touch_type: Vec<String>,
}

pub fn pick(rng: &mut ChaCha8Rng, weights: impl IntoIterator<Item = f64>) -> usize {
    let w: Vec<f64> = weights.into_iter().collect();
    let total: f64 = w.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, x) in w.iter().enumerate() {
        if u < *x {
            return i;
        }
        u -= x;
    }
    w.len() - 1
}

pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

pub(super) fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let e: f64 = rng.sample(Exp1);
    e * mean
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(super) fn days(d: f64) -> i64 {
    (d * DAY as f64) as i64
}

pub(super) fn hours(h: f64) -> i64 {
    (h * HOUR as f64) as i64
}

/// Creation time of lead `i` of `n`: in id order, with volume growing over
/// the period (density ∝ 1 + x, so the last month has about twice the first's).
pub fn created_at(i: u64, n: u64, rng: &mut ChaCha8Rng) -> i64 {
    let p = (i as f64 + rng.random::<f64>()) / n.max(1) as f64;
    let x = (1.0 + 3.0 * p).sqrt() - 1.0;
    START + ((END - START - 1) as f64 * x) as i64
}

pub fn lead_id(i: u64) -> String {
    format!("L{:08}", i + 1)
}
