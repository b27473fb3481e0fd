//! Reading every timestamp form of SPEC §1 into one type: microseconds since
//! the epoch, UTC, without a zone (`Datetime(us)`).
//!
//! - Parquet timestamps of any unit: a zone-aware value is converted to UTC; a
//!   naive one is taken to be UTC already.
//! - Parquet dates: midnight UTC.
//! - Integers (and digit-only text): epoch milliseconds by default
//!   (`epoch_unit` in the config for seconds or microseconds).
//! - Text: ISO-8601 date, date-time with `T` or a space, optional fraction,
//!   optional `Z` or `±hh:mm` offset. Anything else is unparseable and the row
//!   is set aside (`unparseable_timestamp`), never guessed at.

use polars::prelude::*;

use crate::config::EpochUnit;

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
    time.cast(ts_dtype())
        .cast(DataType::Int64)
        .cast(DataType::Float64)
}

/// Naive ISO forms, tried in this order.
const NAIVE_FORMATS: [&str; 6] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%d %H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];
/// Forms with a UTC offset.
const OFFSET_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z"];

fn strptime_options(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

/// An expression that reads column `expr` (of input type `dtype`) as a UTC
/// timestamp; `None` when the type cannot hold a time at all.
pub fn parse_timestamp(expr: Expr, dtype: &DataType, epoch: EpochUnit) -> Option<Expr> {
    let out = match dtype {
        DataType::Datetime(_, None) => expr.cast(ts_dtype()),
        DataType::Datetime(_, Some(_)) => expr
            .dt()
            .convert_time_zone(TimeZone::UTC)
            .dt()
            .replace_time_zone(None, lit("raise"), NonExistent::Raise)
            .cast(ts_dtype()),
        DataType::Date => expr.cast(ts_dtype()),
        DataType::Null => expr.cast(ts_dtype()),
        d if d.is_integer() => from_epoch(expr.cast(DataType::Int64), epoch),
        d if d.is_float() => from_epoch(expr.floor().cast(DataType::Int64), epoch),
        DataType::String => parse_text(expr),
        _ => return None,
    };
    Some(out)
}

fn from_epoch(int: Expr, epoch: EpochUnit) -> Expr {
    let micros = match epoch {
        EpochUnit::S => int * lit(1_000_000i64),
        EpochUnit::Ms => int * lit(1_000i64),
        EpochUnit::Us => int,
    };
    micros.cast(ts_dtype())
}

fn parse_text(expr: Expr) -> Expr {
    let s = expr.str().strip_chars(lit(NULL));
    let mut tries: Vec<Expr> = Vec::new();
    for f in NAIVE_FORMATS {
        tries.push(s.clone().str().to_datetime(
            Some(TS_UNIT),
            None,
            strptime_options(f),
            lit("raise"),
        ));
    }
    for f in OFFSET_FORMATS {
        tries.push(
            s.clone()
                .str()
                .to_datetime(
                    Some(TS_UNIT),
                    Some(TimeZone::UTC),
                    strptime_options(f),
                    lit("raise"),
                )
                .dt()
                .replace_time_zone(None, lit("raise"), NonExistent::Raise),
        );
    }
    tries.push(
        s.clone()
            .str()
            .to_date(strptime_options("%Y-%m-%d"))
            .cast(ts_dtype()),
    );
    // Digit-only text is epoch milliseconds, as CRM APIs write them.
    // (At least nine characters, so "20240102" is never read as an epoch.)
    let long = s.clone().str().len_bytes().gt_eq(lit(9u32));
    tries.push(
        when(long)
            .then(from_epoch(s.cast(DataType::Int64), EpochUnit::Ms))
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
            .select([parse_timestamp(col("t"), &DataType::String, EpochUnit::Ms)
                .unwrap()
                .alias("t")])
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
                Some(T)
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
            .select([parse_timestamp(col("t"), &dtype, EpochUnit::Ms).unwrap()])
            .collect()
            .unwrap();
        let v = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(v.i64().unwrap().get(0), Some(T));

        let secs = df!("t" => [T / 1_000_000]).unwrap();
        let out = secs
            .lazy()
            .select([parse_timestamp(col("t"), &DataType::Int64, EpochUnit::S).unwrap()])
            .collect()
            .unwrap();
        let v = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(v.i64().unwrap().get(0), Some(T));
    }

    #[test]
    fn booleans_are_not_timestamps() {
        assert!(parse_timestamp(col("t"), &DataType::Boolean, EpochUnit::Ms).is_none());
    }
}
