//! Photos: every local JPEG, PNG or WebP that a story or page shows is published as a set of
//! small variants (each configured width narrower than the original, in WebP and JPEG), under
//! content-addressed names (`img/<key>-<width>.<ext>`), with no metadata; GIF and SVG are
//! published as they are.
//!
//! Two steps. [`probe`] runs while content is loaded (for every image a story or page uses):
//! it reads the file, hashes it with the settings into the photo's key, and reads only the
//! header (format, pixel size, EXIF orientation, GPS), so the markup of a page can be written
//! without any image work. [`process::run`] runs once per build over every photo the site uses,
//! in parallel: a photo whose variants are in the cache ([`cache`]) costs no decoding; any
//! other is decoded once, resized to every width, turned by its orientation and encoded.
//!
//! Problems are [`PhotoError`]s, turned into diagnostics at the place of the story that shows
//! the image by the caller. This module knows nothing about stories, templates or output folders.

pub(crate) mod cache;
pub(crate) mod index;
pub(crate) mod originals;
pub(crate) mod process;
pub(crate) mod settings;

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use image::ImageDecoder;

use crate::diagnostic::Code;
pub(crate) use settings::{Format, ImageSettings};

/// The folder of the variants in the built site.
pub(crate) const OUTPUT_DIR: &str = "img";

/// Photos with more pixels than this are refused before decoding (a decompression bomb, or a
/// panorama no page needs): 100 megapixels, more than any phone's default mode.
pub(crate) const MAX_PIXELS: u64 = 100_000_000;

/// The most memory one decode may take (the decoded pixels count towards it).
pub(crate) const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Bumped whenever the pipeline's output for the same input and settings changes, so that
/// cached variants of an older yuanba are not reused.
const PIPELINE_VERSION: &str = "yuanba-photo-2";

/// The width `og:image` aims at: what share scrapers show best.
const SHARE_WIDTH: u32 = 1200;

/// The width the `<img src>` fallback aims at.
const FALLBACK_WIDTH: u32 = 960;

/// The decodable formats of sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
}

impl SourceFormat {
    fn image_format(self) -> image::ImageFormat {
        match self {
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::Webp => image::ImageFormat::WebP,
        }
    }

    fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Webp => "WebP",
        }
    }
}

/// Why an image cannot be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhotoError {
    /// The file could not be read.
    Io(String),
    /// A raster format the pipeline does not decode (BMP, TIFF, HEIC, AVIF, …).
    Unsupported {
        /// The extension as written.
        extension: String,
    },
    /// The bytes are of another format than the extension says.
    WrongExtension {
        /// The extension as written.
        extension: String,
        /// What the bytes are, when known.
        actual: Option<&'static str>,
    },
    /// More pixels than [`MAX_PIXELS`].
    TooLarge {
        /// Width in pixels as the header claims.
        width: u32,
        /// Height in pixels as the header claims.
        height: u32,
    },
    /// The file is truncated or damaged.
    Corrupt(String),
}

impl PhotoError {
    /// The diagnostic code of the problem.
    pub(crate) fn code(&self) -> Code {
        match self {
            PhotoError::Io(_) | PhotoError::Corrupt(_) => Code::ImageCorrupt,
            PhotoError::Unsupported { .. } => Code::ImageUnsupported,
            PhotoError::WrongExtension { .. } => Code::ImageWrongExtension,
            PhotoError::TooLarge { .. } => Code::ImageTooLarge,
        }
    }

    /// The message, about the file `name`.
    pub(crate) fn message(&self, name: &str) -> String {
        match self {
            PhotoError::Io(error) => format!("cannot read the image `{name}`: {error}"),
            PhotoError::Unsupported { extension } => {
                format!("`{name}` is a .{extension} file, which yuanba cannot publish")
            }
            PhotoError::WrongExtension {
                extension,
                actual: Some(actual),
            } => format!("`{name}` is named .{extension} but is a {actual} file"),
            PhotoError::WrongExtension {
                extension,
                actual: None,
            } => format!("`{name}` is named .{extension} but is no image yuanba knows"),
            PhotoError::TooLarge { width, height } => format!(
                "`{name}` claims {width}×{height} pixels, more than the {} megapixels yuanba decodes",
                MAX_PIXELS / 1_000_000
            ),
            PhotoError::Corrupt(error) => {
                format!("`{name}` is damaged or truncated: {error}")
            }
        }
    }

