//! The Kaplan–Meier table of `velocity`: each lead's time (or censoring)
//! per transition as one long lazy frame, sorted per transition (overall)
//! or counted per distinct time by polars (`--by` groups), and the curves
//! fitted from those counts (`stats::kaplan_meier`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use polars::prelude::*;

use super::TransitionSummary;
use crate::analysis::ALL_LABEL;
use crate::config::Zone;
use crate::error::Result;
use crate::input::schema::CREATED_AT;
use crate::input::time::{in_zone, micros, DAY_US};
use crate::stats::{Estimate, KaplanMeier};

/// A transition: its name, the lead_funnel times it runs between, and the
/// reach flag of its to-stage.
pub struct Transition {
    pub name: &'static str,
    from: &'static str,
    to: &'static str,
    reached: &'static str,
}

/// SPEC §4's transitions, in its order.
pub const TRANSITIONS: [Transition; 4] = [
    Transition {
        name: "lead_to_mql",
        from: CREATED_AT,
        to: "mql_at",
        reached: "reached_mql",
    },
    Transition {
        name: "mql_to_sql",
        from: "mql_at",
        to: "sql_at",
        reached: "reached_sql",
    },
    Transition {
        name: "sql_to_won",
        from: "sql_at",
        to: "won_at",
        reached: "reached_won",
    },
    Transition {
        name: "lead_to_won",
        from: CREATED_AT,
        to: "won_at",
        reached: "reached_won",
    },
];

/// The days at which `p_by_<X>d` is read.
const HORIZONS: [f64; 3] = [30.0, 60.0, 90.0];

pub const COLUMNS: [&str; 17] = [
    "group",
    "transition",
    "entered",
    "reached",
    "censored",
    "median_days",
    "median_days_lo",
    "median_days_hi",
    "p_by_30d",
    "p_by_30d_lo",
    "p_by_30d_hi",
    "p_by_60d",
    "p_by_60d_lo",
    "p_by_60d_hi",
    "p_by_90d",
    "p_by_90d_lo",
    "p_by_90d_hi",
];

// What became of a lead in a transition, as a small integer (at 10M leads
// the long frame has 40M rows: text here was most of its weight).
const EVENT: u8 = 0;
const CENSORED: u8 = 1;
const FLAG: u8 = 2;
const BEFORE: u8 = 3;

/// The `--by` label of a lead for one transition: `month` is the month of
/// its from-stage time.
fn group(by: &[String], from: &str, zone: &Zone) -> Expr {
    crate::analysis::group_label(by, in_zone(col(from), zone).dt().to_string("%Y-%m"))
}

/// One row per (lead, transition) the lead entered by `as_of`: `group`,
/// `transition` (its index in [`TRANSITIONS`]), `kind` (event, censored, or
/// left out: flag, before; as `u8` codes) and `days` (to the event, or to
/// as_of when censored).
pub fn durations(funnel: LazyFrame, by: &[String], as_of: i64, zone: &Zone) -> Result<LazyFrame> {
    let as_of_f = lit(as_of as f64);
    let parts: Vec<LazyFrame> = TRANSITIONS
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let (from, to) = (micros(col(t.from)), micros(col(t.to)));
            let timed = col(t.to)
                .is_not_null()
                .and(to.clone().lt_eq(as_of_f.clone()));
            let kind = when(timed.clone().and(to.clone().gt_eq(from.clone())))
                .then(lit(EVENT))
                .when(timed)
                .then(lit(BEFORE))
                .when(col(t.to).is_null().and(col(t.reached)))
                .then(lit(FLAG))
                .otherwise(lit(CENSORED));
            let days = when(kind.clone().eq(lit(EVENT)))
                .then((to - from.clone()) / lit(DAY_US))
                .when(kind.clone().eq(lit(CENSORED)))
                .then((as_of_f.clone() - from.clone()) / lit(DAY_US))
                .otherwise(lit(NULL).cast(DataType::Float64));
            funnel
                .clone()
                .filter(col(t.from).is_not_null().and(from.lt_eq(as_of_f.clone())))
                .select([
                    group(by, t.from, zone).alias("group"),
                    lit(ti as u8).alias("transition"),
                    kind.alias("kind"),
                    days.alias("days"),
                ])
        })
        .collect();
    Ok(concat(parts, UnionArgs::default())?)
}

