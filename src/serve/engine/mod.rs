//! The rebuild engine shared by `serve` and `build --watch`: it keeps what the last build loaded
//! and rendered, redoes what a [`ChangeSet`] requires, and publishes only a site that built
//! without errors.
//!
//! What is incremental:
//! - files of `content/` are re-read only when the watcher reported them (`sources`);
//! - templates are parsed again only when a template, the theme or `site.yaml` changed;
//! - pages are rendered again only when the fingerprint of their context or of their templates
//!   changed (the render cache of [`Incremental`], emptied when `site.yaml` changes);
//! - output files whose bytes did not change are not written: `serve` updates its private
//!   folder in place ([`InPlace`]: only changed files are moved in, gone ones removed), and
//!   `build --watch` stages a new site that hard-links them from the previous one.
//!
//! A change of story text or of templates only patches the last published build ([`patch`]).
//! Any other rebuild assembles the site again and redoes feeds, the sitemap and the link check
//! from all stories. The search index is always rebuilt whole (in `serve`, on a thread of its
//! own after the pages are published: [`Engine::search_job`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::{self, Overrides, SiteConfig};
use crate::content::Content;
use crate::diagnostic::Diagnostic;
use crate::incremental::{Incremental, RenderCache};
use crate::output::{self, Contents, InPlace, Output, Replaced, Sink, Staging};
use crate::pipeline;
use crate::render::Templates;
use crate::serve::sources::Sources;
use crate::serve::watch::{ChangeSet, Layout};
use crate::site::{Site, permalink};
use patch::Patched;
use state::{Last, Search};

mod patch;
mod state;

/// Length and hash of an output file's bytes.
type Fingerprint = (u64, u64);

/// How rebuilds reach the output folder.
#[derive(Debug, Clone)]
pub(crate) enum Publishing {
    /// Stage a whole new site and swap it in (`build --watch`: `public/` is replaced
    /// atomically).
    Staged,
    /// Update the output folder file by file, through this pending folder (`serve`: its
    /// private folder, which only the server reads, under the server's lock).
    InPlace {
        /// A folder on the same file system as the output folder.
        pending: PathBuf,
    },
}

/// A built site, ready to be published by [`Ready::publish`].
#[derive(Debug)]
pub(crate) enum Ready {
    Staged(Staging),
    InPlace(InPlace, Vec<PathBuf>),
}

impl Ready {
    /// Publishes the site; a staged site hands back the replaced one, to be deleted.
    pub(crate) fn publish(self) -> Result<Option<Replaced>, output::Error> {
        match self {
            Ready::Staged(staging) => staging.swap().map(Some),
            Ready::InPlace(in_place, removed) => in_place.apply(&removed).map(|()| None),
        }
    }
}

/// Keeps the state of the last build between rebuilds.
pub(crate) struct Engine {
    root: PathBuf,
    overrides: Overrides,
    publishing: Publishing,
    /// The last configuration that loaded, and whether it is still current.
    config: Option<SiteConfig>,
    sources: Sources,
    /// `None` until parsed, and again after a template changed.
    templates: Option<Result<Templates, Vec<Diagnostic>>>,
    /// Cards and page fingerprints, for the current templates.
    incremental: Incremental,
    /// The published site's files.
    published: HashMap<PathBuf, Fingerprint>,
    /// The search index of the last published build (built by [`SearchJob::run`], elsewhere).
    search: Search,
    /// Counts published builds, to tell a search index built for an older one.
    n_published: u64,
    /// The last published build, while it can be patched ([`patch`]), with the pages a
    /// template change still has to render.
    last: Last,
    /// The output files of the pages open in a browser (serve): a template change renders
    /// them first.
    viewed: HashSet<PathBuf>,
}

/// The search index of a published build, to be built away from the rebuilds.
pub(crate) struct SearchJob {
    site: Site,
    config: SiteConfig,
    build: u64,
}

impl SearchJob {
    /// Builds the index.
    pub(crate) fn run(self) -> SearchIndex {
        let files = crate::search::build(&self.site, &self.config);
        SearchIndex {
            files,
            build: self.build,
        }
    }
}

/// A search index built by [`SearchJob::run`], for [`Engine::publish_search`].
pub(crate) struct SearchIndex {
    files: Vec<Output>,
    build: u64,
}

