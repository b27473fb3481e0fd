//! Quantiles by linear interpolation between order statistics: numpy's
//! default (`method="linear"`, Hyndman & Fan type 7). Within polars plans,
//! use `Expr::quantile(q, QuantileMethod::Linear)`, which is the same rule.

/// The `q` quantile of `values` (any order); `None` when empty, when `q` is
/// outside [0, 1], or when a value is NaN.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    quantiles(values, &[q]).and_then(|v| v.first().copied())
}

/// The `qs` quantiles of `values`, sorting once; `None` as for [`quantile`].
pub fn quantiles(values: &[f64], qs: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty()
        || qs.iter().any(|q| !(0.0..=1.0).contains(q))
        || values.iter().any(|v| v.is_nan())
    {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(
        qs.iter()
            .map(|q| {
                let h = (v.len() - 1) as f64 * q;
                let lo = h.floor() as usize;
                let hi = (lo + 1).min(v.len() - 1);
                v[lo] + (h - lo as f64) * (v[hi] - v[lo])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_quantile_examples() {
        // np.quantile([1,2,3,4], 0.9) == 3.7; np.quantile([7,1,3], 0.5) == 3.0
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.9).unwrap() - 3.7).abs() < 1e-12);
        assert_eq!(quantile(&[7.0, 1.0, 3.0], 0.5), Some(3.0));
        // np.quantile([1.5, 2.5, 10], [0, .25, .75, 1]) == [1.5, 2.0, 6.25, 10.0]
        let v = [1.5, 2.5, 10.0];
        let got: Vec<f64> = [0.0, 0.25, 0.75, 1.0]
            .iter()
            .map(|q| quantile(&v, *q).unwrap())
            .collect();
        assert_eq!(got, [1.5, 2.0, 6.25, 10.0]);
    }

    #[test]
    fn no_answer_without_values() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[1.0], 1.5), None);
    }

    proptest::proptest! {
        #[test]
        fn quantiles_never_decrease(v in proptest::collection::vec(-1e6f64..1e6, 1..50), a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            proptest::prop_assert!(quantile(&v, lo).unwrap() <= quantile(&v, hi).unwrap() + 1e-9);
        }
    }
}
