//! One file per subcommand: arguments → options → analysis → output.
//! Collecting (running the polars plans) happens here and nowhere else.

pub mod bands;
pub mod export;
pub mod generate;
pub mod report;
pub mod validate;

use std::path::PathBuf;

use crate::cli::Cli;
use crate::config::DataSpec;
use crate::error::Result;
use crate::output::Format;
use crate::quality::Checked;

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
