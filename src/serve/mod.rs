//! `yuanba serve` and `yuanba build --watch`: watch the sources, rebuild, publish, reload.
//!
//! One thread owns the watcher and the [`engine::Engine`] and rebuilds synchronously, as
//! `build` does; `serve` adds a current-thread tokio runtime on the main thread for the HTTP
//! server (`http`) and the reload events (`reload`). This is the only module that uses tokio or
//! the network. A rebuild is announced to open pages only after its site is published, and
//! `serve` writes only into a private folder under the system temp folder, never into the
//! site's `public/`: serve includes drafts, and the session's folder is removed on exit.
//!
//! Nothing here prints: what happens is handed to `cmd` as [`Notice`]s.

mod build_loop;
mod cleanup;
mod engine;
mod http;
mod net;
mod overlay;
mod reload;
mod report;
mod session;
mod sources;
mod state;
mod watch;

use crate::diagnostic::Code;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use notify_debouncer_full::notify;

use crate::config::{self, Overrides};
use crate::diagnostic::Diagnostic;
use crate::output;
use build_loop::{Message, Step, Watching};
use cleanup::Cleanup;
use engine::{Engine, Published, Publishing, Ready, Rebuild, StaleMarks};
use session::SessionDir;
use state::Shared;
use watch::ChangeSet;

/// How `yuanba serve` runs.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// The first port to try; `0` lets the system choose.
    pub port: u16,
    /// The address to listen on.
    pub bind: IpAddr,
    /// Include drafts (the default for serve).
    pub drafts: bool,
    /// Include stories dated in the future.
    pub future: bool,
    /// Open the site in a browser once it is up.
    pub open: bool,
    /// Poll for changes instead of asking the system to report them.
    pub poll: bool,
}

/// How `yuanba build --watch` runs.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The site root.
    pub root: PathBuf,
    /// As for `build`.
    pub overrides: Overrides,
    /// Poll for changes instead of asking the system to report them.
    pub poll: bool,
}

/// What serve and `build --watch` tell the person at the terminal, for `cmd` to print.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// The server is up.
    Listening {
        /// `http://127.0.0.1:1111/` plus the base path.
        url: &'a str,
        /// Ports that were taken before this one was found.
        busy: &'a [u16],
        /// Whether the address is reachable from other machines.
        public: bool,
    },
    /// A build ran.
    Built(&'a Summary),
    /// Something outside the site failed (a write, the watcher); serving goes on.
    Trouble(&'a (dyn std::error::Error + 'static)),
    /// Stopped on Ctrl-C; the private folder is gone.
    Stopped,
}

/// One build, for the terminal line.
#[derive(Debug)]
pub struct Summary {
    /// What triggered it: `first build`, `content/a.md`, `300 files (content)`.
    pub trigger: String,
    /// Problems that kept the site from being published (empty when it was).
    pub errors: Vec<Diagnostic>,
    /// Problems that did not.
    pub warnings: Vec<Diagnostic>,
    /// Files of `content/` read again.
    pub n_read: usize,
    /// Files rendered.
    pub n_rendered: usize,
    /// Files written (the others are linked from the previous site).
    pub n_written: usize,
    /// Files removed.
    pub n_removed: usize,
    /// How long it took, until published.
    pub elapsed: Duration,
}

