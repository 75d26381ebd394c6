//! Publishing: a failed build leaves the last good site byte for byte, and output folders that
//! hold the user's files are refused before anything is written or deleted.

use crate::util::{SiteTest, snapshot_tree, story};

#[test]
fn failed_build_keeps_the_previous_site() {
    let site = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .file("static/images/a.svg", "<svg/>\n");
    site.run(&["build"]).assert_success();
    let public = site.root().join("public");
    let before = snapshot_tree(&public);
    assert!(before.len() >= 5, "{:?}", before.keys());

    site.write(
        "content/stories/bailian.md",
        b"---\ntitle: \xe7\x99\xbd\n---\n",
    );
    site.write(
        "content/stories/new.md",
        story("新稿", "2019-01-01", "新。").as_bytes(),
    );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert!(
        out.stderr
            .ends_with("error: build failed: 1 error in 1 file; public/ was left as it was\n"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot_tree(&public), before);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn successful_rebuild_replaces_the_site_and_leaves_no_staging_folder() {
    let site = SiteTest::fixture("plain").file(
        "content/stories/old.md",
        &story("旧稿", "2018-03-18", "正文。"),
    );
    site.run(&["build"]).assert_success();
    std::fs::remove_file(site.root().join("content/stories/old.md")).expect("remove");
    site.write(
        "content/stories/new.md",
        story("新稿", "2019-01-01", "新。").as_bytes(),
    );
    let out = site.run(&["build"]);
    out.assert_success();
    // Stale pages of removed stories do not survive a rebuild.
    assert!(!out.exists("public/stories/old/index.html"));
    assert!(out.exists("public/stories/new/index.html"));
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn a_reader_never_misses_the_home_page_while_the_site_is_rebuilt() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let site = SiteTest::fixture("plain").file(
        "content/stories/bailian.md",
        &story("白莲", "2018-03-18", "正文。"),
    );
    site.run(&["build"]).assert_success();
    let index = site.root().join("public/index.html");
    let done = AtomicBool::new(false);
    let (reads, misses) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                match std::fs::File::open(&index) {
                    Ok(_) => reads.fetch_add(1, Ordering::Relaxed),
                    Err(_) => misses.fetch_add(1, Ordering::Relaxed),
                };
            }
        });
        for n in 0..50 {
            // A changed story, so that every build publishes a different site.
            site.write(
                "content/stories/bailian.md",
                story("白莲", "2018-03-18", &format!("第{n}版。")).as_bytes(),
            );
            site.run(&["build"]).assert_success();
        }
        done.store(true, Ordering::Relaxed);
    });
    assert!(reads.load(Ordering::Relaxed) > 50, "the reader ran");
    assert_eq!(
        misses.load(Ordering::Relaxed),
        0,
        "public/index.html was missing"
    );
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn rebuild_links_unchanged_files_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("甲", "2018-03-18", "不变。"))
        .file(
            "content/stories/b.md",
            &story("乙", "2018-03-19", "旧的正文。"),
        );
    site.run(&["build"]).assert_success();
    let inode = |path: &str| {
        std::fs::metadata(site.root().join(path))
            .expect("built file")
            .ino()
    };
    let a_before = inode("public/stories/a/index.html");
    let b_before = inode("public/stories/b/index.html");
    site.write(
        "content/stories/b.md",
        story("乙", "2018-03-19", "新的正文。").as_bytes(),
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(inode("public/stories/a/index.html"), a_before);
    assert_ne!(inode("public/stories/b/index.html"), b_before);
    assert!(
        out.read("public/stories/b/index.html")
            .contains("新的正文。")
    );
    assert!(
        !out.read("public/stories/b/index.html")
            .contains("旧的正文。")
    );
}

/// Folders beside `public/` that a publish uses on the way.
fn leftovers(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .expect("read the site folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with(".public."))
        .collect()
}

#[track_caller]
fn assert_refused(output_flag: &str, expected: &str) {
    let site = SiteTest::fixture("plain").file(
        "content/stories/bailian.md",
        &story("白莲", "2018-03-18", "正文。"),
    );
    let sentinels = [
        site.tmp().join("sentinel.txt"),
        site.root().join("sentinel.txt"),
        site.root().join("content/sentinel.txt"),
    ];
    for sentinel in &sentinels {
        std::fs::write(sentinel, "keep me\n").expect("write sentinel");
    }
    let before_root = snapshot_tree(site.root());
    let out = site.run(&["build", "--output", output_flag]);
    out.assert_exit(2);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, expected);
    for sentinel in &sentinels {
        assert_eq!(
            std::fs::read_to_string(sentinel).expect("sentinel survives"),
            "keep me\n"
        );
    }
    assert_eq!(snapshot_tree(site.root()), before_root);
    assert!(!site.root().join("public").exists());
}

