//! Deploying to a branch of a git repository (GitHub Pages, Codeberg Pages): the site becomes
//! the tree of one new commit on the branch, pushed with the user's git and SSH setup. The
//! commits are made in a bare repository in the site's cache folder, so the site's own
//! repository is never touched. Every commit yuanba makes carries a `Deployed-by: yuanba`
//! trailer; a branch with any commit without it is refused, and nothing is ever force-pushed.

use std::path::Path;
use std::process::{Command, Output};

use crate::config::SiteConfig;
use crate::deploy::{Counts, Error, Options, Outcome};
use crate::deploy_config::Target;
use crate::output::MARKER_FILE;

/// The trailer of every commit yuanba makes.
const TRAILER: &str = "Deployed-by: yuanba";

pub(super) fn deploy(
    config: &SiteConfig,
    site: &Path,
    target: &Target,
    repository: &str,
    branch: &str,
    options: &Options,
    cache: &Path,
) -> Result<Outcome, Error> {
    check_installed()?;
    let repo = cache.join(format!("{}.git", target.name));
    let git = Git { dir: &repo };
    if !repo.join("HEAD").is_file() {
        std::fs::create_dir_all(&repo).map_err(|error| refused(&repo, &error))?;
        git.run(&["init", "--bare", "--quiet"])
            .map_err(Error::Refused)?;
    }
    let location = format!("{repository} {branch}");
    let parent = git.fetch_branch(repository, branch)?;
    if let Some(parent) = &parent {
        git.check_all_ours(parent, repository, branch)?;
    }
    let tree = git.tree_of(site)?;
    let changes = match &parent {
        Some(parent) => git.changes(&format!("{parent}^{{tree}}"), &tree)?,
        None => git.all_files(&tree)?,
    };
    let total = git.all_files(&tree)?.len();
    let counts = Counts {
        uploaded: changes.iter().filter(|(status, _)| *status != 'D').count(),
        bytes: changes
            .iter()
            .filter(|(status, _)| *status != 'D')
            .map(|(_, path)| std::fs::metadata(site.join(path)).map_or(0, |m| m.len()))
            .sum(),
        deleted: changes.iter().filter(|(status, _)| *status == 'D').count(),
        unchanged: total.saturating_sub(changes.iter().filter(|(s, _)| *s != 'D').count()),
    };
    if counts.deleted > options.max_deletes {
        return Err(Error::Refused(format!(
            "this deploy would delete {} files from {location}, more than --max-deletes {} \
             allows; nothing was changed. If that is what you want, run it again with \
             --max-deletes {}",
            counts.deleted, options.max_deletes, counts.deleted
        )));
    }
    let details = changes
        .iter()
        .map(|(status, path)| format!("{status} {path}"))
        .collect();
    let outcome = Outcome {
        target: target.name.clone(),
        location,
        plan: None,
        counts,
        dry_run: options.dry_run,
        details,
    };
    if options.dry_run || (parent.is_some() && changes.is_empty()) {
        return Ok(outcome);
    }
    let message = commit_message(config, site);
    let commit = git.commit(&tree, parent.as_deref(), &message)?;
    git.run(&[
        "push",
        "--quiet",
        repository,
        &format!("{commit}:refs/heads/{branch}"),
    ])
    .map_err(|error| Error::Failed {
        message: format!(
            "git push to {repository} failed: {error}; the branch {branch} was not changed"
        ),
    })?;
    Ok(outcome)
}

/// `Deploy 华西社区报`, the build time and the source commit.
fn commit_message(config: &SiteConfig, site: &Path) -> String {
    let built = std::fs::metadata(site.join(MARKER_FILE))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|time| jiff::Timestamp::try_from(time).ok())
        .map_or_else(|| "unknown".to_string(), |time| time.to_string());
    let source = Command::new("git")
        .arg("-C")
        .arg(&config.root)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    let dirty = Command::new("git")
        .arg("-C")
        .arg(&config.root)
        .args(["status", "--porcelain"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .is_some_and(|output| !output.stdout.is_empty());
    let source = match source {
        Some(commit) if dirty => format!("{commit} (with uncommitted changes)"),
        Some(commit) => commit,
        None => "not a git repository".to_string(),
    };
    format!(
        "Deploy {}\n\nBuilt: {built}\nSource: {source}\n{TRAILER}\n",
        config.title
    )
}

struct Git<'a> {
    dir: &'a Path,
}

