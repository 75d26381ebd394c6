//! Command glue: one entry function per command, from parsed arguments to an exit code.
//!
//! This is the only layer that sees clap types and prints to the terminal.

pub mod build;
pub mod init;
pub mod serve;

use std::fmt::Write as _;
use std::io::IsTerminal;

use crate::diagnostic::{self, Diagnostic, RenderOptions};

/// Prints diagnostics to stderr, in colour on a terminal unless `NO_COLOR` is set.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!(
        "{}",
        diagnostic::render(diagnostics, RenderOptions { color })
    );
}

/// Prints an error that is not about the site's content.
pub fn print_error(error: &dyn std::error::Error) {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let _ = write!(message, ": {inner}");
        cause = inner.source();
    }
    eprintln!("error: {message}");
}

/// `1 error in 1 file`, `5 errors in 3 files`.
pub(crate) fn count_errors(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let files: std::collections::BTreeSet<_> =
        errors.iter().filter_map(|d| d.path.as_ref()).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if files.is_empty() {
        plural(errors.len(), "error")
    } else {
        format!(
            "{} in {}",
            plural(errors.len(), "error"),
            plural(files.len(), "file")
        )
    }
}
