//! `serve`'s rebuilds, on the build thread: each one is published under the server's lock
//! (marking the files a template change leaves stale), then announced: the terminal line, the
//! error overlay, and a `rebuild` event to the open pages. The search index follows on a
//! thread of its own and is announced with a `search` event.
//!
//! `build --watch` does none of this: it publishes a staged site and prints its line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::output;
use crate::serve::Notice;
use crate::serve::build_loop::{Message, Step, Watching};
use crate::serve::cleanup::Cleanup;
use crate::serve::engine::{Engine, Published, Ready, Rebuild, SearchIndex};
use crate::serve::state::Shared;
use crate::serve::watch::ChangeSet;
use crate::serve::{overlay, reload, report};

/// Rebuilds for `serve`: publishes under the server's lock, then updates the overlay and tells
/// the open pages.
pub(crate) struct LiveBuilds<'a> {
    shared: &'a Shared,
    /// Counts the announced rebuilds ([`reload::Change::build`]).
    build: u64,
    cleanup: Cleanup,
    /// Where a search index built on its own thread is sent.
    sender: mpsc::Sender<Message>,
    /// The one thread that builds search indexes, so that they never hold up the rebuilds
    /// that share rayon's global pool.
    search_pool: Option<Arc<rayon::ThreadPool>>,
    /// [`Watching::unread`].
    unread: Arc<AtomicUsize>,
    /// What the terminal calls the pages a template change left.
    stale_trigger: String,
}

impl<'a> LiveBuilds<'a> {
    /// Rebuilds that publish to `shared` and take their reports from `watching`.
    pub(crate) fn new(shared: &'a Shared, watching: &Watching) -> Self {
        LiveBuilds {
            shared,
            build: 0,
            cleanup: Cleanup::default(),
            sender: watching.sender(),
            unread: watching.unread(),
            stale_trigger: String::new(),
            search_pool: search_pool(),
        }
    }

    /// The build thread: hands every step of `watching` to these rebuilds until it stops.
    pub(crate) fn run(
        &mut self,
        watching: Watching,
        engine: &mut Engine,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        // Should this thread ever end early (a panic), no request may wait for pages it
        // would have rendered.
        let _unmark = UnmarkOnExit(self.shared);
        watching.run(engine, &mut |engine, step| match step {
            Step::Changed(changes) => self.rebuild(engine, Some(changes), report),
            Step::Search(index) => self.publish_search(engine, index, report),
            Step::Finish => self.finish_pages(engine, report),
        });
    }

    /// Rebuilds after `changes` (everything when `None`), the pages open in a browser first.
    pub(crate) fn rebuild(
        &mut self,
        engine: &mut Engine,
        changes: Option<&ChangeSet>,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        let base_path = self.shared.base_path();
        engine.set_viewed(self.shared.viewed_files(&base_path));
        let result = engine.rebuild(changes, &mut self.publisher());
        let trigger = report::trigger(changes);
        // (A story saved while a template change renders its pages leaves the change's name.)
        if engine.has_stale_pages() && changes.is_some_and(|changes| changes.content.is_empty()) {
            self.stale_trigger = format!("{trigger} (the other pages)");
        }
        self.announce(result, trigger, report);
        // The pages open in a browser were rendered first; the others follow as
        // `Step::Finish`, unless another change comes first.
        if !engine.has_stale_pages() {
            self.shared.unmark_all();
        }
        self.start_search(engine);
    }

