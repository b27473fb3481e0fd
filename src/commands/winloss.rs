//! `leadloop winloss`: the month's win rate and revenue against a baseline,
//! what moved them (mix or rate, per segment, with p-values), and a revenue
//! bridge. Runs on a deals table alone; lead dimensions and lookups join in
//! when present.

use std::io::Write;

use super::Context;
use crate::analysis::winloss::Options;
use crate::cli::WinlossArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &WinlossArgs, stdout: &mut dyn Write) -> Result<()> {
    let dims: Option<Vec<String>> = args.dims.as_ref().map(|d| {
        d.iter()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect()
    });
    if dims.as_ref().is_some_and(Vec::is_empty) {
        return Err(crate::error::Error::bad_argument(
            "--dims: give at least one column, comma-separated",
        ));
    }
    let options = Options {
        month: args.month,
        baseline: args.baseline,
        dims,
    };
    super::analyse(ctx, &options, stdout)
}
