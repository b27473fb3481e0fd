//! Per-lead facts placed beside their lead by its row number (issue 14).
//!
//! lead_funnel's rows are the used leads in file order, and [`LEAD_ROW`]
//! numbers them 0..n, so a fact computed per lead (a group-by on
//! [`LEAD_ROW`]) lands on its lead by a gather instead of a hash join. At 10M
//! leads each order-keeping left join cost about 2 s; the gather is a copy.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::input::schema::LEAD_ROW;

/// For each of `n` lead rows, the row of `rows` (lead row numbers, at most
/// one per lead; nulls skipped) that holds it, null where none does.
///
/// Errors: a row number ≥ `n` or given twice (a bug: facts are grouped by lead).
fn positions(rows: &Column, n: usize) -> Result<IdxCa> {
    let rows = rows.cast(&IDX_DTYPE)?;
    let mut at: Vec<Option<IdxSize>> = vec![None; n];
    for (i, r) in rows.idx()?.iter().enumerate() {
        let Some(r) = r else { continue };
        match at.get_mut(r as usize) {
            Some(slot @ None) => *slot = Some(i as IdxSize),
            _ => {
                return Err(Error::Internal(format!(
                    "lead_funnel: lead row {r} out of range or given twice (of {n})"
                )))
            }
        }
    }
    Ok(IdxCa::from_iter_options(PlSmallStr::EMPTY, at.into_iter()))
}

/// `frame` (one row per lead, lead `i` at row `i`) with the columns of
/// `facts` (one row per lead that has them, with [`LEAD_ROW`]) beside it;
/// a lead without a row of `facts` gets nulls.
///
/// `facts` runs on polars' streaming engine, whose hash group-by was about
/// ten times faster than the in-memory one on 11M events at 10M leads; it
/// keeps no row order within a group, so `facts` must not depend on it
/// (min, max, sum, count, any — never first or last).
pub fn beside(frame: DataFrame, facts: LazyFrame) -> Result<DataFrame> {
    let facts = LazyFrame::collect_all_with_engine(
        vec![facts.logical_plan],
        Engine::Streaming,
        OptFlags::default(),
    )?
    .pop()
    .ok_or_else(|| Error::Internal("lead_funnel: facts gave no table".into()))?;
    let at = positions(facts.column(LEAD_ROW)?, frame.height())?;
    let placed = facts.drop(LEAD_ROW)?.take(&at)?;
    Ok(frame.hstack(placed.columns())?)
}

/// The rows of `long` that belong to a lead, collected, each with its
/// lead's `column` of `frame` (one row per lead, lead `i` at row `i`)
/// beside it under the same name: a gather by [`LEAD_ROW`], not a join.
pub fn with_lead_value(long: LazyFrame, frame: &DataFrame, column: &str) -> Result<LazyFrame> {
    let long = long.filter(col(LEAD_ROW).is_not_null()).collect()?;
    let value = at_rows(frame.column(column)?, long.column(LEAD_ROW)?, column)?;
    Ok(long.hstack(&[value])?.lazy())
}

/// The value of `per_lead` (one value per lead, lead `i` at `i`) at each
/// lead row of `rows` (null where the row number is null), named `name`.
fn at_rows(per_lead: &Column, rows: &Column, name: &str) -> Result<Column> {
    let rows = rows.cast(&IDX_DTYPE)?;
    Ok(per_lead
        .take(rows.idx()?)?
        .with_name(PlSmallStr::from(name)))
}

/// Per lead (0..`n`), the row of a long table chosen by `better(candidate,
/// current)`, scanning rows in order; `rows` gives each row's lead (nulls
/// skipped). A selection per lead in one pass: polars' group-by has no fast
/// path for "the row with the smallest key" (a sort within each group cost
/// seconds at 10M leads).
///
/// Errors: a lead row ≥ `n` (a bug).
fn pick(rows: &Column, n: usize, better: impl Fn(usize, usize) -> bool) -> Result<IdxCa> {
    let rows = rows.cast(&IDX_DTYPE)?;
    let mut best: Vec<Option<IdxSize>> = vec![None; n];
    for (i, r) in rows.idx()?.iter().enumerate() {
        let Some(r) = r else { continue };
        let slot = best.get_mut(r as usize).ok_or_else(|| {
            Error::Internal(format!("lead_funnel: lead row {r} out of range (of {n})"))
        })?;
        if slot.is_none_or(|b| better(i, b as usize)) {
            *slot = Some(i as IdxSize);
        }
    }
    Ok(IdxCa::from_iter_options(
        PlSmallStr::EMPTY,
        best.into_iter(),
    ))
}

/// Per lead, the row of `rows` first by (`rank` ascending, then `at`
/// ascending with a null time last); of equal rows, the earlier. `rank` and
/// `at` are as long as `rows`; `at` is a time as an integer.
pub fn first_by_rank_then_time(
    rows: &Column,
    rank: &Column,
    at: &Column,
    n: usize,
) -> Result<IdxCa> {
    let rank = rank.cast(&DataType::UInt8)?;
    let at = at.cast(&DataType::Int64)?;
    // (rank, no time, time): tuples compare in that order.
    let key: Vec<(u8, bool, i64)> = rank
        .u8()?
        .iter()
        .zip(at.i64()?.iter())
        .map(|(k, t)| (k.unwrap_or(u8::MAX), t.is_none(), t.unwrap_or(i64::MAX)))
        .collect();
    pick(rows, n, |i, b| key[i] < key[b])
}