/// Each transition's timed leads as two plans, its events' `days` sorted
/// and its censorings' `days` sorted: what the overall curves read
/// ([`runs`] merges them). A sort per transition, not a group-by over times
/// that are nearly all distinct (at 10M leads the per-time counts were 40M
/// rows of 41 bytes); and a sort of one float column, not of `days` with
/// an event flag beside it, which polars ran as a stable merge sort of
/// (row, value) pairs and a gather.
pub fn sorted_times(long: LazyFrame) -> Vec<LazyFrame> {
    let mut plans = Vec::with_capacity(2 * TRANSITIONS.len());
    for t in 0..TRANSITIONS.len() {
        for kind in [EVENT, CENSORED] {
            plans.push(
                long.clone()
                    .filter(
                        col("transition")
                            .eq(lit(t as u8))
                            .and(col("kind").eq(lit(kind))),
                    )
                    .select([col("days").sort(SortOptions::default())]),
            );
        }
    }
    plans
}

/// Events and censorings per `group, transition, days`: the curves of
/// each `--by` group.
pub fn counts(long: LazyFrame) -> LazyFrame {
    long.filter(col("kind").lt_eq(lit(CENSORED)))
        .group_by([col("group"), col("transition"), col("days")])
        .agg([
            crate::analysis::count(col("kind").eq(lit(EVENT)))
                .cast(DataType::UInt64)
                .alias("events"),
            crate::analysis::count(col("kind").eq(lit(CENSORED)))
                .cast(DataType::UInt64)
                .alias("censored"),
        ])
}

/// A transition's [`sorted_times`] column as one slice (its values are
/// never null: the days of events and censorings).
fn sorted_days(frame: &DataFrame) -> Result<Cow<'_, [f64]>> {
    let days = frame.column("days")?.f64()?;
    Ok(match days.cont_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(days.iter().flatten().collect()),
    })
}

/// What a curve is summarized from: an overall transition's sorted times
/// (events, censorings), or a `--by` group's counts per distinct time.
enum CurveRows<'a> {
    Sorted(Cow<'a, [f64]>, Cow<'a, [f64]>),
    Counts(Vec<(f64, u64, u64)>),
}

impl CurveRows<'_> {
    fn summarize(self, times: &[f64]) -> Option<crate::stats::kaplan_meier::Summary> {
        match self {
            CurveRows::Sorted(events, censored) => KaplanMeier::summarize_sorted(
                Merged {
                    events: &events,
                    censored: &censored,
                },
                times,
            ),
            CurveRows::Counts(mut rows) => KaplanMeier::summarize(&mut rows, times),
        }
    }
}

/// Events' and censorings' sorted days merged into one time-ordered run of
/// `(days, events, censored)`, one triple per value (equal times follow
/// one another: [`KaplanMeier::summarize_sorted`] sums them).
#[derive(Clone)]
struct Merged<'a> {
    events: &'a [f64],
    censored: &'a [f64],
}

impl Iterator for Merged<'_> {
    type Item = (f64, u64, u64);

    fn next(&mut self) -> Option<(f64, u64, u64)> {
        match (self.events.first(), self.censored.first()) {
            (Some(&e), Some(&c)) if e <= c => {
                self.events = &self.events[1..];
                Some((e, 1, 0))
            }
            (_, Some(&c)) => {
                self.censored = &self.censored[1..];
                Some((c, 0, 1))
            }
            (Some(&e), None) => {
                self.events = &self.events[1..];
                Some((e, 1, 0))
            }
            (None, None) => None,
        }
    }
}

/// How many leads each transition left out, and why: `transition, kind, n`.
pub fn left_out(long: LazyFrame) -> LazyFrame {
    long.filter(col("kind").gt_eq(lit(FLAG)))
        .group_by([col("transition"), col("kind")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort(["transition", "kind"], SortMultipleOptions::default())
}

/// The notes for collected [`left_out`] counts.
pub fn left_out_notes(left_out: &DataFrame) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for i in 0..left_out.height() {
        let Some(r) = crate::analysis::Row::at(left_out, i) else {
            continue;
        };
        let (t, kind, n) = (
            TRANSITIONS
                .get(r.count("transition")? as usize)
                .map_or("", |t| t.name),
            r.count("kind")?,
            r.count("n")?,
        );
        notes.push(match kind as u8 {
            FLAG => format!(
                "{t}: {} leads reached the later stage only by a flag (no time) and are left out",
                crate::output::format::count(n)
            ),
            _ => format!(
                "{t}: {} leads have a later-stage time before the earlier one and are left out",
                crate::output::format::count(n)
            ),
        });
    }
    Ok(notes)
}

/// The velocity table from collected [`counts`], and the overall figures.
/// The days at which the overall curves are drawn (report.html): every day
/// of the first half year.
const CURVE_DAYS: u32 = 180;

/// The overall Kaplan–Meier curves as a table: transition, days, the share
/// that made the transition by then (1 − S) and its 95% bounds, one row per
/// day from 0 to 180 where the curve is known.
pub struct Curves {
    pub transition: Vec<&'static str>,
    pub days: Vec<f64>,
    pub reached_share: Vec<f64>,
    pub lo: Vec<Option<f64>>,
    pub hi: Vec<Option<f64>>,
}

impl Curves {
    fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("transition".into(), self.transition),
            Column::new("days".into(), self.days),
            Column::new("reached_share".into(), self.reached_share),
            Column::new("reached_share_lo".into(), self.lo),
            Column::new("reached_share_hi".into(), self.hi),
        ])
    }
}

