//! Rendering: the [`Site`] through the theme's templates into [`Output`]s.
//!
//! [`plan`] lists every HTML page of the site as a [`Job`] (which template, which site path, what
//! it shows); [`render`] runs the jobs in parallel against one parsed Tera instance, building each
//! job's context only when it runs. Feeds, the sitemap, robots.txt and alias redirects are made
//! in Rust ([`feeds`], [`sitemap`], [`aliases`]). `theme.rs` is the only place that reads files
//! here (the templates); nothing here writes files.

pub(crate) mod aliases;
pub mod builtin;
pub(crate) mod context;
pub(crate) mod feeds;
pub(crate) mod filters;
pub(crate) mod fingerprint;
pub(crate) mod keys;
mod pages;
pub(crate) mod sitemap;
pub(crate) mod tera_env;
pub(crate) mod theme;

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

/// What [`render`] did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Pages that failed.
    pub diagnostics: Vec<Diagnostic>,
    /// Pages rendered.
    pub n_rendered: usize,
}

/// A story's card and the fingerprint of its view.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) value: Value,
    pub(crate) key: Key,
    /// Whether the card template rendered it (a failed card is never cached).
    pub(crate) ok: bool,
}

/// One page's result.
pub(crate) enum PageResult {
    /// Rendered and emitted, with its fingerprint when one was asked for.
    Rendered(PathBuf, Option<Key>),
    /// Not rendered: it shows what it showed at the last published build.
    Kept(PathBuf, Key),
    Failed(Diagnostic),
}

/// What a page render can reuse of the last published build (`serve` and `build --watch`):
/// the fingerprint of its global context and the fingerprint of every page it published.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reuse<'a> {
    pub(crate) global_key: Key,
    pub(crate) previous: &'a HashMap<PathBuf, Key>,
}

/// Everything a page is rendered from: the site, its configuration, the parsed templates and
/// every story's card.
#[derive(Clone, Copy)]
pub(crate) struct Pages<'a> {
    pub(crate) site: &'a Site,
    pub(crate) config: &'a SiteConfig,
    pub(crate) templates: &'a Templates,
    pub(crate) cards: &'a [Card],
}

impl Pages<'_> {
    /// Renders one page and hands it to `emit`; with `reuse`, first makes its fingerprint only,
    /// and keeps the page when the fingerprint is the one it was published with. Returns the
    /// stories whose cards it shows, when fingerprinting.
    pub(crate) fn render_job<E>(
        self,
        job: Job,
        reuse: Option<Reuse<'_>>,
        emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
    ) -> Result<(PageResult, Vec<usize>), E> {
        let Pages {
            site,
            config,
            templates,
            cards,
        } = self;
        let site_path = job.site_path(site);
        let path = permalink::output_file(&site_path);
        let context_of = |wanted| pages::context(site, config, cards, job, &site_path, wanted);
        // The fingerprint alone first: most pages of a rebuild keep what they show.
        let (key, shown) = match reuse {
            Some(Reuse {
                global_key,
                previous,
            }) => {
                let fingerprinted = context_of(Wanted::Key(page_seed(global_key, templates, job)));
                let key = fingerprinted.key.unwrap_or_default();
                if previous.get(&path) == Some(&key) {
                    return Ok((PageResult::Kept(path, key), fingerprinted.cards));
                }
                (Some(key), fingerprinted.cards)
            }
            None => (None, Vec::new()),
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
}

/// The fingerprint every page's context fingerprint starts from: the global context's and its
/// template's (with the templates that one uses).
fn page_seed(global_key: Key, templates: &Templates, job: Job) -> Key {
    let mut hasher = keys::hasher();
    hasher.write_u64(global_key);
    hasher.write_u64(templates.keys.get(job.template()).copied().unwrap_or(0));
    hasher.finish()
}

/// Renders every planned page and hands each to `emit` as soon as it is ready (in parallel).
/// Pages that fail come back as diagnostics; an error of `emit` stops the run. (`serve` renders
/// only the pages whose fingerprint changed, through `crate::incremental`.)
pub fn render<E: Send>(
    site: &Site,
    jobs: &[Job],
    templates: &mut Templates,
    config: &SiteConfig,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<Rendered, E> {
    let started = std::time::Instant::now();
    global_context(site, config, templates, false);
    let templates = &*templates;
    let (cards, mut diagnostics) = cards(site, config, templates, None);
    config.timings.log("render: cards", started);
    let pages = Pages {
        site,
        config,
        templates,
        cards: &cards,
    };
    let results: Vec<(PageResult, Vec<usize>)> = jobs
        .par_iter()
        .map(|&job| pages.render_job(job, None, emit))
        .collect::<Result<_, E>>()?;
    config.timings.log("render: pages", started);
    let mut n_rendered = 0;
    for (result, _) in results {
        match result {
            PageResult::Rendered(..) => n_rendered += 1,
            PageResult::Kept(..) => {}
            PageResult::Failed(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    Ok(Rendered {
        diagnostics,
        n_rendered,
    })
}

/// Puts what every page sees into the templates' global context; with `hashing`, returns its
/// fingerprint.
pub(crate) fn global_context(
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
pub(crate) fn cards(
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
pub(crate) fn card(
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
    let (ok, diagnostic) = match templates.tera.render(CARD_TEMPLATE, &context) {
        Ok(html) => {
            view.card = html;
            (true, None)
        }
        Err(error) => {
            let story = &site.stories[idx];
            let what = format!(
                "the card of story 《{}》 ({})",
                story.title,
                story.source_path.display()
            );
            let diagnostic = tera_env::to_diagnostic(&error, &templates.sources, Some(&what));
            (false, Some(diagnostic))
        }
    };
    let value = Value::from_serializable(&view);
    (Card { value, key, ok }, diagnostic)
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
