//! `yuanba build`: load, check and render the site, then publish it atomically.

use std::time::Instant;

use crate::cli::BuildArgs;
use crate::cmd::{load_config, print_diagnostics, print_error, tally};
use crate::config::{self, Overrides};
use crate::exit::ExitCode;
use crate::{output, pipeline};

/// Runs `yuanba build`.
pub(crate) fn run(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = config::absolute(&args.root.root);
    let overrides = Overrides {
        output_dir: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        future: args.future,
        env: crate::cmd::environment(),
        // Not while watching: a stylesheet edit would change every page.
        fingerprint_assets: !args.watch,
        read_only: false,
    };
    if args.watch {
        return crate::cmd::serve::watch(&root, overrides, args.poll);
    }
    let mut config = match load_config(&root, &overrides) {
        Ok(config) => config,
        Err(code) => return code,
    };
    config.image_progress = crate::cmd::image_progress();
    let staging = match output::Staging::create(&config) {
        Ok(staging) => staging,
        Err(error) => {
            match error.at_setting() {
                Some(diagnostic) => print_diagnostics(&[diagnostic]),
                None => print_error(&error),
            }
            return ExitCode::Failure;
        }
    };
    let built = match pipeline::run(&config, &staging, pipeline::Checks::default()) {
        Ok(built) => built,
        Err(error) => {
            print_error(&error);
            return ExitCode::Failure;
        }
    };
    print_errors_and_count_warnings(&built.diagnostics);
    if built.has_errors() {
        eprintln!(
            "error: build failed: {}; {} was left as it was",
            tally(&built.diagnostics, false),
            display_dir(&config)
        );
        return ExitCode::ContentErrors;
    }
    if let Err(error) = staging.publish() {
        print_error(&error);
        return ExitCode::Failure;
    }
    println!(
        "built {} stor{} and {} page{} ({} files{}) into {} in {} ms",
        built.n_stories,
        if built.n_stories == 1 { "y" } else { "ies" },
        built.n_pages,
        if built.n_pages == 1 { "" } else { "s" },
        built.n_files,
        image_tally(&built),
        display_dir(&config),
        started.elapsed().as_millis()
    );
    ExitCode::Success
}

/// Prints the errors in full and the warnings as one line that counts them by code and points
/// to `yuanba check`, which lists them: on a large archive they can be hundreds of lines.
fn print_errors_and_count_warnings(diagnostics: &[crate::diagnostic::Diagnostic]) {
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .iter()
        .cloned()
        .partition(crate::diagnostic::Diagnostic::is_error);
    print_diagnostics(&errors);
    if let Some(line) = warnings_line(&warnings) {
        eprintln!("{line}");
    }
}

/// `warning: 3 warnings in 2 files (places/ambiguous-community 2, story/alt 1); `yuanba check`
/// lists them`, or nothing when there are none.
fn warnings_line(warnings: &[crate::diagnostic::Diagnostic]) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    let mut by_code: Vec<(&str, usize)> = Vec::new();
    for warning in warnings {
        let code = warning.code.as_str();
        match by_code.iter_mut().find(|(seen, _)| *seen == code) {
            Some((_, n)) => *n += 1,
            None => by_code.push((code, 1)),
        }
    }
    by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let codes: Vec<String> = by_code
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    Some(format!(
        "warning: {} ({}); `yuanba check` lists them",
        tally(warnings, true),
        codes.join(", ")
    ))
}

/// `, 3 images processed, 21 from the cache` for a site with photos; empty otherwise.
pub(crate) fn image_tally(built: &pipeline::Built) -> String {
    if built.n_images_processed + built.n_images_cached == 0 {
        return String::new();
    }
    format!(
        ", {} image{} processed, {} from the cache",
        built.n_images_processed,
        if built.n_images_processed == 1 {
            ""
        } else {
            "s"
        },
        built.n_images_cached
    )
}

fn display_dir(config: &config::SiteConfig) -> String {
    let relative = config.relative(&config.output_dir);
    format!("{}/", relative.display())
}
