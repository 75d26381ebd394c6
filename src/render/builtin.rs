//! The default theme, embedded in the binary.
//!
//! A site without a `themes/default/` folder still builds, and `yuanba init` writes these files
//! into a new site. The files themselves live in `themes/default/` of this repository.

/// Templates of the default theme: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "story.html",
        include_str!("../../themes/default/templates/story.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "places.html",
        include_str!("../../themes/default/templates/places.html"),
    ),
    (
        "place.html",
        include_str!("../../themes/default/templates/place.html"),
    ),
    (
        "taxonomy.html",
        include_str!("../../themes/default/templates/taxonomy.html"),
    ),
    (
        "term.html",
        include_str!("../../themes/default/templates/term.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "partials/story_list.html",
        include_str!("../../themes/default/templates/partials/story_list.html"),
    ),
    (
        "partials/story_card.html",
        include_str!("../../themes/default/templates/partials/story_card.html"),
    ),
    (
        "partials/picture.html",
        include_str!("../../themes/default/templates/partials/picture.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../../themes/default/templates/partials/pagination.html"),
    ),
    (
        "partials/breadcrumbs.html",
        include_str!("../../themes/default/templates/partials/breadcrumbs.html"),
    ),
    (
        "partials/search_ui.html",
        include_str!("../../themes/default/templates/partials/search_ui.html"),
    ),
];

/// The search page used instead of the default theme's `search.html` when a theme or site has
/// its own `base.html` but no `search.html`: that `base.html` may not have the blocks the
/// default `search.html` fills, so this page stands alone (and includes `partials/search_ui.html`).
pub const SEARCH_STANDALONE: &str = include_str!("search_standalone.html");

/// Static files of the default theme: (path under `static/`, bytes).
pub const STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "search.css",
        include_bytes!("../../themes/default/static/search.css"),
    ),
];

/// The static files of [`STATIC`] that the search page needs: copied for every theme while
/// search is on (a theme may replace them), and for none while it is off.
pub const SEARCH_STATIC: &[&str] = &["search.js", "search.css"];

/// Whether a built-in static file is part of the site: the search files while search is on,
/// the others for the default theme.
pub(crate) fn is_wanted(path: &str, theme: &str, search: bool) -> bool {
    if SEARCH_STATIC.contains(&path) {
        search
    } else {
        theme == THEME_NAME
    }
}

/// The default theme's settings (`theme.yaml`): the lowest layer of every theme's options, and
/// the default theme's `paginate_by` and description (see `theme_config`).
pub const THEME_YAML: &str = include_str!("../../themes/default/theme.yaml");

/// The name of the built-in theme.
pub const THEME_NAME: &str = "default";

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default")
            .join(dir);
        let mut names: Vec<String> = walkdir::WalkDir::new(&path)
            .into_iter()
            .map(|entry| entry.expect("entry"))
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                entry
                    .path()
                    .strip_prefix(&path)
                    .expect("inside the theme")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_file_of_the_default_theme_is_embedded() {
        let mut templates: Vec<String> = TEMPLATES
            .iter()
            .map(|(name, _)| (*name).to_string())
            .collect();
        templates.sort();
        assert_eq!(templates, names_in("templates"));
        let mut statics: Vec<String> = STATIC.iter().map(|(name, _)| (*name).to_string()).collect();
        statics.sort();
        assert_eq!(statics, names_in("static"));
    }
}
