//! A story: one news report, read from `content/**/*.md` (outside `content/pages/`).
//!
//! `RawStory` is the front matter as written (serde, `deny_unknown_fields`); [`Story`] is the
//! validated form every later stage uses. Validation collects every problem of the file.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer};

use crate::config::SiteConfig;
use crate::content::front_matter::Split;
use crate::content::image::{ImageLookup, ImageSize};
use crate::content::markdown::{self, Reference};
use crate::diagnostic::Diagnostic;
use crate::fields::{self, YamlBlock};
use crate::text;
use crate::yaml::{TopLevelKey, Value};

/// The front matter fields a story may have.
pub(crate) const STORY_FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "date",
    "district",
    "street",
    "community",
    "reporter",
    "summary",
    "photo_credit",
    "series",
    "slug",
    "highlights",
    "tags",
    "images",
    "draft",
    "aliases",
    "extra",
];

/// Fields whose place in the file is kept for diagnostics found after loading (places,
/// reporters, tags, aliases; title, highlights, images and photo credit for the editorial
/// checks).
const LOCATED_FIELDS: &[&str] = &[
    "title",
    "highlights",
    "images",
    "photo_credit",
    "district",
    "street",
    "community",
    "reporter",
    "series",
    "tags",
    "aliases",
];

/// Where the source says "the summary ends here".
pub(crate) const MORE_MARKER: &str = "<!-- more -->";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStory {
    title: Option<String>,
    subtitle: Option<String>,
    date: Option<String>,
    district: Option<String>,
    street: Option<String>,
    community: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    reporter: Option<Vec<String>>,
    summary: Option<String>,
    photo_credit: Option<String>,
    series: Option<String>,
    slug: Option<String>,
    highlights: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    images: Option<Vec<Image>>,
    draft: Option<bool>,
    #[serde(default, deserialize_with = "one_or_many")]
    aliases: Option<Vec<String>>,
    extra: Option<Value>,
}

/// A photo of a story, shown as a `<figure>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Where the file is: relative to the story (bundles), root-relative, or a full URL.
    pub src: String,
    /// The caption under it.
    #[serde(default)]
    pub caption: String,
    /// Text for readers who cannot see it.
    #[serde(default)]
    pub alt: String,
    /// Who took it, when it differs from the story's `photo_credit`.
    #[serde(default)]
    pub credit: String,
    /// Its pixel size, when it is a local file whose size could be read.
    #[serde(skip)]
    pub size: Option<ImageSize>,
    /// The file's probe, for a local file.
    #[serde(skip)]
    pub(crate) probed: Option<Arc<crate::images::Probed>>,
}

/// Where the value of a front matter field is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpan {
    /// One of the `LOCATED_FIELDS`.
    pub name: &'static str,
    /// Its bytes in the story's `source`.
    pub span: std::ops::Range<usize>,
}