    /// What to do about it.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            PhotoError::Io(_) | PhotoError::Corrupt(_) => {
                "export the photo again from the phone or camera, or open and save it again"
            }
            PhotoError::Unsupported { .. } => {
                "save it as JPEG (photos), PNG (drawings, screenshots), WebP, GIF or SVG"
            }
            PhotoError::WrongExtension { .. } => {
                "rename the file to its real format's extension, and the `src` with it"
            }
            PhotoError::TooLarge { .. } => {
                "resize it to at most a few thousand pixels wide before adding it"
            }
        }
    }
}

/// A variant of a photo: one width in one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Variant {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Format.
    pub format: Format,
}

impl Variant {
    /// Its file name inside the cache entry.
    pub(crate) fn cache_name(&self) -> String {
        format!("{}.{}", self.width, self.format.extension())
    }
}

/// A photo the pipeline publishes as variants.
#[derive(Debug)]
pub(crate) struct Photo {
    /// The source file (absolute).
    pub source: PathBuf,
    /// The hash of the source's bytes and of the settings, in hex: names the variants.
    pub key: String,
    /// Its format.
    pub format: SourceFormat,
    /// Width as displayed (after the EXIF orientation).
    pub width: u32,
    /// Height as displayed.
    pub height: u32,
    /// EXIF orientation, 1 to 8.
    pub orientation: u8,
    /// Whether the source's EXIF has a GPS position.
    pub has_gps: bool,
    /// The variants to make, by width then format.
    pub variants: Vec<Variant>,
    /// The average colour (a placeholder background), known once the photo is processed or
    /// found in the cache.
    pub color: OnceLock<[u8; 3]>,
}

impl Photo {
    /// The path of a variant in the built site (`img/<key>-960.webp`).
    pub(crate) fn output_path(&self, variant: &Variant) -> PathBuf {
        Path::new(OUTPUT_DIR).join(format!(
            "{}-{}.{}",
            self.key,
            variant.width,
            variant.format.extension()
        ))
    }

    /// The root-relative URL of a variant under `base_path` (which ends with `/`).
    pub(crate) fn url(&self, base_path: &str, variant: &Variant) -> String {
        format!(
            "{base_path}{OUTPUT_DIR}/{}-{}.{}",
            self.key,
            variant.width,
            variant.format.extension()
        )
    }

    /// The variants in `format`, narrowest first.
    pub(crate) fn in_format(&self, format: Format) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The `srcset` of `format`: `url 480w, url 960w`.
    pub(crate) fn srcset(&self, base_path: &str, format: Format) -> String {
        let mut srcset = String::new();
        for variant in self.in_format(format) {
            if !srcset.is_empty() {
                srcset.push_str(", ");
            }
            srcset.push_str(&self.url(base_path, variant));
            srcset.push(' ');
            srcset.push_str(&variant.width.to_string());
            srcset.push('w');
        }
        srcset
    }

    /// The variant of `format` closest to `width` (the wider one on a tie).
    pub(crate) fn closest(&self, format: Format, width: u32) -> Option<&Variant> {
        self.in_format(format)
            .min_by_key(|v| (v.width.abs_diff(width), std::cmp::Reverse(v.width)))
    }

    /// The `<img src>` fallback: the variant of the last format closest to 960 pixels.
    pub(crate) fn fallback(&self, formats: &[Format]) -> Option<&Variant> {
        formats
            .last()
            .and_then(|format| self.closest(*format, FALLBACK_WIDTH))
    }

    /// The JPEG for `og:image`: the one closest to 1200 pixels wide.
    pub(crate) fn share(&self) -> Option<&Variant> {
        self.closest(Format::Jpeg, SHARE_WIDTH)
    }

    /// The average colour as `#rrggbb`, once known.
    pub(crate) fn color_hex(&self) -> Option<String> {
        self.color
            .get()
            .map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}"))
    }
}

/// An image file a story or page shows, as [`probe`] found it.
#[derive(Debug)]
pub(crate) struct Probed {
    /// The file (absolute).
    pub source: PathBuf,
    /// What the pipeline does with it.
    pub outcome: Outcome,
}

