//! What the markup of a story's local images needs, read at build time: for a photo (JPEG, PNG,
//! WebP) its probe through `images` (key, displayed size, variants: the `<picture>`), for a
//! GIF or SVG its pixel size for `width`/`height` attributes (so the page does not jump while
//! images load).
//!
//! An image `src` is looked up where the built site will serve it from: a relative `src` in the
//! story's bundle folder, a root-relative one (`/images/a.jpg`) in the site's `static/`, then
//! the theme's `static/`. GIF and other raster headers are read with `imagesize`; SVG from the
//! `width`/`height`/`viewBox` of its root element. Full URLs and missing files have no size,
//! which is not an error here (`check::links` reports missing files, `check::photos` files that
//! cannot be published): the template leaves the attributes out.

use std::cell::RefCell;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::images::Probed;

/// Width and height in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// How much of an SVG file is read to find its root element.
const SVG_HEAD_BYTES: u64 = 64 * 1024;

/// What a page's markup needs of one image.
#[derive(Debug, Default)]
pub(crate) struct ImageInfo {
    /// The displayed size, when known.
    pub size: Option<ImageSize>,
    /// The `<picture>` of a photo the pipeline publishes as variants.
    pub picture: Option<Picture>,
}

/// The parts of a `<picture>` element of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Picture {
    /// A `<source>` per format but the last: media type and `srcset`.
    pub sources: Vec<(&'static str, String)>,
    /// The `<img src>`: a variant of the last format.
    pub src: String,
    /// The `<img srcset>`: every variant of the last format.
    pub srcset: String,
    /// The `sizes` of every `srcset`.
    pub sizes: String,
}

impl Picture {
    /// The picture of `photo` as the site's settings publish it, with `sizes`.
    pub(crate) fn of(
        photo: &crate::images::Photo,
        config: &SiteConfig,
        sizes: &str,
    ) -> Option<Self> {
        let formats = &config.images.formats;
        let (last, others) = formats.split_last()?;
        let base_path = &config.base_path;
        Some(Picture {
            sources: others
                .iter()
                .map(|format| (format.mime(), photo.srcset(base_path, *format)))
                .collect(),
            src: photo.url(base_path, photo.fallback(formats)?),
            srcset: photo.srcset(base_path, *last),
            sizes: sizes.to_string(),
        })
    }
}

/// Finds the local files behind image `src`s of one story or page, and records the ones it
/// found (what the build publishes for the file).
#[derive(Debug)]
pub struct ImageLookup<'a> {
    config: &'a SiteConfig,
    /// The bundle folder (absolute) when the file is a bundle's `index.md`.
    bundle_dir: Option<PathBuf>,
    /// Every image file looked up, in order.
    used: RefCell<Vec<Arc<Probed>>>,
}

impl<'a> ImageLookup<'a> {
    /// The lookup for the Markdown file at `relative` (to the site root). Relative `src`s are
    /// looked up only for the `index.md` of a bundle, whose files are copied next to its page.
    pub fn new(config: &'a SiteConfig, relative: &Path) -> Self {
        let content = Path::new("content");
        let bundle_dir = relative
            .parent()
            .filter(|folder| {
                crate::content::is_bundle_index(relative)
                    && *folder != content
                    && *folder != content.join(crate::content::PAGES_DIR)
            })
            .map(|folder| config.root.join(folder));
        ImageLookup {
            config,
            bundle_dir,
            used: RefCell::new(Vec::new()),
        }
    }

    /// What the markup of the image at `src` needs (`sizes` for a photo's `<picture>`), and
    /// the file's probe, which is also recorded.
    pub(crate) fn probe(&self, src: &str, sizes: &str) -> (ImageInfo, Option<Arc<Probed>>) {
        let Some(path) = self.locate(src) else {
            return (ImageInfo::default(), None);
        };
        let probed = self.config.photo_memo.probe(&path, &self.config.images);
        self.used.borrow_mut().push(Arc::clone(&probed));
        let info = match &probed.outcome {
            crate::images::Outcome::Photo(photo) => ImageInfo {
                size: Some(ImageSize {
                    width: photo.width,
                    height: photo.height,
                }),
                picture: Picture::of(photo, self.config, sizes),
            },
            crate::images::Outcome::AsIs => ImageInfo {
                size: read_size(&path),
                picture: None,
            },
            crate::images::Outcome::Failed(_) => ImageInfo::default(),
        };
        (info, Some(probed))
    }

