//! The rebuild engine shared by `serve` and `build --watch`: it keeps what the last build loaded,
//! redoes what a [`ChangeSet`] requires, and publishes through [`Staging`] only a site that
//! built without errors.
//!
//! What is incremental: files of `content/` are re-read only when the watcher reported them
//! (`sources`), templates are parsed again only when a template, the theme or `site.yaml`
//! changed, and output files whose bytes did not change are hard-linked from the previous
//! site without being read (their hashes are kept here). What is not: every page is rendered
//! again on every build, because `render` renders the whole site at once.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::{self, Overrides, SiteConfig};
use crate::content::Content;
use crate::diagnostic::Diagnostic;
use crate::output::{self, Contents, Output, Sink, Staging};
use crate::pipeline;
use crate::render::{self, Templates};
use crate::serve::sources::Sources;
use crate::serve::watch::{ChangeSet, Layout};
use crate::site::permalink;

/// Length and hash of an output file's bytes.
type Fingerprint = (u64, u64);

/// Keeps the state of the last build between rebuilds.
pub(crate) struct Engine {
    root: PathBuf,
    overrides: Overrides,
    /// The last configuration that loaded, and whether it is still current.
    config: Option<SiteConfig>,
    sources: Sources,
    /// `None` until parsed, and again after a template changed.
    templates: Option<Result<Templates, Vec<Diagnostic>>>,
    /// The published site's files.
    published: HashMap<PathBuf, Fingerprint>,
}

/// What one rebuild did.
#[derive(Debug)]
pub(crate) struct Rebuild {
    /// A site was published, or the problems that kept it from being published.
    pub(crate) outcome: Result<Published, Vec<Diagnostic>>,
    /// Problems that did not stop the build.
    pub(crate) warnings: Vec<Diagnostic>,
    /// Files of `content/` read (the others came from the cache).
    pub(crate) n_read: usize,
    /// From the start of the rebuild to the site being published.
    pub(crate) elapsed: Duration,
}

/// A site that was published.
#[derive(Debug, Clone, Default)]
pub(crate) struct Published {
    /// Output files added, changed or removed since the previous site, in path order.
    pub(crate) changed: Vec<PathBuf>,
    /// Files rendered (every page: rendering is not incremental yet).
    pub(crate) n_rendered: usize,
    /// Files written, rather than linked from the previous site.
    pub(crate) n_written: usize,
    /// Files of the previous site that are gone.
    pub(crate) n_removed: usize,
    /// Output files of draft stories and pages (shown only when drafts are included).
    pub(crate) drafts: BTreeSet<PathBuf>,
    /// The base path of the site (`/` or `/news/`).
    pub(crate) base_path: String,
}

impl Engine {
    /// An engine for the site at `root`; nothing is read until the first [`Engine::rebuild`].
    pub(crate) fn new(root: PathBuf, overrides: Overrides) -> Self {
        Engine {
            root,
            overrides,
            config: None,
            sources: Sources::default(),
            templates: None,
            published: HashMap::new(),
        }
    }

    /// What the watcher needs to classify paths, from the last configuration that loaded.
    pub(crate) fn layout(&self) -> Layout {
        let output_dir = match (&self.config, &self.overrides.output_dir) {
            (Some(config), _) => config.output_dir.clone(),
            (None, Some(dir)) => config::absolute(dir),
            (None, None) => self.root.join("public"),
        };
        Layout {
            root: self.root.clone(),
            theme: self.config.as_ref().map(|config| config.theme.clone()),
            output_dir,
        }
    }