/// A validated story.
#[derive(Debug, Clone)]
pub struct Story {
    /// The Markdown file, relative to the site root.
    pub source_path: PathBuf,
    /// For a bundle (`<folder>/index.md`): the other files of the folder, relative to it.
    pub assets: Vec<PathBuf>,
    /// ASCII, URL-safe; unique among stories.
    pub slug: String,
    /// The text of the file, for diagnostics that point into it after loading.
    pub source: Arc<str>,
    /// Where the front matter `slug:` value is in `source`, when there is one.
    pub slug_span: Option<std::ops::Range<usize>>,
    /// Where the values of the [`LOCATED_FIELDS`] present are in `source`.
    pub field_spans: Vec<FieldSpan>,
    /// Headline.
    pub title: String,
    /// Second headline.
    pub subtitle: String,
    /// Publication time in the site time zone.
    pub date: jiff::ZonedDateTime,
    /// 区/县/市.
    pub district: String,
    /// 街道/镇/乡; empty when the community sits directly under the district.
    pub street: String,
    /// 社区/村.
    pub community: String,
    /// One or more reporters.
    pub reporters: Vec<String>,
    /// Front matter summary, else one made from the body.
    pub summary: String,
    /// 图片来源.
    pub photo_credit: String,
    /// The series (column) the story belongs to.
    pub series: String,
    /// Key points.
    pub highlights: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Photos.
    pub images: Vec<Image>,
    /// Left out of the build unless drafts are asked for.
    pub draft: bool,
    /// Old URLs (site paths) that redirect to the story.
    pub aliases: Vec<String>,
    /// Free data for templates.
    pub extra: Value,
    /// The body as HTML.
    pub content: Arc<str>,
    /// Estimated reading time.
    pub reading_minutes: usize,
    /// Where the body starts in `source`.
    pub body_start: usize,
    /// The links and images of the body, spans relative to the body.
    pub references: Vec<Reference>,
    /// The ids in the body that links can point at.
    pub anchors: Vec<String>,
    /// Every local image file the story shows (front matter and body).
    pub(crate) photos: Vec<Arc<crate::images::Probed>>,
}

/// Reads the front matter of one story file whose front matter was found by
/// [`crate::content::front_matter::split`]; the body is rendered later by [`Story::render_body`].
pub(crate) fn parse(
    path: &Path,
    source: &Arc<str>,
    split: &Split,
    assets: Vec<PathBuf>,
    config: &SiteConfig,
) -> Result<Story, Vec<Diagnostic>> {
    let block = split.block(path, source);
    let keys = block.keys();
    let raw: RawStory = fields::read_front_matter(&block, &keys, STORY_FIELDS, "story")?;
    let checked = check_fields(&raw, &block, &keys, config)?;
    let file = StoryFile {
        path,
        source,
        body_start: split.body_start,
        assets,
    };
    Ok(story(raw, checked, file))
}

/// The fields of a story that can be wrong, checked, and where the located ones are written.
struct Checked {
    title: String,
    date: jiff::ZonedDateTime,
    district: String,
    community: String,
    reporters: Vec<String>,
    slug: String,
    slug_span: Option<std::ops::Range<usize>>,
    field_spans: Vec<FieldSpan>,
}

/// Checks every field that can be wrong and reports all the problems of the file at once:
/// the missing required fields first, then the others in the order of the checks (title,
/// date, district, community, reporter, slug, images, extra).
fn check_fields(
    raw: &RawStory,
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    config: &SiteConfig,
) -> Result<Checked, Vec<Diagnostic>> {
    let mut check = Checker {
        block,
        keys,
        diagnostics: Vec::new(),
        missing: Vec::new(),
    };
    let title = check.required(raw.title.as_deref(), "title", "白莲社区创新发展治理见成效");
    let date = check.date(raw.date.as_deref(), &config.timezone);
    let district = check.required(raw.district.as_deref(), "district", "成华区");
    let community = check.required(raw.community.as_deref(), "community", "白莲社区");
    let reporters = check.reporters(raw.reporter.as_deref());
    let slug = check.slug(raw.slug.as_deref(), block.path);
    check.photo_sources(raw.images.as_deref().unwrap_or_default());
    check.diagnostics.extend(fields::check_extra(
        block,
        keys,
        raw.extra.as_ref(),
        Code::FrontMatterInvalid,
    ));
    let diagnostics = check.finish();
    let (Some(date), Some(reporters), true) = (date, reporters, diagnostics.is_empty()) else {
        return Err(diagnostics);
    };
    Ok(Checked {
        title,
        date,
        district,
        community,
        reporters,
        slug,
        slug_span: raw.slug.as_ref().and_then(|_| located(block, keys, "slug")),
        field_spans: LOCATED_FIELDS
            .iter()
            .filter_map(|&name| located(block, keys, name).map(|span| FieldSpan { name, span }))
            .collect(),
    })
}

