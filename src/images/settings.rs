//! The `images:` settings of `site.yaml` and `theme.yaml`: which variants the pipeline makes of
//! each photo, in which formats and at which quality, and where its cache lives.
//!
//! A theme's `theme.yaml` may set any of them as defaults (and `sizes`, the `sizes` attribute of
//! the images in story bodies, which only the theme knows); `site.yaml` overrides them key by
//! key. Values are checked here, with the problem located at the line that sets it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::fields::YamlBlock;
use crate::yaml::TopLevelKey;

/// The default widths of the variants, in pixels.
pub(crate) const DEFAULT_WIDTHS: [u32; 3] = [480, 960, 1440];

/// The default encoder quality.
pub(crate) const DEFAULT_QUALITY: u8 = 80;

/// The default `sizes` of an image in a story's body: the width of the default theme's text
/// column (38em of 1.125rem text, `.story-body > *`), else the whole viewport.
pub(crate) const DEFAULT_BODY_SIZES: &str = "(min-width: 45rem) 43rem, 100vw";

/// The cache folder, relative to the site root, unless `cache_dir` moves it.
pub(crate) const DEFAULT_CACHE_DIR: &str = ".yuanba/cache/images";

/// The narrowest and widest variant the pipeline makes.
const WIDTH_RANGE: std::ops::RangeInclusive<i64> = 16..=8192;

/// `images:` as written in `site.yaml` or `theme.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawImages {
    widths: Option<Vec<i64>>,
    formats: Option<Vec<String>>,
    quality: Option<i64>,
    publish_originals: Option<bool>,
    sizes: Option<String>,
}

/// An output format of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Format {
    /// Lossy WebP (libwebp).
    Webp,
    /// Baseline JPEG.
    Jpeg,
}

impl Format {
    /// The name in `formats:` and the file extension.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpeg",
        }
    }

    /// The file extension of its variants.
    pub(crate) const fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
        }
    }

    /// The media type, for `<source type>`.
    pub(crate) const fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
        }
    }

    /// The format called `name` (`webp`, `jpeg` or `jpg`, in any case).
    pub(crate) fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "webp" => Some(Format::Webp),
            "jpeg" | "jpg" => Some(Format::Jpeg),
            _ => None,
        }
    }
}

/// The resolved image settings of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSettings {
    /// The widths of the variants, ascending, without duplicates.
    pub(crate) widths: Vec<u32>,
    /// The formats, in `<source>` order; the last one is the `<img>` fallback.
    pub(crate) formats: Vec<Format>,
    /// Encoder quality, 1 to 100.
    pub(crate) quality: u8,
    /// Also publish each original, its metadata stripped, at its own path.
    pub(crate) publish_originals: bool,
    /// The `sizes` attribute of images in story and page bodies.
    pub(crate) body_sizes: String,
    /// Where processed variants are kept (absolute).
    pub(crate) cache_dir: PathBuf,
    /// `check` writes nothing, not even the cache: it only validates photos.
    pub(crate) read_only: bool,
}

impl ImageSettings {
    /// The defaults, with the cache under `root`.
    pub(crate) fn defaults(root: &Path) -> Self {
        ImageSettings {
            widths: DEFAULT_WIDTHS.to_vec(),
            formats: vec![Format::Webp, Format::Jpeg],
            quality: DEFAULT_QUALITY,
            publish_originals: false,
            body_sizes: DEFAULT_BODY_SIZES.to_string(),
            cache_dir: root.join(DEFAULT_CACHE_DIR),
            read_only: false,
        }
    }

    /// The widest variant a page asks for.
    pub(crate) fn widest(&self) -> u32 {
        self.widths.last().copied().unwrap_or(0)
    }
}

/// One layer of `images:` (the theme's, or the site's), checked: what it sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ImageLayer {
    widths: Option<Vec<u32>>,
    formats: Option<Vec<Format>>,
    quality: Option<u8>,
    publish_originals: Option<bool>,
    sizes: Option<String>,
}

impl ImageLayer {
    /// Sets what the layer sets.
    pub(crate) fn apply_to(&self, settings: &mut ImageSettings) {
        if let Some(widths) = &self.widths {
            settings.widths.clone_from(widths);
        }
        if let Some(formats) = &self.formats {
            settings.formats.clone_from(formats);
        }
        if let Some(quality) = self.quality {
            settings.quality = quality;
        }
        if let Some(publish) = self.publish_originals {
            settings.publish_originals = publish;
        }
        if let Some(sizes) = &self.sizes {
            settings.body_sizes.clone_from(sizes);
        }
    }
}

