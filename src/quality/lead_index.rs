//! The used leads' ids, hashed once per run (issue 14).
//!
//! Every table that refers to leads (scores, handoffs, activities, deals,
//! deal_leads, touches) matches each row's lead id to a used lead, for its
//! [`LEAD_ROW`] and, where a check needs it, the lead's creation time. As a
//! polars join against the leads, each of those tables built its own hash
//! table over every lead id: at 10M leads five tables of 10M text keys, a
//! fifth of judging them, plus a copy of every row's other columns through
//! the join. Here the ids are hashed once, and each row finds its lead by an
//! elementwise expression ([`LeadIndex::rows`]), which polars runs on each
//! batch of rows as it streams them; the table is `probe::Slots`, which
//! looks a batch of ids up together.

use std::sync::Arc;

use polars::prelude::*;

use super::probe::{IntKeys, Slots, TextKeys};
use crate::input::schema::{CREATED_AT, LEAD_ID, LEAD_ROW};

/// The keys a reference may use (each lead's id and its alias), each with
/// the lead's [`LEAD_ROW`]; and, by row, the lead's creation time and id.
pub struct LeadIndex {
    /// None for [`LeadIndex::unused`]: finding a lead in it is a bug.
    keys: Option<Keys>,
    /// The lead of each key, by its position in `keys`.
    rows: Vec<IdxSize>,
    /// Each lead's `created_at`, at its [`LEAD_ROW`].
    created: Column,
    /// Each lead's own id, at its [`LEAD_ROW`], when aliases name leads
    /// (not kept otherwise: 1.6 GB at 100M leads).
    ids: Option<Column>,
}

enum Keys {
    /// Text ids, hashed by their bytes.
    Text(TextKeys, Slots),
    /// Integer ids (every table agrees: `input::keys`).
    Int(IntKeys, Slots),
}

/// `keys` (text or integer) hashed at their positions, each key at its
/// first, with whether each position repeats an earlier one's key
/// ([`Slots::repeats`]). Errors: another type (a bug), or more than
/// `u32::MAX - 1` positions.
fn hashed(keys: &Column) -> PolarsResult<(Keys, Vec<bool>)> {
    Ok(match keys.dtype() {
        DataType::String => {
            let ca = keys.str()?.rechunk();
            let keys = TextKeys::new(ca.downcast_as_array().clone());
            let (table, repeats) =
                Slots::repeats(&keys, keys.values.iter()).ok_or_else(too_many)?;
            (Keys::Text(keys, table), repeats)
        }
        d if d.is_integer() => {
            let ca = keys.cast(&DataType::Int64)?;
            let keys = IntKeys::new(ca.i64()?.iter().collect());
            let (table, repeats) =
                Slots::repeats(&keys, keys.values.iter().copied()).ok_or_else(too_many)?;
            (Keys::Int(keys, table), repeats)
        }
        d => polars_bail!(ComputeError: "lead index: keys of type {d}"),
    })
}

/// `df` sorted by `column` unless already in its order (the streaming
/// engine keeps row order); an error unless its rows are then numbered
/// 0..n in `column` (a bug).
pub(super) fn in_row_order(df: DataFrame, column: &str) -> PolarsResult<DataFrame> {
    let numbered = |df: &DataFrame| -> PolarsResult<bool> {
        Ok(df
            .column(column)?
            .cast(&IDX_DTYPE)?
            .idx()?
            .iter()
            .enumerate()
            .all(|(i, r)| r == Some(i as IdxSize)))
    };
    let df = match numbered(&df)? {
        true => df,
        false => df.sort([column], SortMultipleOptions::default())?,
    };
    if !numbered(&df)? {
        polars_bail!(ComputeError: "{column}: rows are not numbered 0..{}", df.height());
    }
    Ok(df)
}

fn too_many() -> PolarsError {
    polars_err!(ComputeError: "lead index: more than {} lead ids", u32::MAX - 1)
}

