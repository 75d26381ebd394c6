//! What templates see: serializable views of the config, stories and pages.
//!
//! The field names here are the template API documented in `docs/themes.md`; change both together.

use serde::Serialize;

use crate::config::{Campaign, Contact, SiteConfig};
use crate::content::{Page, Story};
use crate::site::permalink;
use crate::yaml::Value;

/// `site` in every template.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
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
    pub fn new(config: &'a SiteConfig) -> Self {
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

/// An item of `pages`, for navigation.
#[derive(Debug, Serialize)]
pub struct PageLink<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
}

impl<'a> PageLink<'a> {
    /// The link to a page.
    pub fn new(page: &'a Page, config: &SiteConfig) -> Self {
        PageLink {
            title: &page.title,
            slug: &page.slug,
            url: permalink::url(config, &permalink::page_path(&page.slug)),
        }
    }
}

/// `page` in `page.html`.
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
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
    pub fn new(page: &'a Page, config: &SiteConfig) -> Self {
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
pub struct ImageView<'a> {
    src: &'a str,
    url: String,
    caption: &'a str,
    alt: &'a str,
    credit: &'a str,
}

/// `story` in `story.html`, and each item of `stories` (there without `content`).
#[derive(Debug, Serialize)]
pub struct StoryView<'a> {
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
    reporters: &'a [String],
    photo_credit: &'a str,
    series: &'a str,
    highlights: &'a [String],
    tags: &'a [String],
    images: Vec<ImageView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    reading_minutes: usize,
    draft: bool,
    extra: &'a Value,
    source_path: String,
}

/// Whether a story view carries the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithBody {
    /// For the story's own page.
    Yes,
    /// For lists, where the body would only cost time.
    No,
}

impl<'a> StoryView<'a> {
    /// The view of a story.
    pub fn new(story: &'a Story, config: &SiteConfig, with_body: WithBody) -> Self {
        let site_path = permalink::story_path(&story.slug);
        let images = story
            .images
            .iter()
            .map(|image| ImageView {
                src: &image.src,
                url: permalink::image_url(config, &site_path, &image.src),
                caption: &image.caption,
                alt: &image.alt,
                credit: &image.credit,
            })
            .collect();
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
            reporters: &story.reporters,
            photo_credit: &story.photo_credit,
            series: &story.series,
            highlights: &story.highlights,
            tags: &story.tags,
            images,
            content: (with_body == WithBody::Yes).then_some(story.content.as_str()),
            reading_minutes: story.reading_minutes,
            draft: story.draft,
            extra: &story.extra,
            source_path: story.source_path.to_string_lossy().replace('\\', "/"),
        }
    }
}
