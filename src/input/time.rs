//! Reading every timestamp form of SPEC §1 into one type: microseconds since
//! the epoch, UTC, without a zone (`Datetime(us)`).
//!
//! - Parquet timestamps of any unit: a zone-aware value is converted to UTC; a
//!   naive one is in the table's `input_timezone` (default UTC).
//! - Parquet dates: midnight in `input_timezone`.
//! - Integers (and digit-only text): epoch seconds, milliseconds or
//!   microseconds by their number of digits, 10, 13 or 16 (SPEC §1), unless
//!   `epoch_unit` says; other lengths are unparseable.
//! - Text: the table's `date_format` patterns first (a UI export's locale
//!   form), then ISO-8601: a date, a date-time with `T` or a space, optional
//!   fraction, optional `Z` or `±hh:mm` offset. A value with no offset is in
//!   `input_timezone`; a date without a time is midnight there. Anything
//!   else is unparseable and the row is set aside (`unparseable_timestamp`),
//!   never guessed at. A local time that does not exist (a DST gap) is
//!   read with the offset before the change, as java.time does (02:30 on
//!   2024-03-10 in New York is 07:30 UTC, as 03:30 EDT is); one that
//!   exists twice (the hour repeated when clocks go back) is read as the
//!   earlier.

use polars::prelude::*;

use crate::config::{EpochUnit, Zone};

/// How a table's times are written: its epoch unit (by digits when `None`),
/// the zone of its naive values, and its extra text formats.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub epoch: Option<EpochUnit>,
    pub zone: Option<Zone>,
    pub formats: Vec<String>,
}

impl Reading {
    /// A naive time (`Datetime(us)` read as wall time) in this reading's
    /// zone, as UTC. An ambiguous time (the hour a clock goes back) is the
    /// earlier instant; a time a clock skips (the hour it goes forward) is
    /// read with the offset before the change, as java.time does: Brazil
    /// skipped midnight on 2017-10-15, so that date is 01:00 local, the
    /// day's first instant (an Olist lead's creation date).
    fn local(&self, naive: Expr) -> Expr {
        match self.zone.filter(|z| *z != Zone::UTC) {
            None => naive,
            Some(z) => {
                let to_utc = |e: Expr| {
                    e.dt()
                        .replace_time_zone(Some(z.polars()), lit("earliest"), NonExistent::Null)
                        .dt()
                        .convert_time_zone(TimeZone::UTC)
                        .dt()
                        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
                };
                let hour = lit(Duration::parse("1h"));
                // Skipped times: an hour earlier exists (real gaps are at
                // most an hour), then the hour is added back in UTC.
                coalesce(&[to_utc(naive.clone()), to_utc(naive - hour.clone()) + hour])
            }
        }
    }
}

/// Whether a strftime pattern has a time of day (else it is a date).
fn has_time(pattern: &str) -> bool {
    ["%H", "%I", "%M", "%S", "%T", "%R", "%k", "%l"]
        .iter()
        .any(|t| pattern.contains(t))
}

pub const TS_UNIT: TimeUnit = TimeUnit::Microseconds;

pub fn ts_dtype() -> DataType {
    DataType::Datetime(TS_UNIT, None)
}

/// Microseconds in an hour and in a day.
pub const HOUR_US: f64 = 3_600_000_000.0;
pub const DAY_US: f64 = 86_400_000_000.0;

/// A time expression as microseconds since the epoch (UTC), as `f64`, for
/// durations: `(micros(a) − micros(b)) / HOUR_US`.
pub fn micros(time: Expr) -> Expr {
    whole_micros(time).cast(DataType::Float64)
}

/// A time expression as whole microseconds since the epoch (UTC), `i64`.
pub fn whole_micros(time: Expr) -> Expr {
    time.cast(ts_dtype()).cast(DataType::Int64)
}

/// A time column as whole microseconds since the epoch (UTC), `i64`.
/// Errors: a column that is not a time (polars' cast error).
pub fn whole_micros_of(time: &Column) -> PolarsResult<Column> {
    time.cast(&ts_dtype())?.cast(&DataType::Int64)
}

