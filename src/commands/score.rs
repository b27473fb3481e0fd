//! `leadloop score --rules FILE`: a points model applied to every lead.

use std::io::Write;

use super::Context;
use crate::analysis::rules::Rules;
use crate::analysis::score::Options;
use crate::cli::ScoreArgs;
use crate::error::Result;

pub fn run(ctx: &Context, args: &ScoreArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        rules: Rules::read(&args.rules)?,
    };
    super::analyse(ctx, &options, stdout)
}
