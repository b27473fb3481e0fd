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

/// Whether an Excel serial date (days since 1899-12-30, 1904 dates
/// shifted by calamine) lies within years 1–9999, with a day to spare for
/// the 1900 leap-year quirk and the 1904 system's shift (1,462 days).
fn excel_serial_in_range(serial: f64) -> bool {
    // 0001-01-01 is 693,593 days before 1899-12-30, 9999-12-31 2,958,465 after.
    (-693_593.0 - 1_463.0..2_958_466.0 + 1_463.0).contains(&serial)
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
        // A serial date beyond years 1–9999 is its number (then
        // `unparseable_timestamp`): calamine's conversion panics far
        // below (-1e14) and gives nothing far above (1e20, which read
        // as a blank: `missing_timestamp`).
        Data::DateTime(d) if !excel_serial_in_range(d.as_f64()) => Some(d.as_f64().to_string()),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    // A breaker's spend.xlsx date cell of -1e14 panicked every command
    // inside calamine (chrono's TimeDelta::milliseconds out of bounds),
    // and one of 1e20 read as a blank (missing_timestamp). Beyond years
    // 1–9999 a serial date is its number, which no time pattern reads.
    #[test]
    fn a_serial_date_beyond_the_calendar_is_its_number() {
        assert_eq!(text(&date(-1e14)).as_deref(), Some("-100000000000000"));
        assert_eq!(text(&date(1e20)).as_deref(), Some("100000000000000000000"));
        // 45352.5 is 2024-03-01 12:00; 2,958,465 is 9999-12-31.
        assert_eq!(
            text(&date(45_352.5)).as_deref(),
            Some("2024-03-01T12:00:00")
        );
        assert_eq!(
            text(&date(2_958_465.0)).as_deref(),
            Some("9999-12-31T00:00:00")
        );
    }
}
