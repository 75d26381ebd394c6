//! `yuanba deploy`: publishes the output folder, as the last `yuanba build` left it, to a target
//! of `site.yaml`, in an order that never lets a reader get a page whose stylesheet, photo or
//! index shard is not there yet.
//!
//! - `deploy::files` reads the output folder: each file's key, kind (which upload phase it is in),
//!   content type, cache lifetime and MD5, hashing only files whose size or modification time
//!   changed since the last deploy (`deploy::record`).
//! - `deploy::plan` compares them with what the target has: uploads by phase, deletions last.
//! - `deploy::s3` (S3 and compatible services, through `rusty-s3` and `ureq`), `deploy::rsync`
//!   and `deploy::git` carry a plan out.
//!
//! Nothing here prints: progress and results go to the caller through [`Progress`] and
//! [`Outcome`]. A secret is never put in an error or a message.

mod credentials;
pub(crate) mod files;
mod git;
pub(crate) mod plan;
mod record;
mod rsync;
mod s3;

use std::path::PathBuf;

pub(crate) use credentials::{Env, Secret};
pub(crate) use s3::INTERRUPTED;

use crate::config::SiteConfig;
use crate::deploy_config::{Target, TargetKind};
use crate::output;

/// What the command line asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The target's name; the first target when `None`.
    pub target: Option<String>,
    /// Print the plan and change nothing.
    pub dry_run: bool,
    /// Refuse a deploy that would delete more remote files than this.
    pub max_deletes: usize,
    /// Deploy a site built with `--drafts` or `--future`.
    pub allow_drafts: bool,
}

/// Why a deploy did not happen or did not finish.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// Refused before anything was changed.
    #[error("{0}")]
    Refused(String),
    /// Failed on the way; the message says how far it got and what state the target is in.
    #[error("{message}")]
    Failed {
        /// What went wrong and what state the target is in.
        message: String,
    },
}

/// A step of a deploy, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Progress {
    /// Files uploaded so far, of all, and their bytes.
    Uploaded {
        /// Files uploaded.
        done: usize,
        /// Files to upload.
        total: usize,
        /// Bytes uploaded.
        bytes: u64,
    },
}

/// What a deploy did (or, with `--dry-run`, would do).
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The target's name.
    pub target: String,
    /// Where it is, for messages (`s3://news/prefix/`, the rsync destination, the branch).
    pub location: String,
    /// What was (or would be) uploaded and deleted, file by file (S3).
    pub plan: Option<plan::Plan>,
    /// How many files were (or would be) uploaded, deleted and left as they were.
    pub counts: Counts,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Lines a program printed (rsync's itemized changes in a dry run, git's summary).
    pub details: Vec<String>,
}

/// The numbers of a deploy's summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Files uploaded (new or changed).
    pub uploaded: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Remote files deleted.
    pub deleted: usize,
    /// Files the target had already.
    pub unchanged: usize,
}

/// Deploys the output folder of `config` to the chosen target.
pub(crate) fn run(
    config: &SiteConfig,
    options: &Options,
    env: &Env,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome, Error> {
    let target = choose_target(config, options.target.as_deref())?;
    let site = deployable_site(config, options)?;
    let cache = record::folder(config);
    match &target.kind {
        TargetKind::S3(s3) => s3::deploy(&site, target, s3, options, env, &cache, progress),
        TargetKind::Rsync { dest } => rsync::deploy(&site, target, dest, options),
        TargetKind::Git { repository, branch } => {
            git::deploy(config, &site, target, repository, branch, options, &cache)
        }
    }
}

/// The target `--target` names, or the first one.
fn choose_target<'a>(config: &'a SiteConfig, name: Option<&str>) -> Result<&'a Target, Error> {
    let Some(first) = config.deploy.first() else {
        return Err(Error::Refused(
            "site.yaml has no `deploy:` targets: add one (see `Publishing` in the README), such \
             as\n  deploy:\n    - name: production\n      kind: s3\n      bucket: news"
                .to_string(),
        ));
    };
    let Some(name) = name else {
        return Ok(first);
    };
    config
        .deploy
        .iter()
        .find(|target| target.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = config.deploy.iter().map(|t| t.name.as_str()).collect();
            Error::Refused(format!(
                "site.yaml has no deploy target `{name}`; its targets are: {}",
                names.join(", ")
            ))
        })
}

/// The output folder, if it holds a site that `yuanba build` wrote and may be deployed.
fn deployable_site(config: &SiteConfig, options: &Options) -> Result<PathBuf, Error> {
    let site = config.output_dir.clone();
    let shown = config.relative(&site).display().to_string();
    if !site.is_dir() {
        return Err(Error::Refused(format!(
            "there is no built site in {shown}/: run `yuanba build` first"
        )));
    }
    match output::read_marker(&site) {
        output::Marker::Missing => Err(Error::Refused(format!(
            "{shown}/ was not written by `yuanba build` (no {} in it): build the site first",
            output::MARKER_FILE
        ))),
        output::Marker::Unknown => Err(Error::Refused(format!(
            "{shown}/ was built by an older yuanba that did not record whether it holds drafts: \
             run `yuanba build` again"
        ))),
        output::Marker::Built(built) if (built.drafts || built.future) && !options.allow_drafts => {
            let flags = match (built.drafts, built.future) {
                (true, true) => "--drafts and --future",
                (true, false) => "--drafts",
                _ => "--future",
            };
            Err(Error::Refused(format!(
                "{shown}/ was built with {flags}, so it may publish stories that are not ready: \
                 run `yuanba build` without it, or pass --allow-drafts"
            )))
        }
        output::Marker::Built(_) => Ok(site),
    }
}
