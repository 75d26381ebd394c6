//! `yuanba check`: every validation of `build` plus the editorial ones, writing nothing.

use std::path::Path;

use crate::check;
use crate::cli::{CheckArgs, Format};
use crate::cmd::{print_diagnostics, print_error, tally};
use crate::config::{self, Overrides};
use crate::diagnostic::Code;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::exit::ExitCode;
use crate::{output, pipeline};

/// Runs `yuanba check`.
pub(crate) fn run(args: &CheckArgs) -> ExitCode {
    let root = config::absolute(&args.root.root);
    let overrides = Overrides {
        drafts: args.drafts,
        future: args.future,
        env: crate::cmd::environment(),
        fingerprint_assets: true,
        read_only: true,
        ..Overrides::default()
    };
    let Checked {
        mut diagnostics,
        summary,
    } = match check_site(&root, &overrides, args) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    if args.strict {
        for diagnostic in &mut diagnostics {
            diagnostic.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diagnostics);
    print_report(args.format, &diagnostics, &summary);
    if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::ContentErrors
    } else {
        ExitCode::Success
    }
}

/// What a check found, and what it covered.
struct Checked {
    diagnostics: Vec<Diagnostic>,
    /// `checked 3 stories and 2 pages`, or `checked only site.yaml`.
    summary: String,
}

/// Loads the site and runs every check; a broken `site.yaml` is checked alone. `Err` when
/// there is no site or the check could not run (already printed).
fn check_site(root: &Path, overrides: &Overrides, args: &CheckArgs) -> Result<Checked, ExitCode> {
    let config = match config::load(root, overrides) {
        Ok(config) => config,
        Err(diagnostics) if diagnostics.iter().any(|d| d.code == Code::ConfigMissing) => {
            print_diagnostics(&diagnostics);
            return Err(ExitCode::Failure);
        }
        Err(diagnostics) => {
            return Ok(Checked {
                diagnostics,
                summary: format!("checked only {}", config::CONFIG_FILE),
            });
        }
    };
    let checks = pipeline::Checks { editorial: true };
    let built = pipeline::run(&config, &output::Discard, checks).map_err(|error| {
        print_error(&error);
        ExitCode::Failure
    })?;
    let mut diagnostics = built.diagnostics;
    if args.external {
        diagnostics.extend(check::external::check(
            &built.external_links,
            &config.link_check,
        ));
    }
    let summary = format!(
        "checked {} stor{} and {} page{}",
        built.n_stories,
        if built.n_stories == 1 { "y" } else { "ies" },
        built.n_pages,
        if built.n_pages == 1 { "" } else { "s" },
    );
    Ok(Checked {
        diagnostics,
        summary,
    })
}

/// Prints the diagnostics as `format` says; for people, with the summary line.
fn print_report(format: Format, diagnostics: &[Diagnostic], summary: &str) {
    match format {
        Format::Json => print!("{}", diagnostic::render_json(diagnostics)),
        Format::Human => {
            print_diagnostics(diagnostics);
            if diagnostics.is_empty() {
                println!("{summary}: no problems");
            } else {
                println!("{summary}: {}", tally(diagnostics, true));
            }
        }
    }
}