/// Per lead, the row of `rows` with the latest `at` at or before the
/// lead's `until` (`until` one value per lead, lead `i` at `i`; a null
/// `until` bounds nothing; null times never chosen); of equal times, the
/// later row. `at` and `until` are times as integers in the same unit.
///
/// Errors: a lead row ≥ `n` (a bug).
pub fn latest_until(rows: &Column, at: &Column, until: &Column, n: usize) -> Result<IdxCa> {
    let at = at.cast(&DataType::Int64)?;
    let at: Vec<Option<i64>> = at.i64()?.iter().collect();
    let until = until.cast(&DataType::Int64)?;
    let until = until.i64()?;
    let until: Vec<Option<i64>> = until.iter().collect();
    let rows = rows.cast(&IDX_DTYPE)?;
    // Rows with a null time, or after their lead's bound, are left out.
    let masked = rows
        .idx()?
        .iter()
        .zip(&at)
        .map(|(r, t)| {
            let (r, t) = (r?, (*t)?);
            let bound = until.get(r as usize).copied().flatten();
            bound.is_none_or(|u| t <= u).then_some(r)
        })
        .collect::<IdxCa>()
        .into_column();
    pick(&masked, n, |i, b| at[i] >= at[b])
}

/// `values` at each lead's chosen row (`at`, from [`first_by_rank_then_time`]
/// or [`latest_until`]), named `name`: one value per lead, null where none.
pub fn chosen(values: &Column, at: &IdxCa, name: &str) -> Result<Column> {
    Ok(values.take(at)?.with_name(PlSmallStr::from(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!(LEAD_ROW => [0u32, 1, 2, 3], "x" => ["a", "b", "c", "d"]).unwrap()
    }

    #[test]
    fn facts_land_on_their_lead_and_missing_leads_get_nulls() {
        let facts = df!(LEAD_ROW => [Some(2u32), None, Some(0)], "n" => [20i64, 99, 0])
            .unwrap()
            .lazy();
        let out = beside(frame(), facts).unwrap();
        let n: Vec<Option<i64>> = out.column("n").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, [Some(0), None, Some(20), None]);
        assert_eq!(out.height(), 4);
    }

    #[test]
    fn a_lead_given_twice_or_out_of_range_is_an_internal_error() {
        let twice = df!(LEAD_ROW => [1u32, 1], "n" => [1i64, 2]).unwrap().lazy();
        assert!(matches!(beside(frame(), twice), Err(Error::Internal(_))));
        let beyond = df!(LEAD_ROW => [4u32], "n" => [1i64]).unwrap().lazy();
        assert!(matches!(beside(frame(), beyond), Err(Error::Internal(_))));
    }

    #[test]
    fn values_are_read_at_each_rows_lead() {
        let per_lead = Column::new("v".into(), [10i64, 11, 12, 13]);
        let rows = Column::new(LEAD_ROW.into(), [Some(3u32), None, Some(0), Some(3)]);
        let got = at_rows(&per_lead, &rows, "w").unwrap();
        assert_eq!(got.name().as_str(), "w");
        let v: Vec<Option<i64>> = got.i64().unwrap().iter().collect();
        assert_eq!(v, [Some(13), None, Some(10), Some(13)]);
    }

    fn idx(c: &IdxCa) -> Vec<Option<IdxSize>> {
        c.iter().collect()
    }

    #[test]
    fn first_by_rank_then_time_prefers_rank_then_time_then_file_order() {
        // lead 0: rank 1 at 5, rank 0 at 9, rank 0 at 9 again -> row 1.
        // lead 1: a null time comes after any time -> row 4.
        // lead 2: only a null time -> row 5. lead 3: none.
        let rows = Column::new("r".into(), [0u32, 0, 0, 1, 1, 2]);
        let rank = Column::new("k".into(), [1u8, 0, 0, 0, 0, 2]);
        let at = Column::new(
            "t".into(),
            [Some(5i64), Some(9), Some(9), None, Some(7), None],
        );
        let got = first_by_rank_then_time(&rows, &rank, &at, 4).unwrap();
        assert_eq!(idx(&got), [Some(1), Some(4), Some(5), None]);
    }

    #[test]
    fn latest_until_keeps_times_at_or_before_the_leads_bound() {
        // lead 0 (bound 8): 3, 8, 9 -> the 8 (row 1). lead 1 (no bound): 4,
        // 7 -> row 4. lead 2 (bound 1): only 5 -> none. lead 3 (bound 6): 6,
        // 6 -> the later (row 7); a null time (row 8) never.
        let rows = Column::new("r".into(), [0u32, 0, 0, 1, 1, 2, 3, 3, 3]);
        let at = Column::new(
            "t".into(),
            [
                Some(3i64),
                Some(8),
                Some(9),
                Some(4),
                Some(7),
                Some(5),
                Some(6),
                Some(6),
                None,
            ],
        );
        let until = Column::new("u".into(), [Some(8i64), None, Some(1), Some(6)]);
        let got = latest_until(&rows, &at, &until, 4).unwrap();
        assert_eq!(idx(&got), [Some(1), Some(4), None, Some(7)]);
    }

    #[test]
    fn latest_takes_the_last_of_the_latest_times_and_skips_null_times() {
        // No bounds: lead 0: times 3, 8, 8 -> the later 8 (row 2). lead 1:
        // only a null time -> none. lead 2: 1 -> row 4.
        let rows = Column::new(
            "r".into(),
            [Some(0u32), Some(0), Some(0), Some(1), Some(2), None],
        );
        let at = Column::new(
            "t".into(),
            [Some(3i64), Some(8), Some(8), None, Some(1), Some(99)],
        );
        let unbounded = Column::new("u".into(), [None::<i64>, None, None]);
        let got = latest_until(&rows, &at, &unbounded, 3).unwrap();
        assert_eq!(idx(&got), [Some(2), None, Some(4)]);
    }
}
