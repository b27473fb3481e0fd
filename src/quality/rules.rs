//! One check per reason: turns a scanned table into a plan whose rows carry
//! the canonical, typed columns (`__p_<name>`) and the reason the row is set
//! aside (`__reason`, null when the row is used).
//!
//! Each row gets at most one reason: the first that applies in the order of
//! [`Reason::ALL`] (row-level defects first, then references to other
//! tables, then duplicate keys). Duplicate keys are judged among the rows
//! that pass every other check, so an unusable first row does not hide a
//! usable second one; of those, the first in file order is used (SPEC §3).

use std::collections::BTreeMap;

use polars::prelude::*;

use super::lead_index::LeadIndex;
use super::reason::Reason;
use crate::config::TableConfig;
use crate::error::{Error, Result};
use crate::input::keys::KeyType;
use crate::input::locate::Location;
use crate::input::read::RawTable;
use crate::input::schema::{
    ColumnType, TableKind, ACTIVE_FLAGS, ALIAS_ID, AMOUNT, AT, CLOSED_AT, CONVERTED_DEAL_ID,
    CREATED_AT, CURRENCY, DEAL_ID, DEAL_STATUSES, DELETED_FLAGS, FILE_COL, HANDOFF_STAGES,
    INDEX_COL, LEAD_ID, LEAD_ROW, REASON_COL, SCORE, STAGE, STATUS,
};
use crate::input::{time, values};

/// Columns the lead reference frame carries into other tables' plans.
const LEAD_KEY: &str = "__lk";
pub(super) const LEAD_CREATED: &str = "__lead_created";
/// A deal's linked lead (see `links::deal_candidates`), joined on the deal id as text.
pub(super) const LINK_DEAL: &str = "__link_deal";
pub(super) const LINK_LEAD: &str = "__link_lead";

pub fn parsed(name: &str) -> String {
    format!("__p_{name}")
}

/// Whether a deal's raw `closed_at` was a calendar date (no time of day).
const CLOSED_ON_A_DATE: &str = "__closed_on_a_date";

pub fn wide(stage: &str) -> String {
    format!("__w_{stage}")
}

/// A table's rows, judged: what is used and what is set aside, lazily.
#[derive(Clone)]
pub struct TablePlan {
    pub name: String,
    pub kind: Option<TableKind>,
    pub location: Location,
    /// The scan itself, for counting rows read.
    pub raw: LazyFrame,
    /// Data columns, typed `__p_*` columns, `__reason`, `__file`, `__index`.
    pub annotated: LazyFrame,
    /// The data columns as read (after renames), for quarantine files.
    pub data_columns: Vec<String>,
    pub(super) used_select: Vec<Expr>,
    /// The output name of each `used_select` entry, and whether it is a
    /// typed canonical column (else a data column kept as a dimension).
    pub(super) used_names: Vec<(String, bool)>,
    /// Whether used rows carry [`LEAD_ROW`] (a table that refers to leads,
    /// in a data set with a leads table).
    pub(super) keyed: bool,
    /// `annotated` reads the judged file (`judged`), which keeps no raw
    /// data of set-aside rows: those are read back from `raw` by row index.
    pub judged: bool,
    /// The used leads' ids by [`LEAD_ROW`], when the judged file keeps no
    /// `lead_id` of its own (see [`TablePlan::lead_id_by_row`]): `used`
    /// joins it back; the per-lead work reads [`LEAD_ROW`] only.
    pub(super) lead_ids: Option<LazyFrame>,
    /// Per reason a row may be set aside for, the data columns that can
    /// cause it, each with what is true of a row as read when that column
    /// does: `validate`'s examples show those columns first (a HubSpot
    /// export's bad stage date was cut off behind its good created_at).
    pub(super) culprits: Vec<(Reason, String, Expr)>,
}

