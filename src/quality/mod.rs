//! Judging every input row: used, or set aside with a reason (SPEC §7).
//!
//! `rules` builds, per table, a lazy plan whose rows carry their reason;
//! `ledger` counts them (what `validate` prints and every report cites);
//! `reason` names the defects.

pub mod cache;
pub mod duplicates;
pub mod judged;
pub mod lead_index;
pub mod ledger;
pub mod links;
pub mod probe;
pub mod reason;
pub mod rules;

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::config::{DataSpec, LookupConfig, Settings};
use crate::error::{Error, Result};
use crate::input::schema::{TableKind, ALIAS_ID, CONVERTED_DEAL_ID, CURRENCY, LEAD_ROW};

/// The store's name for the used leads with their row keys.
const LEADS_KEYED: &str = "leads_keyed";
use crate::input::{Inputs, KeyType};
pub use lead_index::LeadIndex;
pub use ledger::Ledger;
pub use reason::Reason;
pub use rules::TablePlan;

/// A data set whose rows have been judged: one plan per table and lookup.
pub struct Checked {
    pub source: String,
    pub settings: Settings,
    pub tables: BTreeMap<TableKind, TablePlan>,
    pub lookups: Vec<(LookupConfig, TablePlan)>,
    pub lead_key: KeyType,
    /// Wide-export stages: (stage, true when only a flag is known).
    pub wide_stages: Vec<(String, bool)>,
    /// The rep of an MQL is the lead's `owner_id` (config `stage_rep =
    /// "owner"` and the leads have that column), not the event's.
    pub rep_from_owner: bool,
    /// The deals record won deals only: their status is the config's
    /// constant `won` (an export of closed-won deals), so no input can
    /// record an opportunity short of a win, or a loss.
    pub deals_won_only: bool,
    /// The leads have creation times (the config does not declare
    /// `created_at` absent).
    pub leads_timed: bool,
    /// The used leads, written once into the store (every table that
    /// refers to leads is matched against them, and lead_funnel starts from
    /// them): their used columns, the wide-stage columns (`__w_*`) and
    /// [`LEAD_ROW`] first; with their column names.
    leads_keyed: Option<(LazyFrame, Vec<String>)>,
    pub notes: Vec<String>,
    /// The leads columns wide-export stages are read from (their times or
    /// flags): outcomes, never features of `recalibrate`.
    pub stage_columns: Vec<String>,
    /// Where the judged tables are kept ([`Checked::judge_table`]; the
    /// leads at once): the cache entry of this data set, or a temporary folder.
    judged: cache::Store,
}

impl Checked {
    /// The data set's plans, the leads judged at once: into the cache
    /// entry being filled, else counted later by the ledger from the plan
    /// (nothing else reads the judged leads); the used leads are written
    /// to the store either way.
    pub fn new(inputs: Inputs, spec: &DataSpec) -> Result<Checked> {
        Checked::build(inputs, spec, false)
    }

    /// [`Checked::new`] for a run that only counts the judged rows
    /// (`validate`): when the store keeps nothing (no cache entry to
    /// fill), the used leads are not written either: the leads' plan
    /// runs once for the duplicate ids and the lead index (three columns,
    /// `duplicates::mark`) and once more counted by the ledger. At 10M
    /// leads that was 1.5 s, against 4.9 s for also writing the judged
    /// leads and the used leads (`leadloop --timings --no-cache validate`).
    pub fn counting(inputs: Inputs, spec: &DataSpec) -> Result<Checked> {
        Checked::build(inputs, spec, true)
    }

