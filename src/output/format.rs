//! How a number looks to a person — the one place that decides it.
//!
//! Tables declare a [`Unit`] per column and the table renderer asks this
//! module for each cell; the sentences analyses lead with use the same
//! functions, so `41.7%`, `+4.9 points` and `1,163,110` read the same in a
//! table, a sentence and the printed summary. CSV, JSON and Parquet keep the
//! raw values (fractions, not percentages).

/// What a column's numbers mean, and so how they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Whole things (leads, deals): `12,345`.
    Count,
    /// A plain quantity (a statistic, a ratio such as ROAS): `1,234.50`;
    /// magnitudes below 0.01 keep their digits (`3.10e-3`).
    Number,
    /// Money in the data set's currency: `1,234.50`.
    Money,
    /// A proportion shown as a percentage: `29.8%`. When the table also has
    /// `<name>_lo` and `<name>_hi` (SPEC §4's bounds), they are shown with it:
    /// `29.8% (26.8–33.0)`.
    Rate,
    /// A difference of proportions, in percentage points: `+4.9 pts`.
    Points,
    /// A duration in hours: `4.70`.
    Hours,
    /// A duration in days: `9.75`.
    Days,
    /// A p-value: `0.034`, or `< 0.001` (never `0.000`).
    PValue,
    /// A statistic on [0, 1] read to three decimals (AUC, Brier score): `0.630`.
    Statistic,
    /// Anything else, as its text.
    Text,
}

/// The mark of a missing value (null, or a rate with no denominator).
pub const NULL_MARK: &str = "–";

/// `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// `1 deal is` / `1,234 deals are`: a count with the words for one or many.
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// `1234567.5` → `1,234,567.5` (the sign and fraction are kept).
pub fn group_digits(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A quantity with two decimals and grouped digits; small magnitudes keep
/// their digits in scientific form.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return NULL_MARK.into();
    }
    if v != 0.0 && v.abs() < 0.01 {
        format!("{v:.2e}")
    } else {
        group_digits(&format!("{v:.2}"))
    }
}

/// Money to the cent with grouped digits: `1,234.50`.
pub fn money_cents(v: f64) -> String {
    if !v.is_finite() {
        return NULL_MARK.into();
    }
    group_digits(&format!("{v:.2}"))
}

/// Money rounded to whole units for sentences, `−` for a loss: `−222,810`.
pub fn money(v: f64) -> String {
    let sign = if v < 0.0 && v.round() != 0.0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{}", count(v.abs().round() as u64))
}

/// [`money`] with a sign either way: `+32,527`, `−416,814`.
pub fn signed_money(v: f64) -> String {
    if v < 0.0 && v.round() != 0.0 {
        money(v)
    } else {
        format!("+{}", money(v))
    }
}

/// A proportion as a percentage with one decimal: `0.417` → `41.7%`.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A rate with its bounds: `29.8% (26.8–33.0)`; `–` without a value.
pub fn rate(p: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (p, lo, hi) {
        (Some(p), Some(lo), Some(hi)) if p.is_finite() && lo.is_finite() && hi.is_finite() => {
            format!("{:.1}% ({:.1}–{:.1})", p * 100.0, lo * 100.0, hi * 100.0)
        }
        (Some(p), _, _) if p.is_finite() => pct(p),
        _ => NULL_MARK.into(),
    }
}

/// A difference of proportions in percentage points with a sign: `+4.9`,
/// `−0.3` (a difference that rounds to zero is `+0.0`).
pub fn points(v: f64) -> String {
    let p = format!("{:.1}", (v * 100.0).abs());
    if v < 0.0 && p != "0.0" {
        format!("−{p}")
    } else {
        format!("+{p}")
    }
}

/// A p-value: three decimals, or `< 0.001`.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        NULL_MARK.into()
    } else if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// `p = 0.034` or `p < 0.001`, as a sentence says it.
pub fn p_clause(p: f64) -> String {
    let text = p_value(p);
    match text.strip_prefix("< ") {
        Some(bound) => format!("p < {bound}"),
        None => format!("p = {text}"),
    }
}

