//! `--dirty PCT`: bad rows of every kind the ledger knows, added at a known
//! rate so `validate` can be checked against what was injected.
//!
//! Each kind adds round(PCT% × the table's clean rows in the chunk) rows,
//! appended after the chunk's clean rows (so a duplicate always follows its
//! original). Every bad row has exactly one defect, and refers only to leads
//! that nothing else refers to, or to clean leads, so one bad row never
//! makes another row bad. Parquet cannot hold an unreadable timestamp, so
//! there a bad time is a missing one (`missing_timestamp`); CSV gets text
//! that is not a time (`unparseable_timestamp`).

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::model::{Tables, DAY, GARBAGE};

/// table → reason → rows injected.
pub type Injected = BTreeMap<String, BTreeMap<String, u64>>;

pub fn add(counts: &mut Injected, table: &str, reason: &str, n: u64) {
    if n > 0 {
        *counts
            .entry(table.to_string())
            .or_default()
            .entry(reason.to_string())
            .or_default() += n;
    }
}

fn how_many(pct: f64, rows: usize) -> usize {
    (pct / 100.0 * rows as f64).round() as usize
}

/// Adds bad rows to one chunk's tables.
pub fn inject(
    t: &mut Tables,
    chunk: u64,
    pct: f64,
    csv: bool,
    rng: &mut ChaCha8Rng,
    counts: &mut Injected,
) {
    let clean_leads = t.leads.lead_id.len();
    if clean_leads == 0 {
        return;
    }
    let bad_time = if csv { Some(GARBAGE) } else { None };
    let time_reason = if csv {
        "unparseable_timestamp"
    } else {
        "missing_timestamp"
    };
    // A clean lead: (id, created_at).
    let real = |rng: &mut ChaCha8Rng, t: &Tables| {
        let j = rng.random_range(0..clean_leads);
        let id = t.leads.lead_id[j].clone().unwrap_or_default();
        (id, t.leads.created_at[j].unwrap_or(0))
    };
    let fresh = |kind: &str, k: usize| format!("X{chunk}-{kind}-{k}");

    // leads
    let k = how_many(pct, clean_leads);
    for i in 0..k {
        let j = rng.random_range(0..clean_leads);
        copy_lead(t, j, None, None, false); // null_key
        copy_lead(
            t,
            j,
            t.leads.lead_id[j].clone(),
            t.leads.created_at[j],
            false,
        ); // duplicate_key
        copy_lead(t, j, Some(fresh("t", i)), bad_time, false);
        copy_lead(t, j, Some(fresh("d", i)), t.leads.created_at[j], true); // deleted
    }
    add(counts, "leads", "null_key", k as u64);
    add(counts, "leads", "duplicate_key", k as u64);
    add(counts, "leads", time_reason, k as u64);
    add(counts, "leads", "deleted", k as u64);

    // handoffs
    let k = how_many(pct, t.handoffs.lead_id.len());
    for i in 0..k {
        let (id, created) = real(rng, t);
        let h = &mut t.handoffs;
        let mut push = |lead: String, stage: &str, at: Option<i64>| {
            h.lead_id.push(lead);
            h.stage.push(stage.into());
            h.at.push(at);
            h.rep_id.push(Some("rep_01".into()));
        };
        push(format!("Z{chunk}-h-{i}"), "mql", Some(created + DAY));
        push(id.clone(), "nurture", Some(created + DAY));
        push(id.clone(), "contacted", bad_time);
        push(id, "mql", Some(created - 2 * DAY));
    }
    for r in [
        "unknown_lead",
        "unknown_stage",
        time_reason,
        "stage_before_created",
    ] {
        add(counts, "handoffs", r, k as u64);
    }

    // deals
    let k = how_many(pct, t.deals.deal_id.len().max(clean_leads / 10));
    let originals = t.deals.deal_id.len();
    for i in 0..k {
        let (id, created) = real(rng, t);
        let d = &mut t.deals;
        let mut push =
            |deal: String, lead: String, c: i64, closed: Option<i64>, status: &str, amount: f64| {
                d.deal_id.push(deal);
                d.lead_id.push(lead);
                d.created_at.push(c);
                d.closed_at.push(closed);
                d.status.push(status.into());
                d.amount.push(amount);
                d.loss_reason.push(None);
                d.rep_id.push("rep_01".into());
            };
        let c = created + DAY;
        push(
            fresh("du", i),
            format!("Z{chunk}-d-{i}"),
            c,
            Some(c + DAY),
            "lost",
            100.0,
        );
        push(fresh("dn", i), id.clone(), c, Some(c + DAY), "lost", -100.0);
        push(
            fresh("ds", i),
            id.clone(),
            c,
            Some(c + DAY),
            "pending",
            100.0,
        );
        push(fresh("dw", i), id.clone(), c, None, "won", 100.0);
        push(
            fresh("db", i),
            id,
            created - 5 * DAY,
            Some(created - DAY),
            "lost",
            100.0,
        );
    }
    for r in [
        "unknown_lead",
        "negative_amount",
        "invalid_status",
        "won_without_closed_at",
        "stage_before_created",
    ] {
        add(counts, "deals", r, k as u64);
    }
    if originals > 0 {
        let k = how_many(pct, originals);
        for _ in 0..k {
            let j = rng.random_range(0..originals);
            let d = &mut t.deals;
            d.deal_id.push(d.deal_id[j].clone());
            d.lead_id.push(d.lead_id[j].clone());
            d.created_at.push(d.created_at[j]);
            d.closed_at.push(d.closed_at[j]);
            d.status.push(d.status[j].clone());
            d.amount.push(d.amount[j]);
            d.loss_reason.push(d.loss_reason[j].clone());
            d.rep_id.push(d.rep_id[j].clone());
        }
        add(counts, "deals", "duplicate_key", k as u64);
    }

    // activities
    let k = how_many(pct, t.activities.lead_id.len());
    for i in 0..k {
        let (id, created) = real(rng, t);
        let a = &mut t.activities;
        for (lead, at) in [
            (format!("Z{chunk}-a-{i}"), Some(created + DAY)),
            (id, bad_time),
        ] {
            a.lead_id.push(lead);
            a.at.push(at);
            a.rep_id.push("rep_01".into());
            a.kind.push("call".into());
        }
    }
    add(counts, "activities", "unknown_lead", k as u64);
    add(counts, "activities", time_reason, k as u64);

    // scores
    let k = how_many(pct, t.scores.lead_id.len());
    for i in 0..k {
        let (id, created) = real(rng, t);
        let s = &mut t.scores;
        for (lead, at, score) in [
            (format!("Z{chunk}-s-{i}"), Some(created), Some(50.0)),
            (id.clone(), Some(created), None),
            (id, bad_time, Some(50.0)),
        ] {
            s.lead_id.push(lead);
            s.scored_at.push(at);
            s.score.push(score);
            s.fit.push(50);
            s.engagement.push(50);
            s.intent.push(50);
        }
    }
    add(counts, "scores", "unknown_lead", k as u64);
    add(counts, "scores", "missing_score", k as u64);
    add(counts, "scores", time_reason, k as u64);

    // touches
    let k = how_many(pct, t.touches.lead_id.len());
    for i in 0..k {
        let (_, created) = real(rng, t);
        let tt = &mut t.touches;
        tt.lead_id.push(format!("Z{chunk}-t-{i}"));
        tt.at.push(created);
        tt.source.push("email".into());
        tt.campaign_id.push(None);
        tt.touch_type.push("email_click".into());
    }
    add(counts, "touches", "unknown_lead", k as u64);
}

