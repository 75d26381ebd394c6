//! Photos: phone originals become small variants in `<picture>`s, turned by their EXIF
//! orientation, never upscaled, without metadata, cached between builds; broken image files are
//! errors at the story that shows them. Every photo here is made by the test.

use std::io::Cursor;

use image::{DynamicImage, ImageEncoder as _, Rgb, RgbImage};
use little_exif::exif_tag::ExifTag;
use little_exif::filetype::FileExtension;
use little_exif::metadata::Metadata;
use little_exif::rational::uR64;

use crate::util::{SiteTest, story};

/// A photo of `width`×`height` stored pixels: red in the top-left quarter, blue elsewhere, with
/// some noise so that encoders have work to do.
fn pixels(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let noise = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23) as u8;
        if x < width / 2 && y < height / 2 {
            Rgb([220 + noise % 20, 30 + noise, 30])
        } else {
            Rgb([30, 40 + noise, 200 + noise % 40])
        }
    })
}

/// A JPEG as a phone writes it: the pixels stored as `width`×`height`, EXIF with the
/// orientation, the camera and, when asked, the GPS position.
fn phone_jpeg(width: u32, height: u32, orientation: u16, gps: bool) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode");
    let mut metadata = Metadata::new();
    metadata.set_tag(ExifTag::Orientation(vec![orientation]));
    metadata.set_tag(ExifTag::Make("PhoneMaker".to_string()));
    metadata.set_tag(ExifTag::Model("Phone 15 Serial 0042".to_string()));
    if gps {
        let degrees = |d: u32, m: u32| {
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
                    nominator: 0,
                    denominator: 1,
                },
            ]
        };
        metadata.set_tag(ExifTag::GPSLatitudeRef("N".to_string()));
        metadata.set_tag(ExifTag::GPSLatitude(degrees(30, 40)));
        metadata.set_tag(ExifTag::GPSLongitudeRef("E".to_string()));
        metadata.set_tag(ExifTag::GPSLongitude(degrees(104, 6)));
    }
    metadata
        .write_to_vec(&mut jpeg, FileExtension::JPEG)
        .expect("write EXIF");
    jpeg
}

/// A PNG of `width`×`height`.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(pixels(width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// A story in a bundle with `photo.jpg` as its lead photo.
fn photo_story() -> String {
    story("白莲社区", "2018-03-20", "正文。").replacen(
        "reporter: 彭戎\n",
        "reporter: 彭戎\nphoto_credit: 社区供图\nimages:\n  - src: photo.jpg\n    alt: 儿童之家\n",
        1,
    )
}

/// A site whose one story shows `photo.jpg` (the given bytes) as its lead photo.
fn site_with_photo(bytes: &[u8]) -> SiteTest {
    SiteTest::new()
        .file("content/stories/bailian/index.md", &photo_story())
        .bytes("content/stories/bailian/photo.jpg", bytes)
}