/// Where the value of the top-level key `name` is in the file.
fn located(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    name: &str,
) -> Option<std::ops::Range<usize>> {
    block
        .value_span(keys, name)
        .map(|(offset, len)| block.start + offset..block.start + offset + len)
}

/// The story file a front matter comes from.
struct StoryFile<'a> {
    path: &'a Path,
    source: &'a Arc<str>,
    body_start: usize,
    assets: Vec<PathBuf>,
}

/// The story, before its body is rendered: the checked fields, the others cleaned up.
fn story(raw: RawStory, checked: Checked, file: StoryFile<'_>) -> Story {
    Story {
        source_path: file.path.to_path_buf(),
        source: Arc::clone(file.source),
        body_start: file.body_start,
        slug_span: checked.slug_span,
        field_spans: checked.field_spans,
        assets: file.assets,
        slug: checked.slug,
        title: checked.title,
        subtitle: trimmed(raw.subtitle),
        date: checked.date,
        district: checked.district,
        street: trimmed(raw.street),
        community: checked.community,
        reporters: checked.reporters,
        summary: trimmed(raw.summary),
        photo_credit: trimmed(raw.photo_credit),
        series: trimmed(raw.series),
        highlights: clean_list(raw.highlights.as_deref()),
        tags: clean_list(raw.tags.as_deref()),
        images: raw.images.unwrap_or_default(),
        draft: raw.draft.unwrap_or(false),
        aliases: clean_list(raw.aliases.as_deref()),
        extra: raw
            .extra
            .unwrap_or(Value::Mapping(crate::yaml::Mapping::new())),
        content: Arc::from(""),
        reading_minutes: 0,
        references: Vec::new(),
        anchors: Vec::new(),
        photos: Vec::new(),
    }
}

impl Story {
    /// Renders the body, once the site path of every story and page is known (links to their
    /// Markdown files become their URLs): the HTML, the summary when the front matter has
    /// none, the reading time, and the links and anchors for the link checks.
    pub fn render_body(
        &mut self,
        site_paths: &HashMap<PathBuf, String>,
        base_path: &str,
        images: &ImageLookup<'_>,
    ) {
        for image in &mut self.images {
            let (info, probed) = images.probe(&image.src, "");
            image.size = info.size;
            image.probed = probed;
        }
        let body = &self.source[self.body_start..];
        let (rendered, links) =
            crate::content::render_body(body, &self.source_path, site_paths, base_path, images);
        let (n_cjk, n_words) = text::count_text(&rendered.plain_text);
        if self.summary.is_empty() {
            self.summary = match body.find(MORE_MARKER) {
                Some(end) => {
                    text::collapse_whitespace(&markdown::render(&body[..end], &links).plain_text)
                }
                None => text::summarize(&rendered.plain_text, 120),
            };
        }
        self.reading_minutes = text::reading_minutes(n_cjk, n_words);
        self.content = rendered.html.into();
        self.references = rendered.references;
        self.anchors = rendered.anchors;
        self.photos = images.take_used();
    }
}

/// The file stem, or the folder name for a bundle's `index.md`.
pub(crate) fn file_slug_source(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.eq_ignore_ascii_case("index")
        && let Some(folder) = path.parent().and_then(Path::file_name)
    {
        return folder.to_string_lossy().into_owned();
    }
    stem
}

/// Collects the problems of one front matter block.
struct Checker<'a> {
    block: &'a YamlBlock<'a>,
    keys: &'a [TopLevelKey],
    diagnostics: Vec<Diagnostic>,
    /// Required fields that are absent.
    missing: Vec<MissingField>,
}

/// A required field that is absent.
struct MissingField {
    key: &'static str,
    /// A value to show in the help.
    example: &'static str,
}

