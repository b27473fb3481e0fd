//! Scanning one table's files into a lazy frame with the config's renames,
//! constants and absent columns applied, and two helper columns: the file
//! each row came from and its position in the scan.
//!
//! CSV files are read with every column as text: leadloop types the columns
//! SPEC §1 names itself (so a bad value sets one row aside instead of failing
//! the file), and never guesses the type of the others. Parquet keeps its types.

use polars::prelude::*;

use super::locate::Location;
use super::parts::union;
use super::schema::{FILE_COL, INDEX_COL};
use crate::config::{FileFormat, TableConfig};
use crate::error::{Error, NamedBy, Result, Source};

/// A table as scanned, before any row is judged.
#[derive(Clone)]
pub struct RawTable {
    /// `leads`, `deals`, … or a lookup's name.
    pub name: String,
    pub location: Location,
    /// Renamed data columns plus `__file` and `__index`.
    pub frame: LazyFrame,
    /// Data columns after renames, in file order.
    pub columns: Vec<String>,
    pub schema: SchemaRef,
    /// The preset's (export name, canonical name) renames this file had no
    /// column for.
    pub preset_missing: Vec<(String, String)>,
    /// The preset that named columns, if any.
    pub preset: Option<&'static str>,
}

impl RawTable {
    pub fn dtype(&self, column: &str) -> Option<&DataType> {
        self.schema.get(column)
    }

    pub fn has(&self, column: &str) -> bool {
        self.schema.contains(column)
    }

    pub fn unreadable(&self, detail: impl std::fmt::Display) -> Error {
        self.location.unreadable(&self.name, &detail)
    }

    /// The missing-column error for canonical `column`, under the export
    /// name the preset looked for when it had one.
    pub fn missing_column(&self, column: &str) -> Error {
        let looked_for: Vec<&str> = self
            .preset_missing
            .iter()
            .filter(|(_, dst)| dst == column)
            .map(|(src, _)| src.as_str())
            .collect();
        Error::MissingColumn {
            table: self.name.clone(),
            file: self.location.display.clone(),
            column: match looked_for.is_empty() {
                true => column.to_string(),
                false => looked_for.join(" / "),
            },
            named_by: (!looked_for.is_empty()).then(|| {
                Box::new(NamedBy::Rename {
                    to: column.to_string(),
                    by: Source::Preset(self.preset.unwrap_or("")),
                })
            }),
            found: crate::error::column_list(&self.columns),
        }
    }
}

