//! One file per subcommand: its arguments become an analysis' options, and
//! the runner here does the rest — judge the inputs, build `lead_funnel`
//! once, collect every plan the analysis hands back, and print or write its
//! report. Collecting (running the polars plans) happens here and nowhere
//! else.

pub mod bands;
pub mod contact;
pub mod export;
pub mod generate;
pub mod query;
pub mod recalibrate;
pub mod report;
pub mod roi;
pub mod score;
pub mod validate;
pub mod velocity;
pub mod winloss;

use std::io::Write;
use std::path::PathBuf;

use polars::prelude::*;

use crate::analysis::plan::Need;
use crate::analysis::{Analysis, Finished, Inputs, Step};
use crate::cli::{AsOfArg, Cli};
use crate::config::DataSpec;
use crate::error::{Error, Result};
use crate::input::schema::TableKind;
use crate::output::{phases, Format};
use crate::quality::{ledger, Checked, Ledger};

/// What every command shares: the global options, not yet acted on.
pub struct Context {
    pub data: PathBuf,
    pub as_of: Option<AsOfArg>,
    pub format: Option<Format>,
    pub out: Option<PathBuf>,
    pub no_cache: bool,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Context {
        Context {
            data: cli.data.clone(),
            as_of: cli.as_of,
            format: cli.format,
            out: cli.out.clone(),
            no_cache: cli.no_cache,
        }
    }

    /// Reads the data set and judges its rows (lazily: nothing is scanned
    /// beyond schemas until a command collects).
    pub fn checked(&self) -> Result<Checked> {
        self.judged(true, true)
    }

    /// [`Context::checked`] for one analysis: when no cache entry is being
    /// filled, tables the analysis does not read (the touches, for one
    /// that says so: `Analysis::reads_touches`) are counted by the ledger
    /// in one pass, not written to judged files. So are the leads, whose
    /// used rows are written apart (`Checked::new`).
    pub fn checked_for(&self, analysis: &dyn Analysis) -> Result<Checked> {
        self.judged(true, analysis.reads_touches())
    }

    /// [`Context::checked`] for a command that only counts the judged rows
    /// (`validate`): when no cache entry is being filled, the tables other
    /// than the leads are not written to judged files, which nothing would
    /// read again; the ledger counts them in one pass each.
    pub fn checked_to_count(&self) -> Result<Checked> {
        self.judged(false, false)
    }

    /// The data set, judged: when a cache entry is being filled, every
    /// table; else, when `always`, every table but the leads (counted by
    /// the ledger; at 10M leads writing them was 2.5-3 s of a cold
    /// `bands`, counting them 0.4 s) and the touches unless `touches`.
    fn judged(&self, always: bool, touches: bool) -> Result<Checked> {
        let mut spec = DataSpec::open(&self.data)?;
        if let Some(a) = &self.as_of {
            spec.settings.as_of = Some(a.resolve(&spec.settings.timezone)?);
        }
        if self.no_cache {
            spec.settings.cache = false;
        }
        let mut checked = phases::time("read + judge leads", || {
            let inputs = crate::input::load(&spec)?;
            match always {
                true => Checked::new(inputs, &spec),
                false => Checked::counting(inputs, &spec),
            }
        })?;
        let keeps = checked.store().keeps();
        if always || keeps {
            for kind in checked.unjudged() {
                // Nothing reads the judged leads again but the ledger
                // (lead_funnel and the lead index read the used leads,
                // written apart): it counts them in one pass instead.
                let counted = match kind {
                    TableKind::Leads => !keeps,
                    TableKind::Touches => !(touches || keeps),
                    _ => false,
                };
                if counted {
                    continue;
                }
                // A table the cache holds judged is only read: no judging
                // phase to list (a warm `--timings` listed them all at 0.00,
                // as though each had been judged).
                if checked.store().has(kind.name()) {
                    checked.judge_table(kind)?;
                    continue;
                }
                phases::time(&format!("judge {kind}"), || checked.judge_table(kind))?;
            }
        }
        checked.finish_judging()?;
        Ok(checked)
    }
}

