//! Parquet, one file per table (zstd, the BI tools' default).

use polars::prelude::*;

use crate::error::Result;

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = frame.clone();
    ParquetWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}
