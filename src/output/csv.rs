//! CSV, one file per table (RFC 4180 quoting, RFC 3339 times in UTC with
//! `Z`, empty = null).

use polars::prelude::*;

use crate::error::Result;

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = super::format::rfc3339_times(frame)?;
    // Binary columns (a Parquet id stored as bytes) as their text: polars'
    // CSV writer refuses them (a breaker's `validate --quarantine-out` of
    // such leads failed with exit 1). Bytes that are not UTF-8 are empty.
    let binary: Vec<String> = df
        .columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::Binary))
        .map(|c| c.name().to_string())
        .collect();
    for name in binary {
        let text = df.column(&name)?.cast(&DataType::String)?;
        df.with_column(text)?;
    }
    // A list or struct has no CSV form (polars: "CSV format does not
    // support nested data", exit 1 for a breaker's `export leads --format
    // csv`): an exit-2 error naming the column.
    if let Some(c) = df.columns().iter().find(|c| c.dtype().is_nested()) {
        return Err(crate::error::Error::bad_argument(format!(
            "column \"{}\" holds {} values, which CSV cannot; write Parquet (`export` without --format csv) or leave the column out of the export",
            c.name(),
            c.dtype()
        )));
    }
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(&mut df)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_columns_are_written_as_their_text() {
        let ids = Series::new("lead_id".into(), [b"L1".as_slice(), b"L2".as_slice()]);
        let df = DataFrame::new(2, vec![ids.into()]).unwrap();
        let text = String::from_utf8(to_bytes(&df).unwrap()).unwrap();
        assert_eq!(text, "lead_id\nL1\nL2\n");
    }
}