/// Runs one analysis as its own command: judge, build lead_funnel, run,
/// print or write.
pub fn analyse(ctx: &Context, analysis: &dyn Analysis, stdout: &mut dyn Write) -> Result<()> {
    let mut checked = ctx.checked_for(analysis)?;
    require(&checked, analysis)?;
    let (ledger, _) = phases::time("ledger", || ledger::compute_with(&checked, true, false))?;
    // Counted, and never read: the touches left unjudged go before
    // lead_funnel is built, with the lead index their plan holds (at 100M
    // leads it kept 4 GB alive, and bands' peak went from 8.3 to 12.4 GB).
    if !analysis.reads_touches() {
        checked.forget_unjudged(TableKind::Touches);
    }
    if let Some(e) = unusable(&checked, &ledger, analysis) {
        return Err(e);
    }
    let funnel = lead_funnel_if_any(&checked)?;
    let inputs = Inputs::new(&checked, funnel, &ledger);
    let finished = run(analysis, &inputs)?;
    phases::time("write", || {
        crate::output::emit(&finished.report, ctx.format, ctx.out.as_deref(), stdout)
    })?;
    Ok(())
}

/// The first thing `analysis` needs that the data set lacks, as the
/// one-line missing-input error.
pub fn require(checked: &Checked, analysis: &dyn Analysis) -> Result<()> {
    match lacks(checked, analysis) {
        Some(need) => Err(need.error(checked, analysis.name())),
        None => Ok(()),
    }
}

/// The first thing `analysis` needs that the data set lacks.
pub fn lacks(checked: &Checked, analysis: &dyn Analysis) -> Option<Need> {
    analysis
        .requires()
        .iter()
        .copied()
        .find(|n| !n.met(checked))
}

/// The one-line error when a table `analysis` needs has no used row: an
/// analysis of nothing is an error, not a report of zeros.
pub fn unusable(checked: &Checked, ledger: &Ledger, analysis: &dyn Analysis) -> Option<Error> {
    analysis.requires().iter().find_map(|need| {
        let kind = match need {
            // A record of contacts in the used rows (a used activity, a
            // contacted handoff, a time in a contacted column).
            Need::Contacts => {
                let activities = ledger
                    .table(TableKind::Activities.name())
                    .map_or(0, |t| t.used);
                return (!checked.records_contacts(activities))
                    .then(|| crate::analysis::plan::no_contacts(checked, analysis.name()));
            }
            Need::Table(kind) => *kind,
            // Stage events from handoffs alone: a handoffs table without a
            // used row records none (a breaker's header-only file printed
            // a bands table of zeros).
            Need::StageEvents if checked.wide_stages.is_empty() => TableKind::Handoffs,
            _ => return None,
        };
        no_used_rows(ledger, kind, analysis.name())
    })
}

/// The one-line error when table `kind` has no used row, so `what` (an
/// analysis, or an export) has nothing to work on; `None` when it has one
/// (or is not in the ledger).
pub fn no_used_rows(ledger: &Ledger, kind: TableKind, what: &str) -> Option<Error> {
    let t = ledger.table(kind.name())?;
    if t.used > 0 {
        return None;
    }
    let why = match t.read {
        0 => "it has no rows".to_string(),
        n => {
            let mut reasons = t.reasons.clone();
            reasons.sort_by_key(|r| std::cmp::Reverse(r.rows));
            let top: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|r| format!("{} {}", crate::output::format::count(r.rows), r.reason))
                .collect();
            let hint = match reasons.iter().any(|r| r.reason == "unparseable_timestamp") {
                true => " (a date in a locale form such as 3/15/2024 2:30 PM needs date_format = \"en_US\" in leadloop.toml, or a strftime pattern of the export's own form: compare it with the examples `leadloop validate` shows)",
                false => "",
            };
            format!(
                "all {} of its rows were set aside ({}){hint}; `leadloop validate` lists them",
                crate::output::format::count(n),
                top.join(", ")
            )
        }
    };
    Some(Error::NothingToAnalyse {
        detail: format!(
            "{} ({}): {why}, so {what} has nothing to analyse",
            t.table, t.location
        ),
    })
}

