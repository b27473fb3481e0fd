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
//! - integers of different widths become Int64 (UInt64 among them: Float64,
//!   then as numbers below);
//! - integers and floats become Float64;
//! - a date beside a zone-less timestamp becomes a timestamp;
//! - anything else that differs becomes text (a date's text is its ISO
//!   form, which the timestamp rules read), so a value the rules cannot
//!   read sets its row aside rather than failing the table;
//! - an all-null part (`Null`) takes the others' type.

use std::collections::BTreeMap;

use polars::prelude::*;

/// `frames` stacked into one (columns a part lacks are null there), each
/// column cast to the type its parts share.
///
/// Errors: polars' own, when a file's schema cannot be read.
pub fn union(frames: Vec<LazyFrame>) -> PolarsResult<LazyFrame> {
    let schemas = frames
        .iter()
        .map(schema_of)
        .collect::<PolarsResult<Vec<_>>>()?;
    let targets = common_types(&schemas);
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
/// type cast to it.
fn cast_to(frame: LazyFrame, schema: &Schema, targets: &BTreeMap<String, DataType>) -> LazyFrame {
    let casts: Vec<Expr> = schema
        .iter()
        .filter_map(|(name, dtype)| {
            let target = targets.get(name.as_str())?;
            (target != dtype).then(|| col(name.clone()).cast(target.clone()))
        })
        .collect();
    match casts.is_empty() {
        true => frame,
        false => frame.with_columns(casts),
    }
}

/// Each column's type over every part that has it (see the module's rules).
pub fn common_types(schemas: &[SchemaRef]) -> BTreeMap<String, DataType> {
    let mut seen: BTreeMap<String, Vec<DataType>> = BTreeMap::new();
    for schema in schemas {
        for (name, dtype) in schema.iter() {
            seen.entry(name.to_string())
                .or_default()
                .push(dtype.clone());
        }
    }
    seen.into_iter()
        .map(|(name, dtypes)| (name, common_type(&dtypes)))
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
    if known
        .iter()
        .all(|d| d.is_integer() && *d != DataType::UInt64)
    {
        return DataType::Int64;
    }
    if known.iter().all(|d| d.is_primitive_numeric()) {
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
        let got = common_types(&[a.clone(), b.clone()]);
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