    /// Like [`ImageLookup::probe`], for an image in a body (`sizes` from the theme).
    pub(crate) fn info(&self, src: &str, sizes: &str) -> ImageInfo {
        self.probe(src, sizes).0
    }

    /// The `sizes` of images in bodies.
    pub(crate) fn body_sizes(&self) -> &str {
        &self.config.images.body_sizes
    }

    /// Every image file looked up so far.
    pub(crate) fn take_used(&self) -> Vec<Arc<Probed>> {
        self.used.take()
    }

    /// The file that the built site will serve for `src`.
    fn locate(&self, src: &str) -> Option<PathBuf> {
        if src.contains("://") || src.starts_with("//") || src.starts_with("data:") {
            return None;
        }
        let path = src.split(['?', '#']).next().unwrap_or_default();
        if let Some(rooted) = path.strip_prefix('/') {
            let relative = safe_relative(rooted)?;
            [
                self.config.static_dir(),
                self.config.theme_dir().join("static"),
            ]
            .into_iter()
            .map(|dir| dir.join(&relative))
            .find(|candidate| candidate.is_file())
        } else {
            let relative = safe_relative(path)?;
            let candidate = self.bundle_dir.as_ref()?.join(relative);
            candidate.is_file().then_some(candidate)
        }
    }
}

/// `path` as a relative path without `..`, or `None` when it climbs out or is empty.
/// The file at `path`: a path from the site root (`content/stories/a/photo.jpg`), or a URL of the
/// site's or the theme's `static/` (`/images/a.jpg`). Never outside the site root.
pub(crate) fn site_file(config: &SiteConfig, path: &str) -> Option<PathBuf> {
    if let Some(rooted) = path.strip_prefix('/') {
        let relative = safe_relative(rooted)?;
        return [config.static_dir(), config.theme_dir().join("static")]
            .into_iter()
            .map(|dir| dir.join(&relative))
            .find(|candidate| candidate.is_file());
    }
    let file = config.root.join(safe_relative(path)?);
    file.is_file().then_some(file)
}

/// `.` components are dropped, so the path is the one the build copies the file from.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!relative.as_os_str().is_empty()).then_some(relative)
}

/// The size of the image file at `path`.
pub(crate) fn read_size(path: &Path) -> Option<ImageSize> {
    let is_svg = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg"));
    if is_svg {
        return svg_size(&String::from_utf8_lossy(&read_head(path, SVG_HEAD_BYTES)?));
    }
    let size = imagesize::size(path).ok()?;
    let width = u32::try_from(size.width).ok().filter(|&w| w > 0)?;
    let height = u32::try_from(size.height).ok().filter(|&h| h > 0)?;
    // Browsers turn a JPEG by its EXIF orientation (phones store portraits sideways), so the
    // displayed width and height are swapped for orientations 5 to 8.
    let turned = matches!(jpeg_orientation(path), Some(5..=8));
    Some(if turned {
        ImageSize {
            width: height,
            height: width,
        }
    } else {
        ImageSize { width, height }
    })
}

/// How much of a JPEG is read to find its EXIF block (it comes first, in an APP1 segment).
const JPEG_HEAD_BYTES: u64 = 128 * 1024;

/// The EXIF orientation (1 to 8) of a JPEG file, when it has one.
fn jpeg_orientation(path: &Path) -> Option<u16> {
    exif_orientation(&read_head(path, JPEG_HEAD_BYTES)?)
}

/// The first `limit` bytes of a file (all of a shorter one).
fn read_head(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// The EXIF orientation in the first bytes of a JPEG: walks the segments up to the image data,
/// finds `APP1` with `Exif\0\0`, and reads tag 0x0112 of the first IFD.
fn exif_orientation(jpeg: &[u8]) -> Option<u16> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if marker == 0xDA || length < 2 {
            return None;
        }
        let segment = jpeg.get(at + 4..at + 2 + length)?;
        if marker == 0xE1
            && let Some(tiff) = segment.strip_prefix(b"Exif\0\0")
        {
            return tiff_orientation(tiff);
        }
        at += 2 + length;
    }
    None
}

