//! The in-memory site: published stories in order, pages, and the checks that need all of them.
//!
//! [`assemble`] is pure: it takes what `content` loaded and returns the [`Site`] that `render`
//! turns into pages, plus the problems that only show across files (two stories with one slug).
//! This module does no I/O.

pub(crate) mod permalink;
pub(crate) mod places;
pub(crate) mod related;
pub(crate) mod taxonomy;

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::content::{Content, Page, Story};
use crate::diagnostic::Diagnostic;
use places::Places;
use taxonomy::{Taxonomy, TaxonomyKind};

/// What gets published.
#[derive(Debug, Default, Clone)]
pub struct Site {
    /// Published stories, newest first (ties by slug). Shared, so that a copy of the site (for
    /// the search index `serve` builds on a thread of its own) costs little, and `serve` can
    /// replace one story without copying the others.
    pub stories: Vec<Arc<Story>>,
    /// Published pages, by weight then title.
    pub pages: Vec<Page>,
    /// Districts, streets and communities with their stories.
    pub places: Places,
    /// Reporters, tags and series, in the order of [`TaxonomyKind::ALL`].
    pub taxonomies: Vec<Taxonomy>,
    /// For each story, the related stories.
    pub related: Vec<Vec<usize>>,
    /// Stories and pages left out of this build, for the link checks.
    pub unpublished: Vec<Unpublished>,
    /// When the first story left out for its future date becomes due.
    pub next_due: Option<jiff::Timestamp>,
}

/// A story or page that exists but is not published in this build.
#[derive(Debug, Clone)]
pub struct Unpublished {
    /// The Markdown file, relative to the site root.
    pub source_path: PathBuf,
    /// The site path it would have.
    pub site_path: String,
    /// Why it is left out.
    pub reason: Unpublish,
}

/// Why a story or page is not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpublish {
    /// `draft: true`.
    Draft,
    /// Dated after the build time; the date as written in the site time zone.
    Future(String),
}

impl Site {
    /// One of the taxonomies.
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        &self.taxonomies[kind.index()]
    }
}

/// Whether a story is published in this build: not a draft (unless drafts are asked for) and not
/// dated after the build time (unless future stories are asked for).
pub fn is_published(story: &Story, config: &SiteConfig) -> bool {
    (config.include_drafts || !story.draft)
        && (config.include_future || story.date.timestamp() <= config.now)
}

/// Filters drafts, orders everything, and checks slugs across files.
pub fn assemble(content: Content, config: &SiteConfig) -> (Site, Vec<Diagnostic>) {
    let Content {
        mut stories,
        mut pages,
        places_registry,
        ..
    } = content;
    let mut diagnostics = Vec::new();
    let left_out = leave_out_unpublished(&mut stories, &mut pages, config);
    // Sort by source path first so that which file is "the other one" in a collision is stable.
    stories.sort_by(|a, b| a.source_path.cmp(&b.source_path));
    pages.sort_by(|a, b| a.source_path.cmp(&b.source_path));
    diagnostics.extend(duplicate_story_slugs(&stories));
    diagnostics.extend(duplicate_page_slugs(&pages));
    diagnostics.extend(reserved_page_slugs(&pages));
    stories.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    pages.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.title.cmp(&b.title)));
    let (places, place_diagnostics) = places::build(places_registry.as_ref(), &mut stories);
    diagnostics.extend(place_diagnostics);
    let taxonomies = build_taxonomies(&stories, &mut diagnostics);
    let related = related::build(&stories, &places, &taxonomies[TaxonomyKind::Tags.index()]);
    let site = Site {
        stories: stories.into_iter().map(Arc::new).collect(),
        pages,
        places,
        taxonomies,
        related,
        unpublished: left_out.unpublished,
        next_due: left_out.next_due,
    };
    (site, diagnostics)
}

/// What [`leave_out_unpublished`] left out.
struct LeftOut {
    /// Stories, then pages.
    unpublished: Vec<Unpublished>,
    /// When the first story left out for its date (and not for being a draft) becomes due.
    next_due: Option<jiff::Timestamp>,
}

