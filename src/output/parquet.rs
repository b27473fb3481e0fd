//! Parquet, one file per table (zstd, the BI tools' default).

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = frame.clone();
    ParquetWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}

/// Streams `plan` into `dir/name` (staged beside it and renamed in place,
/// like every output: `atomic`), so a table larger than memory can be
/// written; returns the path and the number of rows written.
pub fn write_streamed(dir: &Path, name: &str, plan: LazyFrame) -> Result<(PathBuf, u64)> {
    let fail = |path: &Path, detail: String| Error::Output {
        path: path.to_path_buf(),
        detail,
    };
    if dir.is_file() {
        return Err(Error::bad_argument(format!(
            "{}: is a file, not a folder; give a folder to write into",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e.to_string()))?;
    let tmp = super::atomic::staging()
        .tempfile_in(dir)
        .map_err(|e| fail(dir, e.to_string()))?;
    let target = PlRefPath::try_from_path(tmp.path())?;
    plan.sink(
        SinkDestination::File {
            target: SinkTarget::Path(target.clone()),
        },
        FileWriteFormat::Parquet(Default::default()),
        UnifiedSinkArgs::default(),
    )?
    .collect_with_engine(Engine::Streaming)?;
    let rows = LazyFrame::scan_parquet(target, ScanArgsParquet::default())?
        .select([len().alias("n")])
        .collect()?
        .column("n")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0);
    let written = super::atomic::persist_all(vec![(tmp, dir.join(name))])?;
    let path = written
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal("export: nothing written".into()))?;
    Ok((path, rows))
}
