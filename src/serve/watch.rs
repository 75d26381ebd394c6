//! Watching the site's sources: which folders, and what a changed path means for the build.
//!
//! [`classify`] and [`ChangeSet::add`] are pure and decide everything; [`Watcher`] only wires
//! notify's debouncer (or its polling watcher) to a channel. Folders are watched recursively and
//! never single files, because an editor's atomic save replaces the file's inode.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::{self, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer, new_debouncer_opt,
};

use crate::config::CONFIG_FILE;
use crate::files::is_ignored_name;

/// How long the debouncer waits for a path to go quiet before reporting it. Editors' atomic
/// saves (write a temporary file, rename it) take well under a millisecond; this window is part
/// of every save's latency, so it is short.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often the `--poll` watcher looks at every file.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The folders of the site root that are watched recursively when they exist.
pub(crate) const WATCHED_DIRS: [&str; 5] = ["content", "templates", "static", "data", "themes"];

/// What a changed path is, which decides how much of the build must be redone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ChangeKind {
    /// A file under `content/`: re-read that file.
    Content,
    /// The site's `templates/`: parse the templates again.
    Templates,
    /// The site's `static/`: copied on every build, nothing to re-read.
    Static,
    /// `data/`: not read by yuanba yet, so everything is redone.
    Data,
    /// `site.yaml`: everything is redone.
    Config,
    /// The active theme's folder: templates again, and its static files.
    Theme,
}

impl ChangeKind {
    fn name(self) -> &'static str {
        match self {
            ChangeKind::Content => "content",
            ChangeKind::Templates => "templates",
            ChangeKind::Static => "static",
            ChangeKind::Data => "data",
            ChangeKind::Config => "site.yaml",
            ChangeKind::Theme => "theme",
        }
    }
}

/// What the watcher needs to know about the site to classify paths.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The site root (absolute).
    pub(crate) root: PathBuf,
    /// The active theme's name, when `site.yaml` could be read.
    pub(crate) theme: Option<String>,
    /// The output folder, whose changes are yuanba's own and never trigger a build.
    pub(crate) output_dir: PathBuf,
}

/// What a changed path means for the build; `None` for paths that do not matter: editors'
/// temporary and backup files, hidden files, the output folder, other themes.
pub(crate) fn classify(layout: &Layout, path: &Path) -> Option<ChangeKind> {
    if path.starts_with(&layout.output_dir) {
        return None;
    }
    let relative = path.strip_prefix(&layout.root).ok()?;
    let mut names = Vec::new();
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return None;
        };
        let name = name.to_str()?;
        if is_ignored_name(name) {
            return None;
        }
        names.push(name);
    }
    match names.as_slice() {
        [name] if *name == CONFIG_FILE => Some(ChangeKind::Config),
        ["content", ..] => Some(ChangeKind::Content),
        ["templates", ..] => Some(ChangeKind::Templates),
        ["static", ..] => Some(ChangeKind::Static),
        ["data", ..] => Some(ChangeKind::Data),
        // The folder itself (`themes/`, `themes/<name>`), created or removed, changes which
        // templates win, as does anything inside the active theme.
        ["themes"] => Some(ChangeKind::Theme),
        ["themes", theme, ..] if layout.theme.as_deref().is_none_or(|t| t == *theme) => {
            Some(ChangeKind::Theme)
        }
        _ => None,
    }
}

/// Everything the watcher reported between two builds, classified.
#[derive(Debug, Default, Clone)]
pub(crate) struct ChangeSet {
    /// The kinds of change seen.
    pub(crate) kinds: BTreeSet<ChangeKind>,
    /// Changed paths under `content/` (files or folders, absolute), to re-read.
    pub(crate) content: BTreeSet<PathBuf>,
    /// Every relevant changed path, relative to the root, for the terminal line.
    pub(crate) paths: BTreeSet<PathBuf>,
    /// The watcher lost events (an overflowing queue, an error): redo everything.
    pub(crate) rescan: bool,
}

impl ChangeSet {
    /// Adds one reported path; returns whether it matters.
    pub(crate) fn add(&mut self, layout: &Layout, path: &Path) -> bool {
        let Some(kind) = classify(layout, path) else {
            return false;
        };
        self.kinds.insert(kind);
        if kind == ChangeKind::Content {
            self.content.insert(path.to_path_buf());
        }
        if let Ok(relative) = path.strip_prefix(&layout.root) {
            self.paths.insert(relative.to_path_buf());
        }
        true
    }

    /// Merges another set into this one.
    pub(crate) fn extend(&mut self, other: ChangeSet) {
        self.kinds.extend(other.kinds);
        self.content.extend(other.content);
        self.paths.extend(other.paths);
        self.rescan |= other.rescan;
    }

