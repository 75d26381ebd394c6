//! Markdown to HTML with pulldown-cmark, fixed up for Chinese text.
//!
//! Owns the Markdown dialect (`CommonMark` plus tables, footnotes, strikethrough, task lists and
//! heading ids) and three rewrites of the event stream: a soft line break between two Chinese
//! characters disappears instead of becoming a space; headings without an explicit `{#id}` get a
//! pinyin id, unique within the story; links to another story's Markdown file
//! (`../2018/zongfulu.md`) become that story's URL; root-relative links and images
//! (`/images/a.jpg`) get the site's base path so a site under a sub-path works.
//!
//! It also records every link and image as written ([`Reference`]) and every id a link can jump
//! to ([`Rendered::anchors`]), for the link checks that run once every file is loaded
//! (`check::links`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::content::image::{ImageInfo, ImageSize, Picture};
use crate::text;

/// What rendering a Markdown body produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// The body's plain text (no markup), for summaries and reading time.
    pub plain_text: String,
    /// Every link and image, in source order.
    pub references: Vec<Reference>,
    /// Every id in the body a link can point at: headings, footnotes, ids in raw HTML.
    pub anchors: Vec<String>,
}

/// A link or an image in a Markdown body, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// A link or an image.
    pub kind: ReferenceKind,
    /// The destination as written (before any rewriting).
    pub url: String,
    /// Where the destination is in the body text (the whole link when it is not written there,
    /// as with reference-style links).
    pub span: Range<usize>,
    /// For an image, its alt text.
    pub alt: String,
}

/// What a [`Reference`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    /// `[text](url)`.
    Link,
    /// `![alt](src)`.
    Image,
}

/// What rendering needs to know to rewrite links.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkContext<'a> {
    /// `/` or `/news/`: prefixes root-relative URLs.
    pub base_path: &'a str,
    /// The file being rendered, relative to the site root.
    pub source_path: &'a Path,
    /// The site path (`stories/bailian/`) of every story and page, by source path relative to
    /// the site root.
    pub site_paths: &'a HashMap<PathBuf, String>,
}

/// Renders `markdown`, rewriting its links as `links` says. Images get no size (see
/// [`render_with_images`]).
pub(crate) fn render(markdown: &str, links: &LinkContext<'_>) -> Rendered {
    render_with_images(markdown, links, &|_| ImageInfo::default())
}

/// Renders `markdown` as [`render`] does; every image gets `width` and `height` when `info_of`
/// knows its `src` (as written), a `<picture>` of its variants when it is a photo, and
/// `loading="lazy"` unless it is in the body's first block.
pub(crate) fn render_with_images(
    markdown: &str,
    links: &LinkContext<'_>,
    info_of: &dyn Fn(&str) -> ImageInfo,
) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let (mut events, ranges): (Vec<Event<'_>>, Vec<Range<usize>>) =
        Parser::new_ext(markdown, options)
            .into_offset_iter()
            .unzip();
    let references = references(markdown, &events, &ranges);
    drop(ranges);
    join_cjk_soft_breaks(&mut events);
    assign_heading_ids(&mut events);
    let mut events = rewrite_images(events, links.base_path, info_of);
    rewrite_urls(&mut events, links);
    let anchors = anchors(&events);
    let plain_text = plain_text(&events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html,
        plain_text,
        references,
        anchors,
    }
}

/// The links and images of the event stream, with the place of their destination.
fn references(markdown: &str, events: &[Event<'_>], ranges: &[Range<usize>]) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut open_image: Option<usize> = None;
    for (event, range) in events.iter().zip(ranges) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let kind = if matches!(event, Event::Start(Tag::Image { .. })) {
                    open_image = Some(found.len());
                    ReferenceKind::Image
                } else {
                    ReferenceKind::Link
                };
                // The destination is the last occurrence of its text in the link's range.
                let span = markdown
                    .get(range.clone())
                    .and_then(|written| written.rfind(dest_url.as_ref()))
                    .filter(|_| !dest_url.is_empty())
                    .map_or(range.clone(), |idx| {
                        range.start + idx..range.start + idx + dest_url.len()
                    });
                found.push(Reference {
                    kind,
                    url: dest_url.to_string(),
                    span,
                    alt: String::new(),
                });
            }
            Event::End(TagEnd::Image) => open_image = None,
            Event::Text(text) | Event::Code(text) => {
                if let Some(idx) = open_image {
                    found[idx].alt.push_str(text);
                }
            }
            _ => {}
        }
    }
    found
}

