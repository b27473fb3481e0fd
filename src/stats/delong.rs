//! DeLong's variance of the AUC and its 95% interval (DeLong, DeLong &
//! Clarke-Pearson 1988, "Comparing the areas under two or more correlated
//! receiver operating characteristic curves", Biometrics 44:837–845),
//! computed by midranks in O(n log n) as Sun & Xu (2014, IEEE Signal
//! Processing Letters 21:1389–1393) show. The interval is AUC ± z·√var,
//! clipped to [0, 1], as R's pROC `ci.auc(method = "delong")` reports it.

use super::Z95;

/// The AUC (ties counted one half) with its DeLong variance and 95% bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeLong {
    pub auc: f64,
    pub variance: f64,
    pub lo: f64,
    pub hi: f64,
}

impl DeLong {
    /// The AUC with its variance and the 95% bounds AUC ± z·√var, clipped
    /// to [0, 1]; NaN bounds for a NaN variance.
    fn of(auc: f64, variance: f64) -> DeLong {
        let half = Z95 * variance.sqrt();
        // f64::max would turn a NaN bound into 0.
        let (lo, hi) = match half.is_nan() {
            true => (f64::NAN, f64::NAN),
            false => ((auc - half).max(0.0), (auc + half).min(1.0)),
        };
        DeLong {
            auc,
            variance,
            lo,
            hi,
        }
    }
}

/// Midranks (1-based, ties averaged) of `v`, in `v`'s order.
fn midranks(v: &[f64]) -> Vec<f64> {
    // (value, position) pairs sorted in place: no indirection per compare.
    // Ties get one midrank whatever their order: an unstable sort will do.
    let mut order: Vec<(f64, usize)> = v.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        let r = (i + 1 + j) as f64 / 2.0;
        for &(_, k) in &order[i..j] {
            ranks[k] = r;
        }
        i = j;
    }
    ranks
}

/// Sample variance (denominator n − 1); 0 for fewer than two values.
fn sample_variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() - 1) as f64
}

/// DeLong's AUC and interval for `scored` (score, positive); `None` without
/// a positive and a negative, or with a NaN score. With a single positive
/// or a single negative the variance and bounds are NaN (pROC gives none).
pub fn delong(scored: &[(f64, bool)]) -> Option<DeLong> {
    if scored.iter().any(|(s, _)| s.is_nan()) {
        return None;
    }
    let pos: Vec<f64> = scored.iter().filter(|(_, y)| *y).map(|(s, _)| *s).collect();
    let neg: Vec<f64> = scored
        .iter()
        .filter(|(_, y)| !*y)
        .map(|(s, _)| *s)
        .collect();
    let (m, n) = (pos.len(), neg.len());
    if m == 0 || n == 0 {
        return None;
    }
    let all: Vec<f64> = pos.iter().chain(&neg).copied().collect();
    let tz = midranks(&all);
    let tx = midranks(&pos);
    let ty = midranks(&neg);
    let (mf, nf) = (m as f64, n as f64);
    // V10_i: the share of negatives positive i beats (ties ½); V01_j: the
    // share of positives that beat negative j.
    let v10: Vec<f64> = (0..m).map(|i| (tz[i] - tx[i]) / nf).collect();
    let v01: Vec<f64> = (0..n).map(|j| 1.0 - (tz[m + j] - ty[j]) / mf).collect();
    let auc = v10.iter().sum::<f64>() / mf;
    let variance = match m < 2 || n < 2 {
        // pROC divides by m − 1 and n − 1: no interval from one lead.
        true => f64::NAN,
        false => sample_variance(&v10) / mf + sample_variance(&v01) / nf,
    };
    Some(DeLong::of(auc, variance))
}

/// Scores grouped by value, walked once in ascending order ([`blocks`]).
pub(super) struct Blocks {
    /// Positives and negatives.
    pub m: u64,
    pub n: u64,
    /// Twice the Mann–Whitney U, an integer: the AUC is one division, so
    /// it is the correctly rounded fraction (a sum of per-score terms in
    /// f64 was off in the last bit).
    pub twice_u: u128,
    /// (positives, negatives, V10, V01) per distinct score, ascending: V10
    /// is the share of negatives a positive of that score outranks (ties
    /// ½), V01 the share of positives that outrank a negative of it.
    pub blocks: Vec<(u64, u64, f64, f64)>,
    /// Each input group's block (none for a group without leads).
    pub block_of: Vec<Option<usize>>,
}

impl Blocks {
    pub fn auc(&self) -> f64 {
        self.twice_u as f64 / (2 * u128::from(self.m) * u128::from(self.n)) as f64
    }
}

