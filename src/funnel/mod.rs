//! `lead_funnel` (SPEC §5): one row per used lead, the one fact table every
//! analysis reads.
//!
//! What it computes, per lead: its dimensions (every leads column), the
//! first time at each stage, cumulative and recorded-only reach flags, the
//! score at first MQL and its band, deal counts and won revenue, times
//! recycled, and cohort months in the configured zone.
//!
//! Definitions (SPEC §3): see `events` (stage entries from handoffs and
//! wide exports), `stages` (first entry, cumulative reach),
//! `first_contact`, `band_at_mql`, `rep` (the rep of an MQL), `cohort`.
//!
//! Edge cases: a lead with no events has every stage null and every flag
//! false; a flag-only stage (wide export) sets its reach flag with a null
//! time; deals for set-aside or unknown leads never reach this table (the
//! ledger set them aside).

pub mod band_at_mql;
pub mod cohort;
pub mod dense;
pub mod events;
pub mod first_contact;
pub mod rep;
pub mod stages;

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::error::Result;
use crate::input::schema::{TableKind, CREATED_AT, LEAD_ROW, SCORE};
use crate::output::phases::Parts;
use crate::quality::Checked;

/// The columns every lead_funnel has, in order, after the lead's own columns.
pub const COLUMNS: [&str; 28] = [
    "mql_at",
    "contacted_at",
    "sal_at",
    "sql_at",
    "opportunity_at",
    "won_at",
    "reached_mql",
    "contacted",
    "reached_sql",
    "reached_opportunity",
    "reached_won",
    "recorded_mql",
    "recorded_sql",
    "recorded_opportunity",
    "recorded_won",
    "score_at_mql",
    "band",
    "rep",
    "deals",
    "deals_won",
    "deals_lost",
    "deals_open",
    "revenue",
    "times_recycled",
    "created_month",
    "mql_month",
    "flag_only_stages",
    "has_created_at",
];

/// The stages some input of `checked` can record directly (SPEC §1): every
/// handoff stage with a handoffs table, each configured wide-export stage,
/// `opportunity` and `won` with a deals table (`won` only when the deals are
/// a won-deals export; none when no deal is linked to a lead). A stage
/// outside this set is
/// reached only through a later one (cumulative reach).
pub fn recordable_stages(checked: &Checked, deals_linked: bool) -> Vec<String> {
    stages_recorded(checked, deals_linked, false)
}

/// [`recordable_stages`] that some input records with a time: not a
/// wide export's flag-only stage (velocity measures days to a stage).
pub fn timed_stages(checked: &Checked, deals_linked: bool) -> Vec<String> {
    stages_recorded(checked, deals_linked, true)
}

fn stages_recorded(checked: &Checked, deals_linked: bool, timed: bool) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    if checked.has(TableKind::Handoffs) {
        stages.extend(crate::input::schema::HANDOFF_STAGES.map(String::from));
    }
    stages.extend(
        checked
            .wide_stages
            .iter()
            .filter(|(_, flag_only)| !(timed && *flag_only))
            .map(|(s, _)| s.clone()),
    );
    if checked.has(TableKind::Deals) && deals_linked {
        // An export of won deals only records no opportunity short of a win.
        if !checked.deals_won_only {
            stages.push("opportunity".to_string());
        }
        stages.push("won".to_string());
    }
    stages
}

/// `left` with the columns of `right` (one row per lead) beside each lead,
/// joined on [`LEAD_ROW`]; the left order is kept (lead_funnel's rows stay in
/// the leads' order).
pub fn join_by_lead(left: LazyFrame, right: LazyFrame) -> LazyFrame {
    left.join(
        right,
        [col(LEAD_ROW)],
        [col(LEAD_ROW)],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    )
}

/// Leads per piece when lead_funnel is written ([`write`]): each piece is
/// built from its own leads' rows of every table, so memory follows the
/// piece, not the data set (at 10M leads: 1.5 GB in pieces of 2M, 5.0 GB
/// whole). Each piece rescans the other tables, so there are at most
/// [`MAX_PIECES`]: larger pieces beyond 16M leads.
pub const PIECE_LEADS: IdxSize = 2_000_000;
pub const MAX_PIECES: IdxSize = 8;

/// Leads per row group of lead_funnel's file.
const ROW_GROUP: usize = 1 << 18;