    fn build(inputs: Inputs, spec: &DataSpec, count_only: bool) -> Result<Checked> {
        let mut notes = inputs.notes.clone();
        let rates = spec.currency_rates.as_ref();
        for kind in [TableKind::Deals, TableKind::Spend] {
            if let Some(raw) = inputs.get(kind).filter(|r| r.has(CURRENCY)) {
                let currencies =
                    distinct_text(raw.frame.clone(), CURRENCY).map_err(|e| raw.unreadable(e))?;
                if currencies.len() > 1 && rates.is_none() {
                    return Err(Error::BadData {
                        table: raw.name.clone(),
                        file: raw.location.display.clone(),
                        column: CURRENCY.into(),
                        detail: format!(
                            "more than one currency ({}); give [currency] rates in leadloop.toml",
                            currencies.join(", ")
                        ),
                    });
                }
                if rates.is_some() {
                    notes.push(format!(
                        "{kind}: amounts converted with the config's currency rates"
                    ));
                }
            }
        }
        let mut ctx = rules::RuleContext {
            lead_key: inputs.lead_key,
            leads: None,
            lead_index: None,
            aliases: false,
            deal_links: None,
            currency_rates: rates,
        };
        let mut tables = BTreeMap::new();
        let mut leads_keyed: Option<(LazyFrame, Vec<String>)> = None;
        let judged = cache::Store::open(spec, &inputs)?;
        // Wide stages whose column the leads export has (a preset's others
        // are left out, with a note from `input`).
        let leads_raw = inputs.get(TableKind::Leads);
        let present_stages: Vec<(String, bool)> = spec
            .table_config(TableKind::Leads)
            .stages
            .iter()
            .filter(|(_, w)| {
                w.columns()
                    .iter()
                    .any(|c| leads_raw.is_some_and(|r| r.has(c)))
            })
            .map(|(s, w)| (s.clone(), w.flag_only()))
            .collect();
        let wide_columns: Vec<String> =
            present_stages.iter().map(|(s, _)| rules::wide(s)).collect();
        // The leads columns those stages are read from (outcomes, not features).
        let stage_columns: Vec<String> = spec
            .table_config(TableKind::Leads)
            .stages
            .iter()
            .filter(|(s, _)| present_stages.iter().any(|(p, _)| p == *s))
            .flat_map(|(_, w)| [w.at.as_ref(), w.flag.as_ref()])
            .flatten()
            .flat_map(|n| n.list().into_iter().map(str::to_string))
            .collect();
        for (kind, raw) in &inputs.tables {
            if let (TableKind::Deals, Some((leads, _))) = (kind, &leads_keyed) {
                ctx.deal_links = links::deal_candidates(
                    Some(leads.clone()),
                    inputs
                        .get(TableKind::Leads)
                        .is_some_and(|r| r.has(CONVERTED_DEAL_ID)),
                    tables.get(&TableKind::DealLeads),
                )
                .map_err(|e| Error::Internal(format!("deal links: {e}")))?;
            }
            let mut plan = rules::plan_table(*kind, raw, &spec.table_config(*kind), &ctx)?;
            if *kind == TableKind::Leads {
                use crate::input::schema::{CREATED_AT, LEAD_ID};
                use crate::output::phases::part;
                // The leads' duplicate ids, found as they are hashed for
                // the lead index (`duplicates`); read as judged, they are
                // marked already.
                let hashed = match judged.has(kind.name()) {
                    false => Some(
                        part("duplicate ids", || {
                            duplicates::mark(
                                &mut plan,
                                &rules::parsed(LEAD_ID),
                                &rules::parsed(CREATED_AT),
                            )
                        })
                        .map_err(|e| raw.unreadable(e))?,
                    ),
                    true => None,
                };
                // Judged once into the cache entry being filled (with no
                // entry, the ledger counts them from the plan instead); the
                // used leads are written to the store (held in memory at
                // 10M leads they were 1.6 GB of every command's peak):
                // every table that refers to leads joins them instead of
                // re-running the leads plan, and lead_funnel starts from them.
                // Read from the cache, they are no judging step to list.
                match (judged.keeps(), judged.has(kind.name())) {
                    (true, true) => judged.judge(&mut plan, None)?,
                    (true, false) => part("judge", || judged.judge(&mut plan, None))?,
                    (false, _) => {}
                }
                let write = !count_only || judged.keeps();
                let keyed = plan.used_with(&wide_columns).with_row_index(LEAD_ROW, None);
                let keep = |keyed| judged.keep_plan(LEADS_KEYED, keyed, |e| raw.unreadable(e));
                let df = match (write, judged.has(LEADS_KEYED)) {
                    (true, true) => keep(keyed)?,
                    (true, false) => part("used leads", || keep(keyed))?,
                    (false, _) => keyed,
                };
                let names: Vec<String> = df
                    .clone()
                    .collect_schema()
                    .map_err(|e| raw.unreadable(e))?
                    .iter_names()
                    .map(|n| n.to_string())
                    .collect();
                // An alias never stands for another lead's id, even a
                // set-aside lead's: its rows are unknown, not re-credited.
                // Every row's id is in the judged file, or in the plan as
                // parsed when the leads are counted without one.
                let id = match plan.judged {
                    true => judged::stored(LEAD_ID),
                    false => rules::parsed(LEAD_ID),
                };
                let taken = raw.has(ALIAS_ID).then(|| {
                    plan.annotated
                        .clone()
                        .select([col(id.as_str()).alias(rules::parsed(LEAD_ID))])
                });
                ctx.aliases = taken.is_some();
                let reference =
                    rules::lead_reference(df.clone(), taken).map_err(|e| raw.unreadable(e))?;
                // Hashed only when a table is to be judged (a cache hit's
                // tables are read as judged: at 10M leads the index was
                // 1.3 s of every warm command).
                let to_judge = inputs
                    .tables
                    .keys()
                    .any(|k| k.refers_to_leads() && !judged.has(k.name()));
                // The index hashed with the duplicates serves unless aliases
                // name leads too (their keys are not among the rows' ids).
                let index = match (to_judge, hashed) {
                    (false, _) => LeadIndex::unused(),
                    (true, Some(index)) if !ctx.aliases => index,
                    (true, _) => part("lead index", || {
                        rules::lead_index(df.clone(), reference.clone(), ctx.aliases)
                    })
                    .map_err(|e| raw.unreadable(e))?,
                };
                ctx.lead_index = Some(std::sync::Arc::new(index));
                ctx.leads = Some(reference);
                leads_keyed = Some((df, names));
            }
            tables.insert(*kind, plan);
        }
        if let Some(plan) = tables.get(&TableKind::DealLeads) {
            let mut plan = plan.clone();
            let deals = match tables.get(&TableKind::Deals) {
                Some(deals) => deals.used(),
                None => {
                    notes.push(
                        "deal_leads: no deals table, so no association links a deal".to_string(),
                    );
                    DataFrame::empty_with_schema(&Schema::from_iter([Field::new(
                        crate::input::schema::DEAL_ID.into(),
                        DataType::String,
                    )]))
                    .lazy()
                }
            };
            links::finish_deal_leads(&mut plan, deals);
            tables.insert(TableKind::DealLeads, plan);
        }
        if ctx.leads.is_none() {
            let orphans: Vec<&str> = inputs
                .tables
                .keys()
                .filter(|k| k.refers_to_leads())
                .map(|k| k.name())
                .collect();
            if !orphans.is_empty() {
                notes.push(format!(
                    "no leads table: rows of {} are not checked against leads",
                    orphans.join(", ")
                ));
            }
        }
        let lookups = inputs
            .lookups
            .iter()
            .map(|(cfg, raw)| {
                let key = cfg.lookup_key.as_deref().unwrap_or(&cfg.key);
                (cfg.clone(), rules::plan_lookup(raw, key, &cfg.key))
            })
            .collect();
        let wide_stages = match tables.contains_key(&TableKind::Leads) {
            true => present_stages,
            false => Vec::new(),
        };
        let settings = spec.settings.clone();
        let deals_won_only = tables.contains_key(&TableKind::Deals)
            && spec
                .table_config(TableKind::Deals)
                .constants
                .get(crate::input::schema::STATUS)
                .is_some_and(|s| s == "won");
        let rep_from_owner = spec.table_config(TableKind::Leads).stage_rep
            == Some(crate::config::StageRep::Owner)
            && inputs
                .get(TableKind::Leads)
                .is_some_and(|r| r.has("owner_id"));
        let leads_timed = !spec
            .table_config(TableKind::Leads)
            .absent
            .iter()
            .any(|c| c == crate::input::schema::CREATED_AT);
        Ok(Checked {
            leads_timed,
            source: spec.describe(),
            settings,
            tables,
            lookups,
            lead_key: inputs.lead_key,
            wide_stages,
            deals_won_only,
            rep_from_owner,
            leads_keyed,
            notes,
            judged,
            stage_columns,
        })
    }

