//! The fitter against scikit-learn and an exact (mpmath) solve; each
//! test names the source of its numbers.
use super::*;

fn close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "got {got}, want {want} (tol {tol})"
    );
}

/// Twelve rows, two indicators: conversion 1/3 at (0,0), 1/3 at (0,1),
/// 2/3 at (1,0), 3/3 at (1,1). Expected values: sklearn 1.9.1,
///   LogisticRegression(C=1.0, solver="newton-cg", tol=1e-12, max_iter=10000)
///     .fit([[0,0]]*3+[[0,1]]*3+[[1,0]]*3+[[1,1]]*3, [0,0,1,0,0,1,0,1,1,1,1,1])
/// → intercept -0.2309371395699811, coef [0.8755611588510205, 0.2949567642502084];
/// a 50-digit mpmath Newton solve (fixture/mp_check.py) gives
/// -0.23093713956998116, 0.87556115885102038, 0.29495676425020837.
fn twelve() -> (Vec<[u8; 2]>, Vec<bool>) {
    let x = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 1],
        [1, 0],
        [1, 0],
        [1, 0],
        [1, 1],
        [1, 1],
        [1, 1],
    ];
    let y = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1].map(|v| v == 1);
    (x.to_vec(), y.to_vec())
}

#[test]
fn twelve_rows_match_sklearn_newton_cg() {
    let (x, y) = twelve();
    let f = fit(&x, &y, 1.0).unwrap();
    close(f.intercept, -0.23093713956998116, 1e-12);
    close(f.coef[0], 0.8755611588510204, 1e-12);
    close(f.coef[1], 0.2949567642502084, 1e-12);
    assert!(f.iterations <= 10, "{} steps", f.iterations);
    assert!(f.gradient_norm <= 12.0 * GRADIENT_TOLERANCE || f.gradient_norm < 1e-10);
    // The same numbers from sklearn itself, to its own accuracy.
    close(f.intercept, -0.2309371395699811, 1e-9);
    close(f.coef[0], 0.8755611588510205, 1e-9);
    close(f.coef[1], 0.2949567642502084, 1e-9);
}

#[test]
fn stronger_penalty_c_0_1() {
    // sklearn: intercept 0.24371620730730692, coef [0.13981126696366294, 0.046605855069278015]
    // mpmath:  0.24371620730731015, 0.13981126696366306, 0.046605855069278041
    let (x, y) = twelve();
    let f = fit(&x, &y, 0.1).unwrap();
    close(f.intercept, 0.24371620730731014, 1e-12);
    close(f.coef[0], 0.13981126696366306, 1e-12);
    close(f.coef[1], 0.04660585506927804, 1e-12);
}

#[test]
fn separable_data_stays_finite_under_the_penalty() {
    // Indicator 0 equals the outcome. sklearn (same call):
    // intercept -0.40105813754154707, coef [1.0758897518839463, -0.27377347680085234]
    let x = [[0u8, 1], [0, 0], [0, 1], [1, 0], [1, 1], [1, 0]];
    let y = [false, false, false, true, true, true];
    let f = fit(&x, &y, 1.0).unwrap();
    close(f.intercept, -0.40105813754154707, 1e-12);
    close(f.coef[0], 1.0758897518839463, 1e-12);
    close(f.coef[1], -0.27377347680085234, 1e-12);
}

#[test]
fn separable_data_with_a_weak_penalty_needs_the_line_search() {
    // Same data, C = 1e6: the coefficient of the separating indicator is
    // large and full Newton steps overshoot at first. mpmath (50 digits):
    // -11.383347621978876, 23.405267693451761, -0.63857244949401002.
    // (sklearn newton-cg warns "Line Search failed" here and stops 4e-6 short.)
    let x = [[0u8, 1], [0, 0], [0, 1], [1, 0], [1, 1], [1, 0]];
    let y = [false, false, false, true, true, true];
    let f = fit(&x, &y, 1e6).unwrap();
    close(f.intercept, -11.383347621978876, 1e-9);
    close(f.coef[0], 23.40526769345176, 1e-9);
    close(f.coef[1], -0.63857244949401, 1e-9);
}

#[test]
fn one_hot_levels_with_intercept_fixture() {
    // NOTES.md fixture, train rows: source ads/seo one-hot (collinear with
    // the intercept; the penalty makes the optimum unique: w_ads = −w_seo).
    // sklearn: intercept -0.06540140205145266, coef ±0.25889044686726964
    // mpmath:  -0.065401402055121673, ±0.25889044686954849
    let ads = [1, 0, 1, 1, 0, 1, 0, 1];
    let x: Vec<[u8; 2]> = ads.iter().map(|&a| [a, 1 - a]).collect();
    let y = [1, 0, 1, 0, 0, 1, 1, 0].map(|v| v == 1);
    let f = fit(&x, &y, 1.0).unwrap();
    close(f.intercept, -0.06540140205512167, 1e-12);
    close(f.coef[0], 0.2588904468695485, 1e-12);
    close(f.coef[1], -0.2588904468695485, 1e-12);
    close(f.probability(&[1, 0]), 0.5482219106264345, 1e-11);
    close(f.probability(&[0, 1]), 0.41963014895796474, 1e-11);
}

#[test]
fn an_indicator_never_on_gets_exactly_zero() {
    let (x, y) = twelve();
    let x3: Vec<[u8; 3]> = x.iter().map(|r| [r[0], r[1], 0]).collect();
    let f = fit(&x3, &y, 1.0).unwrap();
    assert_eq!(f.coef[2], 0.0);
    close(f.coef[0], 0.8755611588510204, 1e-12);
}

