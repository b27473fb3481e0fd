//! Judging each table once per run (issue 14): a streaming pass writes a
//! table's judged rows to a Parquet file in a temporary folder, and every
//! later plan of the run — the ledger, lead_funnel, each analysis — reads
//! that file instead of reading and judging the input again (before, each
//! table was judged three or four times, each time joined to the leads).
//!
//! The file holds, per row: the used columns (canonical ones typed, as
//! `__u_<name>`; dimensions as read), the reason and global row index, and
//! the lead row key and wide-stage columns where the table has them. What a
//! set-aside row looked like as read is fetched from the input by its row
//! index when `validate` shows it (few rows; writing the raw columns of
//! every row would double the file).

use std::path::Path;

use polars::prelude::*;

use super::rules::TablePlan;
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, INDEX_COL, LEAD_ID, LEAD_ROW, REASON_COL};

/// How the store's files (judged tables, lead_funnel) are compressed:
/// not at all. Their pages are dictionary- or plain-encoded already, and
/// LZ4 over them cost more than it saved: at 10M leads a cold `report`
/// took ×0.93 the wall time and ×0.92 the CPU uncompressed, a warm one
/// ×0.94 (paired runs), for an entry of 2.1 GB instead of 1.6 GB.
pub const STORE_COMPRESSION: ParquetCompression = ParquetCompression::Uncompressed;

/// Runs `plan` with the streaming engine into a Parquet file at `path`
/// (uncompressed: see [`STORE_COMPRESSION`]).
pub fn sink_parquet(plan: LazyFrame, path: &Path) -> PolarsResult<()> {
    let target = PlRefPath::try_from_path(path)?;
    let options = ParquetWriteOptions {
        compression: STORE_COMPRESSION,
        ..Default::default()
    };
    plan.sink(
        SinkDestination::File {
            target: SinkTarget::Path(target.clone()),
        },
        FileWriteFormat::Parquet(std::sync::Arc::new(options)),
        UnifiedSinkArgs::default(),
    )?
    .collect_with_engine(Engine::Streaming)?;
    Ok(())
}

/// A scan of a judged file.
pub fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(PlRefPath::try_from_path(path)?, ScanArgsParquet::default())
}

/// The judged file's column for canonical column `name`.
pub fn stored(name: &str) -> String {
    format!("__u_{name}")
}

impl TablePlan {
    /// Writes this table's judged rows to `path` (one streaming pass); the
    /// plan then [`TablePlan::adopt`]s the file. Lookups (no kind) are left as they are.
    pub fn judge_to(&mut self, path: &Path) -> Result<()> {
        if self.kind.is_none() {
            return Ok(());
        }
        let unreadable = |e: PolarsError| self.location.unreadable(&self.name, &e);
        let schema = self
            .annotated
            .clone()
            .collect_schema()
            .map_err(unreadable)?;
        let mut columns = Vec::new();
        let drop_id = self.lead_id_by_row();
        for (e, (name, canonical)) in self.used_select.iter().zip(&self.used_names) {
            if drop_id && name == LEAD_ID {
                continue;
            }
            // Dimensions as read, but for their encoding (`rules::dimension`).
            columns.push(match canonical {
                true => e.clone().alias(stored(name)),
                false => e.clone().alias(name.as_str()),
            });
        }
        // No file name per row (a string on every row was a tenth of the
        // pass): the ledger finds a set-aside row's file from its index.
        // A used row's index is read only by the deal links (file order
        // among a deal's leads): elsewhere it is kept for set-aside rows
        // alone, and the used rows' nulls cost next to nothing to write
        // (at 10M leads the index was 360 MB of the judged files).
        let index = match self.kind {
            Some(TableKind::Deals | TableKind::DealLeads) => col(INDEX_COL),
            _ => when(col(REASON_COL).is_not_null())
                .then(col(INDEX_COL))
                .otherwise(lit(NULL))
                .alias(INDEX_COL),
        };
        columns.extend([col(REASON_COL), index]);
        if self.keyed {
            columns.push(col(LEAD_ROW));
        }
        // Wide-stage columns, and how a deal found its lead (validate's
        // note reads them from the file: the deals are not judged twice).
        columns.extend(
            schema
                .iter_names()
                .filter(|n| n.starts_with("__w_") || n.starts_with("__link_"))
                .map(|n| col(n.clone())),
        );
        sink_parquet(self.annotated.clone().select(columns), path).map_err(|e| {
            let store = path.parent().unwrap_or(path);
            super::cache::out_of_space(store, &e).unwrap_or_else(|| unreadable(e))
        })
    }

    /// Points the plan at its judged file (written by [`TablePlan::judge_to`]
    /// in this run or, cached, in an earlier one). `lead_ids` are the used
    /// leads' [`LEAD_ROW`] and `lead_id`, for a table whose file keeps no
    /// lead id ([`TablePlan::lead_id_by_row`]).
    pub fn adopt(&mut self, path: &Path, lead_ids: Option<LazyFrame>) -> Result<()> {
        if self.kind.is_none() {
            return Ok(());
        }
        self.annotated = scan(path).map_err(|e| Error::Unreadable {
            table: self.name.clone(),
            file: path.display().to_string(),
            detail: crate::error::one_line(&e.to_string()),
        })?;
        self.judged = true;
        let drop_id = self.lead_id_by_row();
        if drop_id {
            self.lead_ids = Some(lead_ids.ok_or_else(|| {
                Error::Internal(format!("{}: judged without the leads' ids", self.name))
            })?);
        }
        self.used_select = self
            .used_names
            .iter()
            .filter(|(name, _)| !(drop_id && name == LEAD_ID))
            .map(|(name, canonical)| match canonical {
                true => col(stored(name)).alias(name.as_str()),
                false => col(name.as_str()),
            })
            .collect();
        Ok(())
    }
}