impl TablePlan {
    /// Used rows with canonical, typed columns and every other column as a dimension.
    pub fn used(&self) -> LazyFrame {
        let rows = self.annotated.clone().filter(col(REASON_COL).is_null());
        let Some(ids) = &self.lead_ids else {
            return rows.select(self.used_select.clone());
        };
        // The lead id from the leads, by row number, in its place.
        let mut select = self.used_select.clone();
        select.push(col(LEAD_ROW));
        let names: Vec<Expr> = self
            .used_names
            .iter()
            .map(|(n, _)| col(n.as_str()))
            .collect();
        rows.select(select)
            .join(
                ids.clone(),
                [col(LEAD_ROW)],
                [col(LEAD_ROW)],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .select(names)
    }

    /// Whether the judged file of this table need not keep the rows' lead
    /// id: every used row names a known lead (set aside otherwise), whose
    /// id the leads hold by [`LEAD_ROW`]. At 10M leads writing that text
    /// for 85M rows was about a quarter of judging them. Deals keep theirs
    /// (a deal may have no lead), and so do deal_leads (links read them).
    pub fn lead_id_by_row(&self) -> bool {
        self.keyed
            && matches!(
                self.kind,
                Some(
                    TableKind::Handoffs
                        | TableKind::Activities
                        | TableKind::Scores
                        | TableKind::Touches
                )
            )
    }

    /// A one-row plan of `t`: the latest timestamp in any used row of this
    /// table, in microseconds since the epoch (SPEC §3's default `as_of` is
    /// the latest over every table); `None` for a table without times.
    pub fn latest_plan(&self) -> Result<Option<LazyFrame>> {
        let Some(kind) = self.kind else {
            return Ok(None);
        };
        let mut times: Vec<Expr> = kind
            .columns()
            .iter()
            .filter(|c| c.ty == ColumnType::Timestamp)
            .map(|c| col(c.name).cast(DataType::Int64).max())
            .collect();
        // A wide export's stage times count too (an MQL date after the
        // last creation must not fall after as_of).
        let wide: Vec<String> = self
            .annotated
            .clone()
            .collect_schema()?
            .iter()
            .filter(|(n, d)| n.starts_with("__w_") && matches!(d, DataType::Datetime(..)))
            .map(|(n, _)| n.to_string())
            .collect();
        times.extend(
            wide.iter()
                .map(|c| col(c.as_str()).cast(DataType::Int64).max()),
        );
        if times.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.used_with(&wide).select([
            polars::lazy::dsl::max_horizontal(times)?.alias("t"),
        ])))
    }

    /// Used rows with some helper columns (`__w_*`) beside the used columns
    /// (without `lead_id` when the judged file keeps none: see
    /// [`TablePlan::lead_id_by_row`]).
    pub fn used_with(&self, extra: &[String]) -> LazyFrame {
        let mut select = self.used_select.clone();
        select.extend(extra.iter().map(|c| col(c.as_str())));
        self.annotated
            .clone()
            .filter(col(REASON_COL).is_null())
            .select(select)
    }

    /// Used rows with [`LEAD_ROW`] beside the canonical columns, or `None`
    /// when this table's rows were not matched to leads (without `lead_id`
    /// when the judged file keeps none: per-lead work reads [`LEAD_ROW`]).
    pub fn used_keyed(&self) -> Option<LazyFrame> {
        self.keyed.then(|| {
            let mut select = self.used_select.clone();
            select.push(col(LEAD_ROW));
            self.annotated
                .clone()
                .filter(col(REASON_COL).is_null())
                .select(select)
        })
    }

    /// Set-aside rows' `__reason` and `__index` (and `__file`, unless the
    /// table was judged into a file, which keeps no file names: the ledger
    /// finds a row's file from its index).
    pub fn set_aside_keys(&self) -> LazyFrame {
        let mut keys = vec![col(REASON_COL), col(INDEX_COL)];
        if !self.judged {
            keys.push(col(FILE_COL));
        }
        self.annotated
            .clone()
            .filter(col(REASON_COL).is_not_null())
            .select(keys)
    }

    /// The rows at these global row indices as read: `__index` and the data.
    ///
    /// Only the stretches of the input around them are read (a slice of
    /// the scan, which polars pushes into the reader): the ledger's few
    /// examples per reason were fetched by filtering a scan of the whole
    /// input, 1.9 s of a cold run at 10M leads (0.7 s of it the 44M
    /// touches). A Parquet input is read in one slice per cluster of
    /// nearby rows (its row groups are read independently); a CSV in one
    /// slice from the first to the last row, since each slice would count
    /// lines from the file's start.
    pub fn rows_at(&self, index: &[u64]) -> PolarsResult<LazyFrame> {
        let mut cols = vec![col(INDEX_COL)];
        cols.extend(self.data_columns.iter().map(|c| col(c.as_str())));
        let wanted = lit(Series::new("i".into(), index.to_vec())).implode(false);
        let gap = match self.location.format {
            crate::config::FileFormat::Parquet => ROWS_AT_GAP,
            _ => u64::MAX,
        };
        let slices: Vec<LazyFrame> = clusters(index, gap)
            .into_iter()
            .map(|(first, last)| {
                self.raw
                    .clone()
                    .slice(first as i64, (last - first + 1) as IdxSize)
                    .filter(
                        col(INDEX_COL)
                            .cast(DataType::UInt64)
                            .is_in(wanted.clone(), false),
                    )
                    .select(cols.clone())
            })
            .collect();
        match slices.len() {
            // No rows asked for: none of the scan's (an empty slice).
            0 => Ok(self.raw.clone().slice(0, 0).select(cols)),
            _ => concat(slices, UnionArgs::default()),
        }
    }

    /// For each row of `rows` (data columns as read), the columns that
    /// caused `reason` there, in the table's column order (none where the
    /// table names no culprit for it, or the test cannot be read).
    pub fn culprits_in(&self, rows: &DataFrame, reason: Reason) -> Vec<Vec<String>> {
        let mut out = vec![Vec::new(); rows.height()];
        let tests: Vec<&(Reason, String, Expr)> = self
            .culprits
            .iter()
            .filter(|(r, _, _)| *r == reason)
            .collect();
        if tests.is_empty() || rows.height() == 0 {
            return out;
        }
        let exprs: Vec<Expr> = tests
            .iter()
            .enumerate()
            .map(|(k, (_, _, e))| e.clone().fill_null(false).alias(format!("\u{1}{k}")))
            .collect();
        let Ok(flags) = rows.clone().lazy().select(exprs).collect() else {
            return out;
        };
        for (k, (_, name, _)) in tests.iter().enumerate() {
            let Ok(c) = flags
                .column(&format!("\u{1}{k}"))
                .and_then(|c| Ok(c.bool()?.clone()))
            else {
                continue;
            };
            for (row, hit) in out.iter_mut().zip(c.iter()) {
                // A column read twice (a stage's `at = "created_at"`, or
                // named in two stages) is named once.
                if hit == Some(true) && !row.contains(name) {
                    row.push(name.clone());
                }
            }
        }
        out
    }

    /// Set-aside rows: `__reason`, `__file`, `__index` and the data as read.
    pub fn set_aside(&self) -> LazyFrame {
        let mut cols = vec![col(REASON_COL), col(FILE_COL), col(INDEX_COL)];
        cols.extend(self.data_columns.iter().map(|c| col(c.as_str())));
        let aside = self.annotated.clone().filter(col(REASON_COL).is_not_null());
        if !self.judged {
            return aside.select(cols);
        }
        let mut raw = vec![col(INDEX_COL), col(FILE_COL)];
        raw.extend(self.data_columns.iter().map(|c| col(c.as_str())));
        aside
            .select([col(REASON_COL), col(INDEX_COL)])
            .join(
                self.raw.clone().select(raw),
                [col(INDEX_COL)],
                [col(INDEX_COL)],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .select(cols)
    }
}

