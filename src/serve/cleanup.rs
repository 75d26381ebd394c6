//! Deleting replaced sites in the background, so that a rebuild is announced without waiting
//! for the old site's files to go.

use crate::output::Replaced;

/// Deletes replaced sites on a thread of its own, so that a rebuild is announced without
/// waiting for the old site's files to go: on a slow disk, deleting 15,000 files took longer
/// than the whole rebuild.
#[derive(Debug, Default)]
pub(crate) struct Cleanup {
    running: Option<std::thread::JoinHandle<()>>,
}

impl Cleanup {
    /// Waits for the deletion under way: the next swap renames the site to the same name.
    pub(crate) fn wait(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.join();
        }
    }

    /// Deletes `replaced` in the background. When no thread can be started, the closure is
    /// dropped with it, which deletes it here.
    pub(crate) fn delete(&mut self, replaced: Replaced) {
        self.wait();
        self.running = std::thread::Builder::new()
            .name("yuanba-cleanup".to_string())
            .spawn(move || drop(replaced))
            .ok();
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.wait();
    }
}
