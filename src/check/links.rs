//! Links and images of stories and pages: each must reach something the build publishes.
//!
//! A link is read as one of: a link to another story's Markdown file (`../2018/zongfulu.md`,
//! relative to the linking file; `content::markdown` already rewrote it to the story's URL), a
//! site URL (`/stories/zongfulu/`, or the absolute `https://<base_url>/…`), a path relative to
//! the page (`photo.jpg` in a story folder), an anchor (`#section`), or an external URL (kept
//! for `--external`). Each must be a published page or a file of the built site, anchors must
//! be ids on the target page, and a link to a draft or a story dated in the future is an error.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{Location, OutputFiles};
use crate::config::SiteConfig;
use crate::content::markdown::{self, Reference, ReferenceKind};
use crate::content::story::Image;
use crate::diagnostic::Diagnostic;
use crate::fields::did_you_mean;
use crate::site::{Site, Unpublish, Unpublished, permalink};

/// What the link check found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Broken links and images.
    pub diagnostics: Vec<Diagnostic>,
    /// Images of stories that are files of the built site, for the size warning.
    pub images: Vec<LocalImage>,
    /// Links (not images) to copied files of the built site: a link to a photo's original is
    /// broken unless originals are published (`check::photos`).
    pub file_links: Vec<LocalImage>,
    /// `http:` and `https:` links and images, for `--external`.
    pub external: Vec<ExternalLink>,
}

/// An image of a story that the build publishes.
#[derive(Debug, Clone)]
pub(crate) struct LocalImage {
    /// The file in the output folder.
    pub file: PathBuf,
    /// Where the story refers to it.
    pub location: Location,
}

/// A link or image to another site.
#[derive(Debug, Clone)]
pub(crate) struct ExternalLink {
    /// The URL as written.
    pub url: String,
    /// Where it is written.
    pub location: Location,
}

/// A story or page whose links are checked, and which links can point at.
struct Document<'a> {
    source_path: &'a Path,
    source: &'a Arc<str>,
    body_start: usize,
    site_path: String,
    references: &'a [Reference],
    anchors: &'a [String],
    /// Front matter photos (stories only).
    images: &'a [Image],
    /// Where the front matter `images:` key is, to find each `src` after it.
    images_at: usize,
    /// Files of its folder, for a bundle.
    assets: &'a [PathBuf],
}

/// Everything a link can reach.
struct Targets<'a> {
    config: &'a SiteConfig,
    documents: Vec<Document<'a>>,
    /// Documents by source path and by site path; `None` when only a few documents are
    /// checked ([`check_stories`]), where searching the list costs less than making the maps.
    by_source: Option<HashMap<&'a Path, usize>>,
    by_site_path: Option<HashMap<String, usize>>,
    unpublished_by_source: HashMap<&'a Path, &'a Unpublished>,
    unpublished_by_site_path: HashMap<&'a str, &'a Unpublished>,
    outputs: &'a OutputFiles<'a>,
}

/// Checks every link and image of the published stories and pages.
pub(crate) fn check(site: &Site, config: &SiteConfig, outputs: &OutputFiles<'_>) -> Report {
    check_some(site, config, outputs, None)
}

/// [`check`] for only the links and images of some stories (indices into `site.stories`), for
/// `serve` when only they changed.
pub(crate) fn check_stories(
    site: &Site,
    config: &SiteConfig,
    outputs: &OutputFiles<'_>,
    stories: &[usize],
) -> Report {
    check_some(site, config, outputs, Some(stories))
}

fn check_some(
    site: &Site,
    config: &SiteConfig,
    outputs: &OutputFiles<'_>,
    only: Option<&[usize]>,
) -> Report {
    let targets = Targets::new(documents(site), site, config, outputs, only.is_none());
    let checked: Vec<&Document<'_>> = match only {
        None => targets.documents.iter().collect(),
        Some(stories) => stories
            .iter()
            .filter_map(|&idx| targets.documents.get(idx))
            .collect(),
    };
    let mut report = Report::default();
    for doc in checked {
        targets.check_references(doc, &mut report);
        targets.check_photos(doc, &mut report);
    }
    report
}

