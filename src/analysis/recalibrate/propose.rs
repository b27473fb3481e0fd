//! From a fitted model to a rules file (SPEC §4 "recalibrate"): integer
//! points (10 points double the odds) and band thresholds.
//!
//! Points: round(10 · coef / ln 2) per rule, base = round(10 · intercept /
//! ln 2), halves away from zero (`f64::round`).
//!
//! Thresholds, on train leads' points (each band's threshold is the lowest
//! points a lead needs to be in it):
//! - `--target-rate A=0.4,B=0.2`: band by band in the order given, the
//!   lowest level (below the band above) at which the band's train
//!   conversion is still at least its target (the largest band that meets
//!   it); a band no level satisfies is left out, with a note.
//! - `--capacity N` (MQLs a month sales can work): the lowest level at which
//!   train leads at or above it average at most N a month (months of
//!   `created_at`); one band above it, the lowest band below.
//! - Neither (decision, the spec is silent): each band keeps the share of
//!   train leads the data set's bands give the current score (a
//!   like-for-like swap); without a current score, equal shares.

use polars::prelude::*;

use super::Choice;
use crate::error::{Error, Result};
use crate::stats::logistic::Counts;

/// Points for a coefficient: 10 points double the odds.
pub fn points(coef: f64) -> i64 {
    (10.0 * coef / std::f64::consts::LN_2).round() as i64
}

/// How thresholds are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Thresholds {
    TargetRate(Vec<(String, f64)>),
    Capacity(f64),
    /// Cumulative shares of train leads per band, best band first.
    Shares(Vec<(String, f64)>),
}

/// One band's threshold and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BandThreshold {
    pub band: String,
    pub min_points: i64,
    pub target: String,
}

/// Points levels with their leads by outcome; a level may repeat (one
/// entry per indicator pattern).
pub type Levels = [(i64, Counts)];

/// Leads and positives per distinct points level, highest level first.
fn level_counts(train: &Levels) -> Vec<(i64, u64, u64)> {
    let mut m: std::collections::BTreeMap<i64, (u64, u64)> = std::collections::BTreeMap::new();
    for (p, c) in train {
        let e = m.entry(*p).or_default();
        e.0 += c.positives + c.negatives;
        e.1 += c.positives;
    }
    m.into_iter().rev().map(|(p, (n, k))| (p, n, k)).collect()
}

/// Thresholds by target conversion: `(band, threshold)` best first, and the
/// bands no level satisfies.
pub fn by_target_rate(
    train: &Levels,
    targets: &[(String, f64)],
) -> (Vec<BandThreshold>, Vec<String>) {
    let levels = level_counts(train);
    let mut out = Vec::new();
    let mut missed = Vec::new();
    let mut above: Option<i64> = None;
    for (band, target) in targets {
        let mut best: Option<i64> = None;
        let (mut n, mut k) = (0u64, 0u64);
        // Lower the level one step at a time; the band is [level, above).
        for &(level, ln, lk) in levels.iter().filter(|l| above.is_none_or(|a| l.0 < a)) {
            n += ln;
            k += lk;
            if k as f64 >= *target * n as f64 {
                best = Some(level);
            }
        }
        match best {
            Some(t) => {
                out.push(BandThreshold {
                    band: band.clone(),
                    min_points: t,
                    target: format!("conversion >= {}", crate::output::format::pct(*target)),
                });
                above = Some(t);
            }
            None => missed.push(band.clone()),
        }
    }
    (out, missed)
}

/// The capacity threshold: the lowest level whose leads at or above it
/// average at most `per_month` over `months` train months.
pub fn by_capacity(train: &Levels, per_month: f64, months: u64) -> Option<i64> {
    let mut best = None;
    let mut at_or_above = 0u64;
    for (level, n, _) in level_counts(train) {
        at_or_above += n;
        if at_or_above as f64 / months.max(1) as f64 <= per_month {
            best = Some(level);
        } else {
            break;
        }
    }
    best
}

