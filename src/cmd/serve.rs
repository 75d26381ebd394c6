//! `yuanba serve` and `yuanba build --watch`: arguments in, one line per rebuild out.

use std::path::Path;

use crate::cli::ServeArgs;
use crate::cmd::{print_diagnostics, print_error, tally};
use crate::config::Overrides;
use crate::exit::ExitCode;
use crate::serve::{self, Notice, ServeOptions, Summary, WatchOptions};

/// Runs `yuanba serve`.
pub(crate) fn run(args: &ServeArgs) -> ExitCode {
    let options = ServeOptions {
        root: args.root.root.clone(),
        port: args.port,
        bind: args.bind,
        drafts: !args.no_drafts,
        future: args.future,
        open: args.open,
        poll: args.poll,
        env: crate::cmd::environment(),
    };
    finish(serve::serve(&options, &print_notice))
}

/// Runs `yuanba build --watch`.
pub(crate) fn watch(root: &Path, overrides: Overrides, poll: bool) -> ExitCode {
    let options = WatchOptions {
        root: root.to_path_buf(),
        overrides,
        poll,
    };
    finish(serve::watch(&options, &print_notice))
}

fn finish(result: Result<(), serve::Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::Success,
        Err(serve::Error::NoSite(diagnostics)) => {
            print_diagnostics(&diagnostics);
            ExitCode::Failure
        }
        Err(error) => {
            print_error(&error);
            ExitCode::Failure
        }
    }
}

fn print_notice(notice: Notice<'_>) {
    match notice {
        Notice::Listening { url, busy, public } => {
            if let (Some(first), Some(last)) = (busy.first(), busy.last()) {
                let taken = if first == last {
                    format!("port {first} is taken")
                } else {
                    format!("ports {first} to {last} are taken")
                };
                eprintln!("note: {taken}; using the next free one");
            }
            if public {
                eprintln!(
                    "warning: listening on a public address: other machines can see this site, drafts included"
                );
            }
            println!("serving {url} (Ctrl-C to stop)");
        }
        Notice::Built(summary) => print_summary(summary),
        Notice::Trouble(error) => print_error(error),
        Notice::Stopped => println!("stopped"),
    }
}

/// One line per build: what changed, what was done, how long it took.
fn print_summary(summary: &Summary) {
    print_diagnostics(&summary.warnings);
    let ms = summary.elapsed.as_millis();
    if !summary.errors.is_empty() {
        print_diagnostics(&summary.errors);
        println!(
            "{}: build failed ({}); still serving the last good site, in {ms} ms",
            summary.trigger,
            tally(&summary.errors, false)
        );
        return;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let fallback = summary
        .fallback
        .as_ref()
        .map(|reason| format!(" {reason}, full rebuild;"))
        .unwrap_or_default();
    let images = if summary.n_images_made == 0 {
        String::new()
    } else {
        format!(", {} processed", plural(summary.n_images_made, "image"))
    };
    println!(
        "{}:{fallback} {} re-read, {} rendered, {} written, {} removed{images}, in {ms} ms",
        summary.trigger,
        plural(summary.n_read, "file"),
        plural(summary.n_rendered, "page"),
        plural(summary.n_written, "file"),
        summary.n_removed,
    );
}
