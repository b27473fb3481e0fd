//! The simulated funnel behind `leadloop generate`: who the leads are, how
//! they move, and what each table records about them.
//!
//! Every lead has a hidden quality `z` (its source's quality plus company
//! size plus noise). Scores see `z` through noise, so they predict
//! conversion well but not perfectly. MQL, SQL and winning all rise with `z`;
//! SQL odds also rise with contact speed (the effect `contact` measures);
//! reps differ in how often and how fast they call. Times run over the 24
//! months from 2024-11-01 to 2026-11-01 (UTC); deals still open at the end
//! stay open.

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

const SIZES: [(&str, f64, f64); 5] = [
    // (company_size, share, quality shift); deal size grows with it (DEAL_MEAN).
    ("1-10", 0.30, -0.4),
    ("11-50", 0.28, -0.1),
    ("51-200", 0.22, 0.1),
    ("201-1000", 0.13, 0.3),
    ("1000+", 0.07, 0.4),
];
const DEAL_MEAN: [f64; 5] = [4_000.0, 11_000.0, 28_000.0, 60_000.0, 130_000.0];
const INDUSTRIES: [&str; 8] = [
    "software",
    "manufacturing",
    "finance",
    "healthcare",
    "retail",
    "education",
    "logistics",
    "media",
];
const COUNTRIES: [(&str, f64); 6] = [
    ("US", 0.45),
    ("GB", 0.15),
    ("DE", 0.12),
    ("FR", 0.10),
    ("BR", 0.10),
    ("IN", 0.08),
];
const LOSS_REASONS: [(&str, f64); 6] = [
    ("price", 0.26),
    ("competitor", 0.22),
    ("no_decision", 0.20),
    ("timing", 0.14),
    ("no_budget", 0.12),
    ("product_fit", 0.06),
];
const TOUCH_TYPES: [&str; 6] = [
    "ad_click",
    "form_fill",
    "email_click",
    "content_download",
    "webinar_attend",
    "event_visit",
];
const ACTIVITY_KINDS: [(&str, f64); 3] = [("call", 0.55), ("email", 0.35), ("meeting", 0.10)];
pub const REPS: usize = 24;

pub fn rep_name(r: usize) -> String {
    format!("rep_{:02}", r + 1)
}