/// Runs an analysis to its end, collecting each step's plans.
pub fn run(analysis: &dyn Analysis, inputs: &Inputs) -> Result<Finished> {
    phases::time(analysis.name(), || {
        let mut step = phases::part("plan 1", || analysis.start(inputs))?;
        let mut k = 0;
        loop {
            k += 1;
            match step {
                Step::Done(finished) => return Ok(finished),
                Step::Collect {
                    plans,
                    streaming,
                    then,
                } => {
                    let frames =
                        phases::part(&format!("collect {k}"), || collect(plans, streaming))?;
                    step = phases::part(&format!("compute {k}"), || then(frames))?;
                }
            }
        }
    })
}

/// Collects plans in one run (sharing common subplans), in memory or with
/// polars' streaming engine (it runs the joins and group-bys of large
/// inputs in batches: at 10M leads, lead_funnel for `bands` took 106 s /
/// 12.1 GB in memory and 77 s / 9.6 GB streamed, with the same result).
pub fn collect(plans: Vec<LazyFrame>, streaming: bool) -> Result<Vec<DataFrame>> {
    let engine = match streaming {
        true => Engine::Streaming,
        false => Engine::Auto,
    };
    let n = plans.len();
    // A developer's view of where an in-memory step's time goes
    // (`LEADLOOP_PROFILE=1`): each plan is run alone with polars' profiler
    // (no subplans shared) and its twelve slowest nodes printed on stderr.
    if std::env::var_os("LEADLOOP_PROFILE").is_some() && !streaming {
        let mut out = Vec::new();
        for p in plans {
            let (df, prof) = p.profile()?;
            let prof = prof
                .lazy()
                .with_column((col("end") - col("start")).alias("us"))
                .sort(
                    ["us"],
                    SortMultipleOptions::default().with_order_descending(true),
                )
                .limit(12)
                .collect()?;
            eprintln!("{prof}");
            out.push(df);
        }
        return Ok(out);
    }
    let frames = LazyFrame::collect_all_with_engine(
        plans.into_iter().map(|p| p.logical_plan).collect(),
        engine,
        OptFlags::default(),
    )?;
    if frames.len() != n {
        return Err(Error::Internal(format!(
            "collect: {n} plans gave {} tables",
            frames.len()
        )));
    }
    Ok(frames)
}

/// Collects one plan with the streaming engine.
pub fn streamed(plan: LazyFrame) -> Result<DataFrame> {
    collect(vec![plan], true)?
        .pop()
        .ok_or_else(|| Error::Internal("streaming collect: no table".into()))
}

/// `lead_funnel`, built once per data set (SPEC §5) into the store, so
/// every analysis of the run (and of later runs, from the cache) scans the
/// same table without rebuilding it; `None` without a leads table.
pub fn lead_funnel_if_any(checked: &Checked) -> Result<Option<LazyFrame>> {
    match checked.has(TableKind::Leads) {
        true => phases::time("lead_funnel", || {
            // Its facts are kept on disk beside the judged tables (cached
            // with them) and scanned by each analysis with the used leads
            // beside them (held in memory at 10M leads: 7.8 GB), written
            // piece by piece (funnel::write), so memory follows a piece of
            // the leads, not all of them.
            let mut whole = false;
            let facts = checked.store().keep(
                "lead_funnel",
                |path| crate::funnel::write(checked, path, None),
                || {
                    whole = true;
                    Ok(streamed(crate::funnel::build(checked)?)?.lazy())
                },
            )?;
            match whole {
                true => Ok(Some(facts)),
                false => Ok(Some(crate::funnel::scan(checked, facts)?)),
            }
        }),
        false => Ok(None),
    }
}
