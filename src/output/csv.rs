//! CSV, one file per table (RFC 4180 quoting, ISO-8601 times, empty = null).

use polars::prelude::*;

use crate::error::Result;

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = frame.clone();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(&mut df)?;
    Ok(buf)
}
