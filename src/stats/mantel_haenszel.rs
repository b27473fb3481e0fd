//! The Mantel–Haenszel common odds ratio over 2×2 tables (strata), with the
//! 95% interval of Robins, Breslow & Greenland (1986) — the estimate and
//! interval R's `mantelhaen.test(exact = FALSE)` and statsmodels'
//! `StratifiedTable.oddsratio_pooled` / `oddsratio_pooled_confint` report.
//!
//! Each stratum is `[a, b, c, d]`: exposed with outcome, exposed without,
//! unexposed with, unexposed without. A stratum with fewer than two rows
//! adds nothing (its weight `1/n` would divide by zero or stand alone).

use super::Z95;

/// One stratum: `[a, b, c, d]` counts (exposed+outcome, exposed−outcome,
/// unexposed+outcome, unexposed−outcome).
pub type Stratum = [u64; 4];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OddsRatio {
    pub estimate: f64,
    /// 95% interval; `None` where the RGB variance is undefined (an estimate
    /// of 0 or infinity cannot have a finite log-scale interval).
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Strata that contributed (two or more rows).
    pub strata: usize,
}

/// The MH common odds ratio; `None` when no stratum has both a
/// concordant and a discordant product (Σ bc/n = 0: the ratio is undefined
/// or infinite).
pub fn mantel_haenszel(strata: &[Stratum]) -> Option<OddsRatio> {
    let (mut r, mut s) = (0.0, 0.0);
    // RGB terms: Σ P R, Σ (P S + Q R), Σ Q S with P = (a+d)/n, Q = (b+c)/n.
    let (mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0);
    let mut used = 0;
    for &[a, b, c, d] in strata {
        let n = (a + b + c + d) as f64;
        if n < 2.0 {
            continue;
        }
        used += 1;
        let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
        let ri = a * d / n;
        let si = b * c / n;
        let p = (a + d) / n;
        let q = (b + c) / n;
        r += ri;
        s += si;
        pr += p * ri;
        ps_qr += p * si + q * ri;
        qs += q * si;
    }
    if s == 0.0 {
        return None;
    }
    let estimate = r / s;
    let (lo, hi) = if r > 0.0 {
        let var = pr / (2.0 * r * r) + ps_qr / (2.0 * r * s) + qs / (2.0 * s * s);
        let half = Z95 * var.sqrt();
        let log = estimate.ln();
        (Some((log - half).exp()), Some((log + half).exp()))
    } else {
        (None, None)
    };
    Some(OddsRatio {
        estimate,
        lo,
        hi,
        strata: used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// R: `mantelhaen.test(UCBAdmissions)` (the example in R's own help page):
    /// "common odds ratio 0.9046968", "95 percent confidence interval:
    /// 0.7719074 1.0603298". Strata are the six departments; exposure Male,
    /// outcome Admitted.
    #[test]
    fn r_mantelhaen_test_ucb_admissions() {
        let strata: [Stratum; 6] = [
            [512, 313, 89, 19],
            [353, 207, 17, 8],
            [120, 205, 202, 391],
            [138, 279, 131, 244],
            [53, 138, 94, 299],
            [22, 351, 24, 317],
        ];
        let or = mantel_haenszel(&strata).unwrap();
        assert!(close(or.estimate, 0.904_696_8, 5e-8), "{or:?}");
        assert!(close(or.lo.unwrap(), 0.771_907_4, 5e-8), "{or:?}");
        assert!(close(or.hi.unwrap(), 1.060_329_8, 5e-8), "{or:?}");
        assert_eq!(or.strata, 6);
    }

    /// One stratum: the MH ratio is the plain odds ratio ad/bc, and the RGB
    /// variance reduces to Woolf's 1/a + 1/b + 1/c + 1/d.
    #[test]
    fn single_stratum_is_the_plain_odds_ratio_with_woolf_interval() {
        let or = mantel_haenszel(&[[10, 20, 5, 40]]).unwrap();
        assert!(close(or.estimate, 10.0 * 40.0 / (20.0 * 5.0), 1e-12));
        let se = (1.0 / 10.0 + 1.0 / 20.0 + 1.0 / 5.0 + 1.0 / 40.0f64).sqrt();
        assert!(close(or.lo.unwrap(), (4.0f64.ln() - Z95 * se).exp(), 1e-12));
        assert!(close(or.hi.unwrap(), (4.0f64.ln() + Z95 * se).exp(), 1e-12));
    }

    #[test]
    fn undefined_without_discordant_pairs() {
        assert_eq!(mantel_haenszel(&[]), None);
        assert_eq!(mantel_haenszel(&[[3, 0, 0, 4]]), None);
        // Strata of one row add nothing.
        assert_eq!(mantel_haenszel(&[[0, 1, 0, 0], [1, 0, 0, 0]]), None);
        // An estimate of zero has no log-scale interval.
        let zero = mantel_haenszel(&[[0, 3, 2, 5]]).unwrap();
        assert_eq!((zero.estimate, zero.lo, zero.hi), (0.0, None, None));
    }
}
