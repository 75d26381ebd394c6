//! The context of each kind of page (see `docs/themes.md`).

use std::hash::{Hash, Hasher};

use serde::Serialize;
use tera::{Context, Map, Value};

use crate::config::SiteConfig;
use crate::render::context::{FeedLink, PageView, PaginatorView, SeoView};
use crate::render::{Card, Job, Key, keys};
use crate::site::places::PlaceKind;
use crate::site::taxonomy::TaxonomyKind;
use crate::site::{Site, permalink};

/// A page's context (unless only its fingerprint was asked for), how to name the page in an
/// error, and (when asked for) the fingerprint of the context.
pub(super) struct PageContext {
    pub(super) context: Option<Context>,
    pub(super) what: String,
    pub(super) key: Option<Key>,
    /// The stories whose cards went into it (with their neighbours' and related stories'
    /// cards, a story page shows its own), for [`super::Rendering`].
    pub(super) cards: Vec<usize>,
}

/// What [`context`] builds.
#[derive(Debug, Clone, Copy)]
pub(super) enum Wanted {
    /// The context, for rendering.
    Context,
    /// Only the fingerprint, seeded with this key (the global context's and the templates').
    Key(Key),
}

/// A context being built, and the fingerprint of what went into it: every value goes in
/// through [`Builder::insert`] (hashed as JSON) or [`Builder::insert_value`] (hashed by a key
/// the caller gives, such as a card's), so nothing reaches a template without being counted.
/// Without a context, values are only hashed (and converted values never made).
struct Builder {
    context: Option<Context>,
    hasher: Option<keys::Fingerprinter>,
    cards: Vec<usize>,
}

impl Builder {
    fn insert<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Some(hasher) = &mut self.hasher {
            name.hash(hasher);
            keys::add_serialized(hasher, value);
        }
        if let Some(context) = &mut self.context {
            context.insert(name, value);
        }
    }

    /// Inserts a converted value, made by `value` only when a context is built, whose
    /// fingerprint `key` stands for.
    fn insert_value(&mut self, name: &'static str, value: impl FnOnce() -> Value, key: impl Hash) {
        if let Some(hasher) = &mut self.hasher {
            name.hash(hasher);
            key.hash(hasher);
        }
        if let Some(context) = &mut self.context {
            context.insert_value(name, value());
        }
    }
}

/// Builds the context of one page, or its fingerprint, or both (see [`Wanted`]). `cards` holds,
/// for each story, its view without the body, converted once per build (a story appears in
/// about ten lists; cloning a converted view only bumps reference counts).
pub(super) fn context(
    site: &Site,
    config: &SiteConfig,
    cards: &[Card],
    job: Job,
    site_path: &str,
    wanted: Wanted,
) -> PageContext {
    let seed = match wanted {
        Wanted::Context => None,
        Wanted::Key(key) => Some(key),
    };
    let mut context = Builder {
        context: seed.is_none().then(Context::new),
        hasher: seed.map(|key| {
            let mut hasher = keys::hasher();
            hasher.write_u64(key);
            hasher
        }),
        cards: Vec::new(),
    };
    context.insert("current_url", &permalink::url(config, site_path));
    context.insert(
        "current_permalink",
        &permalink::permalink(config, site_path),
    );
    let mut feeds = vec![FeedLink {
        title: config.title.clone(),
        url: permalink::url(config, crate::render::feeds::SITE_FEED),
    }];
    let mut seo = site_seo(config, site_path);
    let what = job_context(
        JobContext {
            site,
            config,
            cards,
            job,
        },
        &mut context,
        &mut seo,
        &mut feeds,
    );
    if let Job::Home(n) | Job::Place(_, n) | Job::TaxonomyIndex(_, n) | Job::Term(_, _, n) = job
        && n > 1
    {
        seo.title = if matches!(job, Job::Home(_)) {
            format!("第{n}页")
        } else {
            format!("{}（第{n}页）", seo.title)
        };
    }
    context.insert("seo", &seo);
    context.insert("feeds", &feeds);
    PageContext {
        key: context.hasher.map(|hasher| hasher.finish()),
        context: context.context,
        what,
        cards: context.cards,
    }
}

