//! `leadloop velocity`: days from stage to stage (Kaplan–Meier, censored at
//! as_of) and recycling, per group.

use std::io::Write;

use super::Context;
use crate::analysis::velocity::Options;
use crate::cli::VelocityArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &VelocityArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        by: args.by.clone(),
    };
    super::analyse(ctx, &options, stdout)
}
