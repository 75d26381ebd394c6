//! Updating a served site file by file, for `serve`: a rebuild writes only the files that
//! changed, into a pending folder beside the site, and [`InPlace::apply`] moves them in with one
//! rename each and removes the files that are gone. The server holds its lock around `apply`, so
//! no request sees half a rebuild; a rebuild that fails leaves the site as it was.
//!
//! Unlike [`super::Staging`], nothing is copied or linked for the files that did not change,
//! which is what makes a one-story rebuild of a 10,000-story site cheap. The first build (no
//! site yet) renames the whole pending folder into place.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::output::{Error, MARKER_FILE, Output, Sink, create_parent, write_new};

/// A rebuild's changed files, waiting to be moved into the site.
#[derive(Debug)]
pub(crate) struct InPlace {
    site: PathBuf,
    pending: PathBuf,
    /// There is no site yet: the pending folder becomes the site with one rename.
    fresh: bool,
    written: Mutex<Vec<PathBuf>>,
}

impl InPlace {
    /// Starts a rebuild of `site` (created, with the marker text `marker`, when missing), with
    /// an empty `pending` folder on the same file system.
    pub(crate) fn create(site: &Path, pending: &Path, marker: &str) -> Result<InPlace, Error> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let fresh = !site.is_dir();
        if pending.exists() {
            std::fs::remove_dir_all(pending).map_err(io(pending))?;
        }
        std::fs::create_dir_all(pending).map_err(io(pending))?;
        if fresh {
            std::fs::write(pending.join(MARKER_FILE), marker).map_err(io(pending))?;
        }
        Ok(InPlace {
            site: site.to_path_buf(),
            pending: pending.to_path_buf(),
            fresh,
            written: Mutex::default(),
        })
    }

    /// Moves the written files into the site, replacing the old ones, and removes `removed`
    /// (paths relative to the site) with the folders they leave empty.
    pub(crate) fn apply(self, removed: &[PathBuf]) -> Result<(), Error> {
        if self.fresh {
            if let Some(parent) = self.site.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            return std::fs::rename(&self.pending, &self.site).map_err(|source| Error::Io {
                path: self.site.clone(),
                source,
            });
        }
        let written =
            std::mem::take(&mut *self.written.lock().unwrap_or_else(PoisonError::into_inner));
        for path in &written {
            let target = self.site.join(path);
            create_parent(&target)?;
            std::fs::rename(self.pending.join(path), &target).map_err(|source| Error::Io {
                path: target.clone(),
                source,
            })?;
        }
        for path in removed {
            if path.as_os_str() == MARKER_FILE || path.is_absolute() {
                continue;
            }
            let target = self.site.join(path);
            match std::fs::remove_file(&target) {
                Ok(()) => remove_empty_folders(&self.site, &target),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        path: target,
                        source,
                    });
                }
            }
        }
        Ok(())
    }
}

impl Sink for InPlace {
    fn emit(&self, output: Output) -> Result<(), Error> {
        let target = self.pending.join(&output.path);
        create_parent(&target)?;
        write_new(&target, &output.contents).map_err(|source| Error::Io {
            path: output.path.clone(),
            source,
        })?;
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(output.path);
        Ok(())
    }
}

impl Drop for InPlace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.pending);
    }
}

/// Removes the folders between `file` (just removed) and `site` that are now empty.
fn remove_empty_folders(site: &Path, file: &Path) {
    let mut folder = file.parent();
    while let Some(dir) = folder {
        if dir == site || !dir.starts_with(site) || std::fs::remove_dir(dir).is_err() {
            break;
        }
        folder = dir.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Contents;
    use crate::output::MARKER_TEXT;

    fn output(path: &str, text: &str) -> Output {
        Output {
            path: PathBuf::from(path),
            contents: Contents::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn nothing_reaches_the_site_before_apply_and_removed_files_take_empty_folders() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tmp.path().join("site");
        let pending = tmp.path().join("pending");
        let first = InPlace::create(&site, &pending, MARKER_TEXT).expect("create");
        first.emit(output("index.html", "一")).expect("emit");
        first
            .emit(output("stories/a/index.html", "A"))
            .expect("emit");
        assert!(!site.join("index.html").exists());
        first.apply(&[]).expect("apply");
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).unwrap(),
            "一"
        );
        assert!(site.join(MARKER_FILE).is_file());

        let second = InPlace::create(&site, &pending, MARKER_TEXT).expect("create");
        second.emit(output("index.html", "二")).expect("emit");
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).unwrap(),
            "一"
        );
        second
            .apply(&[
                PathBuf::from("stories/a/index.html"),
                PathBuf::from("gone.css"),
            ])
            .expect("apply");
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).unwrap(),
            "二"
        );
        assert!(!site.join("stories").exists());
        assert!(!pending.exists());
    }

    #[test]
    fn a_rebuild_that_is_dropped_changes_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tmp.path().join("site");
        let pending = tmp.path().join("pending");
        InPlace::create(&site, &pending, MARKER_TEXT)
            .expect("create")
            .apply(&[])
            .expect("apply");
        let dropped = InPlace::create(&site, &pending, MARKER_TEXT).expect("create");
        dropped.emit(output("index.html", "新")).expect("emit");
        drop(dropped);
        assert!(!site.join("index.html").exists());
        assert!(!pending.exists());
    }
}