    /// Rebuilds after `changes` (everything when `None`, as for the first build) and hands the
    /// staged site to `publish` when it has no errors. An environment failure (a write that
    /// failed) is an `Err`; problems in the site are in [`Rebuild::outcome`].
    pub(crate) fn rebuild(
        &mut self,
        changes: Option<&ChangeSet>,
        publish: &mut dyn FnMut(Staging, &Published) -> Result<(), output::Error>,
    ) -> Result<Rebuild, output::Error> {
        let started = Instant::now();
        let everything = changes.is_none_or(ChangeSet::needs_everything);
        if everything || self.config.is_none() {
            self.templates = None;
            match config::load(&self.root, &self.overrides) {
                Ok(config) => self.config = Some(config),
                Err(diagnostics) => {
                    // The cache was read with the old configuration: forget it.
                    self.config = None;
                    self.sources = Sources::default();
                    return Ok(failed(diagnostics, 0, started));
                }
            }
        }
        if changes.is_some_and(ChangeSet::needs_templates) {
            self.templates = None;
        }
        // Loaded just above when it was missing.
        let Some(config) = self.config.as_ref() else {
            return Ok(failed(Vec::new(), 0, started));
        };
        let changes = if everything { None } else { changes };
        let (content, n_read) = self.sources.refresh(config, changes);
        pipeline::log_time("refresh sources", started);
        let drafts = draft_files(&content, config);
        let templates = self
            .templates
            .get_or_insert_with(|| render::load_templates(config));
        let staging = Staging::create(config)?;
        let recorder = Recorder {
            staging: &staging,
            previous: &self.published,
            fingerprints: Mutex::default(),
            n_written: AtomicUsize::new(0),
            n_rendered: AtomicUsize::new(0),
        };
        let built = pipeline::render_loaded(
            config,
            content,
            templates.as_mut().map_err(|found| found.as_slice()),
            &recorder,
            pipeline::Checks::default(),
        )?;
        let (errors, warnings): (Vec<_>, Vec<_>) = built
            .diagnostics
            .into_iter()
            .partition(Diagnostic::is_error);
        if !errors.is_empty() {
            return Ok(Rebuild {
                warnings,
                ..failed(errors, n_read, started)
            });
        }
        let fingerprints = recorder
            .fingerprints
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let (changed_files, n_removed) = compare(&self.published, &fingerprints);
        let published = Published {
            changed: changed_files,
            n_rendered: recorder.n_rendered.into_inner(),
            n_written: recorder.n_written.into_inner(),
            n_removed,
            drafts,
            base_path: config.base_path.clone(),
        };
        pipeline::log_time("compare", started);
        publish(staging, &published)?;
        pipeline::log_time("publish", started);
        self.published = fingerprints;
        Ok(Rebuild {
            outcome: Ok(published),
            warnings,
            n_read,
            elapsed: started.elapsed(),
        })
    }
}

fn failed(errors: Vec<Diagnostic>, n_read: usize, started: Instant) -> Rebuild {
    Rebuild {
        outcome: Err(errors),
        warnings: Vec::new(),
        n_read,
        elapsed: started.elapsed(),
    }
}

/// The output files of the drafts that this build includes.
fn draft_files(content: &Content, config: &SiteConfig) -> BTreeSet<PathBuf> {
    if !config.include_drafts {
        return BTreeSet::new();
    }
    let stories = content
        .stories
        .iter()
        .filter(|story| story.draft)
        .map(|story| permalink::story_path(&story.slug));
    let pages = content
        .pages
        .iter()
        .filter(|page| page.draft)
        .map(|page| permalink::page_path(&page.slug));
    stories
        .chain(pages)
        .map(|site_path| permalink::output_file(&site_path))
        .collect()
}

/// The files that differ between two builds (added, changed or removed), and how many were
/// removed.
fn compare(
    previous: &HashMap<PathBuf, Fingerprint>,
    current: &HashMap<PathBuf, Fingerprint>,
) -> (Vec<PathBuf>, usize) {
    let mut changed: Vec<PathBuf> = current
        .iter()
        .filter(|(path, fingerprint)| previous.get(*path) != Some(fingerprint))
        .map(|(path, _)| path.clone())
        .collect();
    let removed: Vec<PathBuf> = previous
        .keys()
        .filter(|path| !current.contains_key(*path))
        .cloned()
        .collect();
    let n_removed = removed.len();
    changed.extend(removed);
    changed.sort();
    (changed, n_removed)
}

