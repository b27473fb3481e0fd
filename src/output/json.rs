//! JSON: on standard output, one object holding every table and the notes;
//! with `--out`, one array of row objects per table. Non-finite numbers are null.

use polars::prelude::*;
use serde_json::{Map, Number, Value};

use super::report::Report;
use crate::error::{Error, Result};

pub fn report_value(report: &Report) -> Value {
    let mut tables = Map::new();
    for t in &report.tables {
        tables.insert(t.name.clone(), rows(&t.frame));
    }
    let mut obj = Map::new();
    obj.insert("analysis".into(), Value::String(report.analysis.clone()));
    if let Some(h) = &report.headline {
        obj.insert("headline".into(), Value::String(h.clone()));
    }
    obj.insert("tables".into(), Value::Object(tables));
    obj.insert(
        "notes".into(),
        Value::Array(report.notes.iter().cloned().map(Value::String).collect()),
    );
    if !report.files.is_empty() {
        let files: Map<String, Value> = report
            .files
            .iter()
            .map(|(n, t)| (n.clone(), Value::String(t.clone())))
            .collect();
        obj.insert("files".into(), Value::Object(files));
    }
    Value::Object(obj)
}

pub fn to_bytes(value: &Value) -> Result<Vec<u8>> {
    let mut out =
        serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(format!("json: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

pub fn rows(frame: &DataFrame) -> Value {
    // Times as RFC 3339 text in UTC (`…Z`), as in CSV.
    let frame = &super::format::rfc3339_times(frame).unwrap_or_else(|_| frame.clone());
    let columns = frame.columns();
    let mut out = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        let mut row = Map::new();
        for c in columns {
            let v = c.get(i).unwrap_or(AnyValue::Null);
            row.insert(c.name().to_string(), value(&v));
        }
        out.push(Value::Object(row));
    }
    Value::Array(out)
}

pub fn value(v: &AnyValue) -> Value {
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::String(s) => Value::String((*s).to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Float32(_) | AnyValue::Float64(_) => v
            .extract::<f64>()
            .and_then(Number::from_f64)
            .map_or(Value::Null, Value::Number),
        v if v.is_unsigned_integer() => v
            .extract::<u64>()
            .map_or(Value::Null, |n| Value::Number(n.into())),
        v if v.is_signed_integer() => v
            .extract::<i64>()
            .map_or(Value::Null, |n| Value::Number(n.into())),
        other => Value::String(super::report::cell_text(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_is_null_and_types_survive() {
        let df = df!("a" => [Some(1.5), Some(f64::NAN), None], "b" => ["x", "y", "z"], "n" => [1i64, 2, 3]).unwrap();
        let v = rows(&df);
        assert_eq!(v[0]["a"], serde_json::json!(1.5));
        assert_eq!(v[1]["a"], Value::Null);
        assert_eq!(v[2]["a"], Value::Null);
        assert_eq!(v[2]["b"], serde_json::json!("z"));
        assert_eq!(v[1]["n"], serde_json::json!(2));
    }
}
