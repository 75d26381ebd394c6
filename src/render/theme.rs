//! Resolving and loading templates: the only place `render` reads files.
//!
//! For each template name, the first of these wins: the site's `templates/`, the active theme's
//! `themes/<theme>/templates/`, the built-in default theme. All templates are parsed once into
//! one Tera instance; their sources are kept so errors can show the offending line.

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::render::builtin;

/// The folder shown for templates of the built-in default theme.
const BUILTIN_DIR: &str = "<built-in default theme>";

/// Where a template came from, and its text.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// Path shown in messages: relative to the site root, or `<built-in>/…`.
    pub display_path: PathBuf,
    /// The template text.
    pub text: Arc<str>,
}

/// Every template of the site, by name, after resolving the layers.
pub(crate) fn collect(
    config: &SiteConfig,
) -> Result<BTreeMap<String, TemplateSource>, Vec<Diagnostic>> {
    let mut templates = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (name, text) in builtin::TEMPLATES {
        templates.insert(
            (*name).to_string(),
            TemplateSource {
                display_path: Path::new(BUILTIN_DIR).join(name),
                text: Arc::from(*text),
            },
        );
    }
    let theme_dir = config.theme_dir();
    if !theme_dir.is_dir() && config.theme != builtin::THEME_NAME {
        diagnostics.push(
            Diagnostic::error(
                Code::ThemeMissing,
                format!("theme `{}` not found", config.theme),
            )
            .in_file(Path::new(crate::config::CONFIG_FILE))
            .with_help(format!(
                "create themes/{}/templates/, or set `theme: default` in site.yaml",
                config.theme
            )),
        );
    }
    for dir in [theme_dir.join("templates"), config.templates_dir()] {
        read_layer(&dir, config, &mut templates, &mut diagnostics);
    }
    use_standalone_search_page(&mut templates);
    if diagnostics.is_empty() {
        Ok(templates)
    } else {
        Err(diagnostics)
    }
}

/// A built-in `search.html` under a theme's own `base.html` becomes the standalone search
/// page: the theme's `base.html` may lack the blocks the default one has.
fn use_standalone_search_page(templates: &mut BTreeMap<String, TemplateSource>) {
    let is_builtin = |name: &str| {
        templates
            .get(name)
            .is_some_and(|source| source.display_path.starts_with(BUILTIN_DIR))
    };
    if is_builtin("search.html") && !is_builtin("base.html") {
        templates.insert(
            "search.html".to_string(),
            TemplateSource {
                display_path: Path::new(BUILTIN_DIR).join("search_standalone.html"),
                text: Arc::from(builtin::SEARCH_STANDALONE),
            },
        );
    }
}

fn read_layer(
    dir: &Path,
    config: &SiteConfig,
    templates: &mut BTreeMap<String, TemplateSource>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !crate::files::is_ignored_name(&entry.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                diagnostics.push(Diagnostic::error(
                    Code::ThemeIo,
                    format!("cannot read templates: {error}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Ok(relative) = path.strip_prefix(dir) else {
            continue;
        };
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let display_path = config.relative(path).to_path_buf();
        match read_template(path, display_path) {
            Ok(source) => {
                templates.insert(name, source);
            }
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
}

/// Reads one template file, normalised, or says why it cannot be read.
fn read_template(path: &Path, display_path: PathBuf) -> Result<TemplateSource, Diagnostic> {
    match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => Ok(TemplateSource {
            display_path,
            text: Arc::from(crate::files::normalize_text(text)),
        }),
        Ok(Err(_)) => Err(Diagnostic::error(
            Code::ThemeEncoding,
            "the template is not valid UTF-8",
        )
        .in_file(&display_path)),
        Err(error) => Err(Diagnostic::error(
            Code::ThemeIo,
            format!("cannot read the template: {error}"),
        )
        .in_file(&display_path)),
    }
}