/// The files under `public/img/`, sorted.
fn variants(site: &SiteTest) -> Vec<String> {
    let dir = site.root().join("public/img");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The entries of the image cache (one folder per photo and settings).
fn cache_entries(site: &SiteTest) -> Vec<std::path::PathBuf> {
    let cache = site.root().join(".yuanba/cache/images");
    let mut entries: Vec<_> = std::fs::read_dir(&cache)
        .expect("a cache")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    entries.sort();
    entries
}

/// The widths a `srcset` lists.
fn srcset_widths(srcset: &str) -> Vec<u32> {
    srcset
        .split(", ")
        .map(|candidate| {
            let width = candidate.rsplit(' ').next().expect("a width");
            width.trim_end_matches('w').parse().expect("a number")
        })
        .collect()
}

#[test]
fn a_portrait_phone_photo_stays_portrait() {
    // Stored 1600×1200 (landscape), orientation 6: shown turned 90° clockwise, 1200×1600.
    let site = site_with_photo(&phone_jpeg(1600, 1200, 6, true));
    let out = site.run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    assert_eq!(out.select_attr(page, ".lead-figure img", "width"), ["1200"]);
    assert_eq!(
        out.select_attr(page, ".lead-figure img", "height"),
        ["1600"]
    );
    let src = &out.select_attr(page, ".lead-figure img", "src")[0];
    let variant =
        image::load_from_memory(&out.read_bytes(&format!("public{src}"))).expect("decodes");
    assert_eq!((variant.width(), variant.height()), (960, 1280), "{src}");
    // The red quarter was top-left as stored; turned clockwise it is top-right.
    let rgb = variant.to_rgb8();
    let top_right = rgb
        .get_pixel(variant.width() * 3 / 4, variant.height() / 8)
        .0;
    let top_left = rgb.get_pixel(variant.width() / 4, variant.height() / 8).0;
    assert!(top_right[0] > 150 && top_right[2] < 100, "{top_right:?}");
    assert!(top_left[2] > 150, "{top_left:?}");
}

#[test]
fn the_lead_photo_is_a_picture_of_small_variants() {
    let site = site_with_photo(&phone_jpeg(2000, 1500, 1, false));
    let out = site.run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    let webp = out.select_attr(page, ".lead-figure picture source", "srcset");
    assert_eq!(
        out.select_attr(page, ".lead-figure picture source", "type"),
        ["image/webp"]
    );
    assert_eq!(srcset_widths(&webp[0]), [480, 960, 1440]);
    let img = |attribute| out.select_attr(page, ".lead-figure picture img", attribute);
    assert_eq!(srcset_widths(&img("srcset")[0]), [480, 960, 1440]);
    assert!(
        img("srcset")[0].contains(".jpg 480w"),
        "{:?}",
        img("srcset")
    );
    assert_eq!(img("fetchpriority"), ["high"]);
    assert_eq!(img("loading"), [""], "the lead photo is not lazy");
    assert_eq!(img("sizes"), ["(min-width: 46rem) 44rem, 100vw"]);
    assert!(
        img("style")[0].starts_with("background-color:#"),
        "{:?}",
        img("style")
    );
    // The original is not published; each variant is, under a content-addressed name.
    assert!(!out.exists("public/stories/bailian/photo.jpg"));
    let names = variants(&site);
    assert_eq!(names.len(), 6, "{names:?}");
    let key = names[0].split('-').next().expect("a key").to_string();
    assert_eq!(key.len(), 16);
    for width in [480, 960, 1440] {
        for ext in ["jpg", "webp"] {
            assert!(names.contains(&format!("{key}-{width}.{ext}")), "{names:?}");
        }
    }
    // The feed shows the fallback variant too: the original is not there to link to.
    let feed = out.read("public/atom.xml");
    assert!(feed.contains(&format!("/img/{key}-960.jpg")), "{feed}");
    assert!(!feed.contains("photo.jpg"), "{feed}");
    // The home page's card (and lead story) show the photo too, from the same files.
    let home = out.read("public/index.html");
    assert!(
        home.contains(&format!("/img/{key}-480.webp 480w")),
        "{home}"
    );
    assert!(home.contains("fetchpriority=\"high\""), "{home}");
}

#[test]
fn photos_are_never_upscaled() {
    let site = SiteTest::new()
        .file(
            "content/stories/bailian/index.md",
            &format!(
                "{}\n![中等](medium.png)\n\n![小图](small.png)\n",
                photo_story().trim_end()
            ),
        )
        .bytes(
            "content/stories/bailian/photo.jpg",
            &phone_jpeg(1000, 750, 1, false),
        )
        .bytes("content/stories/bailian/medium.png", &png(1440, 900))
        .bytes("content/stories/bailian/small.png", &png(300, 200));
    let out = site.run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    let lead = out.select_attr(page, ".lead-figure picture img", "srcset");
    assert_eq!(srcset_widths(&lead[0]), [480, 960]);
    let body = out.select_attr(page, ".story-body picture img", "srcset");
    assert_eq!(srcset_widths(&body[0]), [480, 960, 1440]);
    assert_eq!(
        srcset_widths(&body[1]),
        [300],
        "published once, at its own size"
    );
    assert_eq!(
        out.select_attr(page, ".story-body picture img", "width"),
        ["1440", "300"]
    );
    for name in variants(&site) {
        let width: u32 = name
            .split(['-', '.'])
            .nth(1)
            .and_then(|w| w.parse().ok())
            .expect("a width");
        let decoded = image::load_from_memory(&out.read_bytes(&format!("public/img/{name}")))
            .expect("decodes");
        assert_eq!(decoded.width(), width, "{name}");
        assert!(width <= 1440, "{name}");
    }
}

/// Whether `bytes` carry metadata: an EXIF block a reader finds, or the markers of EXIF, XMP
/// and IPTC, or the camera's and GPS's values as text.
fn has_metadata(bytes: &[u8]) -> bool {
    let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .is_ok()
        || found(b"Exif\0\0")
        || found(b"http://ns.adobe.com/xap")
        || found(b"Photoshop 3.0")
        || found(b"PhoneMaker")
        || found(b"Serial 0042")
}

#[test]
fn nothing_written_carries_metadata() {
    let original = phone_jpeg(1600, 1200, 1, true);
    assert!(has_metadata(&original), "the test photo has EXIF and GPS");
    let site = SiteTest::new()
        .config(
            "title: 测试站点\nbase_url: https://example.org/\nimages:\n  publish_originals: true\n",
        )
        .file(
            "content/stories/bailian/index.md",
            &format!("{}\n![转过的](turned.jpg)\n", photo_story().trim_end()),
        )
        .bytes("content/stories/bailian/photo.jpg", &original)
        .bytes(
            "content/stories/bailian/turned.jpg",
            &phone_jpeg(1600, 1200, 6, true),
        );
    let out = site.run(&["build"]);
    out.assert_success();
    let names = variants(&site);
    // 1600 wide: 480, 960 and 1440; turned, 1200 wide: 480 and 960; each in two formats.
    assert_eq!(names.len(), 10, "{names:?}");
    for name in &names {
        assert!(
            !has_metadata(&out.read_bytes(&format!("public/img/{name}"))),
            "{name}"
        );
    }
    // The originals are published too, as asked, without metadata; the turned one turned.
    let kept = out.read_bytes("public/stories/bailian/photo.jpg");
    assert!(!has_metadata(&kept));
    let kept = image::load_from_memory(&kept).expect("decodes");
    assert_eq!((kept.width(), kept.height()), (1600, 1200));
    let turned = out.read_bytes("public/stories/bailian/turned.jpg");
    assert!(!has_metadata(&turned));
    let turned = image::load_from_memory(&turned).expect("decodes");
    assert_eq!((turned.width(), turned.height()), (1200, 1600));
}

#[test]
fn og_image_is_a_jpeg_about_1200_wide() {
    let site = site_with_photo(&phone_jpeg(2000, 1500, 1, false));
    let out = site.run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    let og = out.select_attr(page, r#"meta[property="og:image"]"#, "content");
    assert!(og[0].starts_with("https://example.org/img/"), "{og:?}");
    assert!(og[0].ends_with("-1440.jpg"), "{og:?}");
    assert_eq!(
        out.select_attr(page, r#"meta[name="twitter:image"]"#, "content"),
        og
    );
    assert_eq!(
        out.select_attr(page, r#"meta[property="og:image:width"]"#, "content"),
        ["1440"]
    );
    assert_eq!(
        out.select_attr(page, r#"meta[property="og:image:height"]"#, "content"),
        ["1080"]
    );
    assert_eq!(
        out.select_attr(page, r#"meta[property="og:image:type"]"#, "content"),
        ["image/jpeg"]
    );
}

/// The number of photos the summary line says were made, and found in the cache.
fn tally(stdout: &str) -> (usize, usize) {
    let processed = stdout
        .split(" image")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no image tally in {stdout}"));
    let cached = stdout
        .split(" from the cache")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no cache tally in {stdout}"));
    (processed, cached)
}

#[test]
fn a_rebuild_takes_photos_from_the_cache() {
    let site = site_with_photo(&phone_jpeg(1600, 1200, 6, false));
    let first = site.run(&["build"]);
    first.assert_success();
    assert_eq!(tally(&first.stdout), (1, 0), "{}", first.stdout);
    assert_eq!(cache_entries(&site).len(), 1);
    // What the build learnt of the photo, so that the next one does not read it again.
    assert!(site.root().join(".yuanba/cache/images/probes").is_file());
    let before = variants(&site);
    let second = site.run(&["build"]);
    second.assert_success();
    assert_eq!(tally(&second.stdout), (0, 1), "{}", second.stdout);
    assert_eq!(variants(&site), before);
}

#[test]
fn a_changed_photo_or_setting_makes_new_variants() {
    let site = site_with_photo(&phone_jpeg(1600, 1200, 1, false));
    site.run(&["build"]).assert_success();
    let first = variants(&site);
    site.write(
        "content/stories/bailian/photo.jpg",
        &phone_jpeg(1600, 1000, 1, false),
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(tally(&out.stdout), (1, 0), "{}", out.stdout);
    let second = variants(&site);
    assert!(
        first.iter().all(|name| !second.contains(name)),
        "{first:?} {second:?}"
    );
    site.write(
        "site.yaml",
        b"title: t\nbase_url: https://example.org/\nimages:\n  quality: 60\n",
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(tally(&out.stdout), (1, 0), "{}", out.stdout);
    let third = variants(&site);
    assert!(second.iter().all(|name| !third.contains(name)));
    // Only the entry of the photo as it is now is kept.
    assert_eq!(cache_entries(&site).len(), 1);
}

#[test]
fn a_damaged_cache_entry_is_made_again() {
    let site = site_with_photo(&phone_jpeg(1600, 1200, 1, false));
    site.run(&["build"]).assert_success();
    let entry = cache_entries(&site).pop().expect("an entry");
    std::fs::write(entry.join("960.jpg"), b"not a jpeg any more").expect("damage");
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(tally(&out.stdout), (1, 0), "{}", out.stdout);
    let name = variants(&site)
        .into_iter()
        .find(|name| name.ends_with("-960.jpg"))
        .expect("the 960 JPEG");
    image::load_from_memory(&out.read_bytes(&format!("public/img/{name}"))).expect("decodes");
    // A cache folder moved by `cache_dir` is used instead.
    site.write(
        "site.yaml",
        b"title: t\nbase_url: https://example.org/\ncache_dir: ../image-cache\n",
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(tally(&out.stdout), (1, 0), "{}", out.stdout);
    assert!(site.tmp().join("image-cache").is_dir());
}

#[test]
fn gif_and_svg_are_copied_as_they_are() {
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"></svg>"#;
    let site = SiteTest::new()
        .file(
            "content/stories/bailian/index.md",
            &story(
                "白莲",
                "2018-03-20",
                "![动图](a.gif)\n\n![图](/images/b.svg)",
            ),
        )
        .bytes("content/stories/bailian/a.gif", gif)
        .file("static/images/b.svg", svg);
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(out.read_bytes("public/stories/bailian/a.gif"), gif);
    assert_eq!(out.read("public/images/b.svg"), svg);
    assert!(
        !out.read("public/stories/bailian/index.html")
            .contains("<picture")
    );
    assert!(!out.stdout.contains("image"), "{}", out.stdout);
}

/// Builds a good site, then the same site with `name` (shown by the story) holding `bytes`;
/// returns the failed build's stderr, after checking that `public/` was left as it was.
fn broken_photo(name: &str, bytes: &[u8]) -> String {
    let site = site_with_photo(&phone_jpeg(800, 600, 1, false));
    site.run(&["build"]).assert_success();
    let before = crate::util::snapshot_tree(&site.root().join("public"));
    let body = format!("正文第一段。\n\n![坏图]({name})\n");
    let text = photo_story().replace("正文。", &body);
    site.write("content/stories/bailian/index.md", text.as_bytes());
    site.write(&format!("content/stories/bailian/{name}"), bytes);
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert_eq!(
        crate::util::snapshot_tree(&site.root().join("public")),
        before,
        "public/ was changed"
    );
    out.stderr.clone()
}

#[test]
fn a_truncated_photo_is_an_error_at_the_story() {
    let whole = phone_jpeg(800, 600, 1, false);
    insta::assert_snapshot!(broken_photo("cut.jpg", &whole[..whole.len() / 2]));
}

#[test]
fn a_truncated_png_is_an_error_at_the_story() {
    // The header is whole, so the file is taken for a photo; decoding it finds the damage.
    let whole = png(640, 480);
    let cut = &whole[..whole.len() * 2 / 3];
    let stderr = broken_photo("cut.png", cut);
    assert!(stderr.starts_with("image/corrupt\n"), "{stderr}");
    assert!(
        stderr.contains("content/stories/bailian/index.md:16:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`content/stories/bailian/cut.png` is damaged or truncated"),
        "{stderr}"
    );
}

#[test]
fn garbage_named_jpg_is_an_error_at_the_story() {
    insta::assert_snapshot!(broken_photo("noise.jpg", &[0x5a; 4096]));
}

#[test]
fn an_extension_that_lies_is_an_error_at_the_story() {
    insta::assert_snapshot!(broken_photo("really-a-png.jpg", &png(64, 48)));
}

#[test]
fn an_unsupported_format_is_an_error_at_the_story() {
    insta::assert_snapshot!(broken_photo("scan.bmp", b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0"));
}

/// A PNG whose header claims 40000×40000 pixels, with a few KB of data.
fn bomb() -> Vec<u8> {
    let mut bytes = png(64, 64);
    // IHDR starts after the 8-byte signature, its length and its type: width, then height.
    bytes[16..20].copy_from_slice(&40_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&40_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// The CRC-32 of PNG chunks.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_decompression_bomb_is_refused_before_decoding() {
    let bomb = bomb();
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    insta::assert_snapshot!(broken_photo("bomb.png", &bomb));
}

#[test]
fn check_warns_about_gps_and_small_photos() {
    let site = SiteTest::new()
        .file(
            "content/stories/bailian/index.md",
            &format!("{}\n![小图](small.jpg)\n", photo_story().trim_end()),
        )
        .bytes(
            "content/stories/bailian/photo.jpg",
            &phone_jpeg(1600, 1200, 6, true),
        )
        .bytes(
            "content/stories/bailian/small.jpg",
            &phone_jpeg(640, 480, 1, false),
        );
    let out = site.run(&["check"]);
    out.assert_success();
    insta::assert_snapshot!(out.stderr);
    assert!(
        !site.root().join(".yuanba").exists(),
        "check writes nothing, not even the cache"
    );
}

#[test]
fn bad_image_settings_are_located() {
    let site = SiteTest::new().config(
        "title: t\nbase_url: https://example.org/\nimages:\n  widths: [480, 20000]\n  formats: [webp, avif]\n  quality: 0\n",
    );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn the_cache_cannot_be_published_or_replaced() {
    for (dir, problem) in [
        ("static/cache", "is inside `static/`"),
        ("public/cache", "overlaps the output folder"),
        (".", "is the site folder itself"),
    ] {
        let site = SiteTest::new().config(&format!(
            "title: t\nbase_url: https://example.org/\ncache_dir: {dir}\n"
        ));
        let out = site.run(&["build"]);
        out.assert_exit(1);
        assert!(out.stderr.starts_with("config/images\n"), "{}", out.stderr);
        assert!(out.stderr.contains(problem), "{dir}: {}", out.stderr);
    }
}

#[test]
fn a_theme_sets_image_defaults() {
    let site = SiteTest::new()
        .file(
            "themes/default/theme.yaml",
            "images:\n  widths: [320, 640]\n  formats: [jpeg]\n  sizes: 50vw\n",
        )
        .file(
            "content/stories/bailian/index.md",
            &story("白莲", "2018-03-20", "正文。\n\n![图](photo.jpg)"),
        )
        .bytes(
            "content/stories/bailian/photo.jpg",
            &phone_jpeg(1600, 1200, 1, false),
        );
    let out = site.run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    assert!(
        out.select_attr(page, ".story-body picture source", "srcset")
            .is_empty()
    );
    let img = |attribute| out.select_attr(page, ".story-body picture img", attribute);
    assert_eq!(srcset_widths(&img("srcset")[0]), [320, 640]);
    assert_eq!(img("sizes"), ["50vw"]);
    assert_eq!(variants(&site).len(), 2);
}

#[test]
fn templates_ask_for_other_sizes_with_resize_image() {
    let card = concat!(
        "{% if story.images %}{% set small = resize_image(path=story.images[0].source, width=300, format=\"webp\") %}",
        "<img class=\"mini\" src=\"{{ small.url }}\" width=\"{{ small.width }}\" height=\"{{ small.height }}\" alt=\"\">",
        "{% set big = resize_image(path=\"/images/wide.jpg\", width=5000) %}<a class=\"big\" href=\"{{ big.url }}\" data-w=\"{{ big.width }}\">{{ big.orig_width }}</a>{% endif %}",
        "<h3>{{ story.title }}</h3>",
    );
    let site = site_with_photo(&phone_jpeg(1600, 1200, 6, false))
        .config("title: t\nbase_url: https://example.org/\ntheme_options:\n  lead_story: false\n")
        .file("templates/partials/story_card.html", card)
        .bytes("static/images/wide.jpg", &phone_jpeg(800, 600, 1, false));
    let out = site.run(&["build"]);
    out.assert_success();
    let src = &out.select_attr("public/index.html", "img.mini", "src")[0];
    assert!(src.ends_with("-300.webp"), "{src}");
    let small = image::load_from_memory(&out.read_bytes(&format!("public{src}"))).expect("decodes");
    // Turned by its orientation, like every variant: 300×400.
    assert_eq!((small.width(), small.height()), (300, 400));
    assert_eq!(
        out.select_attr("public/index.html", "img.mini", "height"),
        ["400"]
    );
    // Never wider than the photo.
    assert_eq!(
        out.select_attr("public/index.html", "a.big", "data-w"),
        ["800"]
    );
    let href = &out.select_attr("public/index.html", "a.big", "href")[0];
    assert!(out.exists(&format!("public{href}")), "{href}");
    // Kept in the cache like the rest: a rebuild makes nothing.
    let again = site.run(&["build"]);
    again.assert_success();
    assert_eq!(tally(&again.stdout), (0, 1), "{}", again.stdout);
    assert!(out.exists(&format!("public{src}")));

    site.write(
        "templates/partials/story_card.html",
        b"{% set r = resize_image(path=\"static/missing.jpg\", width=300) %}{{ r.url }}",
    );
    let broken = site.run(&["build"]);
    broken.assert_exit(1);
    assert!(
        broken
            .stderr
            .contains("resize_image: no file `static/missing.jpg`"),
        "{}",
        broken.stderr
    );
}

#[test]
fn serve_shows_a_new_photo_and_a_text_edit_makes_no_image() {
    use crate::live::{Events, Running, atomic_save, wait_until};
    let site = site_with_photo(&phone_jpeg(1600, 1200, 6, true));
    let mut server = Running::serve(&site, &[]);
    let first = server
        .lines_so_far()
        .iter()
        .find(|line| line.starts_with("first build"))
        .expect("the first build's line")
        .clone();
    assert!(first.contains("1 image processed"), "{first}");
    let mut events = Events::connect(&server, "/stories/bailian/");
    let root = site.root();

    // A text edit: the photo comes from the cache, nothing waits for image work.
    let edited = photo_story().replace("正文。", "改过的正文。");
    atomic_save(root, "content/stories/bailian/index.md", &edited);
    let edit = events.next_rebuild();
    assert!(!edit.error(), "{edit:?}");
    let line = server.wait_for_line(|line| line.starts_with("content/stories/bailian/index.md"));
    assert!(!line.contains("image"), "{line}");
    assert!(server.get("stories/bailian/").text().contains("改过的正文"));

    // A new photo, then the text that shows it.
    let photo = phone_jpeg(1200, 900, 1, false);
    let temp = root.join("content/stories/bailian/.new.jpg.tmp");
    std::fs::write(&temp, &photo).expect("write");
    std::fs::rename(&temp, root.join("content/stories/bailian/new.jpg")).expect("rename");
    atomic_save(
        root,
        "content/stories/bailian/index.md",
        &edited.replace("改过的正文。", "改过的正文。\n\n![新照片](new.jpg)"),
    );
    wait_until("the new photo is on the page", || {
        server
            .get("stories/bailian/")
            .text()
            .contains("alt=\"新照片\"")
    });
    let page = server.get("stories/bailian/").text();
    let body = page.split("class=\"story-body\"").nth(1).expect("a body");
    let src = body
        .split("<img src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an img");
    assert!(
        src.starts_with("/img/") && src.ends_with("-960.jpg"),
        "{src}"
    );
    let variant = server.get(src.trim_start_matches('/'));
    assert_eq!(variant.status, 200, "{src}");
    let decoded = image::load_from_memory(&variant.as_built()).expect("decodes");
    assert_eq!((decoded.width(), decoded.height()), (960, 720));
    // The original is not served, and only the new photo was processed.
    assert_eq!(server.get("stories/bailian/new.jpg").status, 404);
    let stdout = server.wait_for_line(|line| line.contains("1 image processed"));
    assert!(!stdout.starts_with("first build"), "{stdout}");
}

/// A flat JPEG of one colour, with an ICC profile when given.
fn flat_jpeg(rgb: [u8; 3], icc: Option<Vec<u8>>) -> Vec<u8> {
    let pixels = RgbImage::from_pixel(800, 600, Rgb(rgb));
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).expect("an ICC profile");
    }
    encoder
        .write_image(pixels.as_raw(), 800, 600, image::ExtendedColorType::Rgb8)
        .expect("encode");
    jpeg
}

#[test]
fn colours_of_a_display_p3_photo_are_converted_to_srgb() {
    let p3 = moxcms::ColorProfile::new_display_p3()
        .encode()
        .expect("a Display P3 profile");
    let colour = [200, 60, 40];
    let site = SiteTest::new()
        .file(
            "content/stories/bailian/index.md",
            &story(
                "白莲",
                "2018-03-20",
                "![广色域](p3.jpg)\n\n![普通](srgb.jpg)",
            ),
        )
        .bytes(
            "content/stories/bailian/p3.jpg",
            &flat_jpeg(colour, Some(p3)),
        )
        .bytes("content/stories/bailian/srgb.jpg", &flat_jpeg(colour, None));
    let out = site.run(&["build"]);
    out.assert_success();
    let srcs = out.select_attr(
        "public/stories/bailian/index.html",
        ".story-body img",
        "src",
    );
    let centre = |src: &str| {
        let decoded = image::load_from_memory(&out.read_bytes(&format!("public{src}")))
            .expect("decodes")
            .to_rgb8();
        decoded
            .get_pixel(decoded.width() / 2, decoded.height() / 2)
            .0
    };
    let (converted, plain) = (centre(&srcs[0]), centre(&srcs[1]));
    // Display P3's red is more saturated than sRGB's: the same numbers mean a redder red, which
    // sRGB writes with a higher red and lower green and blue. An sRGB photo keeps its numbers.
    assert!(converted[0] > colour[0] + 8, "{converted:?}");
    assert!(converted[1] + 5 < colour[1], "{converted:?}");
    for (channel, expected) in plain.iter().zip(colour) {
        assert!(channel.abs_diff(expected) <= 4, "{plain:?}");
    }
    // No ICC profile is written: the variants are sRGB, which browsers assume.
    assert!(
        !out.read_bytes(&format!("public{}", srcs[0]))
            .windows(11)
            .any(|w| w == b"ICC_PROFILE")
    );
}

#[test]
fn a_link_to_an_unpublished_original_is_an_error() {
    let text = photo_story().replace("正文。", "正文。[下载原图](photo.jpg)");
    let site = SiteTest::new()
        .file("content/stories/bailian/index.md", &text)
        .bytes(
            "content/stories/bailian/photo.jpg",
            &phone_jpeg(800, 600, 1, false),
        );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
    // Published originals can be linked to.
    site.write(
        "site.yaml",
        b"title: t\nbase_url: https://example.org/\nimages:\n  publish_originals: true\n",
    );
    site.run(&["build"]).assert_success();
}

#[test]
fn images_no_page_shows_are_published_without_metadata() {
    // A background in static/ (turned by its orientation) and a download in a story folder.
    let text = photo_story().replace("正文。", "正文。[下载](extra.jpg)");
    let site = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\nimages:\n  publish_originals: true\n")
        .file("content/stories/bailian/index.md", &text)
        .bytes(
            "content/stories/bailian/photo.jpg",
            &phone_jpeg(800, 600, 1, false),
        )
        .bytes(
            "content/stories/bailian/extra.jpg",
            &phone_jpeg(640, 480, 1, true),
        )
        .bytes(
            "static/images/background.jpg",
            &phone_jpeg(640, 480, 6, true),
        );
    let out = site.run(&["build"]);
    out.assert_success();
    for path in [
        "public/stories/bailian/extra.jpg",
        "public/images/background.jpg",
    ] {
        let bytes = out.read_bytes(path);
        assert!(!has_metadata_but_orientation(&bytes), "{path}");
        image::load_from_memory(&bytes).expect("still decodes");
    }
    // The background keeps only its orientation, so it still displays upright.
    let background = out.read_bytes("public/images/background.jpg");
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&background))
        .expect("an orientation-only EXIF");
    let tags: Vec<exif::Tag> = exif.fields().map(|field| field.tag).collect();
    assert_eq!(tags, [exif::Tag::Orientation]);
}

/// Whether `bytes` carry metadata beyond an orientation-only EXIF block.
fn has_metadata_but_orientation(bytes: &[u8]) -> bool {
    let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    let exif_beyond_orientation = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .is_ok_and(|exif| {
            exif.fields()
                .any(|field| field.tag != exif::Tag::Orientation)
        });
    exif_beyond_orientation
        || found(b"http://ns.adobe.com/xap")
        || found(b"Photoshop 3.0")
        || found(b"PhoneMaker")
        || found(b"Serial 0042")
}
