//! leadloop: closed-loop funnel analytics over marketing-automation and CRM
//! extracts. The binary is a thin shell over [`run`].
//!
//! How a run flows: `cli` parses the arguments (typed, each checked once);
//! `commands/x.rs` turns them into an analysis' options; `input` gives one
//! lazy frame per table; `quality` splits each table into used and set-aside
//! rows; `funnel` builds lead_funnel; the analysis plans, the runner in
//! `commands` collects, the analysis finishes its `Report`, and `output`
//! renders it.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod funnel;
pub mod generate;
pub mod input;
pub mod output;
pub mod quality;
pub mod stats;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

pub use error::{Error, Result};

/// Runs leadloop with `args` (including the program name), writing results
/// to `stdout`. Returns the process exit code; errors go to `stderr` as one line.
pub fn main_with<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e, stdout, stderr),
    };
    let result = run(&cli, stdout);
    let phases = output::phases::take();
    let notes = output::phases::take_notes();
    if cli.timings {
        let _ = write!(stderr, "{}", output::phases::render(&phases));
        for n in notes {
            let _ = writeln!(stderr, "{n}");
        }
    }
    match result {
        Ok(()) => 0,
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            let _ = writeln!(stderr, "leadloop: {e}");
            e.exit_code()
        }
    }
}

pub fn run(cli: &cli::Cli, stdout: &mut dyn Write) -> Result<()> {
    let ctx = commands::Context::from_cli(cli);
    match &cli.command {
        cli::Command::Report => commands::report::run(&ctx, stdout),
        cli::Command::Validate(args) => commands::validate::run(&ctx, args, stdout),
        cli::Command::Bands(args) => commands::bands::run(&ctx, args, stdout),
        cli::Command::Contact(args) => commands::contact::run(&ctx, args, stdout),
        cli::Command::Roi(args) => commands::roi::run(&ctx, args, stdout),
        cli::Command::Winloss(args) => commands::winloss::run(&ctx, args, stdout),
        cli::Command::Velocity(args) => commands::velocity::run(&ctx, args, stdout),
        cli::Command::Score(args) => commands::score::run(&ctx, args, stdout),
        cli::Command::Query(args) => commands::query::run(&ctx, args, stdout),
        cli::Command::Recalibrate(args) => commands::recalibrate::run(&ctx, args, stdout),
        cli::Command::Export(args) => commands::export::run(&ctx, args, stdout),
        cli::Command::Generate(args) => commands::generate::run(&ctx, args, stdout),
        cli::Command::Completions(args) => {
            let mut command = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "leadloop", stdout);
            Ok(())
        }
        cli::Command::Man => {
            let command = <cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(stdout)?;
            Ok(())
        }
    }?;
    stdout.flush()?;
    Ok(())
}

/// `--help` and `--version` print to stdout and succeed; a usage error is one
/// line on stderr with exit code 2.
fn clap_error(e: clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(stdout, "{}", e.render());
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(stderr, "{}", e.render());
            error::EXIT_BAD_INPUT
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let _ = writeln!(stderr, "leadloop: {} (see leadloop --help)", bad_value(&e));
            error::EXIT_BAD_INPUT
        }
        _ => {
            let text = e.render().to_string();
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:"))
                .filter(|l| !l.is_empty())
                .collect();
            let line = lines
                .iter()
                .filter(|l| !l.starts_with("tip:"))
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            // clap's "did you mean" (a similar command or flag) is kept on
            // the same line; its other tips are left to --help.
            let similar: Vec<&str> = lines
                .iter()
                .filter_map(|l| l.strip_prefix("tip: "))
                .filter(|t| t.contains("similar"))
                .collect();
            let hint = match similar.is_empty() {
                true => String::new(),
                false => format!("; {}", similar.join("; ")),
            };
            let _ = writeln!(stderr, "leadloop: {line}{hint} (see leadloop --help)");
            error::EXIT_BAD_INPUT
        }
    }
}

/// `--flag value: what to give instead`, from clap's error for a value a
/// flag does not take (a value parser's message, or the flag's choices).
fn bad_value(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let flag = arg.split([' ', '=']).next().unwrap_or(&arg);
    let value = text(ContextKind::InvalidValue);
    let reason = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(choices)) if !choices.is_empty() => {
            format!("give {}", one_of(choices))
        }
        _ => std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "give a value".into()),
    };
    if value.is_empty() {
        return format!("{flag}: {reason}");
    }
    format!("{flag} {value}: {reason}")
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(choices: &[String]) -> String {
    match choices {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
