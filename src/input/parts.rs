//! One table from several files that type a column differently.
//!
//! The parts of one export are often written by different tools or on
//! different days: a pandas `category` column beside plain text, integer
//! scores in one part and floats in the next, a date in one and its text in
//! another. polars refuses to stack such parts ("union inputs should all
//! have the same schema"), and leadloop's rules (SPEC §1) type the columns
//! they read themselves, so each column is given one type all its parts can
//! be cast to without losing a value:
//!
//! - a categorical (Categorical or Enum) is its text, in every part;
//! - integers of different widths become Int64, but beside UInt64 text
//!   (an id above 2^63 − 1 has no Int64);
//! - floats with integers of at most 32 bits become Float64 (exact);
//! - anything else that differs becomes text: a 64-bit integer beside a
//!   float (a float would round an id of 1e17 + 1), a date beside its
//!   text. A float's text is its whole number as an integer (`701.0` is
//!   `701`, as a float id is: `KeyType::cast`), a date's its ISO form,
//!   which the rules read as they read a CSV's, so a value they cannot
//!   read sets its row aside rather than failing the table;
//! - a date beside a zone-less timestamp becomes a timestamp;
//! - an all-null part (`Null`) takes the others' type;
//! - a nested column (list, struct) beside another type is an error
//!   naming the column: it has no text to share.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::keys::KeyType;

/// `frames` stacked into one (columns a part lacks are null there), each
/// column cast to the type its parts share.
///
/// Errors: polars' own, when a file's schema cannot be read.
pub fn union(frames: Vec<LazyFrame>) -> PolarsResult<LazyFrame> {
    let schemas = frames
        .iter()
        .map(schema_of)
        .collect::<PolarsResult<Vec<_>>>()?;
    let targets = common_types(&schemas)?;
    let mut cast: Vec<LazyFrame> = frames
        .into_iter()
        .zip(&schemas)
        .map(|(frame, schema)| cast_to(frame, schema, &targets))
        .collect();
    if cast.len() == 1 {
        return cast.pop().ok_or_else(|| polars_err!(NoData: "no files"));
    }
    if cast.is_empty() {
        return Err(polars_err!(NoData: "no files"));
    }
    concat_lf_diagonal(cast, UnionArgs::default())
}

/// The schema of `frame`, found on a copy of its plan. polars' own
/// `collect_schema` replaces a frame's plan with its converted form; with
/// each input scan so replaced, the ledger's later plans over the inputs
/// took 8.5 s instead of 0.9 s at 10M leads, at a peak of 3.9 GB instead
/// of 1.4 (a cold `report --timings`).
pub fn schema_of(frame: &LazyFrame) -> PolarsResult<SchemaRef> {
    LazyFrame::from(frame.logical_plan.clone()).collect_schema()
}

/// Whether the parts need any cast: their schemas differ, or one has a
/// categorical column.
pub fn need_cast(schemas: &[SchemaRef]) -> bool {
    schemas.windows(2).any(|w| w[0] != w[1])
        || schemas.iter().any(|s| s.iter_values().any(is_categorical))
}

/// `frame` (of `schema`) with each column that has a target of another
/// type cast to it (a float to text by `KeyType::Text`'s rule).
fn cast_to(frame: LazyFrame, schema: &Schema, targets: &BTreeMap<String, DataType>) -> LazyFrame {
    let casts: Vec<Expr> = schema
        .iter()
        .filter_map(|(name, dtype)| {
            let target = targets.get(name.as_str())?;
            let c = col(name.clone());
            let cast = match (target, dtype.is_float()) {
                (DataType::String, true) => KeyType::Text.cast(c, dtype),
                _ => c.cast(target.clone()),
            };
            (target != dtype).then(|| cast.alias(name.clone()))
        })
        .collect();
    match casts.is_empty() {
        true => frame,
        false => frame.with_columns(casts),
    }
}

/// Each column's type over every part that has it (see the module's rules).
///
/// Errors: a nested column (list, struct, array) typed otherwise in
/// another part, named with both types.
pub fn common_types(schemas: &[SchemaRef]) -> PolarsResult<BTreeMap<String, DataType>> {
    let mut seen: BTreeMap<String, Vec<DataType>> = BTreeMap::new();
    for schema in schemas {
        for (name, dtype) in schema.iter() {
            seen.entry(name.to_string())
                .or_default()
                .push(dtype.clone());
        }
    }
    seen.into_iter()
        .map(|(name, dtypes)| {
            let target = common_type(&dtypes);
            let nested = |d: &DataType| d.is_nested() && *d != target;
            if let Some(d) = dtypes.iter().find(|d| nested(d)) {
                let other = dtypes.iter().find(|o| *o != d).unwrap_or(d);
                return Err(polars_err!(SchemaMismatch:
                    "column \"{name}\" is {d} in one part and {other} in another; \
                     write it with one type in every part"));
            }
            Ok((name, target))
        })
        .collect()
}

fn is_categorical(d: &DataType) -> bool {
    matches!(d, DataType::Categorical(..) | DataType::Enum(..))
}

