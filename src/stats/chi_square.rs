//! Pearson's chi-square test of homogeneity: do k groups share one success
//! rate? On the 2×k table of successes and failures, without continuity
//! correction (as `scipy.stats.chi2_contingency(..., correction=False)` and
//! R's `chisq.test(..., correct = FALSE)`). The p-value is the upper tail of
//! statrs' chi-square distribution with k − 1 degrees of freedom.
//!
//! Groups with no trials carry no information and are left out.

use statrs::distribution::{ChiSquared, ContinuousCDF};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: u64,
    pub p_value: f64,
}

/// `groups`: (successes, trials) per group. `None` when fewer than two
/// groups have trials, or when every trial succeeded or every one failed.
pub fn chi_square_homogeneity(groups: &[(u64, u64)]) -> Option<ChiSquare> {
    let groups: Vec<(f64, f64)> = groups
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (*k as f64, *n as f64))
        .collect();
    if groups.len() < 2 {
        return None;
    }
    let total: f64 = groups.iter().map(|g| g.1).sum();
    let successes: f64 = groups.iter().map(|g| g.0).sum();
    let p = successes / total;
    if p <= 0.0 || p >= 1.0 {
        return None;
    }
    let statistic: f64 = groups
        .iter()
        .map(|(k, n)| {
            let (es, ef) = (n * p, n * (1.0 - p));
            (k - es).powi(2) / es + ((n - k) - ef).powi(2) / ef
        })
        .sum();
    let df = groups.len() as u64 - 1;
    let dist = ChiSquared::new(df as f64).ok()?;
    Some(ChiSquare {
        statistic,
        df,
        p_value: dist.sf(statistic),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_chi2_contingency_three_groups() {
        // scipy.stats.chi2_contingency([[30,70],[45,55],[20,80]], correction=False)
        let t = chi_square_homogeneity(&[(30, 100), (45, 100), (20, 100)]).unwrap();
        assert!((t.statistic - 14.634146341463415).abs() < 1e-9);
        assert_eq!(t.df, 2);
        assert!((t.p_value - 0.0006641030858712745).abs() < 1e-12);
    }

    #[test]
    fn scipy_chi2_contingency_two_groups() {
        // scipy.stats.chi2_contingency([[12,5],[7,9]], correction=False)
        let t = chi_square_homogeneity(&[(12, 17), (7, 16)]).unwrap();
        assert!((t.statistic - 2.4305755196815575).abs() < 1e-9);
        assert!((t.p_value - 0.118989205532145).abs() < 1e-9);
    }

    #[test]
    fn degenerate_tables_have_no_test() {
        assert_eq!(chi_square_homogeneity(&[(3, 10)]), None);
        assert_eq!(chi_square_homogeneity(&[(3, 10), (0, 0)]), None);
        assert_eq!(chi_square_homogeneity(&[(0, 10), (0, 5)]), None);
        assert_eq!(chi_square_homogeneity(&[(10, 10), (5, 5)]), None);
    }
}