impl Checker<'_> {
    fn at_key(&mut self, key: &str, code: Code, message: String) -> &mut Diagnostic {
        let (offset, len) = self.block.value_span(self.keys, key).unwrap_or((0, 0));
        self.diagnostics
            .push(self.block.error_at(code, message, offset, len));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn missing(&mut self, key: &'static str, example: &'static str) {
        self.missing.push(MissingField { key, example });
    }

    /// One diagnostic for all missing fields, in the order they are usually written.
    fn finish(mut self) -> Vec<Diagnostic> {
        if !self.missing.is_empty() {
            let names: Vec<String> = self
                .missing
                .iter()
                .map(|missing| format!("`{}`", missing.key))
                .collect();
            let message = if names.len() == 1 {
                format!("missing required field {}", names[0])
            } else {
                format!("missing required fields {}", names.join(", "))
            };
            let lines: Vec<String> = self
                .missing
                .iter()
                .map(|missing| format!("{}: {}", missing.key, missing.example))
                .collect();
            let help = if lines.len() == 1 {
                format!("add a line `{}`", lines[0])
            } else {
                format!("add these lines:\n{}", lines.join("\n"))
            };
            // Front matter always opens on the first line: point at its `---`.
            let diagnostic = Diagnostic::error(Code::FrontMatterMissingField, message)
                .at(self.block.path, self.block.source, 0..3)
                .with_label("in this front matter")
                .with_help(help);
            self.diagnostics.insert(0, diagnostic);
        }
        self.diagnostics
    }

    fn required(
        &mut self,
        value: Option<&str>,
        key: &'static str,
        example: &'static str,
    ) -> String {
        match value.map(|v| v.trim().to_string()) {
            None => {
                self.missing(key, example);
                String::new()
            }
            Some(v) if v.is_empty() => {
                let diagnostic = self.at_key(
                    key,
                    Code::FrontMatterEmptyField,
                    format!("`{key}` is empty"),
                );
                diagnostic.help = Some(format!("write a value, for example `{key}: {example}`"));
                String::new()
            }
            Some(v) => v,
        }
    }

    fn reporters(&mut self, value: Option<&[String]>) -> Option<Vec<String>> {
        let Some(names) = value else {
            self.missing("reporter", "彭戎");
            return None;
        };
        let names = clean_list(Some(names));
        if names.is_empty() {
            let diagnostic = self.at_key(
                "reporter",
                Code::FrontMatterEmptyField,
                "`reporter` is empty".to_string(),
            );
            diagnostic.help = Some(
                "name the reporter, or several as a list: `reporter: [彭戎, 刘福燕]`".to_string(),
            );
            return None;
        }
        Some(names)
    }

    fn date(
        &mut self,
        value: Option<&str>,
        timezone: &jiff::tz::TimeZone,
    ) -> Option<jiff::ZonedDateTime> {
        let Some(text) = value else {
            self.missing("date", "2018-03-20");
            return None;
        };
        if let Some(date) = parse_date(text.trim(), timezone) {
            Some(date)
        } else {
            let diagnostic = self.at_key(
                "date",
                Code::FrontMatterDate,
                format!("`{}` is not a date", text.trim()),
            );
            diagnostic.label = Some("expected a date".to_string());
            diagnostic.help = Some(
                "write the date as YYYY-MM-DD (2018-03-20) or as RFC 3339 (2018-03-20T09:30:00+08:00)".to_string(),
            );
            None
        }
    }

    /// The slug: of `slug:` when written, else of the file name; an error when it is empty.
    fn slug(&mut self, written: Option<&str>, path: &Path) -> String {
        let slug_source = written.map_or_else(|| file_slug_source(path), str::to_string);
        let slug = text::slugify(&slug_source);
        if slug.is_empty() {
            self.slug_error(written.is_some(), &slug_source);
        }
        slug
    }

    /// Every photo needs a `src`.
    fn photo_sources(&mut self, images: &[Image]) {
        for (idx, image) in images.iter().enumerate() {
            if image.src.trim().is_empty() {
                self.at_key(
                    "images",
                    Code::FrontMatterInvalid,
                    format!("image {} has an empty `src`", idx + 1),
                );
            }
        }
    }

    fn slug_error(&mut self, from_front_matter: bool, source: &str) {
        let message = format!("`{source}` gives an empty slug");
        if from_front_matter {
            let diagnostic = self.at_key("slug", Code::FrontMatterSlug, message);
            diagnostic.help =
                Some("use letters, digits and `-`, for example `slug: bailian`".to_string());
        } else {
            let diagnostic = Diagnostic::error(Code::FrontMatterSlug, message)
                .at(self.block.path, self.block.source, 0..0)
                .with_help("rename the file, or add a `slug:` such as `slug: bailian`");
            self.diagnostics.push(diagnostic);
        }
    }
}