fn tiff_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let bytes = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let bytes = [
            *tiff.get(at)?,
            *tiff.get(at + 1)?,
            *tiff.get(at + 2)?,
            *tiff.get(at + 3)?,
        ];
        Some(if big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let n_entries = usize::from(u16_at(ifd)?);
    (0..n_entries)
        .map(|idx| ifd + 2 + idx * 12)
        .find(|&entry| u16_at(entry) == Some(0x0112))
        .and_then(|entry| u16_at(entry + 8))
        .filter(|orientation| (1..=8).contains(orientation))
}

/// The size of an SVG document: its root `width` and `height` when both are absolute lengths
/// (unitless or `px`), else the `viewBox` (scaled to one of them when only one is absolute).
pub(crate) fn svg_size(text: &str) -> Option<ImageSize> {
    let start = find_svg_start(text)?;
    let tag_end = text[start..].find('>')? + start;
    let tag = &text[start + "<svg".len()..tag_end];
    let width = attribute(tag, "width").and_then(pixels);
    let height = attribute(tag, "height").and_then(pixels);
    let view_box = attribute(tag, "viewBox").and_then(|value| {
        let numbers: Vec<f64> = value
            .split([' ', ',', '\t', '\n', '\r'])
            .filter(|part| !part.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        match numbers[..] {
            [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
            _ => None,
        }
    });
    let (w, h) = match (width, height, view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some(view_box)) => view_box,
        _ => return None,
    };
    let round = |value: f64| -> Option<u32> {
        let rounded = value.round();
        (rounded >= 1.0 && rounded <= f64::from(u32::MAX)).then_some(rounded as u32)
    };
    Some(ImageSize {
        width: round(w)?,
        height: round(h)?,
    })
}

/// The byte offset of the root `<svg` element, past any XML declaration, comments and doctype.
fn find_svg_start(text: &str) -> Option<usize> {
    let mut rest = 0;
    loop {
        let idx = text[rest..].find('<')? + rest;
        let tail = &text[idx..];
        if tail.starts_with("<svg")
            && tail[4..].starts_with(|c: char| c.is_whitespace() || c == '>')
        {
            return Some(idx);
        }
        rest = if tail.starts_with("<!--") {
            idx + tail.find("-->")? + 3
        } else {
            idx + 1
        };
    }
}

/// The value of `name="…"` (or `'…'`) in the attribute text of a tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut search = 0;
    while let Some(found) = tag[search..].find(name) {
        let idx = search + found;
        search = idx + name.len();
        let before_ok = idx == 0 || tag[..idx].ends_with(char::is_whitespace);
        let after = tag[search..].trim_start();
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if before_ok && (quote == '"' || quote == '\'') {
            let end = value[1..].find(quote)? + 1;
            return Some(value[1..end].trim());
        }
    }
    None
}