    /// Whether anything relevant changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.kinds.is_empty() && !self.rescan
    }

    /// Whether everything must be re-read: the configuration, `data/`, or lost events.
    pub(crate) fn needs_everything(&self) -> bool {
        self.rescan
            || self.kinds.contains(&ChangeKind::Config)
            || self.kinds.contains(&ChangeKind::Data)
    }

    /// Whether every change seen is of this kind (and no event was lost).
    pub(crate) fn is_only(&self, kind: ChangeKind) -> bool {
        !self.rescan && !self.kinds.is_empty() && self.kinds.iter().all(|seen| *seen == kind)
    }

    /// Whether a file that a story can show as an image may have changed: a static or theme
    /// file, or a path of `content/` that is neither Markdown nor a folder (a bundle's photo,
    /// say; the files of a new or renamed folder are read as new files anyway).
    pub(crate) fn touches_images(&self) -> bool {
        self.kinds.contains(&ChangeKind::Static)
            || self.kinds.contains(&ChangeKind::Theme)
            || self.content.iter().any(|path| {
                !path.is_dir()
                    && path
                        .extension()
                        .is_none_or(|extension| !extension.eq_ignore_ascii_case("md"))
            })
    }

    /// Whether the templates must be parsed again.
    pub(crate) fn needs_templates(&self) -> bool {
        self.needs_everything()
            || self.kinds.contains(&ChangeKind::Templates)
            || self.kinds.contains(&ChangeKind::Theme)
    }

    /// Whether a file under `content/` was reported, itself or through one of its folders.
    pub(crate) fn touches_content(&self, path: &Path) -> bool {
        path.ancestors()
            .any(|ancestor| self.content.contains(ancestor))
    }

    /// `content/stories/a.md`, `site.yaml and 2 more`, `300 files (content, templates)`.
    pub(crate) fn describe(&self) -> String {
        if self.rescan && self.paths.is_empty() {
            return "files changed (watcher resynchronised)".to_string();
        }
        let mut paths = self.paths.iter();
        match (paths.next(), self.paths.len()) {
            (None, _) => "nothing".to_string(),
            (Some(only), 1) => only.display().to_string(),
            (Some(first), 2) => format!("{} and 1 more", first.display()),
            (Some(_), n) => {
                let kinds: Vec<&str> = self.kinds.iter().map(|kind| kind.name()).collect();
                format!("{n} files ({})", kinds.join(", "))
            }
        }
    }
}

/// Turns one debouncer report into a change set.
pub(crate) fn changes_of(layout: &Layout, result: DebounceEventResult) -> ChangeSet {
    let mut changes = ChangeSet::default();
    match result {
        Ok(events) => {
            for event in events {
                if event.need_rescan() {
                    changes.rescan = true;
                }
                // Access events (a file opened or read) change nothing.
                if matches!(event.kind, notify::EventKind::Access(_)) {
                    continue;
                }
                for path in &event.paths {
                    changes.add(layout, path);
                }
            }
        }
        // The watcher may have missed something: rebuilding everything is always correct.
        Err(_) => changes.rescan = true,
    }
    changes
}

/// A recursive watch on the site's source folders, reporting to a channel.
pub(crate) struct Watcher {
    /// The site root.
    root: PathBuf,
    debouncer: AnyDebouncer,
    /// The folders of [`WATCHED_DIRS`] under a recursive watch.
    watched: BTreeSet<PathBuf>,
}

