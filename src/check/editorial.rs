//! Editorial warnings: what an editor should look at before a story goes out.
//!
//! None of these stops a build; `yuanba check` prints them, and `--strict` makes them errors.
//! Each has a stable code under `editorial/`.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::sync::Arc;

use crate::check::links::LocalImage;
use crate::check::{Location, OutputFiles};
use crate::content::Story;
use crate::content::markdown::{Reference, ReferenceKind};
use crate::diagnostic::Diagnostic;
use crate::text;

/// Titles longer than this many characters are hard to fit in a list or a shared card.
pub(crate) const MAX_TITLE_CHARS: usize = 40;

/// Images larger than this slow pages down on a phone.
pub(crate) const MAX_IMAGE_BYTES: u64 = 1024 * 1024;

/// Checks every published story; `images` are the story images the link check found.
pub(crate) fn check(
    stories: &[Arc<Story>],
    images: &[LocalImage],
    outputs: &OutputFiles<'_>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for story in stories {
        diagnostics.extend(check_story(story));
    }
    diagnostics.extend(large_images(images, outputs));
    diagnostics.extend(reporter_typos(stories));
    diagnostics
}

fn check_story(story: &Story) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    diagnostics.extend(long_title(story));
    diagnostics.extend(half_width_title(story));
    diagnostics.extend(no_highlights(story));
    diagnostics.extend(images_without_alt(story));
    diagnostics.extend(no_photo_credit(story));
    diagnostics
}

/// Where a front matter field of `story` is written; the opening `---` when it is not.
fn at_field(story: &Story, field: &str) -> Location {
    Location {
        path: story.source_path.clone(),
        source: std::sync::Arc::clone(&story.source),
        span: story.field_span(field).unwrap_or(0..3),
    }
}

fn long_title(story: &Story) -> Option<Diagnostic> {
    let n_chars = story.title.chars().count();
    (n_chars > MAX_TITLE_CHARS).then(|| {
        at_field(story, "title")
            .locate(Diagnostic::warning(
                Code::EditorialTitleLength,
                format!("the title has {n_chars} characters, more than {MAX_TITLE_CHARS}"),
            ))
            .with_help("shorten it; put the rest in `subtitle`")
    })
}

fn half_width_title(story: &Story) -> Option<Diagnostic> {
    let suggested = full_width_title(&story.title)?;
    Some(
        at_field(story, "title")
            .locate(Diagnostic::warning(
                Code::EditorialTitlePunctuation,
                "the title mixes half-width punctuation into Chinese text",
            ))
            .with_label("half-width punctuation next to Chinese")
            .with_help(format!("use full-width punctuation: `title: {suggested}`")),
    )
}

fn no_highlights(story: &Story) -> Option<Diagnostic> {
    story.highlights.is_empty().then(|| {
        at_field(story, "highlights")
            .locate(Diagnostic::warning(
                Code::EditorialNoHighlights,
                "the story has no highlights",
            ))
            .with_label("no `highlights` in this front matter")
            .with_help("add two or three key points:\nhighlights:\n  - 儿童之家自2月19日起正式开园")
    })
}

/// A photo or an image without alt text.
struct MissingAlt {
    span: std::ops::Range<usize>,
    message: String,
    help: &'static str,
}

/// Photos of the front matter, then images of the body, without alt text.
fn images_without_alt(story: &Story) -> Vec<Diagnostic> {
    let photos = story
        .images
        .iter()
        .filter(|image| image.alt.trim().is_empty())
        .map(|image| MissingAlt {
            span: front_matter_span(story, &image.src),
            message: format!("the photo `{}` has no `alt` text", image.src.trim()),
            help: "describe what it shows for readers who cannot see it: `alt: 儿童之家的活动室`",
        });
    let body_images = body_images(story)
        .filter(|image| image.alt.trim().is_empty())
        .map(|image| MissingAlt {
            span: story.body_start + image.span.start..story.body_start + image.span.end,
            message: format!("the image `{}` has no alt text", image.url),
            help: "describe what it shows between the brackets: `![儿童之家的活动室](…)`",
        });
    photos
        .chain(body_images)
        .map(|missing| {
            let location = Location {
                span: missing.span,
                ..at_field(story, "images")
            };
            location
                .locate(Diagnostic::warning(
                    Code::EditorialImageAlt,
                    missing.message,
                ))
                .with_help(missing.help)
        })
        .collect()
}

/// The images of the body.
fn body_images(story: &Story) -> impl Iterator<Item = &Reference> {
    story
        .references
        .iter()
        .filter(|reference| reference.kind == ReferenceKind::Image)
}

fn no_photo_credit(story: &Story) -> Option<Diagnostic> {
    let uncredited = story
        .images
        .iter()
        .any(|image| image.credit.trim().is_empty());
    let has_body_images = body_images(story).next().is_some();
    (story.photo_credit.is_empty() && (uncredited || has_body_images)).then(|| {
        at_field(story, "images")
            .locate(Diagnostic::warning(
                Code::EditorialPhotoCredit,
                "the story has photos but no `photo_credit`",
            ))
            .with_help("say who took them: `photo_credit: 社区供图` (or a `credit:` on each photo)")
    })
}

