//! `yuanba build`: load, check and render the site, then publish it atomically.

use std::time::Instant;

use crate::cli::BuildArgs;
use crate::cmd::{print_diagnostics, print_error};
use crate::config::{self, Overrides};
use crate::exit::ExitCode;
use crate::{output, pipeline};

/// Runs `yuanba build`.
pub fn run(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = config::absolute(&args.root.root);
    let overrides = Overrides {
        output_dir: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        future: args.future,
    };
    let config = match config::load(&root, &overrides) {
        Ok(config) => config,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            let missing = diagnostics.iter().any(|d| d.code == "config/missing");
            return if missing {
                ExitCode::Failure
            } else {
                ExitCode::ContentErrors
            };
        }
    };
    let staging = match output::Staging::create(&config) {
        Ok(staging) => staging,
        Err(error) => {
            print_error(&error);
            return ExitCode::Failure;
        }
    };
    let built = match pipeline::run(&config, &staging) {
        Ok(built) => built,
        Err(error) => {
            print_error(&error);
            return ExitCode::Failure;
        }
    };
    print_diagnostics(&built.diagnostics);
    if built.has_errors() {
        eprintln!(
            "error: build failed: {}; {} was left as it was",
            count_errors(&built.diagnostics),
            display_dir(&config)
        );
        return ExitCode::ContentErrors;
    }
    if let Err(error) = staging.publish() {
        print_error(&error);
        return ExitCode::Failure;
    }
    println!(
        "built {} stor{} and {} page{} ({} files) into {} in {} ms",
        built.n_stories,
        if built.n_stories == 1 { "y" } else { "ies" },
        built.n_pages,
        if built.n_pages == 1 { "" } else { "s" },
        built.n_files,
        display_dir(&config),
        started.elapsed().as_millis()
    );
    ExitCode::Success
}

/// `1 error in 1 file`, `5 errors in 3 files`.
fn count_errors(diagnostics: &[crate::diagnostic::Diagnostic]) -> String {
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

fn display_dir(config: &config::SiteConfig) -> String {
    let relative = config.relative(&config.output_dir);
    format!("{}/", relative.display())
}
