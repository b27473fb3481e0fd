//! The Wilson score interval for a proportion (Wilson 1927), at 95%, as a
//! scalar and as a polars expression (for per-group bounds); the two agree.
//!
//! Reference values: Newcombe (1998), "Two-sided confidence intervals for the
//! single proportion", Statistics in Medicine 17:857–872, Table I, method 3.

use polars::prelude::*;

use super::Z95;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

/// The 95% Wilson interval of `k` successes in `n` trials; `None` when `n` is 0
/// or `k > n`.
pub fn wilson(k: u64, n: u64) -> Option<Interval> {
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = Z95 * Z95;
    let p = k / n;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At 0 of n the lower bound is 0 and at n of n the upper is 1 exactly
    // (the formula leaves a rounding residue such as 5.6e-17).
    Some(Interval {
        lo: if k == 0.0 {
            0.0
        } else {
            (center - half).max(0.0)
        },
        hi: if k == n {
            1.0
        } else {
            (center + half).min(1.0)
        },
    })
}

/// `(lo, hi)` expressions for `k` successes of `n`; null where `n` is 0 (or null).
pub fn wilson_bounds(k: Expr, n: Expr) -> (Expr, Expr) {
    let k = k.cast(DataType::Float64);
    let n = n.cast(DataType::Float64);
    let z2 = Z95 * Z95;
    let p = k.clone() / n.clone();
    let denom = lit(1.0) + lit(z2) / n.clone();
    let center = (p.clone() + lit(z2) / (lit(2.0) * n.clone())) / denom.clone();
    let half = lit(Z95)
        * (p.clone() * (lit(1.0) - p) / n.clone() + lit(z2) / (lit(4.0) * n.clone() * n.clone()))
            .sqrt()
        / denom;
    let valid = n.clone().gt(lit(0.0));
    let null = || lit(NULL).cast(DataType::Float64);
    // Exactly 0 at k = 0 and 1 at k = n, as `wilson` gives.
    let lo = when(valid.clone())
        .then(
            when(k.clone().eq(lit(0.0)))
                .then(lit(0.0))
                .otherwise((center.clone() - half.clone()).clip_min(lit(0.0))),
        )
        .otherwise(null());
    let hi = when(valid)
        .then(
            when(k.eq(n))
                .then(lit(1.0))
                .otherwise((center + half).clip_max(lit(1.0))),
        )
        .otherwise(null());
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn newcombe_1998_table_1() {
        for (k, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0000, 0.1611),
            (1, 29, 0.0061, 0.1718),
            (29, 29, 0.8830, 1.0000),
        ] {
            let i = wilson(k, n).unwrap();
            assert!(close(i.lo, lo) && close(i.hi, hi), "{k}/{n}: {i:?}");
        }
    }

    #[test]
    fn none_or_all_successes_give_exact_bounds() {
        // 0 of 3: the formula's lower bound is 5.55e-17, not 0 (a breaker
        // found it in recalibrate's thresholds table).
        assert_eq!(wilson(0, 3).unwrap().lo, 0.0);
        assert_eq!(wilson(3, 3).unwrap().hi, 1.0);
    }

    #[test]
    fn empty_denominator_is_none() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn expression_agrees_with_scalar() {
        let df = df!("k" => [81u32, 0, 29, 0, 5], "n" => [263u32, 20, 29, 0, 10]).unwrap();
        let (lo, hi) = wilson_bounds(col("k"), col("n"));
        let out = df
            .lazy()
            .select([lo.alias("lo"), hi.alias("hi")])
            .collect()
            .unwrap();
        let lo = out.column("lo").unwrap().f64().unwrap();
        let hi = out.column("hi").unwrap().f64().unwrap();
        // 0 of 20 and 29 of 29: exactly 0 and 1, as the scalar gives.
        assert_eq!((lo.get(1), hi.get(2)), (Some(0.0), Some(1.0)));
        for (i, (k, n)) in [(81, 263), (0, 20), (29, 29), (0, 0), (5, 10)]
            .iter()
            .enumerate()
        {
            match wilson(*k, *n) {
                Some(w) => {
                    assert!((lo.get(i).unwrap() - w.lo).abs() < 1e-12, "{k}/{n}");
                    assert!((hi.get(i).unwrap() - w.hi).abs() < 1e-12, "{k}/{n}");
                }
                None => assert_eq!((lo.get(i), hi.get(i)), (None, None)),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn bounds_lie_in_0_1_and_contain_the_rate(n in 1u64..100_000, frac in 0.0f64..=1.0) {
            let k = ((n as f64) * frac).floor() as u64;
            let i = wilson(k, n).unwrap();
            let p = k as f64 / n as f64;
            proptest::prop_assert!(0.0 <= i.lo && i.lo <= p + 1e-12);
            proptest::prop_assert!(p - 1e-12 <= i.hi && i.hi <= 1.0);
        }
    }
}