/// What becomes of an image file.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Published as variants.
    Photo(Photo),
    /// A GIF or SVG, published as it is.
    AsIs,
    /// Cannot be published.
    Failed(PhotoError),
}

impl Probed {
    /// The photo, when it is one.
    pub(crate) fn photo(&self) -> Option<&Photo> {
        match &self.outcome {
            Outcome::Photo(photo) => Some(photo),
            _ => None,
        }
    }
}

/// Told how far the photo step is: photos done, and the total.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(usize, usize) + Send + Sync>>);

impl Progress {
    /// Progress reported to `report`.
    pub fn new(report: impl Fn(usize, usize) + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(report)))
    }

    /// Reports `done` of `total`.
    pub(crate) fn report(&self, done: usize, total: usize) {
        if let Some(report) = &self.0 {
            report(done, total);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(..)"
        } else {
            "Progress(none)"
        })
    }
}

/// Variants that templates ask for with `resize_image`, beyond the configured ones: made after
/// the pages are rendered, by output path.
#[derive(Debug, Default)]
pub struct Requests {
    asked: Mutex<std::collections::BTreeMap<PathBuf, (Arc<Probed>, Variant)>>,
}

impl Requests {
    /// Asks for `variant` of the photo of `probed`; returns its path in the built site.
    pub(crate) fn ask(&self, probed: &Arc<Probed>, variant: Variant) -> Option<PathBuf> {
        let photo = probed.photo()?;
        let path = photo.output_path(&variant);
        self.asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.clone(), (Arc::clone(probed), variant));
        Some(path)
    }

    /// Everything asked for so far.
    pub(crate) fn all(&self) -> Vec<(PathBuf, Arc<Probed>, Variant)> {
        self.asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(path, (probed, variant))| (path.clone(), Arc::clone(probed), *variant))
            .collect()
    }
}

/// The variant of a photo `width` pixels wide (never wider than the photo) in `format`.
pub(crate) fn variant_of(photo: &Photo, width: u32, format: Format) -> Variant {
    let width = width.clamp(1, photo.width);
    let height = (u64::from(photo.height) * u64::from(width) + u64::from(photo.width) / 2)
        / u64::from(photo.width);
    Variant {
        width,
        height: u32::try_from(height).unwrap_or(u32::MAX).max(1),
        format,
    }
}

/// The photo with only `variant` to make, under a key of its own: how the cache keeps the
/// variants templates ask for apart from the configured set.
pub(crate) fn single(photo: &Photo, variant: Variant) -> Photo {
    let mut hasher = blake3::Hasher::new();
    hasher.update(photo.key.as_bytes());
    hasher.update(&variant.width.to_le_bytes());
    hasher.update(variant.format.as_str().as_bytes());
    Photo {
        source: photo.source.clone(),
        key: hasher.finalize().to_hex()[..16].to_string(),
        format: photo.format,
        width: photo.width,
        height: photo.height,
        orientation: photo.orientation,
        has_gps: photo.has_gps,
        variants: vec![variant],
        color: OnceLock::new(),
    }
}

/// Reads what the markup needs of the image at `path` (absolute), without decoding it: from
/// `known` (the probe index) when given, else from the file. Returns the probe, and what to
/// keep in the index for a photo read from its file.
pub(crate) fn probe(
    path: &Path,
    settings: &ImageSettings,
    known: Option<&index::Known>,
    stamp: Option<index::Stamp>,
) -> (Probed, Option<index::Known>) {
    let (outcome, learnt) = match probe_outcome(path, settings, known, stamp) {
        Ok(found) => found,
        Err(error) => (Outcome::Failed(error), None),
    };
    (
        Probed {
            source: path.to_path_buf(),
            outcome,
        },
        learnt,
    )
}

