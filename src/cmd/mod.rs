//! Command glue: one entry function per command, from parsed arguments to an exit code.
//!
//! This is the only layer that sees clap types and prints to the terminal.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod deploy;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod serve;

use crate::diagnostic::Code;
use std::fmt::Write as _;
use std::io::IsTerminal;

use crate::diagnostic::{self, Diagnostic, RenderOptions};

/// Reads the process environment's settings: the only place below `main` that reads the
/// environment (besides `NO_COLOR`, for printing).
pub(crate) fn environment() -> crate::config::Environment {
    let set = |name: &str| std::env::var_os(name).is_some();
    crate::config::Environment {
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok(),
        timings: set("YUANBA_TIMINGS"),
        verify_rebuilds: set("YUANBA_VERIFY_REBUILDS"),
    }
}

/// Prints diagnostics to stderr, in colour on a terminal unless `NO_COLOR` is set.
pub(crate) fn print_diagnostics(diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!(
        "{}",
        diagnostic::render(diagnostics, RenderOptions { color })
    );
}

/// Loads `site.yaml`, or prints why not and says how the command ends: `Failure` (2) when there
/// is no site, `ContentErrors` (1) when the file is broken.
pub(crate) fn load_config(
    root: &std::path::Path,
    overrides: &crate::config::Overrides,
) -> Result<crate::config::SiteConfig, crate::exit::ExitCode> {
    crate::config::load(root, overrides).map_err(|diagnostics| {
        print_diagnostics(&diagnostics);
        if diagnostics.iter().any(|d| d.code == Code::ConfigMissing) {
            crate::exit::ExitCode::Failure
        } else {
            crate::exit::ExitCode::ContentErrors
        }
    })
}

/// Prints an error that is not about the site's content.
pub(crate) fn print_error(error: &dyn std::error::Error) {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let _ = write!(message, ": {inner}");
        cause = inner.source();
    }
    eprintln!("error: {message}");
}

/// What `diagnostics` hold, for a summary line: `1 error in 1 file`, `2 errors and 1 warning in
/// 3 files`. Warnings are counted only when `with_warnings` is set.
pub(crate) fn tally(diagnostics: &[Diagnostic], with_warnings: bool) -> String {
    let counted: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| with_warnings || d.is_error())
        .collect();
    let n_errors = counted.iter().filter(|d| d.is_error()).count();
    let n_warnings = counted.len() - n_errors;
    let files: std::collections::BTreeSet<_> =
        counted.iter().filter_map(|d| d.path.as_ref()).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if n_errors > 0 || n_warnings == 0 {
        parts.push(plural(n_errors, "error"));
    }
    if n_warnings > 0 {
        parts.push(plural(n_warnings, "warning"));
    }
    let mut text = parts.join(" and ");
    if !files.is_empty() {
        let _ = write!(text, " in {}", plural(files.len(), "file"));
    }
    text
}

/// The progress of the photo step on stderr: a bar redrawn in place on a terminal; otherwise,
/// for a site with many photos, a plain line at each quarter (logs of CI and scripts).
pub(crate) fn image_progress() -> crate::images::Progress {
    use std::io::IsTerminal as _;
    /// Fewer photos than this print no plain lines: they take a moment at most.
    const PLAIN_MIN_PHOTOS: usize = 20;
    let terminal = std::io::stderr().is_terminal();
    crate::images::Progress::new(move |done, total| {
        if terminal {
            const WIDTH: usize = 30;
            let filled = done * WIDTH / total.max(1);
            let mut stderr = std::io::stderr().lock();
            let _ = std::io::Write::write_fmt(
                &mut stderr,
                format_args!(
                    "\r图片 images [{}{}] {done}/{total}",
                    "#".repeat(filled),
                    " ".repeat(WIDTH - filled)
                ),
            );
            if done == total {
                let _ = std::io::Write::write_all(&mut stderr, b"\r\x1b[2K");
            }
            let _ = std::io::Write::flush(&mut stderr);
        } else if total >= PLAIN_MIN_PHOTOS && (done * 4 / total) > ((done - 1) * 4 / total) {
            eprintln!("images: {done}/{total}");
        }
    })
}