/// The page-level SEO view every page starts from: the site's title and description.
fn site_seo(config: &SiteConfig, site_path: &str) -> SeoView {
    SeoView {
        title: config.title.clone(),
        description: if config.description.is_empty() {
            config.title.clone()
        } else {
            config.description.clone()
        },
        canonical: permalink::permalink(config, site_path),
        image: String::new(),
        image_width: None,
        image_height: None,
        kind: "website",
    }
}

/// What one page's context is built from.
#[derive(Clone, Copy)]
struct JobContext<'a> {
    site: &'a Site,
    config: &'a SiteConfig,
    cards: &'a [Card],
    job: Job,
}

/// Puts what the kind of page `job` shows into its context, and returns how to name the page in
/// an error.
fn job_context(
    JobContext {
        site,
        config,
        cards,
        job,
    }: JobContext<'_>,
    context: &mut Builder,
    seo: &mut SeoView,
    feeds: &mut Vec<FeedLink>,
) -> String {
    match job {
        Job::Story(idx) => story(site, config, cards, idx, context, seo),
        Job::Page(idx) => {
            let page = &site.pages[idx];
            seo.title.clone_from(&page.title);
            if !page.summary.is_empty() {
                seo.description.clone_from(&page.summary);
            }
            context.insert("page", &PageView::new(page, config));
            format!("page 《{}》 ({})", page.title, page.source_path.display())
        }
        Job::Home(n) => {
            let all: Vec<usize> = (0..site.stories.len()).collect();
            list(config, cards, "", n, &all, context);
            "the home page".to_string()
        }
        Job::PlacesIndex => {
            seo.title = "地区".to_string();
            context.insert("districts", &place_tree(site, config));
            "the places index".to_string()
        }
        Job::Place(id, n) => place_page(site, config, cards, (id, n), context, seo, feeds),
        Job::TaxonomyIndex(kind, n) => {
            seo.title = kind.title().to_string();
            taxonomy_index(site, config, kind, n, context);
            format!("the {} index", kind.as_str())
        }
        Job::Term(kind, term_idx, n) => {
            term_page(site, config, cards, (kind, term_idx, n), context, seo)
        }
        Job::NotFound | Job::Search => {
            let (title, what) = page_without_content(job);
            seo.title = title.to_string();
            what.to_string()
        }
    }
}

/// The place and list of page `n` of a place, its feed when it is a district.
fn place_page(
    site: &Site,
    config: &SiteConfig,
    cards: &[Card],
    (id, n): (usize, usize),
    context: &mut Builder,
    seo: &mut SeoView,
    feeds: &mut Vec<FeedLink>,
) -> String {
    let place = &site.places.all[id];
    seo.title = site.places.display(id).replace(" › ", "");
    seo.description = format!("{}的社区报道", seo.title);
    let base = site.places.site_path(id);
    if place.kind == PlaceKind::District {
        feeds.push(FeedLink {
            title: format!("{} · {}", config.title, place.name),
            url: permalink::url(
                config,
                &format!("{base}{}", crate::render::feeds::FEED_FILE),
            ),
        });
    }
    context.insert("place", &place_view(site, config, id));
    list(config, cards, base, n, &place.stories, context);
    format!("the place page of {}", place.name)
}

/// The term and list of page `n` of a term.
fn term_page(
    site: &Site,
    config: &SiteConfig,
    cards: &[Card],
    (kind, term_idx, n): (TaxonomyKind, usize, usize),
    context: &mut Builder,
    seo: &mut SeoView,
) -> String {
    let term = &site.taxonomy(kind).terms[term_idx];
    seo.title = format!("{} · {}", term.name, kind.title());
    let base = permalink::term_path(kind.as_str(), &term.slug);
    context.insert("taxonomy", &TaxonomyView::new(config, kind));
    context.insert(
        "term",
        &TermView {
            name: &term.name,
            slug: &term.slug,
            url: permalink::url(config, &base),
            count: term.stories.len(),
        },
    );
    list(config, cards, &base, n, &term.stories, context);
    format!("the page of {} {}", kind.as_str(), term.name)
}

