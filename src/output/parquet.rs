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

/// The hive folder name of a partition value (Hive's and Spark's name for a
/// null key, which DuckDB and polars read back as null).
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// Streams `plan` into `dir/name/` as hive-partitioned Parquet, one folder
/// `column=value` per distinct value of `column` (its text), each holding
/// `part-0.parquet` without the partition column (readers take it from the
/// path). The folder is staged beside its place and renamed over it, so a
/// failed run leaves the old one. Returns the folder, rows and partitions.
pub fn write_partitioned(
    dir: &Path,
    name: &str,
    plan: LazyFrame,
    column: &str,
) -> Result<(PathBuf, u64, usize)> {
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
    let key = col(column).cast(DataType::String);
    let values: Vec<Option<String>> = plan
        .clone()
        .select([key.clone().alias("v")])
        .unique(None, UniqueKeepStrategy::Any)
        .sort(["v"], SortMultipleOptions::default().with_nulls_last(true))
        .collect()?
        .column("v")?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect();
    let staging = super::atomic::staging()
        .tempdir_in(dir)
        .map_err(|e| fail(dir, e.to_string()))?;
    let mut rows = 0u64;
    for v in &values {
        let folder = staging
            .path()
            .join(format!("{column}={}", v.as_deref().unwrap_or(HIVE_NULL)));
        std::fs::create_dir_all(&folder).map_err(|e| fail(&folder, e.to_string()))?;
        let part = folder.join("part-0.parquet");
        let keep = match v {
            Some(v) => key.clone().eq(lit(v.clone())),
            None => key.clone().is_null(),
        };
        plan.clone()
            .filter(keep)
            .drop(by_name([column], true, false))
            .sink(
                SinkDestination::File {
                    target: SinkTarget::Path(PlRefPath::try_from_path(&part)?),
                },
                FileWriteFormat::Parquet(Default::default()),
                UnifiedSinkArgs::default(),
            )?
            .collect_with_engine(Engine::Streaming)?;
        rows +=
            LazyFrame::scan_parquet(PlRefPath::try_from_path(&part)?, ScanArgsParquet::default())?
                .select([len().alias("n")])
                .collect()?
                .column("n")?
                .cast(&DataType::UInt64)?
                .u64()?
                .get(0)
                .unwrap_or(0);
    }
    let target = dir.join(name);
    // Replace an earlier export: move it aside, move the new one in, then
    // remove the old one.
    let old = dir.join(format!(".{name}.old"));
    let _ = std::fs::remove_dir_all(&old);
    if target.exists() {
        std::fs::rename(&target, &old).map_err(|e| fail(&target, e.to_string()))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, &target).map_err(|e| fail(&target, e.to_string()))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok((target, rows, values.len()))
}