/// The velocity table, the overall curves and each overall transition's
/// headline figures, from the [`sorted_times`] frames (overall, two per
/// transition) and
/// the `--by` groups' [`counts`].
pub fn table(
    sorted: &[DataFrame],
    counts: Option<&DataFrame>,
) -> Result<(DataFrame, DataFrame, BTreeMap<String, TransitionSummary>)> {
    let mut curves: Vec<(Key, CurveRows)> = Vec::new();
    for (ti, pair) in sorted.chunks_exact(2).enumerate().take(TRANSITIONS.len()) {
        curves.push((
            (true, ALL_LABEL.to_string(), ti),
            CurveRows::Sorted(sorted_days(&pair[0])?, sorted_days(&pair[1])?),
        ));
    }
    if let Some(counts) = counts {
        curves.extend(
            group_curves(counts)?
                .into_iter()
                .map(|(key, rows)| (key, CurveRows::Counts(rows))),
        );
    }
    curves_table(curves)
}

/// A curve's key: (is the overall `all` curve, group, transition index).
type Key = (bool, String, usize);

/// The curves of the `--by` groups from their per-time `counts`: each
/// (group, transition)'s `(days, events, censored)` rows.
#[allow(clippy::type_complexity)]
fn group_curves(counts: &DataFrame) -> Result<Vec<(Key, Vec<(f64, u64, u64)>)>> {
    // One curve per (group, transition): the rows of each are gathered by
    // index, without a key per row (at 10M leads, 30M distinct times).
    let group = counts.column("group")?.str()?.clone();
    let transition = counts.column("transition")?.cast(&DataType::UInt32)?;
    let transition = transition.u32()?;
    let days = counts.column("days")?.f64()?;
    let events = counts.column("events")?.u64()?;
    let censored = counts.column("censored")?.u64()?;
    let mut curves: Vec<(Key, Vec<(f64, u64, u64)>)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, u32), usize> = Default::default();
    // Iterated together: `ChunkedArray::get(i)` walks the chunks on every
    // call (at 10M leads that walk was a fifth of velocity's time).
    for ((((g, t), d), e), c) in group
        .iter()
        .zip(transition.iter())
        .zip(days.iter())
        .zip(events.iter())
        .zip(censored.iter())
    {
        let (Some(g), Some(t), Some(d)) = (g, t, d) else {
            continue;
        };
        let slot = match index.get(&(g, t)) {
            Some(&k) => k,
            None => {
                let ti = t as usize;
                if ti >= TRANSITIONS.len() {
                    continue;
                }
                index.insert((g, t), curves.len());
                // A group's curve, even one named `all`.
                curves.push(((false, g.to_string(), ti), Vec::new()));
                curves.len() - 1
            }
        };
        curves[slot].1.push((d, e.unwrap_or(0), c.unwrap_or(0)));
    }
    Ok(curves)
}