impl LeadIndex {
    /// Builds the index from `reference` (one row per key: `key` with the
    /// lead's [`LEAD_ROW`]; see `rules::lead_reference`) and `by_row` (the
    /// used leads: `created_at`, [`LEAD_ROW`], rows 0..n, and `lead_id`
    /// when aliases name leads: [`LeadIndex::id`]).
    /// Keys are unique by construction; were one repeated, the first would
    /// stand, as a lead's first row does. Errors: a key of another type
    /// than text or integer, or rows not numbered 0..n (both bugs).
    pub fn build(reference: &DataFrame, key: &str, by_row: DataFrame) -> PolarsResult<LeadIndex> {
        // The used leads are read back in row order; sorted only if not.
        let by_row = in_row_order(by_row, LEAD_ROW)?;
        let rows: Vec<IdxSize> = reference
            .column(LEAD_ROW)?
            .cast(&IDX_DTYPE)?
            .idx()?
            .iter()
            .map(|r| r.unwrap_or(IdxSize::MAX))
            .collect();
        let (keys, _) = hashed(reference.column(key)?)?;
        Ok(LeadIndex {
            keys: Some(keys),
            rows,
            created: by_row.column(CREATED_AT)?.clone(),
            ids: by_row.column(LEAD_ID).ok().cloned(),
        })
    }

    /// The index of the used leads straight from the leads' rows, when no
    /// alias names a lead (issue 14: the ids are hashed once, both to find
    /// duplicates and to index them). In row order: `ok` whether the row
    /// passed every other check, `keys` its id (null where not `ok`) and
    /// `created` its `created_at`. An `ok` row whose id an earlier `ok` row
    /// has repeats it; every other `ok` row is a used lead, the used leads
    /// numbered in row order: exactly the rows, and the numbers, of
    /// `Checked`'s used leads (their filter is the same: `ok`, not
    /// repeated), so even an `ok` row without an id (`null_key` sets those
    /// aside) would shift no lead's number. Returns the index and, by row,
    /// whether the row repeats an earlier row's id. Errors: keys of another
    /// type than text or integer (a bug), or more than `u32::MAX - 1` rows.
    pub fn first_rows(
        ok: &BooleanChunked,
        keys: &Column,
        created: &Column,
    ) -> PolarsResult<(LeadIndex, Vec<bool>)> {
        let (keys, repeats) = hashed(keys)?;
        let mut rows = vec![IdxSize::MAX; repeats.len()];
        let mut used: Vec<IdxSize> = Vec::new();
        for (p, (repeated, ok)) in repeats.iter().zip(ok.iter()).enumerate() {
            if ok == Some(true) && !repeated {
                rows[p] = used.len() as IdxSize;
                used.push(p as IdxSize);
            }
        }
        let used = IdxCa::from_vec(PlSmallStr::EMPTY, used);
        let index = LeadIndex {
            keys: Some(keys),
            rows,
            created: created.take(&used)?,
            ids: None,
        };
        Ok((index, repeats))
    }

    /// An index with no keys, for a run whose tables are all read as
    /// judged (a cache hit): their plans are never run, only their shape.
    pub fn unused() -> LeadIndex {
        LeadIndex {
            keys: None,
            rows: Vec::new(),
            created: Column::new_empty(CREATED_AT.into(), &crate::input::time::ts_dtype()),
            ids: None,
        }
    }

    /// The [`LEAD_ROW`] of each id in `ids` (text or integer, as the keys):
    /// null where the id is null or no used lead's.
    pub fn rows(&self, ids: &Column) -> PolarsResult<Column> {
        let Some(keys) = &self.keys else {
            polars_bail!(ComputeError: "lead index: not built (every table was cached)");
        };
        let mut found = Vec::with_capacity(ids.len());
        match keys {
            Keys::Text(keys, table) => {
                let ids = ids.cast(&DataType::String)?;
                for chunk in ids.str()?.downcast_iter() {
                    table.find_all(keys, chunk.iter(), &mut found);
                }
            }
            Keys::Int(keys, table) => {
                let ids = ids.cast(&DataType::Int64)?;
                for chunk in ids.i64()?.downcast_iter() {
                    table.find_all(keys, chunk.iter().map(|v| v.copied()), &mut found);
                }
            }
        }
        let out = IdxCa::from_iter_options(
            ids.name().clone(),
            found
                .into_iter()
                .map(|p| p.and_then(|p| self.rows.get(p).copied())),
        );
        Ok(out.into_column())
    }

