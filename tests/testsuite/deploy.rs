//! `yuanba deploy` against real servers on loopback: an S3 server (`rclone serve s3`, which
//! checks every signature, from `.test-tools/`, installed by `scripts/test-tools`), rsync to a
//! local folder and git to a local bare repository.
//!
//! Set `YUANBA_SKIP_S3_TESTS=1` to leave the S3 tests out on a machine without rclone.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Output, SiteTest, snapshot_tree, story};

const KEY: &str = "yuanbatestkey";
const SECRET: &str = "yuanba-test-secret-9f2c81";

/// `rclone serve s3` on a free loopback port, serving the buckets under a folder of its own.
struct S3Server {
    child: Child,
    port: u16,
    /// Each bucket is a folder here.
    dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl S3Server {
    /// A server with an empty bucket `news`; `None` (the test is skipped) when rclone is missing
    /// and `YUANBA_SKIP_S3_TESTS` is set.
    fn start() -> Option<S3Server> {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(tmp.path().join("news")).expect("bucket folder");
        let dir = tmp.path().to_path_buf();
        let mut server = S3Server::serve(&dir)?;
        server.tmp = Some(tmp);
        Some(server)
    }

    /// A server for the buckets in `dir`.
    fn serve(dir: &Path) -> Option<S3Server> {
        let rclone = Path::new(env!("CARGO_MANIFEST_DIR")).join(".test-tools/venv/bin/rclone");
        if !rclone.is_file() {
            assert!(
                std::env::var_os("YUANBA_SKIP_S3_TESTS").is_some(),
                "{} is missing: run scripts/test-tools (scripts/test does), or set \
                 YUANBA_SKIP_S3_TESTS=1",
                rclone.display()
            );
            eprintln!("skipped: rclone is missing and YUANBA_SKIP_S3_TESTS is set");
            return None;
        }
        let (child, port) = serve_on_a_free_port("rclone serve s3", |port| {
            Command::new(&rclone)
                .args(["serve", "s3", "--auth-key", &format!("{KEY},{SECRET}")])
                .args(["--addr", &format!("127.0.0.1:{port}")])
                .arg(dir)
                .env("RCLONE_CONFIG", "/dev/null")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start rclone")
        });
        Some(S3Server {
            child,
            port,
            dir: dir.to_path_buf(),
            tmp: None,
        })
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The objects of a bucket, by key, with their bytes (rclone keeps them as files).
    fn objects(&self, bucket: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut objects = snapshot_tree(&self.dir.join(bucket));
        // Uploads rclone was receiving when it was killed.
        objects.retain(|path, _| {
            !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(".rclone_temp"))
        });
        objects
    }

    /// A header of an object, as the server sends it.
    fn header(&self, bucket: &str, key: &str, name: &str) -> Option<String> {
        use rusty_s3::S3Action as _;
        let endpoint: url::Url = self.endpoint().parse().expect("url");
        let bucket = rusty_s3::Bucket::new(
            endpoint,
            rusty_s3::UrlStyle::Path,
            bucket.to_string(),
            "us-east-1",
        )
        .expect("bucket");
        let credentials = rusty_s3::Credentials::new(KEY, SECRET);
        let url = bucket
            .head_object(Some(&credentials), key)
            .sign(Duration::from_mins(1));
        let response = ureq::head(url.as_str()).call().expect("HEAD");
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts a server with `spawn` on a port that was free a moment ago, until one takes (a
/// server fails at once if its port was taken since), and waits until it accepts connections.
fn serve_on_a_free_port(what: &str, mut spawn: impl FnMut(u16) -> Child) -> (Child, u16) {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut child = spawn(port);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (child, port);
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("{what} did not start");
}

/// A site with two stories and a deploy target for the server.
fn site_for(server: &S3Server, prefix: &str) -> SiteTest {
    SiteTest::fixture("plain")
        .config(&config(&server.endpoint(), prefix))
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .file(
            "content/stories/donglin.md",
            &story("东林", "2018-03-19", "东林正文。"),
        )
        .file(
            "static/images/a.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        )
}

fn config(endpoint: &str, prefix: &str) -> String {
    format!(
        "title: 华西社区报\nbase_url: https://example.org/\ndeploy:\n  - name: production\n    \
         kind: s3\n    bucket: news\n    prefix: \"{prefix}\"\n    endpoint: {endpoint}\n    \
         region: us-east-1\n    path_style: true\n"
    )
}

/// Runs `yuanba deploy ARGS` with the test keys (or `keys`), and a home folder of its own so
/// that no `~/.aws/credentials` of the machine is read.
fn deploy(site: &SiteTest, args: &[&str], keys: Option<(&str, &str)>) -> Output {
    let home = site.tmp().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let home = home.display().to_string();
    let mut envs = vec![("HOME", home.as_str())];
    if let Some((key, secret)) = keys {
        envs.push(("AWS_ACCESS_KEY_ID", key));
        envs.push(("AWS_SECRET_ACCESS_KEY", secret));
    }
    let mut all = vec!["deploy"];
    all.extend_from_slice(args);
    site.run_env_clean(
        &all,
        &envs,
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_SHARED_CREDENTIALS_FILE",
        ],
    )
}

#[allow(clippy::unnecessary_wraps, reason = "what `deploy` takes")]
fn keys() -> Option<(&'static str, &'static str)> {
    Some((KEY, SECRET))
}

/// The built site's files, the marker left out.
fn public_files(site: &SiteTest) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot_tree(&site.root().join("public"));
    files.remove(Path::new(".yuanba-output"));
    files
}

/// The keys a dry run says it would upload.
fn planned_uploads(out: &Output) -> BTreeSet<String> {
    out.stdout
        .lines()
        .filter_map(|line| line.strip_prefix("upload "))
        .filter_map(|rest| {
            rest.split("  ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .nth(1)
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_first_deploy_makes_the_bucket_equal_to_the_site_with_types_and_cache_lifetimes() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    site.run(&["build"]).assert_success();

    let dry = deploy(&site, &["--dry-run"], keys());
    dry.assert_success();
    assert!(
        server.objects("news").is_empty(),
        "a dry run changes nothing"
    );
    let n_files = public_files(&site).len();
    assert_eq!(planned_uploads(&dry).len(), n_files, "{}", dry.stdout);
    assert!(
        dry.stdout.ends_with(&format!(
            "dry run: would upload {n_files} files (0.0 MB), delete 0, leave 0 unchanged on \
             production (s3://news/ at {}); nothing was changed\n",
            server.endpoint()
        )),
        "{}",
        dry.stdout
    );

    let out = deploy(&site, &[], keys());
    out.assert_success();
    assert_eq!(out.stderr, "");
    assert!(
        out.stdout.starts_with(&format!(
            "deployed to production (s3://news/ at {}): uploaded {n_files} files",
            server.endpoint()
        )),
        "{}",
        out.stdout
    );
    assert_eq!(server.objects("news"), public_files(&site));
    let header = |key: &str, name: &str| server.header("news", key, name).unwrap_or_default();
    assert_eq!(
        header("index.html", "content-type"),
        "text/html; charset=utf-8"
    );
    assert_eq!(header("index.html", "cache-control"), "public, max-age=300");
    assert_eq!(
        header("style.css", "content-type"),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        header("atom.xml", "content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(
        header("images/a.svg", "content-type"),
        "image/svg+xml; charset=utf-8"
    );
    assert_eq!(
        header("images/a.svg", "cache-control"),
        "public, max-age=3600"
    );
    assert_eq!(
        header("index.html", "x-amz-meta-yuanba-md5").len(),
        32,
        "each object carries its MD5"
    );
    assert!(
        !server.dir.join("news/.yuanba-output").exists(),
        "the marker is never deployed"
    );

    // Again: nothing to do.
    let again = deploy(&site, &[], keys());
    again.assert_success();
    assert!(
        again.stdout.contains(&format!(
            "uploaded 0 files (0.0 MB), deleted 0, unchanged {n_files} in"
        )),
        "{}",
        again.stdout
    );
}

#[test]
fn a_one_story_edit_uploads_exactly_the_files_the_rebuild_changed_and_a_deleted_story_goes() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    site.run(&["build"]).assert_success();
    deploy(&site, &[], keys()).assert_success();
    let before = public_files(&site);

    site.write(
        "content/stories/bailian.md",
        story("白莲", "2018-03-18", "改过的正文。").as_bytes(),
    );
    site.run(&["build"]).assert_success();
    let after = public_files(&site);
    let changed: BTreeSet<String> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        changed.contains("stories/bailian/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains("stories/donglin/index.html"),
        "{changed:?}"
    );
    let dry = deploy(&site, &["--dry-run"], keys());
    assert_eq!(planned_uploads(&dry), changed, "{}", dry.stdout);
    deploy(&site, &[], keys()).assert_success();
    assert_eq!(server.objects("news"), after);

    // A deleted story's page goes from the bucket.
    std::fs::remove_file(site.root().join("content/stories/donglin.md")).expect("remove");
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &[], keys());
    out.assert_success();
    assert!(!server.dir.join("news/stories/donglin/index.html").exists());
    assert_eq!(server.objects("news"), public_files(&site));
    assert!(out.stdout.contains(", deleted 1, "), "{}", out.stdout);
}

#[test]
fn uploads_go_assets_then_pages_then_indexes_and_deletions_last() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    site.run(&["build"]).assert_success();
    // An object the site does not have, to be deleted.
    std::fs::write(server.dir.join("news/old.html"), "old").expect("write");
    deploy(&site, &[], keys()).assert_success();
    assert!(!server.dir.join("news/old.html").exists());
    // rclone writes each object when its upload arrives: every asset was written before any
    // page, every page before any feed, the sitemap or the search manifest.
    let written = |key: &Path| {
        std::fs::metadata(server.dir.join("news").join(key))
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let mut by_phase: BTreeMap<u8, Vec<std::time::SystemTime>> = BTreeMap::new();
    for key in public_files(&site).keys() {
        let name = key.display().to_string();
        let extension = key.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let phase = if extension == "html" {
            1
        } else if extension == "xml" || name == "robots.txt" || name == "search/manifest.json" {
            2
        } else {
            0
        };
        by_phase.entry(phase).or_default().push(written(key));
    }
    let last = |phase: u8| by_phase[&phase].iter().max().copied().expect("files");
    let first = |phase: u8| by_phase[&phase].iter().min().copied().expect("files");
    assert!(last(0) <= first(1), "an asset was written after a page");
    assert!(last(1) <= first(2), "a page was written after an index");
}

#[test]
fn a_prefix_keeps_the_site_under_it_and_leaves_the_rest_of_the_bucket_alone() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "/news-site/");
    std::fs::create_dir_all(server.dir.join("news/other")).expect("mkdir");
    std::fs::write(server.dir.join("news/other/keep.txt"), "keep").expect("write");
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &[], keys());
    out.assert_success();
    assert!(
        out.stdout.contains("(s3://news/news-site/ at"),
        "{}",
        out.stdout
    );
    assert_eq!(
        snapshot_tree(&server.dir.join("news/news-site")),
        public_files(&site)
    );
    assert_eq!(
        std::fs::read_to_string(server.dir.join("news/other/keep.txt")).expect("kept"),
        "keep"
    );
}

#[test]
fn too_many_deletions_are_refused_before_anything_changes() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    for n in 0..5 {
        std::fs::write(server.dir.join(format!("news/old-{n}.html")), "old").expect("write");
    }
    site.run(&["build"]).assert_success();
    let before = server.objects("news");
    let out = deploy(&site, &["--max-deletes", "3"], keys());
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: this deploy would delete 5 remote files, more than --max-deletes 3 allows: \
         old-0.html, old-1.html, old-2.html, old-3.html, old-4.html; nothing was changed. If \
         that is what you want (a site that moved, a changed prefix), run it again with \
         --max-deletes 5\n"
    );
    assert_eq!(server.objects("news"), before);
    deploy(&site, &["--max-deletes", "5"], keys()).assert_success();
    assert_eq!(server.objects("news"), public_files(&site));
}

