//! Rendering: the [`Site`] through the theme's templates into [`Output`]s.
//!
//! [`plan`] lists every HTML page of the site as a [`Job`] (which template, which site path, what
//! it shows); [`render`] runs the jobs in parallel against one parsed Tera instance, building each
//! job's context only when it runs. Feeds, the sitemap, robots.txt and alias redirects are made
//! in Rust ([`feeds`], [`sitemap`], [`aliases`]). `theme.rs` is the only place that reads files
//! here (the templates); nothing here writes files.

pub mod aliases;
pub mod builtin;
pub mod context;
pub mod feeds;
pub mod filters;
pub mod keys;
mod pages;
pub mod sitemap;
pub mod tera_env;
pub mod theme;

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};
use crate::search::SEARCH_DIR;
use crate::site::places::PlaceId;
use crate::site::taxonomy::TaxonomyKind;
use crate::site::{Site, permalink};
use context::{PageLink, SiteView, StoryView, ThemeView, n_pages};
use pages::Wanted;
pub use tera_env::Templates;

/// Resolves the theme and parses every template once.
pub fn load_templates(config: &SiteConfig) -> Result<Templates, Vec<Diagnostic>> {
    let sources = theme::collect(config)?;
    tera_env::build(sources, config)
}

/// What one HTML page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A story page.
    Story(usize),
    /// A standalone page.
    Page(usize),
    /// Page `n` of the home page's list.
    Home(usize),
    /// `/places/`.
    PlacesIndex,
    /// Page `n` of a place.
    Place(PlaceId, usize),
    /// Page `n` of the list of all terms of a taxonomy.
    TaxonomyIndex(TaxonomyKind, usize),
    /// Page `n` of a term (term index in its taxonomy).
    Term(TaxonomyKind, usize, usize),
    /// `404.html`.
    NotFound,
    /// `/search/`, while search is on.
    Search,
}

impl Job {
    /// The template that renders it.
    pub fn template(self) -> &'static str {
        match self {
            Job::Story(_) => "story.html",
            Job::Page(_) => "page.html",
            Job::Home(_) => "index.html",
            Job::PlacesIndex => "places.html",
            Job::Place(..) => "place.html",
            Job::TaxonomyIndex(..) => "taxonomy.html",
            Job::Term(..) => "term.html",
            Job::NotFound => "404.html",
            Job::Search => "search.html",
        }
    }

    /// Its site path.
    pub fn site_path(self, site: &Site) -> String {
        match self {
            Job::Story(idx) => permalink::story_path(&site.stories[idx].slug),
            Job::Page(idx) => permalink::page_path(&site.pages[idx].slug),
            Job::Home(n) => permalink::paged("", n),
            Job::PlacesIndex => format!("{}/", permalink::PLACES_DIR),
            Job::Place(id, n) => permalink::paged(site.places.site_path(id), n),
            Job::TaxonomyIndex(kind, n) => permalink::paged(&format!("{}/", kind.as_str()), n),
            Job::Term(kind, term_idx, n) => {
                let term = &site.taxonomy(kind).terms[term_idx];
                permalink::paged(&permalink::term_path(kind.as_str(), &term.slug), n)
            }
            Job::NotFound => "404.html".to_string(),
            Job::Search => format!("{SEARCH_DIR}/"),
        }
    }

    /// The stories it lists or shows (indices), newest first; for the sitemap's `lastmod`.
    fn newest_story(self, site: &Site) -> Option<usize> {
        match self {
            Job::Story(idx) => Some(idx),
            Job::Page(_) | Job::NotFound | Job::Search => None,
            Job::Home(_) | Job::PlacesIndex | Job::TaxonomyIndex(..) => {
                (!site.stories.is_empty()).then_some(0)
            }
            Job::Place(id, _) => site.places.all[id].stories.first().copied(),
            Job::Term(kind, term_idx, _) => {
                site.taxonomy(kind).terms[term_idx].stories.first().copied()
            }
        }
    }
}