fn probe_outcome(
    path: &Path,
    settings: &ImageSettings,
    known: Option<&index::Known>,
    stamp: Option<index::Stamp>,
) -> Result<(Outcome, Option<index::Known>), PhotoError> {
    let extension = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let expected = match extension.as_str() {
        "gif" | "svg" => return Ok((Outcome::AsIs, None)),
        "jpg" | "jpeg" => SourceFormat::Jpeg,
        "png" => SourceFormat::Png,
        "webp" => SourceFormat::Webp,
        _ => return Err(PhotoError::Unsupported { extension }),
    };
    let known = match known {
        Some(known) if known.format == expected => known.clone(),
        _ => {
            let bytes = std::fs::read(path).map_err(|error| PhotoError::Io(error.to_string()))?;
            let format = sniff(&bytes, &extension, expected)?;
            let header = read_header(&bytes, format)?;
            let Some(stamp) = stamp else {
                return Err(PhotoError::Io(
                    "the file went away while it was read".to_string(),
                ));
            };
            index::Known {
                stamp,
                content: *blake3::hash(&bytes).as_bytes(),
                format,
                width: header.width,
                height: header.height,
                orientation: header.orientation,
                has_gps: header.has_gps,
            }
        }
    };
    let (format, header) = (
        known.format,
        Header {
            width: known.width,
            height: known.height,
            orientation: known.orientation,
            has_gps: known.has_gps,
        },
    );
    let key = key(&known.content, settings);
    let variants = plan(header.width, header.height, settings);
    let photo = Photo {
        source: path.to_path_buf(),
        key,
        format,
        width: header.width,
        height: header.height,
        orientation: header.orientation,
        has_gps: header.has_gps,
        variants,
        color: OnceLock::new(),
    };
    if let Some(color) = cache::color(&settings.cache_dir, &photo.key) {
        let _ = photo.color.set(color);
    }
    Ok((Outcome::Photo(photo), Some(known)))
}

/// The format of `bytes`, which must be the one the extension says.
fn sniff(
    bytes: &[u8],
    extension: &str,
    expected: SourceFormat,
) -> Result<SourceFormat, PhotoError> {
    let actual = image::guess_format(bytes).ok();
    if actual == Some(expected.image_format()) {
        if expected == SourceFormat::Jpeg && !jpeg_is_complete(bytes) {
            return Err(PhotoError::Corrupt(
                "the JPEG data ends before the end-of-image marker".to_string(),
            ));
        }
        return Ok(expected);
    }
    let Some(actual) = actual else {
        return Err(PhotoError::Corrupt(format!(
            "its {} bytes are not a {} image",
            bytes.len(),
            expected.name()
        )));
    };
    let actual = Some(match actual {
        image::ImageFormat::Jpeg => "JPEG",
        image::ImageFormat::Png => "PNG",
        image::ImageFormat::WebP => "WebP",
        image::ImageFormat::Gif => "GIF",
        image::ImageFormat::Bmp => "BMP",
        image::ImageFormat::Tiff => "TIFF",
        image::ImageFormat::Avif => "AVIF",
        image::ImageFormat::Ico => "ICO",
        _ => "another image format's",
    });
    Err(PhotoError::WrongExtension {
        extension: extension.to_string(),
        actual,
    })
}

/// Whether a JPEG has its end-of-image marker after the start of its (first) scan: zune-jpeg
/// decodes a truncated file without complaint, filling the missing part with grey.
fn jpeg_is_complete(jpeg: &[u8]) -> bool {
    let mut at = 2;
    // Walk the segments before the scan (their lengths skip the EXIF thumbnail's own markers).
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return false;
        }
        let marker = jpeg[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if marker == 0xDA {
            let scan = &jpeg[(at + 2 + length).min(jpeg.len())..];
            return scan.windows(2).any(|pair| pair == [0xFF, 0xD9]);
        }
        at += 2 + length;
    }
    false
}

/// What the header of a photo says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    /// Displayed width and height (after the orientation).
    width: u32,
    height: u32,
    orientation: u8,
    has_gps: bool,
}

/// Reads the header: the pixel size (refusing more than [`MAX_PIXELS`]), the orientation and
/// whether the EXIF has a GPS position.
fn read_header(bytes: &[u8], format: SourceFormat) -> Result<Header, PhotoError> {
    let mut decoder = decoder(bytes, format)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt(
            "the header says it has no pixels".to_string(),
        ));
    }
    let exif = decoder.exif_metadata().ok().flatten();
    let orientation = exif
        .as_deref()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .map_or(1, orientation_number);
    let has_gps = exif.as_deref().is_some_and(exif_has_gps);
    let turned = orientation >= 5;
    Ok(Header {
        width: if turned { height } else { width },
        height: if turned { width } else { height },
        orientation,
        has_gps,
    })
}

