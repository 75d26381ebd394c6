//! `yuanba check`: every validation of `build` plus the editorial ones, writing nothing.

use crate::check;
use crate::cli::{CheckArgs, Format};
use crate::cmd::{print_diagnostics, print_error, tally};
use crate::config::{self, Overrides};
use crate::diagnostic::Code;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::exit::ExitCode;
use crate::{output, pipeline};

/// Runs `yuanba check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let root = config::absolute(&args.root.root);
    let overrides = Overrides {
        drafts: args.drafts,
        future: args.future,
        env: crate::cmd::environment(),
        ..Overrides::default()
    };
    let (mut diagnostics, checked) = match config::load(&root, &overrides) {
        Ok(config) => {
            let checks = pipeline::Checks { editorial: true };
            let built = match pipeline::run(&config, &output::Discard, checks) {
                Ok(built) => built,
                Err(error) => {
                    print_error(&error);
                    return ExitCode::Failure;
                }
            };
            let mut diagnostics = built.diagnostics;
            if args.external {
                diagnostics.extend(check::external::check(
                    &built.external_links,
                    &config.link_check,
                ));
            }
            let checked = format!(
                "checked {} stor{} and {} page{}",
                built.n_stories,
                if built.n_stories == 1 { "y" } else { "ies" },
                built.n_pages,
                if built.n_pages == 1 { "" } else { "s" },
            );
            (diagnostics, checked)
        }
        Err(diagnostics) if diagnostics.iter().any(|d| d.code == Code::ConfigMissing) => {
            print_diagnostics(&diagnostics);
            return ExitCode::Failure;
        }
        Err(diagnostics) => (diagnostics, format!("checked only {}", config::CONFIG_FILE)),
    };
    if args.strict {
        for diagnostic in &mut diagnostics {
            diagnostic.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diagnostics);
    match args.format {
        Format::Json => print!("{}", diagnostic::render_json(&diagnostics)),
        Format::Human => {
            print_diagnostics(&diagnostics);
            if diagnostics.is_empty() {
                println!("{checked}: no problems");
            } else {
                println!("{checked}: {}", tally(&diagnostics, true));
            }
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::ContentErrors
    } else {
        ExitCode::Success
    }
}