#[test]
fn weak_penalty_approaches_the_closed_form_mle() {
    // One indicator: the unpenalised MLE is b = logit(1/4), b + w = logit(3/4).
    let x: Vec<[u8; 1]> = [0, 0, 0, 0, 1, 1, 1, 1].iter().map(|&v| [v]).collect();
    let y = [1, 0, 0, 0, 1, 1, 1, 0].map(|v| v == 1);
    let f = fit(&x, &y, 1e9).unwrap();
    let logit = |p: f64| (p / (1.0 - p)).ln();
    close(f.intercept, logit(0.25), 1e-7);
    close(f.intercept + f.coef[0], logit(0.75), 1e-7);
}

#[test]
fn no_indicators_fits_the_base_rate() {
    let x: Vec<Vec<u8>> = vec![vec![]; 5];
    let y = [true, false, false, true, false];
    let f = fit(&x, &y, 1.0).unwrap();
    close(f.intercept, (2.0f64 / 3.0).ln(), 1e-14);
    assert!(f.coef.is_empty());
}

#[test]
fn errors() {
    let none: [[u8; 1]; 0] = [];
    assert_eq!(fit(&none, &[], 1.0), Err(FitError::Empty));
    assert_eq!(
        fit(&[[1u8], [0]], &[true], 1.0),
        Err(FitError::LengthMismatch { rows: 2, labels: 1 })
    );
    assert_eq!(
        fit(&[vec![1u8, 0], vec![0]], &[true, false], 1.0),
        Err(FitError::Ragged {
            row: 1,
            len: 1,
            expected: 2
        })
    );
    assert_eq!(
        fit(&[[1u8, 2], [0, 0]], &[true, false], 1.0),
        Err(FitError::NotIndicator {
            row: 0,
            column: 1,
            value: 2
        })
    );
    assert_eq!(
        fit(&[[1u8], [0]], &[true, true], 1.0),
        Err(FitError::OneClass { positive: true })
    );
    assert_eq!(
        fit(&[[1u8], [0]], &[false, false], 1.0),
        Err(FitError::OneClass { positive: false })
    );
    for c in [0.0, -1.0, f64::INFINITY] {
        assert_eq!(
            fit(&[[1u8], [0]], &[true, false], c),
            Err(FitError::BadPenalty(c))
        );
    }
    assert!(matches!(
        fit(&[[1u8], [0]], &[true, false], f64::NAN),
        Err(FitError::BadPenalty(_))
    ));
}

#[test]
fn stable_helpers() {
    assert_eq!(softplus(-800.0), 0.0);
    assert_eq!(softplus(800.0), 800.0);
    close(softplus(0.0), std::f64::consts::LN_2, 1e-16);
    assert_eq!(sigmoid(-800.0), 0.0);
    assert_eq!(sigmoid(800.0), 1.0);
    assert_eq!(sigmoid(0.0), 0.5);
}

#[test]
fn twelve_rows_as_four_counted_rows_match_sklearn_newton_cg() {
    // The twelve rows above, each distinct row once with its outcomes
    // counted (and a row with no observation, which adds nothing):
    // the same sklearn / mpmath figures.
    let x = [[0u8, 0], [0, 1], [1, 0], [1, 1], [1, 1]];
    let counts = [(2, 1), (2, 1), (1, 2), (0, 3), (0, 0)].map(|(negatives, positives)| Counts {
        negatives,
        positives,
    });
    let f = fit_counts(&x, &counts, 1.0).unwrap();
    close(f.intercept, -0.23093713956998116, 1e-12);
    close(f.coef[0], 0.8755611588510204, 1e-12);
    close(f.coef[1], 0.2949567642502084, 1e-12);
    let none = [Counts::default(); 5];
    assert_eq!(fit_counts(&x, &none, 1.0), Err(FitError::Empty));
    let positives = [Counts {
        negatives: 0,
        positives: 4,
    }; 5];
    assert_eq!(
        fit_counts(&x, &positives, 1.0),
        Err(FitError::OneClass { positive: true })
    );
}

proptest::proptest! {
    /// Counting equal rows is the same fit as listing them: a differential
    /// check of `fit_counts` against `fit` on the expanded rows.
    #[test]
    fn counted_rows_fit_as_their_expansion(
        rows in proptest::collection::vec(
            (proptest::array::uniform3(0u8..2), 0u64..6, 0u64..6),
            2..12,
        ),
        c in 0.05f64..20.0,
    ) {
        let x: Vec<[u8; 3]> = rows.iter().map(|r| r.0).collect();
        let counts: Vec<Counts> = rows
            .iter()
            .map(|r| Counts { negatives: r.1, positives: r.2 })
            .collect();
        let (mut xe, mut ye) = (Vec::new(), Vec::new());
        for r in &rows {
            for (n, y) in [(r.1, false), (r.2, true)] {
                for _ in 0..n {
                    xe.push(r.0);
                    ye.push(y);
                }
            }
        }
        let counted = fit_counts(&x, &counts, c);
        let listed = if xe.is_empty() { Err(FitError::Empty) } else { fit(&xe, &ye, c) };
        match (counted, listed) {
            (Ok(a), Ok(b)) => {
                let tol = 1e-8 * (1.0 + b.intercept.abs());
                proptest::prop_assert!((a.intercept - b.intercept).abs() <= tol, "{a:?} {b:?}");
                for (p, q) in a.coef.iter().zip(&b.coef) {
                    proptest::prop_assert!((p - q).abs() <= 1e-8 * (1.0 + q.abs()), "{a:?} {b:?}");
                }
            }
            (a, b) => proptest::prop_assert_eq!(a.err(), b.err()),
        }
    }
}
