//! `leadloop score --rules FILE`: a points model applied to every lead.

use std::io::Write;

use super::Context;
use crate::analysis::rules::Rules;
use crate::analysis::score::Options;
use crate::cli::ScoreArgs;
use crate::error::{Error, Result};

pub fn run(ctx: &Context, args: &ScoreArgs, stdout: &mut dyn Write) -> Result<()> {
    let options = Options {
        rules: Rules::read(&args.rules)?,
    };
    // Every plan was checked against the columns' types; what still fails
    // on the data (a cast of text that is no number, a bad pattern) comes
    // from a rule: one line naming the file, exit 2.
    super::analyse(ctx, &options, stdout).map_err(|e| rule_failed(e, &args.rules))
}

/// An engine error while applying rules, as the rules file's error.
pub fn rule_failed(e: Error, rules: &std::path::Path) -> Error {
    match e {
        Error::Engine(reason) => Error::BadConfig {
            file: rules.to_path_buf(),
            line: None,
            detail: format!("a rule failed on the data: {reason}"),
        },
        e => e,
    }
}
