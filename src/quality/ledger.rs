//! The quality ledger: per table, rows read, used and set aside per reason,
//! with up to three example rows each (file and row number in that file).
//! `validate` prints it; every analysis cites it ("N rows set aside").

use std::collections::BTreeMap;

use polars::prelude::*;

use super::{Checked, Reason, TablePlan};
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, FILE_COL, INDEX_COL, LEAD_ID, REASON_COL};

pub const EXAMPLES_PER_REASON: usize = 3;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    pub tables: Vec<TableLedger>,
    /// The latest timestamp in any used row of any table, in microseconds
    /// since the epoch (SPEC §3's default `as_of`); `None` without times.
    /// Computed in the same run as the counts, so the inputs are read once;
    /// `None` too when not asked for (`compute(.., false)`).
    pub latest: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableLedger {
    pub table: String,
    pub location: String,
    pub read: u64,
    pub used: u64,
    /// Used rows with no lead (deals: SPEC §1 lets an opportunity have none).
    pub unlinked: u64,
    pub reasons: Vec<ReasonCount>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReasonCount {
    pub reason: String,
    pub rows: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Example {
    pub file: String,
    /// 1-based row number within its file (the header is not counted).
    pub row: u64,
    /// `column=value` pairs of the row as read.
    pub values: String,
    /// The value of the row's first culprit column (what set it aside,
    /// where the table can tell: `TablePlan::culprits_in`), as shown.
    #[serde(default)]
    pub cause: Option<String>,
}

/// The set-aside rows of one table: `reason, file, row` and the data as read.
pub struct SetAside {
    pub table: String,
    pub frame: DataFrame,
}

impl TableLedger {
    pub fn set_aside(&self) -> u64 {
        self.reasons.iter().map(|r| r.rows).sum()
    }

    pub fn rows(&self, reason: Reason) -> u64 {
        self.reasons
            .iter()
            .find(|r| r.reason == reason.code())
            .map_or(0, |r| r.rows)
    }
}

impl Ledger {
    pub fn table(&self, name: &str) -> Option<&TableLedger> {
        self.tables.iter().find(|t| t.table == name)
    }

    pub fn set_aside_total(&self) -> u64 {
        self.tables.iter().map(TableLedger::set_aside).sum()
    }

    /// One sentence for an analysis' notes.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .tables
            .iter()
            .filter(|t| t.set_aside() > 0)
            .map(|t| {
                format!(
                    "{} {}",
                    crate::output::format::count(t.set_aside()),
                    t.table
                )
            })
            .collect();
        if parts.is_empty() {
            return "no input rows were set aside".into();
        }
        let mut text = format!(
            "{} input {} set aside ({}); `leadloop validate` lists them",
            crate::output::format::count(self.set_aside_total()),
            if self.set_aside_total() == 1 {
                "row"
            } else {
                "rows"
            },
            parts.join(", ")
        );
        for hint in self.date_format_hints() {
            text.push_str("; ");
            text.push_str(&hint);
        }
        text
    }

    /// For each table where a tenth or more of the rows (at least 10) have a
    /// timestamp in no form read: a pointer to its `date_format`. A user
    /// trial's en_GB on an en_US export set most rows aside and misread
    /// the rest (day and month swapped), and the analyses ran on with only
    /// "16 input rows set aside" to show for it.
    pub fn date_format_hints(&self) -> Vec<String> {
        self.tables
            .iter()
            .filter_map(|t| {
                let n = t.rows(Reason::UnparseableTimestamp);
                if n < 10 || n * 10 < t.read {
                    return None;
                }
                // Every example's culprit (its first value) is a missing
                // value written as text: null_values is the fix, not
                // date_format (a breaker's dates were the text NULL).
                if let Some(text) = null_text(t) {
                    return Some(format!(
                        "{} of {} {} rows have a timestamp in no form read, and their examples read {text}: if that means no value, say so ([tables.{}] null_values = [\"{text}\"])",
                        crate::output::format::count(n),
                        crate::output::format::count(t.read),
                        t.table,
                        t.table
                    ));
                }
                Some({
                    format!(
                        "{} of {} {} rows have a timestamp in no form read: check its date_format ([tables.{}] date_format = \"en_US\" reads 3/17/2024 5:01 AM, \"en_GB\" the day first, or give a strftime pattern; a day-first / month-first mix-up also misreads the dates that do parse)",
                        crate::output::format::count(n),
                        crate::output::format::count(t.read),
                        t.table,
                        t.table
                    )
                })
            })
            .collect()
    }
}

/// The text every example of `t`'s unparseable timestamps has as its
/// cause ([`Example::cause`]), when that text is one a spreadsheet or
/// database writes for no value (`NULL`, `N/A`, …).
fn null_text(t: &TableLedger) -> Option<String> {
    const MISSING: [&str; 9] = ["null", "none", "n/a", "na", "nan", "#n/a", "nil", "-", "?"];
    let reason = t
        .reasons
        .iter()
        .find(|r| r.reason == Reason::UnparseableTimestamp.code())?;
    let causes: Vec<Option<&str>> = reason
        .examples
        .iter()
        .map(|e| e.cause.as_deref().map(str::trim))
        .collect();
    let first = (*causes.first()?)?;
    let missing = MISSING.contains(&first.to_lowercase().as_str());
    (missing && causes.iter().all(|c| *c == Some(first))).then(|| first.to_string())
}

fn count_true(e: Expr) -> Expr {
    e.cast(DataType::UInt64).sum()
}

/// The columns a reason is about, most telling first.
fn offending(reason: Reason) -> &'static [&'static str] {
    use crate::input::schema::*;
    match reason {
        Reason::Deleted => &["IsDeleted", "is_deleted", "_fivetran_deleted", "archived"],
        Reason::InactiveVersion => &["_fivetran_active"],
        Reason::FilteredOut => &[
            "Field",
            "field",
            "Field / Event",
            "associationTypeId",
            "type_id",
            STAGE,
        ],
        Reason::NullKey | Reason::DuplicateKey => &[DEAL_ID, LEAD_ID],
        Reason::UnparseableTimestamp | Reason::MissingTimestamp => {
            &[CREATED_AT, AT, SCORED_AT, CLOSED_AT, DATE]
        }
        Reason::UnparseableNumber => &[AMOUNT, SCORE],
        Reason::MissingScore => &[SCORE],
        Reason::UnknownStage => &[STAGE],
        Reason::InvalidStatus => &[STATUS],
        Reason::UnknownCurrency => &[CURRENCY, AMOUNT],
        Reason::NegativeAmount | Reason::AmountOutOfRange | Reason::MissingAmount => &[AMOUNT],
        Reason::WonWithoutClosedAt => &[STATUS, CLOSED_AT],
        Reason::ClosedBeforeCreated => &[CREATED_AT, CLOSED_AT],
        Reason::UnknownLead => &[LEAD_ID],
        Reason::UnknownDeal => &[DEAL_ID],
        Reason::StageBeforeCreated => &[LEAD_ID, AT, CREATED_AT, CLOSED_AT],
    }
}

