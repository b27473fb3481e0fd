//! `leadloop roi`: spend against leads and revenue per source or campaign,
//! under one attribution model or all of them, reconciled to closed-won
//! revenue.

use std::io::Write;

use super::Context;
use crate::analysis::roi::Options;
use crate::cli::RoiArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &RoiArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        by: args.by,
        model: args.model,
        half_life_days: args.half_life_days.0,
        from: args.from,
        to: args.to,
    };
    super::analyse(ctx, &options, stdout)
}