/// The lazy plan of `lead_funnel` over the used rows of `checked`, built
/// in memory in one piece.
pub fn build(checked: &Checked) -> Result<LazyFrame> {
    let lead_columns = lead_columns(checked)?;
    build_piece(
        &Piece {
            checked,
            rows: None,
            facts_only: false,
        },
        &lead_columns,
        &mut Parts::default(),
    )
}

/// `lead_funnel` from its facts (the file [`write`] wrote): the used
/// leads' own columns, row `i` beside row `i` of the facts (both are in
/// lead row order), then the facts. The same table as [`build`]'s.
pub fn scan(checked: &Checked, facts: LazyFrame) -> Result<LazyFrame> {
    // A plan that reads no lead column still reads one column of each
    // side of the concat: polars takes the first of the narrowest type,
    // so a flag first, not the lead's id (warm `bands` at 10M leads read
    // the ids: 1.07 s and 516 MB, against 0.83 s and 345 MB with it).
    const ANCHOR: &str = "__lead_side";
    let mut own: Vec<Expr> = vec![col(LEAD_ROW).is_null().alias(ANCHOR)];
    own.extend(own_columns(&lead_columns(checked)?).into_iter().map(col));
    let leads = checked.require_keyed(TableKind::Leads, "lead_funnel")?;
    let funnel = concat_lf_horizontal(
        [leads.select(own), facts],
        // Strict: two lengths would be a bug, not nulls to pad with.
        HConcatOptions {
            strict: true,
            ..Default::default()
        },
    )?;
    Ok(funnel.drop(polars::prelude::Selector::ByName {
        names: [PlSmallStr::from(ANCHOR)].into(),
        strict: true,
    }))
}

/// Writes the facts of `lead_funnel` (every column but the leads' own,
/// which the used leads hold already: [`scan`] sets them beside) to the
/// Parquet file `path` piece by piece, `piece` leads at a time (by
/// default [`PIECE_LEADS`], in at most [`MAX_PIECES`]), in lead row
/// order. Writing the leads' columns again was a third of the file and
/// of its writing (at 10M leads lead_funnel took 13.4 s with them, 10.7 s
/// without). Errors: the data's (as [`build`]), or the file's.
pub fn write(checked: &Checked, path: &std::path::Path, piece: Option<IdxSize>) -> Result<()> {
    let lead_columns = lead_columns(checked)?;
    let leads = checked.require_keyed(TableKind::Leads, "lead_funnel")?;
    let n = leads
        .select([len().cast(IDX_DTYPE).alias("n")])
        .collect()?
        .column("n")?
        .idx()?
        .get(0)
        .unwrap_or(0);
    let pieces = match piece {
        Some(size) => pieces_of(n, size),
        None => pieces(n),
    };
    // The store's file (a cache entry or the run's temporary folder), not
    // a report: `output::atomic` is for what the user asked to be written.
    #[allow(clippy::disallowed_methods)]
    let file = std::fs::File::create(path).map_err(|e| {
        crate::error::Error::Internal(format!("lead_funnel {}: {e}", path.display()))
    })?;
    let mut parts = Parts::default();
    // Each piece is written on a thread of its own while the next one is
    // built (at 10M leads, encoding the pieces took 3.6 of lead_funnel's
    // 10.6 s with a core idle). The hand-over waits for the writer, so at
    // most two pieces are in memory: one written, one built.
    let (wrote, waited) = std::thread::scope(|s| -> Result<(Duration, Duration)> {
        let (send, receive) = std::sync::mpsc::sync_channel::<DataFrame>(0);
        let writer = s.spawn(move || write_pieces(file, receive));
        let built = (|| -> Result<()> {
            for rows in pieces {
                let rows = Some(rows);
                let piece = Piece {
                    checked,
                    rows,
                    facts_only: true,
                };
                let plan = build_piece(&piece, &lead_columns, &mut parts)?;
                let mut df = parts.time("lookups", || plan.collect())?;
                // Row groups are written from record batches of aligned chunks.
                df.align_chunks_par();
                if send.send(df).is_err() {
                    // The writer stopped on an error, which it returns.
                    break;
                }
            }
            Ok(())
        })();
        drop(send);
        let start = Instant::now();
        let wrote = writer.join().map_err(|_| {
            crate::error::Error::Internal("lead_funnel: its writer panicked".into())
        })?;
        let waited = start.elapsed();
        built?;
        Ok((wrote?, waited))
    })?;
    // The writer's busy time, beside the next piece's build, and how long
    // the build waited for it at the end.
    parts.add("write", wrote);
    parts.add("wait for write", waited);
    parts.record();
    Ok(())
}

