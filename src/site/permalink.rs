//! The only place that maps stories and pages to URLs and output paths.
//!
//! A "site path" is relative to the site's base (`stories/bailian/`); it becomes a root-relative
//! URL (`/news/stories/bailian/`), an absolute permalink (`https://x.org/news/stories/bailian/`),
//! or a file in the output folder (`stories/bailian/index.html`).

use std::path::PathBuf;

use crate::config::SiteConfig;

/// Folder of story pages.
pub(crate) const STORIES_DIR: &str = "stories";

/// Page slugs that would collide with folders yuanba writes.
pub(crate) const RESERVED_PAGE_SLUGS: &[&str] = &[
    STORIES_DIR,
    "places",
    "reporters",
    "tags",
    "series",
    "search",
    "page",
];

/// `stories/<slug>/`.
pub(crate) fn story_path(slug: &str) -> String {
    format!("{STORIES_DIR}/{slug}/")
}

/// The URL of a story, [`url`] of [`story_path`], made in one allocation: the search index
/// makes one for every story.
pub(crate) fn story_url(config: &SiteConfig, slug: &str) -> String {
    let mut url =
        String::with_capacity(config.base_path.len() + STORIES_DIR.len() + slug.len() + 2);
    url.push_str(&config.base_path);
    url.push_str(STORIES_DIR);
    url.push('/');
    url.push_str(slug);
    url.push('/');
    url
}

/// `<slug>/`.
pub(crate) fn page_path(slug: &str) -> String {
    format!("{slug}/")
}

/// Folder of place pages.
pub(crate) const PLACES_DIR: &str = "places";

/// `<kind>/<slug>/` for a reporter, tag or series.
pub(crate) fn term_path(kind: &str, slug: &str) -> String {
    format!("{kind}/{slug}/")
}

/// Page `n` (from 1) of a list whose first page is at `base` (a folder site path).
pub(crate) fn paged(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Root-relative URL of a site path.
pub(crate) fn url(config: &SiteConfig, site_path: &str) -> String {
    format!("{}{}", config.base_path, site_path.trim_start_matches('/'))
}

/// Absolute URL of a site path.
pub(crate) fn permalink(config: &SiteConfig, site_path: &str) -> String {
    format!("{}{}", config.base_url, site_path.trim_start_matches('/'))
}

/// The file in the output folder for a site path: folders get `index.html`.
pub(crate) fn output_file(site_path: &str) -> PathBuf {
    let trimmed = site_path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        PathBuf::from(format!("{trimmed}index.html"))
    } else {
        PathBuf::from(trimmed)
    }
}

/// Where an image of a story is served from: full URLs stay, root-relative ones get the base
/// path, and relative ones are relative to the story page (a bundle's files are copied there).
pub(crate) fn image_url(config: &SiteConfig, story_site_path: &str, src: &str) -> String {
    if src.contains("://") || src.starts_with("//") || src.starts_with("data:") {
        src.to_string()
    } else if let Some(rest) = src.strip_prefix('/') {
        url(config, rest)
    } else {
        url(
            config,
            &format!("{story_site_path}{}", src.trim_start_matches("./")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn config(base_url: &str) -> SiteConfig {
        // A folder per call: tests run at the same time in one process.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("yuanba-permalink-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("site.yaml"),
            format!("title: t\nbase_url: {base_url}\n"),
        )
        .expect("write");
        let config = crate::config::load(&dir, &Overrides::default()).expect("valid config");
        std::fs::remove_dir_all(&dir).ok();
        config
    }

    fn config_at_root() -> SiteConfig {
        config("https://example.org")
    }

    #[test]
    fn urls_respect_a_sub_path() {
        let config = config("https://example.org/news");
        assert_eq!(url(&config, "stories/a/"), "/news/stories/a/");
        assert_eq!(story_url(&config, "a"), url(&config, &story_path("a")));
        let root = config_at_root();
        assert_eq!(story_url(&root, "白莲"), url(&root, &story_path("白莲")));
        assert_eq!(story_url(&root, "a"), "/stories/a/");
        assert_eq!(
            permalink(&config, "stories/a/"),
            "https://example.org/news/stories/a/"
        );
        assert_eq!(
            image_url(&config, "stories/a/", "x.jpg"),
            "/news/stories/a/x.jpg"
        );
        assert_eq!(
            image_url(&config, "stories/a/", "/images/x.jpg"),
            "/news/images/x.jpg"
        );
        assert_eq!(
            image_url(&config, "stories/a/", "https://cdn.x/y.jpg"),
            "https://cdn.x/y.jpg"
        );
    }

    #[test]
    fn paged_lists() {
        assert_eq!(paged("", 1), "");
        assert_eq!(paged("", 2), "page/2/");
        assert_eq!(paged("tags/a/", 3), "tags/a/page/3/");
    }

    #[test]
    fn output_files() {
        assert_eq!(output_file(""), PathBuf::from("index.html"));
        assert_eq!(
            output_file("stories/a/"),
            PathBuf::from("stories/a/index.html")
        );
        assert_eq!(output_file("404.html"), PathBuf::from("404.html"));
    }
}