fn copy_lead(t: &mut Tables, j: usize, id: Option<String>, created: Option<i64>, deleted: bool) {
    let l = &mut t.leads;
    l.lead_id.push(id);
    l.created_at.push(created);
    l.source.push(l.source[j].clone());
    l.campaign_id.push(l.campaign_id[j].clone());
    l.industry.push(l.industry[j].clone());
    l.company_size.push(l.company_size[j].clone());
    l.country.push(l.country[j].clone());
    l.is_deleted.push(deleted);
}

/// Bad spend rows: negative amounts and bad dates.
pub fn inject_spend(
    spend: &mut super::model::SpendRows,
    pct: f64,
    csv: bool,
    rng: &mut ChaCha8Rng,
    counts: &mut Injected,
) {
    let rows = spend.0.len();
    if rows == 0 {
        return;
    }
    let k = how_many(pct, rows);
    for _ in 0..k {
        let j = rng.random_range(0..rows);
        for (date, amount) in [
            (spend.0[j], -spend.3[j].abs() - 1.0),
            (if csv { Some(GARBAGE) } else { None }, spend.3[j]),
        ] {
            spend.0.push(date);
            spend.1.push(spend.1[j].clone());
            spend.2.push(spend.2[j].clone());
            spend.3.push(amount);
        }
    }
    add(counts, "spend", "negative_amount", k as u64);
    add(
        counts,
        "spend",
        if csv {
            "unparseable_timestamp"
        } else {
            "missing_timestamp"
        },
        k as u64,
    );
}
