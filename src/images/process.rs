//! Making the variants of photos: decode once to 8 bits, resize to each width (Lanczos3, before
//! turning by the orientation, which is cheaper on the small images), turn, convert from the
//! embedded ICC profile to sRGB (moxcms, on each variant), and encode as WebP (libwebp, lossy) and JPEG (jpeg-encoder). Nothing that is written carries
//! metadata: both encoders write pixels only.
//!
//! [`run`] takes every photo of a build, answers the ones in the cache from it and makes the
//! others in parallel, one photo per task (a photo's widths are made one after the other, so a
//! photo never holds more than one decoded image).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, RgbImage, RgbaImage};
use rayon::prelude::*;

use crate::images::{
    Format, ImageSettings, Photo, PhotoError, Probed, SourceFormat, Variant, cache,
};

/// libwebp's `method` (0 fastest … 6 smallest): 2 costs about 40% less CPU than 4 for files
/// about 4% larger, and WebP is most of the pipeline's time; see BENCHMARKS.md.
const WEBP_METHOD: i32 = 2;

/// The variants of one photo, encoded, and its average colour.
#[derive(Debug)]
pub(crate) struct Made {
    /// Each variant with its bytes.
    pub files: Vec<(Variant, Vec<u8>)>,
    /// The average colour of its pixels.
    pub color: [u8; 3],
}

/// What [`run`] found.
#[derive(Debug, Default)]
pub(crate) struct Processed {
    /// The problems, by source file.
    pub errors: BTreeMap<PathBuf, PhotoError>,
    /// For each variant of each photo, its path in the built site and the cached file that
    /// holds its bytes (empty for a read-only run, which publishes nothing).
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Photos made in this run.
    pub n_made: usize,
    /// Photos answered from the cache.
    pub n_cached: usize,
    /// The keys of every photo of the build (what the cache keeps when pruned).
    pub keys: BTreeSet<String>,
}

impl Processed {
    /// Counts one photo, answered from the cache or made.
    fn count(&mut self, cached: bool) {
        if cached {
            self.n_cached += 1;
        } else {
            self.n_made += 1;
        }
    }
}