/// A full build without errors, on its way to [`Engine::publish_full`].
struct FullBuild {
    target: Target,
    /// Of every file the build handed over.
    fingerprints: HashMap<PathBuf, Fingerprint>,
    n_written: usize,
    warnings: Vec<Diagnostic>,
    drafts: BTreeSet<PathBuf>,
    n_read: usize,
    n_images_made: usize,
    started: Instant,
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
    /// Why a change of story text or templates took the full rebuild, when it did
    /// ([`state::Fallback::describe`]).
    pub(crate) fallback: Option<String>,
    /// Photos whose variants were made (the others came from the image cache).
    pub(crate) n_images_made: usize,
}

impl Rebuild {
    /// A rebuild that published nothing and found nothing.
    pub(crate) fn nothing() -> Self {
        Rebuild {
            outcome: Ok(Published::default()),
            warnings: Vec::new(),
            n_read: 0,
            elapsed: Duration::ZERO,
            fallback: None,
            n_images_made: 0,
        }
    }
}

/// A site that was published.
#[derive(Debug, Clone, Default)]
pub(crate) struct Published {
    /// Output files added, changed or removed since the previous site, in path order.
    pub(crate) changed: Vec<PathBuf>,
    /// Pages rendered (the others showed what they showed before).
    pub(crate) n_rendered: usize,
    /// Files written (the others were unchanged).
    pub(crate) n_written: usize,
    /// Files of the previous site that are gone.
    pub(crate) n_removed: usize,
    /// Output files of draft stories and pages (shown only when drafts are included).
    pub(crate) drafts: BTreeSet<PathBuf>,
    /// The base path of the site (`/` or `/news/`).
    pub(crate) base_path: String,
    /// Which output files show the previous templates after this publication (requests for
    /// them wait until [`Engine::finish_pages`] has rendered them).
    pub(crate) stale: StaleMarks,
}

/// How a publication changes the set of stale output files (see [`Published::stale`]).
#[derive(Debug, Clone, Default)]
pub(crate) enum StaleMarks {
    /// None is stale any more.
    #[default]
    Clear,
    /// As before.
    Keep,
    /// These are stale from now on (marked before the site changes, and then the only ones).
    Mark(Arc<HashSet<PathBuf>>),
    /// These are not stale any more (unmarked once the site changed).
    Unmark(Vec<PathBuf>),
}