/// Why serve or `build --watch` could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `site.yaml`, or one that cannot be read.
    #[error("no site to serve")]
    NoSite(Vec<Diagnostic>),
    /// No port could be bound.
    #[error("cannot listen on {address}")]
    Bind {
        /// Address and port (or range).
        address: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The watcher could not start.
    #[error("cannot watch {path}")]
    Watch {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: notify::Error,
    },
    /// The private folder or the runtime could not be set up.
    #[error("cannot set up {what}")]
    Setup {
        /// What.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing the first build failed.
    #[error(transparent)]
    Output(#[from] output::Error),
}

/// Runs `yuanba serve` until Ctrl-C.
pub fn serve(options: &ServeOptions, report: &(dyn Fn(Notice<'_>) + Sync)) -> Result<(), Error> {
    let root = config::absolute(&options.root);
    ensure_site(&root)?;
    let session = SessionDir::create()?;
    let site_dir = session.site();
    let overrides = Overrides {
        output_dir: Some(site_dir.clone()),
        base_url: None,
        drafts: options.drafts,
        future: options.future,
    };
    let bound = net::bind(options.bind, options.port)?;
    let runtime = net::runtime()?;
    // Registered before the first build, so Ctrl-C during it still cleans up.
    let shutdown = net::on_shutdown(&runtime)?;
    let shared = Arc::new(Shared::new(site_dir));
    let watching = Watching::start(&root, options.poll)?;
    let sender = watching.sender();
    let publishing = Publishing::InPlace {
        pending: session.pending(),
    };
    let mut engine = Engine::new(root.clone(), overrides, publishing);
    let mut live = LiveBuilds {
        shared: &shared,
        build: 0,
        cleanup: Cleanup::default(),
        sender: sender.clone(),
        unread: watching.unread(),
        stale_trigger: String::new(),
        search_pool: rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "yuanba-search".to_string())
            .start_handler(|_| lower_priority())
            .build()
            .ok()
            .map(Arc::new),
    };
    live.rebuild(&mut engine, None, report);
    let address = bound
        .listener
        .local_addr()
        .map_err(|source| Error::setup("the listener", source))?;
    let url = format!(
        "http://{}{}",
        address,
        shared.site.blocking_read().base_path
    );
    report(Notice::Listening {
        url: &url,
        busy: &bound.busy,
        public: !address.ip().is_loopback(),
    });
    if options.open {
        net::open_browser(&url);
    }
    std::thread::scope(|scope| {
        let live = &mut live;
        let stale = &shared.stale;
        scope.spawn(move || {
            // Should this thread ever end early (a panic), no request may wait for pages it
            // would have rendered.
            let _unmark = UnmarkOnExit(stale);
            watching.run(&mut engine, &mut |engine, step| match step {
                Step::Changed(changes) => live.rebuild(engine, Some(changes), report),
                Step::Search(index) => live.publish_search(engine, index, report),
                Step::Finish => live.finish_pages(engine, report),
            });
        });
        let served = runtime.block_on(net::run_server(
            bound.listener,
            Arc::clone(&shared),
            shutdown,
        ));
        // The build thread ends after the build it may be running.
        let _ = sender.send(Message::Stop);
        if let Err(error) = served {
            report(Notice::Trouble(&error));
        }
    });
    drop(runtime);
    drop(session);
    report(Notice::Stopped);
    Ok(())
}

/// Runs `yuanba build --watch`: builds `public/` (or `--output`) and rebuilds it on every change,
/// until the process is stopped.
pub fn watch(options: &WatchOptions, report: &(dyn Fn(Notice<'_>) + Sync)) -> Result<(), Error> {
    let root = config::absolute(&options.root);
    ensure_site(&root)?;
    let watching = Watching::start(&root, options.poll)?;
    let mut engine = Engine::new(root, options.overrides.clone(), Publishing::Staged);
    let mut cleanup = Cleanup::default();
    let mut rebuild = |engine: &mut Engine, changes: Option<&ChangeSet>| {
        let result = engine.rebuild(changes, &mut |ready: Ready, _: &Published| {
            cleanup.wait();
            if let Some(replaced) = ready.publish()? {
                cleanup.delete(replaced);
            }
            Ok(())
        });
        let trigger = report::trigger(changes);
        report::report_rebuild(result, trigger, report);
    };
    rebuild(&mut engine, None);
    watching.run(&mut engine, &mut |engine, step| {
        // `build --watch` builds the index with the pages.
        if let Step::Changed(changes) = step {
            rebuild(engine, Some(changes));
        }
    });
    Ok(())
}

fn ensure_site(root: &Path) -> Result<(), Error> {
    match config::load(root, &Overrides::default()) {
        Err(diagnostics) if diagnostics.iter().any(|d| d.code == Code::ConfigMissing) => {
            Err(Error::NoSite(diagnostics))
        }
        // Any other problem of site.yaml is shown like every other error, and fixed live.
        _ => Ok(()),
    }
}

impl Error {
    /// [`Error::Setup`] of `what`.
    pub(crate) fn setup(what: &str, source: std::io::Error) -> Error {
        Error::Setup {
            what: what.to_string(),
            source,
        }
    }
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

/// Clears the stale marks when dropped.
struct UnmarkOnExit<'a>(&'a tokio::sync::watch::Sender<Arc<HashSet<PathBuf>>>);

impl Drop for UnmarkOnExit<'_> {
    fn drop(&mut self) {
        self.0.send_replace(Arc::default());
    }
}

/// Rebuilds for `serve`: publishes under the server's lock, then updates the overlay and tells
/// the open pages.
struct LiveBuilds<'a> {
    shared: &'a Shared,
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

impl LiveBuilds<'_> {
    fn rebuild(
        &mut self,
        engine: &mut Engine,
        changes: Option<&ChangeSet>,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        let base_path = self.shared.site.blocking_read().base_path.clone();
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
            self.shared.stale.send_replace(Arc::default());
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
            self.shared.stale.send_replace(Arc::default());
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
            if let StaleMarks::Mark(files) = &published.stale {
                shared
                    .stale
                    .send_modify(|marked| Arc::make_mut(marked).extend(files.iter().cloned()));
            }
            let mut live = shared.site.blocking_write();
            let replaced = ready.publish()?;
            live.drafts.clone_from(&published.drafts);
            live.base_path.clone_from(&published.base_path);
            drop(live);
            match &published.stale {
                StaleMarks::Keep => {}
                StaleMarks::Clear => {
                    shared.stale.send_if_modified(|marked| {
                        let had = !marked.is_empty();
                        *marked = Arc::default();
                        had
                    });
                }
                StaleMarks::Mark(files) => {
                    shared.stale.send_replace(Arc::clone(files));
                }
                StaleMarks::Unmark(files) => shared.stale.send_modify(|marked| {
                    let marked = Arc::make_mut(marked);
                    for file in files {
                        marked.remove(file);
                    }
                }),
            }
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
        let overlay_changed = live.overlay.as_deref() != overlay.as_deref();
        live.overlay = overlay.map(Arc::from);
        let base_path = live.base_path.clone();
        drop(live);
        self.build += 1;
        let changed_urls = match &rebuild.outcome {
            Ok(published) => published
                .changed
                .iter()
                .map(|path| reload::url_of(&base_path, path))
                .collect(),
            Err(_) => Vec::new(),
        };
        let change = reload::Change {
            build: self.build,
            changed: changed_urls,
            error: rebuild.outcome.is_err(),
            overlay_changed,
        };
        // No receivers is fine: no page is open.
        let _ = self.shared.events.send(reload::Broadcast {
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
        index: engine::SearchIndex,
        report: &(dyn Fn(Notice<'_>) + Sync),
    ) {
        let shared = self.shared;
        let result = engine.publish_search(index, &mut |ready: Ready| {
            let _live = shared.site.blocking_write();
            ready.publish().map(drop)
        });
        match result {
            Ok(Some(changed)) => {
                let base_path = shared.site.blocking_read().base_path.clone();
                // The index belongs to the last rebuild: it carries that rebuild's number.
                let change = reload::Change {
                    build: self.build,
                    changed: changed
                        .iter()
                        .map(|path| reload::url_of(&base_path, path))
                        .collect(),
                    error: false,
                    overlay_changed: false,
                };
                let _ = shared.events.send(reload::Broadcast {
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