/// Every HTML page of the site, in a stable order.
pub fn plan(site: &Site, config: &SiteConfig) -> Vec<Job> {
    let per_page = config.paginate_by;
    let mut jobs: Vec<Job> = (0..site.stories.len()).map(Job::Story).collect();
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.extend((1..=n_pages(site.stories.len(), per_page)).map(Job::Home));
    jobs.push(Job::PlacesIndex);
    for id in site.places.tree_order() {
        let n_stories = site.places.all[id].stories.len();
        jobs.extend((1..=n_pages(n_stories, per_page)).map(|n| Job::Place(id, n)));
    }
    for taxonomy in &site.taxonomies {
        let kind = taxonomy.kind;
        jobs.extend(
            (1..=n_pages(taxonomy.terms.len(), per_page)).map(|n| Job::TaxonomyIndex(kind, n)),
        );
        for (term_idx, term) in taxonomy.terms.iter().enumerate() {
            jobs.extend(
                (1..=n_pages(term.stories.len(), per_page)).map(|n| Job::Term(kind, term_idx, n)),
            );
        }
    }
    if config.search {
        jobs.push(Job::Search);
    }
    jobs.push(Job::NotFound);
    jobs
}

/// The output files of the planned pages, to keep static files off them.
pub fn page_files(site: &Site, jobs: &[Job]) -> HashSet<PathBuf> {
    jobs.iter()
        .map(|job| permalink::output_file(&job.site_path(site)))
        .collect()
}

/// An entry of `districts`, for section navigation.
#[derive(Debug, Serialize)]
struct DistrictLink<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

/// A 64-bit fingerprint of everything a page or a card is rendered from (with the same
/// templates).
pub type Key = u64;

/// What earlier renders produced, for `serve`: each story's card by the fingerprint of its view
/// and card template, and each page's fingerprint (its context and its template, with the
/// templates that one uses) at the last published build. A rebuild renders only the pages whose
/// fingerprint changed, so editing a template renders the pages that use it.
#[derive(Debug, Default)]
pub struct RenderCache {
    cards: HashMap<Key, Value>,
    pages: HashMap<PathBuf, Key>,
    /// How the last published build was rendered, for [`rerender`].
    last: Option<Rendering>,
}

/// What [`rerender`] needs of the last published build: its pages, the cards it rendered, and
/// which pages show each story's card.
#[derive(Debug)]
struct Rendering {
    jobs: Vec<Job>,
    cards: Vec<Card>,
    /// For each story, the pages (indices into `jobs`) whose context has its card.
    shown_on: Vec<Vec<u32>>,
    /// The fingerprint of the global context.
    global_key: Key,
}

impl RenderCache {
    /// Records the pages of a build that was published: the next build keeps what they show.
    pub fn commit(&mut self, keys: PageKeys) {
        match keys.patch {
            None => {
                self.pages = keys.pages;
                self.last = keys.rendering;
            }
            Some(cards) => {
                self.pages.extend(keys.pages);
                if let Some(last) = &mut self.last {
                    for (idx, card) in cards {
                        if card.ok {
                            self.cards.insert(card.key, card.value.clone());
                        }
                        last.cards[idx] = card;
                    }
                }
            }
        }
    }

    /// Forgets the published pages (their files may be gone), keeping the cards.
    pub fn forget_pages(&mut self) {
        self.pages.clear();
        self.last = None;
    }

    /// Whether [`rerender`] can patch the last published build.
    pub fn can_rerender(&self) -> bool {
        self.last.is_some()
    }
}

/// The fingerprints of the pages of one build (or of the pages a patch rendered, and the cards it
/// changed), for [`RenderCache::commit`] once it is published.
#[derive(Debug, Default)]
pub struct PageKeys {
    pages: HashMap<PathBuf, Key>,
    rendering: Option<Rendering>,
    patch: Option<Vec<(usize, Card)>>,
}

