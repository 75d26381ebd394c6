//! Loading the site's content: every `content/**/*.md` becomes a [`Story`] or a [`Page`].
//!
//! Files are read and parsed in parallel. Problems are collected as diagnostics, never raised,
//! so one run reports every broken file. This module knows nothing about templates or output.

pub(crate) mod front_matter;
pub(crate) mod image;
pub(crate) mod markdown;
pub(crate) mod page;
pub(crate) mod story;

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

pub use page::Page;
pub use story::Story;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::files::{is_ignored_name, normalize_text};
use crate::site::permalink;

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Stories, in file order.
    pub stories: Vec<Story>,
    /// Standalone pages, in file order.
    pub pages: Vec<Page>,
    /// `data/places.yaml`, when the site has one: its path relative to the root, and its text.
    pub places_registry: Option<(PathBuf, Arc<str>)>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// The place registry, relative to the site root.
pub const PLACES_REGISTRY: &str = "data/places.yaml";

/// The folder under `content/` that holds standalone pages rather than stories.
pub const PAGES_DIR: &str = "pages";

/// One Markdown file found under `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the site root, for messages and output.
    pub relative: PathBuf,
    /// Under `content/pages/`: a standalone page, not a story.
    pub is_page: bool,
    /// For `index.md`: the other files of its folder, relative to it.
    pub assets: Vec<PathBuf>,
}

/// Walks `content/` and reads every Markdown file.
pub fn load(config: &SiteConfig) -> Content {
    let (files, diagnostics) = discover(config);
    let results = files
        .par_iter()
        .map(|file| load_file(file, config))
        .collect();
    collect(results, diagnostics, config)
}

/// Puts the results of [`load_file`] together, in file order, after the `diagnostics` of the
/// walk, and reads the place registry.
pub fn collect(
    results: Vec<Result<Loaded, Vec<Diagnostic>>>,
    diagnostics: Vec<Diagnostic>,
    config: &SiteConfig,
) -> Content {
    let mut content = Content {
        diagnostics,
        ..Content::default()
    };
    for result in results {
        match result {
            Ok(Loaded::Story(story)) => content.stories.push(*story),
            Ok(Loaded::Page(page)) => content.pages.push(*page),
            Err(found) => content.diagnostics.extend(found),
        }
    }
    render_bodies(&mut content, config);
    content.places_registry = read_registry(config, &mut content.diagnostics);
    content
}

/// Where each story and page will be, by source path.
pub(crate) fn site_paths<'a>(
    entries: impl Iterator<Item = (&'a PathBuf, String)>,
) -> HashMap<PathBuf, String> {
    entries
        .map(|(source_path, site_path)| (source_path.clone(), site_path))
        .collect()
}

/// The source path of a loaded file, and where it will be.
pub(crate) fn site_path_of(file: &Loaded) -> (&PathBuf, String) {
    match file {
        Loaded::Story(story) => (&story.source_path, permalink::story_path(&story.slug)),
        Loaded::Page(page) => (&page.source_path, permalink::page_path(&page.slug)),
    }
}

/// Renders every body, in parallel, once every file's site path is known: a link to another
/// story's Markdown file becomes that story's URL as the Markdown is rendered, with no second
/// pass over the HTML. Drafts get their URL too, so a link to one still works with `--drafts`
/// (`check::links` reports it otherwise).
fn render_bodies(content: &mut Content, config: &SiteConfig) {
    let site_paths = site_paths(
        content
            .stories
            .iter()
            .map(|story| (&story.source_path, permalink::story_path(&story.slug)))
            .chain(
                content
                    .pages
                    .iter()
                    .map(|page| (&page.source_path, permalink::page_path(&page.slug))),
            ),
    );
    let base_path = config.base_path.as_str();
    content.stories.par_iter_mut().for_each(|story| {
        let images = image::ImageLookup::new(config, &story.source_path);
        story.render_body(&site_paths, base_path, &images);
    });
    content.pages.par_iter_mut().for_each(|page| {
        let images = image::ImageLookup::new(config, &page.source_path);
        page.render_body(&site_paths, base_path, &images);
    });
}

/// Renders the Markdown body of `source_path` once every story's and page's site path is known:
/// links to their files become their URLs, images get their sizes. Also returns the link context,
/// for callers that render a part of the body again.
pub(crate) fn render_body<'a>(
    body: &str,
    source_path: &'a Path,
    site_paths: &'a HashMap<PathBuf, String>,
    base_path: &'a str,
    images: &image::ImageLookup<'_>,
) -> (markdown::Rendered, markdown::LinkContext<'a>) {
    let links = markdown::LinkContext {
        base_path,
        source_path,
        site_paths,
    };
    let sizes = images.body_sizes();
    let rendered = markdown::render_with_images(body, &links, &|src| images.info(src, sizes));
    (rendered, links)
}