/// Makes (or finds in the cache) the variants of every photo in `probed` (each file once),
/// calling `progress` with the number of photos done and the total after each.
pub(crate) fn run(
    probed: &[Arc<Probed>],
    settings: &ImageSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Processed {
    let mut unique: BTreeMap<&std::path::Path, &Probed> = BTreeMap::new();
    for item in probed {
        unique.entry(item.source.as_path()).or_insert(item);
    }
    let mut processed = Processed::default();
    let mut photos: Vec<&Photo> = Vec::new();
    for item in unique.values() {
        match &item.outcome {
            crate::images::Outcome::Photo(photo) => {
                processed.keys.insert(photo.key.clone());
                photos.push(photo);
            }
            crate::images::Outcome::Failed(error) => {
                processed.errors.insert(item.source.clone(), error.clone());
            }
            crate::images::Outcome::AsIs => {}
        }
    }
    // The cache first (cheap), so that progress counts only the photos that need work.
    let found: Vec<Option<cache::Entry>> = photos
        .par_iter()
        .map(|photo| cache::lookup(&settings.cache_dir, photo))
        .collect();
    let total = found.iter().filter(|entry| entry.is_none()).count();
    let done = Mutex::new(0);
    let results: Vec<(&Photo, Outcome, bool)> = photos
        .par_iter()
        .zip(found)
        .map(|(photo, found)| {
            if let Some(entry) = found {
                let _ = photo.color.set(entry.color);
                return (*photo, Ok(Some(entry)), true);
            }
            let (result, cached) = one(photo, settings);
            // Reported under the lock, so that the counts arrive in order.
            let mut done = done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *done += 1;
            progress(*done, total);
            (*photo, result, cached)
        })
        .collect();
    for (photo, result, cached) in results {
        match result {
            Ok(entry) => {
                processed.count(cached);
                if let Some(entry) = entry {
                    for variant in &photo.variants {
                        processed
                            .files
                            .push((photo.output_path(variant), entry.file(variant)));
                    }
                }
            }
            Err(error) => {
                processed.errors.insert(photo.source.clone(), error);
            }
        }
    }
    processed
}

/// The variants templates asked for (`images::Requests`), from the cache or made: the files to
/// publish, the keys of their cache entries, the problems.
pub(crate) fn requested(
    requests: &[(PathBuf, Arc<Probed>, Variant)],
    settings: &ImageSettings,
) -> Processed {
    let results: Vec<_> = requests
        .par_iter()
        .filter_map(|(path, probed, variant)| {
            let single = crate::images::single(probed.photo()?, *variant);
            let (outcome, cached) = one(&single, settings);
            Some((path, single, &probed.source, outcome, cached))
        })
        .collect();
    let mut processed = Processed::default();
    for (path, single, source, outcome, cached) in results {
        processed.keys.insert(single.key.clone());
        match outcome {
            Ok(entry) => {
                processed.count(cached);
                if let Some(entry) = entry {
                    processed
                        .files
                        .push((path.clone(), entry.file(&single.variants[0])));
                }
            }
            Err(error) => {
                processed.errors.insert(source.clone(), error);
            }
        }
    }
    processed
}

/// What became of one photo: its cache entry (none for a read-only run that had to make it),
/// or why it could not be made.
type Outcome = Result<Option<cache::Entry>, PhotoError>;

/// One photo: from the cache when its entry is whole, else made (and cached unless read-only).
/// Returns the cache entry (none for read-only runs that had to make it) and whether it was
/// found in the cache.
fn one(photo: &Photo, settings: &ImageSettings) -> (Outcome, bool) {
    if let Some(entry) = cache::lookup(&settings.cache_dir, photo) {
        let _ = photo.color.set(entry.color);
        return (Ok(Some(entry)), true);
    }
    if settings.read_only {
        return (validate(photo).map(|()| None), false);
    }
    // The decoders, the resizer and libwebp's wrapper are not expected to panic on any input,
    // but a photo must never take the build down with it: a panic is a damaged photo.
    let made = std::panic::catch_unwind(|| make(photo, settings.quality)).unwrap_or_else(|_| {
        Err(PhotoError::Corrupt(
            "the image library failed on it".to_string(),
        ))
    });
    let made = match made {
        Ok(made) => made,
        Err(error) => return (Err(error), false),
    };
    let _ = photo.color.set(made.color);
    let stored = cache::store(&settings.cache_dir, photo, &made)
        .map_err(|error| PhotoError::Io(format!("cannot write the image cache: {error}")));
    (stored.map(Some), false)
}

/// Decodes a photo completely, for `check`, which writes nothing.
fn validate(photo: &Photo) -> Result<(), PhotoError> {
    let bytes = std::fs::read(&photo.source).map_err(|error| PhotoError::Io(error.to_string()))?;
    decode(&bytes, photo.format).map(|_| ())
}

/// A decoded photo: its pixels as stored (not yet turned by the orientation), 8-bit, with alpha
/// only when the source has it, and the conversion of its colours to sRGB.
pub(crate) struct Decoded {
    /// The pixels, in the photo's own colour space.
    pub pixels: DynamicImage,
    /// From the photo's embedded RGB ICC profile (Display P3 on phones, Adobe RGB on cameras)
    /// to sRGB; `None` for photos without one, which are sRGB.
    to_srgb: Option<Arc<moxcms::Transform8BitExecutor>>,
}

impl Decoded {
    /// Converts `image` (pixels of this photo, resized or not) to sRGB, in place. Done on each
    /// variant rather than on the whole photo: it is a per-pixel mapping, and variants have a
    /// tenth of the pixels or fewer.
    pub(crate) fn convert_to_srgb(&self, image: &mut DynamicImage) {
        let Some(transform) = &self.to_srgb else {
            return;
        };
        let pixels: &mut [u8] = match image {
            DynamicImage::ImageRgb8(rgb) => rgb,
            DynamicImage::ImageRgba8(rgba) => rgba,
            _ => return,
        };
        let source = pixels.to_vec();
        // A profile moxcms could read but not apply leaves the colours as they are.
        let _ = transform.transform(&source, pixels);
    }
}

/// The transform from an embedded ICC profile to sRGB, for an RGB profile moxcms can read.
fn srgb_transform(
    icc: Option<&[u8]>,
    has_alpha: bool,
) -> Option<Arc<moxcms::Transform8BitExecutor>> {
    let profile = moxcms::ColorProfile::new_from_slice(icc?).ok()?;
    // CMYK JPEGs come out of zune-jpeg as RGB already: their CMYK profile does not apply.
    if profile.color_space != moxcms::DataColorSpace::Rgb {
        return None;
    }
    let layout = if has_alpha {
        moxcms::Layout::Rgba
    } else {
        moxcms::Layout::Rgb
    };
    profile
        .create_transform_8bit(
            layout,
            &moxcms::ColorProfile::new_srgb(),
            layout,
            moxcms::TransformOptions::default(),
        )
        .ok()
}

/// Decodes a photo (see [`Decoded`]).
pub(crate) fn decode(bytes: &[u8], format: SourceFormat) -> Result<Decoded, PhotoError> {
    let mut decoder = super::decoder(bytes, format)?;
    let has_alpha = decoder.color_type().has_alpha();
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder)
        .map_err(|error| PhotoError::Corrupt(error.to_string()))?;
    // 16-bit PNGs, grey, CMYK JPEGs (zune-jpeg gives RGB for them) all become 8-bit RGB(A).
    let pixels = if has_alpha {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok(Decoded {
        pixels,
        to_srgb: srgb_transform(icc.as_deref(), has_alpha),
    })
}

/// Makes every variant of `photo`.
pub(crate) fn make(photo: &Photo, quality: u8) -> Result<Made, PhotoError> {
    let bytes = std::fs::read(&photo.source).map_err(|error| PhotoError::Io(error.to_string()))?;
    let decoded = decode(&bytes, photo.format)?;
    drop(bytes);
    let pixels = &decoded.pixels;
    let orientation = image::metadata::Orientation::from_exif(photo.orientation)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let turned = photo.orientation >= 5;
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut files = Vec::with_capacity(photo.variants.len());
    let mut color = None;
    let mut widths: Vec<(u32, u32)> = photo.variants.iter().map(|v| (v.width, v.height)).collect();
    widths.dedup();
    for (width, height) in widths {
        // Resized as stored, then turned: the stored image is `height`×`width` when turned.
        let (stored_w, stored_h) = if turned {
            (height, width)
        } else {
            (width, height)
        };
        let mut variant_pixels = if (stored_w, stored_h) == (pixels.width(), pixels.height()) {
            pixels.clone()
        } else {
            let mut target = DynamicImage::new(stored_w, stored_h, pixels.color());
            resizer
                .resize(pixels, &mut target, &options)
                .map_err(|error| PhotoError::Corrupt(format!("cannot resize: {error}")))?;
            target
        };
        variant_pixels.apply_orientation(orientation);
        decoded.convert_to_srgb(&mut variant_pixels);
        if color.is_none() {
            color = Some(average_color(&variant_pixels));
        }
        for variant in photo.variants.iter().filter(|v| v.width == width) {
            files.push((*variant, encode(&variant_pixels, variant.format, quality)?));
        }
    }
    Ok(Made {
        files,
        color: color.unwrap_or([0, 0, 0]),
    })
}

/// Encodes an 8-bit RGB or RGBA image.
pub(crate) fn encode(
    image: &DynamicImage,
    format: Format,
    quality: u8,
) -> Result<Vec<u8>, PhotoError> {
    let (width, height) = (image.width(), image.height());
    match format {
        Format::Webp => {
            let encoder = match image {
                DynamicImage::ImageRgba8(rgba) => {
                    webp::Encoder::from_rgba(rgba.as_raw(), width, height)
                }
                _ => webp::Encoder::from_rgb(image.as_bytes(), width, height),
            };
            let mut config = webp::WebPConfig::new()
                .map_err(|()| PhotoError::Corrupt("libwebp did not start".to_string()))?;
            config.quality = f32::from(quality);
            config.method = WEBP_METHOD;
            encoder
                .encode_advanced(&config)
                .map(|memory| memory.to_vec())
                .map_err(|error| PhotoError::Corrupt(format!("cannot encode WebP: {error:?}")))
        }
        Format::Jpeg => {
            let rgb = match image {
                DynamicImage::ImageRgba8(rgba) => on_white(rgba),
                DynamicImage::ImageRgb8(rgb) => rgb.clone(),
                other => other.to_rgb8(),
            };
            let (Ok(w16), Ok(h16)) = (u16::try_from(width), u16::try_from(height)) else {
                return Err(PhotoError::TooLarge { width, height });
            };
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
            encoder.set_progressive(true);
            encoder
                .encode(rgb.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
                .map_err(|error| PhotoError::Corrupt(format!("cannot encode JPEG: {error}")))?;
            Ok(out)
        }
    }
}

/// An RGBA image over a white background (JPEG has no transparency).
fn on_white(rgba: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [red, green, blue, alpha] = rgba.get_pixel(x, y).0;
        let blend = |channel: u8| -> u8 {
            let (channel, alpha) = (u32::from(channel), u32::from(alpha));
            ((channel * alpha + 255 * (255 - alpha) + 127) / 255) as u8
        };
        image::Rgb([blend(red), blend(green), blend(blue)])
    })
}

/// The mean of the pixels' colours.
fn average_color(image: &DynamicImage) -> [u8; 3] {
    let rgb = image.to_rgb8();
    let mut sums = [0u64; 3];
    for pixel in rgb.pixels() {
        for (sum, channel) in sums.iter_mut().zip(pixel.0) {
            *sum += u64::from(channel);
        }
    }
    let n = u64::from(rgb.width()) * u64::from(rgb.height());
    sums.map(|sum| (sum / n.max(1)) as u8)
}
