//! Settings every analysis shares (SPEC §2, §3): time zone, `as_of`, SLA,
//! black-hole age and score bands, with the spec's defaults.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::{ConfigFile, Zone};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    /// (band, minimum score), highest threshold first.
    pub thresholds: Vec<(String, f64)>,
    /// The band below every threshold.
    pub lowest: String,
}

impl Default for Bands {
    /// SPEC §2: A ≥ 75, B ≥ 50, C ≥ 25, else D.
    fn default() -> Self {
        Bands {
            thresholds: vec![("A".into(), 75.0), ("B".into(), 50.0), ("C".into(), 25.0)],
            lowest: "D".into(),
        }
    }
}

impl Bands {
    /// The band of one score; `None` (no score) is the caller's `unscored`.
    pub fn band_of(&self, score: f64) -> &str {
        self.thresholds
            .iter()
            .find(|(_, min)| score >= *min)
            .map(|(b, _)| b.as_str())
            .unwrap_or(&self.lowest)
    }

    /// Band names from best to worst, `lowest` last.
    /// Bands as a config (leadloop.toml's or a rules file's `[bands]`) gives
    /// them: thresholds best first; the error says what is wrong.
    pub fn from_config(b: &super::BandsConfig) -> std::result::Result<Bands, String> {
        if b.thresholds.is_empty() {
            return Err("thresholds is empty".into());
        }
        let mut thresholds: Vec<(String, f64)> =
            b.thresholds.iter().map(|(k, v)| (k.clone(), *v)).collect();
        thresholds.sort_by(|a, b| b.1.total_cmp(&a.1));
        let lowest = b.lowest.clone().unwrap_or_else(|| "D".into());
        if lowest.trim().is_empty() || thresholds.iter().any(|(k, _)| k.trim().is_empty()) {
            return Err("a band name is empty".into());
        }
        // "unscored" and "all" (the total row) are rows of every band table.
        let reserved = |k: &str| {
            k == crate::funnel::band_at_mql::UNSCORED_LABEL || k == crate::analysis::ALL_LABEL
        };
        if reserved(&lowest) || thresholds.iter().any(|(k, _)| *k == lowest || reserved(k)) {
            return Err(format!(
                "band names must differ from `lowest` (\"{lowest}\"), \"unscored\" and \"all\""
            ));
        }
        if let Some((k, v)) = thresholds.iter().find(|(_, v)| !v.is_finite()) {
            return Err(format!(
                "the threshold of band {k} is {v}, not a finite number"
            ));
        }
        Ok(Bands { thresholds, lowest })
    }

    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.thresholds.iter().map(|(b, _)| b.clone()).collect();
        v.push(self.lowest.clone());
        v
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The zone in which reporting periods (months, `--as-of` days) are cut.
    pub timezone: Zone,
    /// Fixed `as_of`; `None` means the latest timestamp in the data.
    pub as_of: Option<DateTime<Utc>>,
    pub sla_hours: f64,
    pub black_hole_days: f64,
    pub bands: Bands,
    /// Keep the judged tables between runs (`quality::cache`).
    pub cache: bool,
    /// Leads columns recorded only after the outcome (`recalibrate`).
    pub leaky: Vec<String>,
}

impl Settings {
    pub fn from_config(file: &ConfigFile, path: &Path) -> Result<Settings> {
        let bad = |detail: String| Error::BadConfig {
            file: path.to_path_buf(),
            line: None,
            detail,
        };
        let timezone = match &file.timezone {
            Some(name) => Zone::parse(name).map_err(|e| bad(format!("timezone: {e}")))?,
            None => Zone::UTC,
        };
        let as_of = match &file.as_of {
            Some(s) => Some(
                s.parse::<AsOfInput>()
                    .and_then(|a| a.in_zone(&timezone))
                    .map_err(|e| bad(format!("as_of: {e}")))?,
            ),
            None => None,
        };
        let sla_hours = file.sla_hours.unwrap_or(24.0);
        let black_hole_days = file.black_hole_days.unwrap_or(30.0);
        if !(sla_hours > 0.0 && sla_hours.is_finite()) {
            return Err(bad(format!("sla_hours must be positive, got {sla_hours}")));
        }
        if !(black_hole_days > 0.0 && black_hole_days.is_finite()) {
            return Err(bad(format!(
                "black_hole_days must be positive, got {black_hole_days}"
            )));
        }
        let bands = match &file.bands {
            None => Bands::default(),
            Some(b) => Bands::from_config(b).map_err(|e| bad(format!("bands: {e}")))?,
        };
        Ok(Settings {
            timezone,
            as_of,
            sla_hours,
            black_hole_days,
            bands,
            cache: file.cache.unwrap_or(true),
            leaky: file.leaky.clone(),
        })
    }
}

