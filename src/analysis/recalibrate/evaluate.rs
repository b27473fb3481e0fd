//! How well a model's predictions rank and calibrate (SPEC §4
//! "recalibrate"): AUC (DeLong 95% interval on test), Brier score, lift and
//! calibration by decile, each computed over [`Group`]s of leads a model
//! scores alike (a pattern, a distinct score), not lead by lead.
//!
//! Deciles: leads sorted by prediction, descending, ties in file order (as
//! a stable sort of leads kept in file order gives); the first tenth of
//! that order is decile 1, split as numpy's `array_split` does (the first n
//! mod 10 deciles hold one lead more). Empty deciles (fewer than ten
//! leads) are left out.

use crate::stats::logistic::Counts;
use crate::stats::{delong_counts, wilson};

/// One model's figures on one split.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub n: u64,
    pub positives: u64,
    pub auc: Option<f64>,
    pub auc_lo: Option<f64>,
    pub auc_hi: Option<f64>,
    pub brier: Option<f64>,
}

/// Leads of one split that a model scores alike: what it ranks them by, the
/// probability it gives them, and how many of each outcome there are. A
/// model over indicator patterns has one group per pattern; the current
/// score one per distinct score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    pub ranking: f64,
    pub probability: f64,
    pub counts: Counts,
}

/// AUC of the groups' rankings (Mann–Whitney, ties ½) and Brier of their
/// probabilities (a model ranks by its score, and is scored on the
/// probabilities fitted to it); the DeLong interval when `interval`.
pub fn metrics(groups: &[Group], interval: bool) -> Metrics {
    let positives: u64 = groups.iter().map(|g| g.counts.positives).sum();
    let n = positives + groups.iter().map(|g| g.counts.negatives).sum::<u64>();
    let counted: Vec<(f64, u64, u64)> = groups
        .iter()
        .map(|g| (g.ranking, g.counts.positives, g.counts.negatives))
        .collect();
    let d = delong_counts(&counted);
    let brier = (n > 0).then(|| {
        groups
            .iter()
            .map(|g| {
                let p = g.probability;
                g.counts.positives as f64 * (p - 1.0).powi(2)
                    + g.counts.negatives as f64 * p.powi(2)
            })
            .sum::<f64>()
            / n as f64
    });
    Metrics {
        n,
        positives,
        auc: d.map(|d| d.auc),
        // No interval from a single lead of a class (NaN bounds).
        auc_lo: d
            .filter(|_| interval)
            .map(|d| d.lo)
            .filter(|b| b.is_finite()),
        auc_hi: d
            .filter(|_| interval)
            .map(|d| d.hi)
            .filter(|b| b.is_finite()),
        brier,
    }
}

/// One decile of predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct Decile {
    pub decile: u32,
    pub leads: u64,
    pub positives: u64,
    pub mean_predicted: f64,
}

