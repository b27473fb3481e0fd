//! First-order Markov attribution with removal effects in closed form.
//!
//! Each cohort lead with touches is a path `(start) → s1 → … → sk →
//! (conversion | null)`: its touches' sources in time order, up to its first
//! won deal's creation when it has one (a converting path), all of them
//! otherwise. Transition counts come from one polars aggregation; the rest is
//! a small linear system over the states (start and the sources).
//!
//! With Q the transitions among transient states and r the probabilities of
//! going straight to conversion, the conversion probability from each state
//! solves (I − Q) x = r (absorbing-chain algebra). Removing a source s sends
//! every transition into s to null: the chain converts without s, which in
//! closed form is x_start − N[start][s] x_s / N[s][s] with N = (I − Q)⁻¹
//! (see `removal`). Removal effect RE(s) = 1 − x_start(without s) /
//! x_start. Each won deal's credit is split over the distinct sources on its
//! eligible path in proportion to their removal effects (equally if they
//! are all zero). Exact and deterministic: no simulation.
//!
//! Decisions where the spec is silent: leads without touches have no path
//! and add no transitions; repeated sources are kept (self-loops), as the
//! ChannelAttribution package does by default.

use polars::prelude::*;

use super::{DEAL, GROUP};
use crate::error::{Error, Result};
use crate::input::schema::{AT, LEAD_ROW};

/// The chain's own states, as tests and notes name them. In [`transitions`]'
/// table they are never text (a source may be called anything, "(start)"
/// too): `from` is null for the start, `to` null for the end of a path,
/// with `converts` telling conversion from null.
pub const START: &str = "(start)";
pub const CONVERSION: &str = "(conversion)";
pub const NULL_STATE: &str = "(null)";

/// Removal effects per source (group), and the chain's conversion probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    pub groups: Vec<String>,
    pub effect: Vec<f64>,
    /// Transitions out of each group: how often it appears on a path.
    pub transitions: Vec<u64>,
    pub conversion: f64,
}

impl Removal {
    /// `source, transitions, removal_effect, share` (the effect over the sum
    /// of effects; null when every effect is 0), largest effect first: what
    /// ChannelAttribution and DP6's `markov_model` report, to compare with.
    pub fn table(&self, by: &str) -> Result<DataFrame> {
        let total: f64 = self.effect.iter().sum();
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by(|&a, &b| {
            self.effect[b]
                .total_cmp(&self.effect[a])
                .then_with(|| self.groups[a].cmp(&self.groups[b]))
        });
        let share: Vec<Option<f64>> = order
            .iter()
            .map(|&i| (total > 0.0).then(|| self.effect[i] / total))
            .collect();
        Ok(df!(
            by => order.iter().map(|&i| self.groups[i].clone()).collect::<Vec<_>>(),
            "transitions" => order.iter().map(|&i| self.transitions[i]).collect::<Vec<_>>(),
            "removal_effect" => order.iter().map(|&i| self.effect[i]).collect::<Vec<_>>(),
            "share" => share,
        )?)
    }
}

/// Transition counts summed over pieces of the leads ([`transitions`] of
/// each): a lead's path is in one piece, so the sum is the count over all.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    n: std::collections::BTreeMap<(Option<String>, Option<String>, bool), u64>,
}

impl Counts {
    /// Adds a [`transitions`] frame.
    pub fn add(&mut self, counts: &DataFrame) -> Result<()> {
        let from = counts.column("from")?.str()?;
        let to = counts.column("to")?.str()?;
        let converts = counts.column("converts")?.bool()?;
        let n = counts.column("n")?.u64()?;
        for (((f, t), c), n) in from
            .iter()
            .zip(to.iter())
            .zip(converts.iter())
            .zip(n.iter())
        {
            let key = (
                f.map(str::to_string),
                t.map(str::to_string),
                c.unwrap_or(false),
            );
            *self.n.entry(key).or_insert(0) += n.unwrap_or(0);
        }
        Ok(())
    }

    /// The sums as [`transitions`] gives them (sorted by from, to, converts).
    pub fn frame(&self) -> Result<DataFrame> {
        let keys = self.n.keys();
        Ok(df!(
            "from" => keys.clone().map(|k| k.0.clone()).collect::<Vec<_>>(),
            "to" => keys.clone().map(|k| k.1.clone()).collect::<Vec<_>>(),
            "converts" => keys.map(|k| k.2).collect::<Vec<_>>(),
            "n" => self.n.values().copied().collect::<Vec<u64>>(),
        )?)
    }
}