#[test]
fn a_wrong_secret_or_missing_credentials_exit_2_without_printing_a_secret() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    site.run(&["build"]).assert_success();
    let wrong = "wrong-secret-5e7a";
    let out = deploy(&site, &[], Some((KEY, wrong)));
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: cannot list s3://news/: 403 Forbidden: SignatureDoesNotMatch: The request \
         signature we calculated does not match the signature you provided. Check your key and \
         signing method.\n"
    );
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
    assert!(server.objects("news").is_empty());

    let out = deploy(&site, &[], None);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put a \
         [default] profile with aws_access_key_id and aws_secret_access_key in \
         [TMP]/home/.aws/credentials (AWS_PROFILE chooses the profile)\n"
    );

    // The profile file works too, and its secret is not printed either.
    let aws = site.tmp().join("home/.aws");
    std::fs::create_dir_all(&aws).expect("mkdir");
    std::fs::write(
        aws.join("credentials"),
        format!("[site]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"),
    )
    .expect("write");
    let home = site.tmp().join("home").display().to_string();
    let out = site.run_env_clean(
        &["deploy"],
        &[("HOME", home.as_str()), ("AWS_PROFILE", "site")],
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
    );
    out.assert_success();
    assert!(!out.stdout.contains(SECRET) && !out.stderr.contains(SECRET));
    assert_eq!(server.objects("news"), public_files(&site));
}

