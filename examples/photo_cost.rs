//! Where the photo pipeline's time goes, for one photo (the steps of `images::process`, done
//! with the same crates and settings), and the WebP method trade-off:
//!
//!     cargo run --release --example photo_cost -- PHOTO.jpg [RUNS]
//!
//! Prints the median milliseconds of decoding, resizing to 480/960/1440, turning, JPEG
//! encoding, and WebP encoding with methods 2 and 4 (with the bytes each writes).

use std::time::Instant;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder as _};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn time<T>(runs: usize, mut step: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(step());
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    (median(times), last.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: photo_cost PHOTO.jpg [RUNS]");
        std::process::exit(2);
    };
    let runs = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(path).expect("read the photo");
    let (decode_ms, (pixels, orientation)) = time(runs, || {
        let mut decoder = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .expect("format")
            .into_decoder()
            .expect("decoder");
        let orientation = decoder.orientation().expect("orientation");
        let image = DynamicImage::from_decoder(decoder).expect("decode");
        (DynamicImage::ImageRgb8(image.into_rgb8()), orientation)
    });
    println!(
        "decode {}x{}: {decode_ms:.0} ms",
        pixels.width(),
        pixels.height()
    );
    let turned = matches!(
        orientation,
        image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH
    );
    let (mut total_resize, mut total_jpeg, mut total_webp2, mut total_webp4) = (0.0, 0.0, 0.0, 0.0);
    for width in [480u32, 960, 1440] {
        let (display_w, display_h) = if turned {
            (pixels.height(), pixels.width())
        } else {
            (pixels.width(), pixels.height())
        };
        let height = display_h * width / display_w;
        let (stored_w, stored_h) = if turned {
            (height, width)
        } else {
            (width, height)
        };
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        let (resize_ms, mut small) = time(runs, || {
            let mut target = DynamicImage::new(stored_w, stored_h, pixels.color());
            Resizer::new()
                .resize(&pixels, &mut target, &options)
                .expect("resize");
            target
        });
        let (turn_ms, ()) = time(1, || small.apply_orientation(orientation));
        let rgb = small.to_rgb8();
        let (jpeg_ms, jpeg) = time(runs, || {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
            encoder.set_progressive(true);
            encoder
                .encode(
                    rgb.as_raw(),
                    rgb.width() as u16,
                    rgb.height() as u16,
                    jpeg_encoder::ColorType::Rgb,
                )
                .expect("jpeg");
            out
        });
        let webp = |method: i32| {
            let mut config = webp::WebPConfig::new().expect("config");
            config.quality = 80.0;
            config.method = method;
            webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                .encode_advanced(&config)
                .expect("webp")
                .to_vec()
        };
        let (webp2_ms, webp2) = time(runs, || webp(2));
        let (webp4_ms, webp4) = time(runs, || webp(4));
        println!(
            "{width}: resize {resize_ms:.0} ms, turn {turn_ms:.0} ms, JPEG {jpeg_ms:.0} ms ({} KB), WebP m2 {webp2_ms:.0} ms ({} KB), m4 {webp4_ms:.0} ms ({} KB)",
            jpeg.len() / 1024,
            webp2.len() / 1024,
            webp4.len() / 1024
        );
        total_resize += resize_ms + turn_ms;
        total_jpeg += jpeg_ms;
        total_webp2 += webp2_ms;
        total_webp4 += webp4_ms;
    }
    println!(
        "one photo, 3 widths x 2 formats: decode {decode_ms:.0} + resize and turn {total_resize:.0} + JPEG {total_jpeg:.0} + WebP m2 {total_webp2:.0} = {:.0} ms (with WebP m4: {:.0} ms)",
        decode_ms + total_resize + total_jpeg + total_webp2,
        decode_ms + total_resize + total_jpeg + total_webp4
    );
}