/// Writes the pieces received to `file` as one Parquet file, in row groups
/// of [`ROW_GROUP`] leads; the time it spent writing (not waiting).
fn write_pieces(file: std::fs::File, pieces: Receiver<DataFrame>) -> Result<Duration> {
    let mut busy = Duration::ZERO;
    let mut writer = None;
    for df in pieces {
        let start = Instant::now();
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(
                ParquetWriter::new(&file)
                    .with_compression(crate::quality::judged::STORE_COMPRESSION)
                    .batched(df.schema())?,
            ),
        };
        // Row groups of ROW_GROUP leads: the streaming engine reads a row
        // group at a time, so its memory follows the row group, not the piece.
        let mut offset = 0;
        while offset < df.height() {
            w.write_batch(&df.slice(offset as i64, ROW_GROUP))?;
            offset += ROW_GROUP;
        }
        busy += start.elapsed();
    }
    if let Some(w) = writer {
        let start = Instant::now();
        w.finish()?;
        busy += start.elapsed();
    }
    Ok(busy)
}

/// The pieces `[start, end)` of `leads` lead rows that per-lead work is
/// done in: [`PIECE_LEADS`] each, in at most [`MAX_PIECES`] (one empty
/// piece without leads).
pub fn pieces(leads: IdxSize) -> Vec<(IdxSize, IdxSize)> {
    pieces_of(leads, PIECE_LEADS.max(leads.div_ceil(MAX_PIECES)))
}

fn pieces_of(leads: IdxSize, size: IdxSize) -> Vec<(IdxSize, IdxSize)> {
    let size = size.max(1);
    let mut out = vec![(0, size.min(leads))];
    while let Some(&(_, end)) = out.last().filter(|(_, end)| *end < leads) {
        out.push((end, end.saturating_add(size).min(leads)));
    }
    out
}

/// The rows of `frame` (keyed by [`LEAD_ROW`]) of the leads in `rows`
/// (`[start, end)`), with [`LEAD_ROW`] counted from `start`.
pub fn of_leads(frame: LazyFrame, (start, end): (IdxSize, IdxSize)) -> LazyFrame {
    frame
        .filter(
            col(LEAD_ROW)
                .gt_eq(lit(start))
                .and(col(LEAD_ROW).lt(lit(end))),
        )
        .with_column((col(LEAD_ROW) - lit(start)).cast(IDX_DTYPE).alias(LEAD_ROW))
}

/// The leads' columns (not [`LEAD_ROW`]); a one-line error when one has a
/// name lead_funnel computes.
fn lead_columns(checked: &Checked) -> Result<Vec<String>> {
    let mut leads = checked.require_keyed(TableKind::Leads, "lead_funnel")?;
    let lead_columns: Vec<String> = leads
        .collect_schema()?
        .iter_names()
        .filter(|n| n.as_str() != LEAD_ROW)
        .map(|n| n.to_string())
        .collect();
    // A lead column with a name lead_funnel computes would make two columns
    // of one name: the user's input, so a one-line error (exit 2).
    if let Some(c) = lead_columns.iter().find(|c| COLUMNS.contains(&c.as_str())) {
        let file = checked
            .tables
            .get(&TableKind::Leads)
            .map_or(checked.source.clone(), |t| t.location.display.clone());
        return Err(crate::error::Error::BadData {
            table: "leads".into(),
            file,
            column: c.clone(),
            detail: "lead_funnel computes a column of this name; rename the leads column in leadloop.toml (rename = { ... })".into(),
        });
    }
    Ok(lead_columns)
}

/// The keyed tables of a piece of the leads: rows `[start, end)` of the
/// used leads and the rows of every table that belong to them, with
/// [`LEAD_ROW`] counted from the piece's first lead (so the per-lead
/// facts are placed as for the whole table); every lead when `rows` is
/// `None`.
struct Piece<'a> {
    checked: &'a Checked,
    rows: Option<(IdxSize, IdxSize)>,
    /// Without the leads' own columns ([`write`]).
    facts_only: bool,
}

