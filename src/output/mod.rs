//! Writing the built site: the only module that writes to the output folder.
//!
//! A [`Staging`] folder beside the output folder takes every [`Output`] as it is rendered and is
//! swapped in (in one step where the system can) only when the whole build succeeded, so a
//! failed build leaves the last good site untouched. yuanba deletes nothing outside the output
//! folder and its own staging folders, and [`ensure_safe_output_dir`] refuses output folders
//! that hold the user's sources.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub(crate) mod assets;
mod in_place;

pub(crate) use in_place::InPlace;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::timing::Timings;

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct Output {
    /// Relative to the output folder, with `/` separators.
    pub path: PathBuf,
    /// Where its bytes come from.
    pub contents: Contents,
}

/// The bytes of an [`Output`].
#[derive(Debug, Clone)]
pub enum Contents {
    /// Rendered in memory.
    Bytes(Vec<u8>),
    /// Embedded in the binary (the built-in theme's static files).
    Static(&'static [u8]),
    /// Copied from a source file.
    Copy(PathBuf),
}

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The output folder would overwrite or delete the user's own files.
    #[error("refusing to write the site to {path}: {reason}{}", set_by(setting.as_ref()))]
    UnsafeOutputDir {
        /// The output folder.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
        /// The line of `site.yaml` that chose the folder, if one did.
        setting: Option<crate::config::Setting>,
    },
    /// A file or folder could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What follows a refusal that a setting caused: `(set by …, line 3)`; nothing otherwise.
fn set_by(setting: Option<&crate::config::Setting>) -> String {
    setting.map_or_else(String::new, |setting| format!(" (set by {setting})"))
}

impl Error {
    /// The error at the line of `site.yaml` that caused it, when a setting did.
    pub(crate) fn at_setting(&self) -> Option<crate::diagnostic::Diagnostic> {
        match self {
            Error::UnsafeOutputDir {
                path,
                reason,
                setting: Some(setting),
            } => Some(
                setting
                    .error(
                        crate::diagnostic::Code::ConfigOutputDir,
                        format!("refusing to write the site to {}: {reason}", path.display()),
                    )
                    .with_help(format!(
                        "choose another `{}` in {}, such as `public`",
                        setting.key,
                        setting.path.display()
                    )),
            ),
            _ => None,
        }
    }
}

/// A file yuanba writes into every site it builds, so that it only ever replaces a folder it made.
pub(crate) const MARKER_FILE: &str = ".yuanba-output";

pub(crate) const MARKER_TEXT: &str =
    "This folder is written by `yuanba build` and replaced on every build.\n";

/// The marker of a site built with these settings: its first line, then what `yuanba deploy`
/// needs to know (whether drafts or future stories are in it).
pub(crate) fn marker_text(config: &SiteConfig) -> String {
    format!(
        "{MARKER_TEXT}drafts: {}\nfuture: {}\n",
        config.include_drafts, config.include_future
    )
}

/// What a site's marker says about how it was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BuiltWith {
    /// Built with `--drafts`.
    pub drafts: bool,
    /// Built with `--future`.
    pub future: bool,
}

/// What the marker of a site says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// There is none: yuanba did not write the folder.
    Missing,
    /// Written by a yuanba that did not record how it built.
    Unknown,
    /// Built with these settings.
    Built(BuiltWith),
}

/// Reads the marker of the site in `dir`.
pub(crate) fn read_marker(dir: &Path) -> Marker {
    let Ok(text) = std::fs::read_to_string(dir.join(MARKER_FILE)) else {
        return Marker::Missing;
    };
    let value = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(": "))
            .and_then(|value| value.trim().parse::<bool>().ok())
    };
    match (value("drafts"), value("future")) {
        (Some(drafts), Some(future)) => Marker::Built(BuiltWith { drafts, future }),
        _ => Marker::Unknown,
    }
}

