//! Files copied as they are: theme and site `static/` folders, and the files of story bundles.
//!
//! Layers are applied lowest first, so a file of a higher layer replaces the same path below it:
//! the built-in theme's static files (for the default theme; `search.js` and `search.css` for
//! every theme while search is on), the theme's `static/`, the site's `static/`, then each
//! bundle's files next to its story page.

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};
use crate::render::builtin;
use crate::site::{Site, permalink};

/// The static files of the built-in theme, the theme's `static/` and the site's `static/`, by
/// output path, a later layer replacing an earlier one (bundle files are not among them).
pub(crate) fn static_layers(config: &SiteConfig) -> (BTreeMap<PathBuf, Contents>, Vec<Diagnostic>) {
    let mut files: BTreeMap<PathBuf, Contents> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    // The built-in files come first even when themes/default/ exists, so a site that copied
    // only some of the theme (say, one template) still gets the stylesheet its pages link to.
    // The search page's script and stylesheet come for every theme: a theme without its own
    // search.html gets the built-in one, which links to them.
    for (path, bytes) in builtin::STATIC {
        if builtin::is_wanted(path, &config.theme, config.search) {
            files.insert(PathBuf::from(path), Contents::Static(bytes));
        }
    }
    for dir in [config.theme_dir().join("static"), config.static_dir()] {
        copy_tree(&dir, Path::new(""), config, &mut files, &mut diagnostics);
    }
    (files, diagnostics)
}

/// Every static file of the site, by output path.
pub(crate) fn collect(config: &SiteConfig, site: &Site) -> (Vec<Output>, Vec<Diagnostic>) {
    let (mut files, diagnostics) = static_layers(config);
    // The stylesheets and scripts again under their fingerprinted names.
    for (plain, hashed) in crate::render::fingerprint::names(config, &files) {
        if let Some(contents) = files.get(Path::new(&plain)).cloned() {
            files.insert(PathBuf::from(hashed), contents);
        }
    }
    let bundles = site
        .stories
        .iter()
        .map(|story| {
            (
                &story.source_path,
                &story.assets,
                permalink::story_path(&story.slug),
            )
        })
        .chain(site.pages.iter().map(|page| {
            (
                &page.source_path,
                &page.assets,
                permalink::page_path(&page.slug),
            )
        }));
    for (source_path, assets, site_path) in bundles {
        let Some(bundle_dir) = source_path.parent() else {
            continue;
        };
        let target = PathBuf::from(site_path);
        for asset in assets {
            files.insert(
                target.join(asset),
                Contents::Copy(config.root.join(bundle_dir).join(asset)),
            );
        }
    }
    let outputs = files
        .into_iter()
        .map(|(path, contents)| Output { path, contents })
        .collect();
    (outputs, diagnostics)
}

fn copy_tree(
    dir: &Path,
    prefix: &Path,
    config: &SiteConfig,
    files: &mut BTreeMap<PathBuf, Contents>,
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
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                if let Ok(relative) = entry.path().strip_prefix(dir) {
                    files.insert(
                        prefix.join(relative),
                        Contents::Copy(entry.path().to_path_buf()),
                    );
                }
            }
            Ok(_) => {}
            Err(error) => {
                let mut diagnostic =
                    Diagnostic::error(Code::StaticIo, format!("cannot read: {error}"));
                diagnostic.path = error.path().map(|p| config.relative(p).to_path_buf());
                diagnostics.push(diagnostic);
            }
        }
    }
}