/// Naive ISO forms (wall time in `input_timezone`), tried in this order.
const NAIVE_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];
/// ISO forms ending in `Z`: UTC whatever the zone.
const UTC_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%d %H:%M:%S%.fZ"];
/// Forms with a UTC offset: `+02:00`, then `+02`, `+0200` (`%#z`: DuckDB
/// and PostgreSQL write `2025-08-04 08:03:28.578378+00`).
const OFFSET_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
];

/// Whether a strftime pattern reads a UTC offset (its times are then
/// instants, not wall times in `input_timezone`).
fn has_offset(pattern: &str) -> bool {
    ["%z", "%:z", "%::z", "%#z"]
        .iter()
        .any(|z| pattern.contains(z))
}

/// `text` parsed by `format`, which reads an offset, as a UTC timestamp.
fn with_offset(text: Expr, format: &str) -> Expr {
    text.str()
        .to_datetime(
            Some(TS_UNIT),
            Some(TimeZone::UTC),
            strptime_options(format),
            lit("raise"),
        )
        .dt()
        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
}

fn strptime_options(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

/// The earliest and latest instants read as times, in microseconds since
/// the epoch: 0001-01-01 00:00 and 9999-12-31 23:59:59.999999 UTC, the
/// years ISO-8601 writes with four digits. Beyond them chrono's calendar
/// ends (year 262143): a breaker's deal closed at `+262142-12-31` passed
/// every check, and as_of's end of day, a day and a zone's offset past
/// it, panicked.
pub const FIRST_US: i64 = -62_135_596_800_000_000;
pub const LAST_US: i64 = 253_402_300_799_999_999;

/// [`FIRST_US`, `LAST_US`] counted in units of `per_us` microseconds
/// (1 for μs, 1,000 for ms, 1,000,000 for s, a day's for a date).
pub fn calendar_range(per_us: i64) -> (i64, i64) {
    (FIRST_US / per_us, LAST_US / per_us)
}

/// A date or time column's values in the calendar's range, by its type:
/// the range in the column's own unit and that unit's name; `None` for
/// nanoseconds (i64 nanoseconds span 1677–2262, all named) or another type.
pub fn calendar_range_of(dtype: &DataType) -> Option<((i64, i64), &'static str)> {
    match dtype {
        DataType::Datetime(TimeUnit::Microseconds, _) => Some((calendar_range(1), "μs")),
        DataType::Datetime(TimeUnit::Milliseconds, _) => Some((calendar_range(1_000), "ms")),
        DataType::Date => Some((calendar_range(DAY_US as i64), "days")),
        _ => None,
    }
}

/// How a value `n` of `unit` outside the calendar's range is shown where
/// a set-aside row's raw value is (`validate`'s examples, its quarantine
/// CSV): its number, said so.
pub fn outside_calendar(n: impl std::fmt::Display, unit: &str) -> String {
    format!("{n} {unit} since 1970-01-01 (outside years 1-9999)")
}

/// `naive` (a timestamp) where it lies within [`FIRST_US`, `LAST_US`],
/// else null: a time outside is `unparseable_timestamp`, like any value
/// that is no time.
fn in_range(naive: Expr) -> Expr {
    let us = naive.clone().cast(DataType::Int64);
    when(us.clone().gt_eq(lit(FIRST_US)).and(us.lt_eq(lit(LAST_US))))
        .then(naive)
        .otherwise(lit(NULL).cast(ts_dtype()))
}

/// An expression that reads column `expr` (of input type `dtype`) as a UTC
/// timestamp; `None` when the type cannot hold a time at all. A time
/// outside years 1–9999 ([`FIRST_US`], [`LAST_US`]) reads as null.
pub fn parse_timestamp(expr: Expr, dtype: &DataType, reading: &Reading) -> Option<Expr> {
    let out = match dtype {
        // Bounded before the zone is applied too: an offset past the end
        // of chrono's calendar is an error, not a null.
        DataType::Datetime(_, None) => reading.local(in_range(expr.cast(ts_dtype()))),
        // Its instants are UTC already: converting relabels them.
        DataType::Datetime(_, Some(_)) => expr
            .dt()
            .convert_time_zone(TimeZone::UTC)
            .dt()
            .replace_time_zone(None, lit("raise"), NonExistent::Raise)
            .cast(ts_dtype()),
        DataType::Date => reading.local(in_range(expr.cast(ts_dtype()))),
        DataType::Null => expr.cast(ts_dtype()),
        d if d.is_integer() => from_epoch(expr.cast(DataType::Int64), reading.epoch),
        d if d.is_float() => from_epoch(expr.floor().cast(DataType::Int64), reading.epoch),
        DataType::String => parse_text(expr, reading),
        _ => return None,
    };
    Some(in_range(out))
}

/// Whether a raw time value is a calendar date with no time of day: a
/// `Date` column, or text without a `:` (`2018-02-26`, `26/02/2018`);
/// false for a timestamp, an epoch number or a blank.
pub fn is_calendar_date(expr: Expr, dtype: &DataType) -> Expr {
    match dtype {
        DataType::Date => expr.is_not_null(),
        DataType::String => super::values::parse_text(expr)
            .str()
            .contains_literal(lit(":"))
            .not()
            .fill_null(lit(false)),
        _ => lit(false),
    }
}

/// Epoch numbers in `unit`, or by their digits: 10 seconds, 13
/// milliseconds, 16 microseconds (SPEC §1); other lengths null.
fn from_epoch(int: Expr, unit: Option<EpochUnit>) -> Expr {
    // Scaled only within years 1–9999, so no product wraps: with
    // `epoch_unit = "s"`, i64::MAX seconds read as 1969-12-31T23:59:59Z
    // and was used (a breaker's scores); beyond, null (unparseable).
    let scaled = |u: EpochUnit| {
        let per = match u {
            EpochUnit::S => 1_000_000i64,
            EpochUnit::Ms => 1_000,
            EpochUnit::Us => 1,
        };
        let (lo, hi) = calendar_range(per);
        let within = int.clone().gt_eq(lit(lo)).and(int.clone().lt_eq(lit(hi)));
        when(within)
            .then(int.clone() * lit(per))
            .otherwise(lit(NULL).cast(DataType::Int64))
    };
    let micros = match unit {
        Some(u) => scaled(u),
        None => {
            let digits = |lo: i64, hi: i64| int.clone().gt_eq(lit(lo)).and(int.clone().lt(lit(hi)));
            when(digits(1_000_000_000, 10_000_000_000))
                .then(scaled(EpochUnit::S))
                .when(digits(1_000_000_000_000, 10_000_000_000_000))
                .then(scaled(EpochUnit::Ms))
                .when(digits(1_000_000_000_000_000, 10_000_000_000_000_000))
                .then(scaled(EpochUnit::Us))
                .otherwise(lit(NULL).cast(DataType::Int64))
        }
    };
    micros.cast(ts_dtype())
}

fn parse_text(expr: Expr, reading: &Reading) -> Expr {
    let s = super::values::parse_text(expr);
    let naive = |f: &str| {
        // A user's `date_format` with `%z` reads instants (polars gives
        // them a zone, which a wall time's column cannot hold).
        if has_offset(f) {
            return with_offset(s.clone(), f);
        }
        let parsed = match has_time(f) {
            true => {
                s.clone()
                    .str()
                    .to_datetime(Some(TS_UNIT), None, strptime_options(f), lit("raise"))
            }
            false => s
                .clone()
                .str()
                .to_date(strptime_options(f))
                .cast(ts_dtype()),
        };
        reading.local(parsed)
    };
    let mut tries: Vec<Expr> = reading.formats.iter().map(|f| naive(f)).collect();
    tries.extend(NAIVE_FORMATS.iter().map(|f| naive(f)));
    tries.extend(UTC_FORMATS.iter().map(|f| {
        s.clone()
            .str()
            .to_datetime(Some(TS_UNIT), None, strptime_options(f), lit("raise"))
    }));
    tries.extend(OFFSET_FORMATS.iter().map(|f| with_offset(s.clone(), f)));
    tries.push(naive("%Y-%m-%d"));
    // Digit-only text is an epoch number, as CRM APIs write them.
    let digits = s
        .clone()
        .str()
        .contains(lit("^[0-9]+$"), true)
        .fill_null(lit(false));
    tries.push(
        when(digits)
            .then(from_epoch(s.cast(DataType::Int64), reading.epoch))
            .otherwise(lit(NULL).cast(ts_dtype())),
    );
    coalesce(&tries)
}

/// The zone-aware form of a parsed timestamp in `zone`, for cutting
/// months and days where the user lives.
pub fn in_zone(ts: Expr, zone: &crate::config::Zone) -> Expr {
    ts.dt()
        .replace_time_zone(Some(TimeZone::UTC), lit("raise"), NonExistent::Raise)
        .dt()
        .convert_time_zone(zone.polars())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strings(values: &[Option<&str>]) -> Vec<Option<i64>> {
        let df = df!("t" => values).unwrap();
        let out = df
            .lazy()
            .select([
                parse_timestamp(col("t"), &DataType::String, &Reading::default())
                    .unwrap()
                    .alias("t"),
            ])
            .collect()
            .unwrap();
        let ca = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        ca.i64().unwrap().iter().collect()
    }

    // 2024-01-02T03:04:05Z = 1_704_164_645 s since the epoch (date -u -d ... +%s).
    const T: i64 = 1_704_164_645_000_000;

    #[test]
    fn iso_text_forms_agree() {
        let got = parse_strings(&[
            Some("2024-01-02T03:04:05"),
            Some("2024-01-02 03:04:05"),
            Some("2024-01-02T03:04:05Z"),
            Some("2024-01-02T03:04:05.250"),
            Some("2024-01-02T05:04:05+02:00"),
            Some(" 2024-01-02 03:04:05 "),
            Some("1704164645000"),
            // DuckDB's and PostgreSQL's text of a timestamptz.
            Some("2024-01-02 03:04:05.250+00"),
            Some("2024-01-02 04:34:05+0130"),
            Some("2024-01-01 22:04:05-05"),
        ]);
        assert_eq!(
            got,
            vec![
                Some(T),
                Some(T),
                Some(T),
                Some(T + 250_000),
                Some(T),
                Some(T),
                Some(T),
                Some(T + 250_000),
                Some(T),
                Some(T),
            ]
        );
    }

    #[test]
    fn dates_are_midnight_utc_and_garbage_is_null() {
        let got = parse_strings(&[Some("2024-01-02"), Some("02/01/2024"), Some("soon"), None]);
        assert_eq!(
            got,
            vec![
                Some(T - 3 * 3_600_000_000 - 4 * 60_000_000 - 5_000_000),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn zone_aware_and_epoch_columns() {
        let s = Series::new("t".into(), [T / 1000])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap()
            .cast(&DataType::Datetime(
                TimeUnit::Milliseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap();
        let df = DataFrame::new(1, vec![s.into()]).unwrap();
        let dtype = df.column("t").unwrap().dtype().clone();
        let out = df
            .lazy()
            .select([parse_timestamp(col("t"), &dtype, &Reading::default()).unwrap()])
            .collect()
            .unwrap();
        let v = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(v.i64().unwrap().get(0), Some(T));

        let secs = df!("t" => [T / 1_000_000]).unwrap();
        let out = secs
            .lazy()
            .select([parse_timestamp(
                col("t"),
                &DataType::Int64,
                &Reading {
                    epoch: Some(EpochUnit::S),
                    ..Reading::default()
                },
            )
            .unwrap()])
            .collect()
            .unwrap();
        let v = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(v.i64().unwrap().get(0), Some(T));
    }

    /// Found by a user trial: a `date_format` with `%z` stopped the table
    /// ("failed to determine supertype of datetime[μs, UTC] and
    /// datetime[μs]"). Its times are instants: 04:04:05+0100 is T.
    #[test]
    fn a_date_format_with_an_offset_reads_instants() {
        let reading = Reading {
            formats: vec!["%Y-%m-%d %H:%M:%S%z".into(), "%d/%m/%Y %H:%M %#z".into()],
            ..Reading::default()
        };
        let got = parse_with(
            &reading,
            &[
                Some("2024-01-02 04:04:05+0100"),
                Some("02/01/2024 03:04 +00"),
                Some("2024-01-02 03:04:05"),
            ],
        );
        assert_eq!(got, vec![Some(T), Some(T - 5_000_000), Some(T)]);
    }

    #[test]
    fn booleans_are_not_timestamps() {
        assert!(parse_timestamp(col("t"), &DataType::Boolean, &Reading::default()).is_none());
    }

    fn parse_with(reading: &Reading, values: &[Option<&str>]) -> Vec<Option<i64>> {
        let df = df!("t" => values).unwrap();
        let out = df
            .lazy()
            .select([parse_timestamp(col("t"), &DataType::String, reading)
                .unwrap()
                .alias("t")])
            .collect()
            .unwrap();
        let ca = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        ca.i64().unwrap().iter().collect()
    }

    /// Issue 12 item 3: `1706076407` is 2024-01-24T06:06:47Z (seconds: 10
    /// digits), not 1970-01-20; 13 digits are ms, 16 µs; 11 digits are none.
    #[test]
    fn epoch_unit_follows_the_digits() {
        let got = parse_strings(&[
            Some("1706076407"),
            Some("1706076407193"),
            Some("1706076407193000"),
            Some("17060764071"),
        ]);
        let t = 1_706_076_407_000_000i64;
        assert_eq!(
            got,
            vec![Some(t), Some(t + 193_000), Some(t + 193_000), None]
        );
    }

    /// Issue 12 items 5 and 6: a HubSpot UI "Create Date" `2024-03-01 02:01`
    /// in New York is 07:01 UTC (March, not February); a Salesforce report's
    /// `3/15/2024 2:30 PM` with `date_format = "en_US"`; a bare date is
    /// midnight in the zone.
    #[test]
    fn local_times_and_locale_formats() {
        let ny = Reading {
            zone: Some(Zone::parse("America/New_York").unwrap()),
            formats: crate::config::DateFormat::One("en_US".into()).patterns(),
            ..Reading::default()
        };
        let got = parse_with(
            &ny,
            &[
                Some("2024-03-01 02:01"),
                Some("3/15/2024 2:30 PM"),
                Some("03/01/2024"),
                Some("2024-03-01T02:01:00Z"),
                Some("2024-03-10 02:30"),
            ],
        );
        // date -u -d '2024-03-01 07:01' +%s = 1709276460
        assert_eq!(got[0], Some(1_709_276_460_000_000));
        // 2024-03-15 14:30 EDT = 18:30 UTC = 1710527400
        assert_eq!(got[1], Some(1_710_527_400_000_000));
        // 2024-03-01 00:00 EST = 05:00 UTC = 1709269200
        assert_eq!(got[2], Some(1_709_269_200_000_000));
        // An explicit Z is UTC whatever the zone.
        assert_eq!(got[3], Some(1_709_258_460_000_000));
        // 02:30 on 2024-03-10 does not exist in New York (DST gap): read
        // with the offset before the change (EST), as java.time does:
        // 07:30 UTC = 03:30 EDT (date -u -d '2024-03-10 07:30' +%s).
        assert_eq!(got[4], Some(1_710_055_800_000_000));
        // São Paulo skipped midnight on 2017-10-15 (an Olist lead's
        // creation date): the day starts at 01:00 local = 03:00 UTC.
        let sp = Reading {
            zone: Some(Zone::parse("America/Sao_Paulo").unwrap()),
            ..Reading::default()
        };
        assert_eq!(
            parse_with(&sp, &[Some("2017-10-15")]),
            [Some(1_508_036_400_000_000)]
        );
    }
}
