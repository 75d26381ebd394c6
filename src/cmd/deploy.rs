//! `yuanba deploy`: publish the built site to a target of `site.yaml`.

use std::io::{IsTerminal, Write as _};
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::cli::DeployArgs;
use crate::cmd::load_config;
use crate::config::{self, Overrides};
use crate::deploy::{self, Env, Options, Outcome, Progress};
use crate::exit::ExitCode;

/// Runs `yuanba deploy`.
pub(crate) fn run(args: &DeployArgs) -> ExitCode {
    let started = Instant::now();
    let root = config::absolute(&args.root.root);
    let overrides = Overrides {
        env: crate::cmd::environment(),
        ..Overrides::default()
    };
    let config = match load_config(&root, &overrides) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = Options {
        target: args.target.clone(),
        dry_run: args.dry_run,
        max_deletes: args.max_deletes,
        allow_drafts: args.allow_drafts,
    };
    catch_interrupt();
    let terminal = std::io::stderr().is_terminal();
    let progress = |step: Progress| {
        if !terminal {
            return;
        }
        let Progress::Uploaded { done, total, bytes } = step;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[2Kuploading {done}/{total} ({})",
            megabytes(bytes)
        );
        if done == total {
            let _ = write!(stderr, "\r\x1b[2K");
        }
        let _ = stderr.flush();
    };
    let result = deploy::run(&config, &options, &environment(), &progress);
    if terminal {
        eprint!("\r\x1b[2K");
    }
    match result {
        Ok(outcome) => {
            print_outcome(&outcome, started);
            ExitCode::Success
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::Failure
        }
    }
}

/// What a deploy reads from the environment.
fn environment() -> Env {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    Env {
        access_key_id: var("AWS_ACCESS_KEY_ID"),
        secret_access_key: var("AWS_SECRET_ACCESS_KEY").map(deploy::Secret),
        session_token: var("AWS_SESSION_TOKEN").map(deploy::Secret),
        profile: var("AWS_PROFILE"),
        credentials_file: var("AWS_SHARED_CREDENTIALS_FILE")
            .map(std::path::PathBuf::from)
            .or_else(|| home.map(|home| home.join(".aws").join("credentials"))),
        ca_bundle: var("AWS_CA_BUNDLE").map(std::path::PathBuf::from),
    }
}

/// The plan of a dry run, or the summary line of a deploy.
fn print_outcome(outcome: &Outcome, started: Instant) {
    let counts = outcome.counts;
    if outcome.dry_run {
        if let Some(plan) = &outcome.plan {
            for upload in &plan.uploads {
                let what = if upload.new { "new" } else { "changed" };
                println!(
                    "upload  {:>10}  {}  ({what})",
                    size(upload.file.size),
                    upload.file.key
                );
            }
            for key in &plan.deletes {
                println!("delete              {key}");
            }
        }
        for line in &outcome.details {
            println!("{line}");
        }
        println!(
            "dry run: would upload {} file{} ({}), delete {}, leave {} unchanged on {} ({}); nothing was changed",
            counts.uploaded,
            plural(counts.uploaded),
            megabytes(counts.bytes),
            counts.deleted,
            counts.unchanged,
            outcome.target,
            outcome.location
        );
        return;
    }
    println!(
        "deployed to {} ({}): uploaded {} file{} ({}), deleted {}, unchanged {} in {:.1} s",
        outcome.target,
        outcome.location,
        counts.uploaded,
        plural(counts.uploaded),
        megabytes(counts.bytes),
        counts.deleted,
        counts.unchanged,
        started.elapsed().as_secs_f64()
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[allow(clippy::cast_precision_loss, reason = "a size for people to read")]
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[allow(clippy::cast_precision_loss, reason = "a size for people to read")]
fn size(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} KB", bytes as f64 / 1000.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// Ctrl-C (and SIGTERM) stop new requests; the deploy then ends with a message saying what
/// was done, and deletes nothing unless every upload succeeded.
fn catch_interrupt() {
    extern "C" fn on_signal(_: libc::c_int) {
        deploy::INTERRUPTED.store(true, Ordering::Relaxed);
    }
    #[cfg(unix)]
    // SAFETY: the handler only stores into an atomic, which is async-signal-safe.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}