/// Every story, then every page, as a document (so a story's index is its index in
/// `site.stories`).
fn documents(site: &Site) -> Vec<Document<'_>> {
    let stories = site.stories.iter().map(|story| Document {
        source_path: &story.source_path,
        source: &story.source,
        body_start: story.body_start,
        site_path: permalink::story_path(&story.slug),
        references: &story.references,
        anchors: &story.anchors,
        images: &story.images,
        images_at: story.field_span("images").map_or(0, |span| span.start),
        assets: &story.assets,
    });
    let pages = site.pages.iter().map(|page| Document {
        source_path: &page.source_path,
        source: &page.source,
        body_start: page.body_start,
        site_path: permalink::page_path(&page.slug),
        references: &page.references,
        anchors: &page.anchors,
        images: &[],
        images_at: 0,
        assets: &page.assets,
    });
    stories.chain(pages).collect()
}

impl Document<'_> {
    fn location(&self, span: std::ops::Range<usize>) -> Location {
        Location {
            path: self.source_path.to_path_buf(),
            source: Arc::clone(self.source),
            span,
        }
    }
}

impl<'a> Targets<'a> {
    /// What the links of `documents` can reach; `indexed` makes the maps by source and site
    /// path (worth it when every document is checked).
    fn new(
        documents: Vec<Document<'a>>,
        site: &'a Site,
        config: &'a SiteConfig,
        outputs: &'a OutputFiles<'a>,
        indexed: bool,
    ) -> Self {
        Targets {
            config,
            by_source: indexed.then(|| {
                documents
                    .iter()
                    .enumerate()
                    .map(|(idx, doc)| (doc.source_path, idx))
                    .collect()
            }),
            by_site_path: indexed.then(|| {
                documents
                    .iter()
                    .enumerate()
                    .map(|(idx, doc)| (doc.site_path.clone(), idx))
                    .collect()
            }),
            unpublished_by_source: site
                .unpublished
                .iter()
                .map(|u| (u.source_path.as_path(), u))
                .collect(),
            unpublished_by_site_path: site
                .unpublished
                .iter()
                .map(|u| (u.site_path.as_str(), u))
                .collect(),
            documents,
            outputs,
        }
    }
}

