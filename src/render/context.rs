//! What templates see: serializable views of the config, stories and pages.
//!
//! The field names here are the template API documented in `docs/themes.md`; change both together.

use serde::Serialize;

use crate::config::{Campaign, Contact, SiteConfig};
use crate::content::Page;
use crate::site::taxonomy::TaxonomyKind;
use crate::site::{Site, permalink};
use crate::yaml::Value;

/// `site` in every template.
#[derive(Debug, Serialize)]
pub(crate) struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    tagline: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    timezone: &'a str,
    campaign: Option<&'a Campaign>,
    contact: Option<&'a Contact>,
    extra: &'a Value,
    search: bool,
}

impl<'a> SiteView<'a> {
    /// The view of a config.
    pub(crate) fn new(config: &'a SiteConfig) -> Self {
        SiteView {
            title: &config.title,
            description: &config.description,
            tagline: &config.tagline,
            base_url: &config.base_url,
            base_path: &config.base_path,
            language: &config.language,
            timezone: &config.timezone_name,
            campaign: config.campaign.as_ref(),
            contact: config.contact.as_ref(),
            extra: &config.extra,
            search: config.search,
        }
    }
}

/// `theme` in every template: the active theme and its options (`theme.yaml`, then the site's
/// `theme_options`).
#[derive(Debug, Serialize)]
pub(crate) struct ThemeView<'a> {
    name: &'a str,
    description: &'a str,
    options: &'a crate::yaml::Mapping,
}

impl<'a> ThemeView<'a> {
    /// The view of the configured theme.
    pub(crate) fn new(config: &'a SiteConfig) -> Self {
        ThemeView {
            name: &config.theme,
            description: &config.theme_description,
            options: &config.theme_options,
        }
    }
}

/// An item of `pages`, for navigation.
#[derive(Debug, Serialize)]
pub(crate) struct PageLink<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
}

impl<'a> PageLink<'a> {
    /// The link to a page.
    pub(crate) fn new(page: &'a Page, config: &SiteConfig) -> Self {
        PageLink {
            title: &page.title,
            slug: &page.slug,
            url: permalink::url(config, &permalink::page_path(&page.slug)),
        }
    }
}

/// `page` in `page.html`.
#[derive(Debug, Serialize)]
pub(crate) struct PageView<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    summary: &'a str,
    content: &'a str,
    extra: &'a Value,
}

impl<'a> PageView<'a> {
    /// The view of a page.
    pub(crate) fn new(page: &'a Page, config: &SiteConfig) -> Self {
        let site_path = permalink::page_path(&page.slug);
        PageView {
            title: &page.title,
            slug: &page.slug,
            url: permalink::url(config, &site_path),
            permalink: permalink::permalink(config, &site_path),
            summary: &page.summary,
            content: &page.content,
            extra: &page.extra,
        }
    }
}

/// An image of a story.
#[derive(Debug, Serialize)]
pub(crate) struct ImageView<'a> {
    src: &'a str,
    /// The local file, from the site root (`content/stories/a/photo.jpg`), for `resize_image`;
    /// empty for an image of another site.
    source: String,
    /// The URL to show: a photo's fallback variant, else the file itself.
    url: String,
    caption: &'a str,
    alt: &'a str,
    credit: &'a str,
    /// Pixel size of a local image (as displayed); `null` when unknown.
    width: Option<u32>,
    height: Option<u32>,
    /// A photo's `srcset` in each format, by format name (`webp`, `jpeg`); empty otherwise.
    srcset: std::collections::BTreeMap<&'static str, String>,
    /// A photo's `<source>`s: each format but the last, in order, as `type` and `srcset`.
    sources: Vec<SourceView>,
    /// The `srcset` of the `<img>`: the last format's; empty for anything but a photo.
    img_srcset: String,
    /// A photo's average colour, `#rrggbb`, for a placeholder background; `null` otherwise.
    color: Option<String>,
}

/// A `<source>` of a photo's `<picture>`.
#[derive(Debug, Serialize)]
pub(crate) struct SourceView {
    #[serde(rename = "type")]
    mime: &'static str,
    srcset: String,
}

