//! A standalone page (关于我们, 联系我们): a Markdown file under `content/pages/`.
//!
//! Pages need only a `title`; they are not stories and appear in no story list.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::content::front_matter::Split;
use crate::content::image::ImageLookup;
use crate::content::markdown::Reference;
use crate::diagnostic::Diagnostic;
use crate::fields::{self, YamlBlock};
use crate::text;
use crate::yaml::{TopLevelKey, Value};

/// The front matter fields a page may have.
pub(crate) const PAGE_FIELDS: &[&str] = &["title", "slug", "summary", "weight", "draft", "extra"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    title: Option<String>,
    slug: Option<String>,
    summary: Option<String>,
    weight: Option<i64>,
    draft: Option<bool>,
    extra: Option<Value>,
}

/// A validated standalone page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The Markdown file, relative to the site root.
    pub source_path: PathBuf,
    /// For a bundle (`<folder>/index.md`): the other files of the folder, relative to it.
    pub assets: Vec<PathBuf>,
    /// ASCII, URL-safe; the page is written to `/<slug>/`.
    pub slug: String,
    /// Page title.
    pub title: String,
    /// Front matter summary, else one made from the body.
    pub summary: String,
    /// Order in navigation (lower first).
    pub weight: i64,
    /// Left out of the build unless drafts are asked for.
    pub draft: bool,
    /// Free data for templates.
    pub extra: Value,
    /// The body as HTML.
    pub content: Arc<str>,
    /// The text of the file, for diagnostics that point into it after loading.
    pub source: Arc<str>,
    /// Where the body starts in `source`.
    pub body_start: usize,
    /// The links and images of the body, spans relative to the body.
    pub references: Vec<Reference>,
    /// The ids in the body that links can point at.
    pub anchors: Vec<String>,
    /// When the file was last changed, for the sitemap's `lastmod` (pages have no date).
    pub modified: Option<jiff::Timestamp>,
    /// Every local image file the page's body shows.
    pub(crate) photos: Vec<std::sync::Arc<crate::images::Probed>>,
}

/// Reads one page file. Stops at the first problem: an unusable `extra`, then a missing
/// title, then an empty slug.
pub(crate) fn parse(
    path: &Path,
    source: &Arc<str>,
    split: &Split,
    assets: Vec<PathBuf>,
) -> Result<Page, Vec<Diagnostic>> {
    let block = split.block(path, source);
    let keys = block.keys();
    let raw: RawPage = fields::read_front_matter(&block, &keys, PAGE_FIELDS, "page")?;
    if let Some(diagnostic) =
        fields::check_extra(&block, &keys, raw.extra.as_ref(), Code::FrontMatterInvalid)
    {
        return Err(vec![diagnostic]);
    }
    let title = page_title(raw.title.as_deref(), &block)?;
    let slug = page_slug(raw.slug.as_deref(), &block, &keys)?;
    Ok(Page {
        source_path: path.to_path_buf(),
        source: Arc::clone(source),
        body_start: split.body_start,
        assets,
        slug,
        title,
        summary: raw
            .summary
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        weight: raw.weight.unwrap_or(0),
        draft: raw.draft.unwrap_or(false),
        extra: raw
            .extra
            .unwrap_or(Value::Mapping(crate::yaml::Mapping::new())),
        content: Arc::from(""),
        references: Vec::new(),
        anchors: Vec::new(),
        photos: Vec::new(),
        modified: None,
    })
}

/// The title, trimmed; an error at the front matter when there is none.
fn page_title(title: Option<&str>, block: &YamlBlock<'_>) -> Result<String, Vec<Diagnostic>> {
    let title = title.map(|t| t.trim().to_string()).unwrap_or_default();
    if title.is_empty() {
        return Err(vec![
            Diagnostic::error(
                Code::FrontMatterMissingField,
                "missing required field `title`",
            )
            .at(block.path, block.source, 0..3)
            .with_label("in this front matter")
            .with_help("add a line `title: 关于我们`"),
        ]);
    }
    Ok(title)
}

/// The slug: of `slug:` when written, else of the file name; an error when it is empty.
fn page_slug(
    written: Option<&str>,
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
) -> Result<String, Vec<Diagnostic>> {
    let slug_source = written.map_or_else(
        || crate::content::story::file_slug_source(block.path),
        str::to_string,
    );
    let slug = text::slugify(&slug_source);
    if slug.is_empty() {
        let (offset, len) = block.value_span(keys, "slug").unwrap_or((0, 0));
        return Err(vec![
            block
                .error_at(
                    Code::FrontMatterSlug,
                    format!("`{slug_source}` gives an empty slug"),
                    offset,
                    len,
                )
                .with_help("add a `slug:` with letters, digits and `-`, such as `slug: about`"),
        ]);
    }
    Ok(slug)
}

impl Page {
    /// Renders the body once the site path of every story and page is known, like
    /// [`crate::content::Story::render_body`].
    pub fn render_body(
        &mut self,
        site_paths: &HashMap<PathBuf, String>,
        base_path: &str,
        images: &ImageLookup<'_>,
    ) {
        let (rendered, _) = crate::content::render_body(
            &self.source[self.body_start..],
            &self.source_path,
            site_paths,
            base_path,
            images,
        );
        if self.summary.is_empty() {
            self.summary = text::summarize(&rendered.plain_text, 120);
        }
        self.content = rendered.html.into();
        self.references = rendered.references;
        self.anchors = rendered.anchors;
        self.photos = images.take_used();
    }
}
