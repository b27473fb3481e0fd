//! The `leadloop` binary: everything is in the library; this only wires the
//! process's arguments, streams and exit code to [`leadloop::main_with`].
//!
//! Rust ignores SIGPIPE, so a closed pipe (`leadloop validate | head -1`)
//! surfaces as a write error, which `main_with` treats as success.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// polars' switch that lets a plan skip the input of a horizontal concat
/// it reads no column of.
const PRUNE_HCONCAT: &str = "POLARS_PROJECTION_PUSHDOWN_PRUNE_STRICT_HCONCAT_INPUTS";

fn main() -> ExitCode {
    // lead_funnel is read as the used leads beside its facts (a strict
    // horizontal concat of two files of one length, `funnel::scan`): an
    // analysis that reads no lead column then skips the leads' file (warm
    // `bands` at 10M leads: 1.07 s / 516 MB without this, 0.82 s / 345 MB
    // with it). Set here, before polars reads its configuration and while
    // the process has one thread; a value the user set is kept.
    if std::env::var_os(PRUNE_HCONCAT).is_none() {
        std::env::set_var(PRUNE_HCONCAT, "1");
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let code = leadloop::main_with(std::env::args_os(), &mut out, &mut err);
    ExitCode::from(code)
}