/// A deal's status from the first present of each flag list: won when the
/// won flag is true, lost when closed and not won, open when not closed;
/// `status` (from the stage map) where the flags are empty.
fn status_from_flags(
    status: Expr,
    flags: &crate::config::StatusFlags,
    raw: &RawTable,
    dtype: &dyn Fn(&str) -> DataType,
) -> Expr {
    let first = |names: &[String]| -> Option<Expr> {
        let present: Vec<Expr> = names
            .iter()
            .filter(|n| raw.has(n))
            .map(|n| {
                let d = dtype(n);
                when(values::present(col(n.as_str()), &d))
                    .then(values::parse_flag(col(n.as_str()), &d))
                    .otherwise(lit(NULL).cast(DataType::Boolean))
            })
            .collect();
        (!present.is_empty()).then(|| coalesce(&present))
    };
    let (won, closed) = (first(&flags.won), first(&flags.closed));
    match (won, closed) {
        (Some(won), Some(closed)) => when(won.clone().fill_null(lit(false)))
            .then(lit("won"))
            .when(closed.clone().fill_null(lit(false)))
            .then(lit("lost"))
            .when(closed.is_not_null())
            .then(lit("open"))
            .otherwise(status),
        (Some(won), None) => when(won.fill_null(lit(false)))
            .then(lit("won"))
            .otherwise(status),
        _ => status,
    }
}

/// What other tables need to know about the used leads, from the used
/// leads with their [`LEAD_ROW`] (see `Checked::leads_keyed`): one row per
/// id a reference may use — each lead's id, and its `alias_id` where the
/// leads have one (`taken`: the parsed lead id of every row of the leads
/// table, used or not) that is neither a lead id of any row nor an earlier
/// lead's alias (the first lead in file order keeps a shared alias).
pub fn lead_reference(leads_keyed: LazyFrame, taken: Option<LazyFrame>) -> PolarsResult<LazyFrame> {
    // A row's lead's own id comes from the lead index by its row
    // (`LeadIndex::id`), so the reference carries no copy of it.
    let own = leads_keyed.clone().select([
        col(LEAD_ID).alias(LEAD_KEY),
        col(CREATED_AT).alias(LEAD_CREATED),
        col(LEAD_ROW),
    ]);
    let Some(taken) = taken else {
        return Ok(own);
    };
    let aliases = leads_keyed
        .select([
            col(ALIAS_ID).alias(LEAD_KEY),
            col(CREATED_AT).alias(LEAD_CREATED),
            col(LEAD_ROW),
        ])
        .filter(col(LEAD_KEY).is_not_null())
        .filter(col(LEAD_KEY).is_first_distinct())
        .join(
            taken.select([col(parsed(LEAD_ID)).alias(LEAD_KEY)]),
            [col(LEAD_KEY)],
            [col(LEAD_KEY)],
            JoinArgs::new(JoinType::Anti),
        );
    concat([own, aliases], UnionArgs::default())
}

