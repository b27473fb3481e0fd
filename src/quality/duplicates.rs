//! The leads' duplicate ids, found in the hash table that then indexes
//! them (issue 14).
//!
//! A lead whose id an earlier usable lead row has is set aside as
//! `duplicate_key` (SPEC §7): the first usable row in file order keeps the
//! id. polars' `is_first_distinct` over the leads' ids was most of judging
//! them (at 10M leads about 1.9 s of each pass over the leads that did not
//! write a file, against 0.25 s for the rest of their checks), and the
//! used leads' ids were then read back and hashed again for the lead index.
//! Here the ids are collected once, with the row index and the other
//! checks already applied, and hashed once ([`LeadIndex::first_rows`]):
//! each row's verdict is read back by its row index (an elementwise
//! expression, which streams), and the same table indexes the used leads.

use std::sync::Arc;

use polars::prelude::*;

use super::lead_index::{in_row_order, LeadIndex};
use super::reason::Reason;
use super::rules::TablePlan;
use crate::input::schema::{INDEX_COL, REASON_COL};

/// Whether a row passed the checks before the duplicates (collected).
const OK: &str = "__ok";

/// Marks `duplicate_key` on the leads' rows whose `key` an earlier usable
/// row has, in `plan` (not yet judged: the checks of `rules::plan_table`
/// applied, the duplicates not), and returns the index of the used leads
/// (by `key`, with their `created`). Runs the plan once (four columns),
/// so it is called only when the leads are to be judged. Errors: polars',
/// or rows not numbered 0..n (a bug).
pub fn mark(plan: &mut TablePlan, key: &str, created: &str) -> PolarsResult<LeadIndex> {
    let ok = col(REASON_COL).is_null();
    let rows = plan.annotated.clone().select([
        col(INDEX_COL).cast(IDX_DTYPE),
        ok.clone().alias(OK),
        when(ok.clone())
            .then(col(key))
            .otherwise(lit(NULL))
            .alias(key),
        col(created),
    ]);
    let df = LazyFrame::collect_all_with_engine(
        vec![rows.logical_plan],
        Engine::Streaming,
        OptFlags::default(),
    )?
    .pop()
    .ok_or_else(|| polars_err!(ComputeError: "duplicate ids: no result"))?;
    let df = in_row_order(df, INDEX_COL)?;
    let (index, repeats) =
        LeadIndex::first_rows(df.column(OK)?.bool()?, df.column(key)?, df.column(created)?)?;
    let repeated = Arc::new(Rows::of(&repeats));
    let flag = col(INDEX_COL).map(
        move |c| {
            let rows = c.cast(&IDX_DTYPE)?;
            let flags: BooleanChunked = rows
                .idx()?
                .iter()
                .map(|r| r.map(|r| repeated.has(r as usize)))
                .collect();
            Ok(flags.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
    );
    plan.annotated = plan.annotated.clone().with_column(
        when(ok.and(flag.fill_null(lit(false))))
            .then(Reason::DuplicateKey.expr())
            .otherwise(col(REASON_COL))
            .alias(REASON_COL),
    );
    Ok(index)
}

/// A set of row numbers, one bit each.
struct Rows(Vec<u64>);

impl Rows {
    /// The rows `i` where `flags[i]`.
    fn of(flags: &[bool]) -> Rows {
        let mut bits = vec![0u64; flags.len().div_ceil(64)];
        for (r, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
            bits[r / 64] |= 1u64 << (r % 64);
        }
        Rows(bits)
    }

    fn has(&self, row: usize) -> bool {
        self.0
            .get(row / 64)
            .is_some_and(|w| w & (1u64 << (row % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_exactly_the_flagged_ones_across_words() {
        let mut flags = vec![false; 130];
        for r in [0, 63, 64, 129] {
            flags[r] = true;
        }
        let rows = Rows::of(&flags);
        let got: Vec<usize> = (0..200).filter(|&r| rows.has(r)).collect();
        assert_eq!(got, [0, 63, 64, 129]);
    }

    #[test]
    fn rows_collected_out_of_order_are_put_back_in_file_order() {
        let df = df!(INDEX_COL => [2 as IdxSize, 0, 1], "k" => ["c", "a", "b"]).unwrap();
        let df = in_row_order(df, INDEX_COL).unwrap();
        let keys: Vec<Option<&str>> = df.column("k").unwrap().str().unwrap().iter().collect();
        assert_eq!(keys, [Some("a"), Some("b"), Some("c")]);
        let gap = df!(INDEX_COL => [0 as IdxSize, 2], "k" => ["a", "c"]).unwrap();
        assert!(in_row_order(gap, INDEX_COL).is_err());
    }
}