impl Piece<'_> {
    fn of(&self, frame: Option<LazyFrame>) -> Option<LazyFrame> {
        match self.rows {
            None => frame,
            Some(rows) => frame.map(|f| of_leads(f, rows)),
        }
    }

    fn keyed(&self, kind: TableKind) -> Option<LazyFrame> {
        self.of(self.checked.keyed(kind))
    }
}

/// lead_funnel of one [`Piece`] of the leads.
fn build_piece(piece: &Piece, lead_columns: &[String], parts: &mut Parts) -> Result<LazyFrame> {
    let checked = piece.checked;
    let Some(leads) = piece.keyed(TableKind::Leads) else {
        return Err(checked
            .require_keyed(TableKind::Leads, "lead_funnel")
            .err()
            .unwrap_or_else(|| crate::error::Error::Internal("lead_funnel: no leads".into())));
    };
    // Per-lead facts are computed apart and placed beside their lead by
    // its row number (`dense`): lead `i` is row `i` of the used leads.
    // The leads' own columns this piece keeps beside the facts (none for
    // the facts alone), and with them, until the lookups are joined, the
    // lead columns lookups are joined by (any lead column, the score too).
    let own: Vec<&str> = match piece.facts_only {
        true => Vec::new(),
        false => own_columns(lead_columns),
    };
    let mut keys = own.clone();
    keys.extend(
        lead_columns
            .iter()
            .map(String::as_str)
            .filter(|c| joins_a_lookup(checked, c) && !own.contains(c)),
    );
    let mut read: Vec<&str> = vec![LEAD_ROW, CREATED_AT];
    if lead_columns.iter().any(|c| c == SCORE) {
        read.push(SCORE);
    }
    if checked.rep_from_owner {
        read.push("owner_id");
    }
    for c in &keys {
        if !read.contains(c) {
            read.push(c);
        }
    }
    let leads = parts.time("leads", || {
        leads
            .select(read.into_iter().map(col).collect::<Vec<_>>())
            .collect()
    })?;
    // Read once: stage facts, first contact and the rep all use them.
    let events = events::stage_events(
        piece.of(checked.handoffs_keyed()),
        piece.of(checked.leads_wide()),
        &checked.wide_stages,
    )?;
    let events = parts.time("stage events", || {
        events.map(LazyFrame::collect).transpose()
    })?;
    let deals = piece.keyed(TableKind::Deals);
    // The facts are computed on a narrow frame (the key, and what they read
    // of the lead), then set beside the lead's columns.
    let mut narrow = vec![LEAD_ROW, CREATED_AT];
    if lead_columns.iter().any(|c| c == SCORE) {
        narrow.push(SCORE);
    }
    let frame = parts.time("stages", || {
        stages::with_stages(leads.select(narrow)?, events.as_ref(), deals.clone())
    })?;
    let frame = parts.time("first contact", || {
        first_contact::with_first_contact(
            frame,
            events.as_ref(),
            piece.keyed(TableKind::Activities),
        )
    })?;
    let mut frame = match checked.rep_from_owner {
        // The lead's owner (SPEC §3, `stage_rep = "owner"`).
        true => frame.hstack(&[leads
            .column("owner_id")?
            .cast(&DataType::String)?
            .with_name("rep".into())])?,
        false => parts.time("rep", || rep::with_rep(frame, events.as_ref(), deals))?,
    };
    drop(events);
    frame = parts.time("band at mql", || {
        band_at_mql::with_band(
            frame,
            piece.keyed(TableKind::Scores),
            lead_columns,
            &checked.settings.bands,
        )
    })?;
    let facts = parts.time("months", || -> Result<DataFrame> {
        Ok(cohort::with_months(frame, &checked.settings.timezone)?.select(COLUMNS)?)
    })?;
    // Rows stay in the order of the leads as read, so the table is
    // deterministic without a sort.
    let funnel = leads
        .select(keys.iter().copied())?
        .hstack(facts.columns())?;
    let funnel = with_lookups(funnel.lazy(), checked, lead_columns)?;
    // The keys that are not lead_funnel's own columns go after the join.
    let gone: Vec<PlSmallStr> = keys[own.len()..]
        .iter()
        .map(|c| PlSmallStr::from(*c))
        .collect();
    Ok(match gone.is_empty() {
        true => funnel,
        false => funnel.drop(polars::prelude::Selector::ByName {
            names: gone.into(),
            strict: true,
        }),
    })
}

