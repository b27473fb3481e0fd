//! CSV, one file per table (RFC 4180 quoting, RFC 3339 times in UTC with
//! `Z`, empty = null).

use polars::prelude::*;

use crate::error::Result;

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = super::format::rfc3339_times(frame)?;
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(&mut df)?;
    Ok(buf)
}
