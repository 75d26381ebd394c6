//! The render cache of `serve` and `build --watch`: every page's fingerprint at the last
//! published build, every card by the fingerprint of its view, and which pages show each
//! story's card. A rebuild renders only the pages whose fingerprint changed ([`render`]); a
//! story edit renders the pages that show the story ([`rerender`]), and a template edit the
//! pages that use the template ([`pages_of_changed_templates`], [`rerender_pages`]).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;
use tera::Value;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::output::Output;
use crate::render::{self, CARD_TEMPLATE, Card, Job, Key, PageResult, Pages, Reuse, Templates};
use crate::site::Site;

/// What earlier renders produced, for `serve`: each story's card by the fingerprint of its view
/// and card template, and each page's fingerprint (its context and its template, with the
/// templates that one uses) at the last published build. A rebuild renders only the pages whose
/// fingerprint changed, so editing a template renders the pages that use it.
#[derive(Debug, Default)]
pub(crate) struct RenderCache {
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
    pub(crate) fn commit(&mut self, keys: PageKeys) {
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
    pub(crate) fn forget_pages(&mut self) {
        self.pages.clear();
        self.last = None;
    }

    /// Whether [`rerender`] can patch the last published build.
    pub(crate) fn can_rerender(&self) -> bool {
        self.last.is_some()
    }
}

/// The fingerprints of the pages of one build (or of the pages a patch rendered, and the cards it
/// changed), for [`RenderCache::commit`] once it is published.
#[derive(Debug, Default)]
pub(crate) struct PageKeys {
    pages: HashMap<PathBuf, Key>,
    rendering: Option<Rendering>,
    patch: Option<Vec<(usize, Card)>>,
}

/// What [`render`], [`rerender`] and [`rerender_pages`] did.
#[derive(Debug, Default)]
pub(crate) struct RenderedPages {
    /// Pages that failed.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Output files of pages that show exactly what they showed at the last committed build,
    /// and were neither rendered nor emitted.
    pub(crate) kept: Vec<PathBuf>,
    /// Pages rendered.
    pub(crate) n_rendered: usize,
    /// The fingerprint of every page that did not fail.
    pub(crate) keys: PageKeys,
}

/// Renders every planned page whose context does not have the fingerprint it had at the last
/// committed build (those are [`RenderedPages::kept`]), handing each to `emit` as soon as it is
/// ready (in parallel), and records what the next build can reuse.
// Kept whole: it is `render::render` with fingerprints, step for step, so that the two read
// alike.
pub(crate) fn render<E: Send>(
    site: &Site,
    jobs: &[Job],
    templates: &mut Templates,
    config: &SiteConfig,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
    cache: &mut RenderCache,
) -> Result<RenderedPages, E> {
    let started = std::time::Instant::now();
    let global_key = render::global_context(site, config, templates, true).unwrap_or_default();
    let templates = &*templates;
    let (cards, mut diagnostics) =
        render::cards(site, config, templates, Some((&cache.cards, global_key)));
    config.timings.log("render: cards", started);
    let pages = Pages {
        site,
        config,
        templates,
        cards: &cards,
    };
    let reuse = Reuse {
        global_key,
        previous: &cache.pages,
    };
    let results: Vec<(PageResult, Vec<usize>)> = jobs
        .par_iter()
        .map(|&job| pages.render_job(job, Some(reuse), emit))
        .collect::<Result<_, E>>()?;
    config.timings.log("render: pages", started);
    let mut rendered = RenderedPages::default();
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
    cache.cards = cards
        .iter()
        .filter(|card| card.ok)
        .map(|card| (card.key, card.value.clone()))
        .collect();
    rendered.keys.rendering = Some(Rendering {
        jobs: jobs.to_vec(),
        cards,
        shown_on,
        global_key,
    });
    rendered.diagnostics = diagnostics;
    Ok(rendered)
}

/// Renders again, for the last published build with `changed` stories replaced (with nothing
/// else about the site changed: no story added, removed, moved between lists or re-dated), the
/// pages that show them: their own pages and, when a story's card changed, every page with that
/// card. `None` when there is no published build to patch. Pages whose fingerprint did not
/// change are not emitted.
pub(crate) fn rerender<E: Send>(
    site: &Site,
    templates: &Templates,
    config: &SiteConfig,
    cache: &RenderCache,
    changed: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Option<Result<RenderedPages, E>> {
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
        let (card, diagnostic) = render::card(site, config, templates, cached, idx);
        diagnostics.extend(diagnostic);
        if card.key != cards[idx].key {
            jobs.extend(last.shown_on[idx].iter().map(|&job| job as usize));
            cards[idx] = card.clone();
            new_cards.push((idx, card));
        }
    }
    jobs.sort_unstable();
    jobs.dedup();
    let pages = Pages {
        site,
        config,
        templates,
        cards: &cards,
    };
    let mut rendered = match render_jobs(pages, cache, &jobs, emit) {
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
    pages: Pages<'_>,
    cache: &RenderCache,
    jobs: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<RenderedPages, E> {
    let mut rendered = RenderedPages {
        keys: PageKeys {
            patch: Some(Vec::new()),
            ..PageKeys::default()
        },
        ..RenderedPages::default()
    };
    let Some(last) = &cache.last else {
        return Ok(rendered);
    };
    let results = jobs
        .par_iter()
        .filter_map(|&job| last.jobs.get(job))
        .map(|&job| {
            let reuse = Reuse {
                global_key: last.global_key,
                previous: &cache.pages,
            };
            pages.render_job(job, Some(reuse), emit)
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
pub(crate) fn pages_of_changed_templates(
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
pub(crate) fn rerender_pages<E: Send>(
    site: &Site,
    templates: &mut Templates,
    config: &SiteConfig,
    cache: &RenderCache,
    jobs: &[usize],
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Option<Result<RenderedPages, E>> {
    let last = cache.last.as_ref()?;
    render::global_context(site, config, templates, false);
    let pages = Pages {
        site,
        config,
        templates,
        cards: &last.cards,
    };
    Some(render_jobs(pages, cache, jobs, emit))
}