/// The distinct-score blocks of `groups` (`(score, positives, negatives)`,
/// in any order, a score possibly repeated). `None` without a positive and
/// a negative, or with a NaN score that has leads.
pub(super) fn blocks(groups: &[(f64, u64, u64)]) -> Option<Blocks> {
    let mut order: Vec<usize> = (0..groups.len())
        .filter(|&k| groups[k].1 + groups[k].2 > 0)
        .collect();
    if order.iter().any(|&k| groups[k].0.is_nan()) {
        return None;
    }
    order.sort_unstable_by(|a, b| groups[*a].0.total_cmp(&groups[*b].0));
    let m: u64 = order.iter().map(|&k| groups[k].1).sum();
    let n: u64 = order.iter().map(|&k| groups[k].2).sum();
    if m == 0 || n == 0 {
        return None;
    }
    let (mf, nf) = (m as f64, n as f64);
    let mut out = Blocks {
        m,
        n,
        twice_u: 0,
        blocks: Vec::new(),
        block_of: vec![None; groups.len()],
    };
    let (mut pos_below, mut neg_below, mut i) = (0u64, 0u64, 0);
    while i < order.len() {
        let mut j = i;
        let (mut p, mut q) = (0u64, 0u64);
        while j < order.len() && groups[order[j]].0 == groups[order[i]].0 {
            p += groups[order[j]].1;
            q += groups[order[j]].2;
            out.block_of[order[j]] = Some(out.blocks.len());
            j += 1;
        }
        let v10 = (neg_below as f64 + 0.5 * q as f64) / nf;
        let v01 = ((m - pos_below - p) as f64 + 0.5 * p as f64) / mf;
        out.blocks.push((p, q, v10, v01));
        out.twice_u += u128::from(p) * (2 * u128::from(neg_below) + u128::from(q));
        pos_below += p;
        neg_below += q;
        i = j;
    }
    Some(out)
}

