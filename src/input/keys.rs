//! How lead ids compare across tables (SPEC §1 "IDs"): integers stay integers
//! when every table agrees; otherwise every side is compared as text, and the
//! data set's notes say so.

use polars::prelude::*;

use super::schema::TableKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Int,
    Text,
}

impl KeyType {
    pub fn dtype(self) -> DataType {
        match self {
            KeyType::Int => DataType::Int64,
            KeyType::Text => DataType::String,
        }
    }

    /// An expression casting a key column of input type `from` to this type.
    ///
    /// A float id (pandas writes an integer id column with a missing value
    /// as float64) is its integer's text when it is a whole number (`7.0`
    /// is `"7"`), else its own text (`2.7` is `"2.7"`, no lead's id, not
    /// lead 2's); NaN and the infinities are no id (null), as in every
    /// other float column.
    pub fn cast(self, expr: Expr, from: &DataType) -> Expr {
        match (self, from) {
            (KeyType::Int, _) => expr.cast(DataType::Int64),
            (KeyType::Text, d) if d.is_float() => {
                let x = expr.cast(DataType::Float64);
                let whole = x
                    .clone()
                    .floor()
                    .eq(x.clone())
                    .and(x.clone().abs().lt(lit(9.0e15)));
                when(x.clone().is_finite().not())
                    .then(lit(NULL).cast(DataType::String))
                    .when(whole)
                    .then(x.clone().cast(DataType::Int64).cast(DataType::String))
                    .otherwise(x.cast(DataType::String))
            }
            (KeyType::Text, _) => expr.cast(DataType::String),
        }
    }

    /// The type for a key that lives in one table only (deal_id).
    pub fn of(dtype: &DataType) -> KeyType {
        if whole_number_key(dtype) {
            KeyType::Int
        } else {
            KeyType::Text
        }
    }
}

/// A text id written as a whole float (`12.0`, `-3.0`) as its integer's
/// text (`12`); any other text as it is (`v1.0`, `1.5`, `12.00`).
pub fn whole_number_text(id: Expr) -> Expr {
    let stem = id.clone().str().strip_suffix(lit(".0"));
    let whole = id
        .clone()
        .str()
        .ends_with(lit(".0"))
        .and(stem.clone().cast(DataType::Int64).is_not_null());
    when(whole).then(stem).otherwise(id)
}

/// A lookup's key, or the key a row is matched to it by, as text: a whole
/// float as its integer (`KeyType::cast`), and so text written as a whole
/// float (`36.0`, a CSV's way with a float key) too: `36`, `"36.0"` and
/// 36.0 are one key.
pub fn lookup_key(expr: Expr, dtype: &DataType) -> Expr {
    let text = KeyType::Text.cast(expr, dtype);
    match dtype {
        DataType::String => whole_number_text(text),
        _ => text,
    }
}

/// Whether ids of `dtype` compare as 64-bit integers: integer types but
/// UInt64, whose ids above 2^63 − 1 have no Int64 (they compare as text;
/// a breaker's were cast to nothing and left leads without an id).
fn whole_number_key(dtype: &DataType) -> bool {
    dtype.is_integer() && *dtype != DataType::UInt64
}

