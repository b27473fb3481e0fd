//! Progress for long work, on standard error only and only when it is a
//! terminal, so pipes, files and tests see nothing.

use std::io::{IsTerminal, Write};

pub struct Progress {
    enabled: bool,
    label: String,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            label: label.to_string(),
        }
    }

    pub fn update(&self, done: u64, total: u64) {
        if self.enabled {
            let pct = if total == 0 {
                100.0
            } else {
                done as f64 * 100.0 / total as f64
            };
            let mut err = std::io::stderr();
            let _ = write!(err, "\r{}: {done}/{total} ({pct:.0}%)   ", self.label);
            let _ = err.flush();
        }
    }

    pub fn finish(&self) {
        if self.enabled {
            let _ = writeln!(std::io::stderr());
        }
    }
}
