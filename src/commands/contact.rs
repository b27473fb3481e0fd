//! `leadloop contact`: MQLs never contacted, speed to lead, and the MQL→SQL
//! gap, per rep (or any `--by`), led by one sentence a sales leader can repeat.

use std::io::Write;

use super::Context;
use crate::analysis::contact::Options;
use crate::cli::ContactArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &ContactArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        by: args.by.clone(),
        sla_hours: args.sla_hours.map(|h| h.0),
        black_hole_days: args.black_hole_days.map(|d| d.0),
    };
    super::analyse(ctx, &options, stdout)
}