/// Checks that the output folder is not the site root, a parent of it, or one of its source
/// folders, and that an existing one is a folder that yuanba wrote (or an empty one).
pub(crate) fn ensure_safe_output_dir(config: &SiteConfig) -> Result<(), Error> {
    let output = resolve(&config.output_dir);
    let root = resolve(&config.root);
    let refuse = |reason: &str| Error::UnsafeOutputDir {
        path: config.output_dir.clone(),
        reason: reason.to_string(),
        setting: config.output_dir_setting.clone(),
    };
    if output == root {
        return Err(refuse("it is the site root"));
    }
    if root.starts_with(&output) {
        return Err(refuse("it contains the site root"));
    }
    for source_dir in ["content", "themes", "templates", "static", "data"] {
        let source = root.join(source_dir);
        if output == source || source.starts_with(&output) {
            return Err(refuse(&format!("it is the site's {source_dir}/ folder")));
        }
        if output.starts_with(&source) {
            return Err(refuse(&format!(
                "it is inside the site's {source_dir}/ folder"
            )));
        }
    }
    if let Ok(metadata) = std::fs::symlink_metadata(&config.output_dir) {
        if metadata.file_type().is_symlink() {
            return Err(refuse(
                "it is a symbolic link; give the folder it points to instead",
            ));
        }
        if !metadata.is_dir() {
            return Err(refuse("it is a file, not a folder"));
        }
        let is_empty =
            std::fs::read_dir(&config.output_dir).is_ok_and(|mut entries| entries.next().is_none());
        if !is_empty && !config.output_dir.join(MARKER_FILE).is_file() {
            return Err(refuse(&format!(
                "it is a folder that yuanba did not write (no {MARKER_FILE} in it), and building would replace all of it; empty it or choose another folder"
            )));
        }
    }
    Ok(())
}

/// Canonical form of a path that may not exist yet: canonicalize the longest existing ancestor.
fn resolve(path: &Path) -> PathBuf {
    let absolute = crate::config::absolute(path);
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut out = canonical;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Where a build writes: something that takes each file of the site as it is produced.
pub(crate) trait Sink: Sync {
    /// Takes one file.
    fn emit(&self, output: Output) -> Result<(), Error>;
}

/// A sink that keeps nothing, for runs that only check the site.
#[derive(Debug, Default)]
pub(crate) struct Discard;

impl Sink for Discard {
    fn emit(&self, _output: Output) -> Result<(), Error> {
        Ok(())
    }
}

/// A new site being written into `.<output>.staging-<pid>` beside the output folder.
///
/// Files are written as they are rendered, from any thread. [`Staging::publish`] swaps the
/// folder in; dropping a `Staging` that was not published deletes it, so a failed build leaves
/// the previous site exactly as it was.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    output_dir: PathBuf,
    parent: PathBuf,
    name: String,
    /// The current site, whose unchanged files the new one links to.
    previous: Option<PathBuf>,
    published: bool,
    /// Folders of the staged site made so far: most files go to a folder that exists, and a
    /// lookup is much cheaper than asking the file system again.
    folders: std::sync::RwLock<HashSet<PathBuf>>,
    timings: Timings,
}

impl Staging {
    /// Checks the output folder and creates an empty staging folder beside it.
    pub(crate) fn create(config: &SiteConfig) -> Result<Staging, Error> {
        ensure_safe_output_dir(config)?;
        let output_dir = config.output_dir.clone();
        let parent = output_dir.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = output_dir.file_name().map_or_else(
            || "public".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        std::fs::create_dir_all(&parent).map_err(|source| Error::Io {
            path: parent.clone(),
            source,
        })?;
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            // Our own process id: left by an earlier process that had the same id.
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        std::fs::write(dir.join(MARKER_FILE), marker_text(config)).map_err(|source| Error::Io {
            path: dir.join(MARKER_FILE),
            source,
        })?;
        let previous = output_dir.is_dir().then(|| output_dir.clone());
        Ok(Staging {
            timings: config.timings,
            dir,
            output_dir,
            parent,
            name,
            previous,
            published: false,
            folders: std::sync::RwLock::default(),
        })
    }

    /// Creates the folder that `target` (a path in the staged site) is to be written in.
    fn create_parent(&self, target: &Path) -> Result<(), Error> {
        use std::sync::PoisonError;
        let Some(folder) = target.parent() else {
            return Ok(());
        };
        let made = self
            .folders
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(folder);
        if made {
            return Ok(());
        }
        create_parent(target)?;
        self.folders
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(folder.to_path_buf());
        Ok(())
    }

    /// Swaps the staged site in for the output folder and deletes the replaced one.
    pub(crate) fn publish(self) -> Result<(), Error> {
        self.swap().map(drop)
    }

    /// Swaps the staged site in for the output folder (see [`swap`]), and hands back the
    /// replaced site, which is deleted when the returned value is dropped. `serve` holds its
    /// server's lock for the renames only, not for the slower deletion.
    pub(crate) fn swap(mut self) -> Result<Replaced, Error> {
        self.published = true;
        let started = std::time::Instant::now();
        let result = swap(&self.dir, &self.output_dir, &self.parent, &self.name);
        self.timings.log("swap", started);
        let timings = self.timings;
        result.map(|old| Replaced { old, timings })
    }

    /// Links the previous site's file at `path` into the new site without reading it, for a
    /// caller that knows the file did not change (`serve` compares hashes). Returns `false` when
    /// there is no such file or it cannot be linked; the caller then emits the file.
    pub(crate) fn link_previous(&self, path: &Path) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        let target = self.dir.join(path);
        self.create_parent(&target).is_ok()
            && std::fs::hard_link(previous.join(path), &target).is_ok()
    }
}

