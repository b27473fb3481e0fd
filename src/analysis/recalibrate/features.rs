//! recalibrate's automatic 0/1 indicators (SPEC §4), each a rule with its
//! SQL predicate.
//!
//! - A numeric column is binned on train rows at the distinct values of the
//!   quantiles 0.2, 0.4, 0.6, 0.8 (linear interpolation): `x < e1`,
//!   `e1 ≤ x < e2`, …, `x ≥ e_last`, then `missing` when any row is null.
//!   With no train value: one bin, `x IS NOT NULL`.
//! - A text column gets one indicator per level (exact text; null is a level)
//!   with at least 1% of train rows (tested exactly as 100·count ≥ n_train),
//!   ordered by train count descending, ties by text in code-point order, a
//!   null level after texts of the same count; then `other` (rarer levels
//!   and levels seen only in test) when any row falls there.
//! - No reference level is dropped.
//!
//! Labels: `< 31`, `[31, 36)`, `>= 49`, `missing`, the level text, `(null)`,
//! `(other)`; a feature is `column: label`.

use super::super::rules::sql;

/// What an indicator stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bin,
    Missing,
    Level,
    Null,
    Other,
    /// A rule of the user's rules file.
    Rule,
}

/// One 0/1 feature and the rule that computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub column: String,
    pub kind: Kind,
    pub label: String,
    /// The SQL predicate.
    pub rule: String,
}

impl Indicator {
    /// `column: label`, or the rule's own name for a rules-file rule.
    pub fn feature(&self) -> String {
        match self.kind {
            Kind::Rule => self.label.clone(),
            _ => format!("{}: {}", self.column, self.label),
        }
    }
}

/// The SPEC's binning quantiles.
pub const QUANTILES: [f64; 4] = [0.2, 0.4, 0.6, 0.8];

/// The indicators of a numeric column from its train values (non-null) and
/// whether any row, train or test, is null.
pub fn numeric(column: &str, train_values: &[f64], any_null: bool) -> Vec<Indicator> {
    let c = sql::ident(column);
    let mut edges = crate::stats::quantiles(train_values, &QUANTILES).unwrap_or_default();
    edges.dedup();
    let ind = |kind, label: String, rule: String| Indicator {
        column: column.to_string(),
        kind,
        label,
        rule,
    };
    let mut out = Vec::new();
    match edges.as_slice() {
        [] => out.push(ind(
            Kind::Bin,
            "any value".into(),
            format!("{c} IS NOT NULL"),
        )),
        [first, ..] => {
            let n = sql::number;
            out.push(ind(
                Kind::Bin,
                format!("< {}", n(*first)),
                format!("{c} < {}", n(*first)),
            ));
            for w in edges.windows(2) {
                out.push(ind(
                    Kind::Bin,
                    format!("[{}, {})", n(w[0]), n(w[1])),
                    format!("{c} >= {} AND {c} < {}", n(w[0]), n(w[1])),
                ));
            }
            let last = edges[edges.len() - 1];
            out.push(ind(
                Kind::Bin,
                format!(">= {}", n(last)),
                format!("{c} >= {}", n(last)),
            ));
        }
    }
    if any_null {
        out.push(ind(Kind::Missing, "missing".into(), format!("{c} IS NULL")));
    }
    out
}

/// One level of a text column: its value (None = null) and row counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub value: Option<String>,
    pub train: u64,
    pub test: u64,
}

