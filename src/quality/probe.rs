//! The lead ids' hash table, looked up a batch of ids at a time (issue 14).
//!
//! Matching every row of the other tables to its lead is one hash lookup
//! per row (85M at 10M leads), and each lookup into a table of 10M keys is
//! two reads from main memory: the table's slot, then the key it points at,
//! to compare. One lookup after another, each waits for its own reads (a
//! fifth of `validate`'s CPU time went to `hashbrown`'s `find`). Here a
//! batch's slots are read first, together, and then the batch's candidate
//! keys, together, so that the processor has many reads in flight at once.
//!
//! Open addressing with linear probing: a slot holds the high 32 bits of
//! its key's hash (the tag) and the key's position + 1 (0 is empty); the
//! slot is found from the low bits. Load stays under 0.8.

use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;
use polars::prelude::*;

/// A key's hash, and whether the key at a position is this key.
pub trait Keyed {
    type Key<'a>: Copy;
    /// Number of positions (keys are at 0..positions).
    fn positions(&self) -> usize;
    fn hash(&self, key: Self::Key<'_>) -> u64;
    /// Whether `key` is the key at `at`.
    fn is(&self, at: usize, key: Self::Key<'_>) -> bool;
    /// Reads what [`Keyed::is`] will read for position `at` (the batch's
    /// second round of reads): a cheap first check, kept so the read is
    /// not optimised away — false when `at` surely holds another key.
    fn may_be(&self, at: usize, key: Self::Key<'_>) -> bool;
}

/// Text keys by position.
pub struct TextKeys {
    pub values: <StringType as PolarsDataType>::Array,
    hasher: DefaultHashBuilder,
}

impl TextKeys {
    pub fn new(values: <StringType as PolarsDataType>::Array) -> TextKeys {
        TextKeys {
            values,
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl Keyed for TextKeys {
    type Key<'a> = &'a str;
    fn positions(&self) -> usize {
        self.values.len()
    }
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key.as_bytes())
    }
    fn is(&self, at: usize, key: &str) -> bool {
        self.values.value(at) == key
    }
    fn may_be(&self, at: usize, key: &str) -> bool {
        self.values.views()[at].length as usize == key.len()
    }
}

/// Integer keys by position (null: no key).
pub struct IntKeys {
    pub values: Vec<Option<i64>>,
    hasher: DefaultHashBuilder,
}

impl IntKeys {
    pub fn new(values: Vec<Option<i64>>) -> IntKeys {
        IntKeys {
            values,
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl Keyed for IntKeys {
    type Key<'a> = i64;
    fn positions(&self) -> usize {
        self.values.len()
    }
    fn hash(&self, key: i64) -> u64 {
        self.hasher.hash_one(key)
    }
    fn is(&self, at: usize, key: i64) -> bool {
        self.values[at] == Some(key)
    }
    fn may_be(&self, at: usize, key: i64) -> bool {
        self.is(at, key)
    }
}

/// Text keys by position over a column's chunks as they are (none
/// copied): a position's chunk is looked up only to compare, which the
/// tags make rare.
struct ChunkedText<'a> {
    chunks: Vec<&'a <StringType as PolarsDataType>::Array>,
    /// The first position of each chunk.
    starts: Vec<usize>,
    hasher: DefaultHashBuilder,
}

impl<'a> ChunkedText<'a> {
    fn new(ca: &'a StringChunked) -> ChunkedText<'a> {
        let chunks: Vec<_> = ca.downcast_iter().collect();
        let starts = chunks
            .iter()
            .scan(0, |at, c| {
                let start = *at;
                *at += c.len();
                Some(start)
            })
            .collect();
        ChunkedText {
            chunks,
            starts,
            hasher: DefaultHashBuilder::default(),
        }
    }

    fn value(&self, at: usize) -> Option<&'a str> {
        let c = self.starts.partition_point(|&s| s <= at).checked_sub(1)?;
        let chunk = self.chunks.get(c)?;
        chunk.get(at - self.starts[c])
    }
}

impl Keyed for ChunkedText<'_> {
    type Key<'k> = &'k str;
    fn positions(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key.as_bytes())
    }
    fn is(&self, at: usize, key: &str) -> bool {
        self.value(at) == Some(key)
    }
    fn may_be(&self, at: usize, key: &str) -> bool {
        self.is(at, key)
    }
}

const TAG: u64 = 0xFFFF_FFFF_0000_0000;
const POSITION: u64 = 0x0000_0000_FFFF_FFFF;
/// Ids looked up together.
const BATCH: usize = 32;

/// Positions of distinct keys, by hash.
pub struct Slots {
    slots: Vec<u64>,
    mask: usize,
}

impl Slots {
    /// The table of `keys` (`present` gives the key at a position, if
    /// any), each key at its first position (a repeated key keeps its
    /// first). None for more than `u32::MAX - 1` positions.
    pub fn build<'k, K: Keyed>(
        keys: &'k K,
        present: impl Iterator<Item = Option<K::Key<'k>>>,
    ) -> Option<Slots> {
        let mut table = Slots::for_keys(keys.positions())?;
        table.insert_all(keys, present, |_| ());
        Some(table)
    }

    /// An empty table for `n` keys; None for more than `u32::MAX - 1`.
    fn for_keys(n: usize) -> Option<Slots> {
        if n >= POSITION as usize {
            return None;
        }
        let size = (n + n / 4 + 1).next_power_of_two().max(16);
        Some(Slots {
            slots: vec![0; size],
            mask: size - 1,
        })
    }

    /// Inserts the key of each position (`present`: the keys at 0, 1, …
    /// in order, None where a position has none), a batch's first slots
    /// read together before its keys go in; `first` is told each position
    /// whose key no earlier position had.
    fn insert_all<'k, K: Keyed>(
        &mut self,
        keys: &'k K,
        present: impl Iterator<Item = Option<K::Key<'k>>>,
        mut first: impl FnMut(usize),
    ) {
        let mut batch: Vec<Option<K::Key<'k>>> = Vec::with_capacity(BATCH);
        let mut present = present.peekable();
        let mut begin = 0;
        while present.peek().is_some() {
            batch.clear();
            batch.extend(present.by_ref().take(BATCH));
            let mut hashes = [0u64; BATCH];
            let mut warm = [0u64; BATCH];
            for (k, key) in batch.iter().enumerate() {
                if let Some(key) = key {
                    hashes[k] = keys.hash(*key);
                    warm[k] = self.slots[self.start(hashes[k])];
                }
            }
            // The reads are the point (the inserts below find the slots
            // in cache), so they must not be optimised away.
            std::hint::black_box(&warm);
            for (k, key) in batch.iter().enumerate() {
                let Some(key) = key else { continue };
                if self.insert(keys, *key, hashes[k], begin + k) {
                    first(begin + k);
                }
            }
            begin += batch.len();
        }
    }

    /// Puts `key` (with its `hash`) at position `at` unless the table has
    /// it; whether it was new.
    fn insert<K: Keyed>(&mut self, keys: &K, key: K::Key<'_>, hash: u64, at: usize) -> bool {
        let mut i = self.start(hash);
        loop {
            let s = self.slots[i];
            if s == 0 {
                self.slots[i] = (hash & TAG) | (at as u64 + 1);
                return true;
            }
            if s & TAG == hash & TAG && keys.is(position(s), key) {
                return false;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// A table of no keys.
    pub fn empty() -> Slots {
        Slots {
            slots: vec![0; 16],
            mask: 15,
        }
    }

    fn start(&self, hash: u64) -> usize {
        hash as usize & self.mask
    }

    /// The position of `key` (with its `hash`), probing from slot `i`.
    fn probe<K: Keyed>(&self, keys: &K, key: K::Key<'_>, hash: u64, mut i: usize) -> Option<usize> {
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if s & TAG == hash & TAG && keys.is(position(s), key) {
                return Some(position(s));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The position of each of `ids` (None for a missing id or key), in
    /// order, pushed onto `out`.
    pub fn find_all<'k, K: Keyed>(
        &self,
        keys: &K,
        ids: impl Iterator<Item = Option<K::Key<'k>>>,
        out: &mut Vec<Option<usize>>,
    ) {
        let mut batch: Vec<Option<K::Key<'k>>> = Vec::with_capacity(BATCH);
        let mut ids = ids.peekable();
        while ids.peek().is_some() {
            batch.clear();
            batch.extend(ids.by_ref().take(BATCH));
            let mut hashes = [0u64; BATCH];
            let mut first = [0u64; BATCH];
            // Round one: each id's first slot (independent reads).
            for (k, id) in batch.iter().enumerate() {
                if let Some(id) = id {
                    hashes[k] = keys.hash(*id);
                    first[k] = self.slots[self.start(hashes[k])];
                }
            }
            // Round two: the candidate key of each first slot whose tag
            // matches (independent reads again).
            let mut likely = [false; BATCH];
            for (k, id) in batch.iter().enumerate() {
                if let Some(id) = id {
                    let s = first[k];
                    likely[k] =
                        s != 0 && s & TAG == hashes[k] & TAG && keys.may_be(position(s), *id);
                }
            }
            // The answers: the candidate confirmed, or the probe walked.
            for (k, id) in batch.iter().enumerate() {
                let Some(id) = id else {
                    out.push(None);
                    continue;
                };
                let s = first[k];
                let found = match (s, likely[k]) {
                    (0, _) => None,
                    (_, true) if keys.is(position(s), *id) => Some(position(s)),
                    _ => self.probe(keys, *id, hashes[k], self.start(hashes[k])),
                };
                out.push(found);
            }
        }
    }
}

fn position(slot: u64) -> usize {
    (slot & POSITION) as usize - 1
}

/// Whether each row is the first of its value (null a value too), as
/// polars' `is_first_distinct`, for text and integer columns (others are
/// compared as text). On 10.2M lead ids polars took 1.9-2.1 s here.
/// Errors: more than `u32::MAX - 1` rows.
pub fn first_distinct(column: &Column) -> PolarsResult<Column> {
    let n = column.len();
    let mut first = vec![false; n];
    let too_many = || polars_err!(ComputeError: "first_distinct: more than {} rows", u32::MAX - 1);
    let first_null = match column.dtype() {
        d if d.is_integer() => {
            let ints = column.cast(&DataType::Int64)?;
            let keys = IntKeys::new(ints.i64()?.iter().collect());
            let mut table = Slots::for_keys(n).ok_or_else(too_many)?;
            table.insert_all(&keys, keys.values.iter().copied(), |at| first[at] = true);
            (0..n).find(|&at| keys.values[at].is_none())
        }
        _ => {
            // The column's batches as they are: at 100M leads a single
            // copy of the ids was 1.6 GB of the peak.
            let text = column.cast(&DataType::String)?;
            let keys = ChunkedText::new(text.str()?);
            let mut table = Slots::for_keys(n).ok_or_else(too_many)?;
            let ids = keys.chunks.iter().flat_map(|a| a.iter());
            table.insert_all(&keys, ids, |at| first[at] = true);
            let ids = keys.chunks.iter().flat_map(|a| a.iter());
            ids.into_iter().position(|v| v.is_none())
        }
    };
    if let Some(at) = first_null {
        first[at] = true;
    }
    let out: BooleanChunked = first.into_iter().collect();
    Ok(out.with_name(column.name().clone()).into_column())
}

/// [`first_distinct`] of `e`, over the whole column (not batch by batch).
pub fn first_distinct_expr(e: Expr) -> Expr {
    e.apply_with_fmt_str(
        |c| first_distinct(&c),
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
        "first_distinct",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;
    use std::hash::BuildHasher;

    /// Integer keys with a deliberately poor hash (many collisions, equal
    /// tags), so probing and tag checks are exercised.
    struct Ints(Vec<i64>, bool, hashbrown::DefaultHashBuilder);

    impl Keyed for Ints {
        type Key<'a> = i64;
        fn positions(&self) -> usize {
            self.0.len()
        }
        fn hash(&self, key: i64) -> u64 {
            match self.1 {
                true => (key.rem_euclid(7) as u64) | ((key.rem_euclid(3) as u64) << 32),
                false => self.2.hash_one(key),
            }
        }
        fn is(&self, at: usize, key: i64) -> bool {
            self.0[at] == key
        }
        fn may_be(&self, at: usize, key: i64) -> bool {
            self.0[at] == key
        }
    }

    fn reference(keys: &[i64], ids: &[Option<i64>]) -> Vec<Option<usize>> {
        let mut first = HashMap::new();
        for (at, k) in keys.iter().enumerate() {
            first.entry(*k).or_insert(at);
        }
        ids.iter()
            .map(|id| id.and_then(|id| first.get(&id).copied()))
            .collect()
    }

    fn found(keys: &Ints, ids: &[Option<i64>]) -> Vec<Option<usize>> {
        let table = Slots::build(keys, keys.0.iter().map(|k| Some(*k))).unwrap();
        let mut out = Vec::new();
        table.find_all(keys, ids.iter().copied(), &mut out);
        out
    }

    #[test]
    fn colliding_keys_are_found_past_each_other_and_repeats_keep_their_first() {
        let keys = Ints(vec![7, 14, 0, 21, 3, 14, 10, 5], true, Default::default());
        let ids = [
            Some(21),
            Some(14),
            None,
            Some(28),
            Some(5),
            Some(0),
            Some(3),
        ];
        assert_eq!(
            found(&keys, &ids),
            [Some(3), Some(1), None, None, Some(7), Some(2), Some(4)]
        );
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let keys = Ints(Vec::new(), false, Default::default());
        assert_eq!(found(&keys, &[Some(1), None]), [None, None]);
    }

    fn distinct_by_polars(c: &Column) -> Vec<Option<bool>> {
        let df = DataFrame::new(c.len(), vec![c.clone()]).unwrap();
        let out = df
            .lazy()
            .select([col(c.name().clone()).is_first_distinct()])
            .collect()
            .unwrap();
        out.column(c.name())
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect()
    }

    fn distinct_here(c: &Column) -> Vec<Option<bool>> {
        first_distinct(c).unwrap().bool().unwrap().iter().collect()
    }

    #[test]
    fn first_distinct_marks_each_values_first_row_and_the_first_null() {
        let c = Column::new(
            "k".into(),
            [Some("b"), None, Some("a"), Some("b"), None, Some("a")],
        );
        let want = [true, true, true, false, false, false].map(Some);
        assert_eq!(distinct_here(&c), want);
        assert_eq!(distinct_by_polars(&c), want);
    }

    proptest! {
        /// Differential: polars' own is_first_distinct, on text (short and
        /// longer than a view holds inline) and integer columns with nulls.
        #[test]
        fn first_distinct_equals_polars(
            values in proptest::collection::vec(proptest::option::of(0i64..40), 0..300),
            long in any::<bool>(),
        ) {
            let ints = Column::new("k".into(), values.clone());
            prop_assert_eq!(distinct_here(&ints), distinct_by_polars(&ints));
            let text: Vec<Option<String>> = values
                .iter()
                .map(|v| v.map(|v| match long {
                    true => format!("a-long-lead-identifier-{v}"),
                    false => format!("L{v}"),
                }))
                .collect();
            // In two batches, as a column streamed in is (a position's
            // batch is then looked up when tags match).
            let cut = text.len() / 3;
            let mut ca: StringChunked = text[..cut].iter().cloned().collect();
            ca.append(&text[cut..].iter().cloned().collect::<StringChunked>()).unwrap();
            let text = ca.with_name("k".into()).into_column();
            prop_assert_eq!(distinct_here(&text), distinct_by_polars(&text));
        }


        /// Differential: the same positions as a plain map of each key's
        /// first position, over batches of every length.
        #[test]
        fn positions_equal_a_plain_maps(
            keys in proptest::collection::vec(-50i64..50, 0..200),
            ids in proptest::collection::vec(proptest::option::of(-60i64..60), 0..150),
            poor in any::<bool>(),
        ) {
            let table = Ints(keys.clone(), poor, Default::default());
            prop_assert_eq!(found(&table, &ids), reference(&keys, &ids));
        }
    }
}