/// Thresholds that give each band (best first) at least its cumulative share
/// of train leads: the points of the lead at that position, highest first.
pub fn by_shares(train: &Levels, cumulative: &[(String, f64)]) -> Vec<BandThreshold> {
    let levels = level_counts(train);
    let n: u64 = levels.iter().map(|l| l.1).sum();
    // The points of the lead at `pos` (1-based), highest first.
    let at = |pos: u64| {
        let mut seen = 0;
        levels
            .iter()
            .find(|l| {
                seen += l.1;
                seen >= pos
            })
            .map(|l| l.0)
    };
    let mut out: Vec<BandThreshold> = Vec::new();
    for (band, share) in cumulative {
        if n == 0 || *share <= 0.0 {
            continue;
        }
        let pos = ((share * n as f64).ceil() as u64).clamp(1, n);
        let Some(t) = at(pos) else { continue };
        if out.last().is_some_and(|b| b.min_points <= t) {
            continue;
        }
        out.push(BandThreshold {
            band: band.clone(),
            min_points: t,
            target: format!("top {} of train leads", crate::output::format::pct(*share)),
        });
    }
    out
}

/// The proposed bands: thresholds best first, the bands no level could
/// satisfy, the lowest band's name, and the table of each band's train and
/// test conversion.
pub struct Proposed {
    pub chosen: Vec<BandThreshold>,
    pub missed: Vec<String>,
    /// No band met its target, so the current bands' shares were used.
    pub fell_back: bool,
    pub lowest: String,
    pub table: DataFrame,
}

