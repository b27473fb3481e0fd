//! Area under the ROC curve by the Mann–Whitney U statistic, ties counted
//! one half: the probability that a random positive scores above a random
//! negative. Sorting makes it O(n log n). Matches
//! `sklearn.metrics.roc_auc_score`.

/// `None` without at least one positive and one negative, or with a NaN score.
pub fn auc(scored: &[(f64, bool)]) -> Option<f64> {
    if scored.iter().any(|(s, _)| s.is_nan()) {
        return None;
    }
    let pos = scored.iter().filter(|(_, y)| *y).count() as f64;
    let neg = scored.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let mut v: Vec<(f64, bool)> = scored.to_vec();
    // Ties share their average rank whatever their order: unstable will do.
    v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the (average, for ties) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        let positives = v[i..j].iter().filter(|(_, y)| *y).count() as f64;
        rank_sum += avg_rank * positives;
        i = j;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_roc_auc_score_doc_example() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        let v = [(0.1, false), (0.4, false), (0.35, true), (0.8, true)];
        assert_eq!(auc(&v), Some(0.75));
    }

    #[test]
    fn sklearn_roc_auc_score_with_ties() {
        // roc_auc_score([1,0,1,0,1,0], [3,3,2,1,5,2]) == 0.7777…
        let v = [
            (3.0, true),
            (3.0, false),
            (2.0, true),
            (1.0, false),
            (5.0, true),
            (2.0, false),
        ];
        assert!((auc(&v).unwrap() - 0.7777777777777778).abs() < 1e-15);
    }

    #[test]
    fn one_class_has_no_auc() {
        assert_eq!(auc(&[(1.0, true), (2.0, true)]), None);
        assert_eq!(auc(&[]), None);
        assert_eq!(auc(&[(f64::NAN, true), (1.0, false)]), None);
    }

    proptest::proptest! {
        #[test]
        fn negated_scores_give_one_minus_auc(v in proptest::collection::vec((0i32..20, proptest::bool::ANY), 2..60)) {
            let v: Vec<(f64, bool)> = v.into_iter().map(|(s, y)| (s as f64, y)).collect();
            let neg: Vec<(f64, bool)> = v.iter().map(|(s, y)| (-s, *y)).collect();
            if let (Some(a), Some(b)) = (auc(&v), auc(&neg)) {
                proptest::prop_assert!((a + b - 1.0).abs() < 1e-12);
            }
        }
    }
}
