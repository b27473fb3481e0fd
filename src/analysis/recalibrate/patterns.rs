//! The leads' indicator rows as distinct patterns. Indicators are cut from
//! a few columns, so millions of leads share a few thousand rows of 0/1
//! values; the fit, the predictions and the points are computed once per
//! pattern (at 10M generated leads: 7.5M leads, 60 indicators, one u32 per
//! lead instead of a 450 MB matrix). The indicators arrive as bits of u64
//! words per lead ([`word`]). [`Scores`] does the same for the current
//! score's distinct values.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::stats::logistic::Counts;

/// Distinct indicator rows, with how many train and test leads of each
/// outcome have each, and each lead's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    /// Indicators per row.
    pub p: usize,
    /// The distinct rows, p bytes (0 or 1) each, in order of first lead.
    rows: Vec<u8>,
    /// Train leads with each row, by outcome.
    pub train: Vec<Counts>,
    /// Test leads with each row, by outcome.
    pub test: Vec<Counts>,
    /// Each lead's row, in frame order.
    of_lead: Vec<u32>,
}

/// Per indicator: leads it matches, by split and outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Support {
    pub train: Counts,
    pub test: Counts,
}

/// The u64 words `p` indicators take (at least one).
pub fn words(p: usize) -> usize {
    p.div_ceil(64).max(1)
}

/// The column of indicator word `k`.
pub fn word(k: usize) -> String {
    format!("__w{k}")
}

impl Patterns {
    /// Takes the indicator words `__w0`… ([`word`]: UInt64, bit `j % 64`
    /// of word `j / 64` is indicator `j`; a null word has none set) out of
    /// `frame` (each freed once read) and interns each lead's row of `p`
    /// indicators; `y` and `is_train` are per lead, in frame order.
    pub fn take(frame: &mut DataFrame, p: usize, y: &[bool], is_train: &[bool]) -> Result<Self> {
        let leads = frame.height();
        if y.len() != leads || is_train.len() != leads {
            return Err(Error::Internal(format!(
                "recalibrate: {leads} leads but {} outcomes and {} splits",
                y.len(),
                is_train.len()
            )));
        }
        // Each lead's row as bits, `words` u64 per lead.
        let words = words(p);
        let mut bits = vec![0u64; leads * words];
        for k in 0..words {
            let column = frame.drop_in_place(&word(k))?;
            for (r, v) in column.u64()?.iter().enumerate() {
                bits[r * words + k] = v.unwrap_or(0);
            }
        }
        let mut index: PlHashMap<&[u64], u32> = PlHashMap::new();
        let mut rows: Vec<u8> = Vec::new();
        let mut train: Vec<Counts> = Vec::new();
        let mut test: Vec<Counts> = Vec::new();
        let mut of_lead: Vec<u32> = Vec::with_capacity(leads);
        for (r, key) in bits.chunks(words).enumerate() {
            let k = match index.get(key) {
                Some(k) => *k as usize,
                None => {
                    let k = train.len();
                    index.insert(key, k as u32);
                    rows.extend((0..p).map(|j| ((key[j / 64] >> (j % 64)) & 1) as u8));
                    train.push(Counts::default());
                    test.push(Counts::default());
                    k
                }
            };
            let counts = match is_train[r] {
                true => &mut train[k],
                false => &mut test[k],
            };
            match y[r] {
                true => counts.positives += 1,
                false => counts.negatives += 1,
            }
            of_lead.push(k as u32);
        }
        Ok(Patterns {
            p,
            rows,
            train,
            test,
            of_lead,
        })
    }

    /// The distinct rows.
    pub fn rows(&self) -> Vec<&[u8]> {
        match self.p {
            0 => vec![&[][..]; self.train.len()],
            p => self.rows.chunks(p).collect(),
        }
    }

    /// Per indicator, the leads it matches.
    pub fn support(&self) -> Vec<Support> {
        let mut out = vec![Support::default(); self.p];
        for (k, row) in self.rows().into_iter().enumerate() {
            for (s, _) in out.iter_mut().zip(row).filter(|(_, v)| **v != 0) {
                s.train.positives += self.train[k].positives;
                s.train.negatives += self.train[k].negatives;
                s.test.positives += self.test[k].positives;
                s.test.negatives += self.test[k].negatives;
            }
        }
        out
    }

    /// Each lead's pattern, split into train and test leads (each in
    /// frame order).
    pub fn leads(&self, is_train: &[bool]) -> (Vec<u32>, Vec<u32>) {
        split(&self.of_lead, is_train)
    }
}

/// `values` (one per lead) split into train and test leads, each in frame
/// order.
pub fn split<T: Copy>(values: &[T], is_train: &[bool]) -> (Vec<T>, Vec<T>) {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (v, t) in values.iter().zip(is_train) {
        match t {
            true => train.push(*v),
            false => test.push(*v),
        }
    }
    (train, test)
}