/// A site of 1 500 more files than [`site_for`]'s and a bucket with an object it no longer has,
/// and a deploy of it that has begun to upload (20 files are in the bucket).
fn start_a_long_deploy(server: &S3Server, args: &[&str]) -> (SiteTest, Child) {
    let mut site = site_for(server, "");
    for n in 0..1500 {
        site = site.file(&format!("static/files/{n:04}.txt"), &format!("file {n}\n"));
    }
    std::fs::write(server.dir.join("news/gone.html"), "old").expect("write");
    site.run(&["build"]).assert_success();
    let mut all = vec!["deploy"];
    all.extend_from_slice(args);
    let child = site.spawn_env_clean(
        &all,
        &[
            ("AWS_ACCESS_KEY_ID", KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
        ],
    );
    let files = server.dir.join("news/files");
    let deadline = Instant::now() + Duration::from_mins(1);
    while Instant::now() < deadline && std::fs::read_dir(&files).map_or(0, Iterator::count) < 20 {
        std::thread::sleep(Duration::from_millis(2));
    }
    (site, child)
}

/// Waits for a deploy that was cut off: it exits 2, has deleted nothing and uploaded no page
/// (the assets come first). Returns what it printed.
fn assert_cut_off(child: Child, server: &S3Server) -> String {
    let output = child.wait_with_output().expect("deploy ends");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        server.dir.join("news/gone.html").exists(),
        "nothing was deleted"
    );
    assert!(
        !server.dir.join("news/index.html").exists(),
        "no page before its assets"
    );
    stderr
}