impl Targets<'_> {
    /// The links and images of the body.
    fn check_references(&self, doc: &Document<'_>, report: &mut Report) {
        for reference in doc.references {
            let span = doc.body_start + reference.span.start..doc.body_start + reference.span.end;
            let location = doc.location(span);
            self.check_one(doc, &reference.url, reference.kind, location, report);
        }
    }

    /// The photos of the front matter, each at its `src` after the `images:` key.
    fn check_photos(&self, doc: &Document<'_>, report: &mut Report) {
        for image in doc.images {
            let src = image.src.trim();
            let front_matter = &doc.source[..doc.body_start];
            let span = front_matter[doc.images_at.min(front_matter.len())..]
                .find(src)
                .filter(|_| !src.is_empty())
                .map_or(doc.images_at..doc.images_at, |idx| {
                    doc.images_at + idx..doc.images_at + idx + src.len()
                });
            let location = doc.location(span);
            self.check_one(doc, src, ReferenceKind::Image, location, report);
        }
    }

    fn document_at_source(&self, path: &Path) -> Option<usize> {
        match &self.by_source {
            Some(map) => map.get(path).copied(),
            None => self
                .documents
                .iter()
                .position(|doc| doc.source_path == path),
        }
    }

    fn document_at_site_path(&self, site_path: &str) -> Option<usize> {
        match &self.by_site_path {
            Some(map) => map.get(site_path).copied(),
            None => self
                .documents
                .iter()
                .position(|doc| doc.site_path == site_path),
        }
    }

    fn check_one(
        &self,
        doc: &Document<'_>,
        url: &str,
        kind: ReferenceKind,
        location: Location,
        report: &mut Report,
    ) {
        let url = url.trim();
        if url.is_empty() {
            return;
        }
        if let Some(rest) = url.strip_prefix(self.config.base_url.as_str()) {
            return self.check_site_path(doc, url, rest, kind, &location, report);
        }
        if markdown::has_scheme(url) {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://")
                || lower.starts_with("https://")
                || url.starts_with("//")
            {
                report.external.push(ExternalLink {
                    url: url.to_string(),
                    location,
                });
            }
            return;
        }
        if let Some(fragment) = url.strip_prefix('#') {
            return self.check_anchor(doc, url, fragment, &location, report);
        }
        if let Some(target) = markdown::source_link(doc.source_path, url) {
            return self.check_source_link(url, &target, &location, report);
        }
        let site_path = if let Some(rest) = url.strip_prefix(self.config.base_path.as_str()) {
            Some(rest.to_string())
        } else if let Some(rest) = url.strip_prefix('/') {
            Some(rest.to_string())
        } else {
            join_site_path(&doc.site_path, url)
        };
        match site_path {
            Some(site_path) => self.check_site_path(doc, url, &site_path, kind, &location, report),
            None => report
                .diagnostics
                .push(not_found(kind, url, &location).with_help(
                    "the path goes above the site's root folder; link to /stories/<slug>/ instead",
                )),
        }
    }

    fn check_source_link(
        &self,
        url: &str,
        target: &markdown::SourceLink<'_>,
        location: &Location,
        report: &mut Report,
    ) {
        let path = target.path.as_path();
        if let Some(idx) = self.document_at_source(path) {
            if let Some(fragment) = target.fragment {
                self.check_anchor(&self.documents[idx], url, fragment, location, report);
            }
            return;
        }
        if let Some(unpublished) = self.unpublished_by_source.get(path) {
            report
                .diagnostics
                .push(unpublished_link(url, unpublished, location));
            return;
        }
        let from = location.path.as_path();
        let names: Vec<String> = self
            .documents
            .iter()
            .map(|doc| story_name(doc.source_path))
            .collect();
        let suggestion = did_you_mean(&story_name(path), names.iter().map(String::as_str))
            .and_then(|name| names.iter().position(|n| n == name))
            .map(|idx| relative_link(from, self.documents[idx].source_path));
        let diagnostic = location
            .locate(Diagnostic::error(
                Code::LinkNotFound,
                format!("`{url}` is not a story or page of this site"),
            ))
            .with_label(format!("no story at {}", path.display()));
        report.diagnostics.push(match suggestion {
            Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
            None => diagnostic.with_help(
                "link to the story's Markdown file relative to this file (`../2018/zongfulu.md`), \
                 or to its URL (`/stories/zongfulu/`)",
            ),
        });
    }

    fn check_site_path(
        &self,
        doc: &Document<'_>,
        url: &str,
        site_path: &str,
        kind: ReferenceKind,
        location: &Location,
        report: &mut Report,
    ) {
        let (without_fragment, fragment) = match site_path.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (site_path, None),
        };
        let path = markdown::percent_decode(without_fragment.split('?').next().unwrap_or(""));
        let Some(file) = self.output_file(&path) else {
            let diagnostic = match self.unpublished_at(&path) {
                Some(unpublished) => unpublished_link(url, unpublished, location),
                None => not_found(kind, url, location)
                    .with_help(self.missing_file_help(doc, url, &path)),
            };
            report.diagnostics.push(diagnostic);
            return;
        };
        let found = LocalImage {
            file: file.clone(),
            location: location.clone(),
        };
        match kind {
            ReferenceKind::Image => report.images.push(found),
            ReferenceKind::Link => report.file_links.push(found),
        }
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            let page = file
                .to_str()
                .and_then(|f| f.strip_suffix("index.html"))
                .unwrap_or_default();
            if let Some(idx) = self.document_at_site_path(page) {
                self.check_anchor(&self.documents[idx], url, fragment, location, report);
            }
        }
    }

    /// The file of the built site at the site path `path` (decoded, without `#` or `?`): the
    /// file itself, else the `index.html` of the folder of that name.
    fn output_file(&self, path: &str) -> Option<PathBuf> {
        let file = permalink::output_file(path);
        if self.outputs.contains(&file) {
            return Some(file);
        }
        (!path.is_empty() && !path.ends_with('/'))
            .then(|| permalink::output_file(&format!("{path}/")))
            .filter(|index| self.outputs.contains(index))
    }

    /// The story or page left out of this build that would be at `path` (or the folder of
    /// that name).
    fn unpublished_at(&self, path: &str) -> Option<&Unpublished> {
        let folder_path = if path.ends_with('/') || path.is_empty() {
            path.to_string()
        } else {
            format!("{path}/")
        };
        self.unpublished_by_site_path
            .get(path)
            .or_else(|| self.unpublished_by_site_path.get(folder_path.as_str()))
            .copied()
    }

    fn check_anchor(
        &self,
        target: &Document<'_>,
        url: &str,
        fragment: &str,
        location: &Location,
        report: &mut Report,
    ) {
        let fragment = markdown::percent_decode(fragment);
        if target.anchors.contains(&fragment) {
            return;
        }
        let page = permalink::url(self.config, &target.site_path);
        let diagnostic = location
            .locate(Diagnostic::error(
                Code::LinkAnchor,
                format!("`{url}`: {page} has no heading or anchor `#{fragment}`"),
            ))
            .with_label("no such anchor");
        let anchors = target.anchors.iter().map(String::as_str);
        let help = match did_you_mean(&fragment, anchors.clone()) {
            Some(suggestion) => format!("did you mean `#{suggestion}`?"),
            None if target.anchors.is_empty() => format!(
                "{page} has no headings; a heading `## 标题` gets an id from its pinyin, or set \
                 one with `## 标题 {{#id}}`"
            ),
            None => format!(
                "its anchors are: {}",
                anchors.take(8).collect::<Vec<_>>().join(", ")
            ),
        };
        report.diagnostics.push(diagnostic.with_help(help));
    }

    /// Why a local file may be missing, and what to do.
    fn missing_file_help(&self, doc: &Document<'_>, url: &str, site_path: &str) -> String {
        let is_root_relative = url.starts_with('/') || url.contains("://");
        if is_root_relative {
            self.sibling_help(site_path)
        } else {
            self.relative_file_help(doc, url)
        }
    }

    /// For a path relative to the page: what a bundle has, or where the file should go.
    fn relative_file_help(&self, doc: &Document<'_>, url: &str) -> String {
        let is_bundle = doc
            .source_path
            .file_name()
            .is_some_and(|name| name.eq_ignore_ascii_case("index.md"));
        let decoded = markdown::percent_decode(url.split(['#', '?']).next().unwrap_or(""));
        let folder = doc.source_path.parent().unwrap_or(Path::new(""));
        if is_bundle {
            let assets = doc.assets.iter().filter_map(|a| a.to_str());
            return match did_you_mean(&decoded, assets) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!(
                    "put the file in {} (the story's folder), or in static/ and link it as \
                     `/{decoded}`",
                    folder.display()
                ),
            };
        }
        if self.config.root.join(folder).join(&decoded).is_file() {
            return format!(
                "{} is next to the story file, but only a story folder (`<name>/index.md`) \
                 publishes the files beside it: make the story a folder, or move the file to \
                 static/ and link it as `/{decoded}`",
                folder.join(&decoded).display()
            );
        }
        format!(
            "a relative path is read from the story's page {}; put the file in static/ and \
             link it as `/{decoded}`",
            permalink::url(self.config, &doc.site_path)
        )
    }

    /// For a site path: a file of the same folder with a close name, if there is one.
    fn sibling_help(&self, site_path: &str) -> String {
        let wanted = split_last(site_path);
        let siblings: Vec<&str> = self
            .outputs
            .paths()
            .filter_map(|p| p.to_str())
            .map(|p| p.strip_suffix("index.html").unwrap_or(p))
            .filter(|p| split_last(p).folder == wanted.folder)
            .collect();
        let suggestion = did_you_mean(wanted.name, siblings.iter().map(|p| split_last(p).name))
            .and_then(|found| siblings.iter().find(|p| split_last(p).name == found));
        match suggestion {
            Some(suggestion) => format!(
                "did you mean `{}`?",
                permalink::url(self.config, suggestion)
            ),
            None if site_path.is_empty() || site_path.ends_with('/') => {
                "no page of the site has this URL".to_string()
            }
            None => {
                format!("no page of the site has this URL, and there is no file static/{site_path}")
            }
        }
    }
}