/// Counts every table in one pass over the judged rows, with the set-aside
/// rows of every table (`validate --quarantine-out`): see [`compute_with`].
pub fn compute(checked: &Checked, with_latest: bool) -> Result<(Ledger, Vec<SetAside>)> {
    compute_with(checked, with_latest, true)
}

/// Counts every table (polars shares the scans). `with_latest` also finds
/// [`Ledger::latest`] (analyses need it for `as_of`; `validate` does not);
/// `with_rows` also collects every set-aside row as read (the quarantine
/// files), else only the few example rows are read back.
pub fn compute_with(
    checked: &Checked,
    with_latest: bool,
    with_rows: bool,
) -> Result<(Ledger, Vec<SetAside>)> {
    // The counts depend only on the judged tables: a cache entry keeps them
    // beside those (a warm run then reads no input at all; at 10M leads
    // this was 3.3 s a command). Rows for --quarantine-out are never kept.
    const KEPT: &str = "ledger.json";
    if !with_rows {
        if let Some(kept) = checked
            .store()
            .read_text(KEPT)
            .and_then(|t| serde_json::from_str::<Ledger>(&t).ok())
        {
            return Ok((kept, Vec::new()));
        }
    }
    let plans: Vec<&TablePlan> = checked
        .tables
        .values()
        .chain(checked.lookups.iter().map(|(_, p)| p))
        .collect();
    // One run per table, so peak memory is that of the largest table, not
    // of all tables at once.
    let mut ledger = Ledger {
        tables: Vec::new(),
        latest: None,
    };
    let mut aside = Vec::new();
    for p in &plans {
        let q = queries(p);
        let latest = match with_latest {
            true => p.latest_plan()?,
            false => None,
        };
        // read, keys, offsets, then the used counts and the latest time
        // when asked for.
        let mut dsl: Vec<DslPlan> = vec![q.read.logical_plan, q.keys.logical_plan];
        dsl.push(q.offsets.logical_plan);
        let counted = q.used.is_some();
        dsl.extend(q.used.map(|u| u.logical_plan));
        dsl.extend(latest.map(|l| l.logical_plan));
        let frames = crate::output::phases::part(&p.name, || match p.judged {
            // The judged file and the input are scanned once each.
            true => LazyFrame::collect_all_with_engine(dsl, Engine::Streaming, OptFlags::default()),
            // The row count and file offsets read the input as it is, the
            // rest judge it: run together, polars would hold the whole scan
            // in memory to share it between them. The judging plans share
            // one pass (at 10M leads the touches' set-aside rows and latest
            // time took 3.7 s in two).
            false => {
                let run = |plans: Vec<DslPlan>| {
                    LazyFrame::collect_all_with_engine(
                        plans,
                        Engine::Streaming,
                        OptFlags::default(),
                    )
                };
                let mut dsl = dsl.into_iter();
                let (Some(read), Some(keys), Some(offsets)) = (dsl.next(), dsl.next(), dsl.next())
                else {
                    return Err(polars_err!(ComputeError: "ledger: no plans"));
                };
                let mut judging = vec![keys];
                judging.extend(dsl);
                let mut raw = run(vec![read, offsets])?.into_iter();
                let mut judged = run(judging)?.into_iter();
                let mut frames: Vec<DataFrame> = Vec::new();
                frames.extend(raw.next());
                frames.extend(judged.next());
                frames.extend(raw.next());
                frames.extend(judged);
                Ok(frames)
            }
        });
        let mut frames = frames.map_err(|e| unreadable(p, e))?.into_iter();
        let (Some(read), Some(keys), Some(offsets)) = (frames.next(), frames.next(), frames.next())
        else {
            return Err(Error::Internal("ledger: wrong number of results".into()));
        };
        let counts = match counted {
            true => frames.next(),
            false => None,
        };
        if let Some(df) = frames.next() {
            let t = df.column("t")?.i64()?.get(0);
            ledger.latest = ledger.latest.max(t);
        }
        let used = match (p.judged, counts) {
            (true, Some(used)) => used,
            // Judged in one pass (see `queries`): every row read is used or
            // set aside; `counts` holds the deals' unlinked rows, if any.
            (false, unlinked) => {
                derived_used(&read, &keys, unlinked.as_ref()).map_err(|e| unreadable(p, e))?
            }
            (true, None) => return Err(Error::Internal("ledger: no used count".into())),
        };
        let (read, used, keys, offsets) = (&read, &used, &keys, &offsets);
        let (t, frame) =
            tabulate(p, read, used, keys, offsets, with_rows).map_err(|e| unreadable(p, e))?;
        ledger.tables.push(t);
        if let Some(frame) = frame {
            aside.push(SetAside {
                table: p.name.clone(),
                frame,
            });
        }
    }
    if with_latest {
        if let Ok(text) = serde_json::to_string(&ledger) {
            // A cache that cannot be written is no error: the next run counts again.
            let _ = checked.store().write_text(KEPT, &text);
        }
    }
    Ok((ledger, aside))
}

