//! Kaplan–Meier survival curve with Greenwood variance and log(−log) 95% bounds,
//! computed from counts aggregated per distinct time (O(k log k) for k distinct
//! times, no loop over subjects). Knows nothing of leads, files or polars.
//!
//! Definitions, with `n_i` at risk just before `t_i` and `d_i` events at `t_i`:
//! - S(t) = Π_{t_i ≤ t} (1 − d_i/n_i) (Kaplan & Meier 1958), right-continuous.
//! - V(t) = Σ_{t_i ≤ t} d_i / (n_i (n_i − d_i)): Greenwood (1926) variance of log S.
//! - 95% bounds S^exp(±Z95·√V / ln S), the log(−log) transform of Kalbfleisch &
//!   Prentice (1980): R `survfit(conf.type = "log-log")` and lifelines' default.
//!
//! Conventions and edge cases (R survival 3.8 `survfit_confint`, `print.survfit`):
//! - Subjects censored at `t_i` are still at risk at `t_i`; time 0 is an ordinary
//!   time (an event at day 0 drops S at t = 0).
//! - Before the first event S = 1, V = 0 and the bounds are (1, 1) (R: `se == 0`).
//! - Once S = 0 (all still at risk have the event) V is infinite and the bounds are
//!   `None` (R gives NA; lifelines' (0, 0) is an artefact of `log(0)`).
//! - After the last observed time S is unknown, unless it reached 0.
//! - Median as SPEC §4 defines it: the first time S ≤ 0.5 (within ε = 2⁻²⁶, R's
//!   √double.eps, so a product that is 0.5 in exact arithmetic counts). R's
//!   `print.survfit` differs only where S is exactly 0.5 on a flat stretch: it
//!   takes the midpoint of that time and the next drop (lifelines the next drop).
//!   The 95% limits apply the same rule to the lower and upper band (lower limit
//!   from the lower band), as R does. `None` where a curve never gets there.
//! - No NaN is ever returned and nothing panics.
//!
//! References: Kaplan E.L., Meier P. (1958) JASA 53:457–481; Greenwood M. (1926)
//! Rep. Public Health Med. Subj. 33; Kalbfleisch J.D., Prentice R.L. (1980) The
//! Statistical Analysis of Failure Time Data, Wiley; Therneau, R package `survival`.

use super::Z95;

/// Tolerance for "S equals 0.5": 2⁻²⁶ = √f64::EPSILON, as R's `print.survfit`
/// (a product of fractions that is 0.5 in exact arithmetic may miss it by an ulp).
const HALF_TOL: f64 = 1.490_116_119_384_765_6e-8;

/// One distinct time of the curve (times where nobody is counted are dropped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmStep {
    /// Time, in the unit of the input (days for `velocity`).
    pub time: f64,
    /// Subjects at risk just before `time`, including those censored at `time`.
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    /// S(time), in [0, 1].
    pub survival: f64,
    /// Greenwood sum V(time) (variance of ln S); `None` once S = 0.
    pub greenwood: Option<f64>,
    /// log(−log) 95% bounds of S(time), `lo ≤ survival ≤ hi`; `None` once S = 0.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// A probability in [0, 1] with its 95% bounds (`None` where undefined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

impl Estimate {
    /// Probability 1 with bounds (1, 1): S before the first time.
    pub const CERTAIN: Estimate = Estimate {
        value: 1.0,
        lo: Some(1.0),
        hi: Some(1.0),
    };

    /// `1 − value`; the bounds become `1 − hi` and `1 − lo` (still `lo ≤ hi`).
    pub fn complement(self) -> Estimate {
        Estimate {
            value: 1.0 - self.value,
            lo: self.hi.map(|h| 1.0 - h),
            hi: self.lo.map(|l| 1.0 - l),
        }
    }
}

/// Median time and its 95% limits, in the unit of the input; `None` = not reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Median {
    pub value: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// A fitted Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    steps: Vec<KmStep>,
    entered: u64,
    events: u64,
}

