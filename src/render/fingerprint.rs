//! Content-hashed names for the theme's stylesheets and scripts (`style.css` →
//! `style.3f2a1b9c.css`), so that a host may let browsers keep them for a year: a changed file
//! gets a new name, and the pages that link it through `asset(path=…)` link the new one.
//!
//! Only `build` and `check` fingerprint (`SiteConfig::fingerprint_assets`): `serve` and
//! `build --watch` link the plain names, so that a stylesheet edit does not change every page.
//! The plain names are written too, for links that do not go through `asset`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::config::SiteConfig;
use crate::render::builtin;

/// Whether a file of a theme gets a fingerprinted name.
fn fingerprinted(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|extension| extension == "css" || extension == "js")
}

/// The fingerprinted name of each stylesheet and script of the built-in theme, the theme's
/// `static/` and the site's `static/` (a later layer's file replacing an earlier one's), by
/// plain name with `/` separators. Empty when the site is not fingerprinted.
pub(crate) fn names(config: &SiteConfig) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    if !config.fingerprint_assets {
        return names;
    }
    for (path, bytes) in builtin::STATIC {
        if builtin::is_wanted(path, &config.theme, config.search) && fingerprinted(path) {
            names.insert((*path).to_string(), hashed_name(path, bytes));
        }
    }
    for dir in [config.theme_dir().join("static"), config.static_dir()] {
        if !dir.is_dir() {
            continue;
        }
        let files = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !crate::files::is_ignored_name(&entry.file_name().to_string_lossy())
            })
            .flatten()
            .filter(|entry| entry.file_type().is_file());
        for entry in files {
            let Ok(relative) = entry.path().strip_prefix(&dir) else {
                continue;
            };
            let path = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !fingerprinted(&path) {
                // A file of a later layer that replaces a stylesheet with, say, nothing of
                // the same kind does not exist; other files are never fingerprinted.
                continue;
            }
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    names.insert(path.clone(), hashed_name(&path, &bytes));
                }
                // Unreadable: copying it reports the error; link the plain name.
                Err(_) => {
                    names.remove(&path);
                }
            }
        }
    }
    names
}

/// `css/site.css` with these bytes → `css/site.<first 8 hex digits of their MD5>.css`.
fn hashed_name(path: &str, bytes: &[u8]) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(bytes);
    let mut hash = String::with_capacity(8);
    for byte in &digest[..4] {
        let _ = write!(hash, "{byte:02x}");
    }
    match path.rsplit_once('.') {
        Some((stem, extension)) if !stem.ends_with('/') && !stem.is_empty() => {
            format!("{stem}.{hash}.{extension}")
        }
        _ => format!("{path}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_goes_before_the_extension() {
        assert_eq!(hashed_name("style.css", b""), "style.d41d8cd9.css");
        assert_eq!(hashed_name("js/app.min.js", b""), "js/app.min.d41d8cd9.js");
        assert!(fingerprinted("a/b.css") && fingerprinted("x.js"));
        assert!(!fingerprinted("favicon.svg") && !fingerprinted("css"));
    }
}