/// A setting as the user wrote it: `24`, `0.5`.
pub fn setting(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v != 0.0 && (v.abs() < 1e-6 || v.abs() >= 1e15) {
        // Not 300 digits of zeros (a breaker's half-life of 1e-300 days).
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// `frame` with every timestamp column as RFC 3339 text in UTC with a `Z`
/// (`2024-01-24T06:06:47.193Z`), so CSV and JSON readers (BI tools, which
/// read a naive time as local) get the instant leadloop means. Times are
/// UTC inside leadloop (naive columns are UTC); a zoned column is converted.
pub fn rfc3339_times(
    frame: &polars::prelude::DataFrame,
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let exprs: Vec<Expr> = frame
        .columns()
        .iter()
        .map(|c| {
            let name = c.name().as_str();
            match c.dtype() {
                DataType::Datetime(_, tz) => {
                    let utc = |e: Expr| match tz {
                        Some(_) => e
                            .dt()
                            .convert_time_zone(TimeZone::UTC)
                            .dt()
                            .replace_time_zone(None, lit("raise"), NonExistent::Raise),
                        None => e,
                    };
                    calendar_text(name, c.dtype(), |e| {
                        utc(e).dt().to_string("%Y-%m-%dT%H:%M:%S%.fZ")
                    })
                }
                DataType::Date => calendar_text(name, c.dtype(), |e| e.dt().to_string("%Y-%m-%d")),
                _ => col(name),
            }
        })
        .collect();
    frame.clone().lazy().select(exprs).collect()
}

/// Column `name` (a date or time of `dtype`) as `text` writes it, where
/// the calendar can name its value; outside years 1–9999 (a set-aside
/// row's raw value, shown by `validate --quarantine-out`) as its number:
/// `9223372036854775807 μs since 1970-01-01 (outside years 1-9999)`.
/// polars' writers panic on such a value. The text is taken of the values
/// within the years only, so none outside is ever formatted.
fn calendar_text(
    name: &str,
    dtype: &polars::prelude::DataType,
    text: impl Fn(polars::prelude::Expr) -> polars::prelude::Expr,
) -> polars::prelude::Expr {
    use polars::prelude::*;
    let Some(((lo, hi), unit)) = crate::input::time::calendar_range_of(dtype) else {
        return text(col(name)).alias(name);
    };
    let raw = col(name).to_physical().cast(DataType::Int64);
    let within = raw.clone().gt_eq(lit(lo)).and(raw.clone().lt_eq(lit(hi)));
    let named = when(within.clone())
        .then(col(name))
        .otherwise(lit(NULL).cast(dtype.clone()));
    when(within)
        .then(text(named))
        .otherwise(concat_str(
            [
                raw.cast(DataType::String),
                lit(crate::input::time::outside_calendar("", unit)),
            ],
            "",
            false,
        ))
        .alias(name)
}

/// One cell of a column of `unit`, from its value as a float (integers,
/// rates and money all arrive as `f64`; `None` is a null).
pub fn cell(unit: Unit, v: Option<f64>) -> String {
    let Some(v) = v else {
        return NULL_MARK.into();
    };
    match unit {
        Unit::Count if v.is_finite() && v >= 0.0 && v.fract() == 0.0 => count(v as u64),
        Unit::Count | Unit::Number | Unit::Text => number(v),
        Unit::Money | Unit::Hours | Unit::Days => money_cents(v),
        Unit::Rate => rate(Some(v), None, None),
        Unit::Points if v.is_finite() => format!("{} pts", points(v)),
        Unit::Points => NULL_MARK.into(),
        Unit::PValue => p_value(v),
        Unit::Statistic if v.is_finite() => format!("{v:.3}"),
        Unit::Statistic => NULL_MARK.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits("1234567.5"), "1,234,567.5");
        assert_eq!(group_digits("-1000"), "-1,000");
        assert_eq!(group_digits("12"), "12");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
    }

    #[test]
    fn rates_show_their_bounds() {
        assert_eq!(
            rate(Some(0.2984), Some(0.268), Some(0.33)),
            "29.8% (26.8–33.0)"
        );
        assert_eq!(rate(Some(0.5), None, None), "50.0%");
        assert_eq!(rate(None, None, None), "–");
    }

    #[test]
    fn p_values_never_read_zero() {
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.0), "< 0.001");
        assert_eq!(p_value(0.001), "0.001");
        assert_eq!(p_value(0.0345), "0.035");
        assert_eq!(p_clause(0.00001), "p < 0.001");
        assert_eq!(p_clause(0.06), "p = 0.060");
        assert_eq!(cell(Unit::PValue, Some(1e-9)), "< 0.001");
    }

    #[test]
    fn points_and_money_carry_their_sign() {
        assert_eq!(points(0.049), "+4.9");
        assert_eq!(points(-0.0251), "−2.5");
        assert_eq!(points(-0.0001), "+0.0");
        assert_eq!(cell(Unit::Points, Some(0.1)), "+10.0 pts");
        assert_eq!(money(-222_810.4), "−222,810");
        assert_eq!(signed_money(32_527.0), "+32,527");
        assert_eq!(signed_money(-0.2), "+0");
        assert_eq!(money_cents(1_234.5), "1,234.50");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        use polars::prelude::*;
        let t = Series::new(
            "t".into(),
            [1_706_076_407_193_000i64, 1_706_076_407_000_000],
        )
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap();
        let ny = t
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap()
            .with_name("ny".into());
        let df = DataFrame::new_infer_height(vec![t.into(), ny.into()]).unwrap();
        let out = rfc3339_times(&df).unwrap();
        let text = |c: &str| {
            out.column(c)
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .map(String::from)
        };
        assert_eq!(text("t").as_deref(), Some("2024-01-24T06:06:47.193Z"));
        assert_eq!(text("ny").as_deref(), Some("2024-01-24T06:06:47.193Z"));
        let whole = out
            .column("t")
            .unwrap()
            .str()
            .unwrap()
            .get(1)
            .map(String::from);
        assert_eq!(whole.as_deref(), Some("2024-01-24T06:06:47Z"));
    }

    #[test]
    fn numbers_keep_small_magnitudes() {
        assert_eq!(number(0.003_1), "3.10e-3");
        assert_eq!(number(1234.567), "1,234.57");
        assert_eq!(number(f64::NAN), "–");
        assert_eq!(setting(24.0), "24");
        assert_eq!(setting(0.5), "0.5");
    }
}