impl KaplanMeier {
    /// Fits the curve from `(time, events_at_time, censored_at_time)` rows, in any
    /// order; rows sharing a time are summed. `None` when there is no subject (empty
    /// input or all counts 0), a time is NaN or infinite, or the total overflows u64.
    pub fn from_counts(counts: &[(f64, u64, u64)]) -> Option<KaplanMeier> {
        let mut rows: Vec<(f64, u64, u64)> = Vec::with_capacity(counts.len());
        let mut sorted = counts.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut entered: u64 = 0;
        for (t, d, c) in sorted {
            if !t.is_finite() {
                return None;
            }
            entered = entered.checked_add(d)?.checked_add(c)?;
            match rows.last_mut() {
                Some(last) if last.0 == t => (last.1, last.2) = (last.1 + d, last.2 + c),
                _ if d + c > 0 => rows.push((t, d, c)),
                _ => {}
            }
        }
        if entered == 0 {
            return None;
        }
        let (mut at_risk, mut events, mut survival, mut greenwood) = (entered, 0, 1.0, Some(0.0));
        let mut steps = Vec::with_capacity(rows.len());
        for (time, d, c) in rows {
            (survival, greenwood) = step(survival, greenwood, at_risk, d);
            let (lo, hi) = log_log_bounds(survival, greenwood);
            steps.push(KmStep {
                time,
                at_risk,
                events: d,
                censored: c,
                survival,
                greenwood,
                lo,
                hi,
            });
            at_risk -= d + c; // cannot underflow: `entered` is the sum of all counts
            events += d;
        }
        Some(KaplanMeier {
            steps,
            entered,
            events,
        })
    }

    /// The curve, one step per distinct time with at least one subject, by time.
    pub fn steps(&self) -> &[KmStep] {
        &self.steps
    }

    /// Subjects in the curve (events + censored).
    pub fn entered(&self) -> u64 {
        self.entered
    }

    /// Subjects whose event was observed.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Subjects censored (no event observed).
    pub fn censored(&self) -> u64 {
        self.entered - self.events
    }

    /// S(t) with bounds: (1, 1, 1) before the first time; the last step at or
    /// before `t` otherwise. `None` if `t` is NaN, or later than the last observed
    /// time while S > 0 there (the curve is unknown beyond follow-up).
    pub fn survival_at(&self, t: f64) -> Option<Estimate> {
        if t.is_nan() {
            return None;
        }
        let i = self.steps.partition_point(|s| s.time <= t);
        match i.checked_sub(1).and_then(|j| self.steps.get(j)) {
            None => Some(Estimate::CERTAIN),
            Some(s) if i == self.steps.len() && t > s.time && s.survival > 0.0 => None,
            Some(s) => Some(Estimate {
                value: s.survival,
                lo: s.lo,
                hi: s.hi,
            }),
        }
    }

    /// 1 − S(t): the probability that the event has happened by `t` (`p_by_Xd`),
    /// bounds 1 − the bounds of S, swapped. `None` as for [`Self::survival_at`].
    pub fn event_probability_by(&self, t: f64) -> Option<Estimate> {
        self.survival_at(t).map(Estimate::complement)
    }

    /// Median time and 95% limits: the first time S (and each band) is ≤ 0.5.
    pub fn median(&self) -> Median {
        let curve = |f: fn(&KmStep) -> Option<f64>| {
            first_at_half(self.steps.iter().map(|s| (s.time, f(s))))
        };
        Median {
            value: curve(|s| Some(s.survival)),
            lo: curve(|s| s.lo),
            hi: curve(|s| s.hi),
        }
    }
}

/// What `velocity` reads of a curve: counts, the median and the estimates
/// at some times — found in one pass over the counts, keeping no steps (at
/// 10M leads a curve has tens of millions of distinct times). Equal to what
/// [`KaplanMeier::from_counts`] then `median` and `survival_at` give.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub entered: u64,
    pub events: u64,
    pub median: Median,
    /// S at each of the asked times, as [`KaplanMeier::survival_at`].
    pub survival_at: Vec<Option<Estimate>>,
}