/// The current score's distinct values as levels, with how many train and
/// test leads of each outcome have each, and each lead's level per split.
/// A score that is missing or not a finite number (NaN, inf) is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Each level's score, in order of first lead.
    pub values: Vec<Option<f64>>,
    pub train: Vec<Counts>,
    pub test: Vec<Counts>,
    /// Each test lead's level, in frame order.
    pub test_leads: Vec<u32>,
}

impl Scores {
    /// Interns `scores` (one per lead, in frame order; `y` and `is_train`
    /// likewise) by value.
    pub fn take(scores: &Float64Chunked, y: &[bool], is_train: &[bool]) -> Result<Self> {
        if scores.len() != y.len() || is_train.len() != y.len() {
            return Err(Error::Internal(format!(
                "recalibrate: {} scores for {} leads",
                scores.len(),
                y.len()
            )));
        }
        let mut index: PlHashMap<Option<u64>, u32> = PlHashMap::new();
        let mut out = Scores {
            values: Vec::new(),
            train: Vec::new(),
            test: Vec::new(),
            test_leads: Vec::new(),
        };
        for (r, v) in scores.iter().enumerate() {
            let v = v.filter(|v| v.is_finite());
            let k = *index.entry(v.map(f64::to_bits)).or_insert_with(|| {
                out.values.push(v);
                out.train.push(Counts::default());
                out.test.push(Counts::default());
                out.values.len() as u32 - 1
            });
            let counts = match is_train[r] {
                true => &mut out.train[k as usize],
                false => {
                    out.test_leads.push(k);
                    &mut out.test[k as usize]
                }
            };
            match y[r] {
                true => counts.positives += 1,
                false => counts.negatives += 1,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(negatives: u64, positives: u64) -> Counts {
        Counts {
            negatives,
            positives,
        }
    }

    #[test]
    fn leads_with_equal_rows_share_a_pattern_counted_by_split_and_outcome() {
        // Leads: rows (1,0,1) ×3, (0,1,0) ×2, (0,0,0) ×1, as bits 0-2.
        let mut frame = df!(
            "__w0" => [Some(0b101u64), Some(0b010), Some(0b101), Some(0b010), Some(0b101), None],
            "other" => [7i32, 7, 7, 7, 7, 7],
        )
        .unwrap();
        let y = [true, false, false, true, true, false];
        let is_train = [true, true, true, false, false, true];
        let pat = Patterns::take(&mut frame, 3, &y, &is_train).unwrap();
        assert_eq!(pat.rows(), vec![&[1u8, 0, 1][..], &[0, 1, 0], &[0, 0, 0]]);
        assert_eq!(pat.train, vec![counts(1, 1), counts(1, 0), counts(1, 0)]);
        assert_eq!(pat.test, vec![counts(0, 1), counts(0, 1), counts(0, 0)]);
        // The indicator words are taken out; the rest stays.
        assert_eq!(frame.get_column_names(), ["other"]);
        let support = pat.support();
        assert_eq!(support[0].train, counts(1, 1));
        assert_eq!(support[0].test, counts(0, 1));
        assert_eq!(support[1].train, counts(1, 0));
        assert_eq!(support[1].test, counts(0, 1));
        let (train, test) = pat.leads(&is_train);
        assert_eq!(train, [0, 1, 0, 2]);
        assert_eq!(test, [1, 0]);
    }

    #[test]
    fn scores_intern_by_value_with_none_for_missing_and_not_finite() {
        let scores = Float64Chunked::from_iter([
            Some(5.0),
            None,
            Some(f64::NAN),
            Some(5.0),
            Some(2.0),
            Some(f64::INFINITY),
        ]);
        let y = [true, false, true, false, true, false];
        let is_train = [true, true, false, false, true, false];
        let s = Scores::take(&scores, &y, &is_train).unwrap();
        assert_eq!(s.values, [Some(5.0), None, Some(2.0)]);
        assert_eq!(s.train, vec![counts(0, 1), counts(1, 0), counts(0, 1)]);
        assert_eq!(s.test, vec![counts(1, 0), counts(1, 1), counts(0, 0)]);
        assert_eq!(s.test_leads, [1, 0, 1]);
        assert!(Scores::take(&scores, &y[..2], &is_train).is_err());
    }

    #[test]
    fn more_than_64_indicators_span_several_words() {
        // Indicator 69 is bit 5 of word 1; indicator 5 bit 5 of word 0.
        let mut frame = df!(
            "__w0" => [0u64, 1 << 5, 0],
            "__w1" => [1u64 << 5, 0, 1 << 5],
            "x" => [1u8, 2, 3],
        )
        .unwrap();
        let pat = Patterns::take(&mut frame, 70, &[true, false, false], &[true; 3]).unwrap();
        let rows = pat.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iter().position(|v| *v == 1), Some(69));
        assert_eq!(rows[0].iter().filter(|v| **v == 1).count(), 1);
        assert_eq!(rows[1].iter().position(|v| *v == 1), Some(5));
        assert_eq!(pat.train, vec![counts(1, 1), counts(1, 0)]);
        assert_eq!(words(64), 1);
        assert_eq!(words(65), 2);
        assert_eq!(words(0), 1);
    }
}
