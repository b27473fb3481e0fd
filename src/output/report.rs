//! What every command produces: named tables in a fixed order, plus notes
//! (rows set aside, immature cohorts, decisions a reader must know).
//! Renderers turn a `Report` into bytes and never compute.

use polars::prelude::*;

use super::format::Unit;

#[derive(Debug, Clone)]
pub struct NamedTable {
    /// Short name; the analysis' main table has the analysis' own name.
    pub name: String,
    /// A heading for people.
    pub title: String,
    pub frame: DataFrame,
    /// The unit of each column that declares one; the others are counts
    /// (integers), numbers (floats) or text, by their type.
    pub units: Vec<(String, Unit)>,
    /// A table of one row per lead: printed as its first rows only (the
    /// files hold every row).
    pub preview: Option<usize>,
}

impl NamedTable {
    /// The declared unit of `column`, else the one its type implies.
    pub fn unit(&self, column: &str) -> Unit {
        if let Some((_, u)) = self.units.iter().find(|(c, _)| c == column) {
            return *u;
        }
        match self.frame.column(column).map(|c| c.dtype().clone()) {
            Ok(d) if d.is_integer() => Unit::Count,
            Ok(d) if d.is_primitive_numeric() || matches!(d, DataType::Decimal(..)) => Unit::Number,
            _ => Unit::Text,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    /// The analysis (`validate`, `bands`, …): the stem of every file name.
    pub analysis: String,
    /// One sentence a reader can repeat, printed before the tables.
    pub headline: Option<String>,
    pub tables: Vec<NamedTable>,
    pub notes: Vec<String>,
    /// Files written beside the tables (recalibrate's proposed_rules.toml):
    /// (file name, text).
    pub files: Vec<(String, String)>,
}

impl Report {
    pub fn new(analysis: &str) -> Report {
        Report {
            analysis: analysis.to_string(),
            headline: None,
            tables: Vec::new(),
            notes: Vec::new(),
            files: Vec::new(),
        }
    }

    pub fn table(mut self, name: &str, title: &str, frame: DataFrame) -> Report {
        self.tables.push(NamedTable {
            name: name.to_string(),
            title: title.to_string(),
            frame,
            units: Vec::new(),
            preview: None,
        });
        self
    }

    /// Prints only the first `rows` rows of the table added last (a table
    /// per lead); files still hold all of them.
    pub fn preview(mut self, rows: usize) -> Report {
        if let Some(t) = self.tables.last_mut() {
            t.preview = Some(rows);
        }
        self
    }

    /// Declares the units of columns of the table added last.
    pub fn units(mut self, units: &[(&str, Unit)]) -> Report {
        if let Some(t) = self.tables.last_mut() {
            t.units
                .extend(units.iter().map(|(c, u)| ((*c).to_string(), *u)));
        }
        self
    }

    /// A text file written beside the tables (printed after the notes
    /// when the report is printed as tables).
    pub fn file(mut self, name: &str, text: String) -> Report {
        self.files.push((name.to_string(), text));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Report {
        self.notes.push(note.into());
        self
    }

    /// `<analysis>.<ext>` for the main table, `<analysis>_<table>.<ext>` for the others.
    pub fn file_name(&self, table: &NamedTable, ext: &str) -> String {
        if table.name == self.analysis {
            format!("{}.{ext}", self.analysis)
        } else {
            format!("{}_{}.{ext}", self.analysis, table.name)
        }
    }
}

/// A cell as plain text: strings unquoted, null empty.
pub fn cell_text(v: &AnyValue) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => (*s).to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        // A set-aside row's time may lie past the calendar polars prints
        // (i64::MAX μs is year 294247): its number, said so, not a panic.
        AnyValue::Datetime(n, ..) | AnyValue::DatetimeOwned(n, ..) => {
            beyond_calendar(*n, &v.dtype()).unwrap_or_else(|| v.to_string())
        }
        AnyValue::Date(days) => {
            beyond_calendar(i64::from(*days), &DataType::Date).unwrap_or_else(|| v.to_string())
        }
        other => other.to_string(),
    }
}

/// `n` (a physical date or time of `dtype`) as its number when it lies
/// outside the calendar's range (`input::time::calendar_range_of`).
fn beyond_calendar(n: i64, dtype: &DataType) -> Option<String> {
    let ((lo, hi), unit) = crate::input::time::calendar_range_of(dtype)?;
    (!(lo..=hi).contains(&n)).then(|| crate::input::time::outside_calendar(n, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_spec() {
        let r = Report::new("contact")
            .table("contact", "Contact", DataFrame::empty())
            .table("speed", "Speed", DataFrame::empty());
        assert_eq!(r.file_name(&r.tables[0], "csv"), "contact.csv");
        assert_eq!(r.file_name(&r.tables[1], "csv"), "contact_speed.csv");
    }

    #[test]
    fn cells_as_text() {
        assert_eq!(cell_text(&AnyValue::Null), "");
        assert_eq!(cell_text(&AnyValue::String("a b")), "a b");
        assert_eq!(cell_text(&AnyValue::Int64(-3)), "-3");
    }

    #[test]
    fn a_time_past_the_calendar_is_its_number() {
        let us = TimeUnit::Microseconds;
        assert_eq!(
            cell_text(&AnyValue::Datetime(i64::MAX, us, None)),
            "9223372036854775807 μs since 1970-01-01 (outside years 1-9999)"
        );
        assert_eq!(
            cell_text(&AnyValue::Datetime(0, TimeUnit::Milliseconds, None)),
            "1970-01-01 00:00:00"
        );
        assert_eq!(
            cell_text(&AnyValue::Date(i32::MIN)),
            "-2147483648 days since 1970-01-01 (outside years 1-9999)"
        );
        assert_eq!(cell_text(&AnyValue::Date(0)), "1970-01-01");
    }
}