impl KaplanMeier {
    /// [`Summary`] of the curve of `counts` (sorted in place by time), at
    /// `times`. `None` as for [`KaplanMeier::from_counts`].
    pub fn summarize(counts: &mut [(f64, u64, u64)], times: &[f64]) -> Option<Summary> {
        // Ties are summed, whatever their order: unstable will do.
        counts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        KaplanMeier::summarize_sorted(counts.iter().copied(), times)
    }

    /// [`KaplanMeier::summarize`] of `counts` already in time order (equal
    /// times may follow one another: they are summed), walked twice and
    /// never held: `velocity` merges each transition's sorted event and
    /// censoring times into it (at 10M leads a curve's 10M times as
    /// `(t, d, c)` triples were 240 MB).
    pub fn summarize_sorted<I>(counts: I, times: &[f64]) -> Option<Summary>
    where
        I: Iterator<Item = (f64, u64, u64)> + Clone,
    {
        let mut entered: u64 = 0;
        for (t, d, c) in counts.clone() {
            if !t.is_finite() {
                return None;
            }
            entered = entered.checked_add(d)?.checked_add(c)?;
        }
        if entered == 0 {
            return None;
        }
        let (mut at_risk, mut events, mut survival, mut greenwood) = (entered, 0, 1.0, Some(0.0));
        let mut median: [Option<f64>; 3] = [None; 3];
        // (S, Greenwood) at the last step at or before each asked time: an
        // asked time is settled at the first step after it (times in
        // ascending order, so each is visited once however many steps).
        let mut at: Vec<Option<(f64, Option<f64>)>> = vec![None; times.len()];
        let mut order: Vec<usize> = (0..times.len()).filter(|&j| !times[j].is_nan()).collect();
        order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
        let mut pending = order.into_iter().peekable();
        let mut current: Option<(f64, Option<f64>)> = None;
        let mut last: Option<(f64, f64)> = None;
        let mut counts = counts.peekable();
        while let Some((t, mut d, mut c)) = counts.next() {
            while let Some((_, more_d, more_c)) = counts.next_if(|next| next.0 == t) {
                d += more_d;
                c += more_c;
            }
            if d + c == 0 {
                continue;
            }
            while let Some(j) = pending.next_if(|&j| times[j] < t) {
                at[j] = current;
            }
            (survival, greenwood) = step(survival, greenwood, at_risk, d);
            let half = |y: f64| y < 0.5 + HALF_TOL;
            if median[0].is_none() && half(survival) {
                median[0] = Some(t);
            }
            // The bounds move only with an event (a censoring step keeps S
            // and its variance).
            if d > 0 && (median[1].is_none() || median[2].is_none()) {
                let (lo, hi) = log_log_bounds(survival, greenwood);
                if median[1].is_none() && lo.is_some_and(half) {
                    median[1] = Some(t);
                }
                if median[2].is_none() && hi.is_some_and(half) {
                    median[2] = Some(t);
                }
            }
            current = Some((survival, greenwood));
            last = Some((t, survival));
            at_risk -= d + c;
            events += d;
        }
        for j in pending {
            at[j] = current;
        }
        let survival_at = times
            .iter()
            .zip(at)
            .map(|(&x, a)| {
                if x.is_nan() {
                    return None;
                }
                match (a, last) {
                    (None, _) => Some(Estimate::CERTAIN),
                    (Some(_), Some((lt, ls))) if x > lt && ls > 0.0 => None,
                    (Some((s, v)), _) => {
                        let (lo, hi) = log_log_bounds(s, v);
                        Some(Estimate { value: s, lo, hi })
                    }
                }
            })
            .collect();
        Some(Summary {
            entered,
            events,
            median: Median {
                value: median[0],
                lo: median[1],
                hi: median[2],
            },
            survival_at,
        })
    }
}

/// S and the Greenwood sum after `d` events among `at_risk` (Kaplan–Meier's
/// product-limit step; S = 0, and no variance, when every one at risk has it).
fn step(s: f64, v: Option<f64>, at_risk: u64, d: u64) -> (f64, Option<f64>) {
    if d == 0 {
        return (s, v);
    }
    if d >= at_risk {
        return (0.0, None);
    }
    let (n, left) = (at_risk as f64, (at_risk - d) as f64);
    (s * (left / n), v.map(|v| v + d as f64 / (n * left)))
}

