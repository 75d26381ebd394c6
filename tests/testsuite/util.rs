//! The harness: a throwaway site folder, the real `yuanba` binary, and assertions on its run.
//!
//! [`SiteTest`] builds a site in a temporary folder (`<tmp>/site`, so tests can also look at the
//! folder around it), runs the binary there, and returns an [`Output`] with the exit status,
//! both streams with the temporary paths and the build time normalized, and readers for the
//! files it wrote. Nothing here knows what a correct site looks like; the tests say that.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::rc::Rc;

use scraper::{Html, Selector};
use tempfile::TempDir;

/// The site configuration written unless a test gives its own.
pub(crate) const DEFAULT_CONFIG: &str = "title: 测试站点\nbase_url: https://example.org/\n";

/// A minimal valid story front matter plus body, for tests that need "some story".
pub(crate) fn story(title: &str, date: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\ndistrict: 成华区\nstreet: 白莲池街道\ncommunity: 白莲社区\nreporter: 彭戎\n---\n\n{body}\n"
    )
}

/// A site in a temporary folder, and the binary to run on it.
#[must_use]
pub(crate) struct SiteTest {
    /// Shared with every [`Output`], so the folder lives as long as the files are read.
    tmp: Rc<TempDir>,
    root: PathBuf,
}

impl SiteTest {
    /// An empty site with the default `site.yaml`.
    pub(crate) fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("yuanba-test-")
            .tempdir()
            .expect("create a temporary folder");
        let root = tmp.path().join("site");
        std::fs::create_dir(&root).expect("create the site folder");
        SiteTest {
            tmp: Rc::new(tmp),
            root,
        }
        .config(DEFAULT_CONFIG)
    }

    /// A site with the files of `tests/fixtures/<name>/` (and the default `site.yaml` unless
    /// the fixture has one).
    pub(crate) fn fixture(name: &str) -> Self {
        let site = SiteTest::new();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        assert!(fixture.is_dir(), "no fixture {}", fixture.display());
        copy_tree(&fixture, &site.root);
        site
    }

    /// A site with the repository's own example: its `site.yaml`, `content/` and `static/`.
    pub(crate) fn example() -> Self {
        let site = SiteTest::new();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(repo.join("site.yaml"), site.root.join("site.yaml")).expect("copy site.yaml");
        for dir in ["content", "static"] {
            std::fs::create_dir_all(site.root.join(dir)).expect("create folders");
            copy_tree(&repo.join(dir), &site.root.join(dir));
        }
        site
    }

    /// Writes a text file, relative to the site root, creating folders as needed.
    pub(crate) fn file(self, path: &str, text: &str) -> Self {
        self.bytes(path, text.as_bytes())
    }

    /// Writes a file of raw bytes (for encodings that are not UTF-8).
    pub(crate) fn bytes(self, path: &str, bytes: &[u8]) -> Self {
        self.write(path, bytes);
        self
    }

    /// Replaces `site.yaml`.
    pub(crate) fn config(self, text: &str) -> Self {
        self.file("site.yaml", text)
    }

    /// Removes `site.yaml`.
    pub(crate) fn without_config(self) -> Self {
        std::fs::remove_file(self.root.join("site.yaml")).expect("remove site.yaml");
        self
    }

    /// Writes a file between two runs, without giving up the builder.
    pub(crate) fn write(&self, path: &str, bytes: &[u8]) {
        let target = self.root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(&target, bytes)
            .unwrap_or_else(|e| panic!("write {}: {e}", target.display()));
    }

    /// The site folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary folder around the site folder.
    pub(crate) fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// Runs `yuanba ARGS --root <site>` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        all.push("--root".as_ref());
        all.push(self.root.as_os_str());
        self.run_raw(&self.root, &all, &self.root)
    }

    /// Like [`SiteTest::run`], with extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        all.push("--root".as_ref());
        all.push(self.root.as_os_str());
        self.run_command(&self.root, &all, &self.root, envs)
    }

    /// Like [`SiteTest::run_env`], with the variables `remove` taken out of the environment.
    pub(crate) fn run_env_clean(
        &self,
        args: &[&str],
        envs: &[(&str, &str)],
        remove: &[&str],
    ) -> Output {
        let output = self
            .command(args, envs, remove)
            .output()
            .expect("run the yuanba binary");
        self.output_of(&output, &self.root)
    }

    /// Starts `yuanba ARGS --root <site>` in the background, its output piped, with a home
    /// folder of its own and no AWS variables but `envs`.
    pub(crate) fn spawn_env_clean(
        &self,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> std::process::Child {
        let home = self.tmp().join("home");
        std::fs::create_dir_all(&home).expect("home");
        let remove = [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_SHARED_CREDENTIALS_FILE",
        ];
        self.command(args, envs, &remove)
            .env("HOME", home)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the yuanba binary")
    }

    fn command(&self, args: &[&str], envs: &[(&str, &str)], remove: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_yuanba"));
        command
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .env_remove("YUANBA_TIMINGS")
            .env_remove("SOURCE_DATE_EPOCH");
        for name in remove {
            command.env_remove(name);
        }
        command.envs(envs.iter().copied());
        command
    }

    /// Runs `yuanba ARGS` as given, in the temporary folder around the site (for `init` and
    /// `--help`); the returned output reads files relative to that folder.
    pub(crate) fn run_bare(&self, args: &[&str]) -> Output {
        let all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        self.run_raw(self.tmp.path(), &all, self.tmp.path())
    }

    fn run_raw(&self, cwd: &Path, args: &[&std::ffi::OsStr], files_root: &Path) -> Output {
        self.run_command(cwd, args, files_root, &[])
    }

    fn run_command(
        &self,
        cwd: &Path,
        args: &[&std::ffi::OsStr],
        files_root: &Path,
        envs: &[(&str, &str)],
    ) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_yuanba"))
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .env_remove("YUANBA_TIMINGS")
            .env_remove("SOURCE_DATE_EPOCH")
            .envs(envs.iter().copied())
            .output()
            .expect("run the yuanba binary");
        self.output_of(&output, files_root)
    }

    /// What a run printed, normalised, with `files_root` for reading the files it wrote.
    fn output_of(&self, output: &std::process::Output, files_root: &Path) -> Output {
        Output {
            status: output.status,
            stdout: self.normalize(&String::from_utf8_lossy(&output.stdout)),
            stderr: self.normalize(&String::from_utf8_lossy(&output.stderr)),
            root: files_root.to_path_buf(),
            _tmp: Rc::clone(&self.tmp),
        }
    }

    /// Replaces the temporary paths with `[ROOT]` (the site) and `[TMP]` (around it), and the
    /// build time with `[TIME]`.
    fn normalize(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut replace = |path: &Path, marker: &str| {
            let raw = path.display().to_string();
            let canonical = path
                .canonicalize()
                .map_or_else(|_| raw.clone(), |p| p.display().to_string());
            for form in [canonical, raw] {
                out = out.replace(&form, marker);
            }
        };
        replace(&self.root, "[ROOT]");
        replace(self.tmp.path(), "[TMP]");
        normalize_time(&out)
    }
}

