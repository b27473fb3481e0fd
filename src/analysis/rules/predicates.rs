//! What a rule's predicate sees (SPEC §4 "score"): every lead column, typed
//! as recalibrate types them, and activity counts as of the scoring time.
//!
//! Typing: a text column is numeric when it has a value and every non-null
//! value parses as a finite number (in CSV only an empty field is null);
//! numeric columns are then compared as numbers (`"age" >= 40`). The type
//! is decided over every used lead, once, so `score` and `recalibrate` see
//! the same columns.
//!
//! Counts: `activities` (every kind), `activities_<kind>` (exact kind text)
//! and `touches`, each counting the lead's rows at or before its scoring
//! time. Decision (the spec is silent on "the scoring time"): the lead's
//! first MQL time (cumulative, SPEC §3), when its score decides routing and
//! its band is read; else as_of (a lead not yet an MQL is scored now). A
//! count is built only for a rule that names it. A lead column of the same
//! name wins over a count.

use std::collections::BTreeSet;

use polars::prelude::*;

use super::file::Rules;
use crate::analysis::plan::{take, Step};
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, KIND, LEAD_ROW};
use crate::quality::Checked;

/// The count columns a predicate may name.
pub const ACTIVITIES: &str = "activities";
pub const TOUCHES: &str = "touches";

/// The numeric columns among the lead columns (decided by [`Typing::plan`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Typing {
    pub numeric: BTreeSet<String>,
    /// Columns whose every value is distinct and present (identifiers).
    pub distinct: BTreeSet<String>,
    /// Columns with no value at all (a canonical column the export lacks).
    pub empty: BTreeSet<String>,
    /// Columns with one value on every lead (a config's constant).
    pub constant: BTreeSet<String>,
}

/// Text, numbers and booleans: the columns [`Typing`] counts in full.
pub fn countable(dtype: &DataType) -> bool {
    matches!(dtype, DataType::String | DataType::Boolean)
        || dtype.is_primitive_numeric()
        || matches!(dtype, DataType::Decimal(..))
}

fn nonnull_name(c: &str) -> String {
    format!("{c}\u{1}nonnull")
}
fn finite_name(c: &str) -> String {
    format!("{c}\u{1}finite")
}
fn unique_name(c: &str) -> String {
    format!("{c}\u{1}unique")
}
fn integral_name(c: &str) -> String {
    format!("{c}\u{1}integral")
}
fn probe_name(c: &str) -> String {
    format!("{c}\u{1}probe")
}

impl Typing {
    /// One row of counts per column: non-null values, values that parse as
    /// finite numbers, distinct non-null values and integral values.
    /// `shapes`: also count distinct and whole-number values (identifiers
    /// and constants, which only recalibrate's feature choice needs; a
    /// distinct count over 10M ids is not free).
    pub fn plan(
        funnel: LazyFrame,
        dtypes: &[(String, DataType)],
        shaped: impl Fn(&str) -> bool,
    ) -> LazyFrame {
        funnel.select(Typing::exprs(dtypes, shaped, true))
    }

    /// [`Typing::plan`]'s aggregations, to select with others over the
    /// same frame in one pass.
    /// Only text and numbers are counted beyond non-null values: a column
    /// of another type (binary, lists, structs) is neither numeric nor a
    /// candidate feature, and casting it to a number would fail.
    ///
    /// `parse`: every value of every text column is parsed here. Else a
    /// text column is only probed (its first value: if that does not
    /// parse, the column is text) and the columns the probe cannot settle
    /// are [`Typing::pending`], to be parsed in a second pass
    /// ([`Typing::parse_exprs`]); the result is the same. At 10M leads
    /// parsing the five text columns of generated leads (none numeric)
    /// was most of recalibrate's first pass: 0.8 s with the probe against
    /// 1.7–2.6 s.
    pub fn exprs(
        dtypes: &[(String, DataType)],
        shaped: impl Fn(&str) -> bool,
        parse: bool,
    ) -> Vec<Expr> {
        let mut exprs: Vec<Expr> = vec![len().alias("\u{1}rows")];
        for (c, dtype) in dtypes {
            let v = col(c.as_str());
            exprs.push(v.clone().is_not_null().sum().alias(nonnull_name(c)));
            if !countable(dtype) {
                continue;
            }
            let shaped = shaped(c);
            if shaped {
                exprs.push(v.clone().drop_nulls().n_unique().alias(unique_name(c)));
            }
            if *dtype == DataType::String && !parse {
                let parses = |e: Expr| e.cast(DataType::Float64).is_finite().fill_null(lit(false));
                exprs.push(parses(v.drop_nulls().first()).alias(probe_name(c)));
                continue;
            }
            exprs.extend(Typing::counts(c, shaped));
        }
        exprs
    }