/// log(−log) bounds of `s` with Greenwood sum `v`: (s, s) when `v` is 0 (S = 1),
/// `None` when `v` is `None` (S = 0).
fn log_log_bounds(s: f64, v: Option<f64>) -> (Option<f64>, Option<f64>) {
    let Some(v) = v else { return (None, None) };
    let ln_s = s.ln();
    if v == 0.0 || ln_s >= 0.0 {
        return (Some(s), Some(s));
    }
    let k = (Z95 * v.sqrt() / -ln_s).exp();
    let finite = |x: f64| Some(x).filter(|x| x.is_finite());
    (finite(s.powf(k)), finite(s.powf(1.0 / k)))
}

/// The first time with y ≤ 0.5 (within [`HALF_TOL`]); points with `None` are skipped.
fn first_at_half(mut curve: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    curve.find_map(|(t, y)| y.filter(|&y| y < 0.5 + HALF_TOL).map(|_| t))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Counts = [(f64, u64, u64)];
    #[rustfmt::skip]
    const AML_MAINTAINED: [(f64, u64, u64); 10] = [(9., 1, 0), (13., 1, 1), (18., 1, 0), (23., 1, 0),
        (28., 0, 1), (31., 1, 0), (34., 1, 0), (45., 0, 1), (48., 1, 0), (161., 0, 1)];
    #[rustfmt::skip]
    const AML_NONMAINTAINED: [(f64, u64, u64); 10] = [(5., 2, 0), (8., 2, 0), (12., 1, 0),
        (16., 0, 1), (23., 1, 0), (27., 1, 0), (30., 1, 0), (33., 1, 0), (43., 1, 0), (45., 1, 0)];
    #[rustfmt::skip]
    const G3_CONTROL: [(f64, u64, u64); 6] =
        [(9., 1, 0), (19., 1, 0), (32., 1, 0), (34., 1, 0), (48., 0, 1), (50., 0, 1)];
    const HAND: [(f64, u64, u64); 5] = [(0., 1, 0), (2., 2, 1), (3., 0, 1), (5., 1, 0), (7., 0, 1)];

    fn fit(counts: &Counts) -> KaplanMeier {
        KaplanMeier::from_counts(counts).unwrap()
    }

    fn est(value: f64, lo: Option<f64>, hi: Option<f64>) -> Option<Estimate> {
        Some(Estimate { value, lo, hi })
    }

    fn median(value: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> Median {
        Median { value, lo, hi }
    }

    /// Asserts `[time, S, lo, hi]` rows against `survival_at(time)`, tolerances for S/lo/hi.
    fn assert_curve(km: &KaplanMeier, rows: &[[f64; 4]], tol: [f64; 3]) {
        for &[t, s, lo, hi] in rows {
            let e = km.survival_at(t).unwrap();
            let got = [e.value, e.lo.unwrap(), e.hi.unwrap()];
            for ((g, w), tol) in got.iter().zip([s, lo, hi]).zip(tol) {
                assert!((g - w).abs() < tol, "t = {t}: {got:?} vs {s} {lo} {hi}");
            }
        }
    }

    const LIFELINES: [f64; 3] = [1e-9; 3];

    // [time, S, lo, hi] printed by reference.py (lifelines 0.30.3), 15 decimals.
    #[rustfmt::skip]
    const AML_MAINTAINED_LIFELINES: [[f64; 4]; 8] = [
        [9., 0.909090909090909, 0.508080205769929, 0.986673822667823],
        [13., 0.818181818181818, 0.447428614682181, 0.951162228582492],
        [18., 0.715909090909091, 0.350190385907938, 0.899023974191054],
        [23., 0.613636363636364, 0.265752040001286, 0.835299243250222],
        [31., 0.490909090909091, 0.167330909776851, 0.753399790370812],
        [34., 0.368181818181818, 0.092829574936985, 0.657040832398164],
        [48., 0.184090909090909, 0.011738480123190, 0.525014842726642],
        [161., 0.184090909090909, 0.011738480123190, 0.525014842726642]];
    #[rustfmt::skip]
    const AML_NONMAINTAINED_LIFELINES: [[f64; 4]; 5] = [
        [5., 0.833333333333333, 0.481714942195379, 0.955509365728065],
        [12., 0.583333333333333, 0.270138924085497, 0.800940192333387],
        [23., 0.486111111111111, 0.191876619618728, 0.729671569779485],
        [33., 0.194444444444444, 0.031198642931212, 0.461429476238114],
        [43., 0.097222222222222, 0.005746305695864, 0.348903861110750]];
    #[rustfmt::skip]
    const AML_ALL_LIFELINES: [[f64; 4]; 4] = [
        [5., 0.913043478260870, 0.694947537532059, 0.977515669900713],
        [13., 0.695652173913043, 0.465641749762004, 0.841721291391763],
        [27., 0.496894409937888, 0.275565628012137, 0.684213788447816],
        [48., 0.082815734989648, 0.006955966798536, 0.286760367980918]];

    #[test]
    fn lifelines_aml_maintained() {
        let km = fit(&AML_MAINTAINED);
        assert_curve(&km, &AML_MAINTAINED_LIFELINES, LIFELINES);
        assert_eq!(km.median(), median(Some(31.), Some(13.), None));
        assert_eq!((km.entered(), km.events(), km.censored()), (11, 7, 4));
    }

    #[test]
    fn lifelines_aml_nonmaintained() {
        let km = fit(&AML_NONMAINTAINED);
        assert_curve(&km, &AML_NONMAINTAINED_LIFELINES, LIFELINES);
        // S = 0 at 45: lifelines prints bounds (0, 0); R prints NA, as here.
        assert_eq!(km.survival_at(45.), est(0., None, None));
        assert_eq!(km.survival_at(1e9), est(0., None, None));
        assert_eq!(km.median(), median(Some(23.), Some(5.), Some(33.)));
    }

    #[test]
    fn lifelines_aml_all() {
        let mut both = AML_NONMAINTAINED.to_vec(); // unsorted, time 23 in both groups
        both.extend(AML_MAINTAINED);
        let km = fit(&both);
        assert_curve(&km, &AML_ALL_LIFELINES, LIFELINES);
        assert_eq!(km.median(), median(Some(27.), Some(13.), Some(34.)));
        let at_23 = km
            .steps()
            .iter()
            .find(|s| s.time == 23.)
            .map(|s| (s.at_risk, s.events));
        assert_eq!(at_23, Some((13, 2)));
    }

    /// R survival tests/doaml.Rout.save (default log CI): S and std.err = S·√V as
    /// printed; at S = 0 R prints std.err NaN, here V is None.
    #[test]
    fn r_survival_doaml_rout_save_greenwood() {
        #[rustfmt::skip]
        let printed: [(&Counts, [[f64; 3]; 7]); 2] = [
            (&AML_MAINTAINED, [[9., 0.909, 0.0867], [13., 0.818, 0.1163], [18., 0.716, 0.1397],
                [23., 0.614, 0.1526], [31., 0.491, 0.1642], [34., 0.368, 0.1627], [48., 0.184, 0.1535]]),
            (&AML_NONMAINTAINED, [[5., 0.8333, 0.1076], [8., 0.6667, 0.1361], [12., 0.5833, 0.1423],
                [23., 0.4861, 0.1481], [27., 0.3889, 0.1470], [30., 0.2917, 0.1387], [43., 0.0972, 0.0919]])];
        for (counts, rows) in printed {
            let km = fit(counts);
            for [t, s, se] in rows {
                let x = km.steps().iter().find(|x| x.time == t).unwrap();
                assert!((x.survival - s).abs() < 5e-4, "S({t})");
                assert!(
                    (x.survival * x.greenwood.unwrap().sqrt() - se).abs() < 5e-5,
                    "se({t})"
                );
            }
        }
        let last = fit(&AML_NONMAINTAINED).steps().last().copied().unwrap();
        assert_eq!((last.survival, last.greenwood), (0., None));
    }

    /// R survfit(conf.type = "log-log") on lifelines' g3 data, Control group, as
    /// hard-coded in lifelines' test_kmf_confidence_intervals_output_against_R.
    #[test]
    fn r_survival_g3_control_log_log_from_lifelines_tests() {
        let km = fit(&G3_CONTROL);
        #[rustfmt::skip]
        let r = [[9., 0.833, 0.2731, 0.975], [19., 0.667, 0.1946, 0.904],
            [32., 0.5, 0.1109, 0.804], [34., 0.333, 0.0461, 0.676]];
        assert_curve(&km, &r, [5e-4, 5e-5, 5e-4]);
        let lifelines = [32., 0.5, 0.110948260351438, 0.803709236850057];
        assert_curve(&km, &[lifelines], LIFELINES);
    }

    /// S is exactly 0.5 on [32, 34): SPEC §4's "first time S ≤ 0.5" gives 32
    /// (R's print.survfit takes the midpoint 33; lifelines 34, its exp-log-sum
    /// S(32) being 0.5 + 1 ulp). The lower band's limit, 9, is R's LCL; the
    /// upper band never reaches 0.5: UCL NA in R, `None` here.
    #[test]
    fn spec_median_g3_control_where_s_is_exactly_one_half() {
        assert_eq!(fit(&G3_CONTROL).median(), median(Some(32.), Some(9.), None));
        // A curve that stays at 0.5 to its end: the first time it gets there.
        assert_eq!(fit(&[(3., 1, 0), (10., 0, 1)]).median().value, Some(3.));
    }

    /// lifelines docs, "Survival analysis with lifelines": dd data (1808 subjects),
    /// `median_survival_time_` prints 4.0; the rest from reference.py.
    #[test]
    fn lifelines_docs_dd_median() {
        #[rustfmt::skip]
        let dd: Vec<(f64, u64, u64)> = [(1, 503, 52), (2, 208, 40), (3, 152, 43), (4, 146, 32),
            (5, 128, 26), (6, 76, 17), (7, 33, 13), (8, 46, 16), (9, 21, 6), (10, 29, 14), (11, 23, 6),
            (12, 12, 4), (13, 12, 4), (14, 15, 7), (15, 7, 8), (16, 4, 2), (17, 5, 6), (18, 7, 4),
            (19, 5, 5), (20, 2, 3), (21, 4, 1), (22, 5, 2), (23, 3, 2), (24, 2, 1), (25, 1, 3), (26, 2, 2),
            (27, 2, 2), (28, 1, 2), (29, 2, 2), (30, 2, 3), (31, 1, 0), (32, 3, 0), (33, 2, 1), (34, 0, 1),
            (35, 3, 0), (36, 0, 1), (38, 0, 2), (39, 0, 2), (40, 0, 1), (42, 0, 1), (44, 0, 1), (46, 0, 1),
            (47, 1, 1)].iter().map(|&(t, d, c)| (f64::from(t), d, c)).collect();
        let km = fit(&dd);
        assert_eq!(km.entered(), 1808);
        assert_eq!(km.median(), median(Some(4.), Some(3.), Some(4.)));
        let lifelines = [4., 0.41883535537448, 0.395232593281831, 0.442241901610916];
        assert_curve(&km, &[lifelines], LIFELINES);
    }

    /// NOTES.md, hand-worked: 7 subjects, a day-0 event, a tie (2 events + 1 censored at 2).
    #[test]
    fn hand_worked_notes_example() {
        let km = fit(&HAND);
        #[rustfmt::skip]
        let exact = [(7, 6. / 7., 1. / 42.), (6, 4. / 7., 3. / 28.), (3, 4. / 7., 3. / 28.),
            (2, 2. / 7., 17. / 28.), (1, 2. / 7., 17. / 28.)];
        for (s, (n, surv, v)) in km.steps().iter().zip(exact) {
            assert_eq!(s.at_risk, n);
            assert!((s.survival - surv).abs() < 1e-15 && (s.greenwood.unwrap() - v).abs() < 1e-15);
        }
        #[rustfmt::skip]
        let rows = [[0., 6. / 7., 0.334053879292222, 0.978561058526176],
            [4., 4. / 7., 0.171866015528775, 0.837082780349180],
            [7., 2. / 7., 0.014416943873052, 0.690595012365542]];
        assert_curve(&km, &rows, [1e-15, 1e-9, 1e-9]);
        assert_eq!(km.survival_at(-1.), Some(Estimate::CERTAIN));
        assert_eq!(km.survival_at(7.5), None); // beyond follow-up while S > 0
        let p = km.event_probability_by(5.).unwrap(); // p_by = 1 - S, bounds swapped
        let want = [5. / 7., 1. - 0.690595012365542, 1. - 0.014416943873052];
        for (g, w) in [p.value, p.lo.unwrap(), p.hi.unwrap()].iter().zip(want) {
            assert!((g - w).abs() < 1e-9);
        }
        assert_eq!(km.median(), median(Some(5.), Some(0.), None));
    }

    #[test]
    fn edge_cases_never_nan_never_panic() {
        assert_eq!(KaplanMeier::from_counts(&[]), None);
        assert_eq!(KaplanMeier::from_counts(&[(1., 0, 0)]), None);
        assert_eq!(KaplanMeier::from_counts(&[(f64::NAN, 1, 0)]), None);
        assert_eq!(KaplanMeier::from_counts(&[(1., u64::MAX, 1)]), None);
        let censored = fit(&[(2., 0, 3)]); // no event: S = 1, bounds (1, 1), no median
        assert_eq!(censored.survival_at(2.), Some(Estimate::CERTAIN));
        assert_eq!(censored.median(), median(None, None, None));
        let all_at_once = fit(&[(0., 4, 0)]); // all at day 0: S = 0, bounds undefined
        assert_eq!(all_at_once.survival_at(30.), est(0., None, None));
        assert_eq!(all_at_once.median(), median(Some(0.), None, None));
        assert_eq!(all_at_once.survival_at(f64::NAN), None);
        let big = fit(&[(1., 1, 0), (2., 1, u64::MAX / 2)]); // huge n: S rounds to 1
        let finite = |b: Option<f64>| b.is_some_and(f64::is_finite);
        assert!(big.steps().iter().all(|s| finite(s.lo) && finite(s.hi)));
    }

    /// The one-pass summary equals the fitted curve's median and estimates,
    /// on the published fixtures and on 300 random curves (ties, zero
    /// counts, all-events curves, times beyond follow-up; asked times out of
    /// order, repeated, between steps and NaN).
    #[test]
    fn summary_equals_the_fitted_curve() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % m
        };
        let mut cases: Vec<Vec<(f64, u64, u64)>> = vec![
            AML_MAINTAINED.to_vec(),
            AML_NONMAINTAINED.to_vec(),
            G3_CONTROL.to_vec(),
            HAND.to_vec(),
        ];
        for _ in 0..300 {
            let n = 1 + next(40) as usize;
            cases.push(
                (0..n)
                    .map(|_| (next(30) as f64 / 2.0, next(4), next(3)))
                    .collect(),
            );
        }
        // Asked times in any order, repeated, and not a number.
        let times = [100.0, 0.0, 7.0, 1.5, f64::NAN, 14.0, 7.0, 20.0, 7.25];
        for counts in cases {
            let km = KaplanMeier::from_counts(&counts);
            let mut sorted = counts.clone();
            let sum = KaplanMeier::summarize(&mut sorted, &times);
            match (km, sum) {
                (None, None) => {}
                (Some(km), Some(sum)) => {
                    assert_eq!(sum.entered, km.entered(), "{counts:?}");
                    assert_eq!(sum.events, km.events(), "{counts:?}");
                    assert_eq!(sum.median, km.median(), "{counts:?}");
                    let want: Vec<Option<Estimate>> =
                        times.iter().map(|&t| km.survival_at(t)).collect();
                    assert_eq!(sum.survival_at, want, "{counts:?}");
                }
                (a, b) => panic!("{counts:?}: {a:?} vs {b:?}"),
            }
        }
    }
}