/// The velocity table and the overall curves from every curve's rows.
#[allow(clippy::type_complexity)]
fn curves_table(
    mut curves: Vec<(Key, CurveRows)>,
) -> Result<(DataFrame, DataFrame, BTreeMap<String, TransitionSummary>)> {
    curves.sort_by(|a, b| a.0.cmp(&b.0));
    let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); COLUMNS.len() - 5];
    let (mut groups, mut names, mut entered, mut reached, mut cens) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut overall = BTreeMap::new();
    let grid: Vec<f64> = (0..=CURVE_DAYS).map(f64::from).collect();
    let mut drawn = Curves {
        transition: Vec::new(),
        days: Vec::new(),
        reached_share: Vec::new(),
        lo: Vec::new(),
        hi: Vec::new(),
    };
    // Where each horizon sits in the grid: an overall curve is summarized
    // once, at every day of the grid, and its horizons read from there.
    let on_grid: Option<Vec<usize>> = HORIZONS
        .iter()
        .map(|h| grid.iter().position(|d| d == h))
        .collect();
    for ((is_all, g, ti), rows) in curves {
        let times: &[f64] = match (is_all, &on_grid) {
            (true, Some(_)) => &grid,
            _ => &HORIZONS,
        };
        // One pass per curve, keeping no steps (KaplanMeier::summarize).
        let Some(mut km) = rows.summarize(times) else {
            continue;
        };
        if let (true, Some(at)) = (is_all, &on_grid) {
            for (d, e) in grid.iter().zip(&km.survival_at) {
                let Some(e) = e.map(Estimate::complement) else {
                    continue;
                };
                drawn.transition.push(TRANSITIONS[ti].name);
                drawn.days.push(*d);
                drawn.reached_share.push(e.value);
                drawn.lo.push(e.lo);
                drawn.hi.push(e.hi);
            }
            km.survival_at = at
                .iter()
                .map(|&j| km.survival_at.get(j).copied().flatten())
                .collect();
        }
        let m = km.median;
        let by: Vec<Option<Estimate>> = km
            .survival_at
            .iter()
            .map(|e| e.map(Estimate::complement))
            .collect();
        let mut figures = vec![m.value, m.lo, m.hi];
        for p in &by {
            figures.extend([
                p.map(|e: Estimate| e.value),
                p.and_then(|e| e.lo),
                p.and_then(|e| e.hi),
            ]);
        }
        let longest = HORIZONS
            .iter()
            .zip(&by)
            .rev()
            .find_map(|(&x, p)| p.map(|e| (x as u32, e.value)));
        if is_all {
            overall.insert(
                TRANSITIONS[ti].name.to_string(),
                TransitionSummary {
                    entered: km.entered,
                    reached: km.events,
                    median_days: m.value,
                    p_by_90d: figures[figures.len() - 3],
                    p_within: longest.map(|(_, p)| p),
                    within_days: longest.map(|(d, _)| d),
                },
            );
        }
        for (c, v) in cols.iter_mut().zip(figures) {
            c.push(v);
        }
        groups.push(g);
        names.push(TRANSITIONS[ti].name);
        entered.push(km.entered);
        reached.push(km.events);
        cens.push(km.entered - km.events);
    }
    let mut columns = vec![
        Column::new("group".into(), groups),
        Column::new("transition".into(), names),
        Column::new("entered".into(), entered),
        Column::new("reached".into(), reached),
        Column::new("censored".into(), cens),
    ];
    columns.extend(
        COLUMNS[5..]
            .iter()
            .zip(cols)
            .map(|(name, v)| Column::new((*name).into(), v)),
    );
    Ok((
        DataFrame::new_infer_height(columns)?,
        drawn.frame()?,
        overall,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events and censorings merged into one time-ordered run, an event
    /// and a censoring at the same time both there (summed as one time by
    /// `summarize_sorted`, as R's `survfit` counts `n.event` and `n.censor`
    /// at one time).
    #[test]
    fn sorted_events_and_censorings_merge_in_time_order() {
        let merged = |e: &[f64], c: &[f64]| -> Vec<(f64, u64, u64)> {
            Merged {
                events: e,
                censored: c,
            }
            .collect()
        };
        assert_eq!(
            merged(&[1.0, 2.0, 2.0, 5.0], &[0.0, 2.0, 5.0, 7.0]),
            [
                (0.0, 0, 1),
                (1.0, 1, 0),
                (2.0, 1, 0),
                (2.0, 1, 0),
                (2.0, 0, 1),
                (5.0, 1, 0),
                (5.0, 0, 1),
                (7.0, 0, 1)
            ]
        );
        assert_eq!(merged(&[], &[3.0]), [(3.0, 0, 1)]);
        assert_eq!(merged(&[3.0], &[]), [(3.0, 1, 0)]);
        assert!(merged(&[], &[]).is_empty());
        let frame = df!("days" => [Some(1.0), None, Some(4.0)]).unwrap();
        assert_eq!(&*sorted_days(&frame).unwrap(), &[1.0, 4.0]);
    }

    /// The merged run summarized is the summary of the counts per distinct
    /// time (the same curve, walked without its triples).
    #[test]
    fn a_merged_run_summarizes_as_its_counts() {
        let (e, c) = ([0.5, 1.0, 2.0, 2.0, 5.0, 9.0], [0.0, 2.0, 2.0, 5.0, 7.0]);
        let mut counts = vec![
            (0.0, 0, 1),
            (0.5, 1, 0),
            (1.0, 1, 0),
            (2.0, 2, 2),
            (5.0, 1, 1),
            (7.0, 0, 1),
            (9.0, 1, 0),
        ];
        let times = [0.0, 1.0, 2.5, 6.0, 30.0];
        let merged = Merged {
            events: &e,
            censored: &c,
        };
        assert_eq!(
            KaplanMeier::summarize_sorted(merged, &times),
            KaplanMeier::summarize(&mut counts, &times)
        );
    }
}