    /// The text columns of a [`Typing::exprs`] row (`parse` false) whose
    /// every value must be parsed to tell if they are numeric: those whose
    /// probe values all parse.
    pub fn pending(row: &DataFrame, dtypes: &[(String, DataType)]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (c, _) in dtypes {
            if let Ok(probe) = row.column(&probe_name(c)) {
                if probe.bool()?.get(0) == Some(true) {
                    out.push(c.clone());
                }
            }
        }
        Ok(out)
    }

    /// The counts of [`Typing::pending`] `columns`, one row to set beside
    /// the first pass's before [`Typing::read`].
    pub fn parse_exprs(columns: &[String], shaped: impl Fn(&str) -> bool) -> Vec<Expr> {
        columns
            .iter()
            .flat_map(|c| Typing::counts(c, shaped(c)))
            .collect()
    }

    /// The second pass over `frame` a first pass's `row` ([`Typing::exprs`],
    /// `parse` false) needs: the counts of its [`Typing::pending`] columns;
    /// `None` when the probe settled every column.
    pub fn second_pass(
        row: &DataFrame,
        frame: &LazyFrame,
        dtypes: &[(String, DataType)],
        shaped: impl Fn(&str) -> bool,
    ) -> Result<Option<LazyFrame>> {
        let pending = Typing::pending(row, dtypes)?;
        Ok((!pending.is_empty())
            .then(|| frame.clone().select(Typing::parse_exprs(&pending, shaped))))
    }

    /// `then` on the first pass's `row` completed by the `second` pass's
    /// counts (collected first, streamed), ready for [`Typing::read`].
    pub fn complete<'a>(
        row: DataFrame,
        second: Option<LazyFrame>,
        then: impl FnOnce(DataFrame) -> Result<Step<'a>> + 'a,
    ) -> Result<Step<'a>> {
        match second {
            None => then(row),
            Some(plan) => Ok(Step::stream(vec![plan], move |frames| {
                let [counts] = take(frames, "typing")?;
                let mut row = row;
                row.hstack_mut(counts.columns())?;
                then(row)
            })),
        }
    }

    /// Values of `c` that parse as finite numbers, and (`shaped`) whole ones.
    fn counts(c: &str, shaped: bool) -> Vec<Expr> {
        let number = col(c).cast(DataType::Float64);
        let mut exprs = vec![number
            .clone()
            .is_finite()
            .fill_null(false)
            .sum()
            .alias(finite_name(c))];
        if shaped {
            exprs.push(
                (number.clone().floor().eq(number))
                    .fill_null(false)
                    .sum()
                    .alias(integral_name(c)),
            );
        }
        exprs
    }

    /// Reads [`Typing::plan`]'s row; `dtypes` are the columns' types in
    /// lead_funnel (text columns may be numeric; numbers are).
    pub fn read(row: &DataFrame, dtypes: &[(String, DataType)]) -> Result<Typing> {
        let get = |name: &str| -> Result<u64> {
            Ok(row
                .column(name)?
                .cast(&DataType::UInt64)?
                .u64()?
                .get(0)
                .unwrap_or(0))
        };
        let rows = get("\u{1}rows")?;
        let mut typing = Typing::default();
        for (c, dtype) in dtypes {
            let nonnull = get(&nonnull_name(c))?;
            let numeric = match dtype {
                // A text column the probe settled has no count: text.
                DataType::String => {
                    nonnull > 0
                        && row.column(&finite_name(c)).is_ok()
                        && get(&finite_name(c))? == nonnull
                }
                d => d.is_primitive_numeric() || matches!(d, DataType::Decimal(..)),
            };
            if numeric {
                typing.numeric.insert(c.clone());
            }
            if nonnull == 0 {
                typing.empty.insert(c.clone());
            }
            if row.column(&unique_name(c)).is_err() {
                continue;
            }
            if nonnull == rows && get(&unique_name(c))? == 1 {
                typing.constant.insert(c.clone());
            }
            let identifier = rows > 1
                && nonnull == rows
                && get(&unique_name(c))? == rows
                && (!numeric || get(&integral_name(c))? == rows);
            if identifier && (matches!(dtype, DataType::String) || numeric) {
                typing.distinct.insert(c.clone());
            }
        }
        Ok(typing)
    }

    /// `frame` with its numeric text columns as Float64.
    pub fn apply(&self, frame: LazyFrame, dtypes: &[(String, DataType)]) -> LazyFrame {
        // Ids stay text: a lead_id of 257 is written back as 257, not 257.0.
        let casts: Vec<Expr> = dtypes
            .iter()
            .filter(|(c, d)| {
                self.numeric.contains(c)
                    && matches!(d, DataType::String)
                    && c.as_str() != crate::input::schema::LEAD_ID
            })
            .map(|(c, _)| col(c.as_str()).cast(DataType::Float64))
            .collect();
        match casts.is_empty() {
            true => frame,
            false => frame.with_columns(casts),
        }
    }
}

