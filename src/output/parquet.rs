//! Parquet, one file per table (zstd, the BI tools' default).

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};

pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = utc(frame.clone().lazy())?.collect()?;
    ParquetWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}

/// `plan` with its naive timestamps marked as UTC. leadloop keeps instants
/// as naive UTC inside; a Parquet file says so (isAdjustedToUTC), so DuckDB,
/// Spark and BI tools do not read them as local time (as CSV and JSON carry
/// a `Z`).
fn utc(mut plan: LazyFrame) -> Result<LazyFrame> {
    let schema = plan.collect_schema()?;
    let marks: Vec<Expr> = schema
        .iter()
        .filter(|(_, d)| matches!(d, DataType::Datetime(_, None)))
        .map(|(n, _)| {
            col(n.as_str()).dt().replace_time_zone(
                Some(TimeZone::UTC),
                lit("raise"),
                NonExistent::Raise,
            )
        })
        .collect();
    Ok(match marks.is_empty() {
        true => plan,
        false => plan.with_columns(marks),
    })
}

/// Streams `plan` into `dir/name` (staged beside it and renamed in place,
/// like every output: `atomic`), so a table larger than memory can be
/// written; returns the path and the number of rows written.
pub fn write_streamed(dir: &Path, name: &str, plan: LazyFrame) -> Result<(PathBuf, u64)> {
    let fail = |path: &Path, detail: String| Error::Output {
        path: path.to_path_buf(),
        detail,
    };
    folder(dir)?;
    let tmp = super::atomic::staging()
        .tempfile_in(dir)
        .map_err(|e| fail(dir, e.to_string()))?;
    let target = PlRefPath::try_from_path(tmp.path())?;
    utc(plan)?
        .sink(
            SinkDestination::File {
                target: SinkTarget::Path(target.clone()),
            },
            FileWriteFormat::Parquet(Default::default()),
            UnifiedSinkArgs::default(),
        )?
        .collect_with_engine(Engine::Streaming)?;
    let rows = rows_in(target)?;
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

/// `dir`, created if needed; a file there is the user's mistake (exit 2).
fn folder(dir: &Path) -> Result<()> {
    if dir.is_file() {
        return Err(Error::bad_argument(format!(
            "{}: is a file, not a folder; give a folder to write into",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.to_path_buf(),
        detail: e.to_string(),
    })
}

/// The rows of a Parquet file just written (read from its footer).
fn rows_in(file: PlRefPath) -> Result<u64> {
    Ok(LazyFrame::scan_parquet(file, ScanArgsParquet::default())?
        .select([len().alias("n")])
        .collect()?
        .column("n")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0))
}

/// A partition value as a folder name, escaped as Hive does (`%2F` for
/// `/`): letters, digits, `_`, `-`, `.` and space stay, every other byte is
/// `%XX`, so no value can leave its folder (`../x` is `..%2Fx`). A value
/// spelled like the null folder is escaped too; one too long for a file
/// name is cut and ends with a hash of the whole, so two long values never
/// share a folder.
pub fn escape_partition(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b' ' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out == HIVE_NULL {
        out = format!("%5F{}", &out[1..]);
    }
    if out.len() > 180 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        value.hash(&mut h);
        out = format!("{}~{:016x}", &out[..160], h.finish());
    }
    out
}

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
    folder(dir)?;
    // A column name goes into every folder name as is: it must be safe there.
    if column.is_empty() || escape_partition(column) != column || column.starts_with('.') {
        return Err(Error::bad_argument(format!(
            "--partition-by {column}: a partition column's name must be letters, digits, '_', '-' or '.' (rename it in leadloop.toml)"
        )));
    }
    let plan = utc(plan)?;
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
    let staging = tempfile::Builder::new()
        .prefix(".leadloop-")
        .suffix(".tmp")
        .tempdir_in(dir)
        .map_err(|e| fail(dir, e.to_string()))?;
    let mut rows = 0u64;
    for v in &values {
        let folder = staging.path().join(format!(
            "{column}={}",
            v.as_deref().map_or(HIVE_NULL.to_string(), escape_partition)
        ));
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
        rows += rows_in(PlRefPath::try_from_path(&part)?)?;
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
    // Readable by everyone who may read the folder it sits in, as the files
    // are (a private temporary folder would lock other users and engines out).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| fail(&staged, e.to_string()))?;
    }
    std::fs::rename(&staged, &target).map_err(|e| fail(&target, e.to_string()))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok((target, rows, values.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_never_leave_their_folder() {
        assert_eq!(escape_partition("2025-01"), "2025-01");
        assert_eq!(escape_partition("../../x"), "..%2F..%2Fx");
        assert_eq!(escape_partition("a=b/c"), "a%3Db%2Fc");
        assert_eq!(escape_partition("/abs"), "%2Fabs");
        assert_eq!(escape_partition("2025-01-01T00:00"), "2025-01-01T00%3A00");
        assert_eq!(escape_partition(HIVE_NULL), "%5F_HIVE_DEFAULT_PARTITION__");
        assert_eq!(escape_partition("é"), "%C3%A9");
        let long = "L".repeat(300);
        let e = escape_partition(&long);
        assert!(e.len() < 200 && e.starts_with("LLL"));
        assert_ne!(e, escape_partition(&"L".repeat(301)));
    }
}