/// The deciles of a split's leads by ranking, highest first, ties in file
/// order, with the mean probability in each. `leads` is each lead's group
/// and `y` its outcome, in file order. Groups of one ranking form a block;
/// a block inside one decile is counted from its groups, and only the
/// leads of a block a decile boundary cuts are walked one by one.
pub fn deciles(groups: &[Group], leads: &[u32], y: &[bool]) -> Vec<Decile> {
    let n: u64 = groups
        .iter()
        .map(|g| g.counts.positives + g.counts.negatives)
        .sum();
    let (size, extra) = (n / 10, n % 10);
    // The first position of each decile, and one past the last.
    let mut starts = [0u64; 11];
    for d in 0..10 {
        starts[d + 1] = starts[d] + size + u64::from((d as u64) < extra);
    }
    let decile_of = |q: u64| starts[1..].iter().position(|s| q < *s).unwrap_or(9);
    // Rankings compared as numbers: -0.0 and 0.0 tie, as they do for the
    // AUC (adding 0.0 turns -0.0 into 0.0).
    let rank = |k: usize| groups[k].ranking + 0.0;
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_unstable_by(|a, b| rank(*b).total_cmp(&rank(*a)));
    // Per decile: leads, positives, Σ probability.
    let mut sums = [(0u64, 0u64, 0.0f64); 10];
    // Per group: the block it is walked in (cut blocks only), and each cut
    // block's first position and leads seen so far.
    let mut cut_of: Vec<Option<u32>> = vec![None; groups.len()];
    let mut cut: Vec<(u64, u64)> = Vec::new();
    let (mut offset, mut i) = (0u64, 0);
    while i < order.len() {
        let mut j = i;
        let mut len = 0u64;
        while j < order.len() && rank(order[j]).total_cmp(&rank(order[i])).is_eq() {
            let c = groups[order[j]].counts;
            len += c.positives + c.negatives;
            j += 1;
        }
        if len > 0 {
            let d = decile_of(offset);
            match decile_of(offset + len - 1) == d {
                true => {
                    for &k in &order[i..j] {
                        let g = &groups[k];
                        let m = g.counts.positives + g.counts.negatives;
                        sums[d].0 += m;
                        sums[d].1 += g.counts.positives;
                        sums[d].2 += g.probability * m as f64;
                    }
                }
                false => {
                    for &k in &order[i..j] {
                        cut_of[k] = Some(cut.len() as u32);
                    }
                    cut.push((offset, 0));
                }
            }
        }
        offset += len;
        i = j;
    }
    if !cut.is_empty() {
        for (g, positive) in leads.iter().zip(y) {
            let g = *g as usize;
            if let Some(b) = cut_of[g] {
                let (first, seen) = &mut cut[b as usize];
                let d = decile_of(*first + *seen);
                *seen += 1;
                sums[d].0 += 1;
                sums[d].1 += u64::from(*positive);
                sums[d].2 += groups[g].probability;
            }
        }
    }
    sums.into_iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(d, (leads, positives, total))| Decile {
            decile: d as u32 + 1,
            leads,
            positives,
            mean_predicted: total / leads as f64,
        })
        .collect()
}

/// Lift of a decile: its positive rate over the overall rate; and the
/// share of all positives captured by this decile and those above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    pub decile: u32,
    pub leads: u64,
    pub positives: u64,
    pub rate: f64,
    pub lift: Option<f64>,
    pub cumulative_capture: Option<f64>,
}

pub fn lift(deciles: &[Decile]) -> Vec<Lift> {
    let n: u64 = deciles.iter().map(|d| d.leads).sum();
    let pos: u64 = deciles.iter().map(|d| d.positives).sum();
    let overall = (n > 0).then(|| pos as f64 / n as f64);
    let mut captured = 0;
    deciles
        .iter()
        .map(|d| {
            captured += d.positives;
            let rate = d.positives as f64 / d.leads as f64;
            Lift {
                decile: d.decile,
                leads: d.leads,
                positives: d.positives,
                rate,
                lift: overall.filter(|o| *o > 0.0).map(|o| rate / o),
                cumulative_capture: (pos > 0).then(|| captured as f64 / pos as f64),
            }
        })
        .collect()
}

/// Calibration of a decile: mean prediction vs the observed rate (Wilson).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub decile: u32,
    pub mean_predicted: f64,
    pub observed: f64,
    pub observed_lo: Option<f64>,
    pub observed_hi: Option<f64>,
    pub n: u64,
}

pub fn calibration(deciles: &[Decile]) -> Vec<Calibration> {
    deciles
        .iter()
        .map(|d| {
            let w = wilson(d.positives, d.leads);
            Calibration {
                decile: d.decile,
                mean_predicted: d.mean_predicted,
                observed: d.positives as f64 / d.leads as f64,
                observed_lo: w.map(|w| w.lo),
                observed_hi: w.map(|w| w.hi),
                n: d.leads,
            }
        })
        .collect()
}

/// The test AUC of a 0/1 rule alone: ½(1 + TPR − FPR) (Mann–Whitney with
/// ties ½ for a two-valued score); `None` with one class.
pub fn single_rule_auc(matched_pos: u64, pos: u64, matched_neg: u64, neg: u64) -> Option<f64> {
    (pos > 0 && neg > 0)
        .then(|| 0.5 * (1.0 + matched_pos as f64 / pos as f64 - matched_neg as f64 / neg as f64))
}

