//! The parse cache: every file of `content/` as it was last loaded, keyed by its path.
//!
//! A rebuild walks `content/` again (so created, renamed and deleted files and folders are
//! always seen) but re-reads only the files the watcher reported, new files, and files whose
//! bundle changed; the others are taken from the cache.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, Content, Loaded, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, RenderedBodies};
use crate::serve::watch::ChangeSet;

/// Loaded files by absolute path.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    entries: HashMap<PathBuf, Entry>,
    /// Numbers the reads, so that a body is rendered again only after its file was read again.
    generation: u64,
    /// What the last walk of `content/` found, in its order, with its problems.
    walked: (Vec<SourceFile>, Vec<Diagnostic>),
    bodies: RenderedBodies,
}

#[derive(Debug)]
struct Entry {
    file: SourceFile,
    /// When it was read.
    generation: u64,
    loaded: Result<Loaded, Vec<Diagnostic>>,
}

impl Sources {
    /// The content of the site now. With `changes`, only the files it touches (and files the
    /// cache has not seen) are read; without, every file is. Returns the content and how many
    /// files were read.
    pub(crate) fn refresh(
        &mut self,
        config: &SiteConfig,
        changes: Option<&ChangeSet>,
    ) -> (Content, usize) {
        let started = std::time::Instant::now();
        if !self.same_files(changes) {
            self.walked = content::discover(config);
        }
        let (files, walk_diagnostics) = self.walked.clone();
        config.timings.log("sources: discover", started);
        let cached = std::mem::take(&mut self.entries);
        self.generation += 1;
        let (order, n_read) = self.read(files, cached, changes, config);
        let results = order
            .iter()
            .filter_map(|path| self.entries.get(path))
            .map(|entry| (entry.generation, &entry.loaded))
            .collect();
        let content =
            incremental::collect_reusing(results, walk_diagnostics, config, &mut self.bodies);
        (content, n_read)
    }

    /// Whether the files of `content/` are the ones of the last walk: every reported path is a
    /// file the cache knows and that is still there. Anything created, removed or renamed, or a
    /// bundle's other file, is a path the cache does not know (or a missing one).
    fn same_files(&self, changes: Option<&ChangeSet>) -> bool {
        changes.is_some_and(|changes| {
            changes
                .content
                .iter()
                .all(|path| self.entries.contains_key(path) && path.is_file())
        })
    }

    /// Reads, in parallel, the `files` that `changes` touches or `cached` does not have, and
    /// takes the others from `cached`; returns the files' paths in walk order, and how many
    /// were read.
    fn read(
        &mut self,
        files: Vec<SourceFile>,
        mut cached: HashMap<PathBuf, Entry>,
        changes: Option<&ChangeSet>,
        config: &SiteConfig,
    ) -> (Vec<PathBuf>, usize) {
        let generation = self.generation;
        let entries: Vec<(Entry, bool)> = files
            .into_par_iter()
            .map(|file| match cached.get(&file.path) {
                Some(entry)
                    if entry.file == file
                        && changes.is_some_and(|changes| !changes.touches_content(&file.path)) =>
                {
                    let generation = entry.generation;
                    let loaded = Err(Vec::new());
                    (
                        Entry {
                            file,
                            generation,
                            loaded,
                        },
                        false,
                    )
                }
                _ => {
                    let loaded = content::load_file(&file, config);
                    (
                        Entry {
                            file,
                            generation,
                            loaded,
                        },
                        true,
                    )
                }
            })
            .collect();
        let n_read = entries.iter().filter(|(_, read)| *read).count();
        let order: Vec<PathBuf> = entries
            .iter()
            .map(|(entry, _)| entry.file.path.clone())
            .collect();
        self.entries = entries
            .into_iter()
            .map(|(mut entry, read)| {
                if !read && let Some(old) = cached.remove(&entry.file.path) {
                    entry.loaded = old.loaded;
                }
                (entry.file.path.clone(), entry)
            })
            .collect();
        drop(cached);
        (order, n_read)
    }

    /// A file the last refresh loaded without problems, with what it loaded.
    pub(crate) fn loaded(&self, path: &Path) -> Option<(&SourceFile, &Loaded)> {
        let entry = self.entries.get(path)?;
        Some((&entry.file, entry.loaded.as_ref().ok()?))
    }

    /// Forgets the rendered bodies: the next refresh renders every body again.
    pub(crate) fn forget_bodies(&mut self) {
        self.bodies = RenderedBodies::default();
    }

    /// The bodies rendered so far.
    pub(crate) fn bodies(&self) -> &RenderedBodies {
        &self.bodies
    }

    /// Takes in a file known to the cache that was read again (`loaded`) and whose body was
    /// rendered (`rendered`, by [`RenderedBodies::render_one`]) outside [`Sources::refresh`].
    pub(crate) fn accept(&mut self, path: &Path, loaded: Loaded, rendered: Loaded) {
        let Some(entry) = self.entries.get_mut(path) else {
            return;
        };
        self.generation += 1;
        entry.generation = self.generation;
        entry.loaded = Ok(loaded);
        self.bodies.keep(self.generation, rendered);
    }
}
