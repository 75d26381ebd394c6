//! What the server's handlers share with the build thread: the live site (its folder, base
//! path, overlay and drafts), the channel of reload events, the output files a template change
//! left stale, and the pages open in a browser.
//!
//! The build thread writes the live site only under its lock, and only once a build is
//! published; the handlers only read it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, PoisonError};

use crate::serve::engine::{self, StaleMarks};
use crate::serve::reload;

/// The site as the server sees it; replaced under the lock when a build is published.
#[derive(Debug)]
pub(crate) struct LiveSite {
    /// The private output folder.
    pub(crate) dir: PathBuf,
    /// `/` or `/news/`.
    pub(crate) base_path: String,
    /// The error overlay while the last build failed.
    pub(crate) overlay: Option<Arc<str>>,
    /// Output files of drafts, which get a banner.
    pub(crate) drafts: BTreeSet<PathBuf>,
}

impl LiveSite {
    /// Shows `overlay` (none when the build succeeded); returns whether it appeared, went
    /// away or changed.
    pub(crate) fn set_overlay(&mut self, overlay: Option<String>) -> bool {
        let changed = self.overlay.as_deref() != overlay.as_deref();
        self.overlay = overlay.map(Arc::from);
        changed
    }
}

/// What the server's handlers share with the build thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) site: tokio::sync::RwLock<LiveSite>,
    pub(crate) events: tokio::sync::broadcast::Sender<reload::Broadcast>,
    /// Output files published with the previous templates while a template change renders
    /// them ([`engine::Published::stale`]): requests for them wait until it is done.
    pub(crate) stale: tokio::sync::watch::Sender<Arc<HashSet<PathBuf>>>,
    /// The pages open in a browser (their URLs, with how many connections show each).
    pub(crate) viewers: std::sync::Mutex<HashMap<String, usize>>,
}

impl Shared {
    /// Nothing built yet in `dir`, served under `/` until the first build says otherwise.
    pub(crate) fn new(dir: PathBuf) -> Shared {
        let (events, _) = tokio::sync::broadcast::channel(64);
        Shared {
            site: tokio::sync::RwLock::new(LiveSite {
                dir,
                base_path: "/".to_string(),
                overlay: None,
                drafts: BTreeSet::new(),
            }),
            events,
            stale: tokio::sync::watch::Sender::new(Arc::default()),
            viewers: std::sync::Mutex::default(),
        }
    }

    /// The base path of the live site. Blocks: only for the build thread and outside the
    /// runtime.
    pub(crate) fn base_path(&self) -> String {
        self.site.blocking_read().base_path.clone()
    }

    /// Sends `broadcast` to every open page. No receivers is fine: no page is open.
    pub(crate) fn broadcast(&self, broadcast: reload::Broadcast) {
        let _ = self.events.send(broadcast);
    }

    /// Marks the files that a build about to be published leaves stale; called before the
    /// site changes, so that no request gets such a file without waiting.
    pub(crate) fn mark_stale(&self, marks: &StaleMarks) {
        if let StaleMarks::Mark(files) = marks {
            self.stale
                .send_modify(|marked| Arc::make_mut(marked).extend(files.iter().cloned()));
        }
    }

    /// Sets the marks to what the published build left stale; called after the site changed,
    /// so that a file is unmarked only once it is fresh.
    pub(crate) fn update_stale(&self, marks: &StaleMarks) {
        match marks {
            StaleMarks::Keep => {}
            StaleMarks::Clear => {
                self.stale.send_if_modified(|marked| {
                    let had = !marked.is_empty();
                    *marked = Arc::default();
                    had
                });
            }
            StaleMarks::Mark(files) => {
                self.stale.send_replace(Arc::clone(files));
            }
            StaleMarks::Unmark(files) => self.stale.send_modify(|marked| {
                let marked = Arc::make_mut(marked);
                for file in files {
                    marked.remove(file);
                }
            }),
        }
    }

    /// Unmarks every file: no request may wait any longer.
    pub(crate) fn unmark_all(&self) {
        self.stale.send_replace(Arc::default());
    }

    /// The output files of the pages open in a browser.
    pub(crate) fn viewed_files(&self, base_path: &str) -> HashSet<PathBuf> {
        let viewers = self.viewers.lock().unwrap_or_else(PoisonError::into_inner);
        viewers
            .keys()
            .filter_map(|page| page.strip_prefix(base_path))
            .map(|page| {
                let page = percent_encoding::percent_decode_str(page).decode_utf8_lossy();
                engine::output_file_of(&page)
            })
            .collect()
    }
}

/// A page open in a browser, counted in [`Shared::viewers`] while its event stream is open.
pub(crate) struct OpenPage {
    shared: Arc<Shared>,
    page: String,
}

impl OpenPage {
    pub(crate) fn new(shared: Arc<Shared>, page: &str) -> Self {
        let page = page.strip_suffix("index.html").unwrap_or(page).to_string();
        *shared
            .viewers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(page.clone())
            .or_default() += 1;
        OpenPage { shared, page }
    }
}

impl Drop for OpenPage {
    fn drop(&mut self) {
        let mut viewers = self
            .shared
            .viewers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = viewers.get_mut(&self.page) {
            *count -= 1;
            if *count == 0 {
                viewers.remove(&self.page);
            }
        }
    }
}