/// The frame predicates are evaluated over: lead_funnel with its numeric
/// text columns as numbers and the activity counts the rules name.
pub struct PredicateFrame {
    pub frame: LazyFrame,
    /// The columns a predicate may name, in order (for error messages).
    pub columns: Vec<String>,
}

/// The distinct activity kinds (one column `kind`), to check
/// `activities_<kind>` names against; `None` without activities.
pub fn kinds_plan(checked: &Checked) -> Option<LazyFrame> {
    // Keyed rows where there are leads: the same rows, without putting
    // each row's lead id back (`TablePlan::lead_id_by_row`).
    let a = checked
        .keyed(TableKind::Activities)
        .or_else(|| checked.used(TableKind::Activities))?;
    let has_kind = a
        .clone()
        .collect_schema()
        .map(|s| s.contains(KIND))
        .unwrap_or(false);
    has_kind.then(|| {
        a.select([col(KIND).cast(DataType::String)])
            .drop_nulls(None)
            .unique(None, UniqueKeepStrategy::Any)
            .sort([KIND], SortMultipleOptions::default())
    })
}

impl PredicateFrame {
    /// `funnel` typed by `typing`, with the counts that `names` (every
    /// column the rules name) ask for. `kinds` are the activity kinds in
    /// the data; `as_of` the run's (µs), if any.
    pub fn build(
        funnel: LazyFrame,
        dtypes: &[(String, DataType)],
        typing: &Typing,
        checked: &Checked,
        names: &BTreeSet<String>,
        kinds: &[String],
        as_of: Option<i64>,
    ) -> Result<PredicateFrame> {
        let mut frame = typing.apply(funnel, dtypes);
        let mut columns: Vec<String> = dtypes.iter().map(|(c, _)| c.clone()).collect();
        let wanted = |n: &str| names.contains(n) && !dtypes.iter().any(|(c, _)| c == n);
        let mut counts: Vec<(String, LazyFrame, Option<String>)> = Vec::new();
        if let Some(a) = checked.keyed(TableKind::Activities) {
            if wanted(ACTIVITIES) {
                counts.push((ACTIVITIES.into(), a.clone(), None));
            }
            for k in kinds {
                let name = format!("{ACTIVITIES}_{k}");
                if wanted(&name) {
                    counts.push((name, a.clone(), Some(k.clone())));
                }
            }
            columns.push(ACTIVITIES.into());
            columns.extend(kinds.iter().map(|k| format!("{ACTIVITIES}_{k}")));
        }
        if let Some(t) = checked.keyed(TableKind::Touches) {
            if wanted(TOUCHES) {
                counts.push((TOUCHES.into(), t, None));
            }
            columns.push(TOUCHES.into());
        }
        if counts.is_empty() {
            return Ok(PredicateFrame { frame, columns });
        }
        // lead_funnel's rows are the used leads in order, so its row number
        // is the lead's key (LEAD_ROW) in every keyed table.
        // Compared as microseconds since the epoch (zone-aware and naive UTC
        // columns alike).
        let micros = |c: &str| col(c).dt().timestamp(TimeUnit::Microseconds);
        let scoring_time = match as_of {
            Some(t) => micros("mql_at").fill_null(lit(t)),
            None => micros("mql_at"),
        };
        frame = frame.with_row_index(LEAD_ROW, None);
        let times = frame
            .clone()
            .select([col(LEAD_ROW), scoring_time.alias("__scoring_time")]);
        for (name, rows, kind) in counts {
            let rows = match kind {
                Some(k) => rows.filter(col(KIND).cast(DataType::String).eq(lit(k))),
                None => rows,
            };
            let counted = rows
                .select([col(LEAD_ROW), micros("at").alias("at")])
                .join(
                    times.clone(),
                    [col(LEAD_ROW)],
                    [col(LEAD_ROW)],
                    JoinArgs::new(JoinType::Inner),
                )
                // Without a scoring time (no MQL, no as_of) every row counts.
                .filter(
                    col("__scoring_time")
                        .is_null()
                        .or(col("at").lt_eq(col("__scoring_time"))),
                )
                .group_by([col(LEAD_ROW)])
                .agg([len().cast(DataType::UInt32).alias(name.as_str())]);
            frame = crate::funnel::join_by_lead(frame, counted)
                .with_column(col(name.as_str()).fill_null(lit(0u32)));
        }
        Ok(PredicateFrame {
            frame: frame.drop(by_name([LEAD_ROW], true, false)),
            columns,
        })
    }
}