/// Reads `YYYY-MM-DD`, an RFC 3339 date-time, or a date-time without offset (in `timezone`).
pub(crate) fn parse_date(text: &str, timezone: &jiff::tz::TimeZone) -> Option<jiff::ZonedDateTime> {
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Some(timestamp.to_zoned_datetime(timezone.clone()));
    }
    if text.len() > 10
        && let Ok(datetime) = text.parse::<jiff::civil::DateTime>()
    {
        return datetime.to_zoned_datetime(timezone.clone()).ok();
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    date.to_zoned_datetime(timezone.clone()).ok()
}

impl Story {
    /// The first of what places this story in the site that `other` (the same file read
    /// again) changes, if any: its file, slug, date, draft state, places, reporters, series,
    /// tags, aliases and bundle files, and the anchors of its body. When none changed, only the pages that show the story itself
    /// (its page, the lists with its card, its neighbours' pages) can change, which is what
    /// `serve` patches without assembling the site again. Compare bodies after rendering them
    /// (anchors are found then) and places before `site::places` names them.
    pub fn structure_change(&self, other: &Story) -> Option<&'static str> {
        // Every field is named, so that a new one cannot be forgotten here.
        let Story {
            source_path,
            assets,
            slug,
            date,
            district,
            street,
            community,
            reporters,
            series,
            tags,
            draft,
            aliases,
            anchors,
            photos,
            // What only the story's own page, its card, its feed entries and its redirect
            // pages show, and what diagnostics point into.
            source: _,
            slug_span: _,
            field_spans: _,
            title: _,
            subtitle: _,
            summary: _,
            photo_credit: _,
            highlights: _,
            images: _,
            extra: _,
            content: _,
            reading_minutes: _,
            body_start: _,
            references: _,
        } = self;
        let changes = [
            (*source_path == other.source_path, "file"),
            (*assets == other.assets, "bundle files"),
            (*slug == other.slug, "slug"),
            (*date == other.date, "date"),
            (*district == other.district, "district"),
            (*street == other.street, "street"),
            (*community == other.community, "community"),
            (*reporters == other.reporters, "reporter"),
            (*series == other.series, "series"),
            (*tags == other.tags, "tags"),
            (*draft == other.draft, "draft"),
            (*aliases == other.aliases, "aliases"),
            (*anchors == other.anchors, "headings"),
            (same_photos(photos, &other.photos), "photos"),
        ];
        changes
            .into_iter()
            .find_map(|(same, field)| (!same).then_some(field))
    }

    /// Where the value of a front matter field is, for diagnostics found after loading.
    pub fn field_span(&self, name: &str) -> Option<std::ops::Range<usize>> {
        self.field_spans
            .iter()
            .find(|field| field.name == name)
            .map(|field| field.span.clone())
    }
}

/// Whether two lists of image files publish the same files: the same sources, each with the
/// same key (a photo changed on disk has another).
fn same_photos(a: &[Arc<crate::images::Probed>], b: &[Arc<crate::images::Probed>]) -> bool {
    let files = |list: &[Arc<crate::images::Probed>]| -> Vec<(PathBuf, Option<String>)> {
        list.iter()
            .map(|probed| {
                (
                    probed.source.clone(),
                    probed.photo().map(|photo| photo.key.clone()),
                )
            })
            .collect()
    };
    files(a) == files(b)
}