    /// Where the run keeps its judged tables and lead_funnel.
    pub fn store(&self) -> &cache::Store {
        &self.judged
    }

    /// The tables not judged yet, in order: each is judged
    /// once ([`Checked::judge_table`]), then [`Checked::finish_judging`].
    pub fn unjudged(&self) -> Vec<TableKind> {
        self.tables
            .iter()
            .filter(|(_, p)| !p.judged)
            .map(|(k, _)| *k)
            .collect()
    }

    /// Judges one table into the store (from here on, every plan of the
    /// run reads its judged rows from the store: the cache entry, else a
    /// temporary folder removed when the data set is dropped).
    pub fn judge_table(&mut self, kind: TableKind) -> Result<()> {
        match self.tables.get_mut(&kind) {
            Some(plan) if !plan.judged => {
                let ids = self.leads_keyed.as_ref().map(|(df, _)| {
                    df.clone()
                        .select([col(LEAD_ROW), col(crate::input::schema::LEAD_ID)])
                });
                self.judged.judge(plan, ids)
            }
            _ => Ok(()),
        }
    }

    /// After every table is judged: the note on how deals found their lead
    /// (from the judged deals), and the store's entry marked complete.
    pub fn finish_judging(&mut self) -> Result<()> {
        if let Some(deals) = self.tables.get(&TableKind::Deals) {
            let linked = deals
                .annotated
                .clone()
                .collect_schema()
                .is_ok_and(|s| s.contains(links::LINK_ROUTE));
            if linked {
                let note = link_note(deals).map_err(|e| Error::Unreadable {
                    table: deals.name.clone(),
                    file: deals.location.display.clone(),
                    detail: crate::error::one_line(&e.to_string()),
                })?;
                self.notes.extend(note);
            }
        }
        self.judged.complete()
    }

