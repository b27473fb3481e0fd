//! Finding a table's files: one Parquet file, a folder of part files (hive
//! partitions allowed), a glob, or a CSV file (SPEC §1).
//!
//! In a data folder a table is found by its name, in this order:
//! `<name>.parquet`, `<name>/` (a folder of parts), `<name>.csv`. When more
//! than one exists the first wins and the others are named in a note.

use std::path::{Path, PathBuf};

use crate::config::FileFormat;
use crate::error::{Error, Result};

/// The files of one table.
#[derive(Debug, Clone)]
pub struct Location {
    /// What the user would call it: the file, folder or glob.
    pub display: String,
    pub format: FileFormat,
    pub files: Vec<PathBuf>,
    /// A folder with `key=value` partition folders: scan the folder so polars
    /// turns the partitions into columns.
    pub hive_root: Option<PathBuf>,
    /// A CSV's field separator in each file, once the scan has chosen them
    /// (each file's own: a glob may match files written by two tools).
    pub separators: Vec<u8>,
}

impl Location {
    /// The one-line error for table `table` whose files polars could not
    /// read (`detail`, polars' text): for a CSV, the first row with more
    /// fields than the header or a quote that never closes, by file and
    /// line, when there is one; else polars' text less its advice on
    /// settings of its API.
    pub fn unreadable(&self, table: &str, detail: &dyn std::fmt::Display) -> Error {
        let text = crate::error::one_line(&detail.to_string());
        let fault = match self.format {
            FileFormat::Csv => {
                super::csv_check::first_fault(&self.files, &self.separators, &self.display)
            }
            _ => None,
        };
        Error::Unreadable {
            table: table.to_string(),
            file: self.display.clone(),
            detail: fault.unwrap_or_else(|| super::csv_check::without_advice(&text).to_string()),
        }
    }
}

/// Looks for table `name` in a data folder; `Ok(None)` when it is not there.
pub fn find_by_name(root: &Path, name: &str) -> Result<(Option<Location>, Vec<String>)> {
    let candidates = [
        root.join(format!("{name}.parquet")),
        root.join(name),
        root.join(format!("{name}.csv")),
        root.join(format!("{name}.xlsx")),
    ];
    let present: Vec<&PathBuf> = candidates.iter().filter(|p| p.exists()).collect();
    let Some(first) = present.first() else {
        return Ok((None, Vec::new()));
    };
    let notes = present[1..]
        .iter()
        .map(|p| format!("{name}: read {}; {} ignored", first.display(), p.display()))
        .collect();
    Ok((Some(locate(name, first, None)?), notes))
}

/// `a/b/../c` -> `a/c`, without touching the disk (so links are not followed).
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Resolves a configured `path` (file, folder or glob).
pub fn locate(table: &str, path: &Path, format: Option<FileFormat>) -> Result<Location> {
    let path = &clean(path);
    let display = path.display().to_string();
    let text = path.to_string_lossy();
    let missing = |hint: &str| Error::MissingTable {
        table: table.to_string(),
        place: display.clone(),
        hint: hint.to_string(),
    };
    if text.contains(['*', '?', '[']) {
        let mut files: Vec<PathBuf> = glob::glob(&text)
            .map_err(|e| Error::bad_argument(format!("{table}: bad glob \"{text}\": {e}")))?
            .filter_map(|r| r.ok())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let first = files
            .first()
            .ok_or_else(|| missing(" (the glob matches no file)"))?;
        let format = format
            .or_else(|| format_of(first))
            .ok_or_else(|| unknown_format(table, first))?;
        return Ok(Location {
            display,
            format,
            files,
            hive_root: None,
            separators: Vec::new(),
        });
    }
    if path.is_dir() {
        let mut files = Vec::new();
        let mut hive = false;
        collect_parts(path, &mut files, &mut hive).map_err(|e| Error::Unreadable {
            table: table.to_string(),
            file: display.clone(),
            detail: e.to_string(),
        })?;
        files.sort();
        let format = match format {
            Some(f) => f,
            None => {
                let first = files
                    .iter()
                    .find(|f| format_of(f).is_some())
                    .ok_or_else(|| missing(" (the folder holds no .parquet or .csv file)"))?;
                format_of(first).ok_or_else(|| unknown_format(table, first))?
            }
        };
        // Parts of two formats are one table written twice or two tables:
        // reading one kind would leave the other's rows out unseen.
        let mut kinds: Vec<&str> = Vec::new();
        for kind in files.iter().filter_map(|f| format_of(f)) {
            let name = match kind {
                FileFormat::Parquet => "Parquet",
                FileFormat::Csv => "CSV",
                FileFormat::Xlsx => "Excel",
            };
            if !kinds.contains(&name) {
                kinds.push(name);
            }
        }
        if kinds.len() > 1 {
            return Err(Error::Unreadable {
                table: table.to_string(),
                file: display.clone(),
                detail: format!(
                    "the folder holds {} parts: leadloop reads one format per table; \
                     convert the parts to one format, or move the others out",
                    kinds.join(" and ")
                ),
            });
        }
        files.retain(|f| format_of(f) == Some(format));
        if files.is_empty() {
            return Err(missing(" (the folder holds no part file)"));
        }
        return Ok(Location {
            display,
            format,
            files,
            hive_root: hive.then(|| path.to_path_buf()),
            separators: Vec::new(),
        });
    }
    if path.is_file() {
        let format = format
            .or_else(|| format_of(path))
            .ok_or_else(|| unknown_format(table, path))?;
        return Ok(Location {
            display,
            format,
            files: vec![path.to_path_buf()],
            hive_root: None,
            separators: Vec::new(),
        });
    }
    Err(missing(&format!(
        " (no such file or folder; a path in leadloop.toml is relative to its folder{})",
        near_miss(path)
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default()
    )))
}