/// The site that a [`Staging::swap`] replaced; deleted when dropped.
#[derive(Debug)]
#[must_use = "dropping it deletes the replaced site at once"]
pub(crate) struct Replaced {
    old: Option<PathBuf>,
    timings: Timings,
}

impl Drop for Replaced {
    fn drop(&mut self) {
        if let Some(old) = self.old.take() {
            let started = std::time::Instant::now();
            remove_tree(&old);
            self.timings.log("remove the replaced site", started);
        }
    }
}

impl Sink for Staging {
    fn emit(&self, output: Output) -> Result<(), Error> {
        let target = self.dir.join(&output.path);
        self.create_parent(&target)?;
        if let Some(previous) = &self.previous {
            let previous = previous.join(&output.path);
            if unchanged(&previous, &output.contents)
                && std::fs::hard_link(&previous, &target).is_ok()
            {
                return Ok(());
            }
        }
        write_new(&target, &output.contents).map_err(|source| Error::Io {
            path: match output.contents {
                Contents::Copy(from) => from,
                _ => output.path,
            },
            source,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Creates the folders a file is to be written in.
fn create_parent(target: &Path) -> Result<(), Error> {
    match target.parent() {
        Some(folder) => std::fs::create_dir_all(folder).map_err(|source| Error::Io {
            path: folder.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

/// Writes a file that must not exist yet. Never writing through an existing name matters: a
/// name in the staging folder may be a hard link to a file of the live site.
fn write_new(target: &Path, contents: &Contents) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)?;
    match contents {
        Contents::Bytes(bytes) => file.write_all(bytes),
        Contents::Static(bytes) => file.write_all(bytes),
        Contents::Copy(from) => {
            std::io::copy(&mut std::fs::File::open(from)?, &mut file).map(|_| ())
        }
    }
}

/// Whether a process with this id runs (always `false` where that cannot be known cheaply).
pub(crate) fn process_is_alive(pid: &str) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid).exists()
}

/// Staging and old folders a killed run may have left beside the output folder.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // Another build of the same site may be running: leave its folders alone.
        let ours = prefixes.iter().any(|prefix| {
            file_name.strip_prefix(prefix.as_str()).is_some_and(|pid| {
                !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) && !process_is_alive(pid)
            })
        });
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether the previous site's file at the same path has exactly these bytes, in which case
/// the new site links to it instead of writing a copy: a rebuild where little changed then
/// writes almost nothing to disk, and unchanged files keep their modification times.
fn unchanged(previous: &Path, contents: &Contents) -> bool {
    let Ok(metadata) = std::fs::symlink_metadata(previous) else {
        return false;
    };
    if !metadata.is_file() {
        return false;
    }
    let same_bytes = |bytes: &[u8]| {
        metadata.len() == bytes.len() as u64
            && std::fs::read(previous).is_ok_and(|old| old == bytes)
    };
    match contents {
        Contents::Bytes(bytes) => same_bytes(bytes),
        Contents::Static(bytes) => same_bytes(bytes),
        Contents::Copy(from) => {
            std::fs::metadata(from).is_ok_and(|source| source.len() == metadata.len())
                && std::fs::read(from).is_ok_and(|bytes| same_bytes(&bytes))
        }
    }
}

/// Removes a folder of ours (a previous output), folders in parallel; best effort.
fn remove_tree(dir: &Path) {
    remove_contents(dir);
    let _ = std::fs::remove_dir(dir);
    if dir.exists() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Removes what `dir` holds: its files, then its folders, each emptied in parallel. Symbolic
/// links are removed, never followed.
fn remove_contents(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let folders: Vec<PathBuf> = entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                Some(path)
            } else {
                let _ = std::fs::remove_file(&path);
                None
            }
        })
        .collect();
    folders.par_iter().for_each(|folder| {
        remove_contents(folder);
        let _ = std::fs::remove_dir(folder);
    });
}

/// Puts the staging folder in the output folder's place; returns where the old site now is, if
/// there was one. Where the system can exchange two folders in one step (Linux's `renameat2`
/// with `RENAME_EXCHANGE`, on the file systems that support it), there is never a moment without
/// the output folder; elsewhere, two renames: the output folder away, then the staging folder in.
fn swap(
    staging: &Path,
    output_dir: &Path,
    parent: &Path,
    name: &str,
) -> Result<Option<PathBuf>, Error> {
    if output_dir.exists() {
        match exchange(staging, output_dir) {
            // The old site is where the staging folder was.
            Ok(true) => return Ok(Some(staging.to_path_buf())),
            Ok(false) => {}
            Err(source) => {
                let _ = std::fs::remove_dir_all(staging);
                return Err(Error::Io {
                    path: output_dir.to_path_buf(),
                    source,
                });
            }
        }
    }
    swap_by_renames(staging, output_dir, parent, name)
}

/// [`swap`] with two renames, where folders cannot be exchanged in one step.
fn swap_by_renames(
    staging: &Path,
    output_dir: &Path,
    parent: &Path,
    name: &str,
) -> Result<Option<PathBuf>, Error> {
    let had_old = output_dir.exists();
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if had_old && let Err(source) = std::fs::rename(output_dir, &old) {
        let _ = std::fs::remove_dir_all(staging);
        return Err(Error::Io {
            path: output_dir.to_path_buf(),
            source,
        });
    }
    if let Err(source) = std::fs::rename(staging, output_dir) {
        if had_old {
            let _ = std::fs::rename(&old, output_dir);
        }
        let _ = std::fs::remove_dir_all(staging);
        return Err(Error::Io {
            path: output_dir.to_path_buf(),
            source,
        });
    }
    Ok(had_old.then_some(old))
}

/// Exchanges two existing paths in one step. `Ok(false)` when the system or the file system
/// cannot, and nothing was changed.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated strings that live across the call, which reads
    // them only.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        // No such call (old kernels, some sandboxes) or no such operation on this file system.
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

/// Exchanges two existing paths in one step: not available here.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staging folder for a site in a temporary folder.
    fn staging(root: &Path) -> Staging {
        std::fs::write(
            root.join("site.yaml"),
            "title: t\nbase_url: https://example.org\n",
        )
        .expect("write");
        let config =
            crate::config::load(root, &crate::config::Overrides::default()).expect("config");
        Staging::create(&config).expect("staging folder")
    }

