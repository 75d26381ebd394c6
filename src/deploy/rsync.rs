//! Deploying by rsync, to `user@host:/path/` over the user's SSH setup or to a local folder, in
//! two passes so that pages never point at missing files: first everything but the pages and
//! indexes, deleting nothing; then everything, deleting what the site no longer has (after the
//! transfer, `--delete-after`). A dry run of the second pass counts the deletions first, so
//! that `--max-deletes` refuses before anything changes.

use std::path::Path;
use std::process::Command;

use crate::deploy::{Counts, Error, Options, Outcome};
use crate::deploy_config::Target;
use crate::output::MARKER_FILE;

/// What the first pass leaves out: the pages and the files that list them.
const SECOND_PASS_ONLY: [&str; 6] = [
    "*.html",
    "*.htm",
    "*.xml",
    "/robots.txt",
    "/search/manifest.json",
    "/feed.json",
];

pub(super) fn deploy(
    site: &Path,
    target: &Target,
    dest: &str,
    options: &Options,
) -> Result<Outcome, Error> {
    check_installed()?;
    let source = format!("{}/", site.display());
    let dest = if dest.ends_with('/') {
        dest.to_string()
    } else {
        format!("{dest}/")
    };
    // The second pass, dry: what would change, and how many files would go.
    let preview = run(&source, &dest, Pass::Second, true)?;
    let changes = Changes::read(&preview, site);
    if changes.deleted.len() > options.max_deletes {
        let first: Vec<&str> = changes.deleted.iter().take(5).map(String::as_str).collect();
        return Err(Error::Refused(format!(
            "this deploy would delete {} files in {dest}, more than --max-deletes {} allows: {}; \
             nothing was changed. If that is what you want, run it again with --max-deletes {}",
            changes.deleted.len(),
            options.max_deletes,
            first.join(", "),
            changes.deleted.len()
        )));
    }
    let mut details = Vec::new();
    if options.dry_run {
        details = preview.lines().map(str::to_string).collect();
    } else {
        run(&source, &dest, Pass::First, false)?;
        run(&source, &dest, Pass::Second, false)?;
    }
    let total = count_files(site);
    Ok(Outcome {
        target: target.name.clone(),
        location: dest,
        plan: None,
        counts: Counts {
            uploaded: changes.sent,
            bytes: changes.bytes,
            deleted: changes.deleted.len(),
            unchanged: total.saturating_sub(changes.sent),
        },
        dry_run: options.dry_run,
        details,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    First,
    Second,
}

/// Runs one pass; returns rsync's itemized changes.
fn run(source: &str, dest: &str, pass: Pass, dry_run: bool) -> Result<String, Error> {
    let mut command = Command::new("rsync");
    command
        .args(["--recursive", "--links", "--times", "--checksum"])
        .args(["--itemize-changes", "--out-format=%i %n"])
        .arg(format!("--exclude=/{MARKER_FILE}"));
    match pass {
        Pass::First => {
            for pattern in SECOND_PASS_ONLY {
                command.arg(format!("--exclude={pattern}"));
            }
        }
        Pass::Second => {
            command.arg("--delete-after");
        }
    }
    if dry_run {
        command.arg("--dry-run");
    }
    command.arg(source).arg(dest);
    let output = command.output().map_err(|error| Error::Failed {
        message: format!("cannot run rsync: {error}"),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = format!(
            "rsync to {dest} failed ({}): {}",
            output.status,
            stderr.trim()
        );
        return Err(match (pass, dry_run) {
            // Nothing was changed yet.
            (Pass::Second, true) => Error::Refused(message),
            (Pass::First, _) => Error::Failed {
                message: format!(
                    "{message}; no page was replaced and nothing was deleted: run `yuanba deploy` \
                     again to finish"
                ),
            },
            (Pass::Second, false) => Error::Failed {
                message: format!(
                    "{message}; every file pages point at was copied first: run `yuanba deploy` \
                     again to finish"
                ),
            },
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// What an itemized run says it sends and deletes.
#[derive(Debug, Default)]
struct Changes {
    sent: usize,
    bytes: u64,
    deleted: Vec<String>,
}

impl Changes {
    fn read(itemized: &str, site: &Path) -> Changes {
        let mut changes = Changes::default();
        for line in itemized.lines() {
            if let Some(path) = line.strip_prefix("*deleting ") {
                // Folders go with their files; only files are counted.
                let path = path.trim();
                if !path.ends_with('/') {
                    changes.deleted.push(path.to_string());
                }
            } else if let Some((flags, path)) = line.split_once(' ')
                && flags.len() > 1
                && matches!(flags.as_bytes()[0], b'<' | b'>')
                && flags.as_bytes()[1] == b'f'
            {
                changes.sent += 1;
                changes.bytes += std::fs::metadata(site.join(path)).map_or(0, |m| m.len());
            }
        }
        changes
    }
}

/// The files of the site, the marker left out.
fn count_files(site: &Path) -> usize {
    walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file() && entry.file_name() != MARKER_FILE)
        .count()
}

fn check_installed() -> Result<(), Error> {
    match Command::new("rsync").arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => Err(Error::Refused(
            "rsync is not installed: install it (`apt-get install rsync`, `brew install rsync`) \
             on this machine and on the server"
                .to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itemized_changes_are_counted() {
        let temp = tempfile::tempdir().expect("temp dir");
        std::fs::write(temp.path().join("a.css"), "1234").expect("write");
        let itemized = ">f+++++++++ a.css\n.d..t...... stories/\n<f.st...... b/index.html\n\
                        *deleting   old/index.html\n*deleting   old/\ncd+++++++++ new/\n";
        let changes = Changes::read(itemized, temp.path());
        assert_eq!(changes.sent, 2);
        assert_eq!(changes.bytes, 4);
        assert_eq!(changes.deleted, ["old/index.html"]);
    }
}
