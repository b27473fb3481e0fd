//! Spreadsheets (SPEC §1): the UI export of both CRMs is an `.xlsx`
//! workbook. Its first sheet (or `sheet` in the config) is read like a CSV:
//! row 1 is the header, every cell becomes text, and leadloop types the
//! canonical columns itself as for CSV.
//!
//! Cells as text: a whole number is written without a fraction (`257`, not
//! `257.0`, so ids join), other numbers in their shortest form, an Excel
//! date or time as a naive ISO time (read in the table's `input_timezone`,
//! as a UI export writes the user's local time), a boolean as
//! `true`/`false`, an empty cell or an error cell (`#N/A`) as null.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;

/// The sheet `sheet` (default the first) of the workbook at `path` as text
/// columns; `Err` with a one-line reason.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<DataFrame, String> {
    let mut book = open_workbook_auto(path).map_err(|e| e.to_string())?;
    let names = book.sheet_names().to_owned();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| format!("no sheet \"{s}\"; sheets: {}", names.join(", ")))?,
        None => names.first().cloned().ok_or("the workbook has no sheet")?,
    };
    let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(format!("sheet \"{name}\" is empty"));
    };
    let header: Vec<String> = header.iter().map(|c| text(c).unwrap_or_default()).collect();
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() && header[..i].contains(h) {
            return Err(format!(
                "column \"{h}\": the header names this column twice; rename one"
            ));
        }
    }
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for row in rows {
        for (i, col) in columns.iter_mut().enumerate() {
            col.push(row.get(i).and_then(text));
        }
    }
    let cols: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let name = match h.is_empty() {
                true => format!("column_{}", i + 1),
                false => h.clone(),
            };
            Column::new(name.into(), std::mem::take(&mut columns[i]))
        })
        .collect();
    DataFrame::new_infer_height(cols).map_err(|e| e.to_string())
}

/// A cell as the text a CSV export would hold.
fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) => (!s.is_empty()).then(|| s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(f.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
    }
}
