//! How well a model's predictions rank and calibrate (SPEC §4
//! "recalibrate"): AUC (DeLong 95% interval on test), Brier score, lift and
//! calibration by decile.
//!
//! Deciles: rows sorted by prediction, descending, ties in file order (a
//! stable sort of rows kept in file order); the first tenth of that order is
//! decile 1, split as numpy's `array_split` does (the first n mod 10 deciles
//! hold one row more). Empty deciles (fewer than ten rows) are left out.

use crate::stats::{delong, wilson};

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

/// AUC of `(ranking, positive)` rows and Brier of their probabilities
/// `probs` (a model ranks by its score, and is scored on the probabilities
/// fitted to it); the DeLong interval when `interval`.
pub fn metrics(rows: &[(f64, bool)], probs: &[f64], interval: bool) -> Metrics {
    let n = rows.len() as u64;
    let positives = rows.iter().filter(|(_, y)| *y).count() as u64;
    // The interval's variance costs two more sorts: only where it is shown.
    let d = match interval {
        true => delong(rows),
        false => crate::stats::auc(rows).map(|auc| crate::stats::DeLong {
            auc,
            variance: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        }),
    };
    let brier = (n > 0).then(|| {
        rows.iter()
            .zip(probs)
            .map(|((_, y), p)| (p - f64::from(u8::from(*y))).powi(2))
            .sum::<f64>()
            / n as f64
    });
    Metrics {
        n,
        positives,
        auc: d.map(|d| d.auc),
        auc_lo: d.filter(|_| interval).map(|d| d.lo),
        auc_hi: d.filter(|_| interval).map(|d| d.hi),
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

/// The deciles of `rows` (`(ranking, positive)` in file order) by ranking,
/// highest first, with the mean of `probs` in each.
pub fn deciles(rows: &[(f64, bool)], probs: &[f64]) -> Vec<Decile> {
    // Highest first, ties in file order: (ranking, position) pairs sorted
    // in place, position breaking ties (the order a stable sort gives).
    let mut pairs: Vec<(f64, usize)> = rows.iter().map(|r| r.0).zip(0..).collect();
    pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let order: Vec<usize> = pairs.into_iter().map(|(_, i)| i).collect();
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
/// per value (Mann–Whitney, ties ½); `None` with one class.
pub fn grouped_auc(groups: &[(f64, u64, u64)]) -> Option<f64> {
    let mut g: Vec<(f64, u64, u64)> = groups.to_vec();
    g.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos: u64 = g.iter().map(|x| x.1).sum();
    let neg: u64 = g.iter().map(|x| x.2).sum();
    if pos == 0 || neg == 0 {
        return None;
    }
    let (mut below, mut wins, mut i) = (0u64, 0.0, 0);
    while i < g.len() {
        let mut j = i;
        let (mut p, mut n) = (0u64, 0u64);
        while j < g.len() && g[j].0 == g[i].0 {
            p += g[j].1;
            n += g[j].2;
            j += 1;
        }
        wins += p as f64 * (below as f64 + 0.5 * n as f64);
        below += n;
        i = j;
    }
    Some(wins / (pos as f64 * neg as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deciles_split_as_numpy_array_split_with_ties_in_file_order() {
        // 12 rows: np.array_split(range(12), 10) sizes 2,2,1,1,1,1,1,1,1,1.
        let rows: Vec<(f64, bool)> = (0..12).map(|i| (f64::from(i / 3), i % 2 == 0)).collect();
        let probs: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let d = deciles(&rows, &probs);
        let sizes: Vec<u64> = d.iter().map(|x| x.leads).collect();
        assert_eq!(sizes, [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
        // Highest prediction 3 (rows 9, 10, 11): decile 1 = rows 9, 10.
        assert_eq!(d[0].positives, 1);
        assert_eq!(d[0].mean_predicted, 3.0);
        // Rows 11 (3.0) and 6 (2.0): the tie at 3 keeps file order.
        assert_eq!(d[1].mean_predicted, 2.5);
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
            let d = deciles(&rows, &probs);
            let l = lift(&d);
            let pos = rows.iter().filter(|(_, y)| *y).count();
            if pos > 0 {
                prop_assert!((l.last().unwrap().cumulative_capture.unwrap() - 1.0).abs() < 1e-12);
            }
            let c = calibration(&d);
            prop_assert_eq!(c.iter().map(|x| x.n).sum::<u64>(), rows.len() as u64);
        }
    }
}
