//! Typing the non-time canonical columns: numbers (amounts, scores), flags
//! (deleted, wide-export stage flags) and text (sources, stages, statuses).

use polars::prelude::*;

/// A number as `Float64`; text that is not a number, NaN and the
/// infinities (a float column's or text such as `nan`, `inf`, `1e999`)
/// become null (the caller sets the row aside as `unparseable_number`: a
/// NaN score would otherwise rank above every score). `None`: the type
/// cannot hold one.
pub fn parse_number(expr: Expr, dtype: &DataType) -> Option<Expr> {
    let number = match dtype {
        d if d.is_primitive_numeric() || matches!(d, DataType::Decimal(..) | DataType::Null) => {
            expr.cast(DataType::Float64)
        }
        DataType::String => parse_text(expr).cast(DataType::Float64),
        _ => return None,
    };
    Some(match dtype {
        DataType::Float32 | DataType::Float64 | DataType::String => finite_or_null(number),
        _ => number,
    })
}

/// A Float64 expression with NaN and the infinities as null.
pub fn finite_or_null(number: Expr) -> Expr {
    when(number.clone().is_finite())
        .then(number)
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// True for `true`, non-zero numbers and the text `true`, `t`, `yes`, `y` (any
/// case) or a non-zero number (`1`, `1.0`); false otherwise, including null.
pub fn parse_flag(expr: Expr, dtype: &DataType) -> Expr {
    let truthy = match dtype {
        DataType::Boolean => expr,
        d if d.is_primitive_numeric() => expr.neq(lit(0)),
        _ => {
            let text = parse_text(expr);
            // A number written as text counts as one (pandas writes 1.0).
            let number = text
                .clone()
                .cast(DataType::Float64)
                .neq(lit(0.0))
                .fill_null(lit(false));
            text.str()
                .to_lowercase()
                .is_in(
                    lit(Series::new("t".into(), ["true", "t", "yes", "y", "1"])).implode(false),
                    false,
                )
                .or(number)
        }
    };
    truthy.fill_null(lit(false))
}

/// A vendor's names for a stage or status (`map`: the table's
/// `stage_map` / `status_map`) turned into the canonical ones (`canonical`,
/// lower case). A value is kept when it is canonical, else mapped by the
/// key it equals, else by the key (or canonical name) it equals in any
/// case: a UI export's "Closed won" is the preset's "Closed Won", and
/// "MQL" is `mql` (a user trial's HubSpot deals were all set aside as
/// `invalid_status` over the case of one letter). Keys that differ only in
/// case but map to different names are matched exactly only.
pub fn canonical_names(
    expr: Expr,
    map: &std::collections::BTreeMap<String, String>,
    canonical: &'static [&'static str],
) -> Expr {
    let exact: PlHashMap<String, String> =
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut folded: PlHashMap<String, Option<String>> = canonical
        .iter()
        .map(|c| (c.to_string(), Some(c.to_string())))
        .collect();
    for (k, v) in map {
        let entry = folded.entry(k.to_lowercase()).or_insert(Some(v.clone()));
        if entry.as_deref() != Some(v.as_str()) {
            *entry = None;
        }
    }
    expr.map(
        move |c| {
            let ca = c.str()?;
            let named = |v: &str| -> Option<String> {
                if canonical.contains(&v) {
                    return None;
                }
                exact
                    .get(v)
                    .cloned()
                    .or_else(|| folded.get(&v.to_lowercase()).cloned().flatten())
            };
            // Most rows are canonical already: the batch is kept as it is.
            if ca.iter().flatten().all(|v| named(v).is_none()) {
                return Ok(c.clone());
            }
            let out: StringChunked = ca
                .iter()
                .map(|v| v.map(|v| named(v).unwrap_or_else(|| v.to_string())))
                .collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
    )
}

/// Text, trimmed of surrounding whitespace (`str::trim`, as polars'
/// `strip_chars`); empty text is null.
pub fn parse_text(expr: Expr) -> Expr {
    expr.cast(DataType::String).map(
        |c| trimmed(&c),
        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
    )
}

/// [`parse_text`] of one batch of text. Exports rarely pad their values:
/// a batch with nothing to trim and no empty value is returned as it is,
/// not copied (at 10M leads the copies were a tenth of judging).
fn trimmed(c: &Column) -> PolarsResult<Column> {
    let ca = c.str()?;
    // Printable ASCII at both ends is no whitespace of any kind: the
    // Unicode trim is only asked about the rest.
    let clean = |v: Option<&str>| {
        v.is_none_or(|s| match (s.as_bytes().first(), s.as_bytes().last()) {
            (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => true,
            (None, _) => false,
            _ => s.trim().len() == s.len(),
        })
    };
    if ca.iter().all(clean) {
        return Ok(c.clone());
    }
    let out: StringChunked = ca
        .iter()
        .map(|v| v.map(str::trim).filter(|s| !s.is_empty()))
        .collect_ca(ca.name().clone());
    Ok(out.into_column())
}

/// Is the raw value present (not null, and not blank text)?
pub fn present(expr: Expr, dtype: &DataType) -> Expr {
    match dtype {
        DataType::String => parse_text(expr).is_not_null(),
        _ => expr.is_not_null(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Canonical names are kept; a key is matched exactly first, then in
    /// any case; keys that differ only in case and map apart are matched
    /// exactly only; anything else is left for the caller to set aside.
    #[test]
    fn vendor_names_map_to_canonical_ones_in_any_case() {
        let map: std::collections::BTreeMap<String, String> = [
            ("Closed Won", "won"),
            ("Closed Lost", "lost"),
            ("X", "won"),
            ("x", "lost"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let values = [
            Some("won"),
            Some("Closed Won"),
            Some("closed won"),
            Some("CLOSED LOST"),
            Some("Won"),
            Some("X"),
            Some("x"),
            Some("X "),
            Some("pending"),
            None,
        ];
        let df = df!("s" => values).unwrap();
        let got = df
            .lazy()
            .select([canonical_names(col("s"), &map, &["won", "lost", "open"])])
            .collect()
            .unwrap();
        let got: Vec<Option<&str>> = got.column("s").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            got,
            [
                Some("won"),
                Some("won"),
                Some("won"),
                Some("lost"),
                Some("won"),
                Some("won"),
                Some("lost"),
                Some("X "),
                Some("pending"),
                None
            ]
        );
        // A batch of canonical names only is returned as it is.
        let df = df!("s" => [Some("open"), None]).unwrap();
        let same = df
            .lazy()
            .select([canonical_names(col("s"), &map, &["won", "lost", "open"])])
            .collect()
            .unwrap();
        assert_eq!(
            same.column("s").unwrap().str().unwrap().get(0),
            Some("open")
        );
    }

    #[test]
    fn numbers_from_text_and_decimals() {
        let df = df!("a" => [Some(" 12.5 "), Some("abc"), None]).unwrap();
        let out = df
            .lazy()
            .select([parse_number(col("a"), &DataType::String).unwrap()])
            .collect()
            .unwrap();
        let v: Vec<Option<f64>> = out.column("a").unwrap().f64().unwrap().iter().collect();
        assert_eq!(v, vec![Some(12.5), None, None]);
    }

    #[test]
    fn flags_in_every_spelling() {
        let df = df!("f" => [Some("True"), Some("no"), Some(" YES"), Some("1"), None]).unwrap();
        let out = df
            .lazy()
            .select([parse_flag(col("f"), &DataType::String)])
            .collect()
            .unwrap();
        let v: Vec<Option<bool>> = out.column("f").unwrap().bool().unwrap().iter().collect();
        assert_eq!(
            v,
            vec![Some(true), Some(false), Some(true), Some(true), Some(false)]
        );
        let df = df!("f" => [0i64, 2]).unwrap();
        let out = df
            .lazy()
            .select([parse_flag(col("f"), &DataType::Int64)])
            .collect()
            .unwrap();
        let v: Vec<Option<bool>> = out.column("f").unwrap().bool().unwrap().iter().collect();
        assert_eq!(v, vec![Some(false), Some(true)]);
    }

    fn texts(c: &Column) -> Vec<Option<String>> {
        let c = c.str().unwrap();
        c.iter().map(|v| v.map(String::from)).collect()
    }

    #[test]
    fn text_is_trimmed_as_str_trim_does_and_clean_batches_are_kept() {
        let padded = Column::new(
            "s".into(),
            [Some(" a "), Some("b"), Some(""), Some("\t\u{a0}c\n"), None],
        );
        let out = texts(&trimmed(&padded).unwrap());
        assert_eq!(
            out,
            [
                Some("a".into()),
                Some("b".into()),
                None,
                Some("c".into()),
                None
            ]
        );
        let clean = Column::new("s".into(), [Some("a"), None, Some("b c")]);
        assert!(trimmed(&clean).unwrap().equals_missing(&clean));
    }

    proptest::proptest! {
        /// Differential: every batch, clean or not, reads as `str::trim`
        /// with empty text absent (Unicode spaces, tabs and line ends at
        /// either end, non-ASCII letters).
        #[test]
        fn trimmed_equals_str_trim(
            values in proptest::collection::vec(
                proptest::option::of("[ \t\n\u{a0}\u{2003}]?[a-zé\u{a0} ]{0,4}[ \t\u{3000}é]?|[ é]?[a-z]{10,20}[ é\u{3000}]?"),
                0..12,
            ),
        ) {
            let column = Column::new("s".into(), values.clone());
            let out = texts(&trimmed(&column).unwrap());
            let want: Vec<Option<String>> = values
                .iter()
                .map(|v| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from))
                .collect();
            proptest::prop_assert_eq!(out, want);
        }
    }

    #[test]
    fn blank_text_is_absent() {
        let df = df!("s" => [Some(" "), Some("x"), None]).unwrap();
        let out = df
            .lazy()
            .select([
                present(col("s"), &DataType::String).alias("p"),
                parse_text(col("s")).alias("t"),
            ])
            .collect()
            .unwrap();
        let p: Vec<Option<bool>> = out.column("p").unwrap().bool().unwrap().iter().collect();
        assert_eq!(p, vec![Some(false), Some(true), Some(false)]);
        let t: Vec<Option<&str>> = out.column("t").unwrap().str().unwrap().iter().collect();
        assert_eq!(t, vec![None, Some("x"), None]);
    }
}
