//! `publish_originals: true`: the original of a photo, published at its own path with every
//! block of metadata removed (EXIF with its GPS position and camera, XMP, IPTC, comments,
//! makers' data) but what it needs to display correctly (the ICC profile, JFIF and Adobe
//! colour markers). The pixels are not re-encoded, unless the EXIF orientation turns the photo:
//! without the EXIF a browser would show it sideways, so it is turned, converted to sRGB and
//! encoded again.

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
    let corrupt = |error: img_parts::Error| PhotoError::Corrupt(error.to_string());
    let stripped = match photo.format {
        SourceFormat::Jpeg => {
            let mut jpeg =
                img_parts::jpeg::Jpeg::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            jpeg.segments_mut()
                .retain(|segment| keep_jpeg_marker(segment.marker()));
            jpeg.encoder().bytes()
        }
        SourceFormat::Png => {
            let mut png = img_parts::png::Png::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            png.chunks_mut()
                .retain(|chunk| !PNG_METADATA.contains(&chunk.kind()));
            png.encoder().bytes()
        }
        SourceFormat::Webp => {
            let mut webp =
                img_parts::webp::WebP::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            webp.remove_chunks_by_id(*b"XMP ");
            webp.set_exif(None);
            webp.encoder().bytes()
        }
    };
    Ok(stripped.to_vec())
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
