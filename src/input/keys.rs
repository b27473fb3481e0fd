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
    pub fn cast(self, expr: Expr, from: &DataType) -> Expr {
        match (self, from) {
            (KeyType::Int, _) => expr.cast(DataType::Int64),
            (KeyType::Text, d) if d.is_float() => expr.cast(DataType::Int64).cast(DataType::String),
            (KeyType::Text, _) => expr.cast(DataType::String),
        }
    }

    /// The type for a key that lives in one table only (deal_id).
    pub fn of(dtype: &DataType) -> KeyType {
        if dtype.is_integer() {
            KeyType::Int
        } else {
            KeyType::Text
        }
    }
}

/// Integers only when every table stores lead_id as an integer.
pub fn decide(dtypes: impl Iterator<Item = (TableKind, DataType)>) -> (KeyType, Option<String>) {
    let all: Vec<(TableKind, DataType)> = dtypes.collect();
    let ints = all.iter().filter(|(_, d)| d.is_integer()).count();
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