/// Checks one `images:` block of `block` (`site.yaml` or a `theme.yaml`); each bad value is
/// reported at its line with `code`, and left out of the layer.
pub(crate) fn check_layer(
    raw: &RawImages,
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    code: Code,
) -> (ImageLayer, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let at = |name: &str, message: String, help: &str| {
        let (offset, len) = nested_value_span(block, keys, "images", name)
            .or_else(|| block.value_span(keys, "images"))
            .unwrap_or((0, 1));
        block.error_at(code, message, offset, len).with_help(help)
    };
    let mut layer = ImageLayer {
        publish_originals: raw.publish_originals,
        ..ImageLayer::default()
    };
    if let Some(widths) = &raw.widths {
        match check_widths(widths) {
            Ok(widths) => layer.widths = Some(widths),
            Err(message) => diagnostics.push(at(
                "widths",
                message,
                "list widths in pixels from 16 to 8192, such as `widths: [480, 960, 1440]`",
            )),
        }
    }
    if let Some(formats) = &raw.formats {
        match check_formats(formats) {
            Ok(formats) => layer.formats = Some(formats),
            Err(message) => diagnostics.push(at(
                "formats",
                message,
                "use `webp` and `jpeg`, the fallback last: `formats: [webp, jpeg]`",
            )),
        }
    }
    if let Some(quality) = raw.quality {
        match u8::try_from(quality).ok().filter(|q| (1..=100).contains(q)) {
            Some(quality) => layer.quality = Some(quality),
            None => diagnostics.push(at(
                "quality",
                format!("`quality` is {quality}, not between 1 and 100"),
                "80 is a good balance of size and sharpness for photos",
            )),
        }
    }
    if let Some(sizes) = &raw.sizes {
        if sizes.trim().is_empty() || sizes.contains(['"', '<', '>']) {
            diagnostics.push(at(
                "sizes",
                "`sizes` must be the value of a `sizes` attribute".to_string(),
                "write media conditions and lengths, such as `(min-width: 45rem) 43rem, 100vw`",
            ));
        } else {
            layer.sizes = Some(sizes.trim().to_string());
        }
    }
    (layer, diagnostics)
}

fn check_widths(widths: &[i64]) -> Result<Vec<u32>, String> {
    if widths.is_empty() {
        return Err("`widths` is empty: every photo needs at least one variant".to_string());
    }
    if let Some(bad) = widths.iter().find(|w| !WIDTH_RANGE.contains(w)) {
        return Err(format!("the width {bad} is not between 16 and 8192 pixels"));
    }
    let mut sorted: Vec<u32> = widths.iter().map(|&w| w as u32).collect();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(sorted)
}

fn check_formats(formats: &[String]) -> Result<Vec<Format>, String> {
    if formats.is_empty() {
        return Err("`formats` is empty: list at least one format".to_string());
    }
    let mut parsed: Vec<Format> = Vec::new();
    for name in formats {
        let format = Format::parse(name)
            .ok_or_else(|| format!("unknown image format `{name}`: yuanba writes webp and jpeg"))?;
        if parsed.contains(&format) {
            return Err(format!("the format `{name}` is listed twice"));
        }
        parsed.push(format);
    }
    Ok(parsed)
}

/// The span of the value of `name:` in the block mapping under the top-level key `parent`
/// (relative to the block), when it is written on its own line there.
pub(crate) fn nested_value_span(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    parent: &str,
    name: &str,
) -> Option<(usize, usize)> {
    let key = keys.iter().find(|key| key.name == parent)?;
    let text = block.text;
    let mut line_start = text[key.value_offset..].find('\n')? + key.value_offset + 1;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |idx| line_start + idx);
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            if trimmed.len() == line.len() {
                return None;
            }
            if let Some(rest) = trimmed.strip_prefix(name).and_then(|r| r.strip_prefix(':')) {
                let value_start = line_end - rest.len() + (rest.len() - rest.trim_start().len());
                let value = text[value_start..line_end].trim_end();
                return Some(if value.is_empty() {
                    (line_end - trimmed.len(), name.len())
                } else {
                    (value_start, value.len())
                });
            }
        }
        line_start = line_end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_sorted_and_checked() {
        assert_eq!(check_widths(&[960, 480, 960]), Ok(vec![480, 960]));
        assert!(check_widths(&[]).is_err());
        assert_eq!(
            check_widths(&[480, 10]),
            Err("the width 10 is not between 16 and 8192 pixels".to_string())
        );
    }

    #[test]
    fn formats_are_known_and_unique() {
        let names = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            check_formats(&names(&["webp", "JPG"])),
            Ok(vec![Format::Webp, Format::Jpeg])
        );
        assert!(check_formats(&names(&["avif"])).is_err());
        assert!(check_formats(&names(&["jpeg", "jpg"])).is_err());
    }

    #[test]
    fn nested_values_are_located() {
        let source: std::sync::Arc<str> =
            "title: x\nimages:\n  # the variants\n  widths: [1, 2]\n  quality: 0\nsearch: true\n"
                .into();
        let block = YamlBlock {
            path: Path::new("site.yaml"),
            source: &source,
            start: 0,
            text: &source,
        };
        let keys = block.keys();
        let (offset, len) = nested_value_span(&block, &keys, "images", "quality").expect("found");
        assert_eq!(&source[offset..offset + len], "0");
        let (offset, len) = nested_value_span(&block, &keys, "images", "widths").expect("found");
        assert_eq!(&source[offset..offset + len], "[1, 2]");
        assert_eq!(nested_value_span(&block, &keys, "images", "search"), None);
    }
}