    /// Drops table `kind` when it was not judged into a file (its plan
    /// judges the input again, holding the lead index): for a run that has
    /// counted it and will not read it.
    pub fn forget_unjudged(&mut self, kind: TableKind) {
        if self.tables.get(&kind).is_some_and(|p| !p.judged) {
            self.tables.remove(&kind);
        }
    }

    pub fn has(&self, kind: TableKind) -> bool {
        self.tables.contains_key(&kind)
    }

    /// The wide export's `contacted` column: `Some(true)` when it has times,
    /// `Some(false)` when it is a flag only, `None` without one.
    pub fn contacted_column(&self) -> Option<bool> {
        self.wide_stages
            .iter()
            .find(|(s, _)| s == "contacted")
            .map(|(_, flag_only)| !flag_only)
    }

    /// Whether some used row records a contact (SPEC §3: reaching SQL
    /// does not imply one): a used activity (`activities_used`, the
    /// ledger's count), a time in a timed `contacted` column of a wide
    /// export (a flag places no contact after the MQL, so lead_funnel's
    /// `contacted` never reads one), or a used handoff at stage
    /// `contacted`. A table or column without one records none: every MQL
    /// would read as never contacted (a user trial's Salesforce-shaped
    /// status history, with no contacted status mapped, had its won leads
    /// "black-holed"; a breaker's activities were all set aside). The
    /// handoffs and the leads are read only when no activity is used.
    pub fn records_contacts(&self, activities_used: u64) -> bool {
        use crate::input::schema::STAGE;
        activities_used > 0
            || (self.contacted_column() == Some(true)
                && self.leads_wide().is_some_and(|l| {
                    count_rows(l.filter(col(rules::wide("contacted").as_str()).is_not_null())) > 0
                }))
            || self.count_judged_rows(TableKind::Handoffs, true, STAGE, "contacted") > 0
    }