/// [`LeadIndex`] of `reference` (a [`lead_reference`]) and the used leads
/// with their [`LEAD_ROW`] (`leads_keyed`), collected streamed. Without
/// aliases the reference is the leads' own ids, so the used leads are read
/// once for both; with them, the leads' own ids are kept too.
pub fn lead_index(
    leads_keyed: LazyFrame,
    reference: LazyFrame,
    aliases: bool,
) -> PolarsResult<LeadIndex> {
    let collect = |plan: LazyFrame| -> PolarsResult<DataFrame> {
        LazyFrame::collect_all_with_engine(
            vec![plan.logical_plan],
            Engine::Streaming,
            OptFlags::default(),
        )?
        .pop()
        .ok_or_else(|| polars_err!(ComputeError: "lead index: no result"))
    };
    let leads = match aliases {
        true => leads_keyed.select([col(CREATED_AT), col(LEAD_ROW), col(LEAD_ID)]),
        false => leads_keyed.select([col(CREATED_AT), col(LEAD_ROW), col(LEAD_ID).alias(LEAD_KEY)]),
    };
    let leads = collect(leads)?;
    if !aliases {
        let by_row = leads.select([CREATED_AT, LEAD_ROW])?;
        return LeadIndex::build(&leads, LEAD_KEY, by_row);
    }
    let reference = collect(reference.select([col(LEAD_KEY), col(LEAD_ROW)]))?;
    LeadIndex::build(&reference, LEAD_KEY, leads)
}

struct Builder<'a> {
    raw: &'a RawTable,
    parsed: Vec<Expr>,
    checks: Vec<(Reason, Expr)>,
    culprits: Vec<(Reason, String, Expr)>,
    used: Vec<Expr>,
    canonical: Vec<&'static str>,
}

impl<'a> Builder<'a> {
    fn check(&mut self, reason: Reason, bad: Expr) {
        self.checks.push((reason, bad));
    }

    /// [`Builder::check`] of a test on one data column, which is then the
    /// row's culprit ([`TablePlan::culprits_in`]) where it holds.
    fn check_column(&mut self, reason: Reason, column: &str, bad: Expr) {
        self.culprits
            .push((reason, column.to_string(), bad.clone()));
        self.check(reason, bad);
    }

    fn dtype(&self, column: &str) -> DataType {
        self.raw.dtype(column).cloned().unwrap_or(DataType::Null)
    }

    fn bad_type(&self, column: &str, expected: &str) -> Error {
        Error::BadData {
            table: self.raw.name.clone(),
            file: self.raw.location.display.clone(),
            column: column.to_string(),
            detail: format!("expected {expected}, found {}", self.dtype(column)),
        }
    }
}

/// Settings the rules need beyond the table itself.
pub struct RuleContext<'a> {
    pub lead_key: KeyType,
    /// Used leads (`lead_reference`), when the data set has a leads table.
    pub leads: Option<LazyFrame>,
    /// The same, hashed once: how each row finds its lead.
    pub lead_index: Option<std::sync::Arc<LeadIndex>>,
    /// The lead reference has aliases (`lead_reference` with `taken`).
    pub aliases: bool,
    /// deals: the leads other tables offer each deal id (text), when the
    /// data set links deals that way (`links::deal_candidates`).
    pub deal_links: Option<LazyFrame>,
    pub currency_rates: Option<&'a BTreeMap<String, f64>>,
}