/// A length in CSS pixels: a plain number or `Npx`; relative units and percentages are `None`.
fn pixels(value: &str) -> Option<f64> {
    let number = value.strip_suffix("px").unwrap_or(value).trim();
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(
        clippy::unnecessary_wraps,
        reason = "compared with functions that return an Option"
    )]
    fn size(width: u32, height: u32) -> Option<ImageSize> {
        Some(ImageSize { width, height })
    }

    #[test]
    fn svg_width_and_height_win() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 600 400">"#;
        assert_eq!(svg_size(svg), size(1200, 800));
        assert_eq!(svg_size("<svg width='64px' height='32.4px'>"), size(64, 32));
    }

    #[test]
    fn svg_falls_back_to_the_view_box() {
        assert_eq!(svg_size(r#"<svg viewBox="0 0 640 360">"#), size(640, 360));
        assert_eq!(
            svg_size(r#"<svg width="100%" height="100%" viewBox="0,0,640,360">"#),
            size(640, 360)
        );
        assert_eq!(
            svg_size(r#"<svg width="320" viewBox="0 0 640 360">"#),
            size(320, 180)
        );
    }

    #[test]
    fn svg_prologue_is_skipped() {
        let svg = "<?xml version=\"1.0\"?>\n<!-- <svg width=\"1\" height=\"1\"> -->\n<!DOCTYPE svg>\n<svg\n  width=\"30\"\n  height=\"20\">";
        assert_eq!(svg_size(svg), size(30, 20));
    }

    #[test]
    fn svg_without_a_size_has_none() {
        assert_eq!(svg_size("<svg>"), None);
        assert_eq!(svg_size(r#"<svg width="10em" height="5em">"#), None);
        assert_eq!(svg_size(r#"<svg viewBox="0 0 0 10">"#), None);
        assert_eq!(svg_size("not svg at all"), None);
        assert_eq!(svg_size(r#"<svgx width="1" height="1">"#), None);
        assert_eq!(svg_size(r#"<svg data-width="5" height="5">"#), None);
    }

    #[test]
    fn paths_do_not_climb_out() {
        assert_eq!(
            safe_relative("images/a.jpg"),
            Some(PathBuf::from("images/a.jpg"))
        );
        assert_eq!(safe_relative("../secret.png"), None);
        assert_eq!(safe_relative("a/../../b.png"), None);
        assert_eq!(safe_relative(""), None);
    }

    #[test]
    fn raster_sizes_come_from_the_header() {
        let dir = tempfile_dir("raster");
        // A 3×2 PNG: signature, then the IHDR chunk with width and height.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&3u32.to_be_bytes());
        png.extend_from_slice(&2u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        let path = dir.join("a.png");
        std::fs::write(&path, &png).expect("write");
        assert_eq!(read_size(&path), size(3, 2));
        std::fs::write(dir.join("b.png"), b"not a png").expect("write");
        assert_eq!(read_size(&dir.join("b.png")), None);
        assert_eq!(read_size(&dir.join("missing.png")), None);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A JPEG start with an EXIF block that says `orientation`, in either byte order.
    fn jpeg_with_orientation(orientation: u16, big_endian: bool) -> Vec<u8> {
        let u16b = |n: u16| {
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        };
        let u32b = |n: u32| {
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        };
        let mut tiff = if big_endian {
            b"MM".to_vec()
        } else {
            b"II".to_vec()
        };
        tiff.extend_from_slice(&u16b(42));
        tiff.extend_from_slice(&u32b(8));
        tiff.extend_from_slice(&u16b(1));
        tiff.extend_from_slice(&u16b(0x0112));
        tiff.extend_from_slice(&u16b(3));
        tiff.extend_from_slice(&u32b(1));
        tiff.extend_from_slice(&u16b(orientation));
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(
            &u16::try_from(segment.len() + 2)
                .expect("small")
                .to_be_bytes(),
        );
        jpeg.extend_from_slice(&segment);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        jpeg
    }

    #[test]
    fn exif_orientation_is_read_in_both_byte_orders() {
        assert_eq!(exif_orientation(&jpeg_with_orientation(6, true)), Some(6));
        assert_eq!(exif_orientation(&jpeg_with_orientation(8, false)), Some(8));
        assert_eq!(exif_orientation(&jpeg_with_orientation(9, false)), None);
        assert_eq!(exif_orientation(b"\xFF\xD8\xFF\xE1\x00"), None);
        assert_eq!(exif_orientation(b"not a jpeg"), None);
        let truncated = jpeg_with_orientation(6, true);
        assert_eq!(exif_orientation(&truncated[..20]), None);
    }

    #[test]
    fn a_turned_jpeg_has_its_displayed_size() {
        let mut jpeg = jpeg_with_orientation(6, false);
        jpeg.truncate(jpeg.len() - 4);
        // SOF0: 8-bit, 300 high, 400 wide, 3 components; then the start of scan.
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0x01, 0x2C, 0x01, 0x90, 3]);
        jpeg.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        let dir = tempfile_dir("turned");
        let path = dir.join("turned.jpg");
        std::fs::write(&path, &jpeg).expect("write");
        assert_eq!(read_size(&path), size(300, 400));
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A fresh folder for one test (tests run in parallel in one process).
    fn tempfile_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("yuanba-image-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
