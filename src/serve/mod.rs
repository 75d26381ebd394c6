//! `yuanba serve` and `yuanba build --watch`: watch the sources, rebuild, publish, reload.
//!
//! One thread owns the watcher and the `engine::Engine` and rebuilds synchronously, as
//! `build` does; `serve` adds a current-thread tokio runtime on the main thread for the HTTP
//! server (`http`) and the reload events (`reload`). This is the only module that uses tokio or
//! the network. A rebuild is announced to open pages only after its site is published, and
//! `serve` writes only into a private folder under the system temp folder, never into the
//! site's `public/`: serve includes drafts, and the session's folder is removed on exit.
//!
//! Nothing here prints: what happens is handed to `cmd` as [`Notice`]s.
//!
//! The modules, read from the bottom up:
//! - `watch`: what a changed path means (`ChangeSet`), and the notify watcher;
//! - `engine` (with `sources`): the rebuild itself, patching the last build where it can;
//! - `build_loop`: the build thread's loop, which merges a burst of reports into one change set;
//! - `cleanup` and `report`: deleting a replaced site in the background, and the terminal line
//!   of a rebuild;
//! - `overlay`, `reload`, `state` and `http`: the error overlay, the reload events, what the
//!   server shares with the build thread, and the requests;
//! - `net` and `session`: the port, the runtime and the signals; the private folder;
//! - `live`: serve's rebuilds, published under the server's lock and announced to open pages;
//! - here: the public types, and [`serve()`] and [`watch()`], which put the others together.

mod build_loop;
mod cleanup;
mod engine;
mod http;
mod live;
mod net;
mod overlay;
mod reload;
mod report;
mod session;
mod sources;
mod state;
mod watch;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify;

use crate::config::{self, Overrides};
use crate::diagnostic::{Code, Diagnostic};
use crate::output;
use crate::serve::build_loop::{Message, Step, Watching};
use crate::serve::cleanup::Cleanup;
use crate::serve::engine::{Engine, Published, Publishing, Ready};
use crate::serve::live::LiveBuilds;
use crate::serve::net::Bound;
use crate::serve::session::SessionDir;
use crate::serve::state::Shared;
use crate::serve::watch::ChangeSet;

/// How `yuanba serve` runs.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub(crate) struct ServeOptions {
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
    /// What the process environment says.
    pub env: crate::config::Environment,
}

/// How `yuanba build --watch` runs.
#[derive(Debug, Clone)]
pub(crate) struct WatchOptions {
    /// The site root.
    pub root: PathBuf,
    /// As for `build`.
    pub overrides: Overrides,
    /// Poll for changes instead of asking the system to report them.
    pub poll: bool,
}

/// What serve and `build --watch` tell the person at the terminal, for `cmd` to print.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Notice<'a> {
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
pub(crate) struct Summary {
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
    /// Why a change of story text or templates could not be patched and took the full
    /// rebuild, when it did: `date changed`.
    pub fallback: Option<String>,
    /// Photos whose variants were made.
    pub n_images_made: usize,
}

/// Why serve or `build --watch` could not run at all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
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
pub(crate) fn serve(
    options: &ServeOptions,
    report: &(dyn Fn(Notice<'_>) + Sync),
) -> Result<(), Error> {
    let root = config::absolute(&options.root);
    ensure_site(&root)?;
    let session = SessionDir::create()?;
    let bound = net::bind(options.bind, options.port)?;
    let runtime = net::runtime()?;
    // Registered before the first build, so Ctrl-C during it still cleans up.
    let shutdown = net::on_shutdown(&runtime)?;
    let shared = Arc::new(Shared::new(session.site()));
    let watching = Watching::start(&root, options.poll)?;
    let to_build_thread = watching.sender();
    let publishing = Publishing::InPlace {
        pending: session.pending(),
    };
    let mut engine = Engine::new(root, options.overrides(session.site()), publishing);
    let mut live = LiveBuilds::new(&shared, &watching);
    live.rebuild(&mut engine, None, report);
    let url = report_listening(&bound, &shared, report)?;
    if options.open {
        net::open_browser(&url);
    }
    std::thread::scope(|scope| {
        let live = &mut live;
        let engine = &mut engine;
        scope.spawn(move || live.run(watching, engine, report));
        let served = runtime.block_on(net::run_server(
            bound.listener,
            Arc::clone(&shared),
            shutdown,
        ));
        // The build thread ends after the build it may be running.
        let _ = to_build_thread.send(Message::Stop);
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
pub(crate) fn watch(
    options: &WatchOptions,
    report: &(dyn Fn(Notice<'_>) + Sync),
) -> Result<(), Error> {
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

impl ServeOptions {
    /// The options of a build into `output_dir`.
    fn overrides(&self, output_dir: PathBuf) -> Overrides {
        Overrides {
            output_dir: Some(output_dir),
            base_url: None,
            drafts: self.drafts,
            future: self.future,
            env: self.env.clone(),
            fingerprint_assets: false,
            read_only: false,
        }
    }
}

/// Tells the terminal that the server is up, and returns its URL.
fn report_listening(
    bound: &Bound,
    shared: &Shared,
    report: &(dyn Fn(Notice<'_>) + Sync),
) -> Result<String, Error> {
    let address = bound
        .listener
        .local_addr()
        .map_err(|source| Error::setup("the listener", source))?;
    let url = format!("http://{address}{}", shared.base_path());
    report(Notice::Listening {
        url: &url,
        busy: &bound.busy,
        public: !address.ip().is_loopback(),
    });
    Ok(url)
}

/// Refuses a root without `site.yaml`.
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