#[test]
fn a_deploy_cut_off_by_a_dead_server_deletes_nothing_and_the_next_one_completes_it() {
    let Some(mut server) = S3Server::start() else {
        return;
    };
    let (site, child) = start_a_long_deploy(&server, &["--max-deletes", "1"]);
    server.kill();
    let stderr = assert_cut_off(child, &server);
    assert!(
        stderr.contains(
            "were uploaded and nothing was deleted, so every page still finds what it links \
             to: run `yuanba deploy` again to finish"
        ),
        "{stderr}"
    );

    // The same bucket, served again (on another port).
    let server = S3Server::serve(&server.dir.clone()).expect("rclone");
    site.write("site.yaml", config(&server.endpoint(), "").as_bytes());
    deploy(&site, &["--max-deletes", "1"], keys()).assert_success();
    assert_eq!(server.objects("news"), public_files(&site));
}

#[test]
fn a_site_built_with_drafts_or_nothing_built_is_refused() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let site = site_for(&server, "");
    let out = deploy(&site, &[], keys());
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: there is no built site in public/: run `yuanba build` first\n"
    );
    site.run(&["build", "--drafts"]).assert_success();
    let out = deploy(&site, &[], keys());
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: public/ was built with --drafts, so it may publish stories that are not ready: \
         run `yuanba build` without it, or pass --allow-drafts\n"
    );
    assert!(server.objects("news").is_empty());
    deploy(&site, &["--allow-drafts"], keys()).assert_success();
    assert_eq!(server.objects("news"), public_files(&site));
    // A folder yuanba did not write.
    std::fs::remove_file(site.root().join("public/.yuanba-output")).expect("remove");
    let out = deploy(&site, &[], keys());
    out.assert_exit(2);
    assert!(
        out.stderr.contains("was not written by `yuanba build`"),
        "{}",
        out.stderr
    );
}