/// Transition counts `from, to, converts, n` (sorted; `from` null for the
/// start, `to` null where a path ends, `converts` true when it ends in a
/// conversion) over the
/// paths of `touches` ([`LEAD_ROW`], `at`, `__group`, collected in file
/// order): of the leads in `cohort` (its [`LEAD_ROW`]s; every lead when
/// `None`), each lead's touches up to its `cutoffs` time (`__cutoff`, its
/// first won deal's creation, by [`LEAD_ROW`]), a lead with a cutoff
/// converting.
///
/// Each lead's path is its touches by time (a null time first; ties in
/// file order): touches are bucketed by lead in one counting pass, each
/// lead's few sorted, then walked. At 10M leads (41M touches) polars' sort
/// of every touch by lead and time, and the joins to the cohort and the
/// cutoffs, took most of roi's Markov step. The leads are walked in as
/// many parts as rayon has threads, side by side, each part's counts kept
/// by state name and summed (counts are whole numbers: the sum is the
/// same in any order); at 10M leads a piece of 2M leads went from 0.45 to
/// 0.31 s on two cores.
pub fn transitions(
    touches: &DataFrame,
    cohort: Option<&DataFrame>,
    cutoffs: &DataFrame,
) -> Result<DataFrame> {
    let rows_of = |df: &DataFrame| -> Result<IdxCa> {
        Ok(df.column(LEAD_ROW)?.cast(&IDX_DTYPE)?.idx()?.clone())
    };
    let lead = rows_of(touches)?;
    let at = touches.column(AT)?.cast(&DataType::Int64)?;
    let at = at.i64()?;
    // Leads are slots from the touches' first lead row on: roi passes a
    // piece of the leads at a time, whose slots would otherwise run from
    // row 0 (at 100M leads the last piece's cutoffs alone took 1.6 GB).
    let first = lead.min().unwrap_or(0);
    let leads = lead.max().map_or(0, |l| (l - first) as usize + 1);
    let slot = |l: IdxSize| l.checked_sub(first).map(|l| l as usize);
    // Per lead: in the cohort, and its cutoff.
    let in_cohort: Vec<bool> = match cohort {
        None => vec![true; leads],
        Some(c) => {
            let mut keep = vec![false; leads];
            for l in rows_of(c)?.iter().flatten() {
                if let Some(k) = slot(l).and_then(|l| keep.get_mut(l)) {
                    *k = true;
                }
            }
            keep
        }
    };
    let mut cutoff: Vec<Option<i64>> = vec![None; leads];
    let cut_at = cutoffs.column("__cutoff")?.cast(&DataType::Int64)?;
    for (l, t) in rows_of(cutoffs)?.iter().zip(cut_at.i64()?.iter()) {
        let l = l.and_then(slot);
        if let (Some(slot), Some(t)) = (l.and_then(|l| cutoff.get_mut(l)), t) {
            *slot = Some(t);
        }
    }
    // The lead whose path a touch is on: the lead is in the cohort and the
    // touch at or before its cutoff (a touch without a time only on a path
    // without a cutoff).
    let on_path = |l: Option<IdxSize>, t: Option<i64>| -> Option<usize> {
        let l = slot(l?)?;
        let kept = in_cohort[l]
            && match cutoff[l] {
                None => true,
                Some(c) => t.is_some_and(|t| t <= c),
            };
        kept.then_some(l)
    };
    let group = touches.column(GROUP)?.str()?;
    // The leads in parts walked side by side (each part reads every touch
    // and keeps its own leads' paths), their counts summed by state name.
    let parts = rayon::current_num_threads().clamp(1, 8).min(leads.max(1));
    let bounds: Vec<(usize, usize)> = (0..parts)
        .map(|p| (leads * p / parts, leads * (p + 1) / parts))
        .collect();
    use rayon::prelude::*;
    let walked: Vec<Result<Walked>> = bounds
        .par_iter()
        .map(|&(lo, hi)| {
            walk(
                || lead.iter().zip(at.iter()).zip(group.iter()),
                |l, t| {
                    on_path(l, t)
                        .filter(|l| (lo..hi).contains(l))
                        .map(|l| l - lo)
                },
                &cutoff[lo..hi],
            )
        })
        .collect();
    let mut sums: std::collections::BTreeMap<(Option<String>, Option<String>, bool), u64> =
        Default::default();
    for part in walked {
        for (key, n) in part? {
            *sums.entry(key).or_insert(0) += n;
        }
    }
    let rows: Vec<(Option<&str>, Option<&str>, bool, u64)> = sums
        .iter()
        .map(|((f, t, c), n)| (f.as_deref(), t.as_deref(), *c, *n))
        .collect();
    Ok(df!(
        "from" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "to" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "converts" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "n" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )?)
}

