//! The photo step of a build: every image file the site's stories and pages show, each once,
//! through `images::process`; then the variants to write, the originals to leave out, and the
//! problems to report at the stories (`check::photos`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{self, OutputFiles};
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::images::{self, Outcome, Probed, process::Processed};
use crate::output::{Contents, Output};
use crate::site::Site;

/// What the photo step found and made.
#[derive(Debug)]
pub(super) struct Photos {
    /// What processing found.
    pub processed: Processed,
    /// Every image file the site shows, by source path.
    by_source: HashMap<PathBuf, Arc<Probed>>,
}

/// Makes (or finds in the cache) the variants of every photo the published site shows.
pub(super) fn process(site: &Site, config: &SiteConfig) -> Photos {
    let probed: Vec<Arc<Probed>> = site
        .stories
        .iter()
        .flat_map(|story| story.photos.iter())
        .chain(site.pages.iter().flat_map(|page| page.photos.iter()))
        .cloned()
        .collect();
    let processed = images::process::run(&probed, &config.images, &|done, total| {
        config.image_progress.report(done, total);
    });
    let by_source = probed
        .into_iter()
        .map(|probed| (probed.source.clone(), probed))
        .collect();
    Photos {
        processed,
        by_source,
    }
}

/// Removes the cache entries that no photo of this build used (nothing for `check`, which
/// writes nothing).
pub(super) fn prune(photos: &Photos, requested: &BTreeSet<String>, config: &SiteConfig) {
    if !config.images.read_only {
        let mut keep = photos.processed.keys.clone();
        keep.extend(requested.iter().cloned());
        images::cache::prune(&config.images.cache_dir, &keep);
        let sources = photos.by_source.keys().map(PathBuf::as_path).collect();
        config.photo_memo.save(&config.images.cache_dir, &sources);
    }
}

/// What templates asked for with `resize_image`: the files to write and the problems.
pub(super) struct Requested {
    /// The variants, each once.
    pub files: Vec<Output>,
    /// Photos that could not be made, with no place in a story to point at.
    pub problems: Vec<Diagnostic>,
}

/// Makes (or finds in the cache) the variants templates asked for; returns them, and the keys
/// of their cache entries.
pub(super) fn requested(config: &SiteConfig) -> (Requested, BTreeSet<String>) {
    let asked = config.image_requests.all();
    if asked.is_empty() {
        return (
            Requested {
                files: Vec::new(),
                problems: Vec::new(),
            },
            BTreeSet::new(),
        );
    }
    let processed = images::process::requested(&asked, &config.images);
    let problems = processed
        .errors
        .iter()
        .map(|(source, error)| {
            let name = config.relative(source).to_string_lossy().replace('\\', "/");
            Diagnostic::error(
                error.code(),
                format!("resize_image: {}", error.message(&name)),
            )
            .in_file(config.relative(source))
            .with_help(error.help())
        })
        .collect();
    let files = processed
        .files
        .iter()
        .map(|(path, cached)| Output {
            path: path.clone(),
            contents: Contents::Copy(cached.clone()),
        })
        .collect();
    (Requested { files, problems }, processed.keys)
}

impl Photos {
    /// Whether the output file `file` is an image file the pipeline publishes as variants.
    pub(super) fn is_photo(&self, outputs: &OutputFiles<'_>, file: &Path) -> bool {
        outputs
            .source(file)
            .and_then(|source| self.by_source.get(source))
            .is_some_and(|probed| !matches!(probed.outcome, Outcome::AsIs))
    }

    /// The images that cannot be published, at each place that shows them.
    pub(super) fn problems(
        &self,
        images: &[check::links::LocalImage],
        outputs: &OutputFiles<'_>,
        config: &SiteConfig,
    ) -> Vec<Diagnostic> {
        check::photos::problems(images, outputs, &self.processed.errors, &config.root)
    }

    /// Links to originals that are not published.
    pub(super) fn links_to_originals(
        &self,
        links: &[check::links::LocalImage],
        outputs: &OutputFiles<'_>,
        config: &SiteConfig,
    ) -> Vec<Diagnostic> {
        check::photos::links_to_originals(
            links,
            outputs,
            &self.by_source,
            &config.images,
            &config.root,
        )
    }

    /// `check`'s warnings about photos.
    pub(super) fn warnings(
        &self,
        images: &[check::links::LocalImage],
        outputs: &OutputFiles<'_>,
        config: &SiteConfig,
    ) -> Vec<Diagnostic> {
        check::photos::warnings(
            images,
            outputs,
            &self.by_source,
            &config.images,
            &config.root,
        )
    }

    /// The static or bundle file `asset` as the site publishes it: a photo's original only with
    /// `publish_originals`, and then without its metadata; any other JPEG, PNG or WebP without
    /// its metadata (`images::originals::strip_copied`); anything else as it is.
    pub(super) fn publishable(&self, asset: Output, config: &SiteConfig) -> Option<Output> {
        let Contents::Copy(source) = &asset.contents else {
            return Some(asset);
        };
        let Some(probed) = self.by_source.get(source) else {
            // No page shows it as an image, but it is still an image yuanba writes.
            return Some(match images::originals::strip_copied(source) {
                Some(bytes) => Output {
                    path: asset.path,
                    contents: Contents::Bytes(bytes),
                },
                None => asset,
            });
        };
        match &probed.outcome {
            Outcome::AsIs => Some(asset),
            Outcome::Failed(_) => None,
            Outcome::Photo(photo) => {
                if !config.images.publish_originals {
                    return None;
                }
                // A photo that cannot be read again was reported when it was processed.
                let bytes = images::originals::without_metadata(photo).ok()?;
                Some(Output {
                    path: asset.path,
                    contents: Contents::Bytes(bytes),
                })
            }
        }
    }

    /// The variants to write, each once.
    pub(super) fn variants(&self) -> Vec<Output> {
        let mut seen = BTreeSet::new();
        self.processed
            .files
            .iter()
            .filter(|(path, _)| seen.insert(path.clone()))
            .map(|(path, cached)| Output {
                path: path.clone(),
                contents: Contents::Copy(cached.clone()),
            })
            .collect()
    }
}