impl<'a> ImageView<'a> {
    /// The view of a story's photo; `site_path` is the story's.
    pub(crate) fn new(
        image: &'a crate::content::story::Image,
        config: &SiteConfig,
        site_path: &str,
    ) -> Self {
        let photo = image
            .probed
            .as_deref()
            .and_then(crate::images::Probed::photo);
        let picture = photo.and_then(|photo| crate::content::image::Picture::of(photo, config, ""));
        let srcset = photo
            .map(|photo| {
                config
                    .images
                    .formats
                    .iter()
                    .map(|format| (format.as_str(), photo.srcset(&config.base_path, *format)))
                    .collect()
            })
            .unwrap_or_default();
        ImageView {
            src: &image.src,
            source: image
                .probed
                .as_deref()
                .map(|probed| {
                    config
                        .relative(&probed.source)
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .unwrap_or_default(),
            url: picture.as_ref().map_or_else(
                || permalink::image_url(config, site_path, &image.src),
                |p| p.src.clone(),
            ),
            caption: &image.caption,
            alt: &image.alt,
            credit: &image.credit,
            width: image.size.map(|size| size.width),
            height: image.size.map(|size| size.height),
            srcset,
            sources: picture
                .as_ref()
                .map(|picture| {
                    picture
                        .sources
                        .iter()
                        .map(|(mime, srcset)| SourceView {
                            mime,
                            srcset: srcset.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            img_srcset: picture.map(|picture| picture.srcset).unwrap_or_default(),
            color: photo.and_then(crate::images::Photo::color_hex),
        }
    }
}

/// A link with a name: a place, reporter, tag or series.
#[derive(Debug, Serialize)]
pub(crate) struct NamedLink<'a> {
    name: &'a str,
    url: String,
}

/// A place in a story's visit line or a breadcrumb.
#[derive(Debug, Serialize)]
pub(crate) struct PlaceLink<'a> {
    kind: &'static str,
    name: &'a str,
    url: String,
}

/// A story as templates see it: each item of `stories`, `previous`, `next` and `related`, and
/// (with `content` added by `render::pages`) `story` in `story.html`.
#[derive(Debug, Serialize)]
pub(crate) struct StoryView<'a> {
    title: &'a str,
    subtitle: &'a str,
    summary: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    date: String,
    date_ymd: String,
    district: &'a str,
    street: &'a str,
    community: &'a str,
    visit_line: String,
    place_links: Vec<PlaceLink<'a>>,
    reporters: &'a [String],
    reporter_links: Vec<NamedLink<'a>>,
    photo_credit: &'a str,
    series: &'a str,
    series_link: Option<NamedLink<'a>>,
    highlights: &'a [String],
    tags: &'a [String],
    tag_links: Vec<NamedLink<'a>>,
    images: Vec<ImageView<'a>>,
    reading_minutes: usize,
    reading_time: usize,
    /// The story's card for lists, rendered once per build (`partials/story_card.html`); empty
    /// while it is being rendered and on the story's own page.
    pub card: String,
    draft: bool,
    extra: &'a Value,
    source_path: String,
}

impl<'a> StoryView<'a> {
    /// The view of the story at `story_idx` of the site.
    // Kept whole: one field of the template API after another (`docs/themes.md`).
    pub(crate) fn new(site: &'a Site, story_idx: usize, config: &SiteConfig) -> Self {
        let story = &site.stories[story_idx];
        let site_path = permalink::story_path(&story.slug);
        let images = story
            .images
            .iter()
            .map(|image| ImageView::new(image, config, &site_path))
            .collect();
        let place_links = site
            .places
            .story_lineage(story_idx)
            .into_iter()
            .map(|id| PlaceLink {
                kind: site.places.all[id].kind.as_str(),
                name: &site.places.all[id].name,
                url: permalink::url(config, site.places.site_path(id)),
            })
            .collect();
        let term_links = |kind: TaxonomyKind| -> Vec<NamedLink<'a>> {
            let taxonomy = site.taxonomy(kind);
            kind.names(story)
                .iter()
                .filter_map(|name| taxonomy.term(name))
                .map(|term| NamedLink {
                    name: &term.name,
                    url: permalink::url(config, &permalink::term_path(kind.as_str(), &term.slug)),
                })
                .collect()
        };
        StoryView {
            title: &story.title,
            subtitle: &story.subtitle,
            summary: &story.summary,
            slug: &story.slug,
            url: permalink::url(config, &site_path),
            permalink: permalink::permalink(config, &site_path),
            date: story.date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            date_ymd: story.date.strftime("%Y-%m-%d").to_string(),
            district: &story.district,
            street: &story.street,
            community: &story.community,
            visit_line: format!("{}{}{}", story.district, story.street, story.community),
            place_links,
            reporters: &story.reporters,
            reporter_links: term_links(TaxonomyKind::Reporters),
            photo_credit: &story.photo_credit,
            series: &story.series,
            series_link: term_links(TaxonomyKind::Series).into_iter().next(),
            highlights: &story.highlights,
            tags: &story.tags,
            tag_links: term_links(TaxonomyKind::Tags),
            images,
            reading_minutes: story.reading_minutes,
            reading_time: story.reading_minutes,
            card: String::new(),
            draft: story.draft,
            extra: &story.extra,
            source_path: story.source_path.to_string_lossy().replace('\\', "/"),
        }
    }
}

/// `paginator` in every list template.
#[derive(Debug, Serialize)]
pub(crate) struct PaginatorView {
    current: usize,
    total: usize,
    per_page: usize,
    total_items: usize,
    first: String,
    last: String,
    prev: Option<String>,
    next: Option<String>,
    links: Vec<PageNumberLink>,
}

/// One numbered link of a paginator. Only pages near the current one and the first and last
/// are listed; `gap_before` says that numbers were left out before this one.
#[derive(Debug, Serialize)]
pub(crate) struct PageNumberLink {
    number: usize,
    url: String,
    current: bool,
    gap_before: bool,
}

/// How many pages a list of `n_items` takes (at least one, even when empty).
pub(crate) fn n_pages(n_items: usize, per_page: usize) -> usize {
    n_items.div_ceil(per_page.max(1)).max(1)
}

impl PaginatorView {
    /// Page `current` (from 1) of a list at the site path `base`.
    pub(crate) fn new(config: &SiteConfig, base: &str, current: usize, total_items: usize) -> Self {
        let per_page = config.paginate_by;
        let total = n_pages(total_items, per_page);
        let page_url = |n: usize| permalink::url(config, &permalink::paged(base, n));
        let mut links = Vec::new();
        let mut previous_number = 0;
        for number in 1..=total {
            let near = number.abs_diff(current) <= 2;
            if number == 1 || number == total || near {
                links.push(PageNumberLink {
                    number,
                    url: page_url(number),
                    current: number == current,
                    gap_before: number > previous_number + 1,
                });
                previous_number = number;
            }
        }
        PaginatorView {
            current,
            total,
            per_page,
            total_items,
            first: page_url(1),
            last: page_url(total),
            prev: (current > 1).then(|| page_url(current - 1)),
            next: (current < total).then(|| page_url(current + 1)),
            links,
        }
    }
}

/// What search engines and link previews (Open Graph, Twitter cards) are told about a page.
#[derive(Debug, Serialize)]
pub(crate) struct SeoView {
    /// The page title without the site name.
    pub title: String,
    /// One or two sentences.
    pub description: String,
    /// The absolute URL of the page.
    pub canonical: String,
    /// An absolute image URL, or empty.
    pub image: String,
    /// The image's size, when it is a photo's JPEG variant.
    pub image_width: Option<u32>,
    /// See `image_width`.
    pub image_height: Option<u32>,
    /// `article` for stories, else `website`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// An Atom feed to announce in the page head.
#[derive(Debug, Serialize)]
pub(crate) struct FeedLink {
    /// Its title.
    pub title: String,
    /// Root-relative URL.
    pub url: String,
}
