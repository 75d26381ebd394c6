//! `publish_originals: true`: the original of a photo, published at its own path with every
//! block of metadata removed (EXIF with its GPS position and camera, XMP, IPTC, comments,
//! makers' data) but what it needs to display correctly (the ICC profile, JFIF and Adobe
//! colour markers). The pixels are not re-encoded, unless the EXIF orientation turns the photo:
//! without the EXIF a browser would show it sideways, so it is turned, converted to sRGB and
//! encoded again.

use std::path::Path;

use img_parts::{Bytes, ImageEXIF};

use crate::images::process::{decode, encode};
use crate::images::{Format, Photo, PhotoError, SourceFormat};

/// The quality of an original that had to be encoded again (to be turned).
const ORIGINAL_QUALITY: u8 = 92;

/// JPEG markers kept: APP0 (JFIF), APP2 (ICC profile), APP14 (Adobe colour transform). Every
/// other `APPn` (APP1 is EXIF and XMP, APP13 IPTC, the rest makers' data) and COM go.
fn keep_jpeg_marker(marker: u8) -> bool {
    !matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE)
}

/// PNG chunks that hold metadata: EXIF, text (often XMP), the modification time.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

/// The original of `photo` without metadata.
pub(crate) fn without_metadata(photo: &Photo) -> Result<Vec<u8>, PhotoError> {
    let bytes = std::fs::read(&photo.source).map_err(|error| PhotoError::Io(error.to_string()))?;
    if photo.orientation != 1 {
        return turned(&bytes, photo);
    }
    strip(bytes, photo.format, None)
        .map(|(stripped, _)| stripped)
        .map_err(|error| PhotoError::Corrupt(error.to_string()))
}

/// A JPEG, PNG or WebP file that the site publishes as it is (a file of `static/` or of a story
/// folder that no page shows as an image: a logo, a CSS background, a download) without its
/// metadata; `None` when it has none (or cannot be parsed), so that it is copied as it is. A
/// JPEG keeps its orientation, in an EXIF block of that one tag, so it still displays upright.
pub(crate) fn strip_copied(path: &Path) -> Option<Vec<u8>> {
    let extension = path.extension()?.to_string_lossy().to_ascii_lowercase();
    let format = match extension.as_str() {
        "jpg" | "jpeg" => SourceFormat::Jpeg,
        "png" => SourceFormat::Png,
        "webp" => SourceFormat::Webp,
        _ => return None,
    };
    let bytes = std::fs::read(path).ok()?;
    let orientation = if format == SourceFormat::Jpeg {
        jpeg_orientation(&bytes)
    } else {
        None
    };
    let (stripped, changed) = strip(bytes, format, orientation).ok()?;
    changed.then_some(stripped)
}

/// The EXIF orientation of a JPEG, when it is not 1.
fn jpeg_orientation(bytes: &[u8]) -> Option<u16> {
    let jpeg = img_parts::jpeg::Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).ok()?;
    let exif = jpeg.exif()?;
    let orientation = image::metadata::Orientation::from_exif_chunk(&exif)?;
    let number = u16::from(crate::images::orientation_number(orientation));
    (number != 1).then_some(number)
}

/// An EXIF block (TIFF, little-endian) with only the orientation tag.
fn orientation_only_exif(orientation: u16) -> Bytes {
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    Bytes::from(tiff)
}

/// `bytes` without their metadata blocks (a JPEG with an orientation-only EXIF block when
/// `orientation` is given), and whether anything was removed.
fn strip(
    bytes: Vec<u8>,
    format: SourceFormat,
    orientation: Option<u16>,
) -> Result<(Vec<u8>, bool), img_parts::Error> {
    let len = bytes.len();
    let stripped = match format {
        SourceFormat::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(Bytes::from(bytes))?;
            jpeg.segments_mut()
                .retain(|segment| keep_jpeg_marker(segment.marker()));
            if let Some(orientation) = orientation {
                jpeg.set_exif(Some(orientation_only_exif(orientation)));
            }
            jpeg.encoder().bytes()
        }
        SourceFormat::Png => {
            let mut png = img_parts::png::Png::from_bytes(Bytes::from(bytes))?;
            png.chunks_mut()
                .retain(|chunk| !PNG_METADATA.contains(&chunk.kind()));
            png.encoder().bytes()
        }
        SourceFormat::Webp => {
            let mut webp = img_parts::webp::WebP::from_bytes(Bytes::from(bytes))?;
            if !webp.has_chunk(*b"XMP ") && !webp.has_chunk(*b"EXIF") {
                return Ok((webp.encoder().bytes().to_vec(), false));
            }
            webp.remove_chunks_by_id(*b"XMP ");
            webp.set_exif(None);
            webp.encoder().bytes()
        }
    };
    let changed = stripped.len() != len || orientation.is_some();
    Ok((stripped.to_vec(), changed))
}

/// A photo turned by its orientation and encoded again in its own format.
fn turned(bytes: &[u8], photo: &Photo) -> Result<Vec<u8>, PhotoError> {
    let decoded = decode(bytes, photo.format)?;
    let mut pixels = decoded.pixels.clone();
    decoded.convert_to_srgb(&mut pixels);
    let orientation = image::metadata::Orientation::from_exif(photo.orientation)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    pixels.apply_orientation(orientation);
    match photo.format {
        SourceFormat::Jpeg => encode(&pixels, Format::Jpeg, ORIGINAL_QUALITY),
        SourceFormat::Webp => encode(&pixels, Format::Webp, ORIGINAL_QUALITY),
        SourceFormat::Png => {
            let mut out = std::io::Cursor::new(Vec::new());
            pixels
                .write_to(&mut out, image::ImageFormat::Png)
                .map_err(|error| PhotoError::Corrupt(error.to_string()))?;
            Ok(out.into_inner())
        }
    }
}