pub fn plan_table(
    kind: TableKind,
    raw: &RawTable,
    cfg: &TableConfig,
    ctx: &RuleContext,
) -> Result<TablePlan> {
    let mut b = Builder {
        raw,
        parsed: Vec::new(),
        checks: Vec::new(),
        culprits: Vec::new(),
        used: Vec::new(),
        canonical: Vec::new(),
    };
    let reading = time::Reading {
        epoch: cfg.epoch_unit,
        zone: cfg
            .input_timezone
            .as_deref()
            .and_then(|z| crate::config::Zone::parse(z).ok()),
        formats: cfg
            .date_format
            .as_ref()
            .map(|f| f.patterns())
            .unwrap_or_default(),
    };

    for flag in DELETED_FLAGS.iter().filter(|f| raw.has(f)) {
        let dtype = b.dtype(flag);
        // The flag that is set is the culprit, not one beside it that is false.
        b.check_column(
            Reason::Deleted,
            flag,
            values::parse_flag(col(*flag), &dtype),
        );
    }
    if let Some(keep) = &cfg.keep {
        if let Some(c) = keep.column.iter().find(|c| raw.has(c)) {
            let values = lit(Series::new("v".into(), keep.values.clone())).implode(false);
            b.check_column(
                Reason::FilteredOut,
                c,
                values::parse_text(col(c.as_str()))
                    .is_in(values, false)
                    .fill_null(lit(false))
                    .not(),
            );
        }
    }
    // Stage values that are no funnel stage (unless the stage map maps them).
    let ignored: Vec<&str> = cfg
        .ignore_stages
        .iter()
        .filter(|s| !cfg.stage_map.contains_key(*s))
        .map(String::as_str)
        .collect();
    if kind == TableKind::Handoffs && raw.has(STAGE) && !ignored.is_empty() {
        let values = lit(Series::new("v".into(), ignored)).implode(false);
        b.check_column(
            Reason::FilteredOut,
            STAGE,
            values::parse_text(col(STAGE))
                .is_in(values, false)
                .fill_null(lit(false)),
        );
    }
    for flag in ACTIVE_FLAGS.iter().filter(|f| raw.has(f)) {
        let dtype = b.dtype(flag);
        // An empty flag is not a superseded version: only an explicit false.
        b.check(
            Reason::InactiveVersion,
            values::present(col(*flag), &dtype).and(values::parse_flag(col(*flag), &dtype).not()),
        );
    }

    for spec in kind.columns() {
        let name = spec.name;
        b.canonical.push(name);
        let out = parsed(name);
        if !raw.has(name) {
            let ty = match spec.ty {
                ColumnType::Id => ctx.lead_key.dtype(),
                ColumnType::Timestamp => time::ts_dtype(),
                ColumnType::Number => DataType::Float64,
                ColumnType::Text => DataType::String,
            };
            b.parsed.push(lit(NULL).cast(ty).alias(out.as_str()));
            if kind == TableKind::Deals && name == CLOSED_AT {
                b.parsed.push(lit(false).alias(CLOSED_ON_A_DATE));
            }
            continue;
        }
        let dtype = b.dtype(name);
        if dtype.is_nested() {
            let expected = match spec.ty {
                ColumnType::Id => "an id (text or a whole number)",
                ColumnType::Timestamp => "a timestamp",
                ColumnType::Number => "a number",
                ColumnType::Text => "text",
            };
            return Err(b.bad_type(name, expected));
        }
        let present = values::present(col(name), &dtype);
        let declared_absent = cfg.absent.iter().any(|a| a == name);
        match spec.ty {
            ColumnType::Id => {
                let key = if name == DEAL_ID || name == CONVERTED_DEAL_ID {
                    KeyType::of(&dtype)
                } else {
                    ctx.lead_key
                };
                let mut e = key.cast(col(name), &dtype);
                // A text file's whole float id (`12.0`, pandas' way with
                // an id column that has a missing value) is its integer,
                // as a float column's is (`KeyType::cast`): a new user's
                // leads written `12.0` and handoffs `12` matched nothing.
                let text_file = raw.location.format != crate::config::FileFormat::Parquet;
                if key == KeyType::Text && dtype == DataType::String && text_file {
                    e = crate::input::keys::whole_number_text(e);
                }
                // Salesforce: a 15-character id and its 18-character form
                // are one record (SPEC §1), so keys take the 18-character form.
                if key == KeyType::Text && cfg.preset == Some(crate::config::Preset::Salesforce) {
                    e = crate::input::keys::salesforce_id18(e);
                }
                b.parsed.push(e.alias(out.as_str()));
                if spec.not_null {
                    // A value that is no key is none either: a float id's
                    // NaN (pandas' missing value) or infinity casts to null
                    // (a breaker's two NaN leads were both used, with no id).
                    b.check(
                        Reason::NullKey,
                        present.not().or(col(out.as_str()).is_null()),
                    );
                }
            }
            ColumnType::Timestamp => {
                let e = time::parse_timestamp(col(name), &dtype, &reading).ok_or_else(|| {
                    b.bad_type(name, "a timestamp, date, epoch number or ISO text")
                })?;
                // An open deal's close date is a forecast, ignored
                // everywhere (README "Decisions"): one that does not parse
                // ("TBD") sets no open deal aside. Only a won or lost
                // deal's counts: a deal whose status is not one of the
                // three is set aside for that (invalid_status), not for
                // its close date.
                let counts = match kind == TableKind::Deals && name == CLOSED_AT {
                    true => col(parsed(STATUS))
                        .is_in(
                            lit(Series::new("s".into(), ["won", "lost"])).implode(false),
                            false,
                        )
                        .fill_null(lit(false)),
                    false => lit(true),
                };
                b.culprits.push((
                    Reason::UnparseableTimestamp,
                    name.to_string(),
                    present.clone().and(e.clone().is_null()),
                ));
                b.parsed.push(e.alias(out.as_str()));
                if kind == TableKind::Deals && name == CLOSED_AT {
                    b.parsed
                        .push(time::is_calendar_date(col(name), &dtype).alias(CLOSED_ON_A_DATE));
                }
                b.check(
                    Reason::UnparseableTimestamp,
                    present.clone().and(col(out.as_str()).is_null()).and(counts),
                );
                if spec.not_null && !declared_absent {
                    b.check(Reason::MissingTimestamp, present.not());
                }
            }
            ColumnType::Number => {
                let e = values::parse_number(col(name), &dtype)
                    .ok_or_else(|| b.bad_type(name, "a number"))?;
                b.parsed.push(e.alias(out.as_str()));
                b.check(
                    Reason::UnparseableNumber,
                    present.clone().and(col(out.as_str()).is_null()),
                );
                if spec.not_null {
                    let reason = if name == SCORE {
                        Reason::MissingScore
                    } else {
                        Reason::MissingAmount
                    };
                    b.check(reason, present.not());
                }
            }
            ColumnType::Text => {
                let mut e = values::parse_text(col(name));
                let map: Option<(_, &'static [&'static str])> = match name {
                    STAGE => Some((&cfg.stage_map, &HANDOFF_STAGES)),
                    STATUS => Some((&cfg.status_map, &DEAL_STATUSES)),
                    _ => None,
                };
                if let Some((map, canonical)) = map {
                    e = values::canonical_names(e, map, canonical);
                }
                // The vendor's own won/closed flags decide a deal's status
                // where the row has them (any stage name, any pipeline).
                if name == STATUS {
                    if let Some(flags) = &cfg.status_flags {
                        e = status_from_flags(e, flags, raw, &|c| b.dtype(c));
                    }
                }
                b.parsed.push(e.alias(out.as_str()));
            }
        }
    }

    match kind {
        TableKind::Leads => {
            for (stage, w) in &cfg.stages {
                // The stage's columns this export has (a preset's stage with
                // none is left out).
                let present: Vec<&str> = w.columns().into_iter().filter(|c| raw.has(c)).collect();
                if present.is_empty() {
                    continue;
                }
                let out = wide(stage);
                if w.flag_only() {
                    let flags: Vec<Expr> = present
                        .iter()
                        .map(|c| {
                            let dtype = b.dtype(c);
                            values::parse_flag(col(*c), &dtype)
                        })
                        .collect();
                    let any = flags
                        .into_iter()
                        .reduce(|a, e| a.or(e))
                        .unwrap_or(lit(false));
                    b.parsed.push(any.alias(out.as_str()));
                    continue;
                }
                // The columns in the config's order of preference: a row's
                // time is its first column with a value, so that value
                // decides (a preferred HubSpot date that parses is used
                // whatever the legacy column beside it holds; one that
                // does not sets the row aside, never silently replaced).
                let mut times = Vec::new();
                let mut bad = lit(false);
                let mut earlier = lit(false);
                for c in &present {
                    let dtype = b.dtype(c);
                    let e = time::parse_timestamp(col(*c), &dtype, &reading)
                        .ok_or_else(|| b.bad_type(c, "a timestamp"))?;
                    let has = values::present(col(*c), &dtype);
                    let unreadable = earlier
                        .clone()
                        .not()
                        .and(has.clone())
                        .and(e.clone().is_null());
                    b.culprits.push((
                        Reason::UnparseableTimestamp,
                        c.to_string(),
                        unreadable.clone(),
                    ));
                    bad = bad.or(unreadable);
                    earlier = earlier.or(has);
                    times.push(e);
                }
                b.parsed.push(coalesce(&times).alias(out.as_str()));
                b.check(Reason::UnparseableTimestamp, bad);
            }
        }
        TableKind::Handoffs => {
            let stages = lit(Series::new("s".into(), HANDOFF_STAGES)).implode(false);
            b.check(
                Reason::UnknownStage,
                col(parsed(STAGE))
                    .is_in(stages, false)
                    .fill_null(lit(false))
                    .not(),
            );
        }
        TableKind::Deals => {
            let statuses = lit(Series::new("s".into(), DEAL_STATUSES)).implode(false);
            let status = col(parsed(STATUS));
            b.check(
                Reason::InvalidStatus,
                status
                    .clone()
                    .is_in(statuses, false)
                    .fill_null(lit(false))
                    .not(),
            );
            let won = status.clone().eq(lit("won"));
            b.check(Reason::NegativeAmount, col(parsed(AMOUNT)).lt(lit(0.0)));
            b.check(
                Reason::AmountOutOfRange,
                col(parsed(AMOUNT)).abs().gt_eq(lit(MAX_AMOUNT)),
            );
            b.check(
                Reason::WonWithoutClosedAt,
                won.clone().and(col(parsed(CLOSED_AT)).is_null()),
            );
            b.check(
                Reason::MissingAmount,
                won.and(col(parsed(AMOUNT)).is_null()),
            );
            // An open deal's close date is a forecast and is ignored
            // (README): it can be "before" anything. A close given as a
            // calendar date (Salesforce's CloseDate) is before creation
            // only when that whole day is: a deal won the day it was
            // created is not (a new user's Salesforce export lost 841 of
            // 842 won deals).
            let closed = time::whole_micros(col(parsed(CLOSED_AT)));
            let day = lit(time::DAY_US as i64);
            let close_ends = when(col(CLOSED_ON_A_DATE))
                .then(closed.clone() + day)
                .otherwise(closed.clone() + lit(1i64));
            b.check(
                Reason::ClosedBeforeCreated,
                status
                    .clone()
                    .neq(lit("open"))
                    .and(close_ends.lt_eq(time::whole_micros(col(parsed(CREATED_AT))))),
            );
        }
        TableKind::Spend => {
            b.check(Reason::NegativeAmount, col(parsed(AMOUNT)).lt(lit(0.0)));
            b.check(
                Reason::AmountOutOfRange,
                col(parsed(AMOUNT)).abs().gt_eq(lit(MAX_AMOUNT)),
            );
        }
        _ => {}
    }

    if let (true, Some(rates)) = (raw.has(CURRENCY), ctx.currency_rates) {
        let codes: Vec<&str> = rates.keys().map(String::as_str).collect();
        let factors: Vec<f64> = rates.values().copied().collect();
        let rate = values::parse_text(col(CURRENCY)).replace_strict(
            lit(Series::new("c".into(), codes)),
            lit(Series::new("r".into(), factors)),
            Some(lit(NULL).cast(DataType::Float64)),
            Some(DataType::Float64),
        );
        b.parsed.push(rate.alias("__rate"));
        b.check(
            Reason::UnknownCurrency,
            values::present(col(CURRENCY), &b.dtype(CURRENCY)).and(col("__rate").is_null()),
        );
    }

    let mut frame = raw.frame.clone().with_columns(b.parsed.clone());
    // A deal's lead cell may list several leads: one is chosen (`links`).
    if let (TableKind::Deals, Some(leads), KeyType::Text, Some(sep)) = (
        kind,
        &ctx.leads,
        ctx.lead_key,
        cfg.lead_list_separator.as_deref(),
    ) {
        frame = super::links::one_lead_per_row(
            frame,
            sep,
            &parsed(LEAD_ID),
            leads.clone(),
            LEAD_KEY,
            LEAD_CREATED,
        )?;
    }
    // A deal without a lead of its own is linked through the leads'
    // converted deal or the deal_leads table (`links::deal_links`).
    if let (TableKind::Deals, Some(candidates)) = (kind, &ctx.deal_links) {
        frame = super::links::link_deals(
            frame,
            candidates.clone(),
            &parsed(DEAL_ID),
            &parsed(CREATED_AT),
            &parsed(LEAD_ID),
        );
    }
    let keyed = kind.refers_to_leads() && ctx.lead_index.is_some();
    if let (true, Some(index)) = (kind.refers_to_leads(), &ctx.lead_index) {
        // Each row's lead, found in the ids hashed once (`lead_index`).
        frame = frame.with_column(index.row_expr(col(parsed(LEAD_ID))).alias(LEAD_ROW));
        // A deal with no lead is unlinked, not unknown (SPEC §1).
        b.check(
            Reason::UnknownLead,
            col(parsed(LEAD_ID))
                .is_not_null()
                .and(col(LEAD_ROW).is_null()),
        );
        // A row that named its lead by an alias carries the lead's own id.
        if ctx.aliases {
            frame = frame.with_column(
                coalesce(&[index.id_expr(col(LEAD_ROW)), col(parsed(LEAD_ID))])
                    .alias(parsed(LEAD_ID).as_str()),
            );
        }
        // Checks compare with it; deal links choose among leads by it.
        if matches!(
            kind,
            TableKind::Handoffs | TableKind::Deals | TableKind::DealLeads
        ) {
            frame = frame.with_column(index.created_expr(col(LEAD_ROW)).alias(LEAD_CREATED));
        }
        let created = col(LEAD_CREATED);
        match kind {
            TableKind::Handoffs => b.check(Reason::StageBeforeCreated, col(parsed(AT)).lt(created)),
            TableKind::Deals => b.check(
                Reason::StageBeforeCreated,
                col(parsed(CREATED_AT))
                    .lt(created.clone())
                    .or(col(parsed(STATUS))
                        .neq(lit("open"))
                        .and(col(parsed(CLOSED_AT)).lt(created))),
            ),
            _ => {}
        }
    }

    // One reason per row: the first in priority order.
    b.checks.sort_by_key(|(r, _)| *r);
    let mut reason = Reason::none();
    for (r, bad) in b.checks.iter().rev() {
        reason = when(bad.clone()).then(r.expr()).otherwise(reason);
    }
    frame = frame.with_column(reason.alias(REASON_COL));
    // The leads' duplicate ids are marked when they are judged
    // (`duplicates::mark`, from `Checked::new`): one hash table, not polars'
    // `is_first_distinct`, and not at all when they are read as judged.
    if let Some(key) = kind.unique_key().filter(|_| kind != TableKind::Leads) {
        frame = frame.with_column(duplicate_key(&parsed(key)).alias(REASON_COL));
    }

    // The used frame: canonical columns typed, other columns kept as dimensions.
    let flags: Vec<&str> = DELETED_FLAGS.to_vec();
    let mut used_names = Vec::new();
    for spec in kind.columns() {
        if kind.link_only(spec.name) && !raw.has(spec.name) {
            continue;
        }
        let mut e = col(parsed(spec.name));
        if kind == TableKind::Deals && spec.name == CLOSED_AT {
            // An open deal's close date is a forecast (Salesforce CloseDate), not a close.
            e = when(col(parsed(STATUS)).eq(lit("open")))
                .then(lit(NULL).cast(time::ts_dtype()))
                .otherwise(e);
        }
        if spec.name == AMOUNT && raw.has(CURRENCY) && ctx.currency_rates.is_some() {
            e = e * col("__rate");
        }
        b.used.push(e.alias(spec.name));
        used_names.push((spec.name.to_string(), true));
    }
    for c in &raw.columns {
        if !b.canonical.contains(&c.as_str()) && !flags.contains(&c.as_str()) {
            b.used.push(dimension(c, &b.dtype(c)));
            used_names.push((c.clone(), false));
        }
    }
    Ok(TablePlan {
        name: kind.name().to_string(),
        kind: Some(kind),
        location: raw.location.clone(),
        raw: raw.frame.clone(),
        annotated: frame,
        data_columns: raw.columns.clone(),
        used_select: b.used,
        used_names,
        keyed,
        judged: false,
        lead_ids: None,
        culprits: b.culprits,
    })
}