/// The indicators of a text column (`boolean`: its values are `true` /
/// `false`, compared as booleans) from its levels' counts.
pub fn text(column: &str, levels: &[Level], n_train: u64, boolean: bool) -> Vec<Indicator> {
    let c = sql::ident(column);
    let literal = |v: &str| match boolean {
        true => v.to_string(),
        false => sql::text(v),
    };
    let mut kept: Vec<&Level> = levels
        .iter()
        .filter(|l| l.train > 0 && 100 * l.train >= n_train)
        .collect();
    // Count descending; ties by text (byte order = code-point order), null last.
    kept.sort_by(|a, b| {
        b.train
            .cmp(&a.train)
            .then_with(|| match (&a.value, &b.value) {
                (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
    let mut out: Vec<Indicator> = kept
        .iter()
        .map(|l| match &l.value {
            Some(v) => Indicator {
                column: column.to_string(),
                kind: Kind::Level,
                label: v.clone(),
                rule: format!("{c} = {}", literal(v)),
            },
            None => Indicator {
                column: column.to_string(),
                kind: Kind::Null,
                label: "(null)".into(),
                rule: format!("{c} IS NULL"),
            },
        })
        .collect();
    let has_other = levels
        .iter()
        .any(|l| l.train + l.test > 0 && !kept.iter().any(|k| k.value == l.value));
    if has_other {
        let null_kept = kept.iter().any(|k| k.value.is_none());
        let texts: Vec<String> = kept
            .iter()
            .filter_map(|k| k.value.as_deref().map(literal))
            .collect();
        let rule = match (texts.is_empty(), null_kept) {
            (true, true) => format!("{c} IS NOT NULL"),
            (true, false) => "TRUE".to_string(),
            (false, true) => format!("{c} NOT IN ({})", texts.join(", ")),
            (false, false) => format!("({c} IS NULL OR {c} NOT IN ({}))", texts.join(", ")),
        };
        out.push(Indicator {
            column: column.to_string(),
            kind: Kind::Other,
            label: "(other)".into(),
            rule,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(v: Option<&str>, train: u64, test: u64) -> Level {
        Level {
            value: v.map(str::to_string),
            train,
            test,
        }
    }

    #[test]
    fn numeric_bins_match_the_bank_reference() {
        // bank_expected.json: age edges 31, 36, 42, 49 → five bins, no nulls.
        let values: Vec<f64> = (0..100).map(|i| f64::from(20 + i / 2)).collect();
        let got = numeric("age", &values, false);
        assert_eq!(got[0].rule, "\"age\" < 29.8");
        assert_eq!(got.len(), 5);
        assert_eq!(got[1].label, "[29.8, 39.6)");
        assert_eq!(got[1].rule, "\"age\" >= 29.8 AND \"age\" < 39.6");
        assert_eq!(got[4].label, ">= 59.2");
        // Equal quantiles collapse; one edge gives two bins; nulls a third.
        let got = numeric("pdays", &[999.0; 10], true);
        let rules: Vec<&str> = got.iter().map(|i| i.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["\"pdays\" < 999", "\"pdays\" >= 999", "\"pdays\" IS NULL"]
        );
        let got = numeric("x", &[], true);
        assert_eq!(got[0].rule, "\"x\" IS NOT NULL");
        assert_eq!(got[1].feature(), "x: missing");
    }

    #[test]
    fn text_levels_order_threshold_and_other() {
        // n_train 200: 1% is 2 rows. "b" and null tie at 50: text first.
        let levels = [
            level(Some("a"), 100, 10),
            level(None, 50, 5),
            level(Some("b"), 50, 5),
            level(Some("rare"), 1, 0),
            level(Some("new"), 0, 3),
        ];
        let got = text("src", &levels, 201, false);
        let rules: Vec<&str> = got.iter().map(|i| i.rule.as_str()).collect();
        assert_eq!(
            rules,
            [
                "\"src\" = 'a'",
                "\"src\" = 'b'",
                "\"src\" IS NULL",
                "\"src\" NOT IN ('a', 'b')"
            ]
        );
        assert_eq!(got[2].feature(), "src: (null)");
        // A rare null goes to other, which then says so.
        let levels = [
            level(Some("x"), 300, 1),
            level(None, 1, 0),
            level(Some("O'Neil"), 299, 0),
        ];
        let got = text("c", &levels, 600, false);
        assert_eq!(got[1].rule, "\"c\" = 'O''Neil'");
        assert_eq!(
            got[2].rule,
            "(\"c\" IS NULL OR \"c\" NOT IN ('x', 'O''Neil'))"
        );
        // No other when every row is a kept level.
        assert_eq!(text("c", &[level(Some("x"), 5, 5)], 5, false).len(), 1);
        // Booleans compare as booleans.
        let got = text(
            "flag",
            &[level(Some("true"), 5, 1), level(Some("false"), 5, 1)],
            10,
            true,
        );
        assert_eq!(got[0].rule, "\"flag\" = false");
    }
}