/// What [`render`] did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Pages that failed.
    pub diagnostics: Vec<Diagnostic>,
    /// Output files of pages that show exactly what they showed at the last committed build,
    /// and were neither rendered nor emitted.
    pub kept: Vec<PathBuf>,
    /// Pages rendered.
    pub n_rendered: usize,
    /// The fingerprint of every page that did not fail (with a cache only).
    pub keys: PageKeys,
}

/// A story's card and the fingerprint of its view.
#[derive(Debug, Clone)]
struct Card {
    value: Value,
    key: Key,
    /// Whether the card template rendered it (a failed card is never cached).
    ok: bool,
}

/// One page's result.
enum PageResult {
    Rendered(PathBuf, Option<Key>),
    Kept(PathBuf, Key),
    Failed(Diagnostic),
}

/// The fingerprint every page's context fingerprint starts from: the global context's and its
/// template's (with the templates that one uses).
fn page_seed(global_key: Key, templates: &Templates, job: Job) -> Key {
    let mut hasher = keys::hasher();
    hasher.write_u64(global_key);
    hasher.write_u64(templates.keys.get(job.template()).copied().unwrap_or(0));
    hasher.finish()
}

/// Renders one page unless `previous` says it shows what it showed (then only its fingerprint
/// is made); returns the stories whose cards it shows, when fingerprinting.
fn render_job<E>(
    (site, config, templates): (&Site, &SiteConfig, &Templates),
    cards: &[Card],
    job: Job,
    global_key: Option<Key>,
    previous: Option<&HashMap<PathBuf, Key>>,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<(PageResult, Vec<usize>), E> {
    let site_path = job.site_path(site);
    let path = permalink::output_file(&site_path);
    let context_of = |wanted| pages::context(site, config, cards, job, &site_path, wanted);
    // The fingerprint alone first: most pages of a rebuild keep what they show.
    let (key, shown) = match (global_key, previous) {
        (Some(global_key), Some(previous)) => {
            let fingerprinted = context_of(Wanted::Key(page_seed(global_key, templates, job)));
            let key = fingerprinted.key.unwrap_or_default();
            if previous.get(&path) == Some(&key) {
                return Ok((PageResult::Kept(path, key), fingerprinted.cards));
            }
            (Some(key), fingerprinted.cards)
        }
        _ => (None, Vec::new()),
    };
    let page = context_of(Wanted::Context);
    let context = page.context.unwrap_or_default();
    let result = match render_one(templates, job.template(), &context, &site_path, &page.what) {
        Ok(output) => {
            emit(output)?;
            PageResult::Rendered(path, key)
        }
        Err(diagnostic) => PageResult::Failed(diagnostic),
    };
    Ok((result, shown))
}

/// Renders every planned page and hands each to `emit` as soon as it is ready (in parallel).
/// With a `cache`, pages whose context has the fingerprint they had at the last committed build
/// are not rendered (see [`Rendered::kept`]). Pages that fail come back as diagnostics; an error
/// of `emit` stops the run.
pub fn render<E: Send>(
    site: &Site,
    jobs: &[Job],
    templates: &mut Templates,
    config: &SiteConfig,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
    cache: Option<&mut RenderCache>,
) -> Result<Rendered, E> {
    let started = std::time::Instant::now();
    let global_key = global_context(site, config, templates, cache.is_some());
    let templates = &*templates;
    let (cards, mut diagnostics) = cards(
        site,
        config,
        templates,
        cache
            .as_deref()
            .zip(global_key)
            .map(|(cache, global_key)| (&cache.cards, global_key)),
    );
    config.timings.log("render: cards", started);
    let previous = cache.as_deref().map(|cache| &cache.pages);
    let results: Vec<(PageResult, Vec<usize>)> = jobs
        .par_iter()
        .map(|&job| {
            render_job(
                (site, config, templates),
                &cards,
                job,
                global_key,
                previous,
                emit,
            )
        })
        .collect::<Result<_, E>>()?;
    config.timings.log("render: pages", started);
    let mut rendered = Rendered::default();
    let mut shown_on: Vec<Vec<u32>> = vec![Vec::new(); cards.len()];
    for (job_idx, (result, shown)) in results.into_iter().enumerate() {
        for story in shown {
            let job_idx = u32::try_from(job_idx).unwrap_or(u32::MAX);
            if shown_on[story].last() != Some(&job_idx) {
                shown_on[story].push(job_idx);
            }
        }
        match result {
            PageResult::Rendered(path, key) => {
                rendered.n_rendered += 1;
                if let Some(key) = key {
                    rendered.keys.pages.insert(path, key);
                }
            }
            PageResult::Kept(path, key) => {
                rendered.keys.pages.insert(path.clone(), key);
                rendered.kept.push(path);
            }
            PageResult::Failed(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    if let Some(cache) = cache {
        cache.cards = cards
            .iter()
            .filter(|card| card.ok)
            .map(|card| (card.key, card.value.clone()))
            .collect();
        rendered.keys.rendering = global_key.map(|global_key| Rendering {
            jobs: jobs.to_vec(),
            cards,
            shown_on,
            global_key,
        });
    }
    rendered.diagnostics = diagnostics;
    Ok(rendered)
}

/// Renders again, for the last published build with `changed` stories replaced (with nothing
/// else about the site changed: no story added, removed, moved between lists or re-dated), the
/// pages that show them: their own pages and, when a story's card changed, every page with that
/// card. `None` when there is no published build to patch. Pages whose fingerprint did not
/// change are not emitted.
pub fn rerender<E: Send>(
    site: &Site,
    templates: &Templates,
    config: &SiteConfig,
    cache: &RenderCache,
    changed: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Option<Result<Rendered, E>> {
    let last = cache.last.as_ref()?;
    if last.cards.len() != site.stories.len() {
        return None;
    }
    let mut cards = last.cards.clone();
    let mut diagnostics = Vec::new();
    let mut new_cards = Vec::new();
    let mut jobs: Vec<usize> = Vec::new();
    for &idx in changed {
        // Stories come first in the plan, in order.
        jobs.push(idx);
        let cached = Some((&cache.cards, last.global_key));
        let (card, diagnostic) = card(site, config, templates, cached, idx);
        diagnostics.extend(diagnostic);
        if card.key != cards[idx].key {
            jobs.extend(last.shown_on[idx].iter().map(|&job| job as usize));
            cards[idx] = card.clone();
            new_cards.push((idx, card));
        }
    }
    jobs.sort_unstable();
    jobs.dedup();
    let mut rendered = match render_jobs((site, config, templates), &cards, cache, &jobs, emit) {
        Ok(rendered) => rendered,
        Err(error) => return Some(Err(error)),
    };
    rendered.keys.patch = Some(new_cards);
    diagnostics.append(&mut rendered.diagnostics);
    rendered.diagnostics = diagnostics;
    Some(Ok(rendered))
}

/// Renders some pages of the last published build (indices into its plan) with its cards, for
/// [`rerender`] and template patches; pages whose fingerprint did not change are not emitted.
fn render_jobs<E: Send>(
    (site, config, templates): (&Site, &SiteConfig, &Templates),
    cards: &[Card],
    cache: &RenderCache,
    jobs: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<Rendered, E> {
    let mut rendered = Rendered {
        keys: PageKeys {
            patch: Some(Vec::new()),
            ..PageKeys::default()
        },
        ..Rendered::default()
    };
    let Some(last) = &cache.last else {
        return Ok(rendered);
    };
    let results = jobs
        .par_iter()
        .filter_map(|&job| last.jobs.get(job))
        .map(|&job| {
            render_job(
                (site, config, templates),
                cards,
                job,
                Some(last.global_key),
                Some(&cache.pages),
                emit,
            )
        })
        .collect::<Result<Vec<_>, E>>()?;
    for (result, _) in results {
        match result {
            PageResult::Rendered(path, key) => {
                rendered.n_rendered += 1;
                rendered.keys.pages.extend(key.map(|key| (path, key)));
            }
            PageResult::Kept(..) => {}
            PageResult::Failed(diagnostic) => rendered.diagnostics.push(diagnostic),
        }
    }
    Ok(rendered)
}

/// For a change of templates only, on the last published build: the pages (indices into its
/// plan) whose template, or a template it uses, differs between `old` and `new`, with the site
/// path of each. `None` when there is no build to patch or the card template changed (every
/// card and list would change: a full render).
pub fn pages_of_changed_templates(
    site: &Site,
    cache: &RenderCache,
    old: &Templates,
    new: &Templates,
) -> Option<Vec<(usize, String)>> {
    let last = cache.last.as_ref()?;
    let key = |templates: &Templates, name: &str| templates.keys.get(name).copied();
    if key(old, CARD_TEMPLATE) != key(new, CARD_TEMPLATE) {
        return None;
    }
    let changed: HashSet<&'static str> = last
        .jobs
        .iter()
        .map(|job| job.template())
        .filter(|&name| key(old, name) != key(new, name))
        .collect();
    Some(
        last.jobs
            .iter()
            .enumerate()
            .filter(|(_, job)| changed.contains(job.template()))
            .map(|(idx, &job)| (idx, job.site_path(site)))
            .collect(),
    )
}

/// Renders, with new templates and nothing else changed, some pages of the last published build
/// (from [`pages_of_changed_templates`]). The first call with a new Tera instance gives it the
/// global context.
pub fn rerender_pages<E: Send>(
    site: &Site,
    templates: &mut Templates,
    config: &SiteConfig,
    cache: &RenderCache,
    jobs: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Option<Result<Rendered, E>> {
    let last = cache.last.as_ref()?;
    global_context(site, config, templates, false);
    Some(render_jobs(
        (site, config, templates),
        &last.cards,
        cache,
        jobs,
        emit,
    ))
}

/// Puts what every page sees into the templates' global context; with `hashing`, returns its
/// fingerprint.
fn global_context(
    site: &Site,
    config: &SiteConfig,
    templates: &mut Templates,
    hashing: bool,
) -> Option<Key> {
    let pages: Vec<PageLink<'_>> = site
        .pages
        .iter()
        .map(|page| PageLink::new(page, config))
        .collect();
    let districts: Vec<DistrictLink<'_>> = site
        .places
        .districts
        .iter()
        .map(|&id| {
            let place = &site.places.all[id];
            DistrictLink {
                name: &place.name,
                slug: &place.slug,
                url: permalink::url(config, site.places.site_path(id)),
                count: place.stories.len(),
            }
        })
        .collect();
    let site_view = SiteView::new(config);
    let theme_view = ThemeView::new(config);
    let generator = format!("yuanba {}", env!("CARGO_PKG_VERSION"));
    let global_key = hashing.then(|| {
        let mut hasher = keys::hasher();
        for part in [
            keys::of_serialized(&site_view),
            keys::of_serialized(&theme_view),
            keys::of_serialized(&pages),
            keys::of_serialized(&districts),
            keys::of_serialized(&generator),
        ] {
            hasher.write_u64(part);
        }
        hasher.finish()
    });
    let global = templates.tera.global_context();
    global.insert("site", &site_view);
    global.insert("theme", &theme_view);
    global.insert("pages", &pages);
    global.insert("districts", &districts);
    global.insert("generator", &generator);
    global_key
}

/// The template rendered once per story into `story.card`.
pub const CARD_TEMPLATE: &str = "partials/story_card.html";

/// For each story, its view without the body, with `card` (the story's card rendered once by
/// [`CARD_TEMPLATE`]), converted to a Tera value once per build: a story appears in about ten
/// lists and in its neighbours' previous/next/related, and cloning a converted value only bumps
/// reference counts. With `cached` cards (and the fingerprint of the global context, which a
/// card template sees too), a story whose view has a cached card's fingerprint
/// takes that card instead of rendering it again. Without, fingerprints are 0.
fn cards(
    site: &Site,
    config: &SiteConfig,
    templates: &Templates,
    cached: Option<(&HashMap<Key, Value>, Key)>,
) -> (Vec<Card>, Vec<Diagnostic>) {
    let results: Vec<(Card, Option<Diagnostic>)> = (0..site.stories.len())
        .into_par_iter()
        .map(|idx| card(site, config, templates, cached, idx))
        .collect();
    let mut diagnostics = Vec::new();
    let mut cards = Vec::with_capacity(results.len());
    for (card, diagnostic) in results {
        cards.push(card);
        // One broken card template breaks every card: report it once.
        if diagnostics.is_empty() {
            diagnostics.extend(diagnostic);
        }
    }
    (cards, diagnostics)
}

/// One story's card (see [`cards`]).
fn card(
    site: &Site,
    config: &SiteConfig,
    templates: &Templates,
    cached: Option<(&HashMap<Key, Value>, Key)>,
    idx: usize,
) -> (Card, Option<Diagnostic>) {
    let mut view = StoryView::new(site, idx, config);
    let key = cached.map_or(0, |(_, global_key)| {
        let mut hasher = keys::hasher();
        hasher.write_u64(global_key);
        hasher.write_u64(keys::of_serialized(&view));
        hasher.write_u64(templates.keys.get(CARD_TEMPLATE).copied().unwrap_or(0));
        hasher.finish()
    });
    if let Some(value) = cached.and_then(|(cached, _)| cached.get(&key)) {
        let value = value.clone();
        return (
            Card {
                value,
                key,
                ok: true,
            },
            None,
        );
    }
    let mut context = Context::new();
    context.insert("story", &view);
    match templates.tera.render(CARD_TEMPLATE, &context) {
        Ok(html) => {
            view.card = html;
            let value = Value::from_serializable(&view);
            (
                Card {
                    value,
                    key,
                    ok: true,
                },
                None,
            )
        }
        Err(error) => {
            let story = &site.stories[idx];
            let what = format!(
                "the card of story 《{}》 ({})",
                story.title,
                story.source_path.display()
            );
            let diagnostic = tera_env::to_diagnostic(&error, &templates.sources, Some(&what));
            let value = Value::from_serializable(&view);
            (
                Card {
                    value,
                    key,
                    ok: false,
                },
                Some(diagnostic),
            )
        }
    }
}

/// The site path and `lastmod` date of every page the sitemap lists (all but the 404 and search
/// pages).
pub fn sitemap_entries(
    site: &Site,
    config: &SiteConfig,
    jobs: &[Job],
) -> Vec<(String, Option<String>)> {
    jobs.iter()
        .filter(|job| !matches!(job, Job::NotFound | Job::Search))
        .map(|&job| {
            let lastmod = match job {
                Job::Page(idx) => site.pages[idx]
                    .modified
                    .map(|time| feeds::rfc3339(&time.to_zoned_datetime(config.timezone.clone()))),
                _ => job
                    .newest_story(site)
                    .map(|idx| feeds::rfc3339(&site.stories[idx].date)),
            };
            (job.site_path(site), lastmod)
        })
        .collect()
}

fn render_one(
    templates: &Templates,
    template: &str,
    context: &Context,
    site_path: &str,
    what: &str,
) -> Result<Output, Diagnostic> {
    // Rendering into bytes skips the UTF-8 check of `Tera::render`'s String: about a seventh of
    // a whole build's instructions. The output is UTF-8 anyway (templates and values are).
    let mut html = Vec::with_capacity(32 * 1024);
    match templates.tera.render_to(template, context, &mut html) {
        Ok(()) => Ok(Output {
            path: permalink::output_file(site_path),
            contents: Contents::Bytes(html),
        }),
        Err(error) => Err(tera_env::to_diagnostic(
            &error,
            &templates.sources,
            Some(what),
        )),
    }
}