/// Reads `data/places.yaml` if it exists (parsing it is the site's business).
pub(crate) fn read_registry(
    config: &SiteConfig,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(PathBuf, Arc<str>)> {
    let relative = PathBuf::from(PLACES_REGISTRY);
    match std::fs::read(config.root.join(&relative)) {
        Ok(bytes) => {
            if let Ok(text) = String::from_utf8(bytes) {
                return Some((relative, Arc::from(normalize_text(text))));
            }
            diagnostics.push(
                Diagnostic::error(
                    Code::PlacesEncoding,
                    "the place registry is not valid UTF-8",
                )
                .in_file(&relative)
                .with_help("save the file as UTF-8"),
            );
            None
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::PlacesRead,
                    format!("cannot read the place registry: {error}"),
                )
                .in_file(&relative),
            );
            None
        }
    }
}

/// One file of `content/`, parsed.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Any Markdown file outside `content/pages/`.
    Story(Box<Story>),
    /// A file under `content/pages/`.
    Page(Box<Page>),
}

impl Loaded {
    /// The Markdown file, relative to the site root.
    pub fn source_path(&self) -> &Path {
        match self {
            Loaded::Story(story) => &story.source_path,
            Loaded::Page(page) => &page.source_path,
        }
    }
}

/// Every Markdown file under `content/`, in path order, and the folders that could not be read.
pub fn discover(config: &SiteConfig) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let content_dir = &config.content_dir();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    if !content_dir.is_dir() {
        return (files, diagnostics);
    }
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_ignored_name(&entry.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error.path().map(|p| config.relative(p).to_path_buf());
                let mut diagnostic =
                    Diagnostic::error(Code::ContentIo, format!("cannot read: {error}"));
                diagnostic.path = path;
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || !is_markdown(path) {
            continue;
        }
        let in_content = path.strip_prefix(content_dir).unwrap_or(path);
        let is_page = in_content.starts_with(PAGES_DIR);
        let folder = path.parent().unwrap_or(content_dir);
        let is_bundle =
            is_bundle_index(path) && folder != content_dir && folder != content_dir.join(PAGES_DIR);
        let assets = if is_bundle {
            bundle_assets(folder)
        } else {
            Vec::new()
        };
        files.push(SourceFile {
            path: path.to_path_buf(),
            relative: config.relative(path).to_path_buf(),
            is_page,
            assets,
        });
    }
    (files, diagnostics)
}

/// The non-Markdown files of a bundle folder, relative to it.
fn bundle_assets(folder: &Path) -> Vec<PathBuf> {
    WalkDir::new(folder)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let nested_bundle = entry.depth() > 0
                && entry.file_type().is_dir()
                && std::fs::read_dir(entry.path()).is_ok_and(|mut entries| {
                    entries.any(|e| e.is_ok_and(|e| is_bundle_index(&e.path())))
                });
            entry.depth() == 0
                || !(nested_bundle || is_ignored_name(&entry.file_name().to_string_lossy()))
        })
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file() && !is_markdown(entry.path()))
        .filter_map(|entry| {
            entry
                .path()
                .strip_prefix(folder)
                .ok()
                .map(Path::to_path_buf)
        })
        .collect()
}

/// Whether a file is Markdown (`.md`, any case).
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
}

/// Whether a file is the `index.md` of a bundle folder.
pub(crate) fn is_bundle_index(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.eq_ignore_ascii_case("index.md"))
}

/// Reads and parses one file found by [`discover`].
pub fn load_file(file: &SourceFile, config: &SiteConfig) -> Result<Loaded, Vec<Diagnostic>> {
    let source = read_source(&file.path, &file.relative).map_err(|d| vec![d])?;
    let split = front_matter::split(&file.relative, &source).map_err(|d| vec![d])?;
    if file.is_page {
        let modified = std::fs::metadata(&file.path)
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|time| jiff::Timestamp::try_from(time).ok());
        page::parse(&file.relative, &source, &split, file.assets.clone())
            .map(|page| Loaded::Page(Box::new(page::Page { modified, ..page })))
    } else {
        story::parse(&file.relative, &source, &split, file.assets.clone(), config)
            .map(|story| Loaded::Story(Box::new(story)))
    }
}

/// Reads a text file as UTF-8, without a BOM and with `\n` line endings.
fn read_source(path: &Path, relative: &Path) -> Result<Arc<str>, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|error| {
        Diagnostic::error(Code::ContentIo, format!("cannot read the file: {error}"))
            .in_file(relative)
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(normalize_text(text))),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let lossy: Arc<str> = Arc::from(normalize_text(
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
            ));
            // CRLF normalization before the bad byte shifts it by one byte per line.
            let shift = error.as_bytes()[..valid_up_to]
                .windows(2)
                .filter(|pair| {
                    pair == b"
"
                })
                .count();
            let bom = usize::from(error.as_bytes().starts_with(b"\xEF\xBB\xBF")) * 3;
            let offset = valid_up_to.saturating_sub(shift + bom);
            Err(
                Diagnostic::error(Code::ContentEncoding, "the file is not valid UTF-8")
                    .at(relative, &lossy, offset..offset + '\u{FFFD}'.len_utf8())
                    .with_label("this byte is not UTF-8")
                    .with_help("save the file as UTF-8 (GBK and GB 2312 files must be converted)"),
            )
        }
    }
}