    /// How many rows of `kind` whose canonical `column` is `value` are used
    /// (`used`) or set aside: 0 without the table. Reads the reason and
    /// that column of the judged rows alone: a warm `bands` at 10M leads
    /// took 1.0 s instead of 0.44 when the activities' used rows were
    /// counted through [`Checked::used`] (which joins their lead ids back).
    fn count_judged_rows(&self, kind: TableKind, used: bool, column: &str, value: &str) -> u64 {
        let Some(plan) = self.tables.get(&kind) else {
            return 0;
        };
        let reason = col(crate::input::schema::REASON_COL);
        let judged = match used {
            true => reason.is_null(),
            false => reason.is_not_null(),
        };
        let column = match plan.judged {
            true => judged::stored(column),
            false => rules::parsed(column),
        };
        count_rows(
            plan.annotated
                .clone()
                .filter(judged.and(col(column.as_str()).eq(lit(value)))),
        )
    }

    /// How many handoffs at stage `contacted` were set aside (their
    /// reasons are `validate`'s): 0 without handoffs.
    pub fn contacts_set_aside(&self) -> u64 {
        self.set_aside_where(
            TableKind::Handoffs,
            crate::input::schema::STAGE,
            "contacted",
        )
    }

    /// How many rows of `kind` whose canonical `column` is `value` were
    /// set aside: 0 without the table.
    pub fn set_aside_where(&self, kind: TableKind, column: &str, value: &str) -> u64 {
        self.count_judged_rows(kind, false, column, value)
    }

    /// The used rows of a table, or `None` when the data set has no such table.
    pub fn used(&self, kind: TableKind) -> Option<LazyFrame> {
        match (&self.leads_keyed, kind) {
            (Some((df, names)), TableKind::Leads) => {
                let names: Vec<Expr> = names
                    .iter()
                    .filter(|c| !c.starts_with("__"))
                    .map(|c| col(c.as_str()))
                    .collect();
                Some(df.clone().select(names))
            }
            _ => self.tables.get(&kind).map(TablePlan::used),
        }
    }

    /// [`Checked::keyed`] for a table an analysis cannot do without.
    pub fn require_keyed(&self, kind: TableKind, analysis: &str) -> Result<LazyFrame> {
        match self.keyed(kind) {
            Some(frame) => Ok(frame),
            // The table is missing (the user's error), or has no lead rows
            // (a table that does not refer to leads: a bug).
            None => Err(self.require(kind, analysis).err().unwrap_or_else(|| {
                Error::Internal(format!("{analysis}: {} without lead row keys", kind.name()))
            })),
        }
    }

    /// The used rows of a table with [`LEAD_ROW`], the integer key per-lead
    /// work joins on; `None` without that table or without a leads table.
    pub fn keyed(&self, kind: TableKind) -> Option<LazyFrame> {
        match kind {
            TableKind::Leads => self.leads_keyed.as_ref().map(|(df, names)| {
                let names: Vec<Expr> = names
                    .iter()
                    .filter(|c| !c.starts_with("__w_"))
                    .map(|c| col(c.as_str()))
                    .collect();
                df.clone().select(names)
            }),
            _ => self.tables.get(&kind).and_then(TablePlan::used_keyed),
        }
    }

    /// The used rows of a table an analysis cannot do without.
    pub fn require(&self, kind: TableKind, analysis: &str) -> Result<LazyFrame> {
        self.used(kind).ok_or_else(|| Error::MissingTable {
            table: kind.name().into(),
            place: self.source.clone(),
            hint: match kind {
                // Without spend a user trial did not know where the
                // conversion by source had gone.
                TableKind::Spend => format!(
                    " ({analysis} needs it for cost, CAC and ROAS; `leadloop bands --by source` gives conversion and revenue by source without it)"
                ),
                _ => format!(" ({analysis} needs it)"),
            },
        })
    }