    #[test]
    fn staging_remembers_the_folders_it_made_for_files_from_many_threads() {
        use rayon::prelude::*;
        let temp = tempfile::tempdir().expect("temp dir");
        let staging = staging(temp.path());
        let paths: Vec<PathBuf> = (0..400)
            .map(|n| PathBuf::from(format!("f{}/g{}/{n}.txt", n % 7, n % 3)))
            .collect();
        paths
            .par_iter()
            .try_for_each(|path| {
                staging.emit(Output {
                    path: path.clone(),
                    contents: Contents::Bytes(path.to_string_lossy().as_bytes().to_vec()),
                })
            })
            .expect("every file written");
        let folders = staging.folders.read().expect("not poisoned").len();
        assert_eq!(folders, 7 * 3);
        staging.publish().expect("published");
        for path in &paths {
            let written = std::fs::read_to_string(temp.path().join("public").join(path));
            assert_eq!(written.expect("written"), path.to_string_lossy());
        }
    }

    /// An old site and a staged one beside it, each with an `index.html` that says which.
    fn two_sites(root: &Path) -> (PathBuf, PathBuf) {
        let (output, staging) = (root.join("public"), root.join(".public.staging-1"));
        for (dir, text) in [(&output, "old"), (&staging, "new")] {
            std::fs::create_dir(dir).expect("mkdir");
            std::fs::write(dir.join("index.html"), text).expect("write");
        }
        (output, staging)
    }