/// The debouncer of either kind of watcher.
enum AnyDebouncer {
    /// The system's own notifications (inotify, `FSEvents`, `ReadDirectoryChangesW`).
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    /// Looks at every file every [`POLL_INTERVAL`], for network drives and editors that the
    /// native watcher misses.
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Watcher {
    /// Starts watching the site root (not recursively, for `site.yaml` and new folders) and
    /// each of [`WATCHED_DIRS`] that exists.
    /// Each report goes to `handler`.
    pub(crate) fn start(
        root: &Path,
        poll: bool,
        handler: impl Fn(DebounceEventResult) + Send + 'static,
    ) -> notify::Result<Watcher> {
        let debouncer = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
            AnyDebouncer::Poll(new_debouncer_opt(DEBOUNCE, None, handler, NoCache, config)?)
        } else {
            AnyDebouncer::Native(new_debouncer(DEBOUNCE, None, handler)?)
        };
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            watched: BTreeSet::new(),
        };
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        watcher.watch_new_dirs();
        Ok(watcher)
    }

    /// Keeps the watches right after `changes`: a watched folder that was removed and created
    /// again (a checkout) needs a new watch, and so does one created since the last look.
    pub(crate) fn follow(&mut self, changes: &ChangeSet) {
        for name in WATCHED_DIRS {
            if changes.paths.contains(Path::new(name)) {
                self.watched.remove(&self.root.join(name));
            }
        }
        self.watch_new_dirs();
    }

    /// Adds a recursive watch on each of [`WATCHED_DIRS`] that exists and is not yet watched
    /// (`templates/` created after serve started, say).
    fn watch_new_dirs(&mut self) {
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                if self.watch(&dir, RecursiveMode::Recursive).is_ok() {
                    self.watched.insert(dir);
                }
            } else if !dir.is_dir() {
                // Removed: watch it again when it comes back.
                self.watched.remove(&dir);
            }
        }
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.debouncer {
            AnyDebouncer::Native(debouncer) => debouncer.watch(path, mode),
            AnyDebouncer::Poll(debouncer) => debouncer.watch(path, mode),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            root: PathBuf::from("/site"),
            theme: Some("default".to_string()),
            output_dir: PathBuf::from("/site/public"),
        }
    }

    fn kind(path: &str) -> Option<ChangeKind> {
        classify(&layout(), Path::new(path))
    }

    #[test]
    fn paths_are_classified_by_their_folder() {
        assert_eq!(kind("/site/site.yaml"), Some(ChangeKind::Config));
        assert_eq!(
            kind("/site/content/stories/a.md"),
            Some(ChangeKind::Content)
        );
        assert_eq!(kind("/site/content/stories"), Some(ChangeKind::Content));
        assert_eq!(
            kind("/site/templates/story.html"),
            Some(ChangeKind::Templates)
        );
        assert_eq!(kind("/site/static/style.css"), Some(ChangeKind::Static));
        assert_eq!(kind("/site/data/districts.yaml"), Some(ChangeKind::Data));
        assert_eq!(
            kind("/site/themes/default/templates/base.html"),
            Some(ChangeKind::Theme)
        );
        assert_eq!(kind("/site/themes"), Some(ChangeKind::Theme));
    }

    #[test]
    fn other_themes_the_output_and_stray_files_are_ignored() {
        assert_eq!(kind("/site/themes/other/templates/base.html"), None);
        assert_eq!(kind("/site/public/index.html"), None);
        assert_eq!(kind("/site/public"), None);
        assert_eq!(kind("/site/README.md"), None);
        assert_eq!(kind("/elsewhere/content/a.md"), None);
        assert_eq!(kind("/site/.public.staging-12/index.html"), None);
    }

    #[test]
    fn editor_temporary_and_backup_files_are_ignored() {
        for path in [
            "/site/content/.a.md.swp",
            "/site/content/.a.md.swx",
            "/site/content/4913",
            "/site/content/a.md~",
            "/site/content/.#a.md",
            "/site/content/#a.md#",
            "/site/content/a.md___jb_tmp___",
            "/site/content/a.md___jb_old___",
            "/site/content/a.md.bck",
            "/site/content/a.md.tmp",
            "/site/site.yaml~",
            "/site/.git/index",
            "/site/content/.git/HEAD",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }

    #[test]
    fn an_unknown_theme_counts_every_theme_folder() {
        let layout = Layout {
            theme: None,
            ..layout()
        };
        assert_eq!(
            classify(&layout, Path::new("/site/themes/x/templates/a.html")),
            Some(ChangeKind::Theme)
        );
    }

    #[test]
    fn a_change_set_knows_how_much_to_redo() {
        let layout = layout();
        let mut changes = ChangeSet::default();
        assert!(!changes.add(&layout, Path::new("/site/content/.a.md.swp")));
        assert!(changes.is_empty());
        assert!(!changes.is_only(ChangeKind::Content));
        assert!(changes.add(&layout, Path::new("/site/content/2018")));
        assert!(!changes.needs_templates());
        assert!(changes.is_only(ChangeKind::Content));
        // A path that is gone, with no extension: it may have been a photo.
        assert!(changes.touches_images());
        assert!(changes.touches_content(Path::new("/site/content/2018/a/index.md")));
        assert!(!changes.touches_content(Path::new("/site/content/2019/b.md")));
        assert_eq!(changes.describe(), "content/2018");
        changes.add(&layout, Path::new("/site/templates/base.html"));
        assert!(changes.needs_templates() && !changes.needs_everything());
        assert!(!changes.is_only(ChangeKind::Content) && !changes.is_only(ChangeKind::Templates));
        assert_eq!(changes.describe(), "content/2018 and 1 more");
        changes.add(&layout, Path::new("/site/site.yaml"));
        assert!(changes.needs_everything());
        assert_eq!(
            changes.describe(),
            "3 files (content, templates, site.yaml)"
        );
    }

    #[test]
    fn a_burst_of_reports_merges_into_one_change_set() {
        let layout = layout();
        let mut all = ChangeSet::default();
        for n in 0..300 {
            let mut one = ChangeSet::default();
            one.add(&layout, Path::new(&format!("/site/content/s{n}.md")));
            all.extend(one);
        }
        assert_eq!(all.content.len(), 300);
        assert_eq!(all.describe(), "300 files (content)");
    }
}