/// A decoder for `bytes`, past its header, with the pixel count checked and memory capped.
pub(crate) fn decoder(
    bytes: &[u8],
    format: SourceFormat,
) -> Result<impl ImageDecoder + '_, PhotoError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.no_limits();
    let mut decoder = reader
        .into_decoder()
        .map_err(|error| PhotoError::Corrupt(error.to_string()))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooLarge { width, height });
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    decoder
        .set_limits(limits)
        .map_err(|error| PhotoError::Corrupt(error.to_string()))?;
    Ok(decoder)
}

pub(crate) fn orientation_number(orientation: image::metadata::Orientation) -> u8 {
    use image::metadata::Orientation as O;
    match orientation {
        O::NoTransforms => 1,
        O::FlipHorizontal => 2,
        O::Rotate180 => 3,
        O::FlipVertical => 4,
        O::Rotate90FlipH => 5,
        O::Rotate90 => 6,
        O::Rotate270FlipH => 7,
        O::Rotate270 => 8,
    }
}

/// Whether a raw EXIF block (TIFF) has a GPS latitude or longitude.
pub(crate) fn exif_has_gps(exif: &[u8]) -> bool {
    let Ok(parsed) = exif::Reader::new().read_raw(exif.to_vec()) else {
        return false;
    };
    [exif::Tag::GPSLatitude, exif::Tag::GPSLongitude]
        .into_iter()
        .any(|tag| parsed.get_field(tag, exif::In::PRIMARY).is_some())
}

/// The key of a photo: the hash of the pipeline version, the settings that change the bytes of
/// its variants, and the blake3 hash of its bytes (`content`). Stable across machines and versions of yuanba that keep
/// [`PIPELINE_VERSION`].
fn key(content: &[u8; 32], settings: &ImageSettings) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(PIPELINE_VERSION.as_bytes());
    hasher.update(&[0, settings.quality]);
    for width in &settings.widths {
        hasher.update(&width.to_le_bytes());
    }
    hasher.update(&[0]);
    for format in &settings.formats {
        hasher.update(format.as_str().as_bytes());
        hasher.update(&[0]);
    }
    hasher.update(content);
    let hex = hasher.finalize().to_hex();
    hex[..16].to_string()
}

/// The variants of a photo of `width`×`height` (displayed): every configured width up to its
/// own (never wider), or only its own when it is narrower than all of them; each in every
/// format, and a JPEG for share previews when the formats have none.
pub(crate) fn plan(width: u32, height: u32, settings: &ImageSettings) -> Vec<Variant> {
    let mut widths: Vec<u32> = settings
        .widths
        .iter()
        .copied()
        .filter(|&w| w <= width)
        .collect();
    if widths.is_empty() {
        widths.push(width);
    }
    let height_at = |w: u32| -> u32 {
        let scaled = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width);
        u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
    };
    let mut variants: Vec<Variant> = widths
        .iter()
        .flat_map(|&w| {
            settings.formats.iter().map(move |&format| Variant {
                width: w,
                height: height_at(w),
                format,
            })
        })
        .collect();
    if !settings.formats.contains(&Format::Jpeg) {
        let share = widths
            .iter()
            .copied()
            .min_by_key(|w| (w.abs_diff(SHARE_WIDTH), std::cmp::Reverse(*w)))
            .unwrap_or(width);
        variants.push(Variant {
            width: share,
            height: height_at(share),
            format: Format::Jpeg,
        });
    }
    variants.sort();
    variants
}

/// What one build learnt of each image file, so that a file shown by many stories is read once
/// (a `serve` session keeps its memo between rebuilds); and the probe index of the cache
/// ([`index`]), so that a rebuild reads no photo that did not change. An entry is used while
/// the file keeps its [`index::Stamp`].
#[derive(Debug, Default)]
pub struct Memo {
    probed: Mutex<HashMap<PathBuf, (index::Stamp, Arc<Probed>)>>,
    /// The index as the cache had it, read at the first probe.
    stored: OnceLock<HashMap<PathBuf, index::Known>>,
    /// What this memo learnt of photos, for the next build.
    learnt: Mutex<HashMap<PathBuf, index::Known>>,
}