/// The end of day `d` in `zone` (SPEC §3): an exact instant, midnight at
/// the start of the next day (the earliest instant of it, where a DST change
/// skips midnight), so durations to it are whole seconds.
pub fn end_of_day(d: NaiveDate, zone: &Zone) -> std::result::Result<DateTime<Utc>, String> {
    let next = d.succ_opt().ok_or_else(|| format!("{d} has no next day"))?;
    let tz = zone.tz();
    // Midnight may not exist (a DST jump at 00:00): the first instant of
    // the day is then the earliest valid time after it.
    (0..=180)
        .find_map(|m| {
            let t = next.and_time(NaiveTime::MIN) + chrono::Duration::minutes(m);
            tz.from_local_datetime(&t).earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("the start of {next} does not exist in {zone}"))
}

/// An `as_of` as written (SPEC §3): a date (the end of that day), a local
/// date-time, or an instant with its offset; parsed once, placed in the
/// configured zone later.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AsOfInput {
    Date(NaiveDate),
    Local(NaiveDateTime),
    Instant(DateTime<Utc>),
}

impl std::str::FromStr for AsOfInput {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<AsOfInput, String> {
        let s = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Ok(AsOfInput::Instant(dt.with_timezone(&Utc)));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(AsOfInput::Date(d));
        }
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .map(AsOfInput::Local)
            .ok_or_else(|| format!("\"{s}\" is not a date (YYYY-MM-DD) or date-time"))
    }
}

impl AsOfInput {
    /// The instant it names in `zone`: a date means the end of that day there.
    pub fn in_zone(self, zone: &Zone) -> std::result::Result<DateTime<Utc>, String> {
        let naive = match self {
            AsOfInput::Instant(t) => return Ok(t),
            AsOfInput::Local(t) => t,
            AsOfInput::Date(d) => return end_of_day(d, zone),
        };
        zone.tz()
            .from_local_datetime(&naive)
            .latest()
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(|| format!("{naive} does not exist in {zone}"))
    }

    /// [`AsOfInput::in_zone`] for `--as-of`, its error naming the flag.
    pub fn resolve(self, zone: &Zone) -> Result<DateTime<Utc>> {
        self.in_zone(zone)
            .map_err(|e| Error::bad_argument(format!("--as-of: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_default_bands() {
        let b = Bands::default();
        assert_eq!(b.band_of(75.0), "A");
        assert_eq!(b.band_of(74.9), "B");
        assert_eq!(b.band_of(25.0), "C");
        assert_eq!(b.band_of(-3.0), "D");
        assert_eq!(b.names(), ["A", "B", "C", "D"]);
    }

    fn parse_as_of(s: &str, zone: &str) -> std::result::Result<DateTime<Utc>, String> {
        s.parse::<AsOfInput>()?.in_zone(&Zone::parse(zone)?)
    }

    #[test]
    fn as_of_date_is_end_of_day_in_the_zone() {
        // The end of a day is midnight at the start of the next (SPEC §3).
        let utc = parse_as_of("2024-03-31", "UTC").unwrap();
        assert_eq!(utc.to_rfc3339(), "2024-04-01T00:00:00+00:00");
        // São Paulo is UTC−3 (no DST in 2024): its midnight is 03:00 UTC.
        let sp = parse_as_of("2024-03-31", "America/Sao_Paulo").unwrap();
        assert_eq!(sp.to_rfc3339(), "2024-04-01T03:00:00+00:00");
        // Havana skips from 00:00 to 01:00 on 2024-03-10: the day starts at 01:00.
        let havana = end_of_day(
            NaiveDate::from_ymd_opt(2024, 3, 9).unwrap(),
            &Zone::parse("America/Havana").unwrap(),
        )
        .unwrap();
        assert_eq!(havana.to_rfc3339(), "2024-03-10T05:00:00+00:00");
    }

    #[test]
    fn bad_as_of_and_zone_are_reported() {
        assert!(parse_as_of("31/03/2024", "UTC").is_err());
        assert!(Zone::parse("Mars/Olympus").is_err());
    }
}
