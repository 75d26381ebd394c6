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
];

/// Static files of the default theme: (path under `static/`, bytes).
pub const STATIC: &[(&str, &[u8])] = &[(
    "style.css",
    include_bytes!("../../themes/default/static/style.css"),
)];

/// The name of the built-in theme.
pub const THEME_NAME: &str = "default";
