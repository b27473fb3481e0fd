//! The `leadloop` binary: everything is in the library; this only wires the
//! process's arguments, streams and exit code to [`leadloop::main_with`].
//!
//! Rust ignores SIGPIPE, so a closed pipe (`leadloop validate | head -1`)
//! surfaces as a write error, which `main_with` treats as success.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let code = leadloop::main_with(std::env::args_os(), &mut out, &mut err);
    ExitCode::from(code)
}
