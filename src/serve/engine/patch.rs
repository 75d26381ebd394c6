//! The fast rebuild: when every change is a story whose text changed but whose place in the site
//! did not (same file, slug, date, places, tags, reporters, aliases, anchors; see
//! [`Story::structure_change`]), the last published site is patched instead of assembled again.
//! Only the changed stories' files are read, their bodies rendered, their links checked; only
//! their pages, the pages that show their cards (when a card changed), the feeds they are in
//! and their redirect pages are rendered again. Anything else (a new, removed or renamed file,
//! an error, a warning about the file, a template) takes the full rebuild, which is always
//! right: the patch only skips work whose result it can tell is unchanged.
//!
//! A change of templates only is patched too: the templates are parsed again and the pages whose
//! template (or one it uses) changed are rendered, those open in a browser first
//! ([`Engine::try_patch_templates`]) and the others after, in groups that give way to a newer
//! change ([`Engine::finish_pages`]); meanwhile requests for those wait ([`StaleMarks`]).
//!
//! `YUANBA_VERIFY_REBUILDS=1` (set by the integration tests) compares the published site with a
//! clean build after every rebuild, patched or full, and reports a difference on stderr.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::state::Fallback;
use super::{
    Engine, Fingerprint, Published, Ready, Rebuild, Recorder, StaleMarks, Target, fingerprint,
    is_search_file, kept_file_missing, open_target,
};
use crate::config::SiteConfig;
use crate::content::{self, Loaded, Story};
use crate::diagnostic::Diagnostic;
use crate::output::{self, Output, Sink};
use crate::pipeline;
use crate::serve::engine::Publishing;
use crate::serve::watch::{ChangeKind, ChangeSet};
use crate::site::{Site, permalink};
use crate::{check, incremental, render};

/// What the engine keeps of the last published build to patch it.
#[derive(Debug)]
pub(crate) struct Patchable {
    pub(crate) site: Site,
    /// Story indices by source path (relative to the root).
    by_source: HashMap<PathBuf, usize>,
    generated: HashSet<PathBuf>,
    assets: Vec<Output>,
    /// The build's warnings, shown again after a patch.
    warnings: Vec<Diagnostic>,
    drafts: BTreeSet<PathBuf>,
}

impl Patchable {
    pub(crate) fn new(
        kept: pipeline::Assembled,
        warnings: &[Diagnostic],
        drafts: &BTreeSet<PathBuf>,
    ) -> Self {
        let by_source = kept
            .site
            .stories
            .iter()
            .enumerate()
            .map(|(idx, story)| (story.source_path.clone(), idx))
            .collect();
        Patchable {
            site: kept.site,
            by_source,
            generated: kept.generated,
            assets: kept.assets,
            warnings: warnings.to_vec(),
            drafts: drafts.clone(),
        }
    }
}

/// The pages a template change left to render after the viewed ones, in plan order: each with
/// its index in the last build's plan and its output file.
#[derive(Debug)]
pub(crate) struct StalePages {
    pages: Vec<(usize, PathBuf)>,
    /// How many of them (the first) are done.
    done: usize,
}

/// How long a template change's second step renders and publishes before it looks for a newer
/// change to take first: the group of pages after the first is sized from the time the pages
/// before it took.
const STALE_STEP: std::time::Duration = std::time::Duration::from_millis(40);

/// The first group of pages of a template change's second step.
const FIRST_STALE_CHUNK: usize = 100;

/// A changed story, read again.
struct Reread {
    /// The absolute path the watcher reported.
    path: PathBuf,
    /// Its index in the site.
    idx: usize,
    /// As loaded (for the cache of sources) and with its body rendered.
    loaded: Loaded,
    rendered: Loaded,
}

/// What a patch of the last published build did.
pub(super) enum Patched {
    /// It published the change (or met an environment failure).
    Done(Result<Rebuild, output::Error>),
    /// The change needs the full rebuild, for this reason.
    Fallback(Fallback),
    /// The change is of a kind no patch handles (configuration, static files, data, theme).
    NotTried,
}

impl From<Fallback> for Patched {
    fn from(reason: Fallback) -> Self {
        Patched::Fallback(reason)
    }
}