/// Scans `location` as table `name`.
pub fn scan(
    name: &str,
    mut location: Location,
    cfg: &TableConfig,
    config_path: &std::path::Path,
) -> Result<RawTable> {
    let unreadable = |detail: String| Error::Unreadable {
        table: name.to_string(),
        file: location.display.clone(),
        detail: crate::error::one_line(&detail),
    };
    let separator = cfg.separator.as_deref().and_then(|s| s.bytes().next());
    if location.format == FileFormat::Csv {
        for f in &location.files {
            if let Some(kind) = compressed(f) {
                let what = match kind {
                    // An Excel workbook is a zip of XML.
                    "zip" => "a zip archive (an Excel workbook is one); leadloop reads plain CSV: save the sheet as CSV".to_string(),
                    kind => format!("{kind}-compressed; leadloop reads plain CSV: decompress it first"),
                };
                return Err(unreadable(format!("{} is {what}", f.display())));
            }
        }
        // Each file its own separator and header check: a glob may match
        // files written by two tools (the breaker's comma and semicolon
        // deals files read the second as one column, every row set aside).
        let several = location.files.len() > 1;
        let mut separators = Vec::new();
        for file in &location.files {
            let line = header_line(file).map_err(|e| unreadable(e.to_string()))?;
            let sep = separator.unwrap_or_else(|| sniff_separator(&line));
            separators.push(sep);
            let fields = split_header(&line, sep);
            for (i, f) in fields.iter().enumerate() {
                if !f.is_empty() && fields[..i].contains(f) {
                    return Err(Error::BadData {
                        table: name.to_string(),
                        file: match several {
                            true => file.display().to_string(),
                            false => location.display.clone(),
                        },
                        column: crate::error::column_list(std::slice::from_ref(f)),
                        detail: "the header names this column twice; rename one in the export"
                            .into(),
                    });
                }
            }
        }
        location.separators = separators;
        if let Some(fault) =
            super::csv_check::first_fault(&location.files, &location.separators, &location.display)
        {
            return Err(unreadable(fault));
        }
    }
    let frame = match location.format {
        FileFormat::Parquet => scan_parquet(&location),
        FileFormat::Csv => scan_csv(&location, cfg),
        FileFormat::Xlsx => {
            let mut frames = Vec::new();
            for f in &location.files {
                let df = super::xlsx::read(f, cfg.sheet.as_deref()).map_err(|e| {
                    // A duplicate header is the user's column to fix.
                    unreadable(format!("{}: {e}", f.display()))
                })?;
                let file = f.display().to_string();
                frames.push(df.lazy().with_column(lit(file).alias(FILE_COL)));
            }
            union(frames)
        }
    }
    .map_err(|e| unreadable(e.to_string()))?;
    let mut frame = frame.with_row_index(INDEX_COL, None);
    // A quoted CSV header keeps its doubled quotes in polars' names
    // (`Date entered ""Lead (…)""`): bring them back to the name as written.
    let doubled: Vec<String> = frame
        .collect_schema()
        .map_err(|e| unreadable(e.to_string()))?
        .iter_names()
        .filter(|n| n.contains("\"\""))
        .map(|n| n.to_string())
        .collect();
    if !doubled.is_empty() {
        let fixed: Vec<String> = doubled.iter().map(|n| n.replace("\"\"", "\"")).collect();
        frame = frame.rename(doubled, fixed, true);
    }
    let schema = frame
        .collect_schema()
        .map_err(|e| unreadable(e.to_string()))?;
    if let Some(own) = schema
        .iter_names()
        .find(|n| n.starts_with("__") && n.as_str() != INDEX_COL && n.as_str() != FILE_COL)
    {
        return Err(Error::BadData {
            table: name.to_string(),
            file: location.display.clone(),
            column: own.to_string(),
            detail:
                "names that start with \"__\" are leadloop's own; rename the column in the export"
                    .into(),
        });
    }
    let found: Vec<String> = schema
        .iter_names()
        .filter(|n| !n.starts_with("__"))
        .map(|n| n.to_string())
        .collect();
    // A blank text cell of a text export is a missing value, however it was
    // written: Data Loader quotes every field, so an unowned lead's owner is
    // `""`, which the CSV reader keeps as empty text (an unquoted empty
    // field is null). Parquet has real nulls (and at scale the pass costs:
    // every text column rebuilt).
    let text_export = location.format != FileFormat::Parquet;
    let blanks: Vec<Expr> = schema
        .iter()
        .filter(|_| text_export)
        .filter(|(n, d)| matches!(d, DataType::String) && !n.starts_with("__"))
        .map(|(n, _)| {
            let c = col(n.clone());
            when(
                c.clone()
                    .str()
                    .strip_chars(lit(NULL))
                    .str()
                    .len_bytes()
                    .eq(lit(0u32)),
            )
            .then(lit(NULL).cast(DataType::String))
            .otherwise(c)
            .alias(n.clone())
        })
        .collect();
    if !blanks.is_empty() {
        frame = frame.with_columns(blanks);
    }
    let config_error = |detail: String| Error::BadConfig {
        file: config_path.to_path_buf(),
        line: None,
        detail: format!("tables.{name}: {detail}"),
    };

    // Renames: export name -> canonical name.
    let mut columns = found.clone();
    let (mut from, mut to) = (Vec::new(), Vec::new());
    let mut preset_missing: Vec<(String, String)> = Vec::new();
    for (src, dst) in &cfg.rename {
        if src == dst {
            continue;
        }
        let Some(pos) = columns.iter().position(|c| c == src) else {
            // A preset maps what an export may have (SPEC §2): a name this
            // export lacks is skipped; the canonical column it would have
            // filled is then judged missing (required) or empty (nullable).
            if cfg.preset_renames.contains(src) {
                preset_missing.push((src.clone(), dst.clone()));
                continue;
            }
            return Err(Error::MissingColumn {
                table: name.to_string(),
                file: location.display.clone(),
                column: src.clone(),
                named_by: Some(Box::new(NamedBy::Rename {
                    to: dst.clone(),
                    by: match cfg.preset_renames.contains(src) {
                        true => Source::Preset(cfg.preset.map_or("", |p| p.name())),
                        false => Source::Config,
                    },
                })),
                found: crate::error::column_list(&found),
            });
        };
        // A preset names several spellings of one column (API names, a
        // loader's snake_case, UI labels): the first one present is used.
        if cfg.preset_renames.contains(src) && columns.iter().any(|c| c == dst) {
            continue;
        }
        if columns.iter().any(|c| c == dst) && !cfg.rename.contains_key(dst) {
            return Err(config_error(format!(
                "rename \"{src}\" -> \"{dst}\": the file already has a column \"{dst}\""
            )));
        }
        columns[pos] = dst.clone();
        from.push(src.as_str());
        to.push(dst.as_str());
    }
    if !from.is_empty() {
        frame = frame.rename(from, to, true);
    }
    for (column, value) in &cfg.constants {
        if columns.contains(column) {
            return Err(config_error(format!(
                "constants.{column}: the file already has a column \"{column}\""
            )));
        }
        frame = frame.with_column(lit(value.clone()).alias(column.as_str()));
        columns.push(column.clone());
    }
    if let Some(column) = &cfg.row_number {
        // A key made from the row number, 1, 2, … in file order (SPEC §2),
        // for an export with no id column.
        if columns.contains(column) {
            return Err(config_error(format!(
                "row_number = \"{column}\": the file already has a column \"{column}\""
            )));
        }
        frame = frame
            .with_row_index(column.as_str(), Some(1))
            .with_column(col(column.as_str()).cast(DataType::String));
        columns.push(column.clone());
    }
    for column in &cfg.absent {
        if columns.contains(column) {
            return Err(config_error(format!(
                "absent: \"{column}\" is declared absent but the file has it"
            )));
        }
        frame = frame.with_column(lit(NULL).cast(DataType::String).alias(column.as_str()));
        columns.push(column.clone());
    }
    let schema = frame
        .collect_schema()
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(RawTable {
        name: name.to_string(),
        location,
        frame,
        columns,
        schema,
        preset_missing,
        preset: cfg.preset.map(|p| p.name()),
    })
}

