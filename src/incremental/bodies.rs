//! The bodies of `serve`'s stories and pages between rebuilds: a body is rendered again only
//! when its file was read again or a site path changed.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{Content, Loaded, image, read_registry, site_path_of, site_paths};
use crate::diagnostic::Diagnostic;
use crate::render::keys;

/// Bodies rendered by earlier [`collect_reusing`] calls: a body is rendered again
/// only when its file was read again (a new `generation`), or when any story's or page's site
/// path or the base path changed (links to other files become their URLs).
#[derive(Debug, Default)]
pub(crate) struct RenderedBodies {
    /// The fingerprint of the site paths and base path the bodies were rendered with.
    links_key: u64,
    /// By source path: the generation of the file that was rendered, and the result.
    bodies: HashMap<PathBuf, (u64, Loaded)>,
    /// The site paths the bodies were rendered with, by source path.
    site_paths: HashMap<PathBuf, String>,
}

impl RenderedBodies {
    /// Renders the body of `file` with the site paths of the last [`collect_reusing`].
    /// Returns the file with its body, or `None` when its site path is not the one the other
    /// bodies were rendered with (then [`collect_reusing`] must render them).
    pub(crate) fn render_one(&self, file: &Loaded, config: &SiteConfig) -> Option<Loaded> {
        let (source_path, site_path) = site_path_of(file);
        if self.site_paths.get(source_path) != Some(&site_path) {
            return None;
        }
        let mut file = file.clone();
        let images = image::ImageLookup::new(config, source_path);
        let base_path = config.base_path.as_str();
        match &mut file {
            Loaded::Story(story) => story.render_body(&self.site_paths, base_path, &images),
            Loaded::Page(page) => page.render_body(&self.site_paths, base_path, &images),
        }
        Some(file)
    }

    /// Keeps a body made by [`RenderedBodies::render_one`] for a file read as `generation`.
    pub(crate) fn keep(&mut self, generation: u64, file: Loaded) {
        self.bodies
            .insert(file.source_path().to_path_buf(), (generation, file));
    }
}

/// [`crate::content::collect`] for `serve`, which numbers each file it reads (`generation`)
/// and keeps the rendered bodies between builds in `cache`.
pub(crate) fn collect_reusing(
    results: Vec<(u64, &Result<Loaded, Vec<Diagnostic>>)>,
    diagnostics: Vec<Diagnostic>,
    config: &SiteConfig,
    cache: &mut RenderedBodies,
) -> Content {
    let mut content = Content {
        diagnostics,
        ..Content::default()
    };
    let mut loaded = Vec::with_capacity(results.len());
    for (generation, result) in results {
        match result {
            Ok(file) => loaded.push((generation, file)),
            Err(found) => content.diagnostics.extend(found.iter().cloned()),
        }
    }
    let site_paths = site_paths(loaded.iter().map(|(_, file)| site_path_of(file)));
    let links_key = links_key(&site_paths, &config.base_path);
    let mut previous = std::mem::take(cache);
    let reusable = previous.links_key == links_key;
    let fresh = render_stale(&loaded, reusable.then_some(&previous), &site_paths, config);
    let mut files: Vec<(u64, Loaded)> = Vec::with_capacity(fresh.len());
    for ((generation, file), fresh) in loaded.iter().zip(fresh) {
        let cached = || {
            previous
                .bodies
                .remove(file.source_path())
                .map(|(_, body)| body)
        };
        if let Some(rendered) = fresh.or_else(cached) {
            files.push((*generation, rendered));
        }
    }
    drop(previous);
    let copies: Vec<Loaded> = files.par_iter().map(|(_, file)| file.clone()).collect();
    for copy in copies {
        match copy {
            Loaded::Story(story) => content.stories.push(*story),
            Loaded::Page(page) => content.pages.push(*page),
        }
    }
    cache.links_key = links_key;
    cache.site_paths = site_paths;
    cache.bodies = files
        .into_iter()
        .map(|(generation, file)| (file.source_path().to_path_buf(), (generation, file)))
        .collect();
    content.places_registry = read_registry(config, &mut content.diagnostics);
    content
}

/// The fingerprint of every file's site path and of the base path, which bodies are rendered
/// with; order-independent (the sum of each entry's hash).
fn links_key(site_paths: &HashMap<PathBuf, String>, base_path: &str) -> u64 {
    let sum = site_paths.iter().fold(0u64, |sum, entry| {
        let mut hasher = keys::hasher();
        entry.hash(&mut hasher);
        sum.wrapping_add(hasher.finish())
    });
    let mut hasher = keys::hasher();
    (sum, site_paths.len(), base_path).hash(&mut hasher);
    hasher.finish()
}

/// Renders, in parallel, the body of every loaded file that `reusable` has no body of that
/// generation for; `None` where the kept body is still right.
fn render_stale(
    loaded: &[(u64, &Loaded)],
    reusable: Option<&RenderedBodies>,
    site_paths: &HashMap<PathBuf, String>,
    config: &SiteConfig,
) -> Vec<Option<Loaded>> {
    let base_path = config.base_path.as_str();
    loaded
        .par_iter()
        .map(|&(generation, file)| {
            let path = file.source_path();
            if reusable
                .and_then(|previous| previous.bodies.get(path))
                .is_some_and(|(g, _)| *g == generation)
            {
                return None;
            }
            let mut file = file.clone();
            let images = image::ImageLookup::new(config, path);
            match &mut file {
                Loaded::Story(story) => story.render_body(site_paths, base_path, &images),
                Loaded::Page(page) => page.render_body(site_paths, base_path, &images),
            }
            Some(file)
        })
        .collect()
}