#[test]
fn output_in_the_site_root_is_refused() {
    assert_refused(
        ".",
        "error: refusing to write the site to [ROOT]: it is the site root\n",
    );
}

#[test]
fn output_in_the_content_folder_is_refused() {
    assert_refused(
        "content",
        "error: refusing to write the site to [ROOT]/content: it is the site's content/ folder\n",
    );
}

#[test]
fn output_in_the_parent_of_the_root_is_refused() {
    assert_refused(
        "..",
        "error: refusing to write the site to [TMP]: it contains the site root\n",
    );
}

#[test]
fn output_inside_a_source_folder_is_refused() {
    assert_refused(
        "static/out",
        "error: refusing to write the site to [ROOT]/static/out: it is inside the site's static/ folder\n",
    );
}

#[test]
fn output_through_a_missing_folder_and_dot_dot_is_resolved_first() {
    // `nope/../..` is the parent of the root: refused, not renamed away.
    assert_refused(
        "nope/../..",
        "error: refusing to write the site to [TMP]: it contains the site root\n",
    );
}

#[test]
fn output_that_is_a_file_or_a_foreign_folder_is_refused() {
    let site = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .file("notes.txt", "keep me\n")
        .file("mine/keep.txt", "keep me\n");
    let out = site.run(&["build", "--output", "notes.txt"]);
    out.assert_exit(2);
    assert!(
        out.stderr.contains("it is a file, not a folder"),
        "{}",
        out.stderr
    );
    let out = site.run(&["build", "--output", "mine"]);
    out.assert_exit(2);
    assert!(
        out.stderr.contains("yuanba did not write"),
        "{}",
        out.stderr
    );
    assert_eq!(out.read("notes.txt"), "keep me\n");
    assert_eq!(out.read("mine/keep.txt"), "keep me\n");
    // A folder yuanba built is replaced without complaint.
    site.run(&["build", "--output", "built"]).assert_success();
    site.run(&["build", "--output", "built"]).assert_success();
}

#[test]
fn output_that_is_a_symbolic_link_is_refused() {
    let site = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .file("www/keep.txt", "keep me\n");
    std::os::unix::fs::symlink(site.root().join("www"), site.root().join("public"))
        .expect("symlink");
    let out = site.run(&["build"]);
    out.assert_exit(2);
    assert!(
        out.stderr.contains("it is a symbolic link"),
        "{}",
        out.stderr
    );
    assert!(site.root().join("public").is_symlink());
    assert_eq!(out.read("www/keep.txt"), "keep me\n");
}

#[test]
fn output_elsewhere_is_written() {
    let site = SiteTest::fixture("plain").file(
        "content/stories/bailian.md",
        &story("白莲", "2018-03-18", "正文。"),
    );
    let out = site.run(&["build", "--output", "../www"]);
    out.assert_success();
    assert_eq!(
        out.stdout,
        "built 1 story and 0 pages (26 files) into [TMP]/www/ in [TIME]\n"
    );
    assert!(site.tmp().join("www/stories/bailian/index.html").is_file());
    assert!(!site.root().join("public").exists());
}

#[test]
fn leftovers_of_dead_builds_are_removed_and_live_ones_kept() {
    let site = SiteTest::fixture("plain").file(
        "content/stories/bailian.md",
        &story("白莲", "2018-03-18", "正文。"),
    );
    let dead = site.root().join(".public.staging-99999999");
    let live = site
        .root()
        .join(format!(".public.staging-{}", std::process::id()));
    let unrelated = site.root().join(".public.staging-notes");
    for dir in [&dead, &live, &unrelated] {
        std::fs::create_dir_all(dir).expect("create");
    }
    site.run(&["build"]).assert_success();
    assert!(!dead.exists());
    assert!(
        live.exists(),
        "a running build's staging folder is left alone"
    );
    assert!(unrelated.exists(), "only names yuanba makes are touched");
}

#[test]
fn an_output_folder_set_in_site_yaml_is_refused_at_its_line() {
    let site = SiteTest::fixture("plain")
        .config("title: 华西社区报\nbase_url: https://example.org/\noutput_dir: ..\n")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        );
    let before = snapshot_tree(site.tmp());
    let out = site.run(&["build"]);
    out.assert_exit(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        concat!(
            "config/output-dir",
            "

  × refusing to write the site to [TMP]: it contains the site root
   ╭─[site.yaml:3:13]
 2 │ base_url: https://example.org/
 3 │ output_dir: ..
   ·             ─┬
   ·              ╰── `output_dir` set here
   ╰────
  help: choose another `output_dir` in site.yaml, such as `public`

"
        )
    );
    assert_eq!(snapshot_tree(site.tmp()), before);
}