fn pl_path(p: &std::path::Path) -> PolarsResult<PlRefPath> {
    PlRefPath::try_from_path(p)
}

/// Checks that every timestamp column of Parquet file `path` is in a time
/// zone polars can read (a named zone or `±hh:mm` within a day). polars
/// unwraps the zone when it types the column, so an Arrow zone such as
/// `-23:59` or `Mars/Olympus` (a breaker's files) panicked every command;
/// here it is an error naming the file and column. Reads the footer only.
fn zones_readable(path: &std::path::Path) -> PolarsResult<()> {
    use polars::prelude::ArrowDataType;
    let mut file = std::fs::File::open(path)?;
    let metadata = polars_parquet::read::read_metadata(&mut file)?;
    let schema = polars_parquet::read::infer_schema(&metadata)?;
    for (name, field) in schema.iter() {
        if let ArrowDataType::Timestamp(_, Some(zone)) = field.dtype() {
            if TimeZone::opt_try_new(Some(zone.clone())).is_err() {
                return Err(polars_err!(ComputeError:
                    "column \"{name}\" is a timestamp in time zone \"{zone}\", which polars does not know \
                     (it knows zone names such as Europe/Paris and offsets such as +05:30); write it in UTC"));
            }
        }
    }
    Ok(())
}

fn scan_parquet(location: &Location) -> PolarsResult<LazyFrame> {
    // A part is its file alone: polars would otherwise take `key=value`
    // folders in a file's path as columns by itself, typed by inference.
    let args = || {
        let mut a = ScanArgsParquet {
            include_file_paths: Some(FILE_COL.into()),
            ..Default::default()
        };
        a.hive_options.enabled = Some(false);
        a
    };
    for f in &location.files {
        zones_readable(f)?;
    }
    let frames = location
        .files
        .iter()
        .map(|f| LazyFrame::scan_parquet(pl_path(f)?, args()))
        .collect::<PolarsResult<Vec<_>>>()?;
    let Some(root) = &location.hive_root else {
        return union(frames);
    };
    // Partition values are text as written: polars would infer a type,
    // and `campaign_id=007` beside `1e3` became 7.0 (the breaker's); a
    // typed column is read from the text as from a CSV.
    // Every part must sit under the same keys, in the same order, as polars
    // requires (it types the partitions from the first part's path): else
    // its words are "lengths don't match" or "path contains column not
    // present in the given Hive schema" (the breaker's uneven folders, a
    // stray file, and a `k=a=b` folder, which is no partition).
    let keys_of = |file: &std::path::Path| -> Vec<String> {
        hive_values(root, file)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    let keys = location
        .files
        .first()
        .map(|f| keys_of(f))
        .unwrap_or_default();
    if let Some(odd) = location.files.iter().find(|f| keys_of(f) != keys) {
        let (first, odd_keys) = (&location.files[0], keys_of(odd));
        let shown = |k: &[String]| match k.is_empty() {
            true => "no key=value folder".to_string(),
            false => k.join("/"),
        };
        return Err(polars_err!(ComputeError:
            "its parts are not partitioned alike: {} is under {}, {} under {}; \
             every part must sit under the same key=value folders (one '=' each)",
            first.display(), shown(&keys), odd.display(), shown(&odd_keys)));
    }
    let mut a = args();
    a.hive_options.enabled = Some(true);
    a.hive_options.schema = Some(Arc::new(Schema::from_iter(
        keys.iter()
            .map(|k| Field::new(k.as_str().into(), DataType::String)),
    )));
    let whole = LazyFrame::scan_parquet(pl_path(root)?, a)?;
    let schemas = frames
        .iter()
        .map(super::parts::schema_of)
        .collect::<PolarsResult<Vec<_>>>()?;
    if !super::parts::need_cast(&schemas) {
        return Ok(whole);
    }
    // polars scans a hive folder as one: parts typed differently are
    // scanned one by one, given the partition columns polars found,
    // stacked, and put in polars' column order.
    let whole_schema = super::parts::schema_of(&whole)?;
    let partitions: Vec<(&PlSmallStr, &DataType)> = whole_schema
        .iter()
        .filter(|(n, _)| !schemas.iter().any(|s| s.contains(n)))
        .collect();
    let frames = frames
        .into_iter()
        .zip(&location.files)
        .map(|(frame, file)| {
            let values = hive_values(root, file);
            let columns: Vec<Expr> = partitions
                .iter()
                .map(|(name, dtype)| {
                    let value = values
                        .iter()
                        .find(|(k, _)| k == name.as_str())
                        .map(|(_, v)| v.as_str())
                        .filter(|v| *v != "__HIVE_DEFAULT_PARTITION__");
                    match value {
                        Some(v) => lit(v.to_string()).cast((*dtype).clone()),
                        None => lit(NULL).cast((*dtype).clone()),
                    }
                    .alias((*name).clone())
                })
                .collect();
            frame.with_columns(columns)
        })
        .collect();
    let stacked = union(frames)?;
    let names = super::parts::schema_of(&stacked)?;
    let order = whole_schema
        .iter_names()
        .chain(names.iter_names().filter(|n| !whole_schema.contains(n)))
        .map(|n| col(n.clone()))
        .collect::<Vec<_>>();
    Ok(stacked.select(order))
}

/// The `key=value` folders between `root` and `file`, in order (as polars
/// reads them: a folder with two `=` is none).
fn hive_values(root: &std::path::Path, file: &std::path::Path) -> Vec<(String, String)> {
    let below = file.strip_prefix(root).unwrap_or(file);
    below
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| {
            let part = c.as_os_str().to_str()?;
            let (k, v) = part.split_once('=')?;
            (!v.contains('=')).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The compression of a file by its first bytes (gzip, zstd, bzip2, xz,
/// zip), which polars would otherwise hit mid-scan.
fn compressed(path: &std::path::Path) -> Option<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 6];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let head = &head[..n];
    [
        (&[0x1f, 0x8b][..], "gzip"),
        (&[0x28, 0xb5, 0x2f, 0xfd][..], "zstd"),
        (&b"BZh"[..], "bzip2"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00][..], "xz"),
        (&b"PK\x03\x04"[..], "zip"),
    ]
    .into_iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, kind)| kind)
}

