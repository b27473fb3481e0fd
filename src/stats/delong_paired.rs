//! DeLong's test of two correlated AUCs: two scores of the same leads
//! (DeLong, DeLong & Clarke-Pearson 1988, "Comparing the areas under two or
//! more correlated receiver operating characteristic curves", Biometrics
//! 44:837–845), as R's pROC `roc.test(method = "delong", paired = TRUE)`
//! computes it.
//!
//! Each positive lead has, under each score, the share of negatives it
//! outranks (V10, ties ½), and each negative the share of positives that
//! outrank it (V01). The variance of AUC_a − AUC_b is
//! (S10_aa + S10_bb − 2·S10_ab)/m + (S01_aa + S01_bb − 2·S01_ab)/n, with
//! S the sample (co)variances (denominators m − 1 and n − 1) over the m
//! positives and n negatives. The interval is the difference ± z·√var;
//! the two-sided p-value 2·(1 − Φ(|z|)).
//!
//! Scores come grouped, as recalibrate keeps them: a score per group and
//! each lead's group. Every lead of a group shares its components, so they
//! are computed once per distinct score and the (co)variances are one pass
//! over the leads.

use statrs::distribution::{ContinuousCDF, Normal};

use super::Z95;

/// AUC_a − AUC_b with its DeLong 95% interval, z and two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AucDifference {
    pub difference: f64,
    pub lo: f64,
    pub hi: f64,
    pub z: f64,
    pub p_value: f64,
}

/// A score of the same leads, grouped: the score of each group, and each
/// lead's group (lead `i` is row `i` of the outcomes).
#[derive(Debug, Clone, Copy)]
pub struct Grouped<'s> {
    pub scores: &'s [f64],
    pub leads: &'s [u32],
}

/// Each group's (V10, V01) ([`super::delong::blocks`]), and the AUC.
/// `None` without a positive and a negative, with a NaN score that has
/// leads, or with a lead of no group.
fn components(s: Grouped, y: &[bool]) -> Option<(Vec<(f64, f64)>, f64)> {
    let mut groups: Vec<(f64, u64, u64)> = s.scores.iter().map(|&v| (v, 0, 0)).collect();
    for (&g, &pos) in s.leads.iter().zip(y) {
        let c = groups.get_mut(g as usize)?;
        match pos {
            true => c.1 += 1,
            false => c.2 += 1,
        }
    }
    let b = super::delong::blocks(&groups)?;
    let out = b
        .block_of
        .iter()
        .map(|k| k.map_or((f64::NAN, f64::NAN), |k| (b.blocks[k].2, b.blocks[k].3)))
        .collect();
    Some((out, b.auc()))
}

/// Sums for a sample covariance matrix of two variables.
#[derive(Default)]
struct Moments {
    n: f64,
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    ab: f64,
}

impl Moments {
    fn add(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.ab += a * b;
    }

    /// The sample variance of a − b (denominator n − 1).
    fn variance_of_difference(&self) -> f64 {
        let var = |ss: f64, s: f64| (ss - s * s / self.n) / (self.n - 1.0);
        let cov = (self.ab - self.a * self.b / self.n) / (self.n - 1.0);
        var(self.aa, self.a) + var(self.bb, self.b) - 2.0 * cov
    }
}