/// The largest deal amount or spend a row may have (exclusive): sums of
/// money are exact to 1e-9 within 38 digits (`analysis::exact_sum`), so a
/// billion rows of just under 1e15 still sum exactly.
pub const MAX_AMOUNT: f64 = 1e15;

/// Rows apart beyond which [`TablePlan::rows_at`] reads two slices of a
/// Parquet input rather than one (about a row group).
const ROWS_AT_GAP: u64 = 1 << 18;

/// `(first, last)` row ranges covering `index`, a new range wherever the
/// next row (in order) is more than `gap` rows after the range's last.
fn clusters(index: &[u64], gap: u64) -> Vec<(u64, u64)> {
    let mut sorted = index.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for i in sorted {
        match out.last_mut() {
            Some(last) if i - last.1 <= gap => last.1 = i,
            _ => out.push((i, i)),
        }
    }
    out
}

/// A column kept as a dimension, as read (a categorical is already its
/// text: `input::parts`), except that in a float column NaN and the
/// infinities are missing values (null), so that every analysis reads
/// numbers alike whatever the export's encoding.
fn dimension(c: &str, dtype: &DataType) -> Expr {
    match dtype {
        DataType::Float32 | DataType::Float64 => when(col(c).is_finite())
            .then(col(c))
            .otherwise(lit(NULL).cast(dtype.clone()))
            .alias(c),
        _ => col(c),
    }
}