impl Git<'_> {
    fn command(&self) -> Command {
        let mut command = Command::new("git");
        command.arg("--git-dir").arg(self.dir);
        command
    }

    /// Runs git; its trimmed stdout, or its stderr as the error.
    fn run(&self, args: &[&str]) -> Result<String, String> {
        finish(self.command().args(args).output())
    }

    /// Fetches the branch; its commit, or `None` when the repository has no such branch.
    fn fetch_branch(&self, repository: &str, branch: &str) -> Result<Option<String>, Error> {
        let listed = self
            .run(&[
                "ls-remote",
                "--heads",
                repository,
                &format!("refs/heads/{branch}"),
            ])
            .map_err(|error| Error::Refused(format!("cannot reach {repository}: {error}")))?;
        if listed.is_empty() {
            return Ok(None);
        }
        let remote_ref = format!("refs/remotes/deploy/{branch}");
        self.run(&[
            "fetch",
            "--quiet",
            "--no-tags",
            repository,
            &format!("+refs/heads/{branch}:{remote_ref}"),
        ])
        .map_err(|error| {
            Error::Refused(format!("cannot fetch {branch} from {repository}: {error}"))
        })?;
        self.run(&["rev-parse", &remote_ref])
            .map(Some)
            .map_err(Error::Refused)
    }

    /// Refuses a branch with a commit that yuanba did not make.
    fn check_all_ours(&self, head: &str, repository: &str, branch: &str) -> Result<(), Error> {
        let log = self
            .run(&["log", "--format=%h %s%x00%B%x01", head])
            .map_err(Error::Refused)?;
        for entry in log.split('\u{1}') {
            let Some((summary, body)) = entry.trim().split_once('\0') else {
                continue;
            };
            if !body.lines().any(|line| line.trim() == TRAILER) {
                return Err(Error::Refused(format!(
                    "the branch {branch} of {repository} has commits yuanba did not make (such \
                     as {summary}), and yuanba never pushes over them: deploy to a branch of its \
                     own, such as `pages`"
                )));
            }
        }
        Ok(())
    }

    /// The tree of the site's files (the marker left out), written into the repository.
    fn tree_of(&self, site: &Path) -> Result<String, Error> {
        let index = self.dir.join(format!("index.{}", std::process::id()));
        let _ = std::fs::remove_file(&index);
        let exclude = format!(":(exclude){MARKER_FILE}");
        let added = finish(
            self.command()
                .arg("--work-tree")
                .arg(site)
                .env("GIT_INDEX_FILE", &index)
                .args(["add", "--all", "--force", "--", ".", &exclude])
                .output(),
        );
        let tree = added.and_then(|_| {
            finish(
                self.command()
                    .env("GIT_INDEX_FILE", &index)
                    .arg("write-tree")
                    .output(),
            )
        });
        let _ = std::fs::remove_file(&index);
        tree.map_err(|error| Error::Refused(format!("cannot read the site into git: {error}")))
    }

    /// The files that differ between two trees, as (status, path).
    fn changes(&self, from: &str, to: &str) -> Result<Vec<(char, String)>, Error> {
        let text = self
            .run(&["diff-tree", "-r", "--no-renames", "--name-status", from, to])
            .map_err(Error::Refused)?;
        Ok(text
            .lines()
            .filter_map(|line| {
                let (status, path) = line.split_once('\t')?;
                Some((status.chars().next()?, path.to_string()))
            })
            .collect())
    }

    /// Every file of a tree, as added.
    fn all_files(&self, tree: &str) -> Result<Vec<(char, String)>, Error> {
        let text = self
            .run(&["ls-tree", "-r", "--name-only", tree])
            .map_err(Error::Refused)?;
        Ok(text.lines().map(|path| ('A', path.to_string())).collect())
    }

    /// A commit of `tree` on `parent`, by the user's git identity (yuanba's when there is none).
    fn commit(&self, tree: &str, parent: Option<&str>, message: &str) -> Result<String, Error> {
        let mut command = self.command();
        let has_identity = Command::new("git")
            .args(["config", "user.email"])
            .output()
            .is_ok_and(|output| output.status.success());
        if !has_identity {
            command.args([
                "-c",
                "user.name=yuanba",
                "-c",
                "user.email=yuanba@localhost",
            ]);
        }
        command.args(["commit-tree", tree, "-m", message]);
        if let Some(parent) = parent {
            command.args(["-p", parent]);
        }
        finish(command.output())
            .map_err(|error| Error::Refused(format!("cannot make the commit: {error}")))
    }
}

fn finish(output: std::io::Result<Output>) -> Result<String, String> {
    match output {
        Ok(output) if output.status.success() => {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        }
        Ok(output) => Err(String::from_utf8_lossy(&output.stderr).trim().to_string()),
        Err(error) => Err(format!("cannot run git: {error}")),
    }
}

fn refused(path: &Path, error: &std::io::Error) -> Error {
    Error::Refused(format!("cannot create {}: {error}", path.display()))
}

fn check_installed() -> Result<(), Error> {
    match Command::new("git").arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => Err(Error::Refused(
            "git is not installed: install it (`apt-get install git`)".to_string(),
        )),
    }
}