/// `… in 12 ms` → `… in [TIME]`.
fn normalize_time(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let timed = body.strip_suffix(" ms").and_then(|rest| {
            let idx = rest.rfind(" in ")?;
            let digits = &rest[idx + " in ".len()..];
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("{} in [TIME]", &rest[..idx]))
        });
        out.push_str(timed.as_deref().unwrap_or(body));
        out.push_str(newline);
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("read the fixture");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("create folders");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// Where [`Output::read`] and friends look: the site folder, or the temporary folder.
    pub(crate) root: PathBuf,
    /// Keeps the temporary folder alive after the [`SiteTest`] is dropped.
    _tmp: Rc<TempDir>,
}

impl Output {
    /// Panics unless the run exited with 0.
    #[track_caller]
    pub(crate) fn assert_success(&self) -> &Self {
        self.assert_exit(0)
    }

    /// Panics unless the run exited with `code`.
    #[track_caller]
    pub(crate) fn assert_exit(&self, code: i32) -> &Self {
        assert_eq!(
            self.status.code(),
            Some(code),
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Whether a file exists, relative to [`Output::root`].
    pub(crate) fn exists(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    /// A file's bytes.
    #[track_caller]
    pub(crate) fn read_bytes(&self, path: &str) -> Vec<u8> {
        let full = self.root.join(path);
        std::fs::read(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()))
    }

    /// A text file.
    #[track_caller]
    pub(crate) fn read(&self, path: &str) -> String {
        String::from_utf8(self.read_bytes(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A file parsed as an HTML document.
    #[track_caller]
    pub(crate) fn html(&self, path: &str) -> Html {
        Html::parse_document(&self.read(path))
    }

    /// The text of every element matching `css`, trimmed, in document order.
    #[track_caller]
    pub(crate) fn select_text(&self, path: &str, css: &str) -> Vec<String> {
        select(&self.html(path), css, |element| {
            element.text().collect::<String>().trim().to_string()
        })
    }

    /// The value of `attribute` on every element matching `css`, in document order.
    #[track_caller]
    pub(crate) fn select_attr(&self, path: &str, css: &str, attribute: &str) -> Vec<String> {
        select(&self.html(path), css, |element| {
            element
                .value()
                .attr(attribute)
                .unwrap_or_default()
                .to_string()
        })
    }
}

#[track_caller]
fn select<T>(html: &Html, css: &str, map: impl Fn(scraper::ElementRef<'_>) -> T) -> Vec<T> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
    html.select(&selector).map(map).collect()
}

/// Runs `yuanba check --format json` on `site`, checks that it exited with `code` and printed
/// nothing on stderr, and returns stdout: one diagnostic a line, as JSON.
#[track_caller]
pub(crate) fn check_json(site: &SiteTest, code: i32) -> String {
    let out = site.run(&["check", "--format", "json"]);
    out.assert_exit(code);
    assert_eq!(out.stderr, "");
    out.stdout
}

/// Reads an HTTP request from `stream` up to its blank line; its method and path (for the tiny
/// test servers of `links` and `search_browser`).
pub(crate) fn read_request(stream: &std::net::TcpStream) -> Option<(String, String)> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    Some((method, path))
}

/// `text` without white space or miette's `│` gutter, so a message that the renderer wrapped
/// across lines can still be searched: compare `squeeze(stderr).contains(&squeeze(needle))`.
pub(crate) fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

/// Whether `name` is `<stem>.<8 hex digits>.<extension>`, a fingerprinted asset's name.
pub(crate) fn is_fingerprinted(name: &str, stem: &str, extension: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    matches!(parts.as_slice(), [s, hash, e] if *s == stem && *e == extension
        && hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every file under `dir` with its bytes, by path relative to `dir`, for comparing trees.
pub(crate) fn snapshot_tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("read a folder") {
            let entry = entry.expect("read a folder");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("inside").to_path_buf();
                files.insert(relative, std::fs::read(&path).expect("read a file"));
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::normalize_time;

    #[test]
    fn only_the_trailing_build_time_is_normalized() {
        assert_eq!(
            normalize_time("built 1 story and 0 pages (4 files) into public/ in 12 ms\n"),
            "built 1 story and 0 pages (4 files) into public/ in [TIME]\n"
        );
        assert_eq!(normalize_time("in a ms\n"), "in a ms\n");
        assert_eq!(normalize_time("no time here"), "no time here");
    }
}