// Kept whole: one value of the story page's context after another, in the order
// `docs/themes.md` lists them.
fn story(
    site: &Site,
    config: &SiteConfig,
    cards: &[Card],
    idx: usize,
    context: &mut Builder,
    seo: &mut SeoView,
) -> String {
    let story = &site.stories[idx];
    let site_path = permalink::story_path(&story.slug);
    seo.title.clone_from(&story.title);
    seo.description.clone_from(&story.summary);
    seo.kind = "article";
    if let Some(image) = story.images.first() {
        let share = image
            .probed
            .as_deref()
            .and_then(crate::images::Probed::photo)
            .and_then(|photo| Some((photo, photo.share()?)));
        let url = match share {
            Some((photo, variant)) => {
                seo.image_width = Some(variant.width);
                seo.image_height = Some(variant.height);
                photo.url(&config.base_path, variant)
            }
            None => permalink::image_url(config, &site_path, &image.src),
        };
        seo.image = if url.contains("://") {
            url
        } else {
            format!("{}{}", config.base_url.trim_end_matches('/'), url)
        };
    }
    let card_key = |i: usize| cards.get(i).map(|card| card.key);
    let card = |i: usize| {
        cards
            .get(i)
            .map_or_else(Value::none, |card| card.value.clone())
    };
    // The story's own view is its card's view plus `content` (and no `card`): cloning the
    // converted card map costs far less than building and converting the view again.
    context.insert_value(
        "story",
        || {
            let mut view: Map = cards
                .get(idx)
                .and_then(|card| card.value.as_map())
                .cloned()
                .unwrap_or_default();
            view.insert("content".into(), Value::from(&*story.content));
            view.insert("card".into(), Value::from(""));
            Value::from(view)
        },
        (card_key(idx), &story.content),
    );
    // Stories are newest first: the previous (older) one comes after.
    context.insert_value("previous", || card(idx + 1), card_key(idx + 1));
    let next = idx.checked_sub(1);
    context.insert_value(
        "next",
        || next.map_or_else(Value::none, card),
        next.and_then(card_key),
    );
    let related: &[usize] = site.related.get(idx).map_or(&[], Vec::as_slice);
    context.cards.push(idx);
    context.cards.extend(next);
    context
        .cards
        .extend(Some(idx + 1).filter(|&i| i < cards.len()));
    context.cards.extend_from_slice(related);
    context.insert_value(
        "related",
        || Value::from(related.iter().map(|&i| card(i)).collect::<Vec<Value>>()),
        related.iter().map(|&i| card_key(i)).collect::<Vec<_>>(),
    );
    format!(
        "story 《{}》 ({})",
        story.title,
        story.source_path.display()
    )
}

/// `stories` and `paginator` for page `n` of a list of stories.
fn list(
    config: &SiteConfig,
    cards: &[Card],
    base: &str,
    n: usize,
    stories: &[usize],
    context: &mut Builder,
) {
    let per_page = config.paginate_by;
    let start = context.cards.len();
    context.cards.extend(
        stories
            .iter()
            .skip((n - 1) * per_page)
            .take(per_page)
            .filter(|&&idx| idx < cards.len()),
    );
    let shown: Vec<&Card> = context.cards[start..]
        .iter()
        .map(|&idx| &cards[idx])
        .collect();
    let keys: Vec<Key> = shown.iter().map(|card| card.key).collect();
    context.insert_value(
        "stories",
        || {
            Value::from(
                shown
                    .iter()
                    .map(|card| card.value.clone())
                    .collect::<Vec<_>>(),
            )
        },
        keys,
    );
    context.insert(
        "paginator",
        &PaginatorView::new(config, base, n, stories.len()),
    );
}

#[derive(Serialize)]
struct TaxonomyView {
    kind: &'static str,
    title: &'static str,
    url: String,
}