impl Memo {
    /// The probe of `path`, from the memo when the file did not change.
    pub(crate) fn probe(&self, path: &Path, settings: &ImageSettings) -> Arc<Probed> {
        let stamp = index::Stamp::of(path);
        if let Some(stamp) = stamp
            && let Some((known, probed)) = lock(&self.probed).get(path)
            && *known == stamp
        {
            return Arc::clone(probed);
        }
        let stored = self
            .stored
            .get_or_init(|| index::load(&settings.cache_dir))
            .get(path)
            .filter(|known| Some(known.stamp) == stamp);
        let (probed, learnt) = probe(path, settings, stored, stamp);
        let probed = Arc::new(probed);
        if let Some(learnt) = learnt {
            lock(&self.learnt).insert(path.to_path_buf(), learnt);
        }
        if let Some(stamp) = stamp {
            lock(&self.probed).insert(path.to_path_buf(), (stamp, Arc::clone(&probed)));
        }
        probed
    }

    /// Writes what was learnt of the photos in `keep` (the files of the last build) into the
    /// probe index of `cache_dir`.
    pub(crate) fn save(&self, cache_dir: &Path, keep: &std::collections::HashSet<&Path>) {
        let learnt = lock(&self.learnt);
        let entries: HashMap<PathBuf, index::Known> = learnt
            .iter()
            .filter(|(path, _)| keep.contains(path.as_path()))
            .map(|(path, known)| (path.clone(), known.clone()))
            .collect();
        // A site without photos gets no cache folder.
        let changed = self
            .stored
            .get()
            .map_or(!entries.is_empty(), |stored| *stored != entries);
        if changed {
            // A cache that cannot be written only costs the next build some reading.
            let _ = index::save(cache_dir, &entries);
        }
    }
}

/// Locks a mutex of the memo: a panic while it was held leaves only complete entries behind.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ImageSettings {
        ImageSettings::defaults(Path::new("/nonexistent"))
    }

    #[test]
    fn never_upscales() {
        let widths = |w, h| {
            let mut list: Vec<u32> = plan(w, h, &settings()).iter().map(|v| v.width).collect();
            list.dedup();
            list
        };
        assert_eq!(widths(4032, 3024), vec![480, 960, 1440]);
        assert_eq!(widths(1000, 750), vec![480, 960]);
        assert_eq!(widths(960, 720), vec![480, 960]);
        assert_eq!(widths(300, 200), vec![300]);
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        let variants = plan(3024, 4032, &settings());
        let v480 = variants.iter().find(|v| v.width == 480).expect("480");
        assert_eq!(v480.height, 640);
        assert_eq!(variants.len(), 6);
    }

    #[test]
    fn a_share_jpeg_is_made_without_jpeg_in_the_formats() {
        let mut only_webp = settings();
        only_webp.formats = vec![Format::Webp];
        let variants = plan(4032, 3024, &only_webp);
        let jpegs: Vec<u32> = variants
            .iter()
            .filter(|v| v.format == Format::Jpeg)
            .map(|v| v.width)
            .collect();
        assert_eq!(jpegs, vec![1440]);
    }

    #[test]
    fn keys_change_with_bytes_and_settings() {
        let photo = blake3::hash(b"photo").into();
        let base = key(&photo, &settings());
        assert_eq!(base.len(), 16);
        assert_eq!(base, key(&photo, &settings()));
        assert_ne!(base, key(&blake3::hash(b"photo2").into(), &settings()));
        let mut other = settings();
        other.quality = 70;
        assert_ne!(base, key(&photo, &other));
    }

    #[test]
    fn extensions_must_tell_the_truth() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        assert_eq!(
            sniff(png, "jpg", SourceFormat::Jpeg),
            Err(PhotoError::WrongExtension {
                extension: "jpg".to_string(),
                actual: Some("PNG")
            })
        );
        assert_eq!(sniff(png, "png", SourceFormat::Png), Ok(SourceFormat::Png));
        assert!(matches!(
            sniff(b"tiny", "png", SourceFormat::Png),
            Err(PhotoError::Corrupt(_))
        ));
    }
}