fn unreadable(p: &TablePlan, e: PolarsError) -> Error {
    p.location.unreadable(&p.name, &e)
}

/// Rows read (the scan alone), rows used, the set-aside rows' reason and
/// row index, and where each file starts.
///
/// A table not judged into a file (`validate` without a cache entry to
/// fill) is judged by running its plan: the used rows are then not counted
/// in a second run of that plan (which would judge every row twice, or
/// hold them all for both counts) but found as read − set aside by
/// `derived_used`, from the read count and the set-aside keys and, for deals, the used
/// rows without a lead (`unlinked`, one more pass over a small table).
fn queries(p: &TablePlan) -> Queries {
    let unlinked = count_true(col(LEAD_ID).is_null()).alias("unlinked");
    let read = p.raw.clone().select([len().alias("n")]);
    let offsets = match (p.location.files.len(), &p.location.hive_root) {
        // One file starts at row 0: its name from the first row, not a
        // group-by over every row (0.4 s for 44M touches).
        (1, None) => p
            .raw
            .clone()
            .slice(0, 1)
            .select([col(FILE_COL), lit(0).cast(DataType::UInt64).alias("first")]),
        _ => p
            .raw
            .clone()
            .group_by([col(FILE_COL)])
            .agg([col(INDEX_COL).min().alias("first")]),
    };
    let deals = p.kind == Some(TableKind::Deals);
    let used = match (p.judged, deals) {
        // In the same pass as the used count: deals with no lead.
        (true, true) => Some(p.used_with(&[]).select([len().alias("n"), unlinked])),
        (true, false) => Some(
            p.used_with(&[])
                .select([len().alias("n"), lit(0u64).alias("unlinked")]),
        ),
        (false, true) => Some(p.used_with(&[]).select([unlinked])),
        (false, false) => None,
    };
    Queries {
        read,
        keys: p.set_aside_keys(),
        offsets,
        used,
    }
}

