//! Writes phone-like test photos for the photo benchmark (`bench/photos.py`):
//!
//!     cargo run --release --example gen_photos -- OUT_DIR N [WIDTH HEIGHT]
//!
//! Each is a 4032×3024 (12 MP) JPEG by default, stored landscape with EXIF orientation 6 (a
//! portrait, as phones store them), a camera make and model and a GPS position, and noise-rich
//! like a real photo (smooth shapes plus sensor-like noise), about 3 MB. Photo `i` differs from
//! the others (its shapes and noise depend on `i`), so no two share a cache entry.

use std::path::PathBuf;

use image::ImageEncoder as _;
use little_exif::exif_tag::ExifTag;
use little_exif::filetype::FileExtension;
use little_exif::metadata::Metadata;
use little_exif::rational::uR64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<u32>().ok()),
    ) else {
        eprintln!("usage: gen_photos OUT_DIR N [WIDTH HEIGHT]");
        std::process::exit(2);
    };
    let width = args.get(2).and_then(|w| w.parse().ok()).unwrap_or(4032);
    let height = args.get(3).and_then(|h| h.parse().ok()).unwrap_or(3024);
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("create the output folder");
    for i in 0..n {
        let path = out.join(format!("photo-{i:03}.jpg"));
        std::fs::write(&path, photo(i, width, height)).expect("write a photo");
    }
}

/// A xorshift generator: reproducible noise without a dependency.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
}

fn photo(i: u32, width: u32, height: u32) -> Vec<u8> {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ (u64::from(i + 1) * 0x1000_0001));
    let (w, h) = (f64::from(width), f64::from(height));
    let phase = f64::from(i) * 0.7;
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x) / w, f64::from(y) / h);
            let sky = (fy * 3.0 + phase).sin() * 0.5 + 0.5;
            let wall = ((fx * 9.0 + fy * 4.0 + phase).sin() * (fy * 7.0).cos()) * 0.5 + 0.5;
            let base = [
                60.0 + 140.0 * sky * (1.0 - fy) + 40.0 * wall,
                70.0 + 100.0 * wall + 30.0 * fx,
                90.0 + 120.0 * (1.0 - wall) * fy + 20.0 * sky,
            ];
            for channel in base {
                // Sensor noise: about ±12 levels, what makes phone JPEGs 2–4 MB.
                let grain = f64::from(noise.next() % 25) - 12.0;
                rgb.push((channel + grain).clamp(0.0, 255.0) as u8);
            }
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 88)
        .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
        .expect("encode");
    let mut metadata = Metadata::new();
    metadata.set_tag(ExifTag::Orientation(vec![6]));
    metadata.set_tag(ExifTag::Make("PhoneMaker".to_string()));
    metadata.set_tag(ExifTag::Model("Phone 15 Pro".to_string()));
    let dms = |d: u32, m: u32, s: u32| {
        vec![
            uR64 {
                nominator: d,
                denominator: 1,
            },
            uR64 {
                nominator: m,
                denominator: 1,
            },
            uR64 {
                nominator: s,
                denominator: 100,
            },
        ]
    };
    metadata.set_tag(ExifTag::GPSLatitudeRef("N".to_string()));
    metadata.set_tag(ExifTag::GPSLatitude(dms(30, 40, 1234 + i)));
    metadata.set_tag(ExifTag::GPSLongitudeRef("E".to_string()));
    metadata.set_tag(ExifTag::GPSLongitude(dms(104, 4, 5678)));
    metadata
        .write_to_vec(&mut jpeg, FileExtension::JPEG)
        .expect("write EXIF");
    jpeg
}