fn not_found(kind: ReferenceKind, url: &str, location: &Location) -> Diagnostic {
    let (code, message) = match kind {
        ReferenceKind::Link => (Code::LinkNotFound, format!("`{url}` leads nowhere")),
        ReferenceKind::Image => (Code::ImageNotFound, format!("image `{url}` not found")),
    };
    location
        .locate(Diagnostic::error(code, message))
        .with_label("not in the built site")
}

fn unpublished_link(url: &str, target: &Unpublished, location: &Location) -> Diagnostic {
    let (message, help) = match &target.reason {
        Unpublish::Draft => (
            format!(
                "`{url}` links to a draft ({})",
                target.source_path.display()
            ),
            "publish it first (remove `draft: true` from it), or remove the link".to_string(),
        ),
        Unpublish::Future(date) => (
            format!(
                "`{url}` links to a story not published until {date} ({})",
                target.source_path.display()
            ),
            "link to it once it is published, or build with --future".to_string(),
        ),
    };
    location
        .locate(Diagnostic::error(Code::LinkUnpublished, message))
        .with_label("not published")
        .with_help(help)
}

/// The name a story is known by: its file name without `.md`, or its folder's for `index.md`.
fn story_name(path: &Path) -> String {
    crate::content::story::file_slug_source(path)
}