/// How likely rep `r` is to call an MQL at all, and how slow it is (log-hours).
fn rep_profile(r: usize) -> (f64, f64) {
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

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let e: f64 = rng.sample(Exp1);
    e * mean
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn days(d: f64) -> i64 {
    (d * DAY as f64) as i64
}

fn hours(h: f64) -> i64 {
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

/// Simulates lead `i` of `n` and appends its rows to `t`.
pub fn simulate(i: u64, n: u64, rng: &mut ChaCha8Rng, t: &mut Tables) {
    let id = lead_id(i);
    let created = created_at(i, n, rng);
    let s = pick(rng, SOURCES.iter().map(|s| s.weight));
    let source = &SOURCES[s];
    let size = pick(rng, SIZES.iter().map(|x| x.1));
    let campaign =
        (source.campaigns > 0).then(|| campaign_name(s, rng.random_range(0..source.campaigns)));
    let z = source.quality + SIZES[size].2 + normal(rng);

    let l = &mut t.leads;
    l.lead_id.push(Some(id.clone()));
    l.created_at.push(Some(created));
    l.source.push(source.name.to_string());
    l.campaign_id.push(campaign.clone());
    l.industry
        .push(INDUSTRIES[rng.random_range(0..INDUSTRIES.len())].to_string());
    l.company_size.push(SIZES[size].0.to_string());
    l.country.push(
        COUNTRIES[pick(rng, COUNTRIES.iter().map(|c| c.1))]
            .0
            .to_string(),
    );
    l.is_deleted.push(false);

    // Marketing touches: one or more before the lead exists, the creation
    // touch from the lead's own source, and some after.
    touches(&id, created, s, campaign.as_deref(), rng, t);

    // MQL: most MQL within days; a few sales-sourced leads skip MQL entirely.
    let mql = rng.random::<f64>() < sigmoid(-0.2 + 1.1 * z);
    let sales_sourced = !mql && rng.random::<f64>() < 0.03 * sigmoid(z);
    let mql_at = created + days(exp(rng, 3.0)) + hours(rng.random::<f64>());
    let rep = rng.random_range(0..REPS);
    let (reach, slowness) = rep_profile(rep);

    // Score history: fit is stable, engagement grows, intent spikes near MQL.
    let seen = z + 0.8 * normal(rng);
    let fit = (50.0 + 16.0 * seen).clamp(0.0, 100.0);
    let n_scores = 1 + rng.random_range(0..3);
    let mut at = created + hours(0.1);
    for k in 0..n_scores {
        let engagement =
            (20.0 + 12.0 * k as f64 + 12.0 * normal(rng) + 8.0 * seen).clamp(0.0, 100.0);
        let intent = (25.0 + 15.0 * seen + 10.0 * normal(rng)).clamp(0.0, 100.0);
        push_score(t, &id, at, fit, engagement, intent);
        at += days(exp(rng, 6.0)) + hours(1.0);
    }
    if mql && rng.random::<f64>() < 0.5 {
        // A score change just before the MQL (the usual trigger) …
        let engagement = (45.0 + 10.0 * seen).clamp(0.0, 100.0);
        push_score(
            t,
            &id,
            mql_at - hours(0.5),
            fit,
            engagement,
            (40.0 + 15.0 * seen).clamp(0.0, 100.0),
        );
        // … and sometimes one just after it.
        if rng.random::<f64>() < 0.3 {
            push_score(
                t,
                &id,
                mql_at + hours(2.0),
                fit,
                (engagement + 10.0).min(100.0),
                50.0,
            );
        }
    }

    if !mql && !sales_sourced {
        return;
    }
    let mut events: Vec<(&'static str, i64, Option<String>)> = Vec::new();
    let owner = rep_name(rep);
    if mql {
        events.push(("mql", mql_at, Some(owner.clone())));
    }

    // First contact: some MQLs are never called; speed depends on the rep.
    let start = if mql { mql_at } else { created };
    let contacted = mql && rng.random::<f64>() < reach * (0.6 + 0.4 * sigmoid(z));
    let delay_h = (1.2 + slowness + 1.6 * normal(rng)).exp();
    let contact_at = start + hours(delay_h);
    if contacted {
        let via = rng.random::<f64>();
        if via < 0.6 {
            events.push(("contacted", contact_at, Some(owner.clone())));
        }
        if via >= 0.45 {
            push_activity(t, &id, contact_at, &owner, rng);
        }
        for _ in 0..rng.random_range(0..4) {
            let later = contact_at + days(exp(rng, 5.0));
            push_activity(t, &id, later, &owner, rng);
        }
    } else if mql && rng.random::<f64>() < 0.05 {
        // A nurture email before the MQL: not a sales contact.
        push_activity(t, &id, mql_at - days(2.0), &owner, rng);
    }
    if contacted && rng.random::<f64>() < 0.5 {
        events.push((
            "sal",
            contact_at + hours(exp(rng, 20.0)),
            Some(owner.clone()),
        ));
    }

    // SQL odds: quality plus speed-to-lead.
    let speed = match delay_h {
        h if h < 1.0 => 0.9,
        h if h < 4.0 => 0.6,
        h if h < 24.0 => 0.3,
        h if h < 72.0 => 0.0,
        _ => -0.4,
    };
    let p_sql = if sales_sourced {
        1.0
    } else if contacted {
        sigmoid(-1.3 + 1.1 * z + speed)
    } else {
        sigmoid(-3.5 + 0.8 * z)
    };
    let sql = rng.random::<f64>() < p_sql;
    let mut sql_at = if contacted { contact_at } else { start } + days(exp(rng, 4.0)) + hours(1.0);
    if !sql {
        // Recycle or disqualify, and sometimes re-MQL later.
        let r = rng.random::<f64>();
        if r < 0.3 {
            let recycled_at = start + days(20.0 + exp(rng, 20.0));
            events.push(("recycled", recycled_at, Some(owner.clone())));
            if rng.random::<f64>() < 0.5 {
                let again = recycled_at + days(30.0 + exp(rng, 40.0));
                events.push(("mql", again, Some(owner.clone())));
                if rng.random::<f64>() < sigmoid(-1.8 + z) {
                    sql_at = again + days(exp(rng, 5.0)) + hours(1.0);
                    events.push(("sql", sql_at, Some(owner.clone())));
                    deals(&id, sql_at, z, size, &owner, rng, t);
                }
            }
        } else if r < 0.5 {
            events.push((
                "disqualified",
                start + days(exp(rng, 10.0)) + hours(1.0),
                Some(owner.clone()),
            ));
        } else if mql && rng.random::<f64>() < 0.02 {
            // Skips from MQL straight to a deal (no SQL recorded).
            deals(
                &id,
                start + days(exp(rng, 6.0)) + hours(1.0),
                z + 0.5,
                size,
                &owner,
                rng,
                t,
            );
        }
    } else {
        events.push(("sql", sql_at, Some(owner.clone())));
        if rng.random::<f64>() < 0.75 {
            deals(&id, sql_at, z, size, &owner, rng, t);
        }
    }
    for (stage, at, rep) in events.into_iter().filter(|e| e.1 < END) {
        t.handoffs.lead_id.push(id.clone());
        t.handoffs.stage.push(stage.to_string());
        t.handoffs.at.push(Some(at));
        t.handoffs.rep_id.push(rep);
    }
}

fn push_score(t: &mut Tables, id: &str, at: i64, fit: f64, engagement: f64, intent: f64) {
    if at >= END {
        return;
    }
    let s = &mut t.scores;
    s.lead_id.push(id.to_string());
    s.scored_at.push(Some(at));
    s.fit.push(fit.round() as i64);
    s.engagement.push(engagement.round() as i64);
    s.intent.push(intent.round() as i64);
    s.score.push(Some(
        (0.45 * fit + 0.35 * engagement + 0.20 * intent).round(),
    ));
}

fn push_activity(t: &mut Tables, id: &str, at: i64, rep: &str, rng: &mut ChaCha8Rng) {
    if at >= END {
        return;
    }
    let a = &mut t.activities;
    a.lead_id.push(id.to_string());
    a.at.push(Some(at));
    a.rep_id.push(rep.to_string());
    a.kind.push(
        ACTIVITY_KINDS[pick(rng, ACTIVITY_KINDS.iter().map(|k| k.1))]
            .0
            .to_string(),
    );
}

fn touches(
    id: &str,
    created: i64,
    s: usize,
    campaign: Option<&str>,
    rng: &mut ChaCha8Rng,
    t: &mut Tables,
) {
    let n = 1 + rng.random_range(0..8usize);
    let before = rng.random_range(0..n);
    let push =
        |t: &mut Tables, at: i64, src: usize, campaign: Option<String>, rng: &mut ChaCha8Rng| {
            if !(START - 60 * DAY..END).contains(&at) {
                return;
            }
            t.touches.lead_id.push(id.to_string());
            t.touches.at.push(at);
            t.touches.source.push(SOURCES[src].name.to_string());
            t.touches.campaign_id.push(campaign);
            t.touches
                .touch_type
                .push(TOUCH_TYPES[rng.random_range(0..TOUCH_TYPES.len())].to_string());
        };
    let random_source = |rng: &mut ChaCha8Rng| {
        let k = pick(rng, SOURCES.iter().map(|s| s.weight));
        let c = (SOURCES[k].campaigns > 0)
            .then(|| campaign_name(k, rng.random_range(0..SOURCES[k].campaigns)));
        (k, c)
    };
    let mut at = created - days(exp(rng, 12.0)) - hours(1.0);
    for _ in 0..before {
        let (k, c) = random_source(rng);
        push(t, at, k, c, rng);
        at += days(exp(rng, 3.0)).min((created - at) / 2).max(1);
    }
    // The lead-creation touch: the lead's own source, minutes before creation.
    push(
        t,
        created - 60_000_000 * rng.random_range(1..30i64),
        s,
        campaign.map(str::to_string),
        rng,
    );
    let mut after = created;
    for _ in before + 1..n {
        after += days(exp(rng, 15.0)) + hours(1.0);
        let (k, c) = random_source(rng);
        push(t, after, k, c, rng);
    }
}

/// One deal (sometimes two) from an SQL at `sql_at`.
fn deals(
    id: &str,
    sql_at: i64,
    z: f64,
    size: usize,
    rep: &str,
    rng: &mut ChaCha8Rng,
    t: &mut Tables,
) {
    let n = if rng.random::<f64>() < 0.05 { 2 } else { 1 };
    for k in 0..n {
        let created = sql_at + days(exp(rng, 4.0)) + hours(1.0) + days(30.0 * k as f64);
        if created >= END {
            return;
        }
        let amount = (DEAL_MEAN[size] * (0.6 * normal(rng) - 0.18).exp() * 100.0).round() / 100.0;
        let cycle = days((45f64.ln() + 0.6 * normal(rng)).exp());
        let closed = created + cycle + hours(1.0);
        let won = rng.random::<f64>() < sigmoid(-1.5 + 0.9 * z);
        let d = &mut t.deals;
        d.deal_id.push(format!("D{}-{}", &id[1..], k + 1));
        d.lead_id.push(id.to_string());
        d.created_at.push(created);
        d.amount.push(amount);
        d.rep_id.push(rep.to_string());
        if closed >= END {
            d.closed_at.push(None);
            d.status.push("open".into());
            d.loss_reason.push(None);
        } else if won {
            d.closed_at.push(Some(closed));
            d.status.push("won".into());
            d.loss_reason.push(None);
        } else {
            d.closed_at.push(Some(closed));
            d.status.push("lost".into());
            d.loss_reason.push(Some(
                LOSS_REASONS[pick(rng, LOSS_REASONS.iter().map(|r| r.1))]
                    .0
                    .to_string(),
            ));
        }
    }
}

/// Spend rows as columns: date (µs), source, campaign_id, amount.
pub type SpendRows = (Vec<Option<i64>>, Vec<String>, Vec<String>, Vec<f64>);

/// Daily spend per source and campaign over the whole period, scaled so a
/// source's cost per lead is about its `cost_per_lead` for `n` leads.
pub fn spend(n: u64, rng: &mut ChaCha8Rng) -> SpendRows {
    let (mut date, mut source, mut campaign, mut amount) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let n_days = (END - START) / DAY;
    for d in 0..n_days {
        let x = (d as f64 + 0.5) / n_days as f64;
        // Leads per day at x, from the density 2(1 + x)/3 over the period.
        let per_day = n as f64 * (2.0 * (1.0 + x) / 3.0) / n_days as f64;
        for (s, src) in SOURCES.iter().enumerate() {
            if src.cost_per_lead <= 0.0 {
                continue;
            }
            for k in 0..src.campaigns {
                let base = per_day * src.weight / src.campaigns as f64 * src.cost_per_lead;
                let value = base * (0.25 * normal(rng) - 0.03).exp();
                date.push(Some(START + d * DAY));
                source.push(src.name.to_string());
                campaign.push(campaign_name(s, k));
                amount.push((value * 100.0).round() / 100.0);
            }
        }
    }
    (date, source, campaign, amount)
}