/// Heading ids, footnote names and `id="…"` attributes of raw HTML.
fn anchors(events: &[Event<'_>]) -> Vec<String> {
    let mut found = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => found.push(id.to_string()),
            Event::Start(Tag::FootnoteDefinition(name)) => found.push(name.to_string()),
            Event::Html(html) | Event::InlineHtml(html) => {
                for quote in ["id=\"", "id='", "name=\"", "name='"] {
                    let close = if quote.ends_with('"') { '"' } else { '\'' };
                    let mut rest: &str = html;
                    while let Some(idx) = rest.find(quote) {
                        let preceded_by_space = rest[..idx].ends_with(char::is_whitespace);
                        rest = &rest[idx + quote.len()..];
                        let Some(end) = rest.find(close) else { break };
                        if preceded_by_space {
                            found.push(rest[..end].to_string());
                        }
                        rest = &rest[end..];
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Drops soft breaks between CJK characters (pulldown-cmark renders them as a newline, which
/// browsers show as a space in the middle of a Chinese sentence).
fn join_cjk_soft_breaks(events: &mut Vec<Event<'_>>) {
    let mut drop = vec![false; events.len()];
    for idx in 0..events.len() {
        if !matches!(events[idx], Event::SoftBreak) {
            continue;
        }
        let before = events[..idx].iter().rev().find_map(last_char_of);
        let after = events[idx + 1..].iter().find_map(first_char_of);
        if let (Some(before), Some(after)) = (before, after) {
            drop[idx] = text::joins_without_space(before, after);
        }
    }
    let mut flags = drop.into_iter();
    events.retain(|_| !flags.next().unwrap_or(false));
}

/// The last character of a text-like event; `None` for events that carry no text and don't
/// separate (inline tags), and a space for events that do (breaks, block ends).
fn last_char_of(event: &Event<'_>) -> Option<char> {
    match event {
        Event::Text(text) | Event::Code(text) => text.chars().last(),
        Event::FootnoteReference(_) | Event::InlineHtml(_) | Event::InlineMath(_) => None,
        Event::Start(tag) if is_inline(tag) => None,
        Event::End(tag) if is_inline_end(*tag) => None,
        _ => Some(' '),
    }
}

fn first_char_of(event: &Event<'_>) -> Option<char> {
    match event {
        Event::Text(text) | Event::Code(text) => text.chars().next(),
        Event::FootnoteReference(_) | Event::InlineHtml(_) | Event::InlineMath(_) => None,
        Event::Start(tag) if is_inline(tag) => None,
        Event::End(tag) if is_inline_end(*tag) => None,
        _ => Some(' '),
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

fn is_inline_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
    )
}

/// Gives every heading an id: its `{#id}` when written, else the pinyin slug of its text,
/// made unique with `-1`, `-2`.
fn assign_heading_ids(events: &mut [Event<'_>]) {
    let mut used: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for event in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            used.insert(id.to_string());
        }
    }
    let mut idx = 0;
    while idx < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[idx] {
            let mut heading_text = String::new();
            for event in &events[idx + 1..] {
                match event {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(text) | Event::Code(text) => heading_text.push_str(text),
                    _ => {}
                }
            }
            let base = match text::slugify(&heading_text) {
                slug if slug.is_empty() => "section".to_string(),
                slug => slug,
            };
            // Remember the next suffix per base, so a story with thousands of equal headings
            // stays linear.
            let next = next_suffix.entry(base.clone()).or_insert(1);
            let mut candidate = base.clone();
            while used.contains(&candidate) {
                candidate = format!("{base}-{next}");
                *next += 1;
            }
            used.insert(candidate.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[idx] {
                *id = Some(CowStr::from(candidate));
            }
        }
        idx += 1;
    }
}

/// `../2018/zongfulu.md#x` → `/stories/zongfulu/#x` when that file is a story or page;
/// `/images/a.jpg` → `/news/images/a.jpg` when the site lives under `/news/`.
fn rewrite_urls(events: &mut [Event<'_>], links: &LinkContext<'_>) {
    let base_path = links.base_path;
    for event in events.iter_mut() {
        let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event else {
            continue;
        };
        if let Some(target) = source_link(links.source_path, dest_url)
            && let Some(site_path) = links.site_paths.get(&target.path)
        {
            let fragment = target.fragment.map(|f| format!("#{f}")).unwrap_or_default();
            *dest_url = CowStr::from(format!("{base_path}{site_path}{fragment}"));
        } else if let Some(prefixed) = with_base_path(dest_url, base_path) {
            *dest_url = CowStr::from(prefixed);
        }
    }
}

/// A root-relative URL under the site's base path, or `None` when `url` needs no change.
fn with_base_path(url: &str, base_path: &str) -> Option<String> {
    (base_path != "/"
        && url.starts_with('/')
        && !url.starts_with("//")
        && !url.starts_with(base_path))
    .then(|| format!("{base_path}{}", &url[1..]))
}

/// Turns each image (its start tag, alt text events and end tag) into one `<img>` of inline
/// HTML with a size and lazy loading, which pulldown-cmark's writer cannot add.
fn rewrite_images<'a>(
    events: Vec<Event<'a>>,
    base_path: &str,
    info_of: &dyn Fn(&str) -> ImageInfo,
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter();
    let mut in_first_block = true;
    while let Some(event) = events.next() {
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = event
        else {
            if let Event::End(tag) = &event
                && !is_inline_end(*tag)
            {
                in_first_block = false;
            }
            out.push(event);
            continue;
        };
        let alt = image_alt(&mut events);
        let src = with_base_path(&dest_url, base_path).unwrap_or_else(|| dest_url.to_string());
        let info = info_of(&dest_url);
        let img = Img {
            src: &src,
            alt: &alt,
            title: &title,
            size: info.size,
            picture: info.picture.as_ref(),
            lazy: !in_first_block,
        };
        out.push(Event::InlineHtml(CowStr::from(img.html())));
    }
    out
}

/// The alt text of an image whose start tag was just taken from `events`: the plain text of
/// everything up to the matching end tag, which is taken too.
fn image_alt<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> String {
    let mut alt = String::new();
    let mut depth = 1;
    for inner in events {
        match inner {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Text(text) | Event::Code(text) => alt.push_str(&text),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    alt
}

/// An `<img>` as [`rewrite_images`] writes it.
struct Img<'a> {
    /// With the base path.
    src: &'a str,
    alt: &'a str,
    /// Empty for none.
    title: &'a str,
    size: Option<ImageSize>,
    /// The variants of a photo, which replace `src`.
    picture: Option<&'a Picture>,
    /// `loading="lazy"`: every image after the body's first block.
    lazy: bool,
}

impl Img<'_> {
    fn html(&self) -> String {
        let Some(picture) = self.picture else {
            return self.img(self.src, None);
        };
        let mut html = String::from("<picture>");
        for (mime, srcset) in &picture.sources {
            html.push_str("<source type=\"");
            html.push_str(mime);
            html.push_str("\" srcset=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, srcset);
            html.push_str("\" sizes=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, &picture.sizes);
            html.push_str("\">");
        }
        html.push_str(&self.img(&picture.src, Some(picture)));
        html.push_str("</picture>");
        html
    }

    /// The `<img>` element, with the `srcset` and `sizes` of a picture.
    fn img(&self, src: &str, picture: Option<&Picture>) -> String {
        let mut html = String::from("<img src=\"");
        // Writing into a String cannot fail.
        let _ = pulldown_cmark_escape::escape_href(&mut html, src);
        if let Some(picture) = picture {
            html.push_str("\" srcset=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, &picture.srcset);
            html.push_str("\" sizes=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, &picture.sizes);
        }
        html.push_str("\" alt=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut html, self.alt);
        html.push('"');
        if !self.title.is_empty() {
            html.push_str(" title=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, self.title);
            html.push('"');
        }
        if let Some(size) = self.size {
            let _ = write!(html, " width=\"{}\" height=\"{}\"", size.width, size.height);
        }
        if self.lazy {
            html.push_str(" loading=\"lazy\"");
        }
        html.push_str(" decoding=\"async\">");
        html
    }
}

/// A link to a Markdown file of the site, resolved against the file that links to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLink<'a> {
    /// The linked file, relative to the site root, `.` and `..` resolved.
    pub path: PathBuf,
    /// What follows `#`, if anything.
    pub fragment: Option<&'a str>,
}

/// Reads `url` as a relative link to another Markdown file (`../2018/zongfulu.md`,
/// `zongfulu.md#section`) of the file `from` (relative to the site root). `None` for anything
/// else: other files, URLs with a scheme, root-relative paths, paths leaving the site root.
pub(crate) fn source_link<'a>(from: &Path, url: &'a str) -> Option<SourceLink<'a>> {
    if url.starts_with('/') || url.starts_with('#') || has_scheme(url) {
        return None;
    }
    let (without_fragment, fragment) = match url.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (url, None),
    };
    let path = without_fragment.split('?').next().unwrap_or_default();
    let is_markdown = Path::new(path)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
    if !is_markdown {
        return None;
    }
    let decoded = percent_decode(path);
    let joined = from.parent().unwrap_or(Path::new("")).join(decoded);
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            Component::Normal(part) => normal.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(SourceLink {
        path: normal,
        fragment: fragment.filter(|f| !f.is_empty()),
    })
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`, `tel:`) or is protocol-relative.
pub(crate) fn has_scheme(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Decodes `%XX` escapes (as UTF-8); a malformed escape is kept as written.
pub(crate) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[idx] == b'%'
            && idx + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[idx + 1]), hex(bytes[idx + 2]))
        {
            out.push((high * 16 + low) as u8);
            idx += 3;
        } else {
            out.push(bytes[idx]);
            idx += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    let mut in_footnote = false;
    for event in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => in_footnote = true,
            Event::End(TagEnd::FootnoteDefinition) => in_footnote = false,
            Event::Text(text) | Event::Code(text) if !in_footnote => out.push_str(text),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) => out.push(' '),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_at(markdown: &str, base_path: &str) -> Rendered {
        let site_paths = HashMap::from([
            (
                PathBuf::from("content/stories/2018/zongfulu.md"),
                "stories/zongfulu/".to_string(),
            ),
            (
                PathBuf::from("content/stories/2018/jiaolong/index.md"),
                "stories/jiaolong/".to_string(),
            ),
        ]);
        let links = LinkContext {
            base_path,
            source_path: Path::new("content/stories/2018/bailian.md"),
            site_paths: &site_paths,
        };
        render(markdown, &links)
    }

    fn html(markdown: &str) -> String {
        render_at(markdown, "/").html
    }

    #[test]
    fn photos_become_pictures() {
        let info_of = |_: &str| ImageInfo {
            size: Some(ImageSize {
                width: 3024,
                height: 4032,
            }),
            picture: Some(Picture {
                sources: vec![(
                    "image/webp",
                    "/img/k-480.webp 480w, /img/k-960.webp 960w".into(),
                )],
                src: "/img/k-960.jpg".into(),
                srcset: "/img/k-480.jpg 480w, /img/k-960.jpg 960w".into(),
                sizes: "100vw".into(),
            }),
        };
        let site_paths = HashMap::new();
        let links = LinkContext {
            base_path: "/",
            source_path: Path::new("content/stories/bailian/index.md"),
            site_paths: &site_paths,
        };
        let out = render_with_images("正文\n\n![活动室](photo.jpg)", &links, &info_of).html;
        assert!(
            out.contains(concat!(
                r#"<picture><source type="image/webp" srcset="/img/k-480.webp 480w, /img/k-960.webp 960w" sizes="100vw">"#,
                r#"<img src="/img/k-960.jpg" srcset="/img/k-480.jpg 480w, /img/k-960.jpg 960w" sizes="100vw" alt="活动室" width="3024" height="4032" loading="lazy" decoding="async"></picture>"#
            )),
            "{out}"
        );
    }

    #[test]
    fn images_get_a_size_and_lazy_loading_below_the_first_block() {
        let size_of = |src: &str| ImageInfo {
            size: (src == "/images/a.svg").then_some(ImageSize {
                width: 1200,
                height: 800,
            }),
            picture: None,
        };
        let site_paths = HashMap::new();
        let links = LinkContext {
            base_path: "/news/",
            source_path: Path::new("content/stories/bailian/index.md"),
            site_paths: &site_paths,
        };
        let out = render_with_images(
            "![首图](/images/a.svg)\n\n正文\n\n![儿童 *之家* \"x\"](/images/a.svg \"标题\") ![无](b.png)",
            &links,
            &size_of,
        )
        .html;
        assert!(
            out.contains(r#"<img src="/news/images/a.svg" alt="首图" width="1200" height="800" decoding="async">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="/news/images/a.svg" alt="儿童 之家 &quot;x&quot;" title="标题" width="1200" height="800" loading="lazy" decoding="async">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="b.png" alt="无" loading="lazy" decoding="async">"#),
            "{out}"
        );
    }

    #[test]
    fn soft_break_between_chinese_characters_vanishes() {
        assert_eq!(html("白莲社区\n创新发展"), "<p>白莲社区创新发展</p>\n");
        assert_eq!(html("居民说：\n“很好。”"), "<p>居民说：“很好。”</p>\n");
        assert_eq!(html("**白莲**\n社区"), "<p><strong>白莲</strong>社区</p>\n");
    }

    #[test]
    fn soft_break_looks_through_footnotes_images_and_inline_html() {
        assert!(html("脚注[^1]\n继续\n\n[^1]: 注").contains("</sup>继续"));
        assert!(html("丙三\n![图](a.jpg)").contains("丙三<img"));
        assert!(html("<span>戊</span>\n己").contains("</span>己"));
    }

    #[test]
    fn many_equal_headings_get_unique_ids() {
        let markdown = "## 社区\n\n".repeat(20_000);
        let out = html(&markdown);
        assert!(out.contains("id=\"she-qu-19999\""));
        assert_eq!(out.matches("id=\"she-qu-1\"").count(), 1);
    }

    #[test]
    fn soft_break_next_to_latin_text_stays() {
        assert_eq!(html("hello\nworld"), "<p>hello\nworld</p>\n");
        assert_eq!(html("社区\nLED 屏"), "<p>社区\nLED 屏</p>\n");
    }

    #[test]
    fn hard_break_stays() {
        assert_eq!(html("白莲  \n社区"), "<p>白莲<br />\n社区</p>\n");
    }

    #[test]
    fn headings_get_unique_pinyin_ids() {
        let out = html("## 儿童之家\n\n## 儿童之家\n\n## Custom {#mine}\n\n## ！\n");
        assert!(out.contains("<h2 id=\"er-tong-zhi-jia\">"), "{out}");
        assert!(out.contains("<h2 id=\"er-tong-zhi-jia-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"mine\">"), "{out}");
        assert!(out.contains("<h2 id=\"section\">"), "{out}");
    }

    #[test]
    fn root_relative_urls_get_the_base_path() {
        let out = render_at(
            "[a](/stories/x/) ![b](/images/b.jpg) [c](rel.html) [d](https://x.org/)",
            "/news/",
        )
        .html;
        assert!(out.contains("href=\"/news/stories/x/\""), "{out}");
        assert!(out.contains("src=\"/news/images/b.jpg\""), "{out}");
        assert!(out.contains("href=\"rel.html\""), "{out}");
        assert!(out.contains("href=\"https://x.org/\""), "{out}");
    }

    #[test]
    fn extensions_are_on() {
        let out = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n\nnote[^1]\n\n[^1]: 脚注\n",
        );
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<del>x</del>"), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(out.contains("footnote-definition"), "{out}");
    }

    #[test]
    fn text_is_escaped() {
        let out = html("a < b & c");
        assert_eq!(out, "<p>a &lt; b &amp; c</p>\n");
    }

    #[test]
    fn plain_text_has_no_markup() {
        let rendered = render_at("# 标题\n\n**白莲**社区[链接](/x/)。", "/");
        assert_eq!(rendered.plain_text.trim(), "标题 白莲社区链接。");
    }

    #[test]
    fn links_to_story_files_become_their_urls() {
        let out = render_at(
            "[a](zongfulu.md) [b](./jiaolong/index.md#shang-lin) [c](../2018/zongfulu.md) \
             [d](missing.md) [e](https://x.org/a.md)",
            "/news/",
        )
        .html;
        assert!(out.contains("href=\"/news/stories/zongfulu/\">a"), "{out}");
        assert!(
            out.contains("href=\"/news/stories/jiaolong/#shang-lin\">b"),
            "{out}"
        );
        assert!(out.contains("href=\"/news/stories/zongfulu/\">c"), "{out}");
        assert!(out.contains("href=\"missing.md\">d"), "{out}");
        assert!(out.contains("href=\"https://x.org/a.md\">e"), "{out}");
    }

    #[test]
    fn references_keep_what_was_written_and_where() {
        let markdown =
            "看[报道](../2018/zongfulu.md)和![儿童之家](photo.jpg \"t\")。\n\n![](/x.png)\n";
        let found = render_at(markdown, "/").references;
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].kind, ReferenceKind::Link);
        assert_eq!(&markdown[found[0].span.clone()], "../2018/zongfulu.md");
        assert_eq!(found[1].kind, ReferenceKind::Image);
        assert_eq!(found[1].alt, "儿童之家");
        assert_eq!(&markdown[found[1].span.clone()], "photo.jpg");
        assert_eq!(found[2].alt, "");
    }

    #[test]
    fn anchors_are_heading_ids_footnotes_and_html_ids() {
        let anchors = render_at(
            "## 儿童之家\n\n注[^a]\n\n[^a]: 脚注\n\n<div id=\"box\" data-id=\"no\"></div>\n",
            "/",
        )
        .anchors;
        assert_eq!(anchors, ["er-tong-zhi-jia", "a", "box"]);
    }

    #[test]
    fn source_links_resolve_against_the_linking_file() {
        let from = Path::new("content/stories/2019/a.md");
        let link = source_link(from, "../2018/%E7%99%BD%E8%8E%B2.md#x").expect("a source link");
        assert_eq!(link.path, PathBuf::from("content/stories/2018/白莲.md"));
        assert_eq!(link.fragment, Some("x"));
        assert_eq!(source_link(from, "b.MD").expect("any case").fragment, None);
        for not_source in [
            "/stories/a/",
            "#x",
            "https://x.org/a.md",
            "photo.jpg",
            "../../../../../etc.md",
        ] {
            assert_eq!(source_link(from, not_source), None, "{not_source}");
        }
    }

    #[test]
    fn percent_decoding_keeps_malformed_escapes() {
        assert_eq!(percent_decode("%E7%99%BD"), "白");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