impl TaxonomyView {
    fn new(config: &SiteConfig, kind: TaxonomyKind) -> Self {
        TaxonomyView {
            kind: kind.as_str(),
            title: kind.title(),
            url: permalink::url(config, &format!("{}/", kind.as_str())),
        }
    }
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

fn taxonomy_index(
    site: &Site,
    config: &SiteConfig,
    kind: TaxonomyKind,
    n: usize,
    context: &mut Builder,
) {
    let taxonomy = site.taxonomy(kind);
    let per_page = config.paginate_by;
    let terms: Vec<TermView<'_>> = taxonomy
        .terms
        .iter()
        .skip((n - 1) * per_page)
        .take(per_page)
        .map(|term| TermView {
            name: &term.name,
            slug: &term.slug,
            url: permalink::url(config, &permalink::term_path(kind.as_str(), &term.slug)),
            count: term.stories.len(),
        })
        .collect();
    context.insert("taxonomy", &TaxonomyView::new(config, kind));
    context.insert("terms", &terms);
    let base = format!("{}/", kind.as_str());
    context.insert(
        "paginator",
        &PaginatorView::new(config, &base, n, taxonomy.terms.len()),
    );
}

#[derive(Serialize)]
struct PlaceNode<'a> {
    kind: &'static str,
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
    streets: Vec<PlaceNode<'a>>,
    communities: Vec<PlaceNode<'a>>,
}

fn place_node<'a>(site: &'a Site, config: &SiteConfig, id: usize) -> PlaceNode<'a> {
    let place = &site.places.all[id];
    let children = |kind: PlaceKind| {
        place
            .children
            .iter()
            .filter(|&&child| site.places.all[child].kind == kind)
            .map(|&child| place_node(site, config, child))
            .collect()
    };
    PlaceNode {
        kind: place.kind.as_str(),
        name: &place.name,
        slug: &place.slug,
        url: permalink::url(config, site.places.site_path(id)),
        count: place.stories.len(),
        streets: children(PlaceKind::Street),
        communities: children(PlaceKind::Community),
    }
}

fn place_tree<'a>(site: &'a Site, config: &SiteConfig) -> Vec<PlaceNode<'a>> {
    site.places
        .districts
        .iter()
        .map(|&id| place_node(site, config, id))
        .collect()
}

#[derive(Serialize)]
struct Crumb<'a> {
    kind: &'static str,
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct ChildView<'a> {
    kind: &'static str,
    name: &'a str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct PlaceView<'a> {
    kind: &'static str,
    name: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    count: usize,
    breadcrumbs: Vec<Crumb<'a>>,
    children: Vec<ChildView<'a>>,
    feed_url: String,
}

fn place_view<'a>(site: &'a Site, config: &SiteConfig, id: usize) -> PlaceView<'a> {
    let places = &site.places;
    let place = &places.all[id];
    let site_path = places.site_path(id);
    PlaceView {
        kind: place.kind.as_str(),
        name: &place.name,
        slug: &place.slug,
        url: permalink::url(config, site_path),
        permalink: permalink::permalink(config, site_path),
        count: place.stories.len(),
        breadcrumbs: places
            .lineage(id)
            .into_iter()
            .map(|crumb| Crumb {
                kind: places.all[crumb].kind.as_str(),
                name: &places.all[crumb].name,
                url: permalink::url(config, places.site_path(crumb)),
            })
            .collect(),
        children: place
            .children
            .iter()
            .map(|&child| ChildView {
                kind: places.all[child].kind.as_str(),
                name: &places.all[child].name,
                url: permalink::url(config, places.site_path(child)),
                count: places.all[child].stories.len(),
            })
            .collect(),
        feed_url: if place.kind == PlaceKind::District {
            permalink::url(
                config,
                &format!("{site_path}{}", crate::render::feeds::FEED_FILE),
            )
        } else {
            String::new()
        },
    }
}

/// The title and the name in messages of the 404 and search pages, which show no content.
fn page_without_content(job: Job) -> (&'static str, &'static str) {
    if job == Job::Search {
        ("搜索", "the search page")
    } else {
        ("页面不存在", "the 404 page")
    }
}