/// The ledger's plans for one table (see [`queries`]).
struct Queries {
    read: LazyFrame,
    keys: LazyFrame,
    offsets: LazyFrame,
    /// Judged into a file: the used rows' count `n` and `unlinked`. Not
    /// judged: only the deals' `unlinked` (`derived_used` finds `n`).
    used: Option<LazyFrame>,
}

/// The used count of a table judged in one pass: `n` = read − set aside,
/// and `unlinked` from `unlinked` (deals) or 0.
fn derived_used(
    read: &DataFrame,
    keys: &DataFrame,
    unlinked: Option<&DataFrame>,
) -> PolarsResult<DataFrame> {
    let unlinked = match unlinked {
        Some(df) => df
            .column("unlinked")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0),
        None => 0,
    };
    let Some(n) = count(read)?.checked_sub(keys.height() as u64) else {
        polars_bail!(ComputeError: "ledger: more rows set aside than read");
    };
    df!("n" => [n], "unlinked" => [unlinked])
}

fn count(df: &DataFrame) -> PolarsResult<u64> {
    let c = df.column("n")?.cast(&DataType::UInt64)?;
    Ok(c.u64()?.get(0).unwrap_or(0))
}

/// Row number within its file (1-based) of each global row index.
fn numbered(
    files: &Column,
    index: &Column,
    first: &BTreeMap<String, u64>,
) -> PolarsResult<Vec<u64>> {
    let files = files.cast(&DataType::String)?;
    let index = index.cast(&DataType::UInt64)?;
    Ok(files
        .str()?
        .iter()
        .zip(index.u64()?.iter())
        .map(|(f, i)| {
            let start = f.and_then(|f| first.get(f)).copied().unwrap_or(0);
            i.unwrap_or(0) - start + 1
        })
        .collect())
}

/// The file of each global row index: the one whose first row is the
/// greatest start not after it (`first`: file → its first global index).
fn file_of(index: &Column, first: &BTreeMap<String, u64>) -> PolarsResult<Column> {
    let mut starts: Vec<(u64, &str)> = first.iter().map(|(f, s)| (*s, f.as_str())).collect();
    starts.sort();
    let index = index.cast(&DataType::UInt64)?;
    let files: Vec<Option<&str>> = index
        .u64()?
        .iter()
        .map(|i| {
            let i = i?;
            let at = starts.partition_point(|(s, _)| *s <= i);
            at.checked_sub(1).map(|k| starts[k].1)
        })
        .collect();
    Ok(Column::new(FILE_COL.into(), files))
}