impl Engine {
    /// An engine for the site at `root`; nothing is read until the first [`Engine::rebuild`].
    pub(crate) fn new(root: PathBuf, overrides: Overrides, publishing: Publishing) -> Self {
        let defer_search = matches!(publishing, Publishing::InPlace { .. });
        Engine {
            root,
            overrides,
            publishing,
            config: None,
            sources: Sources::default(),
            templates: None,
            incremental: Incremental::new(defer_search),
            published: HashMap::new(),
            search: Search::Idle,
            n_published: 0,
            last: Last::Unpatchable,
            viewed: HashSet::new(),
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
    /// built site to `publish` when it has no errors. An environment failure (a write that
    /// failed) is an `Err`; problems in the site are in [`Rebuild::outcome`].
    pub(crate) fn rebuild(
        &mut self,
        changes: Option<&ChangeSet>,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Result<Rebuild, output::Error> {
        let mut fallback = None;
        if let Some(changes) = changes {
            match self.try_patch_for(changes, publish) {
                Patched::Done(Ok(rebuild)) => return Ok(rebuild),
                // What was on disk is not what the engine thought: the full rebuild writes
                // every file.
                Patched::Done(Err(_)) => self.forget_published(),
                Patched::Fallback(reason) => {
                    fallback = Some(reason.describe(changes.content.len()));
                }
                Patched::NotTried => {}
            }
        }
        let mut result = self.try_rebuild(changes, publish);
        if result.is_err() {
            // What was on disk is not what the engine thought (a file of the output folder was
            // removed behind its back, say): once more, writing every file.
            self.forget_published();
            result = self.try_rebuild(changes, publish);
        }
        if result.is_err() {
            self.forget_published();
        }
        result.map(|rebuild| Rebuild {
            fallback,
            ..rebuild
        })
    }

    /// Forgets what was published: the next build writes every file, and a folder updated in
    /// place (serve's own) starts again from nothing.
    fn forget_published(&mut self) {
        self.published.clear();
        self.last = Last::Unpatchable;
        self.incremental.render.forget_pages();
        self.search.cancel();
        // An index being built belongs to what was on disk.
        self.n_published += 1;
        if let (Publishing::InPlace { .. }, Some(config)) = (&self.publishing, &self.config) {
            let _ = std::fs::remove_dir_all(&config.output_dir);
        }
    }

    /// Builds the whole site again (re-reading only the changed files, rendering only the
    /// pages whose fingerprint changed) and publishes it when it has no errors.
    // Kept whole: the sources, the templates and the render cache are borrowed together
    // across the pipeline call, which steps taking `&mut self` could not share.
    fn try_rebuild(
        &mut self,
        changes: Option<&ChangeSet>,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Result<Rebuild, output::Error> {
        self.last = Last::Unpatchable;
        let started = Instant::now();
        let everything = changes.is_none_or(ChangeSet::needs_everything);
        if let Err(diagnostics) = self.prepare(changes, everything) {
            return Ok(failed(diagnostics, 0, started));
        }
        // Loaded just above when it was missing.
        let Some(config) = self.config.as_ref() else {
            return Ok(failed(Vec::new(), 0, started));
        };
        let changes = if everything { None } else { changes };
        // Bodies carry the sizes of the images they show, read from static, theme and bundle
        // files: when one of those may have changed, every body is rendered again.
        if changes.is_none_or(ChangeSet::touches_images) {
            self.sources.forget_bodies();
        }
        let (content, n_read) = self.sources.refresh(config, changes);
        config.timings.log("refresh sources", started);
        let drafts = draft_files(&content, config);
        let templates = self
            .templates
            .get_or_insert_with(|| crate::render::load_templates(config));
        let target = open_target(&self.publishing, config)?;
        let recorder = Recorder {
            target: &target,
            previous: &self.published,
            fingerprints: Mutex::default(),
            n_written: AtomicUsize::new(0),
        };
        let built = pipeline::render_loaded(
            config,
            content,
            templates.as_mut().map_err(|found| found.as_slice()),
            &recorder,
            pipeline::Checks::default(),
            &mut self.incremental,
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
        let n_written = recorder.n_written.into_inner();
        let fingerprints = recorder
            .fingerprints
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let full = FullBuild {
            target,
            fingerprints,
            n_written,
            warnings,
            drafts,
            n_read,
            n_images_made: built.n_images_processed,
            started,
        };
        self.publish_full(full, publish)
    }

    /// Before a full rebuild: loads `site.yaml` again when needed, forgets the templates when
    /// one changed, and sets the build time to now.
    fn prepare(
        &mut self,
        changes: Option<&ChangeSet>,
        everything: bool,
    ) -> Result<(), Vec<Diagnostic>> {
        self.reload_config(everything)?;
        if changes.is_some_and(ChangeSet::needs_templates) {
            self.templates = None;
        }
        if let Some(config) = &mut self.config {
            config.refresh_now();
        }
        Ok(())
    }

    /// Loads `site.yaml` again when everything changed or none loaded yet; templates and the
    /// render cache depend on it (the configuration reaches templates outside their context
    /// too, through the `url` function).
    fn reload_config(&mut self, everything: bool) -> Result<(), Vec<Diagnostic>> {
        if !everything && self.config.is_some() {
            return Ok(());
        }
        self.templates = None;
        self.incremental.render = RenderCache::default();
        match config::load(&self.root, &self.overrides) {
            Ok(config) => {
                self.config = Some(config);
                Ok(())
            }
            Err(diagnostics) => {
                // The cache was read with the old configuration: forget it.
                self.config = None;
                self.sources = Sources::default();
                Err(diagnostics)
            }
        }
    }

    /// Publishes a full build without errors and keeps what the next rebuild patches.
    // Kept whole: the order of its steps (compare, publish, then commit what was published)
    // is the point, and each step is a few lines.
    fn publish_full(
        &mut self,
        full: FullBuild,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Result<Rebuild, output::Error> {
        let FullBuild {
            target,
            mut fingerprints,
            n_written,
            warnings,
            drafts,
            n_read,
            n_images_made,
            started,
        } = full;
        let Some(config) = self.config.as_ref() else {
            return Ok(failed(Vec::new(), n_read, started));
        };
        let last = self.incremental.take_build();
        self.carry_over(&last.kept, &target, config.search, &mut fingerprints)?;
        let (changed_files, removed) = compare(&self.published, &fingerprints);
        let published = Published {
            changed: changed_files,
            n_rendered: last.n_rendered,
            n_written,
            n_removed: removed.len(),
            drafts,
            base_path: config.base_path.clone(),
            stale: StaleMarks::Clear,
        };
        let patchable = last
            .assembled
            .map(|kept| patch::Patchable::new(kept, &warnings, &published.drafts));
        config.timings.log("compare", started);
        let ready = match target {
            Target::Staged(staging) => Ready::Staged(staging),
            Target::InPlace(in_place) => Ready::InPlace(in_place, removed),
        };
        publish(ready, &published)?;
        config.timings.log("publish", started);
        self.published = fingerprints;
        self.incremental.render.commit(last.page_keys);
        // `serve` builds the search index after publishing the pages.
        if let Some(kept) = &patchable
            && config.search
            && self.incremental.defer_search
        {
            self.search.request(kept.site.clone());
        } else {
            self.search.cancel();
        }
        self.last = patchable.map_or(Last::Unpatchable, |kept| Last::Patchable(Box::new(kept)));
        self.n_published += 1;
        self.verify();
        Ok(Rebuild {
            outcome: Ok(published),
            warnings,
            n_read,
            elapsed: started.elapsed(),
            fallback: None,
            n_images_made,
        })
    }

    /// Adds to `fingerprints` the files this build did not write but keeps: pages that were not
    /// rendered again (linked into a staged site), and the search index while it waits to be
    /// built again.
    fn carry_over(
        &self,
        kept: &[PathBuf],
        target: &Target,
        search: bool,
        fingerprints: &mut HashMap<PathBuf, Fingerprint>,
    ) -> Result<(), output::Error> {
        for path in kept {
            let Some(fingerprint) = self.published.get(path) else {
                return Err(kept_file_missing(path));
            };
            if let Target::Staged(staging) = target
                && !staging.link_previous(path)
            {
                return Err(kept_file_missing(path));
            }
            fingerprints.insert(path.clone(), *fingerprint);
        }
        if self.incremental.defer_search && search {
            for (path, fingerprint) in &self.published {
                if is_search_file(path) {
                    fingerprints.insert(path.clone(), *fingerprint);
                }
            }
        }
        Ok(())
    }

    /// The search index still to be built for the last published build, unless one is being
    /// built already (then it is asked for again once that one is handed back).
    pub(crate) fn search_job(&mut self) -> Option<SearchJob> {
        let config = self.config.clone()?;
        let site = self.search.start()?;
        Some(SearchJob {
            site,
            config,
            build: self.n_published,
        })
    }

    /// Publishes the files of `index` that changed, through `publish`, if it belongs to the
    /// last published build (an index of an older build is dropped: a newer job follows).
    /// Returns the index files that changed, or `None` when the index was dropped.
    pub(crate) fn publish_search(
        &mut self,
        index: SearchIndex,
        publish: &mut dyn FnMut(Ready) -> Result<(), output::Error>,
    ) -> Result<Option<Vec<PathBuf>>, output::Error> {
        self.search.finished();
        let (Some(config), Publishing::InPlace { pending }) = (&self.config, &self.publishing)
        else {
            return Ok(None);
        };
        if index.build != self.n_published {
            return Ok(None);
        }
        let started = Instant::now();
        let in_place = InPlace::create(&config.output_dir, pending, &output::marker_text(config))?;
        let mut changed = Vec::new();
        let mut current = HashMap::new();
        for output in index.files {
            let Some(fingerprint) = fingerprint(&output.contents) else {
                continue;
            };
            current.insert(output.path.clone(), fingerprint);
            if self.published.get(&output.path) != Some(&fingerprint) {
                changed.push(output.path.clone());
                in_place.emit(output)?;
            }
        }
        let removed: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|path| is_search_file(path) && !current.contains_key(*path))
            .cloned()
            .collect();
        publish(Ready::InPlace(in_place, removed.clone()))?;
        for path in &removed {
            self.published.remove(path);
        }
        self.published.extend(current);
        changed.extend(removed);
        changed.sort();
        config.timings.log("search index published", started);
        Ok(Some(changed))
    }
}

/// Where a rebuild writes.
pub(super) enum Target {
    Staged(Staging),
    InPlace(InPlace),
}

impl Target {
    fn sink(&self) -> &dyn Sink {
        match self {
            Target::Staged(staging) => staging,
            Target::InPlace(in_place) => in_place,
        }
    }
}

/// Where the next build writes.
fn open_target(publishing: &Publishing, config: &SiteConfig) -> Result<Target, output::Error> {
    Ok(match publishing {
        Publishing::Staged => Target::Staged(Staging::create(config)?),
        Publishing::InPlace { pending } => Target::InPlace(InPlace::create(
            &config.output_dir,
            pending,
            &output::marker_text(config),
        )?),
    })
}

/// Whether an output file is part of the search index (not the search page).
fn is_search_file(path: &Path) -> bool {
    path.starts_with(crate::search::SEARCH_DIR)
        && path
            .extension()
            .is_some_and(|extension| extension == "json")
}

fn kept_file_missing(path: &Path) -> output::Error {
    output::Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the previous site no longer has this file; the next rebuild writes every file",
        ),
    }
}

fn failed(errors: Vec<Diagnostic>, n_read: usize, started: Instant) -> Rebuild {
    Rebuild {
        outcome: Err(errors),
        warnings: Vec::new(),
        n_read,
        elapsed: started.elapsed(),
        fallback: None,
        n_images_made: 0,
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

/// The files that differ between two builds (added, changed or removed), and the removed ones.
fn compare(
    previous: &HashMap<PathBuf, Fingerprint>,
    current: &HashMap<PathBuf, Fingerprint>,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
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
    changed.extend(removed.iter().cloned());
    changed.sort();
    (changed, removed)
}

/// A sink that fingerprints every file on its way to the target, and does not write the files
/// whose fingerprint did not change: a staged site links them from the previous one, a site
/// updated in place already has them.
pub(super) struct Recorder<'a> {
    target: &'a Target,
    previous: &'a HashMap<PathBuf, Fingerprint>,
    fingerprints: Mutex<HashMap<PathBuf, Fingerprint>>,
    n_written: AtomicUsize,
}

impl Sink for Recorder<'_> {
    fn emit(&self, output: Output) -> Result<(), output::Error> {
        if let Some(fingerprint) = fingerprint(&output.contents) {
            self.fingerprints
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(output.path.clone(), fingerprint);
            if self.previous.get(&output.path) == Some(&fingerprint) {
                match self.target {
                    Target::InPlace(_) => return Ok(()),
                    Target::Staged(staging) if staging.link_previous(&output.path) => {
                        return Ok(());
                    }
                    Target::Staged(_) => {}
                }
            }
        }
        self.n_written.fetch_add(1, Ordering::Relaxed);
        self.target.sink().emit(output)
    }
}

/// The fingerprint of a file's bytes; `None` when a source file cannot be read (the staging
/// folder then reports the error).
fn fingerprint(contents: &Contents) -> Option<Fingerprint> {
    let of = |bytes: &[u8]| {
        let mut hasher = crate::render::keys::hasher();
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
        let (changed, removed) = compare(&previous, &current);
        assert_eq!(
            changed,
            [
                PathBuf::from("b.html"),
                PathBuf::from("c.html"),
                PathBuf::from("d.html")
            ]
        );
        assert_eq!(removed, [PathBuf::from("c.html")]);
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

    /// Publishes by applying, as `serve` does under its lock.
    fn apply(ready: Ready, _: &Published) -> Result<(), output::Error> {
        ready.publish().map(drop)
    }

    #[test]
    fn a_template_patch_keeps_the_search_index_being_built_for_the_site() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("site");
        let story = "---\ntitle: 甲\ndate: 2018-03-20\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n\n正文。\n";
        std::fs::create_dir_all(root.join("content/stories")).expect("folders");
        std::fs::create_dir_all(root.join("templates")).expect("folders");
        std::fs::write(
            root.join("site.yaml"),
            "title: 测试\nbase_url: https://example.org/\n",
        )
        .expect("write");
        std::fs::write(root.join("content/stories/a.md"), story).expect("write");
        let overrides = Overrides {
            output_dir: Some(tmp.path().join("out")),
            ..Overrides::default()
        };
        let pending = tmp.path().join("pending");
        let mut engine = Engine::new(root.clone(), overrides, Publishing::InPlace { pending });
        let first = engine.rebuild(None, &mut apply).expect("first build");
        assert!(first.outcome.is_ok(), "{:?}", first.outcome);
        let job = engine.search_job().expect("an index to build");
        // While it is being built, a template changes: the site is the same.
        let template = root.join("templates/story.html");
        std::fs::write(
            &template,
            "<!doctype html><title>{{ story.title }}</title>\n",
        )
        .expect("write");
        let mut changes = ChangeSet::default();
        changes.add(&engine.layout(), &template);
        let patched = engine.rebuild(Some(&changes), &mut apply).expect("patch");
        assert!(patched.outcome.is_ok(), "{:?}", patched.outcome);
        let published = engine
            .publish_search(job.run(), &mut |ready| ready.publish().map(drop))
            .expect("publish the index");
        assert!(published.is_some(), "the index was dropped");
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
