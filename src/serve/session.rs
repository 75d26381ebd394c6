//! The session's private folder, `<temp>/yuanba-serve-<pid>/`: serve builds into it (never into
//! the site's output folder, because serve includes drafts) and removes it on exit. Creating one
//! first removes the folders of serve processes that were killed before they could clean up.
//!
//! Nothing outside the system temp folder is touched, and only folders whose site yuanba wrote.

use std::path::{Path, PathBuf};

use crate::output;
use crate::serve::Error;

/// `<temp>/yuanba-serve-<pid>/`: the session's private output, removed when dropped.
pub(crate) struct SessionDir {
    path: PathBuf,
}

impl SessionDir {
    const PREFIX: &str = "yuanba-serve-";

    /// The name of the built site inside the folder.
    const SITE: &str = "site";

    pub(crate) fn create() -> Result<SessionDir, Error> {
        let temp = std::env::temp_dir();
        remove_dead_sessions(&temp);
        let path = temp.join(format!("{}{}", Self::PREFIX, std::process::id()));
        if path.exists() {
            // Our own process id: left by an earlier process that had the same id.
            let _ = std::fs::remove_dir_all(&path);
        }
        std::fs::create_dir_all(&path)
            .map_err(|source| Error::setup(&path.display().to_string(), source))?;
        Ok(SessionDir { path })
    }

    /// Where the site is built and served from.
    pub(crate) fn site(&self) -> PathBuf {
        self.path.join(Self::SITE)
    }

    /// Where a rebuild writes the files it changes before they are renamed into the site.
    pub(crate) fn pending(&self) -> PathBuf {
        self.path.join("pending")
    }
}

impl Drop for SessionDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Session folders of serve processes that were killed before they could clean up.
fn remove_dead_sessions(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let dead = name.strip_prefix(SessionDir::PREFIX).is_some_and(|pid| {
            !pid.is_empty()
                && pid.chars().all(|c| c.is_ascii_digit())
                && cfg!(target_os = "linux")
                && !output::process_is_alive(pid)
        });
        // Only a folder whose site yuanba wrote (or that is empty) is removed.
        let ours = || {
            let site = entry.path().join(SessionDir::SITE);
            !site.exists() || site.join(output::MARKER_FILE).is_file()
        };
        if dead && entry.file_type().is_ok_and(|t| t.is_dir()) && ours() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
