//! Content-hashed names for the theme's stylesheets and scripts (`style.css` →
//! `style.3f2a1b9c.css`), so that a host may let browsers keep them for a year: a changed file
//! gets a new name, and the pages that link it through `asset(path=…)` link the new one.
//!
//! Only `build` and `check` fingerprint (`SiteConfig::fingerprint_assets`): `serve` and
//! `build --watch` link the plain names, so that a stylesheet edit does not change every page.
//! The plain names are written too, for links that do not go through `asset`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::output::Contents;

/// Whether a file of a theme gets a fingerprinted name.
fn fingerprinted(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|extension| extension == "css" || extension == "js")
}

/// The fingerprinted name of each stylesheet and script among `files` (the built-in theme,
/// the theme's `static/` and the site's `static/`: `output::assets::static_layers`), by plain
/// name with `/` separators. Empty when the site is not fingerprinted.
pub(crate) fn names(
    config: &SiteConfig,
    files: &BTreeMap<PathBuf, Contents>,
) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    if !config.fingerprint_assets {
        return names;
    }
    for (path, contents) in files {
        let path = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !fingerprinted(&path) {
            continue;
        }
        let bytes = match contents {
            Contents::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
            Contents::Static(bytes) => std::borrow::Cow::Borrowed(*bytes),
            // Unreadable: copying it reports the error; pages link the plain name.
            Contents::Copy(from) => match std::fs::read(from) {
                Ok(bytes) => std::borrow::Cow::Owned(bytes),
                Err(_) => continue,
            },
        };
        let hashed = hashed_name(&path, &bytes);
        names.insert(path, hashed);
    }
    names
}

/// `css/site.css` with these bytes → `css/site.<first 8 hex digits of their MD5>.css`.
fn hashed_name(path: &str, bytes: &[u8]) -> String {
    let hash = &crate::files::md5_hex(bytes)[..8];
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