/// Removes the stories and pages this build does not publish, and says which they were.
fn leave_out_unpublished(
    stories: &mut Vec<Story>,
    pages: &mut Vec<Page>,
    config: &SiteConfig,
) -> LeftOut {
    let mut unpublished: Vec<Unpublished> = Vec::new();
    let mut next_due: Option<jiff::Timestamp> = None;
    stories.retain(|story| {
        let published = is_published(story, config);
        if !published && (config.include_drafts || !story.draft) {
            let due = story.date.timestamp();
            next_due = Some(next_due.map_or(due, |next| next.min(due)));
        }
        if !published {
            unpublished.push(Unpublished {
                source_path: story.source_path.clone(),
                site_path: permalink::story_path(&story.slug),
                reason: if story.draft && !config.include_drafts {
                    Unpublish::Draft
                } else {
                    Unpublish::Future(story.date.strftime("%Y-%m-%d %H:%M").to_string())
                },
            });
        }
        published
    });
    pages.retain(|page| {
        let published = config.include_drafts || !page.draft;
        if !published {
            unpublished.push(Unpublished {
                source_path: page.source_path.clone(),
                site_path: permalink::page_path(&page.slug),
                reason: Unpublish::Draft,
            });
        }
        published
    });
    LeftOut {
        unpublished,
        next_due,
    }
}

fn duplicate_story_slugs(stories: &[Story]) -> Vec<Diagnostic> {
    let claims = stories.iter().map(|story| SlugClaim {
        slug: &story.slug,
        path: &story.source_path,
        written: story.slug_span.clone().map(|span| WrittenSlug {
            source: &story.source,
            span,
        }),
    });
    duplicate_slugs(claims, "stories")
}

fn duplicate_page_slugs(pages: &[Page]) -> Vec<Diagnostic> {
    let claims = pages.iter().map(|page| SlugClaim {
        slug: &page.slug,
        path: &page.source_path,
        written: None,
    });
    duplicate_slugs(claims, "pages")
}

/// Pages whose slug is a folder of yuanba's own pages.
fn reserved_page_slugs(pages: &[Page]) -> Vec<Diagnostic> {
    pages
        .iter()
        .filter(|page| permalink::RESERVED_PAGE_SLUGS.contains(&page.slug.as_str()))
        .map(|page| {
            Diagnostic::error(
                Code::SiteReservedSlug,
                format!(
                    "the page slug `{}` is used by yuanba for its own pages",
                    page.slug
                ),
            )
            .in_file(&page.source_path)
            .with_help("set another `slug:` in the page's front matter")
        })
        .collect()
}

/// Every taxonomy, in the order of [`TaxonomyKind::ALL`].
fn build_taxonomies(stories: &[Story], diagnostics: &mut Vec<Diagnostic>) -> Vec<Taxonomy> {
    TaxonomyKind::ALL
        .iter()
        .map(|&kind| {
            let (taxonomy, found) = taxonomy::build(kind, stories);
            diagnostics.extend(found);
            taxonomy
        })
        .collect()
}

/// Something that claims a slug: a story or a page.
struct SlugClaim<'a> {
    slug: &'a str,
    path: &'a Path,
    /// Where the slug is written, when it was written by hand.
    written: Option<WrittenSlug<'a>>,
}

/// A `slug:` value in a file.
struct WrittenSlug<'a> {
    /// The file's text.
    source: &'a Arc<str>,
    /// Where the value is in it.
    span: Range<usize>,
}

fn duplicate_slugs<'a>(
    claims: impl Iterator<Item = SlugClaim<'a>>,
    what_plural: &str,
) -> Vec<Diagnostic> {
    let mut first_by_slug: HashMap<&str, &Path> = HashMap::new();
    let mut diagnostics = Vec::new();
    for claim in claims {
        let Some(first) = first_by_slug.get(claim.slug) else {
            first_by_slug.insert(claim.slug, claim.path);
            continue;
        };
        let diagnostic = Diagnostic::error(
            Code::SiteDuplicateSlug,
            format!(
                "two {what_plural} have the slug `{}`: {} and {}",
                claim.slug,
                first.display(),
                claim.path.display()
            ),
        )
        .with_help("give one of them another `slug:` in its front matter, or rename the file");
        diagnostics.push(match claim.written {
            Some(written) => diagnostic
                .at(claim.path, written.source, written.span)
                .with_label(format!("also used by {}", first.display())),
            None => diagnostic.in_file(claim.path),
        });
    }
    diagnostics
}
