//! Platt scaling: probabilities for a score from a one-variable logistic
//! fit p = σ(a + b·x) (Platt 1999, "Probabilistic outputs for support vector
//! machines", §2.2). Targets are Platt's smoothed labels, (N₊ + 1)/(N₊ + 2)
//! for positives and 1/(N₋ + 2) for negatives, which keeps the optimum
//! finite even when the score separates the classes; scikit-learn's
//! `CalibratedClassifierCV(method="sigmoid")` uses the same targets.
//! Solved by Newton's method on the standardised score (2×2 system).

/// A fitted scaling: `probability(x) = σ(a + b·(x − centre)/scale)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
    centre: f64,
    scale: f64,
}

impl Platt {
    pub fn probability(&self, x: f64) -> f64 {
        let z = self.a + self.b * (x - self.centre) / self.scale;
        1.0 / (1.0 + (-z).exp())
    }
}

/// Fits the scaling on `(score, positive)` pairs; `None` when empty or a
/// score is not finite. The objective depends on the scores only through
/// each distinct score's positives and negatives, so it is summed over
/// distinct scores (points and bands have few): millions of leads cost one
/// sort.
pub fn platt(scored: &[(f64, bool)]) -> Option<Platt> {
    if scored.is_empty() || scored.iter().any(|(x, _)| !x.is_finite()) {
        return None;
    }
    // (score, positives, negatives) per distinct score.
    let mut xs: Vec<(f64, bool)> = scored.to_vec();
    xs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups: Vec<(f64, u64, u64)> = Vec::new();
    for (x, y) in xs {
        match groups.last_mut() {
            Some(g) if g.0 == x => match y {
                true => g.1 += 1,
                false => g.2 += 1,
            },
            _ => groups.push((x, u64::from(y), u64::from(!y))),
        }
    }
    platt_counts(&groups)
}

