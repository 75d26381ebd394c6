//! Problems with the photos a story shows, at the place the story shows them: an image that
//! cannot be published (every build), and, for `check` only, a photo whose original carries a
//! GPS position or is narrower than the widest variant the site asks for.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::OutputFiles;
use crate::check::links::LocalImage;
use crate::diagnostic::{Code, Diagnostic};
use crate::images::{ImageSettings, PhotoError, Probed};

/// The name of an image file in messages: its path relative to the site root.
fn name(source: &Path, root: &Path) -> String {
    source
        .strip_prefix(root)
        .unwrap_or(source)
        .to_string_lossy()
        .replace('\\', "/")
}

/// An error at every place that shows an image that cannot be published.
pub(crate) fn problems(
    images: &[LocalImage],
    outputs: &OutputFiles<'_>,
    errors: &BTreeMap<PathBuf, PhotoError>,
    root: &Path,
) -> Vec<Diagnostic> {
    if errors.is_empty() {
        return Vec::new();
    }
    images
        .iter()
        .filter_map(|image| {
            let source = outputs.source(&image.file)?;
            let error = errors.get(source)?;
            Some(
                image
                    .location
                    .locate(Diagnostic::error(
                        error.code(),
                        error.message(&name(source, root)),
                    ))
                    .with_help(error.help()),
            )
        })
        .collect()
}

/// An error at every link (not image) to the original of a photo, which the build does not
/// publish unless `publish_originals` is set.
pub(crate) fn links_to_originals(
    links: &[LocalImage],
    outputs: &OutputFiles<'_>,
    by_source: &HashMap<PathBuf, Arc<Probed>>,
    settings: &ImageSettings,
    root: &Path,
) -> Vec<Diagnostic> {
    if settings.publish_originals {
        return Vec::new();
    }
    links
        .iter()
        .filter_map(|link| {
            let source = outputs.source(&link.file)?;
            by_source.get(source)?.photo()?;
            Some(
                link.location
                    .locate(Diagnostic::error(
                        Code::LinkNotFound,
                        format!(
                            "`{}` is a photo whose original is not published (only its variants are)",
                            name(source, root)
                        ),
                    ))
                    .with_label("links to the original")
                    .with_help(
                        "show the photo as an image (`![…](…)`), or set `images: {publish_originals: true}` in site.yaml to publish originals without their metadata",
                    ),
            )
        })
        .collect()
}

/// `check`'s warnings: a GPS position in an original, a photo narrower than the widest
/// variant; once per story and photo.
pub(crate) fn warnings(
    images: &[LocalImage],
    outputs: &OutputFiles<'_>,
    by_source: &HashMap<PathBuf, Arc<Probed>>,
    settings: &ImageSettings,
    root: &Path,
) -> Vec<Diagnostic> {
    let mut seen: HashSet<(&Path, &Path)> = HashSet::new();
    let mut diagnostics = Vec::new();
    for image in images {
        let Some(source) = outputs.source(&image.file) else {
            continue;
        };
        let Some(photo) = by_source.get(source).and_then(|probed| probed.photo()) else {
            continue;
        };
        if !seen.insert((image.location.path.as_path(), source)) {
            continue;
        }
        if photo.has_gps {
            diagnostics.push(
                image
                    .location
                    .locate(Diagnostic::warning(
                        Code::EditorialPhotoGps,
                        format!(
                            "`{}` records where it was taken (GPS) in its original",
                            name(source, root)
                        ),
                    ))
                    .with_label("the published variants carry no location")
                    .with_help(
                        "the site never publishes it, but the original in the repository has it; remove it with `exiftool -gps:all= FILE` if the place must stay private",
                    ),
            );
        }
        let widest = settings.widest();
        if photo.width < widest {
            diagnostics.push(
                image
                    .location
                    .locate(Diagnostic::warning(
                        Code::EditorialPhotoSmall,
                        format!(
                            "`{}` is {} pixels wide, narrower than the widest variant ({widest})",
                            name(source, root),
                            photo.width
                        ),
                    ))
                    .with_help(format!(
                        "use the original photo, at least {widest} pixels wide, so that large screens get a sharp image"
                    )),
            );
        }
    }
    diagnostics
}