    /// The handoffs' used rows with [`LEAD_ROW`] (a null column without a
    /// leads table).
    pub fn handoffs_keyed(&self) -> Option<LazyFrame> {
        match self.keyed(TableKind::Handoffs) {
            Some(h) => Some(h),
            None => self
                .used(TableKind::Handoffs)
                .map(|h| h.with_column(lit(NULL).cast(IDX_DTYPE).alias(LEAD_ROW))),
        }
    }

    /// The used leads with their wide-export stage columns (named by
    /// [`rules::wide`]) and [`LEAD_ROW`]; `None` without leads.
    pub fn leads_wide(&self) -> Option<LazyFrame> {
        self.leads_keyed.as_ref().map(|(df, _)| df.clone())
    }
}

/// How the used deals found their lead, when some were linked through
/// another table: "deals: 5 of 8 used deals linked to their lead through
/// deal_leads (2 among several leads: the primary, else the earliest
/// created); 1 left unlinked: every lead linked to it was created after it".
fn link_note(deals: &TablePlan) -> PolarsResult<Option<String>> {
    use crate::output::format::count;
    let df = deals
        .annotated
        .clone()
        .filter(col(crate::input::schema::REASON_COL).is_null())
        .group_by([col(links::LINK_ROUTE)])
        .agg([
            len().alias("n"),
            col(links::LINK_CHOICES)
                .gt(lit(1u32))
                .sum()
                .alias("several"),
            col(links::LINK_LATER).sum().alias("later"),
        ])
        .sort([links::LINK_ROUTE], Default::default())
        .collect()?;
    let column = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(df
            .column(name)?
            .cast(&DataType::UInt64)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (n, several, later) = (column("n")?, column("several")?, column("later")?);
    let total: u64 = n.iter().sum();
    let routes = df.column(links::LINK_ROUTE)?.cast(&DataType::UInt32)?;
    let mut parts = Vec::new();
    let mut unlinked_later = 0;
    for (i, route) in routes.u32()?.iter().enumerate() {
        let Some(route) = route else {
            unlinked_later += later[i];
            continue;
        };
        let mut part = match parts.is_empty() {
            true => format!(
                "{} of {} used deals linked to their lead through ",
                count(n[i]),
                count(total)
            ),
            false => format!("{} through ", count(n[i])),
        };
        part.push_str(links::ROUTES[route as usize]);
        if several[i] > 0 {
            part.push_str(&format!(
                " ({} among several leads: {})",
                count(several[i]),
                match route {
                    0 => "the earliest created",
                    _ => "the primary, else the earliest created",
                }
            ));
        }
        parts.push(part);
    }
    let mut note = parts.join(", ");
    if unlinked_later > 0 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "{} left unlinked: every lead linked to {} was created after the deal",
            count(unlinked_later),
            if unlinked_later == 1 { "it" } else { "them" }
        ));
    }
    Ok((!note.is_empty()).then(|| format!("deals: {note}")))
}

fn distinct_text(frame: LazyFrame, column: &str) -> PolarsResult<Vec<String>> {
    let df = frame
        .select([col(column)
            .cast(DataType::String)
            .drop_nulls()
            .unique()
            .sort(Default::default())])
        .collect()?;
    let s = df.column(column)?.str()?.clone();
    Ok(s.iter().flatten().map(str::to_string).collect())
}

/// The rows of `frame` (0 when it cannot be read: the caller's figure is
/// then "none").
fn count_rows(frame: LazyFrame) -> u64 {
    frame
        .select([len()])
        .collect()
        .ok()
        .and_then(|df| df.column("len").ok()?.idx().ok()?.get(0))
        .map_or(0, u64::from)
}
