//! Two-proportion z-test with a pooled standard error, two-sided; its
//! p-value equals that of R's `prop.test(..., correct = FALSE)` and of the
//! 2×2 chi-square test without continuity correction.

use statrs::distribution::{ContinuousCDF, Normal};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoProportion {
    pub z: f64,
    pub p_value: f64,
}

/// Tests k1/n1 against k2/n2; `None` when a group is empty or the pooled
/// rate is 0 or 1 (no variance to test against).
pub fn two_proportion_z(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<TwoProportion> {
    if n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2 {
        return None;
    }
    let (k1, n1, k2, n2) = (k1 as f64, n1 as f64, k2 as f64, n2 as f64);
    let pooled = (k1 + k2) / (n1 + n2);
    if pooled <= 0.0 || pooled >= 1.0 {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = (k1 / n1 - k2 / n2) / se;
    let normal = Normal::standard();
    Some(TwoProportion {
        z,
        p_value: 2.0 * normal.sf(z.abs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_reference_15_of_50_vs_25_of_50() {
        // z by hand; p = 2 * scipy.stats.norm.sf(|z|), equal to
        // scipy.stats.chi2_contingency([[15,35],[25,25]], correction=False) p.
        let t = two_proportion_z(15, 50, 25, 50).unwrap();
        assert!((t.z - -2.041241452319315).abs() < 1e-12);
        assert!(
            (t.p_value / 0.041226833337163676 - 1.0).abs() < 1e-9,
            "{}",
            t.p_value
        );
    }

    #[test]
    fn x_education_high_vs_medium_activity_index() {
        // PROVENANCE.md counts: High 245/821 vs Medium 1,630/3,839.
        let t = two_proportion_z(245, 821, 1630, 3839).unwrap();
        assert!((t.z - -6.691560019427853).abs() < 1e-9);
        assert!(
            (t.p_value / 2.2080390378169995e-11 - 1.0).abs() < 1e-9,
            "{}",
            t.p_value
        );
    }

    #[test]
    fn empty_or_constant_groups_have_no_test() {
        assert_eq!(two_proportion_z(0, 0, 1, 2), None);
        assert_eq!(two_proportion_z(0, 5, 0, 7), None);
        assert_eq!(two_proportion_z(5, 5, 7, 7), None);
    }
}