/// [`delong`] over scores grouped by value: `(score, positives,
/// negatives)` per group (groups may repeat a score, in any order). Every
/// lead of a group shares its V10 (positives) or V01 (negatives), so the
/// sums run over distinct scores: a model of a few thousand distinct scores
/// over millions of leads costs one sort of the groups. `None` without a
/// positive and a negative, or with a NaN score that has leads.
pub fn delong_counts(groups: &[(f64, u64, u64)]) -> Option<DeLong> {
    let b = blocks(groups)?;
    let (mf, nf) = (b.m as f64, b.n as f64);
    let auc = b.auc();
    let mean01 = b.blocks.iter().map(|b| b.1 as f64 * b.3).sum::<f64>() / nf;
    // pROC divides by m − 1 and n − 1: no interval from one lead of a class.
    let s10 = b
        .blocks
        .iter()
        .map(|b| b.0 as f64 * (b.2 - auc) * (b.2 - auc))
        .sum::<f64>()
        / (mf - 1.0);
    let s01 = b
        .blocks
        .iter()
        .map(|b| b.1 as f64 * (b.3 - mean01) * (b.3 - mean01))
        .sum::<f64>()
        / (nf - 1.0);
    let variance = match b.m < 2 || b.n < 2 {
        true => f64::NAN,
        false => s10 / mf + s01 / nf,
    };
    Some(DeLong::of(auc, variance))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: ψ over every (positive, negative) pair.
    fn naive(scored: &[(f64, bool)]) -> (f64, f64) {
        let pos: Vec<f64> = scored.iter().filter(|(_, y)| *y).map(|(s, _)| *s).collect();
        let neg: Vec<f64> = scored
            .iter()
            .filter(|(_, y)| !*y)
            .map(|(s, _)| *s)
            .collect();
        let psi = |x: f64, y: f64| match x.partial_cmp(&y) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        };
        let v10: Vec<f64> = pos
            .iter()
            .map(|&x| neg.iter().map(|&y| psi(x, y)).sum::<f64>() / neg.len() as f64)
            .collect();
        let v01: Vec<f64> = neg
            .iter()
            .map(|&y| pos.iter().map(|&x| psi(x, y)).sum::<f64>() / pos.len() as f64)
            .collect();
        let auc = v10.iter().sum::<f64>() / pos.len() as f64;
        let var =
            sample_variance(&v10) / pos.len() as f64 + sample_variance(&v01) / neg.len() as f64;
        (auc, var)
    }

    #[test]
    fn hand_worked_sklearn_doc_example() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75.
        // V10 = (1, ½), V01 = (1, ½): S10 = S01 = 0.125, var = 0.125/2 +
        // 0.125/2 = 0.125; half width 1.959964 · 0.353553 = 0.692952.
        let d = delong(&[(0.1, false), (0.4, false), (0.35, true), (0.8, true)]).unwrap();
        assert!((d.auc - 0.75).abs() < 1e-15);
        assert!((d.variance - 0.125).abs() < 1e-15);
        assert!((d.lo - 0.057_048).abs() < 1e-6, "{}", d.lo);
        assert_eq!(d.hi, 1.0);
    }

    #[test]
    fn agrees_with_the_pairwise_definition_with_ties() {
        // A deterministic scramble with many ties.
        let scored: Vec<(f64, bool)> = (0..300u64)
            .map(|i| {
                let h = i.wrapping_mul(2_654_435_761) % 1000;
                ((h % 17) as f64, (h % 7) < 3 || (h % 17) > 12)
            })
            .collect();
        let d = delong(&scored).unwrap();
        let (auc, var) = naive(&scored);
        assert!((d.auc - auc).abs() < 1e-12);
        assert!((d.variance - var).abs() < 1e-12);
        assert!((d.auc - crate::stats::auc(&scored).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn grouped_scores_agree_with_the_rows_they_count() {
        // The scramble above as groups: one per (score, outcome) row, some
        // split in two, in a shuffled order.
        let scored: Vec<(f64, bool)> = (0..300u64)
            .map(|i| {
                let h = i.wrapping_mul(2_654_435_761) % 1000;
                ((h % 17) as f64, (h % 7) < 3 || (h % 17) > 12)
            })
            .collect();
        let mut groups: Vec<(f64, u64, u64)> = Vec::new();
        for (k, (s, y)) in scored.iter().enumerate() {
            match groups.iter_mut().find(|g| g.0 == *s && k % 3 != 0) {
                Some(g) if *y => g.1 += 1,
                Some(g) => g.2 += 1,
                None => groups.push((*s, u64::from(*y), u64::from(!*y))),
            }
        }
        groups.reverse();
        let (rows, grouped) = (delong(&scored).unwrap(), delong_counts(&groups).unwrap());
        assert!((rows.auc - grouped.auc).abs() < 1e-12);
        assert!((rows.variance - grouped.variance).abs() < 1e-12);
        assert!((rows.lo - grouped.lo).abs() < 1e-12 && (rows.hi - grouped.hi).abs() < 1e-12);
        // One positive: the AUC, but no variance (pROC divides by m − 1).
        let one = [(1.0, true), (0.5, false), (2.0, false)];
        let g = [(1.0, 1, 0), (0.5, 0, 1), (2.0, 0, 1)];
        let (r, c) = (delong(&one).unwrap(), delong_counts(&g).unwrap());
        assert_eq!((r.auc, c.auc), (0.5, 0.5));
        assert!(r.variance.is_nan() && c.variance.is_nan() && c.lo.is_nan() && c.hi.is_nan());
        assert!(delong_counts(&[(1.0, 2, 0)]).is_none());
        assert!(delong_counts(&[(f64::NAN, 1, 0), (1.0, 0, 1)]).is_none());
        // An empty NaN group holds no lead.
        assert!(delong_counts(&[(f64::NAN, 0, 0), (2.0, 1, 0), (1.0, 0, 1)]).is_some());
    }

    /// The AUC is the pairwise fraction (pairs ranked right, ties half),
    /// counted in integers, correctly rounded: to the last bit.
    #[test]
    fn the_auc_is_the_exact_pairwise_fraction() {
        for seed in 0..50u64 {
            let groups: Vec<(f64, u64, u64)> = (0..40u64)
                .map(|i| {
                    let h = (i + 1).wrapping_mul(2_654_435_761 + seed * 97) % 10_007;
                    ((h % 23) as f64, h % 5, (h / 5) % 7)
                })
                .collect();
            let (mut twice, mut m, mut n) = (0u128, 0u128, 0u128);
            for &(s, p, _) in &groups {
                for &(t, _, q) in &groups {
                    let pairs = u128::from(p) * u128::from(q);
                    twice += match s.partial_cmp(&t) {
                        Some(std::cmp::Ordering::Greater) => 2 * pairs,
                        Some(std::cmp::Ordering::Equal) => pairs,
                        _ => 0,
                    };
                }
                m += u128::from(p);
            }
            n += groups.iter().map(|g| u128::from(g.2)).sum::<u128>();
            let exact = twice as f64 / (2 * m * n) as f64;
            assert_eq!(delong_counts(&groups).unwrap().auc, exact, "seed {seed}");
        }
    }

    #[test]
    fn one_class_or_nan_is_none() {
        assert!(delong(&[(1.0, true), (2.0, true)]).is_none());
        assert!(delong(&[(f64::NAN, true), (2.0, false)]).is_none());
    }
}