#[test]
fn targets_are_checked_at_their_line_and_chosen_by_name() {
    let site = SiteTest::fixture("plain").config(
        "title: t\nbase_url: https://example.org/\ndeploy:\n  - name: production\n    kind: ftp\n    host: x\n",
    );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert!(out.stderr.starts_with("config/invalid"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("unknown variant `ftp`, expected one of `s3`, `rsync`, `git`"),
        "{}",
        out.stderr
    );

    let site = SiteTest::fixture("plain").config(
        "title: t\nbase_url: https://example.org/\ndeploy:\n  - name: production\n    kind: s3\n    bucket: news\n    endpoint: oss-cn-chengdu.aliyuncs.com\n",
    );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);

    let site = SiteTest::fixture("plain")
        .config("title: t\nbase_url: https://example.org/\ndeploy:\n  - name: a\n    kind: rsync\n    dest: /tmp/x/\n")
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"));
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &["--target", "b"], None);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: site.yaml has no deploy target `b`; its targets are: a\n"
    );
}

#[test]
fn rsync_to_a_folder_copies_the_site_and_deletes_what_it_no_longer_has() {
    let site = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"))
        .file("content/stories/b.md", &story("乙", "2018-03-19", "正文。"));
    let dest = site.tmp().join("www");
    site.write(
        "site.yaml",
        format!(
            "title: t\nbase_url: https://example.org/\ndeploy:\n  - name: vps\n    kind: rsync\n    dest: {}\n",
            dest.display()
        )
        .as_bytes(),
    );
    site.run(&["build"]).assert_success();
    let dry = deploy(&site, &["--dry-run"], None);
    dry.assert_success();
    assert!(
        !dest.join("index.html").exists(),
        "a dry run changes nothing"
    );
    let out = deploy(&site, &[], None);
    out.assert_success();
    assert_eq!(snapshot_tree(&dest), public_files(&site));
    std::fs::write(dest.join("stray.html"), "x").expect("write");
    std::fs::remove_file(site.root().join("content/stories/b.md")).expect("remove");
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &["--max-deletes", "1"], None);
    out.assert_exit(2);
    assert!(
        out.stderr.contains("would delete 2 files"),
        "{}",
        out.stderr
    );
    assert!(dest.join("stories/b/index.html").exists());
    deploy(&site, &[], None).assert_success();
    assert_eq!(snapshot_tree(&dest), public_files(&site));
}