/// [`platt`] over scores grouped by value: `(score, positives, negatives)`
/// per group (groups may repeat a score). `None` without a lead, or when a
/// score with leads is not finite.
pub fn platt_counts(counted: &[(f64, u64, u64)]) -> Option<Platt> {
    let counted: Vec<(f64, f64, f64)> = counted
        .iter()
        .filter(|(_, p, q)| p + q > 0)
        .map(|(x, p, q)| (*x, *p as f64, *q as f64))
        .collect();
    if counted.is_empty() || counted.iter().any(|(x, _, _)| !x.is_finite()) {
        return None;
    }
    let n: f64 = counted.iter().map(|(_, p, q)| p + q).sum();
    let positives: f64 = counted.iter().map(|(_, p, _)| p).sum();
    let t_pos = (positives + 1.0) / (positives + 2.0);
    let t_neg = 1.0 / (n - positives + 2.0);
    let centre = counted.iter().map(|(x, p, q)| x * (p + q)).sum::<f64>() / n;
    let sd = (counted
        .iter()
        .map(|(x, p, q)| (x - centre).powi(2) * (p + q))
        .sum::<f64>()
        / n)
        .sqrt();
    let scale = if sd > 0.0 { sd } else { 1.0 };
    // (standardised score, positives, negatives) per group.
    let groups: Vec<(f64, f64, f64)> = counted
        .iter()
        .map(|(x, p, q)| ((x - centre) / scale, *p, *q))
        .collect();
    // Σ cross-entropy against the smoothed targets:
    // −t log σ(z) − (1−t) log(1−σ(z)) = softplus(z) − t z.
    let loss = |a: f64, b: f64| -> f64 {
        groups
            .iter()
            .map(|(u, pos, neg)| {
                let z = a + b * u;
                let softplus = z.max(0.0) + (-z.abs()).exp().ln_1p();
                (pos + neg) * softplus - (pos * t_pos + neg * t_neg) * z
            })
            .sum()
    };
    let mean_t = (positives * t_pos + (n - positives) * t_neg) / n;
    let (mut a, mut b) = ((mean_t / (1.0 - mean_t)).ln(), 0.0);
    let mut f = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (u, pos, neg) in &groups {
            let p = 1.0 / (1.0 + (-(a + b * u)).exp());
            let r = (pos + neg) * p - (pos * t_pos + neg * t_neg);
            let w = (pos + neg) * p * (1.0 - p);
            ga += r;
            gb += r * u;
            haa += w;
            hab += w * u;
            hbb += w * u * u;
        }
        // With a constant score only a moves.
        let det = haa * hbb - hab * hab;
        let (da, db) = match sd > 0.0 && det > 0.0 {
            true => ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det),
            false => (ga / haa.max(f64::MIN_POSITIVE), 0.0),
        };
        // Converged: the gradient at the rounding floor, or a Newton step
        // (the distance to the optimum, to second order) below 1e-12.
        if ga.abs().max(gb.abs()) <= 1e-12 * n || da.abs().max(db.abs()) <= 1e-12 {
            break;
        }
        let mut step = 1.0;
        let mut moved = false;
        for _ in 0..60 {
            let (na, nb) = (a - step * da, b - step * db);
            let nf = loss(na, nb);
            if nf <= f + 1e-12 * f.abs() {
                (a, b, f) = (na, nb, nf);
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    Some(Platt {
        a,
        b,
        centre,
        scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_is_stationary_against_platts_targets() {
        // Platt's conditions at the optimum: Σ(p − t) = 0 and Σ(p − t)x = 0.
        let scored: Vec<(f64, bool)> = (0..200)
            .map(|i| (f64::from(i % 40), (i * 7919) % 100 < 20 + i % 40))
            .collect();
        let p = platt(&scored).unwrap();
        let pos = scored.iter().filter(|(_, y)| *y).count() as f64;
        let neg = scored.len() as f64 - pos;
        let t = |y: bool| {
            if y {
                (pos + 1.0) / (pos + 2.0)
            } else {
                1.0 / (neg + 2.0)
            }
        };
        let g0: f64 = scored.iter().map(|(x, y)| p.probability(*x) - t(*y)).sum();
        let g1: f64 = scored
            .iter()
            .map(|(x, y)| (p.probability(*x) - t(*y)) * x)
            .sum();
        assert!(g0.abs() < 1e-8 && g1.abs() < 1e-6, "{g0} {g1}");
        assert!(
            p.b > 0.0,
            "a score that goes with the outcome has a positive slope"
        );
    }

    #[test]
    fn grouped_scores_fit_as_the_rows_they_count() {
        let scored: Vec<(f64, bool)> = (0..200)
            .map(|i| (f64::from(i % 40), (i * 7919) % 100 < 20 + i % 40))
            .collect();
        // One group per row, in reverse: the same leads, counted apart.
        let groups: Vec<(f64, u64, u64)> = scored
            .iter()
            .rev()
            .map(|(x, y)| (*x, u64::from(*y), u64::from(!*y)))
            .collect();
        let (rows, grouped) = (platt(&scored).unwrap(), platt_counts(&groups).unwrap());
        for x in [0.0, 13.0, 39.0] {
            assert!((rows.probability(x) - grouped.probability(x)).abs() < 1e-12);
        }
        assert!(platt_counts(&[(f64::INFINITY, 1, 0)]).is_none());
        assert!(platt_counts(&[(f64::INFINITY, 0, 0), (1.0, 1, 1)]).is_some());
        assert!(platt_counts(&[(1.0, 0, 0)]).is_none());
    }

    #[test]
    fn separable_scores_stay_finite_and_monotone() {
        let scored = [(1.0, false), (2.0, false), (3.0, true), (4.0, true)];
        let p = platt(&scored).unwrap();
        assert!(p.a.is_finite() && p.b.is_finite());
        assert!(p.probability(1.0) < p.probability(4.0));
        // Smoothed targets (3/4, 1/4) keep the slope finite: no probability
        // reaches 0 or 1.
        assert!(p.probability(4.0) < 0.999 && p.probability(1.0) > 0.001);
    }

    #[test]
    fn a_constant_score_gives_the_smoothed_base_rate() {
        let scored = [(5.0, true), (5.0, false), (5.0, false), (5.0, false)];
        let p = platt(&scored).unwrap();
        // t₊ = 2/3 for the one positive, t₋ = 1/5 for each of three negatives.
        let expect = (2.0 / 3.0 + 3.0 / 5.0) / 4.0;
        assert!((p.probability(5.0) - expect).abs() < 1e-10);
        assert!(platt(&[]).is_none());
    }
}