/// The path of `to` as written in a link from the file `from` (both relative to the site root).
fn relative_link(from: &Path, to: &Path) -> String {
    let from_folder: Vec<_> = from
        .parent()
        .unwrap_or(Path::new(""))
        .components()
        .collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_folder
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); from_folder.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A site path cut before its last segment.
struct LastSegment<'a> {
    /// `stories` for `stories/a/`; empty at the top.
    folder: &'a str,
    /// `a` for `stories/a/`, `x.jpg` for `images/x.jpg`.
    name: &'a str,
}

fn split_last(site_path: &str) -> LastSegment<'_> {
    let trimmed = site_path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(idx) => LastSegment {
            folder: &trimmed[..idx],
            name: &trimmed[idx + 1..],
        },
        None => LastSegment {
            folder: "",
            name: trimmed,
        },
    }
}

/// `stories/a/` + `../b/#x` → `stories/b/#x`; `None` when it leaves the site.
fn join_site_path(base: &str, relative: &str) -> Option<String> {
    let mut segments: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let (path, rest) = match relative.find(['#', '?']) {
        Some(idx) => relative.split_at(idx),
        None => (relative, ""),
    };
    let trailing_slash = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    let mut joined = segments.join("/");
    if trailing_slash && !joined.is_empty() {
        joined.push('/');
    }
    joined.push_str(rest);
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_the_page_folder() {
        assert_eq!(
            join_site_path("stories/a/", "photo.jpg").as_deref(),
            Some("stories/a/photo.jpg")
        );
        assert_eq!(
            join_site_path("stories/a/", "../b/#x").as_deref(),
            Some("stories/b/#x")
        );
        assert_eq!(
            join_site_path("stories/a/", "./img/x.png?v=1").as_deref(),
            Some("stories/a/img/x.png?v=1")
        );
        assert_eq!(join_site_path("stories/a/", "../../..").as_deref(), None);
    }

    #[test]
    fn suggested_links_are_relative_to_the_linking_file() {
        assert_eq!(
            relative_link(
                Path::new("content/stories/2019/a.md"),
                Path::new("content/stories/2018/b/index.md")
            ),
            "../2018/b/index.md"
        );
        assert_eq!(
            relative_link(
                Path::new("content/stories/2018/a.md"),
                Path::new("content/stories/2018/b.md")
            ),
            "b.md"
        );
    }
}