/// Whether lead column `column` is the key a lookup is joined to the
/// leads by ([`with_lookups`]).
fn joins_a_lookup(checked: &Checked, column: &str) -> bool {
    checked
        .lookups
        .iter()
        .any(|(cfg, _)| cfg.join_to == crate::config::JoinTo::Leads && cfg.key == column)
}

/// The leads' columns lead_funnel starts with: all but the score, which
/// is the score at MQL's input (SPEC §5).
fn own_columns(lead_columns: &[String]) -> Vec<&str> {
    lead_columns
        .iter()
        .map(String::as_str)
        .filter(|c| *c != SCORE)
        .collect()
}

/// The columns of every lookup joined to leads (SPEC §1: they are
/// dimensions for `--by`), beside each lead by its key.
fn with_lookups(
    funnel: LazyFrame,
    checked: &Checked,
    lead_columns: &[String],
) -> Result<LazyFrame> {
    let mut names: Vec<String> = lead_columns.to_vec();
    names.extend(COLUMNS.iter().map(|c| c.to_string()));
    let (funnel, _) = join_lookups(
        funnel,
        checked,
        &mut names,
        Some(crate::config::JoinTo::Leads),
    )?;
    Ok(funnel)
}

/// Column `column` of `frame` as a lookup's key: text, made as the
/// lookup's own keys are (`rules::plan_lookup`, `KeyType::Text`), so a
/// whole float (a score of 80.0) is its integer's text, "80".
pub fn lookup_key_of(frame: &mut LazyFrame, column: &str) -> PolarsResult<Expr> {
    let dtype = frame
        .collect_schema()?
        .get(column)
        .cloned()
        .unwrap_or(DataType::String);
    Ok(crate::input::keys::lookup_key(col(column), &dtype))
}

/// `frame` with the columns of every lookup (of `only` that target, when
/// given) whose key is among `names`, joined by the key as text, rows in
/// order; a key without a match leaves them empty (validate counts those).
/// Columns `names` already has are not taken twice; the lookup columns
/// added are appended to `names` and returned.
pub fn join_lookups(
    mut frame: LazyFrame,
    checked: &Checked,
    names: &mut Vec<String>,
    only: Option<crate::config::JoinTo>,
) -> Result<(LazyFrame, Vec<String>)> {
    let mut added = Vec::new();
    for (cfg, plan) in &checked.lookups {
        if only.is_some_and(|t| t != cfg.join_to) || !names.contains(&cfg.key) {
            continue;
        }
        let mut l = plan.used();
        let cols: Vec<String> = l
            .collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .filter(|n| n != &cfg.key && !names.contains(n))
            .collect();
        let mut pick = vec![lookup_key_of(&mut l, &cfg.key)?.alias("__lookup_key")];
        pick.extend(cols.iter().map(|c| col(c.as_str())));
        let row_key = lookup_key_of(&mut frame, &cfg.key)?;
        frame = frame
            .with_column(row_key.alias("__row_key"))
            .join(
                l.select(pick),
                [col("__row_key")],
                [col("__lookup_key")],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .drop(polars::prelude::Selector::ByName {
                names: ["__row_key".into()].into(),
                strict: false,
            });
        names.extend(cols.iter().cloned());
        added.extend(cols);
    }
    Ok((frame, added))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_every_lead_once_in_order() {
        assert_eq!(pieces_of(0, 3), [(0, 0)]);
        assert_eq!(pieces_of(7, 3), [(0, 3), (3, 6), (6, 7)]);
        assert_eq!(pieces_of(6, 3), [(0, 3), (3, 6)]);
        assert_eq!(pieces_of(2, 0), [(0, 1), (1, 2)]);
        // 2M a piece up to 16M leads, then at most 8 pieces.
        assert_eq!(pieces(5_000_000).len(), 3);
        assert_eq!(pieces(100_000_000).len(), 8);
        assert_eq!(pieces(100_000_000)[7], (87_500_000, 100_000_000));
    }
}