/// Transition counts by state name: `(from, to, converts)` (`from` null
/// for the start, `to` null where a path ends) → n.
type Walked = Vec<((Option<String>, Option<String>, bool), u64)>;

/// One part's [`Walked`] counts. `rows` gives every touch's (lead row,
/// time, group) in file order; `part_slot` gives the part's slot
/// (0..`cutoff.len()`) of a touch on a path of one of its leads; `cutoff`
/// is each of those leads' cutoff.
fn walk<'a, I>(
    rows: impl Fn() -> I,
    part_slot: impl Fn(Option<IdxSize>, Option<i64>) -> Option<usize>,
    cutoff: &[Option<i64>],
) -> Result<Walked>
where
    I: Iterator<Item = ((Option<IdxSize>, Option<i64>), Option<&'a str>)>,
{
    let leads = cutoff.len();
    // States: 0 start, 1 conversion, 2 null, 3.. the groups as first met.
    let mut names: Vec<String> = vec![START.into(), CONVERSION.into(), NULL_STATE.into()];
    let mut code_of: PlHashMap<&str, u32> = PlHashMap::new();
    // Touches bucketed by lead (a counting sort; file order within a lead)
    // as (time, state), a null time as i64::MIN so it sorts first.
    let mut start = vec![0usize; leads + 1];
    for ((l, t), _) in rows() {
        if let Some(l) = part_slot(l, t) {
            start[l + 1] += 1;
        }
    }
    for i in 0..leads {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut path: Vec<(i64, u32)> = vec![(0, 0); start[leads]];
    for ((l, t), g) in rows() {
        let Some(l) = part_slot(l, t) else { continue };
        let g = g.ok_or_else(|| Error::Internal("markov: a touch without a group".into()))?;
        let fresh = names.len() as u32;
        let code = *code_of.entry(g).or_insert(fresh);
        if code == fresh {
            names.push(g.to_string());
        }
        path[next[l]] = (t.unwrap_or(i64::MIN), code);
        next[l] += 1;
    }
    drop(next);
    let states = names.len();
    let mut counts: PlHashMap<(u32, u32), u64> = PlHashMap::new();
    let mut dense = (states * states <= 1 << 24).then(|| vec![0u64; states * states]);
    let mut add = |from: u32, to: u32| match dense.as_mut() {
        Some(d) => d[from as usize * states + to as usize] += 1,
        None => *counts.entry((from, to)).or_insert(0) += 1,
    };
    for l in 0..leads {
        let steps = &mut path[start[l]..start[l + 1]];
        if steps.is_empty() {
            continue;
        }
        // Stable: equal times keep file order.
        steps.sort_by_key(|&(t, _)| t);
        let mut previous = 0u32;
        for &(_, g) in steps.iter() {
            add(previous, g);
            previous = g;
        }
        add(previous, if cutoff[l].is_some() { 1 } else { 2 });
    }
    // Codes 0-2 are the chain's states, never a source's name.
    let name = |code: u32| (code > 2).then(|| names[code as usize].clone());
    let row = |f: u32, t: u32, n: u64| ((name(f), name(t), t == 1), n);
    Ok(match dense {
        Some(d) => d
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(k, &n)| row((k / states) as u32, (k % states) as u32, n))
            .collect(),
        None => counts.iter().map(|(&(f, t), &n)| row(f, t, n)).collect(),
    })
}

/// Removal effects from collected [`transitions`].
pub fn removal(counts: &DataFrame) -> Result<Removal> {
    let from = counts.column("from")?.str()?.clone();
    let to = counts.column("to")?.str()?.clone();
    let converts = counts.column("converts")?.bool()?.clone();
    let n = counts.column("n")?.u64()?.clone();
    let mut groups: Vec<String> = Vec::new();
    for s in from.iter().chain(to.iter()).flatten() {
        if !groups.iter().any(|g| g == s) {
            groups.push(s.to_string());
        }
    }
    groups.sort();
    // State 0 is start; state k + 1 is groups[k].
    let k = groups.len() + 1;
    let index = |s: &str| -> Option<usize> { groups.iter().position(|g| g == s).map(|p| p + 1) };
    let mut count = vec![vec![0.0f64; k]; k];
    let mut to_conv = vec![0.0f64; k];
    let mut out = vec![0.0f64; k];
    for i in 0..counts.height() {
        let Some(c) = n.get(i) else {
            return Err(Error::Internal(
                "markov: a transition without a count".into(),
            ));
        };
        let state = |s: Option<&str>| -> Result<usize> {
            match s {
                None => Ok(0),
                Some(s) => index(s).ok_or_else(|| Error::Internal(format!("markov: state {s}"))),
            }
        };
        let fi = state(from.get(i))?;
        let c = c as f64;
        out[fi] += c;
        match (to.get(i), converts.get(i) == Some(true)) {
            (None, true) => to_conv[fi] += c,
            (None, false) => {}
            (t, _) => count[fi][state(t)?] += c,
        }
    }
    let p = |i: usize, j: usize| {
        if out[i] > 0.0 {
            count[i][j] / out[i]
        } else {
            0.0
        }
    };
    let r = |i: usize| {
        if out[i] > 0.0 {
            to_conv[i] / out[i]
        } else {
            0.0
        }
    };
    // With A = I − Q over the transient states (start and the sources), N =
    // A⁻¹ (the fundamental matrix: N[i][j] is the expected visits to j
    // from i) and x = N r, x[0] is the chain's conversion probability.
    // Removing s: a path converts without s, or reaches s first (with
    // probability N[0][s] / N[s][s]) and converts from there (x[s]), so
    // P(conv without s) = x[0] − N[0][s] x[s] / N[s][s] and RE(s) =
    // N[0][s] x[s] / (N[s][s] x[0]). One inverse for every source, O(k³);
    // a solve per removal was O(k⁴) (a breaker timed 436 s at 1,500
    // campaigns). N[s][s] ≥ 1, so the division is safe.
    let a = nalgebra::DMatrix::from_fn(k, k, |i, j| f64::from(u8::from(i == j)) - p(i, j));
    let rv = nalgebra::DVector::from_fn(k, |i, _| r(i));
    let (conversion, effect) = match a.try_inverse() {
        Some(n) => {
            let x = &n * &rv;
            let conversion = x[0];
            let effect = (1..k)
                .map(|s| match conversion > 0.0 {
                    true => (n[(0, s)] * x[s] / (n[(s, s)] * conversion)).clamp(0.0, 1.0),
                    false => 0.0,
                })
                .collect();
            (conversion, effect)
        }
        // Not invertible (numerically): no conversion to share.
        None => (0.0, vec![0.0; k - 1]),
    };
    Ok(Removal {
        transitions: (1..k).map(|s| out[s] as u64).collect(),
        groups,
        effect,
        conversion,
    })
}

/// Solves the augmented system `a` (m rows, m + 1 columns) by Gaussian
/// elimination with partial pivoting; `None` if singular. The tests'
/// reference: a solve per removal.
#[cfg(test)]
fn gauss(a: &mut [Vec<f64>]) -> Option<Vec<f64>> {
    let m = a.len();
    for c in 0..m {
        let pivot = (c..m).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[pivot][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, pivot);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            let f = row[c] / pivot_row[c];
            if r != c && f != 0.0 {
                for (x, p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..m).map(|i| a[i][m] / a[i][i]).collect())
}

/// Adds `credit` to `pairs` (`__deal, __group`, one row per distinct source
/// of a deal's eligible path): each pair's share of its deal in proportion
/// to the sources' removal effects (equal shares when every effect is 0).
pub fn credit(pairs: LazyFrame, removal: &Removal, credit: &str) -> Result<LazyFrame> {
    let re = col(GROUP).replace_strict(
        lit(Series::new("g".into(), removal.groups.clone())),
        lit(Series::new("e".into(), removal.effect.clone())),
        Some(lit(0.0)),
        Some(DataType::Float64),
    );
    let total = col("__re").sum().over([col(DEAL)])?;
    let count = len().cast(DataType::Float64).over([col(DEAL)])?;
    Ok(pairs.with_column(re.alias("__re")).with_column(
        when(total.clone().gt(lit(0.0)))
            .then(col("__re") / total)
            .otherwise(lit(1.0) / count)
            .alias(credit),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A [`transitions`] table from rows named as the literature writes
    /// them ([`START`], [`CONVERSION`], [`NULL_STATE`]).
    fn counts(rows: &[(&str, &str, u64)]) -> DataFrame {
        fn source(s: &str) -> Option<&str> {
            (![START, CONVERSION, NULL_STATE].contains(&s)).then_some(s)
        }
        df!(
            "from" => rows.iter().map(|r| source(r.0)).collect::<Vec<_>>(),
            "to" => rows.iter().map(|r| source(r.1)).collect::<Vec<_>>(),
            "converts" => rows.iter().map(|r| r.1 == CONVERSION).collect::<Vec<_>>(),
            "n" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    /// Three channels worked by hand (tests/fixtures/roi/NOTES.md, "Markov"):
    /// paths C1 → C2 → conv, C1 → null, C2 → C3 → null.
    #[test]
    fn three_paths_by_hand() {
        let c = counts(&[
            (START, "C1", 2),
            (START, "C2", 1),
            ("C1", "C2", 1),
            ("C1", NULL_STATE, 1),
            ("C2", CONVERSION, 1),
            ("C2", "C3", 1),
            ("C3", NULL_STATE, 1),
        ]);
        let r = removal(&c).unwrap();
        assert_eq!(r.groups, ["C1", "C2", "C3"]);
        // x_C3 = 0; x_C2 = 1/2; x_C1 = 1/2 · x_C2 = 1/4;
        // x_start = 2/3 · 1/4 + 1/3 · 1/2 = 1/3.
        assert!((r.conversion - 1.0 / 3.0).abs() < 1e-12);
        // Without C1: x_start = 1/3 · 1/2 = 1/6 → RE 0.5.
        // Without C2: nothing converts → RE 1. Without C3: unchanged → RE 0.
        let want = [0.5, 1.0, 0.0];
        for (got, w) in r.effect.iter().zip(want) {
            assert!((got - w).abs() < 1e-12, "{:?}", r.effect);
        }
    }

    /// S. Puzyrov, "Markov Chain Attribution – Simple Explanation Of Removal
    /// Effect" (serhiipuzyrov.com, 2019): paths start > google ads > conv (×2),
    /// start > mailing > conv, start > google ads > mailing > conv, start >
    /// google ads > null. Its published transition table: start→ads 0.8,
    /// start→mailing 0.2, ads→conv 0.5, ads→mailing 0.25, ads→null 0.25,
    /// mailing→conv 1. From it: x_mailing = 1, x_ads = 0.5 + 0.25 = 0.75,
    /// x_start = 0.8 · 0.75 + 0.2 = 0.8; without ads 0.2 (RE 0.75), without
    /// mailing 0.8 · 0.5 = 0.4 (RE 0.5): credit 0.6 / 0.4 of each conversion.
    #[test]
    fn puzyrov_2019_worked_example() {
        let c = counts(&[
            (START, "google ads", 4),
            (START, "mailing", 1),
            ("google ads", CONVERSION, 2),
            ("google ads", "mailing", 1),
            ("google ads", NULL_STATE, 1),
            ("mailing", CONVERSION, 2),
        ]);
        let r = removal(&c).unwrap();
        assert_eq!(r.groups, ["google ads", "mailing"]);
        assert!((r.conversion - 0.8).abs() < 1e-12);
        assert!((r.effect[0] - 0.75).abs() < 1e-12, "{:?}", r.effect);
        assert!((r.effect[1] - 0.5).abs() < 1e-12, "{:?}", r.effect);
    }

    #[test]
    fn no_conversions_means_no_effects() {
        let r = removal(&counts(&[(START, "A", 3), ("A", NULL_STATE, 3)])).unwrap();
        assert_eq!(r.conversion, 0.0);
        assert_eq!(r.effect, [0.0]);
    }

    #[test]
    fn gauss_solves_a_small_system() {
        // 2x + y = 5; x − y = 1 → x = 2, y = 1.
        let mut a = vec![vec![2.0, 1.0, 5.0], vec![1.0, -1.0, 1.0]];
        let x = gauss(&mut a).unwrap();
        assert!((x[0] - 2.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12);
        assert_eq!(gauss(&mut [vec![0.0, 1.0]]), None);
    }

    /// Worked by hand: lead 0 is cut at its first won deal (time 4) and its
    /// tie at time 3 keeps file order (b, then c); lead 1 is outside the
    /// cohort; lead 2 has no deal and a touch without a time (first on its
    /// path); lead 3's touches are after its cutoff or without a time.
    /// Four leads' touches (lead 1 outside the cohort; leads 0 and 3
    /// convert, cut at times 4 and 0), as `paths_are_cut_ordered_and_counted_by_hand`
    /// works them out.
    fn four_paths() -> (DataFrame, DataFrame, DataFrame) {
        let touches = df!(
            LEAD_ROW => [0u32, 0, 0, 1, 2, 2, 3, 3],
            AT => [Some(5i64), Some(3), Some(3), Some(1), None, Some(2), Some(1), None],
            GROUP => ["a", "b", "c", "a", "b", "a", "a", "c"],
        )
        .unwrap();
        let cohort = df!(LEAD_ROW => [0u32, 2, 3]).unwrap();
        let cutoffs = df!(LEAD_ROW => [0u32, 3], "__cutoff" => [4i64, 0]).unwrap();
        (touches, cohort, cutoffs)
    }

    #[test]
    fn paths_are_cut_ordered_and_counted_by_hand() {
        let (touches, cohort, cutoffs) = four_paths();
        let got = transitions(&touches, Some(&cohort), &cutoffs).unwrap();
        let text = |c: &str| -> Vec<Option<String>> {
            let c = got.column(c).unwrap().str().unwrap().clone();
            c.iter().map(|s| s.map(str::to_string)).collect()
        };
        let some = |v: &[Option<&str>]| -> Vec<Option<String>> {
            v.iter().map(|s| s.map(str::to_string)).collect()
        };
        // From the start to b twice; a to the end (null); b to a; b to c;
        // c to conversion.
        assert_eq!(
            text("from"),
            some(&[None, Some("a"), Some("b"), Some("b"), Some("c")])
        );
        assert_eq!(
            text("to"),
            some(&[Some("b"), None, Some("a"), Some("c"), None])
        );
        let converts: Vec<bool> = got
            .column("converts")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(converts, [false, false, false, false, true]);
        let n: Vec<u64> = got
            .column("n")
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(n, [2, 1, 1, 1, 1]);
    }

    /// Counted a piece of the leads at a time (as roi does) and summed, the
    /// counts are the whole table's: pieces of 1, 2 and 3 leads of the
    /// paths above, with lead rows re-based as `funnel::of_leads` does.
    #[test]
    fn counts_summed_over_pieces_of_the_leads_are_the_whole() {
        let (touches, cohort, cutoffs) = four_paths();
        let whole = transitions(&touches, Some(&cohort), &cutoffs).unwrap();
        for size in [1u32, 2, 3] {
            let mut total = Counts::default();
            let mut start = 0u32;
            while start < 4 {
                let rows = (start, (start + size).min(4));
                let piece = |df: &DataFrame| {
                    crate::funnel::of_leads(df.clone().lazy(), rows)
                        .collect()
                        .unwrap()
                };
                let counts =
                    transitions(&piece(&touches), Some(&piece(&cohort)), &piece(&cutoffs)).unwrap();
                total.add(&counts).unwrap();
                start = rows.1;
            }
            assert!(
                total.frame().unwrap().equals_missing(&whole),
                "pieces of {size}"
            );
        }
    }

    /// The counts do not depend on how many parts the leads are walked in:
    /// the hand-worked paths above under 1 to 5 threads (1 to 4 parts, as
    /// many as there are leads at most).
    #[test]
    fn counts_are_the_same_in_any_number_of_parts() {
        let (touches, cohort, cutoffs) = four_paths();
        let in_threads = |n: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
                .install(|| transitions(&touches, Some(&cohort), &cutoffs).unwrap())
        };
        let one = in_threads(1);
        for n in 2..=5 {
            assert!(in_threads(n).equals_missing(&one), "{n} threads");
        }
    }

    /// A source may be called what the chain's states are called (a user
    /// trial named one "(null)", which stopped roi): it is a channel like
    /// any other. Paths X → ads → conversion and ads → null: P(conv) = 1/2.
    /// Without X: start → ads, then conversion half the time, so 1/4 and an
    /// effect of 1/2; without ads nothing converts, an effect of 1.
    #[test]
    fn a_source_named_like_a_state_is_a_channel() {
        for name in [NULL_STATE, START, CONVERSION] {
            let touches = df!(
                LEAD_ROW => [0u32, 0, 1],
                AT => [1i64, 2, 1],
                GROUP => [name, "ads", "ads"],
            )
            .unwrap();
            let cutoffs = df!(LEAD_ROW => [0u32], "__cutoff" => [5i64]).unwrap();
            let r = removal(&transitions(&touches, None, &cutoffs).unwrap()).unwrap();
            assert!((r.conversion - 0.5).abs() < 1e-12, "{name}");
            let effect = |g: &str| r.effect[r.groups.iter().position(|x| x == g).unwrap()];
            assert!((effect(name) - 0.5).abs() < 1e-12, "{name}");
            assert!((effect("ads") - 1.0).abs() < 1e-12, "{name}");
        }
    }

    /// The closed form (one inverse) equals a solve of the chain without
    /// each source (the textbook definition), on 200 random chains of up to
    /// 12 sources with self-loops and sources that never convert.
    #[test]
    fn closed_form_removal_equals_a_solve_per_removal() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..200 {
            let g = 1 + next(12) as usize;
            let names: Vec<String> = (0..g).map(|i| format!("s{i:02}")).collect();
            let state = |i: usize| {
                if i == 0 {
                    START.to_string()
                } else {
                    names[i - 1].clone()
                }
            };
            let mut rows: Vec<(String, String, u64)> = Vec::new();
            for i in 0..=g {
                for j in 1..=g {
                    if next(3) == 0 {
                        rows.push((state(i), state(j), 1 + next(9)));
                    }
                }
                if i > 0 {
                    rows.push((state(i), NULL_STATE.into(), 1 + next(9)));
                    if next(2) == 0 {
                        rows.push((state(i), CONVERSION.into(), 1 + next(9)));
                    }
                }
            }
            let borrowed: Vec<(&str, &str, u64)> = rows
                .iter()
                .map(|(f, t, n)| (f.as_str(), t.as_str(), *n))
                .collect();
            let got = removal(&counts(&borrowed)).unwrap();
            // The reference: p and r from the counts, one solve per removal.
            let k = g + 1;
            let index = |s: &str| {
                if s == START {
                    0
                } else {
                    1 + names.iter().position(|n| n == s).unwrap()
                }
            };
            let (mut c, mut conv, mut out) = (vec![vec![0.0; k]; k], vec![0.0; k], vec![0.0; k]);
            for (f, t, n) in &borrowed {
                let fi = index(f);
                out[fi] += *n as f64;
                match *t {
                    CONVERSION => conv[fi] += *n as f64,
                    NULL_STATE => {}
                    t => c[fi][index(t)] += *n as f64,
                }
            }
            let solve = |keep: &[usize]| -> f64 {
                let m = keep.len();
                let mut a = vec![vec![0.0f64; m + 1]; m];
                for (row, &i) in keep.iter().enumerate() {
                    for (col, &j) in keep.iter().enumerate() {
                        let pij = if out[i] > 0.0 { c[i][j] / out[i] } else { 0.0 };
                        a[row][col] = f64::from(u8::from(i == j)) - pij;
                    }
                    a[row][m] = if out[i] > 0.0 { conv[i] / out[i] } else { 0.0 };
                }
                gauss(&mut a)
                    .and_then(|x| x.first().copied())
                    .unwrap_or(0.0)
            };
            let all: Vec<usize> = (0..k).collect();
            let x0 = solve(&all);
            assert!((got.conversion - x0).abs() < 1e-10, "{borrowed:?}");
            for s in 1..k {
                let keep: Vec<usize> = all.iter().copied().filter(|&i| i != s).collect();
                let want = if x0 > 0.0 {
                    (1.0 - solve(&keep) / x0).max(0.0)
                } else {
                    0.0
                };
                let at = got.groups.iter().position(|n| *n == names[s - 1]);
                let have = at.map_or(0.0, |p| got.effect[p]);
                assert!(
                    (have - want).abs() < 1e-9,
                    "{s}: {have} vs {want} in {borrowed:?}"
                );
            }
        }
    }
}