/// Integers only when every table stores lead_id as an integer.
pub fn decide(dtypes: impl Iterator<Item = (TableKind, DataType)>) -> (KeyType, Option<String>) {
    let all: Vec<(TableKind, DataType)> = dtypes.collect();
    let ints = all.iter().filter(|(_, d)| whole_number_key(d)).count();
    if ints == all.len() && !all.is_empty() {
        return (KeyType::Int, None);
    }
    if ints == 0 {
        return (KeyType::Text, None);
    }
    let described = all
        .iter()
        .map(|(k, d)| format!("{d} in {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        KeyType::Text,
        Some(format!(
            "lead_id is {described}: the tables disagree, so lead ids are compared as text"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `key` (an expression of column `id`) over `frame`, as text.
    fn texts(frame: DataFrame, key: Expr) -> Vec<Option<String>> {
        let got = frame.lazy().select([key.alias("id")]).collect().unwrap();
        let got = got.column("id").unwrap().str().unwrap().clone();
        got.iter().map(|v| v.map(str::to_string)).collect()
    }

    fn some(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|s| s.map(str::to_string)).collect()
    }

    #[test]
    fn agreeing_integers_stay_integers() {
        let (k, note) = decide(
            [
                (TableKind::Leads, DataType::Int64),
                (TableKind::Deals, DataType::Int32),
            ]
            .into_iter(),
        );
        assert_eq!(k, KeyType::Int);
        assert!(note.is_none());
    }

    /// The text each id becomes: whole floats as integers, fractions as
    /// they are, NaN and infinity as no id; UInt64 ids compare as text, all
    /// of them (above 2^63 − 1 too).
    #[test]
    fn float_and_unsigned_ids_keep_every_distinct_id() {
        let floats = df!("id" => [Some(7.0f64), Some(2.7), Some(f64::NAN), Some(f64::INFINITY), None, Some(-3.0)])
            .unwrap();
        let got = texts(floats, KeyType::Text.cast(col("id"), &DataType::Float64));
        assert_eq!(
            got,
            some(&[Some("7"), Some("2.7"), None, None, None, Some("-3")])
        );
        let (k, note) = decide([(TableKind::Leads, DataType::UInt64)].into_iter());
        assert_eq!((k, note), (KeyType::Text, None));
        assert_eq!(KeyType::of(&DataType::UInt64), KeyType::Text);
        assert_eq!(KeyType::of(&DataType::UInt32), KeyType::Int);
        let big = df!("id" => [u64::MAX, 1]).unwrap();
        let got = texts(big, KeyType::Text.cast(col("id"), &DataType::UInt64));
        assert_eq!(got, some(&[Some("18446744073709551615"), Some("1")]));
    }

    #[test]
    fn whole_float_text_ids_are_their_integer() {
        let ids = df!("id" => [Some("12.0"), Some("12"), Some("-3.0"), Some("v1.0"), Some("1.5"), Some("12.00"), Some(".0"), None])
            .unwrap();
        let got = texts(ids, whole_number_text(col("id")));
        assert_eq!(
            got,
            some(&[
                Some("12"),
                Some("12"),
                Some("-3"),
                Some("v1.0"),
                Some("1.5"),
                Some("12.00"),
                Some(".0"),
                None
            ])
        );
    }

    #[test]
    fn disagreeing_types_compare_as_text_with_a_note() {
        let (k, note) = decide(
            [
                (TableKind::Leads, DataType::String),
                (TableKind::Deals, DataType::Int64),
            ]
            .into_iter(),
        );
        assert_eq!(k, KeyType::Text);
        let note = note.unwrap();
        assert!(note.contains("str in leads"), "{note}");
        assert!(note.contains("compared as text"), "{note}");
    }
}

/// A Salesforce id in its 18-character form (SPEC §1: a 15-character id
/// and its 18-character form are the same record). The three extra
/// characters encode, for each 5-character chunk of the 15, which
/// characters are upper case (bit i set when character i is A–Z), as an
/// index into `A…Z0…5` (Salesforce, "What are Salesforce IDs composed of?";
/// checked against published pairs in the tests). Other values pass as they
/// are; comparisons stay case-sensitive.
pub fn salesforce_id18(id: Expr) -> Expr {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let s = id.cast(DataType::String);
    let upper = |i: i64| {
        s.clone()
            .str()
            .slice(lit(i), lit(1u64))
            .str()
            .contains(lit("^[A-Z]$"), true)
            .cast(DataType::UInt32)
    };
    let chunk = |c: i64| (0..5).fold(lit(0u32), |acc, j| acc + upper(c * 5 + j) * lit(1u32 << j));
    let letters: Vec<String> = ALPHABET.chars().map(String::from).collect();
    let codes: Vec<u32> = (0..32).collect();
    let suffix_char = |c: i64| {
        chunk(c).replace_strict(
            lit(Series::new("i".into(), codes.clone())),
            lit(Series::new("c".into(), letters.clone())),
            None,
            Some(DataType::String),
        )
    };
    let is15 = s
        .clone()
        .str()
        .contains(lit("^[A-Za-z0-9]{15}$"), true)
        .fill_null(lit(false));
    when(is15)
        .then(concat_str(
            [s.clone(), suffix_char(0), suffix_char(1), suffix_char(2)],
            "",
            false,
        ))
        .otherwise(s)
}

#[cfg(test)]
mod salesforce_tests {
    use super::*;

    /// Published 15/18 pairs: Fivetran's dbt_salesforce_source seed
    /// `sf_lead_data.csv` (00Q1G00000nDnM5UAK, 0051G000007F2JGQA0), the
    /// gammone.com worked example (a0D30000001n7PiEAI) and the marz619
    /// gist's doctest (AAaAAbbBBBCcCCC123).
    #[test]
    fn salesforce_15_character_ids_gain_their_checksum() {
        let df = df!("id" => [
            "00Q1G00000nDnM5",
            "0051G000007F2JG",
            "a0D30000001n7Pi",
            "AAaAAbbBBBCcCCC",
            "00Q1G00000nDnM5UAK",
            "12345",
        ])
        .unwrap();
        let out = df
            .lazy()
            .select([salesforce_id18(col("id")).alias("id")])
            .collect()
            .unwrap();
        let ids: Vec<Option<&str>> = out.column("id").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            ids,
            [
                Some("00Q1G00000nDnM5UAK"),
                Some("0051G000007F2JGQA0"),
                Some("a0D30000001n7PiEAI"),
                Some("AAaAAbbBBBCcCCC123"),
                Some("00Q1G00000nDnM5UAK"),
                Some("12345"),
            ]
        );
    }
}
