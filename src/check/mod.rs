//! Checks that need the whole site and the list of files the build writes.
//!
//! [`links`] runs in every build: links and images of stories and pages must reach a published
//! page or a file of the built site, and anchors must exist on their target. [`editorial`] runs
//! only for `yuanba check`: warnings an editor wants before publishing (alt texts, photo credits,
//! long titles, likely typos in reporter names). [`external`] runs only for `yuanba check
//! --external` and is the only code that touches the network.
//!
//! Nothing here writes; the only reads are file sizes (for the 1 MB image warning) and, on the
//! path that reports a missing file, a look next to the story for a better help line.

pub(crate) mod editorial;
pub(crate) mod external;
pub(crate) mod links;
pub(crate) mod photos;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};

/// Every file the build writes, by its path in the output folder.
#[derive(Debug)]
pub(crate) struct OutputFiles<'a> {
    /// Pages, feeds, the sitemap: made by the build.
    generated: &'a HashSet<PathBuf>,
    /// Static and bundle files, with where their bytes come from.
    copied: HashMap<&'a Path, &'a Contents>,
}

impl<'a> OutputFiles<'a> {
    /// The files of a build: the generated ones and the copied ones.
    pub(crate) fn new(generated: &'a HashSet<PathBuf>, copied: &'a [Output]) -> Self {
        OutputFiles {
            generated,
            copied: copied
                .iter()
                .map(|output| (output.path.as_path(), &output.contents))
                .collect(),
        }
    }

    /// Whether the build writes `path`.
    pub(crate) fn contains(&self, path: &Path) -> bool {
        self.generated.contains(path) || self.copied.contains_key(path)
    }

    /// The size in bytes of a copied file, when it can be known.
    pub(crate) fn size(&self, path: &Path) -> Option<u64> {
        match self.copied.get(path)? {
            Contents::Bytes(bytes) => Some(bytes.len() as u64),
            Contents::Static(bytes) => Some(bytes.len() as u64),
            Contents::Copy(source) => std::fs::metadata(source).ok().map(|m| m.len()),
        }
    }

    /// The source file of a copied file.
    pub(crate) fn source(&self, path: &Path) -> Option<&'a Path> {
        match self.copied.get(path)? {
            Contents::Copy(source) => Some(source.as_path()),
            _ => None,
        }
    }

    /// Every path, for suggestions.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &Path> {
        self.generated
            .iter()
            .map(PathBuf::as_path)
            .chain(self.copied.keys().copied())
    }
}

/// A place in a source file, for diagnostics found after loading.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Its text.
    pub source: Arc<str>,
    /// The bytes the problem is about.
    pub span: Range<usize>,
}

impl Location {
    /// Puts a diagnostic here.
    pub(crate) fn locate(&self, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic.at(&self.path, &self.source, self.span.clone())
    }
}
