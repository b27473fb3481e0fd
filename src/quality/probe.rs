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
    /// Whether each position's key (`present`: the keys at 0, 1, … in
    /// order, None where a position has none) repeats an earlier
    /// position's: false for the first of each key and for a position
    /// without one (as polars' `is_first_distinct` is true for the first).
    /// None for more than `u32::MAX - 1` positions.
    /// The table is returned too: it holds each key at its first position.
    pub fn repeats<'k, K: Keyed>(
        keys: &'k K,
        present: impl Iterator<Item = Option<K::Key<'k>>>,
    ) -> Option<(Slots, Vec<bool>)> {
        let mut table = Slots::for_keys(keys.positions())?;
        let mut out = Vec::with_capacity(keys.positions());
        table.insert_noting(keys, present, |repeated| out.push(repeated));
        Some((table, out))
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
    /// in order, None where a position has none; a repeated key keeps its
    /// first position), a batch's first slots read together before its
    /// keys go in, telling `seen` for each position in order whether its
    /// key was in the table already (false without a key).
    fn insert_noting<'k, K: Keyed>(
        &mut self,
        keys: &'k K,
        present: impl Iterator<Item = Option<K::Key<'k>>>,
        mut seen: impl FnMut(bool),
    ) {
        let mut batch: Vec<Option<K::Key<'k>>> = Vec::with_capacity(BATCH);
        let mut present = present.peekable();
        let mut begin = 0;
        while present.peek().is_some() {
            batch.clear();
            batch.extend(present.by_ref().take(BATCH));
            let (hashes, warm) = self.first_slots(keys, &batch);
            // The reads are the point (the inserts below find the slots
            // in cache), so they must not be optimised away.
            std::hint::black_box(&warm);
            for (k, key) in batch.iter().enumerate() {
                let Some(key) = key else {
                    seen(false);
                    continue;
                };
                match self.walk(keys, *key, hashes[k], self.start(hashes[k])) {
                    Err(empty) => {
                        self.slots[empty] = (hashes[k] & TAG) | ((begin + k) as u64 + 1);
                        seen(false);
                    }
                    Ok(_) => seen(true),
                }
            }
            begin += batch.len();
        }
    }

    /// The hash and the first slot of each key of a batch (none for an
    /// absent key): reads independent of each other, so in flight together.
    fn first_slots<K: Keyed>(
        &self,
        keys: &K,
        batch: &[Option<K::Key<'_>>],
    ) -> ([u64; BATCH], [u64; BATCH]) {
        let mut hashes = [0u64; BATCH];
        let mut first = [0u64; BATCH];
        for (k, key) in batch.iter().enumerate() {
            if let Some(key) = key {
                hashes[k] = keys.hash(*key);
                first[k] = self.slots[self.start(hashes[k])];
            }
        }
        (hashes, first)
    }

    fn start(&self, hash: u64) -> usize {
        hash as usize & self.mask
    }

    /// Walks the slots from `i` for `key` (with its `hash`): Ok(its
    /// position), or Err(the empty slot that ends the walk, where it would go).
    fn walk<K: Keyed>(
        &self,
        keys: &K,
        key: K::Key<'_>,
        hash: u64,
        mut i: usize,
    ) -> Result<usize, usize> {
        loop {
            let s = self.slots[i];
            if s == 0 {
                return Err(i);
            }
            if s & TAG == hash & TAG && keys.is(position(s), key) {
                return Ok(position(s));
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
            // Round one: each id's first slot (independent reads).
            let (hashes, first) = self.first_slots(keys, &batch);
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
                    _ => self.walk(keys, *id, hashes[k], self.start(hashes[k])).ok(),
                };
                out.push(found);
            }
        }
    }
}

fn position(slot: u64) -> usize {
    (slot & POSITION) as usize - 1
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
        let (table, _) = Slots::repeats(keys, keys.0.iter().map(|k| Some(*k))).unwrap();
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

    /// A plain set's answer: whether each key was seen at an earlier position.
    fn repeats_reference(keys: &[Option<i64>]) -> Vec<bool> {
        let mut seen = std::collections::HashSet::new();
        keys.iter()
            .map(|k| k.is_some_and(|k| !seen.insert(k)))
            .collect()
    }

    #[test]
    fn repeats_mark_every_later_row_of_a_key_across_batches() {
        // 40 keys: a batch boundary (32) falls between a key and its repeat.
        let mut keys: Vec<Option<i64>> = (0..40).map(Some).collect();
        keys[35] = Some(3);
        keys[5] = None;
        keys.push(Some(3));
        keys.push(None);
        let table = Ints(
            keys.iter().map(|k| k.unwrap_or(-1)).collect(),
            true,
            Default::default(),
        );
        let (_, got) = Slots::repeats(&table, keys.iter().copied()).unwrap();
        let mut want = vec![false; 42];
        want[35] = true;
        want[40] = true;
        assert_eq!(got, want);
    }

    proptest! {
        /// Differential: `repeats` against a plain set, with absent keys.
        #[test]
        fn repeats_equal_a_plain_sets(
            keys in proptest::collection::vec(proptest::option::of(-30i64..30), 0..200),
            poor in any::<bool>(),
        ) {
            let table = Ints(keys.iter().map(|k| k.unwrap_or(0)).collect(), poor, Default::default());
            let (_, got) = Slots::repeats(&table, keys.iter().copied()).unwrap();
            prop_assert_eq!(got, repeats_reference(&keys));
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