/// A file beside `path` whose name differs only in case or by a plural `s`
/// (`Leads.csv` for `Lead.csv`), for the missing-file hint.
fn near_miss(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| {
            let l = n.to_lowercase();
            let (s, e) = l.rsplit_once('.').unwrap_or((l.as_str(), ""));
            e == ext && (s == stem || s.trim_end_matches('s') == stem.trim_end_matches('s'))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn unknown_format(table: &str, path: &Path) -> Error {
    let excel = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "xlsx" | "xls" | "xlsm"));
    let compressed = compression_of(path);
    Error::Unreadable {
        table: table.to_string(),
        file: path.display().to_string(),
        detail: match (excel, compressed) {
            (true, _) => "Excel workbooks are not read yet; save the sheet as CSV (File > Save As > CSV UTF-8) and point the path at it".into(),
            (false, Some(kind)) => format!("the file is {kind}-compressed; leadloop reads plain CSV or Parquet: decompress it first"),
            (false, None) => "cannot tell the format from the name; set `format = \"csv\"` or `\"parquet\"` in leadloop.toml".into(),
        },
    }
}

/// The compression a file's name says it has (`leads.csv.gz`: gzip).
pub fn compression_of(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "gz" | "gzip" => Some("gzip"),
        "bz2" => Some("bzip2"),
        "zst" | "zstd" => Some("zstd"),
        "xz" => Some("xz"),
        "zip" => Some("zip"),
        _ => None,
    }
}

pub fn format_of(path: &Path) -> Option<FileFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "parquet" | "pq" | "parq" => Some(FileFormat::Parquet),
        "csv" | "tsv" | "txt" => Some(FileFormat::Csv),
        "xlsx" | "xlsm" | "xls" => Some(FileFormat::Xlsx),
        _ => None,
    }
}

/// Part files below `dir`, skipping hidden and `_`-prefixed files (`_SUCCESS`).
fn collect_parts(dir: &Path, out: &mut Vec<PathBuf>, hive: &mut bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if path.is_dir() {
            if name.contains('=') {
                *hive = true;
            }
            collect_parts(&path, out, hive)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_lexically() {
        assert_eq!(
            clean(Path::new("a/b/../../c/./d.csv")),
            PathBuf::from("c/d.csv")
        );
        assert_eq!(clean(Path::new("../x/../y")), PathBuf::from("../y"));
        assert_eq!(clean(Path::new("./")), PathBuf::from("."));
    }

    #[test]
    fn formats_from_extensions() {
        assert_eq!(
            format_of(Path::new("a/leads.parquet")),
            Some(FileFormat::Parquet)
        );
        assert_eq!(format_of(Path::new("Leads.CSV")), Some(FileFormat::Csv));
        assert_eq!(format_of(Path::new("leads.xlsx")), Some(FileFormat::Xlsx));
    }

    #[test]
    fn finds_parquet_before_folder_before_csv() {
        let dir = tempfile::tempdir().unwrap();
        let touch = |p: &str| {
            #[allow(clippy::disallowed_methods)]
            std::fs::write(dir.path().join(p), b"x").unwrap();
        };
        touch("leads.csv");
        let (loc, notes) = find_by_name(dir.path(), "leads").unwrap();
        assert_eq!(loc.unwrap().format, FileFormat::Csv);
        assert!(notes.is_empty());
        touch("leads.parquet");
        let (loc, notes) = find_by_name(dir.path(), "leads").unwrap();
        assert_eq!(loc.unwrap().format, FileFormat::Parquet);
        assert_eq!(notes.len(), 1);
        let (none, _) = find_by_name(dir.path(), "deals").unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn part_folder_with_hive_partitions() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("deals/month=2024-01");
        std::fs::create_dir_all(&part).unwrap();
        #[allow(clippy::disallowed_methods)]
        {
            std::fs::write(part.join("part-0.parquet"), b"x").unwrap();
            std::fs::write(dir.path().join("deals/_SUCCESS"), b"").unwrap();
        }
        let loc = locate("deals", &dir.path().join("deals"), None).unwrap();
        assert_eq!(loc.files.len(), 1);
        assert!(loc.hive_root.is_some());
    }

    #[test]
    fn glob_matching_nothing_is_a_missing_table() {
        let dir = tempfile::tempdir().unwrap();
        let err = locate("spend", &dir.path().join("spend-*.csv"), None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("matches no file"));
    }
}