/// A sink that fingerprints every file on its way into the staging folder, and links the files
/// whose fingerprint did not change instead of writing them.
struct Recorder<'a> {
    staging: &'a Staging,
    previous: &'a HashMap<PathBuf, Fingerprint>,
    fingerprints: Mutex<HashMap<PathBuf, Fingerprint>>,
    n_written: AtomicUsize,
    /// Files rendered in memory (pages, and later feeds), as opposed to copied.
    n_rendered: AtomicUsize,
}

impl Sink for Recorder<'_> {
    fn emit(&self, output: Output) -> Result<(), output::Error> {
        if matches!(output.contents, Contents::Bytes(_)) {
            self.n_rendered.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(fingerprint) = fingerprint(&output.contents) {
            self.fingerprints
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(output.path.clone(), fingerprint);
            if self.previous.get(&output.path) == Some(&fingerprint)
                && self.staging.link_previous(&output.path)
            {
                return Ok(());
            }
        }
        self.n_written.fetch_add(1, Ordering::Relaxed);
        self.staging.emit(output)
    }
}

/// The fingerprint of a file's bytes; `None` when a source file cannot be read (the staging
/// folder then reports the error).
fn fingerprint(contents: &Contents) -> Option<Fingerprint> {
    let of = |bytes: &[u8]| {
        let mut hasher = DefaultHasher::new();
        hasher.write(bytes);
        (bytes.len() as u64, hasher.finish())
    };
    match contents {
        Contents::Bytes(bytes) => Some(of(bytes)),
        Contents::Static(bytes) => Some(of(bytes)),
        Contents::Copy(from) => std::fs::read(from).ok().map(|bytes| of(&bytes)),
    }
}

/// The output file a request path maps to, relative to the output folder: `stories/a/` →
/// `stories/a/index.html`.
pub(crate) fn output_file_of(site_path: &str) -> PathBuf {
    let trimmed = site_path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        Path::new(trimmed).join("index.html")
    } else {
        PathBuf::from(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_lists_added_changed_and_removed_files() {
        let previous: HashMap<PathBuf, Fingerprint> = [
            (PathBuf::from("a.html"), (1, 1)),
            (PathBuf::from("b.html"), (1, 2)),
            (PathBuf::from("c.html"), (1, 3)),
        ]
        .into();
        let current: HashMap<PathBuf, Fingerprint> = [
            (PathBuf::from("a.html"), (1, 1)),
            (PathBuf::from("b.html"), (1, 9)),
            (PathBuf::from("d.html"), (1, 4)),
        ]
        .into();
        let (changed, n_removed) = compare(&previous, &current);
        assert_eq!(
            changed,
            [
                PathBuf::from("b.html"),
                PathBuf::from("c.html"),
                PathBuf::from("d.html")
            ]
        );
        assert_eq!(n_removed, 1);
    }

    #[test]
    fn fingerprints_differ_when_bytes_do() {
        let a = fingerprint(&Contents::Bytes(b"<p>a</p>".to_vec()));
        assert_eq!(a, fingerprint(&Contents::Static(b"<p>a</p>")));
        assert_ne!(a, fingerprint(&Contents::Bytes(b"<p>b</p>".to_vec())));
        assert_eq!(
            fingerprint(&Contents::Copy(PathBuf::from("/no/such/file"))),
            None
        );
    }

    #[test]
    fn request_paths_map_to_output_files() {
        assert_eq!(output_file_of("/"), PathBuf::from("index.html"));
        assert_eq!(
            output_file_of("stories/a/"),
            PathBuf::from("stories/a/index.html")
        );
        assert_eq!(output_file_of("/style.css"), PathBuf::from("style.css"));
    }
}