/// The lead columns of lead_funnel (its own computed columns left out),
/// with their types, in the leads' order.
pub fn lead_columns(funnel: &mut LazyFrame) -> Result<Vec<(String, DataType)>> {
    let schema = funnel.collect_schema()?;
    Ok(schema
        .iter()
        .filter(|(n, _)| !crate::funnel::COLUMNS.contains(&n.as_str()))
        .map(|(n, d)| (n.to_string(), d.clone()))
        .collect())
}

/// The kinds column of [`predicates::kinds_plan`]'s result.
pub fn kinds(frame: Option<&DataFrame>) -> Result<Vec<String>> {
    let Some(df) = frame else {
        return Ok(Vec::new());
    };
    Ok(df
        .column(KIND)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect())
}

/// The columns `rules` name (for [`PredicateFrame::build`]); a predicate
/// that does not parse is the one-line error naming its rule.
pub fn named_columns(rules: &Rules) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for r in &rules.rules {
        let e = parse(&rules.file, &r.name, &r.when)?;
        names.extend(e.meta().root_names().into_iter().map(|n| n.to_string()));
    }
    Ok(names)
}

fn parse(file: &std::path::Path, rule: &str, when: &str) -> Result<Expr> {
    polars::sql::sql_expr(when).map_err(|e| Error::BadRule {
        file: file.to_path_buf(),
        rule: rule.to_string(),
        detail: format!("`when` is not an SQL condition polars can read ({})", {
            // The parser's reason, without its syntax tree.
            let reason = crate::error::one_line(&e.to_string());
            match reason.char_indices().nth(160) {
                Some((i, _)) => format!("{}…", &reason[..i]),
                None => reason,
            }
        }),
    })
}

