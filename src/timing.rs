//! How long the steps of a build take, printed to stderr for profiling when asked for
//! (`YUANBA_TIMINGS`, which only `cmd` reads: it arrives here as [`Timings`] in the
//! configuration).

use std::time::Instant;

/// Whether to print step timings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    enabled: bool,
}

impl Timings {
    /// Timings printed (`true`) or not.
    pub fn new(enabled: bool) -> Self {
        Timings { enabled }
    }

    /// Prints how long `step` took since `started`, when timings are on.
    pub(crate) fn log(self, step: &str, started: Instant) {
        if self.enabled {
            eprintln!(
                "[timing] {step}: {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}