/// AUC of a score taking few values, from `(score, positives, negatives)`
/// per value (Mann–Whitney, ties ½): [`delong_counts`]' AUC; `None` with
/// one class.
pub fn grouped_auc(groups: &[(f64, u64, u64)]) -> Option<f64> {
    delong_counts(groups).map(|d| d.auc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rows `(ranking, positive)` with probabilities as groups of equal
    /// (ranking, probability): the groups, each row's group, the outcomes.
    fn grouped(rows: &[(f64, bool)], probs: &[f64]) -> (Vec<Group>, Vec<u32>, Vec<bool>) {
        let mut groups: Vec<Group> = Vec::new();
        let mut leads = Vec::new();
        for ((r, y), p) in rows.iter().zip(probs) {
            let k = match groups
                .iter()
                .position(|g| g.ranking.to_bits() == r.to_bits() && g.probability == *p)
            {
                Some(k) => k,
                None => {
                    groups.push(Group {
                        ranking: *r,
                        probability: *p,
                        counts: Counts::default(),
                    });
                    groups.len() - 1
                }
            };
            match y {
                true => groups[k].counts.positives += 1,
                false => groups[k].counts.negatives += 1,
            }
            leads.push(k as u32);
        }
        (groups, leads, rows.iter().map(|r| r.1).collect())
    }

    /// The plain reference: deciles from the rows sorted by ranking,
    /// highest first, ties in file order (a stable sort).
    fn deciles_of_rows(rows: &[(f64, bool)], probs: &[f64]) -> Vec<Decile> {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|a, b| rows[*b].0.total_cmp(&rows[*a].0));
        let n = rows.len();
        let (size, extra) = (n / 10, n % 10);
        let mut out = Vec::new();
        let mut start = 0;
        for d in 0..10 {
            let len = size + usize::from(d < extra);
            if len == 0 {
                continue;
            }
            let chunk = &order[start..start + len];
            start += len;
            out.push(Decile {
                decile: d as u32 + 1,
                leads: len as u64,
                positives: chunk.iter().filter(|&&i| rows[i].1).count() as u64,
                mean_predicted: chunk.iter().map(|&i| probs[i]).sum::<f64>() / len as f64,
            });
        }
        out
    }

    #[test]
    fn deciles_split_as_numpy_array_split_with_ties_in_file_order() {
        // 12 rows: np.array_split(range(12), 10) sizes 2,2,1,1,1,1,1,1,1,1.
        let rows: Vec<(f64, bool)> = (0..12).map(|i| (f64::from(i / 3), i % 2 == 0)).collect();
        let probs: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let (groups, leads, y) = grouped(&rows, &probs);
        let d = deciles(&groups, &leads, &y);
        let sizes: Vec<u64> = d.iter().map(|x| x.leads).collect();
        assert_eq!(sizes, [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
        // Highest prediction 3 (rows 9, 10, 11): decile 1 = rows 9, 10.
        assert_eq!(d[0].positives, 1);
        assert_eq!(d[0].mean_predicted, 3.0);
        // Rows 11 (3.0) and 6 (2.0): the tie at 3 keeps file order.
        assert_eq!(d[1].mean_predicted, 2.5);
        assert_eq!(d, deciles_of_rows(&rows, &probs));
    }

    #[test]
    fn negative_zero_ties_with_zero_in_file_order() {
        // The breaker's case: test scores 0.0, -0.0, 0.0, -0.0, -0.0, 0.0,
        // the 1st, 3rd and 5th positive. All tie, so the six deciles (one
        // lead each) follow file order: positives 1, 0, 1, 0, 1, 0.
        let rows = [
            (0.0, true),
            (-0.0, false),
            (0.0, true),
            (-0.0, false),
            (-0.0, true),
            (0.0, false),
        ];
        let probs = [0.5; 6];
        let (groups, leads, y) = grouped(&rows, &probs);
        assert_eq!(groups.len(), 2);
        let d = deciles(&groups, &leads, &y);
        let positives: Vec<u64> = d.iter().map(|x| x.positives).collect();
        assert_eq!(positives, [1, 0, 1, 0, 1, 0]);
        assert_eq!(metrics(&groups, false).auc, Some(0.5));
    }

    #[test]
    fn metrics_over_groups_equal_delong_and_brier_over_the_rows() {
        // sklearn's roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75;
        // Brier of those as probabilities: (0.01 + 0.16 + 0.4225 + 0.04)/4.
        let rows = [(0.1, false), (0.4, false), (0.35, true), (0.8, true)];
        let probs = [0.1, 0.4, 0.35, 0.8];
        let (groups, _, _) = grouped(&rows, &probs);
        let m = metrics(&groups, true);
        let d = crate::stats::delong(&rows).unwrap();
        assert_eq!((m.n, m.positives), (4, 2));
        assert!((m.auc.unwrap() - 0.75).abs() < 1e-15);
        assert!((m.auc_lo.unwrap() - d.lo).abs() < 1e-15);
        assert_eq!(m.auc_hi, Some(1.0));
        assert!((m.brier.unwrap() - 0.6325 / 4.0).abs() < 1e-15);
        let train = metrics(&groups, false);
        assert_eq!((train.auc_lo, train.auc_hi), (None, None));
        assert_eq!(metrics(&[], true).brier, None);
    }

    #[test]
    fn grouped_auc_equals_mann_whitney_over_the_rows() {
        let rows = [
            (0.2, true),
            (0.2, false),
            (0.5, true),
            (0.5, true),
            (0.1, false),
            (0.5, false),
        ];
        let groups = [(0.2, 1, 1), (0.5, 2, 1), (0.1, 0, 1)];
        let mw = crate::stats::auc(&rows).unwrap();
        assert!((grouped_auc(&groups).unwrap() - mw).abs() < 1e-15);
        assert!(grouped_auc(&[(1.0, 3, 0)]).is_none());
    }

    #[test]
    fn a_two_valued_rule_auc_equals_mann_whitney() {
        let rows = [
            (1.0, true),
            (0.0, true),
            (1.0, false),
            (0.0, false),
            (0.0, false),
        ];
        let mw = crate::stats::auc(&rows).unwrap();
        assert!((single_rule_auc(1, 2, 1, 3).unwrap() - mw).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn capture_ends_at_one_and_calibration_counts_every_row(
            rows in proptest::collection::vec((0u8..20, any::<bool>()), 1..200)
        ) {
            let rows: Vec<(f64, bool)> = rows.into_iter().map(|(p, y)| (f64::from(p) / 20.0, y)).collect();
            let probs: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let (groups, leads, y) = grouped(&rows, &probs);
            let d = deciles(&groups, &leads, &y);
            let l = lift(&d);
            let pos = rows.iter().filter(|(_, y)| *y).count();
            if pos > 0 {
                prop_assert!((l.last().unwrap().cumulative_capture.unwrap() - 1.0).abs() < 1e-12);
            }
            let c = calibration(&d);
            prop_assert_eq!(c.iter().map(|x| x.n).sum::<u64>(), rows.len() as u64);
        }

        /// Differential: grouped deciles and metrics against the rows one
        /// by one, with rankings that tie across probabilities.
        #[test]
        fn grouped_figures_equal_the_row_by_row_reference(
            rows in proptest::collection::vec((0u8..6, 0u8..3, any::<bool>()), 1..120)
        ) {
            let probs: Vec<f64> = rows.iter().map(|(r, q, _)| f64::from(*r) / 8.0 + f64::from(*q) / 100.0).collect();
            let rows: Vec<(f64, bool)> = rows.iter().map(|(r, _, y)| (f64::from(*r), *y)).collect();
            let (groups, leads, y) = grouped(&rows, &probs);
            let got = deciles(&groups, &leads, &y);
            let want = deciles_of_rows(&rows, &probs);
            prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                prop_assert_eq!((g.decile, g.leads, g.positives), (w.decile, w.leads, w.positives));
                prop_assert!((g.mean_predicted - w.mean_predicted).abs() < 1e-12);
            }
            let m = metrics(&groups, true);
            let d = crate::stats::delong(&rows);
            prop_assert_eq!(m.auc.is_some(), d.is_some());
            if let (Some(a), Some(d)) = (m.auc, d) {
                prop_assert!((a - d.auc).abs() < 1e-12);
                prop_assert_eq!(m.auc_lo.is_some(), d.lo.is_finite());
                if let (Some(lo), Some(hi)) = (m.auc_lo, m.auc_hi) {
                    prop_assert!((lo - d.lo).abs() < 1e-12 && (hi - d.hi).abs() < 1e-12);
                }
            }
            let brier = rows.iter().zip(&probs).map(|((_, y), p)| (p - f64::from(u8::from(*y))).powi(2)).sum::<f64>() / rows.len() as f64;
            prop_assert!((m.brier.unwrap() - brier).abs() < 1e-12);
        }
    }
}
