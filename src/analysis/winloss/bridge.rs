//! The revenue bridge: revenue = closed deals × win rate × average won deal
//! size, and the change between two periods split into volume, win-rate and
//! deal-size effects by the symmetric Shapley split of the three factors:
//! each factor's effect is its marginal change averaged over the six orders
//! in which the factors can change,
//!   φ_x = Δx · (2·y₀z₀ + y₁z₀ + y₀z₁ + 2·y₁z₁) / 6
//! for a factor x with the other two y, z. The three effects add up to the
//! change in revenue (exactly in real arithmetic; to rounding in floats).
//!
//! Decision where the spec is silent: a period with no won deal has no
//! average deal size; it takes the other period's (so no deal-size effect is
//! invented), or 0 when neither period won anything.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    /// Closed deals (won + lost).
    pub deals: f64,
    pub won: f64,
    pub revenue: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bridge {
    /// (deals, win rate, average won deal size) of the baseline and the month.
    pub base: [f64; 3],
    pub month: [f64; 3],
    pub volume: f64,
    pub win_rate: f64,
    pub deal_size: f64,
}

impl Bridge {
    pub fn change(&self) -> f64 {
        self.volume + self.win_rate + self.deal_size
    }
}

fn shapley(x: [f64; 2], y: [f64; 2], z: [f64; 2]) -> f64 {
    (x[1] - x[0]) * (2.0 * y[0] * z[0] + y[1] * z[0] + y[0] * z[1] + 2.0 * y[1] * z[1]) / 6.0
}

pub fn bridge(base: Period, month: Period) -> Bridge {
    let rate = |p: Period| if p.deals > 0.0 { p.won / p.deals } else { 0.0 };
    let size = |p: Period| (p.won > 0.0).then(|| p.revenue / p.won);
    let (s0, s1) = match (size(base), size(month)) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, a),
        (None, Some(b)) => (b, b),
        (None, None) => (0.0, 0.0),
    };
    let n = [base.deals, month.deals];
    let r = [rate(base), rate(month)];
    let s = [s0, s1];
    Bridge {
        base: [n[0], r[0], s[0]],
        month: [n[1], r[1], s[1]],
        volume: shapley(n, r, s),
        win_rate: shapley(r, n, s),
        deal_size: shapley(s, n, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 100 deals, 20% won, 5,000 each (100,000) → 120 deals, 15%,
    /// 6,000 (108,000). Δ = 8,000.
    /// volume: 20 · (2·0.2·5000 + 0.15·5000 + 0.2·6000 + 2·0.15·6000)/6
    ///       = 20 · (2000 + 750 + 1200 + 1800)/6 = 20 · 958.33 = 19,166.67
    /// win rate: −0.05 · (2·100·5000 + 120·5000 + 100·6000 + 2·120·6000)/6
    ///       = −0.05 · 3,640,000/6 = −30,333.33
    /// deal size: 1000 · (2·100·0.2 + 120·0.2 + 100·0.15 + 2·120·0.15)/6
    ///       = 1000 · 115/6 = 19,166.67; and 19,166.67 − 30,333.33 +
    ///       19,166.67 = 8,000.
    #[test]
    fn shapley_split_by_hand() {
        let b = bridge(
            Period {
                deals: 100.0,
                won: 20.0,
                revenue: 100_000.0,
            },
            Period {
                deals: 120.0,
                won: 18.0,
                revenue: 108_000.0,
            },
        );
        assert!((b.volume - 19_166.666_666_666_7).abs() < 1e-6, "{b:?}");
        assert!((b.win_rate - -30_333.333_333_333_3).abs() < 1e-6, "{b:?}");
        assert!((b.deal_size - 19_166.666_666_666_7).abs() < 1e-6, "{b:?}");
        assert!((b.change() - 8_000.0).abs() < 1e-9);
    }

    #[test]
    fn a_period_without_wins_borrows_the_other_deal_size() {
        let b = bridge(
            Period {
                deals: 10.0,
                won: 0.0,
                revenue: 0.0,
            },
            Period {
                deals: 10.0,
                won: 2.0,
                revenue: 400.0,
            },
        );
        assert_eq!(b.deal_size, 0.0);
        assert!((b.change() - 400.0).abs() < 1e-9);
    }
}