/// Each rule's predicate as a boolean expression over `frame` (null is
/// false), aliased by the rule's name. A predicate that does not parse,
/// names an unknown column or is not a condition is a one-line exit-2 error
/// naming the rule.
pub fn compile(rules: &Rules, frame: &PredicateFrame) -> Result<Vec<Expr>> {
    let schema = frame.frame.clone().collect_schema()?;
    let mut out = Vec::new();
    for r in &rules.rules {
        let bad = |detail: String| Error::BadRule {
            file: rules.file.clone(),
            rule: r.name.clone(),
            detail,
        };
        let e = parse(&rules.file, &r.name, &r.when)?;
        // A rule is about one lead: an aggregate or window (COUNT(*),
        // AVG(x), … OVER ()) would compare the lead with every lead, and
        // with the test leads in recalibrate.
        // (`IN ('a', 'b')` implodes a literal list: an aggregate of no
        // column, which is fine.)
        if (&e).into_iter().any(|n| match n {
            Expr::Over { .. } | Expr::Len => true,
            Expr::Agg(_) => !n.clone().meta().root_names().is_empty(),
            _ => false,
        }) {
            return Err(bad(
                "`when` aggregates over leads (COUNT, SUM, AVG, … or OVER); a rule is a condition on one lead's own values".into(),
            ));
        }
        for n in e.clone().meta().root_names() {
            // Only the lead's columns and the counts: lead_funnel's own
            // columns (reach, revenue, band) are outcomes, not predicates.
            if !frame.columns.iter().any(|c| c == n.as_str()) || !schema.contains(n.as_str()) {
                return Err(bad(format!(
                    "no column \"{n}\" (columns: {})",
                    frame.columns.join(", ")
                )));
            }
        }
        let dtype = frame
            .frame
            .clone()
            .select([e.clone().alias("__rule")])
            .collect_schema()
            .map_err(|err| bad(crate::error::one_line(&err.to_string())))?
            .get("__rule")
            .cloned()
            .unwrap_or(DataType::Null);
        if !matches!(dtype, DataType::Boolean | DataType::Null) {
            return Err(bad(format!(
                "`when` gives {dtype}, not a true/false condition"
            )));
        }
        // Some type errors (text compared with a number) surface only when
        // the predicate runs: run it on no rows.
        DataFrame::empty_with_schema(&schema)
            .lazy()
            .select([e.clone().alias("__rule")])
            .collect()
            .map_err(|err| {
                bad(format!(
                    "{} (quote text as 'text'; a column of numbers compares with numbers, a timestamp with TIMESTAMP '2026-01-01 00:00:00')",
                    crate::error::one_line(&err.to_string())
                ))
            })?;
        out.push(e.fill_null(lit(false)).alias(r.name.as_str()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Typing`] in two passes (probe, then the unsettled text columns
    /// parsed) equals [`Typing`] in one pass that parses every value,
    /// whatever the text columns hold: all numbers, a number first and
    /// text later, text first, whole numbers or not, nulls, no value.
    #[test]
    fn two_passes_type_every_column_as_one_pass_does() {
        let frame = df!(
            "all_numbers" => ["3", "4.5", "10", "7"],
            "number_then_text" => [Some("250"), Some("1000+"), None, Some("5")],
            "text_first" => ["11-50", "3", "4", "5"],
            "whole_ids" => ["1", "2", "3", "4"],
            "constant" => ["x", "x", "x", "x"],
            "empty" => [None::<&str>, None, None, None],
            "null_first" => [None, Some("2"), Some("2.5"), Some("nan")],
            "real" => [1.5f64, 2.0, 3.0, 4.0],
        )
        .unwrap();
        let dtypes: Vec<(String, DataType)> = frame
            .schema()
            .iter()
            .map(|(n, d)| (n.to_string(), d.clone()))
            .collect();
        let shaped = |c: &str| c != "real";
        let one = frame
            .clone()
            .lazy()
            .select(Typing::exprs(&dtypes, shaped, true))
            .collect()
            .unwrap();
        let mut first = frame
            .clone()
            .lazy()
            .select(Typing::exprs(&dtypes, shaped, false))
            .collect()
            .unwrap();
        let pending = Typing::pending(&first, &dtypes).unwrap();
        // Only columns whose first value parses are left to parse.
        assert_eq!(
            pending,
            ["all_numbers", "number_then_text", "whole_ids", "null_first"]
        );
        let counts = frame
            .lazy()
            .select(Typing::parse_exprs(&pending, shaped))
            .collect()
            .unwrap();
        first.hstack_mut(counts.columns()).unwrap();
        let two = Typing::read(&first, &dtypes).unwrap();
        assert_eq!(two, Typing::read(&one, &dtypes).unwrap());
        let names = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>();
        // "nan" parses but is not finite: text, as in one pass.
        assert_eq!(names(&two.numeric), ["all_numbers", "real", "whole_ids"]);
        // Every value present and distinct: text, or whole numbers (4.5 is not).
        assert_eq!(names(&two.distinct), ["text_first", "whole_ids"]);
        assert_eq!(names(&two.constant), ["constant"]);
        assert_eq!(names(&two.empty), ["empty"]);
    }
}