impl Engine {
    /// Patches the last published build for a change of story text or of templates only
    /// (see the module comment).
    pub(super) fn try_patch_for(
        &mut self,
        changes: &ChangeSet,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Patched {
        if changes.is_only(ChangeKind::Content) && !changes.content.is_empty() {
            self.try_patch(changes, publish)
        } else if changes.is_only(ChangeKind::Templates) {
            self.try_patch_templates(publish)
        } else {
            Patched::NotTried
        }
    }

    /// Patches the last published build for a change of story text: renders the changed
    /// stories' pages, the pages that show their cards, and the feeds with them.
    // Kept whole: it holds borrows of several of the engine's fields at once (the
    // configuration, the templates, the kept site, the render cache, the published files)
    // across the patch, which a method taking `&mut self` for a step could not share.
    fn try_patch(
        &mut self,
        changes: &ChangeSet,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Patched {
        let started = Instant::now();
        if let Err(reason) = self.can_patch_stories() {
            return reason.into();
        }
        let rereads = match self.reread(changes) {
            Ok(rereads) => rereads,
            Err(reason) => return reason.into(),
        };
        let Some(config) = self.config.as_ref() else {
            return Fallback::NothingPublished.into();
        };
        config.timings.log("patch: read", started);
        let (Some(Ok(templates)), Some(kept)) = (&self.templates, self.last.patchable()) else {
            return Fallback::NothingPublished.into();
        };
        let site = patched_site(&kept.site, &rereads);
        let stories: Vec<usize> = rereads.iter().map(|reread| reread.idx).collect();
        config.timings.log("patch: site copied", started);
        let outputs = check::OutputFiles::new(&kept.generated, &kept.assets);
        if !check::links::check_stories(&site, config, &outputs, &stories)
            .diagnostics
            .is_empty()
        {
            return Fallback::Links.into();
        }
        config.timings.log("patch: links checked", started);
        let stale = if self.last.stale().is_some() {
            StaleMarks::Keep
        } else {
            StaleMarks::Clear
        };
        let mut keys = None;
        let published = write_patch(
            (&self.publishing, &mut self.published),
            (config, &kept.drafts, stale),
            publish,
            |emit| {
                let patch = StoryPatch {
                    site: &site,
                    templates,
                    config,
                    cache: &self.incremental.render,
                    stories: &stories,
                };
                patch.write(emit, &mut keys)
            },
        );
        let published = match published {
            None => return Fallback::PageFailed.into(),
            Some(Err(error)) => return Patched::Done(Err(error)),
            Some(Ok(published)) => published,
        };
        config.timings.log("patch: published", started);
        let warnings = kept.warnings.clone();
        self.incremental.render.commit(keys.unwrap_or_default());
        let n_read = rereads.len();
        self.accept_patch(rereads, site);
        Patched::Done(Ok(Rebuild {
            outcome: Ok(published),
            warnings,
            n_read,
            elapsed: started.elapsed(),
            fallback: None,
            n_images_made: 0,
        }))
    }

    /// Whether a change of story text can patch the last published build (it sets the build
    /// time to now).
    fn can_patch_stories(&mut self) -> Result<(), Fallback> {
        if !self.incremental.render.can_rerender() || self.last.patchable().is_none() {
            return Err(Fallback::NothingPublished);
        }
        // `build --watch` builds the search index with the pages, which a patch does not.
        let search = self.config.as_ref().is_some_and(|config| config.search);
        if self.story_due() {
            return Err(Fallback::StoryDue);
        }
        if search && !self.incremental.defer_search {
            return Err(Fallback::SearchWithPages);
        }
        Ok(())
    }

    /// Takes a published patch of stories: the sources keep the files read, and the kept
    /// site (with its search index to build) is the patched one.
    fn accept_patch(&mut self, rereads: Vec<Reread>, site: Site) {
        for reread in rereads {
            self.sources
                .accept(&reread.path, reread.loaded, reread.rendered);
        }
        let search = self.config.as_ref().is_some_and(|config| config.search);
        if search && self.incremental.defer_search {
            self.search.request(site.clone());
        }
        if let Some(kept) = self.last.patchable_mut() {
            kept.site = site;
        }
        self.n_published += 1;
        self.verify();
    }

    /// Patches the last published build for a change of templates only: parses them again and
    /// renders the pages whose template (or a template it uses) changed. In `serve`, the pages
    /// open in a browser are rendered and published first, and the others are left to
    /// [`Engine::finish_pages`] (requests for them wait: [`Published::stale`]).
    fn try_patch_templates(
        &mut self,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Patched {
        let started = Instant::now();
        if self.story_due() {
            return Fallback::StoryDue.into();
        }
        let (Some(config), Some(kept), Some(Ok(old))) =
            (self.config.as_ref(), self.last.patchable(), &self.templates)
        else {
            return Fallback::NothingPublished.into();
        };
        let timings = config.timings;
        let Ok(templates) = render::load_templates(config) else {
            return Fallback::Templates.into();
        };
        let Some(pages) = incremental::pages::pages_of_changed_templates(
            &kept.site,
            &self.incremental.render,
            old,
            &templates,
        ) else {
            return if self.incremental.render.can_rerender() {
                Fallback::CardTemplate.into()
            } else {
                Fallback::NothingPublished.into()
            };
        };
        timings.log("patch: templates parsed", started);
        let (now, later) = self.viewed_first(pages);
        let stale = if later.pages.is_empty() {
            StaleMarks::Clear
        } else {
            StaleMarks::Mark(Arc::new(
                later.pages.iter().map(|(_, file)| file.clone()).collect(),
            ))
        };
        // Kept only when the patch publishes: otherwise the full rebuild parses them again.
        self.templates = Some(Ok(templates));
        let published = match self.finish_chunk(&now, stale, publish) {
            None => return Fallback::PageFailed.into(),
            Some(Err(error)) => return Patched::Done(Err(error)),
            Some(Ok(published)) => published,
        };
        timings.log("patch: viewed pages published", started);
        self.last
            .set_stale((!later.pages.is_empty()).then_some(later));
        self.verify();
        Patched::Done(Ok(Rebuild {
            outcome: Ok(published),
            warnings: self.warnings(),
            n_read: 0,
            elapsed: started.elapsed(),
            fallback: None,
            n_images_made: 0,
        }))
    }

    /// Splits the pages a template change renders (with those an earlier one left) into the
    /// ones to render now (in `serve`, those open in a browser; in `build --watch`, all) and
    /// the ones left for [`Engine::finish_pages`].
    fn viewed_first(&self, pages: Vec<(usize, String)>) -> (Vec<usize>, StalePages) {
        let mut pages: Vec<(usize, PathBuf)> = pages
            .into_iter()
            .map(|(job, site_path)| (job, permalink::output_file(&site_path)))
            .collect();
        // Pages an earlier template change left are still to render.
        if let Some(earlier) = self.last.stale() {
            pages.extend(earlier.pages[earlier.done..].iter().cloned());
            pages.sort_unstable_by_key(|(job, _)| *job);
            pages.dedup_by_key(|(job, _)| *job);
        }
        let in_place = matches!(self.publishing, Publishing::InPlace { .. });
        let (now, later): (Vec<_>, Vec<_>) = pages
            .into_iter()
            .partition(|(_, file)| !in_place || self.viewed.contains(file));
        let now = now.into_iter().map(|(job, _)| job).collect();
        (
            now,
            StalePages {
                pages: later,
                done: 0,
            },
        )
    }

    /// Sets the build time to now, and says whether a story left out of the last build for its
    /// future date is due now (it joins the lists: the full rebuild).
    fn story_due(&mut self) -> bool {
        let Some(config) = &mut self.config else {
            return false;
        };
        config.refresh_now();
        self.last
            .patchable()
            .and_then(|kept| kept.site.next_due)
            .is_some_and(|due| due <= config.now)
    }

    /// Whether step timings are printed (`YUANBA_TIMINGS`).
    fn timings(&self) -> crate::timing::Timings {
        crate::timing::Timings::new(self.overrides.env.timings)
    }

    /// The warnings of the last full build, which a patch shows again.
    fn warnings(&self) -> Vec<Diagnostic> {
        self.last
            .patchable()
            .map(|kept| kept.warnings.clone())
            .unwrap_or_default()
    }

    /// Whether a template change left pages to render ([`Engine::finish_pages`]).
    pub(crate) fn has_stale_pages(&self) -> bool {
        self.last.stale().is_some()
    }

    /// The output files of the pages open in a browser, for the next template change.
    pub(crate) fn set_viewed(&mut self, files: HashSet<PathBuf>) {
        self.viewed = files;
    }

    /// Renders and publishes the pages a template change left (see
    /// [`Engine::try_patch_templates`]), a group of about [`STALE_STEP`] at a time, until they are done or
    /// `interrupted` says a newer change waits (then the rest stay for the next call). When one
    /// fails to render, the whole site is built again, which reports the problem. `None` when
    /// no pages were left.
    pub(crate) fn finish_pages(
        &mut self,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
        interrupted: &dyn Fn() -> bool,
    ) -> Option<Result<Rebuild, output::Error>> {
        let started = Instant::now();
        let mut stale = self.last.take_stale()?;
        let mut done = Published::default();
        let mut changed = Vec::new();
        let mut chunk_size = FIRST_STALE_CHUNK;
        loop {
            let chunk_started = Instant::now();
            let end = (stale.done + chunk_size).min(stale.pages.len());
            let chunk = &stale.pages[stale.done..end];
            let split = chunk.len();
            let jobs: Vec<usize> = chunk.iter().map(|(job, _)| *job).collect();
            let fresh = StaleMarks::Unmark(chunk.iter().map(|(_, file)| file.clone()).collect());
            stale.done = end;
            let Some(Ok(published)) = self.finish_chunk(&jobs, fresh, publish) else {
                // A page failed, or the folder was not what the engine thought.
                return Some(self.rebuild(None, publish));
            };
            done.n_rendered += published.n_rendered;
            done.n_written += published.n_written;
            changed.extend(published.changed);
            done.drafts = published.drafts;
            done.base_path = published.base_path;
            let per_page = chunk_started.elapsed() / u32::try_from(split.max(1)).unwrap_or(1);
            chunk_size = usize::try_from(STALE_STEP.as_micros() / per_page.as_micros().max(1))
                .unwrap_or(usize::MAX)
                .clamp(10, 5_000);
            if stale.done == stale.pages.len() {
                self.timings().log("patch: other pages published", started);
                self.verify();
                break;
            }
            if interrupted() {
                self.last.set_stale(Some(stale));
                break;
            }
        }
        changed.sort();
        done.changed = changed;
        Some(Ok(Rebuild {
            outcome: Ok(done),
            warnings: self.warnings(),
            n_read: 0,
            elapsed: started.elapsed(),
            fallback: None,
            n_images_made: 0,
        }))
    }

    /// Renders and publishes some of the pages a template change left; `stale` are those still
    /// left after them.
    fn finish_chunk(
        &mut self,
        jobs: &[usize],
        stale: StaleMarks,
        publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    ) -> Option<Result<Published, output::Error>> {
        let config = self.config.as_ref()?;
        let kept = self.last.patchable()?;
        let Some(Ok(templates)) = &mut self.templates else {
            return None;
        };
        let mut keys = None;
        let published = write_patch(
            (&self.publishing, &mut self.published),
            (config, &kept.drafts, stale),
            publish,
            |emit| {
                let rendered = incremental::pages::rerender_pages(
                    &kept.site,
                    templates,
                    config,
                    &self.incremental.render,
                    jobs,
                    emit,
                );
                taken(rendered, &mut keys)
            },
        )?;
        // (The site did not change: a search index being built for it still belongs to it.)
        if published.is_ok() {
            self.incremental.render.commit(keys.unwrap_or_default());
        }
        Some(published)
    }

    /// Reads the changed stories again; the reason to fall back unless each is a published
    /// story of the last build, with no warning about it, that loads without problems into the
    /// same place.
    fn reread(&self, changes: &ChangeSet) -> Result<Vec<Reread>, Fallback> {
        changes
            .content
            .iter()
            .map(|path| self.reread_one(path))
            .collect()
    }

    /// [`Engine::reread`] for one changed file.
    fn reread_one(&self, path: &Path) -> Result<Reread, Fallback> {
        let not_a_story = || Fallback::NotAPublishedStory(path.to_path_buf());
        let (Some(config), Some(kept)) = (self.config.as_ref(), self.last.patchable()) else {
            return Err(Fallback::NothingPublished);
        };
        let Some((file, Loaded::Story(old))) = self.sources.loaded(path) else {
            return Err(not_a_story());
        };
        let idx = *kept.by_source.get(&file.relative).ok_or_else(not_a_story)?;
        if !path.is_file() {
            return Err(not_a_story());
        }
        let about_it =
            |diagnostic: &Diagnostic| diagnostic.path.as_deref() == Some(file.relative.as_path());
        if kept.warnings.iter().any(about_it) {
            return Err(Fallback::Warned(path.to_path_buf()));
        }
        let loaded =
            content::load_file(file, config).map_err(|_| Fallback::Problems(path.to_path_buf()))?;
        let Loaded::Story(new) = &loaded else {
            return Err(not_a_story());
        };
        if let Some(field) = old.structure_change(new) {
            return Err(Fallback::Changed(path.to_path_buf(), field));
        }
        let rendered = self
            .sources
            .bodies()
            .render_one(&loaded, config)
            .ok_or_else(|| Fallback::Unrendered(path.to_path_buf()))?;
        let Loaded::Story(new) = &rendered else {
            return Err(not_a_story());
        };
        // Anchors are found as the body is rendered: compare them with the published story's.
        if new.anchors != kept.site.stories[idx].anchors {
            return Err(Fallback::Anchors(path.to_path_buf()));
        }
        Ok(Reread {
            path: path.to_path_buf(),
            idx,
            loaded,
            rendered,
        })
    }

    /// With `YUANBA_VERIFY_REBUILDS` set: builds the site from scratch into memory and reports
    /// on stderr every file that differs from the published one (the search index, built later
    /// by `serve`, aside).
    pub(super) fn verify(&self) {
        if !self.overrides.env.verify_rebuilds || self.last.stale().is_some() {
            return;
        }
        let Some(config) = &self.config else {
            return;
        };
        let sink = Fingerprints::default();
        let Ok(built) = pipeline::run(config, &sink, pipeline::Checks::default()) else {
            eprintln!("yuanba: rebuild check failed: the clean build could not run");
            return;
        };
        if built.has_errors() {
            eprintln!("yuanba: rebuild check failed: the clean build has errors");
            return;
        }
        let clean = sink.0.into_inner().unwrap_or_else(PoisonError::into_inner);
        let relevant = |path: &&PathBuf| !is_search_file(path);
        let mut differ: Vec<&Path> = clean
            .iter()
            .filter(|(path, fingerprint)| {
                relevant(path) && self.published.get(*path) != Some(*fingerprint)
            })
            .map(|(path, _)| path.as_path())
            .chain(
                self.published
                    .keys()
                    .filter(|path| relevant(path) && !clean.contains_key(*path))
                    .map(PathBuf::as_path),
            )
            .collect();
        differ.sort();
        if !differ.is_empty() {
            eprintln!(
                "yuanba: rebuild check failed: {} files differ from a clean build: {}",
                differ.len(),
                differ
                    .iter()
                    .take(20)
                    .map(|path| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

/// What a patch of stories renders from.
struct StoryPatch<'a> {
    site: &'a Site,
    templates: &'a render::Templates,
    config: &'a SiteConfig,
    cache: &'a incremental::RenderCache,
    /// The changed stories.
    stories: &'a [usize],
}

impl StoryPatch<'_> {
    /// Renders the pages that show the changed stories, then the feeds that list them and their
    /// redirect pages; returns the number of pages rendered, with their fingerprints put in
    /// `keys` (`None` when a page failed).
    fn write(
        &self,
        emit: &Emit<'_>,
        keys: &mut Option<incremental::PageKeys>,
    ) -> Result<Option<usize>, output::Error> {
        let StoryPatch {
            site,
            templates,
            config,
            cache,
            stories,
        } = *self;
        let rendered = incremental::pages::rerender(site, templates, config, cache, stories, emit);
        let Some(n_rendered) = taken(rendered, keys)? else {
            return Ok(None);
        };
        let mut extras = render::feeds::build_containing(site, config, stories);
        for &idx in stories {
            extras.extend(render::aliases::redirects(&site.stories[idx], config));
        }
        extras.into_iter().try_for_each(emit)?;
        Ok(Some(n_rendered))
    }
}

/// The kept site with the stories read again.
fn patched_site(kept: &Site, rereads: &[Reread]) -> Site {
    let mut site = kept.clone();
    for reread in rereads {
        let Loaded::Story(story) = &reread.rendered else {
            continue;
        };
        let mut story = Story::clone(story);
        // Named as `site::places` named them in the last build (same places written).
        let old = &site.stories[reread.idx];
        story.district.clone_from(&old.district);
        story.street.clone_from(&old.street);
        story.community.clone_from(&old.community);
        site.stories[reread.idx] = Arc::new(story);
    }
    site
}

/// Takes a patch's render: the number of pages rendered, with their fingerprints put in
/// `keys`; `None` when a page failed (the full rebuild then reports it) or there was nothing
/// to patch.
fn taken(
    rendered: Option<Result<incremental::pages::RenderedPages, output::Error>>,
    keys: &mut Option<incremental::PageKeys>,
) -> Result<Option<usize>, output::Error> {
    match rendered {
        Some(Ok(rendered)) if rendered.diagnostics.is_empty() => {
            *keys = Some(rendered.keys);
            Ok(Some(rendered.n_rendered))
        }
        Some(Err(error)) => Err(error),
        _ => Ok(None),
    }
}

/// The sink a patch writes through.
type Emit<'a> = dyn Fn(Output) -> Result<(), output::Error> + Sync + 'a;

/// Opens the target, has `make` write the patch's files through a sink that skips the ones that
/// did not change, and publishes them as a patch of the `published` site (for a staged site,
/// with every other published file linked from the previous one); then updates `published`.
/// `make` returns how many pages it rendered, or `None` when the patch cannot be made (then
/// nothing is published and this returns `None`).
fn write_patch(
    (publishing, published): (&Publishing, &mut HashMap<PathBuf, Fingerprint>),
    (config, drafts, stale): (&SiteConfig, &BTreeSet<PathBuf>, StaleMarks),
    publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
    make: impl FnOnce(&Emit<'_>) -> Result<Option<usize>, output::Error>,
) -> Option<Result<Published, output::Error>> {
    let target = match open_target(publishing, config) {
        Ok(target) => target,
        Err(error) => return Some(Err(error)),
    };
    let recorder = Recorder {
        target: &target,
        previous: published,
        fingerprints: Mutex::default(),
        n_written: AtomicUsize::new(0),
    };
    let n_rendered = match make(&|output: Output| recorder.emit(output)) {
        Ok(n_rendered) => n_rendered?,
        Err(error) => return Some(Err(error)),
    };
    let n_written = recorder.n_written.into_inner();
    let fingerprints = recorder
        .fingerprints
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Some(publish_made(
        target,
        (fingerprints, n_written, n_rendered),
        published,
        (config, drafts, stale),
        publish,
    ))
}

fn publish_made(
    target: Target,
    (fingerprints, n_written, n_rendered): (HashMap<PathBuf, Fingerprint>, usize, usize),
    published: &mut HashMap<PathBuf, Fingerprint>,
    (config, drafts, stale): (&SiteConfig, &BTreeSet<PathBuf>, StaleMarks),
    publish: &mut dyn FnMut(Ready, &Published) -> Result<(), output::Error>,
) -> Result<Published, output::Error> {
    if let Target::Staged(staging) = &target {
        // A staged site is a whole site: the files this patch did not make come from the
        // previous one.
        for path in published.keys() {
            if !fingerprints.contains_key(path) && !staging.link_previous(path) {
                return Err(kept_file_missing(path));
            }
        }
    }
    let mut changed: Vec<PathBuf> = fingerprints
        .iter()
        .filter(|(path, fingerprint)| published.get(*path) != Some(fingerprint))
        .map(|(path, _)| path.clone())
        .collect();
    changed.sort();
    let done = Published {
        changed,
        n_rendered,
        n_written,
        n_removed: 0,
        drafts: drafts.clone(),
        base_path: config.base_path.clone(),
        stale,
    };
    let ready = match target {
        Target::Staged(staging) => Ready::Staged(staging),
        Target::InPlace(in_place) => Ready::InPlace(in_place, Vec::new()),
    };
    publish(ready, &done)?;
    published.extend(fingerprints);
    Ok(done)
}

/// A sink that only fingerprints files, for [`Engine::verify`].
#[derive(Default)]
struct Fingerprints(Mutex<HashMap<PathBuf, Fingerprint>>);

impl Sink for Fingerprints {
    fn emit(&self, output: Output) -> Result<(), output::Error> {
        if let Some(fingerprint) = fingerprint(&output.contents) {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(output.path, fingerprint);
        }
        Ok(())
    }
}