/// The first line of a CSV file (without a byte-order mark or line end).
fn header_line(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::{BufRead, BufReader, Read};
    let mut line = Vec::new();
    BufReader::new(std::fs::File::open(path)?)
        .take(1 << 20)
        .read_until(b'\n', &mut line)?;
    let text = String::from_utf8_lossy(&line);
    let text = text.trim_start_matches('\u{feff}');
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// Of `,` `;` tab and `|`, the one that splits the header into the most
/// fields outside quotes (a comma when none does): exports written for a
/// European spreadsheet use `;` (issue 12 item 7).
fn sniff_separator(header: &str) -> u8 {
    let mut best = (0usize, b',');
    for sep in [b',', b';', b'\t', b'|'] {
        let n = split_header(header, sep).len() - 1;
        if n > best.0 {
            best = (n, sep);
        }
    }
    best.1
}

/// A CSV header's field names (quotes removed, trimmed).
fn split_header(header: &str, sep: u8) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for ch in header.chars() {
        match ch {
            '"' => quoted = !quoted,
            c if !quoted && c as u32 == u32::from(sep) => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields.iter().map(|f| f.trim().to_string()).collect()
}

fn scan_csv(location: &Location, cfg: &TableConfig) -> PolarsResult<LazyFrame> {
    let null_values = (!cfg.null_values.is_empty()).then(|| {
        NullValues::AllColumns(cfg.null_values.iter().map(|s| s.as_str().into()).collect())
    });
    let frames = location
        .files
        .iter()
        .zip(&location.separators)
        .map(|(f, &separator)| {
            LazyCsvReader::new(pl_path(f)?)
                .with_separator(separator)
                .with_infer_schema_length(Some(0))
                .with_null_values(null_values.clone())
                .with_include_file_paths(Some(FILE_COL.into()))
                .finish()
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    union(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_sniffed_from_the_header() {
        assert_eq!(sniff_separator("lead_id;created_at;source"), b';');
        assert_eq!(sniff_separator("lead_id,created_at,source"), b',');
        assert_eq!(sniff_separator("a\tb\tc"), b'\t');
        assert_eq!(sniff_separator("\"a;b\",c"), b',');
        assert_eq!(sniff_separator("lead_id"), b',');
        assert_eq!(
            split_header("\"Record ID\", Name ", b','),
            ["Record ID", "Name"]
        );
    }
}