/// `duplicate_key` for a later row whose key an earlier usable row already has.
fn duplicate_key(key: &str) -> Expr {
    let ok = col(REASON_COL).is_null();
    let masked = when(ok.clone()).then(col(key)).otherwise(lit(NULL));
    // polars' own is_first_distinct streams: it keeps the keys seen, not
    // the table (a dedupe over the whole column, tried in 741477b, was 0.6 s
    // faster at 10M leads but held every column of the leads: at 100M
    // the peak went from 8.7 to 12.3 GB).
    when(ok.and(masked.is_first_distinct().not()))
        .then(Reason::DuplicateKey.expr())
        .otherwise(col(REASON_COL))
}

/// A lookup table: rows need a key, and the first row of each key is used.
pub fn plan_lookup(raw: &RawTable, key: &str, join_column: &str) -> TablePlan {
    let dtype = raw.dtype(key).cloned().unwrap_or(DataType::Null);
    let k = parsed(join_column);
    let frame = raw
        .frame
        .clone()
        .with_column(crate::input::keys::lookup_key(col(key), &dtype).alias(k.as_str()))
        .with_column(
            when(values::present(col(key), &dtype).not())
                .then(Reason::NullKey.expr())
                .otherwise(Reason::none())
                .alias(REASON_COL),
        )
        .with_column(duplicate_key(&k).alias(REASON_COL));
    let mut used = vec![col(k.as_str()).alias(join_column)];
    let mut used_names = vec![(join_column.to_string(), true)];
    for c in raw
        .columns
        .iter()
        .filter(|c| c.as_str() != key && c.as_str() != join_column)
    {
        used.push(col(c.as_str()));
        used_names.push((c.clone(), false));
    }
    TablePlan {
        name: raw.name.clone(),
        kind: None,
        location: raw.location.clone(),
        raw: raw.frame.clone(),
        annotated: frame,
        data_columns: raw.columns.clone(),
        used_select: used,
        used_names,
        keyed: false,
        judged: false,
        lead_ids: None,
        culprits: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranges cover every row asked for, in order, split only where the
    /// gap to the next row exceeds the limit.
    #[test]
    fn clusters_split_only_at_large_gaps() {
        assert!(clusters(&[], 10).is_empty());
        assert_eq!(clusters(&[5], 10), [(5, 5)]);
        assert_eq!(clusters(&[30, 5, 12, 5], 10), [(5, 12), (30, 30)]);
        assert_eq!(clusters(&[0, 10, 20], 10), [(0, 20)]);
        assert_eq!(clusters(&[0, 11], 10), [(0, 0), (11, 11)]);
        assert_eq!(clusters(&[7, 1_000_000, 3], u64::MAX), [(3, 1_000_000)]);
    }
}
