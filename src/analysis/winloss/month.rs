//! Calendar months (`--month`) and the baseline a month is compared with
//! (`--baseline`).

use chrono::{Datelike, Duration, TimeZone};

use crate::config::Zone;
use crate::error::{Error, Result};

/// What the month is compared with (`--baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Baseline {
    /// The month before.
    #[default]
    Previous,
    /// The three months before, pooled (compared as a monthly average).
    Trailing3,
}

impl Baseline {
    /// The baseline months of `month`.
    pub fn months(self, month: Month) -> Vec<Month> {
        match self {
            Baseline::Previous => vec![month.plus(-1)],
            Baseline::Trailing3 => vec![month.plus(-3), month.plus(-2), month.plus(-1)],
        }
    }
}

/// A calendar month (`YYYY-MM`), as months since year 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month(i32);

impl Month {
    pub fn plus(self, months: i32) -> Month {
        Month(self.0 + months)
    }

    /// The latest calendar month complete by `as_of` in `zone`.
    pub fn complete_by(as_of_micros: i64, zone: &Zone) -> Result<Month> {
        let t = chrono::Utc
            .timestamp_micros(as_of_micros)
            .single()
            .ok_or_else(|| Error::Internal("as_of out of range".into()))?
            + Duration::microseconds(1);
        let local = t.with_timezone(&zone.tz());
        // The month that `as_of` (plus its last microsecond) falls in is not
        // complete unless as_of is its very end; the one before always is.
        Ok(Month(local.year() * 12 + local.month0() as i32 - 1))
    }
}

impl std::str::FromStr for Month {
    type Err = String;

    fn from_str(name: &str) -> std::result::Result<Month, String> {
        let bad = || "give a month as YYYY-MM".to_string();
        let (y, m) = name.trim().split_once('-').ok_or_else(bad)?;
        let (y, m): (i32, i32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        match (1..=12).contains(&m) && y.to_string().len() == 4 {
            true => Ok(Month(y * 12 + m - 1)),
            false => Err(bad()),
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}",
            self.0.div_euclid(12),
            self.0.rem_euclid(12) + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip() {
        let jan: Month = "2024-01".parse().unwrap();
        assert_eq!(jan, Month(2024 * 12));
        assert_eq!(jan.plus(-1).to_string(), "2023-12");
        assert!("2024-13".parse::<Month>().is_err());
        assert!("May".parse::<Month>().is_err());
        assert_eq!(
            Baseline::Trailing3.months(jan),
            ["2023-10", "2023-11", "2023-12"].map(|m| m.parse::<Month>().unwrap())
        );
    }

    #[test]
    fn the_default_month_is_the_latest_complete_one() {
        let end_of_march = chrono::Utc
            .with_ymd_and_hms(2024, 3, 31, 23, 59, 59)
            .unwrap()
            .timestamp_micros()
            + 999_999;
        let m = Month::complete_by(end_of_march, &Zone::UTC).unwrap();
        assert_eq!(m.to_string(), "2024-03");
        let m = Month::complete_by(end_of_march - 1, &Zone::UTC).unwrap();
        assert_eq!(m.to_string(), "2024-02");
    }
}
