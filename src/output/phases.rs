//! Where a run's time goes. Each long step runs inside a named phase
//! ([`time`]): on a terminal, stderr shows a spinner naming the phase
//! (indicatif; hidden when stderr is piped, so scripts and tests see
//! nothing); with `--timings`, stderr gets a table of the phases at the end
//! (seconds, and the process's peak resident memory when the phase ended).
//!
//! Phases are per thread: the commands run on the calling thread (polars
//! works on its own pool underneath), so concurrent in-process runs (tests)
//! never mix their tables.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// One finished phase.
#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    pub elapsed: Duration,
    /// Peak resident set size of the process so far, in bytes (Linux's
    /// `VmHWM`); `None` where the system does not say.
    pub peak_rss: Option<u64>,
    /// A part of the phase listed above it ([`part`]): shown indented, and
    /// not added to the total.
    pub part: bool,
}

thread_local! {
    static PHASES: RefCell<Vec<Phase>> = const { RefCell::new(Vec::new()) };
    static NOTES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A line `--timings` prints under its table (whether the run read the
/// cache, filled it or had it off: a warm and a cold run differ tenfold).
pub fn note(text: impl Into<String>) {
    NOTES.with(|n| n.borrow_mut().push(text.into()));
}

/// The notes recorded so far on this thread ([`note`]); clears them.
pub fn take_notes() -> Vec<String> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Runs `f` as the phase `name`, with a spinner naming it on a terminal
/// (cleared when the phase ends, so nothing is left on the screen before
/// what the command prints).
pub fn time<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let at = PHASES.with(|p| p.borrow().len());
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} leadloop: {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(name.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let start = Instant::now();
    let out = f();
    spinner.finish_and_clear();
    let phase = Phase {
        name: name.to_string(),
        elapsed: start.elapsed(),
        peak_rss: peak_rss(),
        part: false,
    };
    // Before the parts recorded while it ran.
    PHASES.with(|p| p.borrow_mut().insert(at, phase));
    out
}

/// Runs `f` as a part of the phase running now (an analysis's collect or
/// its arithmetic after it): listed under that phase by `--timings`, with
/// no spinner of its own.
pub fn part<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let phase = Phase {
        name: format!("  {name}"),
        elapsed: start.elapsed(),
        peak_rss: peak_rss(),
        part: true,
    };
    PHASES.with(|p| p.borrow_mut().push(phase));
    out
}

/// Parts of the running phase timed over several passes (lead_funnel's
/// pieces): each name is listed once by `--timings`, with its summed time.
#[derive(Debug, Default)]
pub struct Parts(Vec<(&'static str, Duration)>);

impl Parts {
    /// Runs `f`, adding its time to the part `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    /// Adds `elapsed` to the part `name` (time measured elsewhere: another
    /// thread's).
    pub fn add(&mut self, name: &'static str, elapsed: Duration) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += elapsed,
            None => self.0.push((name, elapsed)),
        }
    }

    /// Lists the parts under the running phase, in the order first timed.
    pub fn record(self) {
        let peak_rss = peak_rss();
        PHASES.with(|p| {
            p.borrow_mut()
                .extend(self.0.into_iter().map(|(name, elapsed)| Phase {
                    name: format!("  {name}"),
                    elapsed,
                    peak_rss,
                    part: true,
                }))
        });
    }
}

/// The phases run so far on this thread, in order; clears them.
pub fn take() -> Vec<Phase> {
    PHASES.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// The `--timings` table: one line per phase, then the total.
pub fn render(phases: &[Phase]) -> String {
    if phases.is_empty() {
        return String::new();
    }
    let width = phases
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "{:<width$}  {:>9}  {:>13}\n",
        "phase", "seconds", "peak RSS (MB)"
    );
    let mb = |b: Option<u64>| b.map_or("–".to_string(), |b| (b / (1 << 20)).to_string());
    for p in phases {
        out.push_str(&format!(
            "{:<width$}  {:>9.2}  {:>13}\n",
            p.name,
            p.elapsed.as_secs_f64(),
            mb(p.peak_rss)
        ));
    }
    let total = phases
        .iter()
        .filter(|p| !p.part)
        .fold(0.0, |t, p| t + p.elapsed.as_secs_f64());
    out.push_str(&format!(
        "{:<width$}  {:>9.2}  {:>13}\n",
        "total",
        total,
        mb(phases.iter().filter_map(|p| p.peak_rss).max())
    ));
    out
}

/// Peak resident set size of this process, in bytes (`VmHWM` in
/// `/proc/self/status`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A bar for work of known size (generate's leads), hidden off a terminal.
pub fn bar(label: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg}: {wide_bar} {human_pos}/{human_len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(label.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_recorded_in_order_and_taken_once() {
        let x = time("read", || 2 + 2);
        time("judge", || {
            part("collect 1", || ());
            part("finish 1", || ());
        });
        assert_eq!(x, 4);
        let phases = take();
        let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["read", "judge", "  collect 1", "  finish 1"]);
        let parts: f64 = phases[2..].iter().map(|p| p.elapsed.as_secs_f64()).sum();
        let whole: f64 = phases[..2].iter().map(|p| p.elapsed.as_secs_f64()).sum();
        assert!(take().is_empty());
        let table = render(&phases);
        assert!(table.starts_with("phase"), "{table}");
        let last = table.lines().last().unwrap();
        assert!(last.starts_with("total"), "{table}");
        // The parts are inside their phase's time, never added again.
        let total: f64 = last.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!((total - whole).abs() < 0.011, "{table}");
        assert!(parts <= whole + 1e-9, "{table}");
    }
}