    /// The new site is in the output folder, the old one at `old`.
    fn assert_swapped(output: &Path, old: &Path) {
        let read = |dir: &Path| std::fs::read_to_string(dir.join("index.html")).expect("read");
        assert_eq!(
            (read(output), read(old)),
            ("new".to_string(), "old".to_string())
        );
    }

    #[test]
    fn swapping_puts_the_new_site_in_place_and_hands_back_the_old_one() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (output, staging) = two_sites(temp.path());
        let old = swap(&staging, &output, temp.path(), "public")
            .expect("swapped")
            .expect("an old site");
        assert_swapped(&output, &old);
        if cfg!(target_os = "linux") {
            // Exchanged in one step: the old site is where the staging folder was.
            assert_eq!(old, staging);
        }
    }

    #[test]
    fn swapping_by_two_renames_gives_the_same_result() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (output, staging) = two_sites(temp.path());
        let old = swap_by_renames(&staging, &output, temp.path(), "public")
            .expect("swapped")
            .expect("an old site");
        assert_swapped(&output, &old);
        assert!(!staging.exists());
    }

    #[test]
    fn a_first_swap_renames_the_staging_folder_in() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (output, staging) = two_sites(temp.path());
        std::fs::remove_dir_all(&output).expect("remove");
        let old = swap(&staging, &output, temp.path(), "public").expect("swapped");
        assert_eq!(old, None);
        assert_eq!(
            std::fs::read_to_string(output.join("index.html")).expect("read"),
            "new"
        );
    }

    #[test]
    fn a_refusal_caused_by_a_setting_names_it_in_its_message() {
        let temp = tempfile::tempdir().expect("temp dir");
        let root = temp.path().join("site");
        std::fs::create_dir(&root).expect("mkdir");
        std::fs::write(
            root.join("site.yaml"),
            "title: t\nbase_url: https://example.org\noutput_dir: ..\n",
        )
        .expect("write");
        let config =
            crate::config::load(&root, &crate::config::Overrides::default()).expect("config");
        let error = Staging::create(&config).expect_err("refused");
        assert_eq!(
            error.to_string(),
            format!(
                "refusing to write the site to {}: it contains the site root \
                 (set by `output_dir` in site.yaml, line 3)",
                temp.path().display()
            )
        );
        assert!(error.at_setting().is_some());
    }

    #[test]
    fn a_file_where_a_folder_should_be_is_an_error_not_a_panic() {
        let temp = tempfile::tempdir().expect("temp dir");
        let staging = staging(temp.path());
        let file = |path: &str| Output {
            path: PathBuf::from(path),
            contents: Contents::Bytes(b"x".to_vec()),
        };
        staging.emit(file("a")).expect("written");
        let error = staging.emit(file("a/b.txt")).expect_err("a is a file");
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        // The failed folder is not remembered as made.
        assert!(
            !staging
                .folders
                .read()
                .expect("not poisoned")
                .contains(&staging.dir.join("a"))
        );
    }

    #[test]
    fn removing_a_replaced_site_removes_every_folder_and_follows_no_link() {
        let temp = tempfile::tempdir().expect("temp dir");
        let outside = temp.path().join("outside");
        std::fs::create_dir(&outside).expect("mkdir");
        std::fs::write(outside.join("keep.txt"), "keep").expect("write");
        let old = temp.path().join(".public.old-1");
        for folder in ["a/b/c", "a/d", "search/ids", "empty"] {
            std::fs::create_dir_all(old.join(folder)).expect("mkdir");
        }
        for file in [
            "index.html",
            "a/b/c/index.html",
            "a/d/x.css",
            "search/ids/0.json",
        ] {
            std::fs::write(old.join(file), file).expect("write");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, old.join("a/link")).expect("symlink");
            std::os::unix::fs::symlink(outside.join("keep.txt"), old.join("file-link"))
                .expect("symlink");
        }
        remove_tree(&old);
        assert!(!old.exists());
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).expect("kept"),
            "keep"
        );
        // A folder that is not there is no error.
        remove_tree(&old);
    }
}