fn trimmed(value: Option<String>) -> String {
    value.map(|v| v.trim().to_string()).unwrap_or_default()
}

fn clean_list(values: Option<&[String]>) -> Vec<String> {
    values
        .unwrap_or_default()
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// `reporter: 彭戎` or `reporter: [彭戎, 刘福燕]`. Numbers are read as names, like YAML plain
/// scalars elsewhere; an empty value or `~` gives no name (reported as an empty field).
fn one_or_many<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    deserializer.deserialize_any(Names).map(Some)
}

/// Reads a name or a list of names, for [`one_or_many`].
struct Names;

impl<'de> serde::de::Visitor<'de> for Names {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a name or a list of names")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(vec![value.to_string()])
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(vec![value.to_string()])
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(vec![value.to_string()])
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(vec![value.to_string()])
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        while let Some(name) = seq.next_element::<Name>()? {
            names.extend(name.0);
        }
        Ok(names)
    }
}

/// One name in a list: a string or a number; `~` is skipped.
struct Name(Option<String>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = deserializer.deserialize_any(Names)?;
        Ok(Name(names.into_iter().next()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tzdb")
    }

    #[test]
    fn date_only_is_midnight_in_the_site_zone() {
        let date = parse_date("2018-03-18", &shanghai()).expect("valid");
        assert_eq!(
            date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "2018-03-18T00:00:00+08:00"
        );
    }

    #[test]
    fn offset_is_kept_as_an_instant() {
        let date = parse_date("2018-03-18T01:00:00Z", &shanghai()).expect("valid");
        assert_eq!(
            date.strftime("%Y-%m-%dT%H:%M").to_string(),
            "2018-03-18T09:00"
        );
    }

    #[test]
    fn datetime_without_offset_is_local() {
        let date = parse_date("2018-03-18T09:30:00", &shanghai()).expect("valid");
        assert_eq!(date.strftime("%H:%M %:z").to_string(), "09:30 +08:00");
        let date = parse_date("2018-03-18 09:30", &shanghai()).expect("valid");
        assert_eq!(date.strftime("%H:%M").to_string(), "09:30");
    }

    #[test]
    fn bad_dates_are_rejected() {
        for text in ["2018-13-01", "18-03-2018", "2018/03/18", "yesterday", ""] {
            assert!(parse_date(text, &shanghai()).is_none(), "{text}");
        }
    }

    #[derive(Deserialize)]
    struct Reporters {
        #[serde(default, deserialize_with = "one_or_many")]
        reporter: Option<Vec<String>>,
    }

    #[test]
    fn reporters_accept_numbers_and_skip_nulls() {
        let read = |text: &str| {
            crate::yaml::from_str::<Reporters>(text)
                .expect("valid")
                .reporter
        };
        assert_eq!(read("reporter: 彭戎"), Some(vec!["彭戎".to_string()]));
        assert_eq!(read("reporter: 110"), Some(vec!["110".to_string()]));
        assert_eq!(read("reporter:"), Some(vec![]));
        assert_eq!(
            read("reporter: [彭戎, ~, 7]"),
            Some(vec!["彭戎".to_string(), "7".to_string()])
        );
        assert!(crate::yaml::from_str::<Reporters>("reporter: {a: 1}").is_err());
    }

    #[test]
    fn bundle_slug_comes_from_the_folder() {
        assert_eq!(
            file_slug_source(Path::new("content/stories/2018/jiaolong/index.md")),
            "jiaolong"
        );
        assert_eq!(
            file_slug_source(Path::new("content/stories/2018/白莲.md")),
            "白莲"
        );
    }
}