    /// The lead's `created_at` at each row of `rows` (null for null).
    pub fn created(&self, rows: &Column) -> PolarsResult<Column> {
        self.created.take(rows.cast(&IDX_DTYPE)?.idx()?)
    }

    /// The lead's own id at each row of `rows` (null for null). Errors:
    /// the index was built without the ids (a bug).
    pub fn id(&self, rows: &Column) -> PolarsResult<Column> {
        let Some(ids) = &self.ids else {
            polars_bail!(ComputeError: "lead index: built without the leads' ids");
        };
        ids.take(rows.cast(&IDX_DTYPE)?.idx()?)
    }

    /// `ids`' [`LEAD_ROW`] as an expression ([`LeadIndex::rows`]).
    pub fn row_expr(self: &Arc<Self>, ids: Expr) -> Expr {
        let index = Arc::clone(self);
        ids.map(
            move |c| index.rows(&c),
            |_, f| Ok(Field::new(f.name().clone(), IDX_DTYPE)),
        )
    }

    /// The lead's `created_at` at `rows` as an expression.
    pub fn created_expr(self: &Arc<Self>, rows: Expr) -> Expr {
        let index = Arc::clone(self);
        let dtype = self.created.dtype().clone();
        rows.map(
            move |c| index.created(&c),
            move |_, f| Ok(Field::new(f.name().clone(), dtype.clone())),
        )
    }