/// Where `text` is written in the front matter, after the `images:` key.
fn front_matter_span(story: &Story, text: &str) -> std::ops::Range<usize> {
    let from = story.field_span("images").map_or(0, |span| span.start);
    let front_matter = &story.source[..story.body_start.min(story.source.len())];
    let text = text.trim();
    front_matter
        .get(from..)
        .and_then(|rest| rest.find(text))
        .filter(|_| !text.is_empty())
        .map_or(from..from, |idx| from + idx..from + idx + text.len())
}

fn large_images(images: &[LocalImage], outputs: &OutputFiles<'_>) -> Vec<Diagnostic> {
    // One stat per file, however many stories show it.
    let mut sizes: HashMap<&std::path::Path, Option<u64>> = HashMap::new();
    let mut diagnostics = Vec::new();
    for image in images {
        let size = *sizes
            .entry(image.file.as_path())
            .or_insert_with(|| outputs.size(&image.file));
        if let Some(size) = size.filter(|&size| size > MAX_IMAGE_BYTES) {
            diagnostics.push(
                image
                    .location
                    .locate(Diagnostic::warning(
                        Code::EditorialImageSize,
                        format!(
                            "the image is {:.1} MB, more than 1 MB",
                            size as f64 / (1024.0 * 1024.0)
                        ),
                    ))
                    .with_label("too large for a phone")
                    .with_help("resize it to at most 1600 pixels wide and save it as JPEG or WebP"),
            );
        }
    }
    diagnostics
}

/// The title with half-width `,:;?!()` made full-width, when one of them touches a Chinese
/// character; `None` when there is nothing to change.
pub(crate) fn full_width_title(title: &str) -> Option<String> {
    let chars: Vec<char> = title.chars().collect();
    let full_width = |c: char| match c {
        ',' => Some('，'),
        ':' => Some('：'),
        ';' => Some('；'),
        '?' => Some('？'),
        '!' => Some('！'),
        '(' => Some('（'),
        ')' => Some('）'),
        _ => None,
    };
    let touches_cjk = |idx: usize| {
        let before = idx.checked_sub(1).map(|i| chars[i]);
        let after = chars.get(idx + 1).copied();
        before.into_iter().chain(after).any(text::is_cjk)
    };
    let mixed = (0..chars.len()).any(|idx| full_width(chars[idx]).is_some() && touches_cjk(idx));
    if !mixed {
        return None;
    }
    let mut out = String::with_capacity(title.len());
    let mut idx = 0;
    while idx < chars.len() {
        match full_width(chars[idx]) {
            Some(wide) => {
                out.push(wide);
                // Full-width punctuation carries its own space.
                while chars.get(idx + 1) == Some(&' ') {
                    idx += 1;
                }
            }
            None => out.push(chars[idx]),
        }
        idx += 1;
    }
    Some(out)
}

/// A reporter name written in one story only, when a name of three or more characters that
/// differs from it by one character is written in several: most likely a typo. (Names that
/// sound the same, 彭戎/彭荣, share a pinyin slug and are already an error of `site::taxonomy`.)
fn reporter_typos(stories: &[Arc<Story>]) -> Vec<Diagnostic> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for story in stories {
        for name in &story.reporters {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    let mut frequent: Vec<Frequent<'_>> = counts
        .iter()
        .filter(|&(_, &count)| count >= 2)
        .map(|(&name, &count)| Frequent { name, count })
        .collect();
    // Most used first, so the suggestion is the likeliest spelling; then by name for stability.
    frequent.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
    let mut diagnostics = Vec::new();
    for story in stories {
        for name in &story.reporters {
            if counts[name.as_str()] != 1 {
                continue;
            }
            let close = frequent.iter().find(|frequent| {
                name.chars().count() >= 3 && strsim::levenshtein(name, frequent.name) == 1
            });
            let Some(&Frequent { name: other, count }) = close else {
                continue;
            };
            let location = Location {
                path: story.source_path.clone(),
                source: std::sync::Arc::clone(&story.source),
                span: story.field_span("reporter").unwrap_or(0..3),
            };
            diagnostics.push(
                location
                    .locate(Diagnostic::warning(
                        Code::EditorialReporterTypo,
                        format!(
                            "the reporter {name} appears in no other story, but {other} is in {count}"
                        ),
                    ))
                    .with_label("likely a typo")
                    .with_help(format!("did you mean {other}?")),
            );
        }
    }
    diagnostics
}

/// A reporter name written in several stories.
#[derive(Debug, Clone, Copy)]
struct Frequent<'a> {
    name: &'a str,
    /// In how many stories.
    count: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_punctuation_next_to_chinese() {
        assert_eq!(
            full_width_title("白莲社区: 创新发展, 居民点赞!").as_deref(),
            Some("白莲社区：创新发展，居民点赞！")
        );
        assert_eq!(
            full_width_title("社区(试点)").as_deref(),
            Some("社区（试点）")
        );
        assert_eq!(full_width_title("白莲社区：创新发展"), None);
        assert_eq!(full_width_title("LED 屏 2.0: hello, world"), None);
    }
}
