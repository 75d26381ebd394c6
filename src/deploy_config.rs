//! The `deploy:` targets of `site.yaml`, read and checked with the rest of the configuration
//! (an unknown key or a wrong `kind` is an error at its line for every command). What a deploy
//! does with them is in `deploy`.

use std::ops::Range;

use serde::Deserialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::fields::YamlBlock;

/// One target as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum RawTarget {
    /// AWS S3 or any S3-compatible storage.
    S3(RawS3),
    /// A server (over SSH) or a local folder, by rsync.
    Rsync(RawRsync),
    /// A branch of a git repository (GitHub or Codeberg Pages).
    Git(RawGit),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawS3 {
    name: String,
    bucket: String,
    #[serde(default)]
    prefix: String,
    endpoint: Option<String>,
    region: Option<String>,
    #[serde(default)]
    path_style: bool,
    #[serde(default)]
    cache_control: Vec<RawCacheRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCacheRule {
    pattern: String,
    value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRsync {
    name: String,
    dest: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGit {
    name: String,
    repository: String,
    #[serde(default = "default_branch")]
    branch: String,
}

fn default_branch() -> String {
    "pages".to_string()
}

/// A checked deploy target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its name (`--target NAME`).
    pub name: String,
    /// Where it is and how to reach it.
    pub kind: TargetKind,
}

/// The kinds of target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// S3 or S3-compatible storage.
    S3(S3Target),
    /// `user@host:/path/` over SSH, or a local folder.
    Rsync {
        /// What rsync is given as its destination.
        dest: String,
    },
    /// A branch of a git repository whose tree is the site.
    Git {
        /// What `git push` is given.
        repository: String,
        /// The branch.
        branch: String,
    },
}

/// An S3 bucket (and key prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Target {
    /// The bucket.
    pub bucket: String,
    /// Prepended to every key: empty, or ending with `/`.
    pub prefix: String,
    /// `https://host[:port]`; AWS's endpoint for the region when not given.
    pub endpoint: String,
    /// The signing region.
    pub region: String,
    /// Path-style requests (`endpoint/bucket/key`) instead of virtual-host ones.
    pub path_style: bool,
    /// `Cache-Control` by glob pattern over the file's path in the site; the first match wins
    /// over the defaults.
    pub cache_control: Vec<(String, String)>,
}

/// Checks the targets; errors point at the `deploy:` entry (or the value) that is wrong.
pub(crate) fn check(
    raw: Vec<RawTarget>,
    block: &YamlBlock<'_>,
    deploy_span: Range<usize>,
) -> Result<Vec<Target>, Vec<Diagnostic>> {
    let mut targets: Vec<Target> = Vec::new();
    let mut diagnostics = Vec::new();
    // Errors are looked for from the `deploy:` key on.
    let locate = |text: &str| -> Range<usize> {
        let from = deploy_span.start.min(block.text.len());
        match block.text[from..].find(text) {
            Some(idx) if !text.is_empty() => from + idx..from + idx + text.len(),
            _ => deploy_span.clone(),
        }
    };
    let error = |message: String, span: Range<usize>| {
        block.error_at(Code::ConfigDeploy, message, span.start, span.len())
    };
    for raw in raw {
        let (name, kind) = match raw {
            RawTarget::S3(s3) => {
                let kind = check_s3(&s3, &locate, &error, &mut diagnostics);
                (s3.name, kind)
            }
            RawTarget::Rsync(rsync) => {
                if rsync.dest.trim().is_empty() {
                    diagnostics.push(error(
                        format!("the rsync target `{}` has an empty `dest`", rsync.name),
                        locate(&rsync.name),
                    ));
                }
                let dest = rsync.dest.trim().to_string();
                (rsync.name, Some(TargetKind::Rsync { dest }))
            }
            RawTarget::Git(git) => {
                if git.repository.trim().is_empty() {
                    diagnostics.push(error(
                        format!("the git target `{}` has an empty `repository`", git.name),
                        locate(&git.name),
                    ));
                }
                if !valid_branch(&git.branch) {
                    diagnostics.push(error(
                        format!("`{}` is not a branch name git accepts", git.branch),
                        locate(&git.branch),
                    ));
                }
                let kind = TargetKind::Git {
                    repository: git.repository.trim().to_string(),
                    branch: git.branch,
                };
                (git.name, Some(kind))
            }
        };
        let name = name.trim().to_string();
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            diagnostics.push(
                error(
                    format!("`{name}` cannot name a deploy target"),
                    locate(&name),
                )
                .with_help("use letters, digits and `-`, such as `production`"),
            );
            continue;
        }
        if targets.iter().any(|target| target.name == name) {
            diagnostics.push(error(
                format!("two deploy targets are called `{name}`"),
                locate(&format!("name: {name}")),
            ));
            continue;
        }
        if let Some(kind) = kind {
            targets.push(Target { name, kind });
        }
    }
    if diagnostics.is_empty() {
        Ok(targets)
    } else {
        Err(diagnostics)
    }
}

fn check_s3(
    s3: &RawS3,
    locate: &dyn Fn(&str) -> Range<usize>,
    error: &dyn Fn(String, Range<usize>) -> Diagnostic,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<TargetKind> {
    let before = diagnostics.len();
    let bucket = s3.bucket.trim();
    if bucket.is_empty() || bucket.contains('/') {
        diagnostics.push(error(
            format!("`{bucket}` is not a bucket name"),
            locate(&s3.name),
        ));
    }
    let region = s3.region.as_deref().map_or("us-east-1", str::trim);
    let endpoint = match s3.endpoint.as_deref().map(str::trim) {
        Some(endpoint) => {
            let well_formed = ["https://", "http://"].iter().any(|scheme| {
                endpoint
                    .strip_prefix(scheme)
                    .is_some_and(|rest| !rest.is_empty())
            });
            if !well_formed {
                diagnostics.push(
                    error(
                        format!("`endpoint` must be an http(s) URL, not `{endpoint}`"),
                        locate(endpoint),
                    )
                    .with_help("such as `https://oss-cn-chengdu.aliyuncs.com`"),
                );
            }
            endpoint.trim_end_matches('/').to_string()
        }
        None => format!("https://s3.{region}.amazonaws.com"),
    };
    let mut cache_control = Vec::new();
    for rule in &s3.cache_control {
        if let Err(problem) = globset::Glob::new(&rule.pattern) {
            diagnostics.push(error(
                format!("`{}` is not a glob pattern: {problem}", rule.pattern),
                locate(&rule.pattern),
            ));
        }
        cache_control.push((rule.pattern.clone(), rule.value.trim().to_string()));
    }
    let prefix = s3.prefix.trim().trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    (diagnostics.len() == before).then(|| {
        TargetKind::S3(S3Target {
            bucket: bucket.to_string(),
            prefix,
            endpoint,
            region: region.to_string(),
            path_style: s3.path_style,
            cache_control,
        })
    })
}

/// What `git check-ref-format` accepts, roughly: no spaces, no `..`, no leading `-` or `/`.
fn valid_branch(branch: &str) -> bool {
    !branch.is_empty()
        && !branch.starts_with(['-', '/'])
        && !branch.ends_with(['/', '.'])
        && !branch.contains("..")
        && !branch.contains("@{")
        && !branch
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names() {
        assert!(valid_branch("pages"));
        assert!(valid_branch("gh-pages"));
        assert!(valid_branch("site/main"));
        for bad in ["", "-x", "a b", "a..b", "a:b", "x/", "x.", "a~1"] {
            assert!(!valid_branch(bad), "{bad}");
        }
    }
}
