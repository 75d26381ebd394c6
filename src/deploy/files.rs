//! The files of a built site, as a deploy sees them: key, upload phase, content type, cache
//! lifetime and content hash.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::deploy::record::HashCache;
use crate::output::MARKER_FILE;

/// When a file is uploaded: every file that pages point at before any page, pages before the
/// files that list pages (feeds, sitemap, the search manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Phase {
    /// Stylesheets, scripts, photos, fonts, search shards, other static files.
    Assets,
    /// HTML pages.
    Pages,
    /// Feeds, the sitemap, robots.txt and the search manifest.
    Indexes,
}

impl Phase {
    /// Every phase, in upload order.
    pub(crate) const ALL: [Phase; 3] = [Phase::Assets, Phase::Pages, Phase::Indexes];
}

/// One file of the built site.
#[derive(Debug, Clone)]
pub(crate) struct SiteFile {
    /// Its path in the site with `/` separators (`stories/bailian/index.html`).
    pub key: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time (see [`crate::deploy::record::stamp`]).
    pub stamp: u128,
    /// The MD5 of its bytes, lower-case hex (what S3 gives as the ETag of a single upload).
    pub md5: String,
    /// When it is uploaded.
    pub phase: Phase,
}

/// Reads every file of the site in `dir` but the output marker, hashing those the cache does
/// not know (in parallel); symbolic links are not followed.
pub(crate) fn scan(dir: &Path, cache: &HashCache) -> std::io::Result<Vec<SiteFile>> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let key = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if key == MARKER_FILE {
            continue;
        }
        let metadata = entry.metadata().map_err(std::io::Error::other)?;
        found.push((key, entry.path().to_path_buf(), metadata));
    }
    found
        .into_par_iter()
        .map(|(key, path, metadata)| {
            let size = metadata.len();
            let stamp = crate::deploy::record::stamp(&metadata);
            let md5 = match cache.get(&key, size, stamp) {
                Some(md5) => md5,
                None => md5_hex(&std::fs::read(&path)?),
            };
            let phase = phase_of(&key);
            Ok(SiteFile {
                key,
                path,
                size,
                stamp,
                md5,
                phase,
            })
        })
        .collect()
}

pub(crate) use crate::files::md5_hex;

/// The upload phase of a file of the site.
pub(crate) fn phase_of(key: &str) -> Phase {
    let name = key.rsplit('/').next().unwrap_or(key);
    let extension = extension(name);
    if matches!(extension, "html" | "htm") {
        Phase::Pages
    } else if extension == "xml"
        || name == "robots.txt"
        || key == "search/manifest.json"
        || name == "feed.json"
    {
        Phase::Indexes
    } else {
        Phase::Assets
    }
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, extension)| extension)
}

/// The `Content-Type` of a file of the site, with `charset=utf-8` for text.
pub(crate) fn content_type(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    match name {
        "atom.xml" => return "application/atom+xml; charset=utf-8",
        "rss.xml" => return "application/rss+xml; charset=utf-8",
        _ => {}
    }
    match extension(name).to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Cache lifetime of files whose name changes when their content does.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache lifetime of pages and indexes, which change under the same name.
pub(crate) const SHORT: &str = "public, max-age=300";
/// Cache lifetime of other static files (favicons, banners a site keeps under one name).
pub(crate) const STATIC: &str = "public, max-age=3600";

/// The default `Cache-Control` of a file: content-addressed names (photo variants under
/// `img/`, fingerprinted assets such as `style.3f2a1b9c.css`) are immutable; pages and indexes
/// short; other files an hour.
pub(crate) fn cache_control(key: &str, phase: Phase) -> &'static str {
    if phase != Phase::Assets {
        return SHORT;
    }
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let hashed = stem
        .split(['.', '-'])
        .any(|part| part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed && !key.starts_with("search/") {
        IMMUTABLE
    } else if key.starts_with("search/") {
        // Shards are named by number, not by content: they change with the manifest.
        SHORT
    } else {
        STATIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_put_pages_after_what_they_use_and_indexes_last() {
        assert_eq!(phase_of("style.css"), Phase::Assets);
        assert_eq!(phase_of("img/3f2a1b9c-960.webp"), Phase::Assets);
        assert_eq!(phase_of("search/docs/0.json"), Phase::Assets);
        assert_eq!(phase_of("index.html"), Phase::Pages);
        assert_eq!(phase_of("stories/a/index.html"), Phase::Pages);
        assert_eq!(phase_of("atom.xml"), Phase::Indexes);
        assert_eq!(phase_of("places/x/atom.xml"), Phase::Indexes);
        assert_eq!(phase_of("sitemap.xml"), Phase::Indexes);
        assert_eq!(phase_of("robots.txt"), Phase::Indexes);
        assert_eq!(phase_of("search/manifest.json"), Phase::Indexes);
        assert!(Phase::Assets < Phase::Pages && Phase::Pages < Phase::Indexes);
    }

    #[test]
    fn content_types_say_utf_8_for_text() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("a.JPG"), "image/jpeg");
        assert_eq!(content_type("no-extension"), "application/octet-stream");
    }

    #[test]
    fn content_addressed_names_are_cached_forever() {
        let asset = |key| cache_control(key, phase_of(key));
        assert_eq!(asset("img/3f2a1b9c0d1e-960.webp"), IMMUTABLE);
        assert_eq!(asset("style.3f2a1b9c.css"), IMMUTABLE);
        assert_eq!(asset("style.css"), STATIC);
        assert_eq!(asset("images/banner.png"), STATIC);
        assert_eq!(asset("search/docs/0.json"), SHORT);
        assert_eq!(asset("index.html"), SHORT);
        assert_eq!(asset("atom.xml"), SHORT);
        // A word that happens to be hex-like but short is no hash.
        assert_eq!(asset("images/cafe.png"), STATIC);
    }
}