#[test]
fn git_makes_the_site_the_tree_of_the_branch_one_commit_per_deploy() {
    let site = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"));
    let bare = site.tmp().join("pages.git");
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .arg("--git-dir")
            .arg(&bare)
            .args(args)
            .output()
            .expect("git");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    git(&["init", "--bare", "--quiet"]);
    site.write(
        "site.yaml",
        format!(
            "title: 华西社区报\nbase_url: https://example.org/\ndeploy:\n  - name: pages\n    kind: git\n    repository: {}\n    branch: pages\n",
            bare.display()
        )
        .as_bytes(),
    );
    site.run(&["build"]).assert_success();
    deploy(&site, &[], None).assert_success();
    let tree: BTreeSet<String> = git(&["ls-tree", "-r", "--name-only", "pages"])
        .lines()
        .map(str::to_string)
        .collect();
    let files: BTreeSet<String> = public_files(&site)
        .keys()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(tree, files);
    assert_eq!(
        git(&["show", "pages:index.html"]).into_bytes(),
        std::fs::read(site.root().join("public/index.html")).expect("read")
    );
    let message = git(&["log", "-1", "--format=%B", "pages"]);
    assert!(
        message.starts_with("Deploy 华西社区报\n\nBuilt: "),
        "{message}"
    );
    assert!(message.contains("\nDeployed-by: yuanba\n"), "{message}");

    // An edit: one more commit; no change: none.
    site.write(
        "content/stories/a.md",
        story("甲", "2018-03-18", "改。").as_bytes(),
    );
    site.run(&["build"]).assert_success();
    deploy(&site, &[], None).assert_success();
    deploy(&site, &[], None).assert_success();
    assert_eq!(git(&["rev-list", "--count", "pages"]).trim(), "2");

    // A commit someone else made on the branch: refused, never pushed over.
    let head = git(&["rev-parse", "pages"]);
    let tree = git(&["rev-parse", "pages^{tree}"]);
    let foreign = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["-c", "user.name=x", "-c", "user.email=x@example.org"])
        .args([
            "commit-tree",
            tree.trim(),
            "-p",
            head.trim(),
            "-m",
            "Add CNAME",
        ])
        .output()
        .expect("git");
    let foreign = String::from_utf8_lossy(&foreign.stdout).trim().to_string();
    git(&["update-ref", "refs/heads/pages", &foreign]);
    site.write(
        "content/stories/a.md",
        story("甲", "2018-03-18", "再改。").as_bytes(),
    );
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &[], None);
    out.assert_exit(2);
    assert!(
        out.stderr
            .contains("has commits yuanba did not make (such as ")
            && out.stderr.contains(" Add CNAME)"),
        "{}",
        out.stderr
    );
    assert_eq!(git(&["rev-parse", "pages"]).trim(), foreign);
}

#[test]
fn ctrl_c_stops_a_deploy_before_it_deletes_anything() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let (site, child) = start_a_long_deploy(&server, &[]);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let stderr = assert_cut_off(child, &server);
    assert!(stderr.starts_with("error: interrupted; "), "{stderr}");
    deploy(&site, &[], keys()).assert_success();
    assert_eq!(server.objects("news"), public_files(&site));
}