fn tabulate(
    p: &TablePlan,
    read: &DataFrame,
    used: &DataFrame,
    keys: &DataFrame,
    offsets: &DataFrame,
    with_rows: bool,
) -> PolarsResult<(TableLedger, Option<DataFrame>)> {
    let first: BTreeMap<String, u64> = {
        let files = offsets.column(FILE_COL)?.cast(&DataType::String)?;
        let starts = offsets.column("first")?.cast(&DataType::UInt64)?;
        files
            .str()?
            .iter()
            .zip(starts.u64()?.iter())
            .filter_map(|(f, s)| Some((f?.to_string(), s?)))
            .collect()
    };
    // Set-aside rows in scan order, with their row number within their file.
    let rows = keys.sort([INDEX_COL], SortMultipleOptions::default())?;
    let files = match rows.column(FILE_COL) {
        Ok(f) => f.cast(&DataType::String)?,
        Err(_) => file_of(rows.column(INDEX_COL)?, &first)?,
    };
    let index = rows.column(INDEX_COL)?.cast(&DataType::UInt64)?;
    let row_numbers = numbered(&files, &index, &first)?;
    let reasons = rows.column(REASON_COL)?.u8()?.clone();
    let mut counts: BTreeMap<Reason, (u64, Vec<usize>)> = BTreeMap::new();
    for (i, r) in reasons.iter().enumerate() {
        let Some(reason) = r.and_then(Reason::from_index) else {
            continue;
        };
        let entry = counts.entry(reason).or_default();
        entry.0 += 1;
        if entry.1.len() < EXAMPLES_PER_REASON {
            entry.1.push(i);
        }
    }
    // The example rows as read, fetched back from the input by row index.
    let picked: Vec<u64> = counts
        .values()
        .flat_map(|(_, idx)| idx.iter().filter_map(|&i| index.u64().ok()?.get(i)))
        .collect();
    let examples = match picked.is_empty() {
        true => DataFrame::empty(),
        false => p
            .rows_at(&picked)?
            .collect()?
            .sort([INDEX_COL], SortMultipleOptions::default())?,
    };
    let example_index = match examples.height() {
        0 => Vec::new(),
        _ => examples
            .column(INDEX_COL)?
            .cast(&DataType::UInt64)?
            .u64()?
            .iter()
            .collect::<Vec<_>>(),
    };
    let find = |global: Option<u64>| example_index.iter().position(|x| *x == global);
    let reasons = counts
        .into_iter()
        .map(|(reason, (n, idx))| {
            // The columns the reason is about come first, so a cut-off
            // example still shows what is wrong.
            let first = offending(reason);
            let mut names: Vec<&String> = p
                .data_columns
                .iter()
                .filter(|c| first.contains(&c.as_str()))
                .collect();
            names.sort_by_key(|c| first.iter().position(|f| f == c));
            names.extend(
                p.data_columns
                    .iter()
                    .filter(|c| !first.contains(&c.as_str())),
            );
            let data: Vec<&Column> = names
                .iter()
                .filter_map(|c| examples.column(c).ok())
                .collect();
            // Before those, the row's own culprits (which of several
            // timestamp columns would not parse).
            let culprits = p.culprits_in(&examples, reason);
            (reason, n, idx, data, culprits)
        })
        .map(|(reason, n, idx, data, culprits)| ReasonCount {
            reason: reason.code().to_string(),
            rows: n,
            examples: idx
                .into_iter()
                .map(|i| {
                    let at = find(index.u64().ok().and_then(|x| x.get(i)));
                    let own: &[String] = at.and_then(|at| culprits.get(at)).map_or(&[], |c| c);
                    let first = own
                        .iter()
                        .filter_map(|name| data.iter().find(|c| c.name().as_str() == name));
                    let rest = data
                        .iter()
                        .filter(|c| !own.iter().any(|name| c.name().as_str() == name));
                    let shown = |c: &Column| {
                        at.and_then(|at| c.get(at).ok())
                            .map(|v| crate::output::cell_text(&v))
                            .unwrap_or_default()
                    };
                    let first: Vec<&Column> = first.copied().collect();
                    Example {
                        file: files
                            .str()
                            .ok()
                            .and_then(|f| f.get(i))
                            .unwrap_or("")
                            .to_string(),
                        row: row_numbers[i],
                        values: first
                            .iter()
                            .chain(rest)
                            .copied()
                            .map(|c| format!("{}={}", c.name(), shown(c)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        cause: first.first().map(|c| shown(c)),
                    }
                })
                .collect(),
        })
        .collect();
    let ledger = TableLedger {
        table: p.name.clone(),
        location: p.location.display.clone(),
        read: count(read)?,
        used: count(used)?,
        unlinked: used
            .column("unlinked")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0),
        reasons,
    };
    if !with_rows {
        return Ok((ledger, None));
    }
    let rows = p
        .set_aside()
        .collect()?
        .sort([INDEX_COL], SortMultipleOptions::default())?;
    let numbers = numbered(rows.column(FILE_COL)?, rows.column(INDEX_COL)?, &first)?;
    let mut frame = rows.drop(INDEX_COL)?;
    frame.with_column(Column::new(INDEX_COL.into(), numbers))?;
    let named = Reason::named(frame.column(REASON_COL)?)?;
    frame.with_column(named)?;
    let mut order = vec![
        REASON_COL.to_string(),
        FILE_COL.to_string(),
        INDEX_COL.to_string(),
    ];
    order.extend(p.data_columns.iter().cloned());
    let mut frame = frame.select(order)?;
    // Friendly names, unless the table has columns of those names itself.
    for (helper, name) in [
        (REASON_COL, "reason"),
        (FILE_COL, "file"),
        (INDEX_COL, "row"),
    ] {
        if !p.data_columns.iter().any(|c| c == name) {
            frame.rename(helper, name.into())?;
        }
    }
    Ok((ledger, Some(frame)))
}
