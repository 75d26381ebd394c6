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
            print_error(&error);
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
    print_diagnostics(&built.diagnostics);
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