/// DeLong's test of AUC_a − AUC_b over the same leads (`y`: each lead's
/// outcome). `None` when the two do not score the same leads, without a
/// positive and a negative, with a NaN score, or with fewer than two
/// positives or two negatives (pROC divides by m − 1 and n − 1). Two
/// scores that rank every pair alike differ by 0 with no spread: the
/// interval is [0, 0] and p is 1. A difference with no spread (each
/// score ranks every pair one way: AUCs of 1 and ½) is certain, as pROC
/// has it: z is ±∞, p is 0, and the interval is the difference itself.
pub fn delong_paired(a: Grouped, b: Grouped, y: &[bool]) -> Option<AucDifference> {
    if a.leads.len() != y.len() || b.leads.len() != y.len() {
        return None;
    }
    let (ca, auc_a) = components(a, y)?;
    let (cb, auc_b) = components(b, y)?;
    let (mut pos, mut neg) = (Moments::default(), Moments::default());
    for ((&ga, &gb), &positive) in a.leads.iter().zip(b.leads).zip(y) {
        let (x, z) = (ca[ga as usize], cb[gb as usize]);
        match positive {
            true => pos.add(x.0, z.0),
            false => neg.add(x.1, z.1),
        }
    }
    if pos.n < 2.0 || neg.n < 2.0 {
        return None;
    }
    let difference = auc_a - auc_b;
    // Rounding can leave a hair below zero where the spread is none.
    let variance =
        (pos.variance_of_difference() / pos.n + neg.variance_of_difference() / neg.n).max(0.0);
    let se = variance.sqrt();
    if se == 0.0 || se < 1e-12 * difference.abs().max(1.0) {
        return Some(match difference == 0.0 {
            true => AucDifference {
                difference,
                lo: 0.0,
                hi: 0.0,
                z: 0.0,
                p_value: 1.0,
            },
            false => AucDifference {
                difference,
                lo: difference,
                hi: difference,
                z: f64::INFINITY.copysign(difference),
                p_value: 0.0,
            },
        });
    }
    let z = difference / se;
    Some(AucDifference {
        difference,
        lo: difference - Z95 * se,
        hi: difference + Z95 * se,
        z,
        p_value: 2.0 * Normal::standard().sf(z.abs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One group per lead.
    fn rows(scores: &[f64]) -> Vec<u32> {
        (0..scores.len() as u32).collect()
    }

    fn test(a: &[f64], b: &[f64], y: &[bool]) -> Option<AucDifference> {
        let (la, lb) = (rows(a), rows(b));
        delong_paired(
            Grouped {
                scores: a,
                leads: &la,
            },
            Grouped {
                scores: b,
                leads: &lb,
            },
            y,
        )
    }

    /// Worked by hand: y = 1, 1, 0, 0; a = 0.9, 0.4, 0.5, 0.1 (AUC 0.75:
    /// V10 1 and ½, V01 ½ and 1); b ranks both positives first (AUC 1, no
    /// spread). S10 = S01 = var(1, ½) = 0.125, so var = 0.125/2 + 0.125/2 =
    /// 0.125; z = −0.25/√0.125 = −0.70711, p = 2Φ(−0.70711) = 0.47950
    /// (scipy.stats.norm.sf(0.7071068) · 2).
    #[test]
    fn hand_worked_four_leads() {
        let d = test(
            &[0.9, 0.4, 0.5, 0.1],
            &[0.8, 0.7, 0.2, 0.3],
            &[true, true, false, false],
        )
        .unwrap();
        assert!((d.difference + 0.25).abs() < 1e-15);
        assert!((d.z + 0.707_106_781_186_547_5).abs() < 1e-12, "{d:?}");
        assert!((d.p_value - 0.479_500_122_186_953_5).abs() < 1e-9, "{d:?}");
        let half = Z95 * 0.125f64.sqrt();
        assert!((d.lo - (-0.25 - half)).abs() < 1e-12 && (d.hi - (-0.25 + half)).abs() < 1e-12);
    }

    #[test]
    fn a_score_against_itself_differs_by_nothing() {
        let a = [0.3, 0.9, 0.1, 0.5, 0.5];
        let y = [true, true, false, false, true];
        let d = test(&a, &a, &y).unwrap();
        assert_eq!((d.difference, d.lo, d.hi, d.p_value), (0.0, 0.0, 0.0, 1.0));
    }

    /// a ranks both positives above both negatives (AUC 1), b ties all
    /// four (AUC ½): every component is constant, so the difference has no
    /// spread; pROC gives z = ∞ and p = 0.
    #[test]
    fn a_difference_without_spread_is_certain() {
        let d = test(
            &[0.9, 0.8, 0.2, 0.1],
            &[0.5; 4],
            &[true, true, false, false],
        )
        .unwrap();
        assert_eq!((d.difference, d.lo, d.hi), (0.5, 0.5, 0.5));
        assert_eq!((d.z, d.p_value), (f64::INFINITY, 0.0));
    }

    #[test]
    fn too_few_of_a_class_or_nan_or_other_leads_is_none() {
        assert!(test(&[0.1, 0.2, 0.3], &[0.3, 0.2, 0.1], &[true, false, false]).is_none());
        assert!(test(
            &[0.1, f64::NAN, 0.3, 0.4],
            &[0.1; 4],
            &[true, true, false, false]
        )
        .is_none());
        let y = [true, true, false, false];
        let (a, l) = ([0.1, 0.2, 0.3, 0.4], rows(&[0.0; 4]));
        let short = [0u32, 1, 2];
        let g = |leads| Grouped { scores: &a, leads };
        assert!(delong_paired(g(&l), g(&short), &y).is_none());
    }

    /// The plain definition: ψ over every (positive, negative) pair, per
    /// lead, then the covariance formula over the leads.
    fn naive(a: &[f64], b: &[f64], y: &[bool]) -> (f64, f64) {
        let psi = |x: f64, z: f64| match x.partial_cmp(&z) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        };
        let comps = |s: &[f64]| -> (Vec<f64>, Vec<f64>) {
            let pos: Vec<f64> = (0..s.len()).filter(|&i| y[i]).map(|i| s[i]).collect();
            let neg: Vec<f64> = (0..s.len()).filter(|&i| !y[i]).map(|i| s[i]).collect();
            let v10 = pos
                .iter()
                .map(|&x| neg.iter().map(|&z| psi(x, z)).sum::<f64>() / neg.len() as f64)
                .collect();
            let v01 = neg
                .iter()
                .map(|&z| pos.iter().map(|&x| psi(x, z)).sum::<f64>() / pos.len() as f64)
                .collect();
            (v10, v01)
        };
        let (a10, a01) = comps(a);
        let (b10, b01) = comps(b);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let cov = |u: &[f64], v: &[f64]| {
            let (mu, mv) = (mean(u), mean(v));
            u.iter()
                .zip(v)
                .map(|(x, z)| (x - mu) * (z - mv))
                .sum::<f64>()
                / (u.len() - 1) as f64
        };
        let s = |u: &[f64], v: &[f64]| cov(u, u) + cov(v, v) - 2.0 * cov(u, v);
        let var = s(&a10, &b10) / a10.len() as f64 + s(&a01, &b01) / a01.len() as f64;
        (mean(&a10) - mean(&b10), var)
    }

    proptest! {
        /// Differential: the grouped computation against the pairwise
        /// definition, with ties, and with the leads grouped by score.
        #[test]
        fn agrees_with_the_pairwise_definition(
            leads in proptest::collection::vec((0u8..6, 0u8..6, any::<bool>()), 4..60),
        ) {
            let y: Vec<bool> = leads.iter().map(|l| l.2).collect();
            let m = y.iter().filter(|p| **p).count();
            prop_assume!(m >= 2 && y.len() - m >= 2);
            let a: Vec<f64> = leads.iter().map(|l| l.0 as f64).collect();
            let b: Vec<f64> = leads.iter().map(|l| l.1 as f64 / 2.0).collect();
            let (diff, var) = naive(&a, &b, &y);
            // Grouped: the six levels of each score, each lead by its level.
            let levels_a: Vec<f64> = (0..6).map(f64::from).collect();
            let levels_b: Vec<f64> = (0..6).map(|k| f64::from(k) / 2.0).collect();
            let la: Vec<u32> = leads.iter().map(|l| u32::from(l.0)).collect();
            let lb: Vec<u32> = leads.iter().map(|l| u32::from(l.1)).collect();
            let d = delong_paired(
                Grouped { scores: &levels_a, leads: &la },
                Grouped { scores: &levels_b, leads: &lb },
                &y,
            );
            match d {
                Some(d) => {
                    prop_assert!((d.difference - diff).abs() < 1e-12);
                    if var > 1e-12 {
                        let se = var.sqrt();
                        prop_assert!((d.z - diff / se).abs() < 1e-6 * (1.0 + d.z.abs()), "{d:?} {var}");
                        prop_assert!((d.hi - d.lo - 2.0 * Z95 * se).abs() < 1e-9);
                    }
                }
                None => prop_assert!(false, "None for {diff} {var}"),
            }
        }
    }
}