/// Thresholds by `choice` on the train leads' points levels; `test` the
/// same for test leads; `months` the train months (capacity);
/// `current_train_bands` the train leads per band of the current model.
pub fn proposed_bands(
    choice: &Choice,
    bands: &crate::config::Bands,
    train: &Levels,
    test: &Levels,
    months: usize,
    current_train_bands: Option<&[(String, u64)]>,
) -> Result<Proposed> {
    let names = bands.names();
    // The current bands' cumulative shares of train leads (equal shares
    // without a current score): the default, and the fallback when no level
    // meets a target.
    let upper = &names[..names.len() - 1];
    let cumulative: Vec<(String, f64)> = match current_train_bands {
        Some(cb) => {
            let all: u64 = cb.iter().map(|(_, n)| n).sum();
            let mut acc = 0u64;
            upper
                .iter()
                .map(|b| {
                    acc += cb
                        .iter()
                        .filter(|(x, _)| x == b)
                        .map(|(_, n)| n)
                        .sum::<u64>();
                    (b.clone(), acc as f64 / all.max(1) as f64)
                })
                .collect()
        }
        None => upper
            .iter()
            .enumerate()
            .map(|(i, b)| (b.clone(), (i + 1) as f64 / names.len() as f64))
            .collect(),
    };
    let mut fell_back = false;
    let (mut chosen, missed) = match choice {
        Choice::TargetRate(t) => by_target_rate(train, t),
        Choice::Capacity(c) => {
            if months == 0 {
                return Err(Error::bad_argument(
                    "--capacity counts leads a month, and the leads have no created_at; use --target-rate instead",
                ));
            }
            match by_capacity(train, *c, months as u64) {
                Some(t) => (
                    vec![BandThreshold {
                        band: names[0].clone(),
                        min_points: t,
                        target: format!("capacity {c} leads a month over {months} train months"),
                    }],
                    Vec::new(),
                ),
                None => (Vec::new(), vec![names[0].clone()]),
            }
        }
        Choice::Shares => (by_shares(train, &cumulative), Vec::new()),
    };
    if chosen.is_empty() {
        // A proposal without bands would be banded by the data set's
        // thresholds, on another scale: keep the current shares instead.
        chosen = by_shares(train, &cumulative);
        fell_back = true;
    }
    let lowest = names.last().cloned().unwrap_or_else(|| "D".into());
    let mut all_bands: Vec<(String, Option<i64>, String)> = chosen
        .iter()
        .map(|b| (b.band.clone(), Some(b.min_points), b.target.clone()))
        .collect();
    all_bands.push((lowest.clone(), None, "the rest".into()));
    // One pass over the leads: each lands in the first band it reaches
    // (thresholds best first), else the lowest.
    let slot = |p: i64| {
        chosen
            .iter()
            .position(|b| p >= b.min_points)
            .unwrap_or(chosen.len())
    };
    let mut counts = vec![[0u64; 4]; all_bands.len()];
    for (p, k) in train {
        let c = &mut counts[slot(*p)];
        c[0] += k.positives + k.negatives;
        c[1] += k.positives;
    }
    for (p, k) in test {
        let c = &mut counts[slot(*p)];
        c[2] += k.positives + k.negatives;
        c[3] += k.positives;
    }
    let t_band: Vec<String> = all_bands.iter().map(|b| b.0.clone()).collect();
    let t_min: Vec<Option<i64>> = all_bands.iter().map(|b| b.1).collect();
    let t_target: Vec<String> = all_bands.iter().map(|b| b.2.clone()).collect();
    let thresholds = df!(
        "band" => t_band,
        "min_points" => t_min,
        "train_leads" => counts.iter().map(|c| c[0]).collect::<Vec<_>>(),
        "train_positives" => counts.iter().map(|c| c[1]).collect::<Vec<_>>(),
        "test_leads" => counts.iter().map(|c| c[2]).collect::<Vec<_>>(),
        "test_positives" => counts.iter().map(|c| c[3]).collect::<Vec<_>>(),
        "target" => t_target,
    )?
    .lazy()
    .select({
        let mut e = vec![
            col("band"),
            col("min_points"),
            col("train_leads"),
            col("train_positives"),
        ];
        e.extend(crate::analysis::rate_with_bounds(
            "train_rate",
            col("train_positives"),
            col("train_leads"),
        ));
        e.extend([col("test_leads"), col("test_positives")]);
        e.extend(crate::analysis::rate_with_bounds(
            "test_rate",
            col("test_positives"),
            col("test_leads"),
        ));
        e.push(col("target"));
        e
    })
    .collect()?;
    Ok(Proposed {
        chosen,
        missed,
        fell_back,
        lowest,
        table: thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One level per lead, as a pattern each would be.
    fn levels(pairs: &[(i64, bool)]) -> Vec<(i64, Counts)> {
        pairs
            .iter()
            .map(|(p, y)| {
                (
                    *p,
                    Counts {
                        negatives: u64::from(!*y),
                        positives: u64::from(*y),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn ten_points_double_the_odds_halves_away_from_zero() {
        assert_eq!(points(std::f64::consts::LN_2), 10);
        assert_eq!(points(-std::f64::consts::LN_2), -10);
        assert_eq!(points(0.05 * std::f64::consts::LN_2), 1); // 0.5 → 1
        assert_eq!(points(-0.05 * std::f64::consts::LN_2), -1);
        assert_eq!(points(0.0), 0);
    }

    #[test]
    fn target_rates_take_the_largest_band_that_meets_them() {
        // Points 30 (3 of 4 convert), 20 (1 of 4), 10 (0 of 4).
        let mut train = Vec::new();
        for (p, k) in [(30, 3), (20, 1), (10, 0)] {
            for i in 0..4 {
                train.push((p, i < k));
            }
        }
        let targets = [
            ("A".to_string(), 0.5),
            ("B".to_string(), 0.2),
            ("C".to_string(), 0.9),
        ];
        let (got, missed) = by_target_rate(&levels(&train), &targets);
        // A: ≥30 gives 75%, ≥20 gives 50% (still ≥ 0.5), ≥10 gives 33%.
        assert_eq!(got[0].min_points, 20);
        // B below 20: only 10, 0% < 20%: missed; C too.
        assert_eq!(got.len(), 1);
        assert_eq!(missed, ["B", "C"]);
    }

    #[test]
    fn capacity_and_shares() {
        let train = levels(
            &(0..100)
                .map(|i| (i64::from(i % 10), false))
                .collect::<Vec<_>>(),
        );
        // 10 leads at each level 0..9, over 5 months: ≥8 is 20 leads = 4/month.
        assert_eq!(by_capacity(&train, 4.0, 5), Some(8));
        assert_eq!(by_capacity(&train, 1.0, 5), None);
        let got = by_shares(&train, &[("A".into(), 0.1), ("B".into(), 0.35)]);
        assert_eq!(got[0].min_points, 9);
        assert_eq!(got[1].min_points, 6);
    }
}
