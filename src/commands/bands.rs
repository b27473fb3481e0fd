//! `leadloop bands`: conversion by score band, with intervals, a test of
//! whether the bands differ, inversions, and the score's AUC for `won`.

use std::io::Write;

use super::Context;
use crate::analysis::bands::Options;
use crate::cli::BandsArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &BandsArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        by: args.by.clone(),
        window_days: args.window.map(|w| w.0),
        strict: args.strict,
    };
    super::analyse(ctx, &options, stdout)
}