    /// Renders pages a template change left, until they are done or a report is waiting.
    fn finish_pages(&mut self, engine: &mut Engine, report: &(dyn Fn(Notice<'_>) + Sync)) {
        let unread = Arc::clone(&self.unread);
        let result = engine
            .finish_pages(&mut self.publisher(), &|| unread.load(Ordering::SeqCst) > 0)
            .unwrap_or_else(|| Ok(Rebuild::nothing()));
        if !engine.has_stale_pages() {
            // Whatever happened, no request may wait any longer.
            self.shared.unmark_all();
        }
        let trigger = self.stale_trigger.clone();
        self.announce(result, trigger, report);
        self.start_search(engine);
    }

    /// Publishes a built site under the server's lock, marking the files it leaves stale.
    fn publisher(&mut self) -> impl FnMut(Ready, &Published) -> Result<(), output::Error> + '_ {
        let shared = self.shared;
        let cleanup = &mut self.cleanup;
        move |ready: Ready, published: &Published| {
            cleanup.wait();
            // Files that will be stale are marked before the site changes, and files that no
            // longer are unmarked after.
            shared.mark_stale(&published.stale);
            let mut live = shared.site.blocking_write();
            let replaced = ready.publish()?;
            live.drafts.clone_from(&published.drafts);
            live.base_path.clone_from(&published.base_path);
            drop(live);
            shared.update_stale(&published.stale);
            if let Some(replaced) = replaced {
                cleanup.delete(replaced);
            }
            Ok(())
        }
    }

    /// Prints a rebuild's line, updates the overlay and sends the `rebuild` event.
    fn announce(
        &mut self,
        result: Result<Rebuild, output::Error>,
        trigger: String,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        let Some(rebuild) = report::report_rebuild(result, trigger, report) else {
            return;
        };
        let overlay = rebuild
            .outcome
            .as_ref()
            .err()
            .map(|errors| overlay::render(errors));
        let mut live = self.shared.site.blocking_write();
        let overlay_changed = live.set_overlay(overlay);
        let base_path = live.base_path.clone();
        drop(live);
        self.build += 1;
        let changed = match &rebuild.outcome {
            Ok(published) => reload::urls_of(&base_path, &published.changed),
            Err(_) => Vec::new(),
        };
        let change = reload::Change {
            build: self.build,
            changed,
            error: rebuild.outcome.is_err(),
            overlay_changed,
        };
        self.shared.broadcast(reload::Broadcast {
            event: "rebuild",
            change,
            base_path,
        });
    }

    /// Starts building the search index of the last published build on its own thread, unless
    /// there is none to build or one is being built.
    fn start_search(&mut self, engine: &mut Engine) {
        let Some(job) = engine.search_job() else {
            return;
        };
        let sender = self.sender.clone();
        let pool = self.search_pool.clone();
        std::thread::spawn(move || {
            let index = match pool {
                Some(pool) => pool.install(|| job.run()),
                None => job.run(),
            };
            let _ = sender.send(Message::Search(index));
        });
    }

    /// Publishes the files of a search index that changed under the server's lock, announces
    /// them with a `search` event (also when none changed: the event says the index is
    /// current), and starts the next index when a newer build needs one.
    fn publish_search(
        &mut self,
        engine: &mut Engine,
        index: SearchIndex,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        let shared = self.shared;
        let result = engine.publish_search(index, &mut |ready: Ready| {
            let _live = shared.site.blocking_write();
            ready.publish().map(drop)
        });
        match result {
            Ok(Some(changed)) => {
                let base_path = shared.base_path();
                // The index belongs to the last rebuild: it carries that rebuild's number.
                let change = reload::Change {
                    build: self.build,
                    changed: reload::urls_of(&base_path, &changed),
                    error: false,
                    overlay_changed: false,
                };
                shared.broadcast(reload::Broadcast {
                    event: "search",
                    change,
                    base_path,
                });
            }
            Ok(None) => {}
            Err(error) => report(Notice::Trouble(&error)),
        }
        self.start_search(engine);
    }
}

/// Clears the stale marks when dropped.
struct UnmarkOnExit<'a>(&'a Shared);

impl Drop for UnmarkOnExit<'_> {
    fn drop(&mut self) {
        self.0.unmark_all();
    }
}

/// The one-thread pool that builds search indexes, at a lower priority; `None` when it cannot
/// be started, and each index is built without it.
fn search_pool() -> Option<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "yuanba-search".to_string())
        .start_handler(|_| lower_priority())
        .build()
        .ok()
        .map(Arc::new)
}

/// Gives the calling thread the lowest useful scheduling priority (nice 10), so that a rebuild
/// that starts while the search index of the previous one is being built gets the cores first.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `setpriority` only reads its arguments; on Linux, `who = 0` with `PRIO_PROCESS`
    // is the calling thread. A failure leaves the priority as it was, which is fine.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
