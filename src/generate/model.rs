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

pub use super::world::*;

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