    /// The lead's own id at `rows` as an expression.
    pub fn id_expr(self: &Arc<Self>, rows: Expr) -> Expr {
        let index = Arc::clone(self);
        let dtype = self
            .ids
            .as_ref()
            .map_or(DataType::String, |c| c.dtype().clone());
        rows.map(
            move |c| index.id(&c),
            move |_, f| Ok(Field::new(f.name().clone(), dtype.clone())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(keys: Column, rows: &[IdxSize]) -> LeadIndex {
        let reference = DataFrame::new(
            rows.len(),
            vec![
                keys.with_name("k".into()),
                Column::new(LEAD_ROW.into(), rows),
            ],
        )
        .unwrap();
        let by_row = df!(
            LEAD_ID => ["a", "b", "c"],
            CREATED_AT => [10i64, 20, 30],
            LEAD_ROW => [0 as IdxSize, 1, 2],
        )
        .unwrap();
        LeadIndex::build(&reference, "k", by_row).unwrap()
    }

    fn rows_of(ix: &LeadIndex, ids: Column) -> Vec<Option<IdxSize>> {
        ix.rows(&ids).unwrap().idx().unwrap().iter().collect()
    }

    #[test]
    fn text_ids_find_their_lead_and_aliases_the_aliased_lead() {
        // Keys: the three ids, then "x" an alias of lead 2.
        let ix = index(Column::new("k".into(), ["a", "b", "c", "x"]), &[0, 1, 2, 2]);
        let ids = Column::new(
            "id".into(),
            [Some("c"), None, Some("x"), Some("zz"), Some("a")],
        );
        assert_eq!(rows_of(&ix, ids), [Some(2), None, Some(2), None, Some(0)]);
        // Long ids (not inlined in the view) compare by their bytes too.
        let long = "a-very-long-lead-identifier-000000000001";
        let ix = index(Column::new("k".into(), [long, "b", "c"]), &[0, 1, 2]);
        let ids = Column::new(
            "id".into(),
            [long, "a-very-long-lead-identifier-000000000002"],
        );
        assert_eq!(rows_of(&ix, ids), [Some(0), None]);
    }

    #[test]
    fn integer_ids_find_their_lead() {
        let ix = index(Column::new("k".into(), [7i64, 8, 9]), &[0, 1, 2]);
        let ids = Column::new("id".into(), [Some(9i64), Some(1), None]);
        assert_eq!(rows_of(&ix, ids.clone()), [Some(2), None, None]);
        assert!(LeadIndex::unused().rows(&ids).is_err());
    }

    #[test]
    fn created_and_id_are_read_by_row() {
        let ix = index(Column::new("k".into(), ["a", "b", "c"]), &[0, 1, 2]);
        let rows = Column::new("r".into(), [Some(2 as IdxSize), None, Some(0)]);
        let created: Vec<Option<i64>> = ix.created(&rows).unwrap().i64().unwrap().iter().collect();
        assert_eq!(created, [Some(30), None, Some(10)]);
        let ids: Vec<Option<String>> = ix
            .id(&rows)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect();
        assert_eq!(ids, [Some("c".into()), None, Some("a".into())]);
    }

    #[test]
    fn without_aliases_the_ids_are_not_kept() {
        let reference = df!("k" => ["a", "b"], LEAD_ROW => [0 as IdxSize, 1]).unwrap();
        let by_row = df!(CREATED_AT => [1i64, 2], LEAD_ROW => [0 as IdxSize, 1]).unwrap();
        let ix = LeadIndex::build(&reference, "k", by_row).unwrap();
        let rows = Column::new("r".into(), [Some(1 as IdxSize)]);
        assert!(ix.id(&rows).is_err());
        let created: Vec<Option<i64>> = ix.created(&rows).unwrap().i64().unwrap().iter().collect();
        assert_eq!(created, [Some(2)]);
    }

    #[test]
    fn first_rows_index_the_first_row_of_each_id_and_flag_the_repeats() {
        // Rows: a, (set aside), b, a again, c.
        let keys = Column::new(
            "k".into(),
            [Some("a"), None, Some("b"), Some("a"), Some("c")],
        );
        let created = Column::new(CREATED_AT.into(), [10i64, 20, 30, 40, 50]);
        let ok = BooleanChunked::from_slice("ok".into(), &[true, false, true, true, true]);
        let (ix, repeats) = LeadIndex::first_rows(&ok, &keys, &created).unwrap();
        assert_eq!(repeats, [false, false, false, true, false]);
        // Used leads numbered in row order: a 0, b 1, c 2.
        let ids = Column::new(
            "id".into(),
            [Some("c"), Some("a"), Some("b"), Some("x"), None],
        );
        assert_eq!(rows_of(&ix, ids), [Some(2), Some(0), Some(1), None, None]);
        let rows = Column::new("r".into(), [Some(0 as IdxSize), Some(1), Some(2)]);
        let created: Vec<Option<i64>> = ix.created(&rows).unwrap().i64().unwrap().iter().collect();
        assert_eq!(created, [Some(10), Some(30), Some(50)]);
        // Integer ids alike.
        let keys = Column::new("k".into(), [Some(5i64), Some(5), None, Some(6)]);
        let created = Column::new(CREATED_AT.into(), [1i64, 2, 3, 4]);
        let ok = BooleanChunked::from_slice("ok".into(), &[true, true, false, true]);
        let (ix, repeats) = LeadIndex::first_rows(&ok, &keys, &created).unwrap();
        assert_eq!(repeats, [false, true, false, false]);
        let ids = Column::new("id".into(), [Some(6i64), Some(5)]);
        assert_eq!(rows_of(&ix, ids), [Some(1), Some(0)]);
        // An ok row without an id still takes its number (the used leads
        // count it): the leads after it keep theirs.
        let keys = Column::new("k".into(), [None, Some("b")]);
        let ok = BooleanChunked::from_slice("ok".into(), &[true, true]);
        let created = Column::new(CREATED_AT.into(), [1i64, 2]);
        let (ix, _) = LeadIndex::first_rows(&ok, &keys, &created).unwrap();
        assert_eq!(rows_of(&ix, Column::new("id".into(), ["b"])), [Some(1)]);
    }

    #[test]
    fn rows_not_numbered_from_zero_are_refused() {
        let reference = df!("k" => ["a"], LEAD_ROW => [1 as IdxSize]).unwrap();
        let by_row =
            df!(LEAD_ID => ["a"], CREATED_AT => [1i64], LEAD_ROW => [1 as IdxSize]).unwrap();
        assert!(LeadIndex::build(&reference, "k", by_row).is_err());
    }
}