/// `sshd` on a free loopback port that lets in one key, for rsync over SSH.
struct SshServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SshServer {
    /// `None` (the test is skipped) when sshd is missing and `YUANBA_SKIP_SSH_TESTS` is set.
    fn start() -> Option<SshServer> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.is_file() {
            assert!(
                std::env::var_os("YUANBA_SKIP_SSH_TESTS").is_some(),
                "/usr/sbin/sshd is missing: run scripts/test-tools (scripts/test does), or set \
                 YUANBA_SKIP_SSH_TESTS=1"
            );
            eprintln!("skipped: sshd is missing and YUANBA_SKIP_SSH_TESTS is set");
            return None;
        }
        // sshd's privilege separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let dir = tempfile::tempdir().expect("temp dir");
        for key in ["host_key", "client_key"] {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(dir.path().join(key))
                .status()
                .expect("ssh-keygen");
            assert!(status.success());
        }
        std::fs::copy(
            dir.path().join("client_key.pub"),
            dir.path().join("authorized_keys"),
        )
        .expect("copy");
        let config = dir.path().join("sshd_config");
        let (child, port) = serve_on_a_free_port("sshd", |port| {
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListenAddress 127.0.0.1\nHostKey {0}/host_key\n\
                     AuthorizedKeysFile {0}/authorized_keys\nPidFile {0}/sshd.pid\n\
                     StrictModes no\nUsePAM no\nPasswordAuthentication no\n\
                     KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n",
                    dir.path().display()
                ),
            )
            .expect("write");
            Command::new(sshd)
                .args(["-D", "-e", "-f"])
                .arg(&config)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start sshd")
        });
        Some(SshServer { child, port, dir })
    }

    /// What the user's SSH setup would say: the key and the port (through `RSYNC_RSH`).
    fn rsync_rsh(&self) -> String {
        format!(
            "ssh -i {} -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o BatchMode=yes -o LogLevel=ERROR",
            self.dir.path().join("client_key").display(),
            self.port
        )
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn rsync_over_ssh_to_a_loopback_server_in_two_passes() {
    let Some(server) = SshServer::start() else {
        return;
    };
    let site = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"))
        .file("content/stories/b.md", &story("乙", "2018-03-19", "正文。"));
    let dest = site.tmp().join("www");
    let user = String::from_utf8(Command::new("id").arg("-un").output().expect("id").stdout)
        .expect("utf-8");
    site.write(
        "site.yaml",
        format!(
            "title: t\nbase_url: https://example.org/\ndeploy:\n  - name: vps\n    kind: rsync\n    dest: {}@127.0.0.1:{}/\n",
            user.trim(),
            dest.display()
        )
        .as_bytes(),
    );
    site.run(&["build"]).assert_success();
    let rsh = server.rsync_rsh();
    let run = |args: &[&str]| {
        let mut all = vec!["deploy"];
        all.extend_from_slice(args);
        site.run_env(&all, &[("RSYNC_RSH", rsh.as_str())])
    };
    let out = run(&[]);
    out.assert_success();
    assert_eq!(snapshot_tree(&dest), public_files(&site));
    std::fs::remove_file(site.root().join("content/stories/b.md")).expect("remove");
    site.run(&["build"]).assert_success();
    let dry = run(&["--dry-run"]);
    dry.assert_success();
    assert!(
        dry.stdout.contains("*deleting   stories/b/index.html"),
        "{}",
        dry.stdout
    );
    assert!(
        dest.join("stories/b/index.html").exists(),
        "a dry run changes nothing"
    );
    run(&[]).assert_success();
    assert_eq!(snapshot_tree(&dest), public_files(&site));
}

#[test]
fn a_server_that_does_not_answer_or_a_bad_ca_bundle_is_refused_before_any_change() {
    // A port nothing listens on: the listing is retried, then the deploy stops.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let site = SiteTest::fixture("plain")
        .config(&config(&format!("http://127.0.0.1:{port}"), ""))
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"));
    site.run(&["build"]).assert_success();
    let out = deploy(&site, &[], keys());
    out.assert_exit(2);
    assert!(
        out.stderr.starts_with("error: cannot list s3://news/: ")
            && out.stderr.ends_with(" (after 5 attempts)\n"),
        "{}",
        out.stderr
    );
    // A CA bundle that cannot be read.
    let home = site.tmp().join("home").display().to_string();
    let out = site.run_env_clean(
        &["deploy"],
        &[
            ("HOME", home.as_str()),
            ("AWS_ACCESS_KEY_ID", KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_CA_BUNDLE", "/nonexistent/ca.pem"),
        ],
        &["AWS_SESSION_TOKEN", "AWS_PROFILE"],
    );
    out.assert_exit(2);
    assert!(
        out.stderr
            .starts_with("error: cannot read AWS_CA_BUNDLE /nonexistent/ca.pem: "),
        "{}",
        out.stderr
    );
}

#[test]
fn rsync_or_git_missing_says_how_to_install_it() {
    let site = SiteTest::fixture("plain")
        .config(
            "title: t\nbase_url: https://example.org/\ndeploy:\n  - name: vps\n    kind: rsync\n    \
             dest: /tmp/nowhere/\n  - name: pages\n    kind: git\n    repository: /tmp/nowhere.git\n",
        )
        .file("content/stories/a.md", &story("甲", "2018-03-18", "正文。"));
    site.run(&["build"]).assert_success();
    // A PATH with neither program.
    let empty = site.tmp().join("empty-path");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let path = empty.display().to_string();
    let out = site.run_env(&["deploy"], &[("PATH", path.as_str())]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: rsync is not installed: install it (`apt-get install rsync`, `brew install \
         rsync`) on this machine and on the server\n"
    );
    let out = site.run_env(&["deploy", "--target", "pages"], &[("PATH", path.as_str())]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: git is not installed: install it (`apt-get install git`)\n"
    );
}
