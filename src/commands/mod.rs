//! One file per subcommand: arguments → options → analysis → output.
//! Collecting (running the polars plans) happens here and nowhere else.

pub mod bands;
pub mod contact;
pub mod export;
pub mod generate;
mod headline;
pub mod report;
pub mod roi;
pub mod validate;
pub mod winloss;

use std::path::PathBuf;

use crate::cli::Cli;
use crate::config::DataSpec;
use crate::error::Result;
use crate::output::Format;
use crate::quality::{Checked, Ledger};

/// What every command shares: the global options, not yet acted on.
pub struct Context {
    pub data: PathBuf,
    pub as_of: Option<String>,
    pub format: Option<Format>,
    pub out: Option<PathBuf>,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Context {
        Context {
            data: cli.data.clone(),
            as_of: cli.as_of.clone(),
            format: cli.format,
            out: cli.out.clone(),
        }
    }

    /// Reads the data set and judges its rows (lazily: nothing is scanned
    /// beyond schemas until a command collects).
    pub fn checked(&self) -> Result<Checked> {
        let mut spec = DataSpec::open(&self.data)?;
        spec.settings = spec.settings.with_as_of_arg(self.as_of.as_deref())?;
        let inputs = crate::input::load(&spec)?;
        Checked::new(inputs, &spec)
    }
}

/// The `as_of` of a run (SPEC §3): `--as-of` or the config's, else the
/// latest timestamp in the data; with the sentence reports cite.
pub struct AsOf {
    /// Microseconds since the epoch (UTC).
    pub micros: i64,
    pub note: String,
}

pub fn as_of(checked: &Checked, ledger: &Ledger) -> AsOf {
    let shown = |t: i64| {
        chrono::DateTime::from_timestamp_micros(t)
            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    match checked.settings.as_of {
        Some(t) => AsOf {
            micros: t.timestamp_micros(),
            note: format!("as_of {}", shown(t.timestamp_micros())),
        },
        None => {
            let t = ledger.latest.unwrap_or(0);
            AsOf {
                micros: t,
                note: format!("as_of {} (the latest timestamp in the data)", shown(t)),
            }
        }
    }
}

/// `lead_funnel`, built once per run (SPEC §5) and held in memory, so every
/// analysis of the run reads the same table without rebuilding it.
pub fn lead_funnel(checked: &Checked) -> Result<polars::prelude::LazyFrame> {
    use polars::prelude::IntoLazy;
    Ok(streamed(crate::funnel::build(checked)?)?.lazy())
}

/// Collects a plan with polars' streaming engine: it runs the joins and
/// group-bys of large inputs in batches (at 10M leads, lead_funnel for
/// `bands` took 106 s / 12.1 GB in memory and 77 s / 9.6 GB streamed,
/// with the same result).
pub fn streamed(plan: polars::prelude::LazyFrame) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{Engine, LazyFrame, OptFlags};
    let mut frames = LazyFrame::collect_all_with_engine(
        vec![plan.logical_plan],
        Engine::Streaming,
        OptFlags::default(),
    )?;
    frames
        .pop()
        .ok_or_else(|| crate::error::Error::Internal("streaming collect: no table".into()))
}

/// Band names from best to worst, as configured (without `unscored`).
pub fn band_order(checked: &Checked) -> Vec<String> {
    let bands = &checked.settings.bands;
    bands
        .thresholds
        .iter()
        .map(|(b, _)| b.clone())
        .chain([bands.lowest.clone()])
        .collect()
}

/// A one-line argument error unless `v` is a positive, finite number.
pub fn positive(flag: &str, v: f64, unit: &str) -> Result<()> {
    if v > 0.0 && v.is_finite() {
        return Ok(());
    }
    Err(crate::error::Error::bad_argument(format!(
        "{flag} {v}: give a positive number{unit}"
    )))
}

/// What every analysis of leads does once its arguments are checked: judge
/// the rows (the ledger, with as_of), build lead_funnel once, make the
/// report and print or write it.
pub fn finish(
    ctx: &Context,
    checked: &Checked,
    stdout: &mut dyn std::io::Write,
    make: impl FnOnce(&Checked, polars::prelude::LazyFrame, &Ledger) -> Result<crate::output::Report>,
) -> Result<()> {
    let (ledger, _) = crate::quality::ledger::compute(checked, true)?;
    let funnel = lead_funnel(checked)?;
    let report = make(checked, funnel, &ledger)?;
    crate::output::emit(&report, ctx.format, ctx.out.as_deref(), stdout)?;
    Ok(())
}