/// The one type that `dtypes` (one column's, part by part) can all be cast to.
fn common_type(dtypes: &[DataType]) -> DataType {
    let known: Vec<DataType> = dtypes
        .iter()
        .filter(|d| !matches!(d, DataType::Null))
        .map(|d| match is_categorical(d) {
            true => DataType::String,
            false => d.clone(),
        })
        .collect();
    let Some(first) = known.first() else {
        return DataType::Null;
    };
    if known.iter().all(|d| d == first) {
        return first.clone();
    }
    if known.iter().all(|d| d.is_integer()) {
        return match known.contains(&DataType::UInt64) {
            true => DataType::String,
            false => DataType::Int64,
        };
    }
    let exact_in_f64 = |d: &DataType| {
        d.is_float()
            || matches!(
                d,
                DataType::Int8
                    | DataType::Int16
                    | DataType::Int32
                    | DataType::UInt8
                    | DataType::UInt16
                    | DataType::UInt32
            )
    };
    if known.iter().all(exact_in_f64) {
        return DataType::Float64;
    }
    let temporal = |d: &DataType| matches!(d, DataType::Date | DataType::Datetime(_, None));
    if known.iter().all(temporal) {
        return DataType::Datetime(TimeUnit::Microseconds, None);
    }
    DataType::String
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(fields: &[(&str, DataType)]) -> SchemaRef {
        Arc::new(Schema::from_iter(
            fields
                .iter()
                .map(|(n, d)| Field::new((*n).into(), d.clone())),
        ))
    }

    #[test]
    fn each_column_gets_the_type_every_part_casts_to_without_loss() {
        let cat = DataType::from_categories(Categories::global());
        let ms = DataType::Datetime(TimeUnit::Milliseconds, None);
        let a = schema(&[
            ("source", cat.clone()),
            ("score", DataType::Int32),
            ("n", DataType::Int64),
            ("at", DataType::Date),
            ("created_at", DataType::Date),
            ("id", DataType::Int64),
            ("empty", DataType::Null),
            ("same", DataType::Boolean),
        ]);
        let b = schema(&[
            ("source", DataType::String),
            ("score", DataType::Float64),
            ("n", DataType::Int16),
            ("at", ms),
            ("created_at", DataType::String),
            ("id", DataType::String),
            ("empty", DataType::Float32),
            ("same", DataType::Boolean),
            ("only_b", cat),
        ]);
        let got = common_types(&[a.clone(), b.clone()]).unwrap();
        let want = [
            ("at", DataType::Datetime(TimeUnit::Microseconds, None)),
            ("created_at", DataType::String),
            ("empty", DataType::Float32),
            ("id", DataType::String),
            ("n", DataType::Int64),
            ("only_b", DataType::String),
            ("same", DataType::Boolean),
            ("score", DataType::Float64),
            ("source", DataType::String),
        ];
        let want: BTreeMap<String, DataType> =
            want.into_iter().map(|(n, d)| (n.to_string(), d)).collect();
        assert_eq!(got, want);
        assert!(need_cast(&[a.clone(), b]));
        assert!(need_cast(std::slice::from_ref(&a)), "a categorical alone");
        let plain = schema(&[("x", DataType::Int64)]);
        assert!(!need_cast(&[plain.clone(), plain]));
    }

    /// Found by the breaker: UInt64 ids beside Int64 became Float64
    /// (1.844674407370954e+19), Int64 ids of 1e17 + n beside float ids
    /// rounded (698 leads duplicate_key), and float ids unified to text
    /// kept `701.0` (no handoff matched). Each is text now, whole floats
    /// as integers.
    #[test]
    fn ids_keep_every_digit_when_parts_disagree() {
        let u = df!("id" => [u64::MAX]).unwrap().lazy();
        let i = df!("id" => [7i64]).unwrap().lazy();
        let got = union(vec![u, i]).unwrap().collect().unwrap();
        let want = df!("id" => ["18446744073709551615", "7"]).unwrap();
        assert!(got.equals_missing(&want), "{got}");
        let big = df!("id" => [100_000_000_000_000_001i64]).unwrap().lazy();
        let float = df!("id" => [701.0f64, 2.5]).unwrap().lazy();
        let text = df!("id" => ["L9"]).unwrap().lazy();
        let got = union(vec![big, float, text]).unwrap().collect().unwrap();
        let want = df!("id" => ["100000000000000001", "701", "2.5", "L9"]).unwrap();
        assert!(got.equals_missing(&want), "{got}");
    }

    #[test]
    fn a_list_beside_text_is_an_error_naming_the_column() {
        let list = df!("tags" => [Series::new("".into(), ["a", "b"])])
            .unwrap()
            .lazy();
        let text = df!("tags" => ["a"]).unwrap().lazy();
        let Err(err) = union(vec![list, text]) else {
            panic!("a list and text stacked")
        };
        let err = err.to_string();
        assert!(
            err.contains("column \"tags\" is list[str] in one part and str in another"),
            "{err}"
        );
    }

    #[test]
    fn parts_typed_differently_stack_with_their_values_kept() {
        let a = df!("v" => [1i32, 2], "d" => ["x", "y"])
            .unwrap()
            .lazy()
            .with_column(col("d").cast(DataType::from_categories(Categories::global())));
        let b = df!("v" => [2.5f64], "e" => [true]).unwrap().lazy();
        let got = union(vec![a, b]).unwrap().collect().unwrap();
        let want = df!(
            "v" => [1.0f64, 2.0, 2.5],
            "d" => [Some("x"), Some("y"), None],
            "e" => [None, None, Some(true)]
        )
        .unwrap();
        assert!(got.equals_missing(&want), "{got}");
    }
}
