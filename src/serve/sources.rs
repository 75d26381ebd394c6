//! The parse cache: every file of `content/` as it was last loaded, keyed by its path.
//!
//! A rebuild walks `content/` again (so created, renamed and deleted files and folders are
//! always seen) but re-reads only the files the watcher reported, new files, and files whose
//! bundle changed; the others are taken from the cache.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, Content, Loaded, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::serve::watch::ChangeSet;

/// Loaded files by absolute path.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    entries: HashMap<PathBuf, Entry>,
}

#[derive(Debug)]
struct Entry {
    file: SourceFile,
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
        let (files, walk_diagnostics) = content::discover(config);
        let cached = std::mem::take(&mut self.entries);
        let entries: Vec<(Entry, bool)> = files
            .into_par_iter()
            .map(|file| match cached.get(&file.path) {
                Some(entry)
                    if entry.file == file
                        && changes.is_some_and(|changes| !changes.touches_content(&file.path)) =>
                {
                    let loaded = entry.loaded.clone();
                    (Entry { file, loaded }, false)
                }
                _ => {
                    let loaded = content::load_file(&file, config);
                    (Entry { file, loaded }, true)
                }
            })
            .collect();
        let n_read = entries.iter().filter(|(_, read)| *read).count();
        let results = entries
            .iter()
            .map(|(entry, _)| entry.loaded.clone())
            .collect();
        self.entries = entries
            .into_iter()
            .map(|(entry, _)| (entry.file.path.clone(), entry))
            .collect();
        (content::collect(results, walk_diagnostics, config), n_read)
    }
}
