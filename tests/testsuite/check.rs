//! `yuanba check`: every problem of a broken site in one run (human and JSON forms), a clean
//! summary for a clean site, `--strict`, and that it writes nothing.

use crate::util::{SiteTest, snapshot_tree, story};

/// The `broken` fixture, plus the files that are better made here than committed: a story in
/// GBK and a 1.2 MB animation (a GIF is published as it is, so its size is worth a warning;
/// a photo is not: it is published as small variants).
fn broken_site() -> SiteTest {
    // `白莲` in GBK.
    let mut gbk = b"---\ntitle: ".to_vec();
    gbk.extend_from_slice(b"\xb0\xd7\xc1\xab");
    gbk.extend_from_slice("\ndate: 2018-03-20\n---\n".as_bytes());
    SiteTest::fixture("broken")
        .bytes("content/stories/2018/gbk.md", &gbk)
        .bytes(
            "content/stories/2018/big-image/big.gif",
            &[b"GIF89a".as_slice(), &vec![0u8; 1_200_000]].concat(),
        )
}

#[test]
fn every_problem_of_the_broken_site_in_one_run() {
    let out = broken_site().run(&["check"]);
    out.assert_exit(1);
    // Every diagnostic, grouped by file (stderr), then the summary line (stdout).
    insta::assert_snapshot!(format!("{}{}", out.stderr, out.stdout));
}

#[test]
fn every_problem_of_the_broken_site_as_json() {
    let out = broken_site().run(&["check", "--format", "json"]);
    out.assert_exit(1);
    assert_eq!(out.stderr, "");
    for line in out.stdout.lines() {
        let object: serde_json::Value = serde_json::from_str(line).expect("one object a line");
        let keys: Vec<&str> = object
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "code", "column", "file", "help", "line", "message", "severity"
            ]
        );
    }
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn the_broken_site_covers_every_kind_of_problem() {
    let out = broken_site().run(&["check", "--format", "json"]);
    let codes: std::collections::BTreeSet<String> = out
        .stdout
        .lines()
        .map(|line| {
            let object: serde_json::Value = serde_json::from_str(line).expect("JSON");
            object["code"].as_str().expect("a code").to_string()
        })
        .collect();
    for code in [
        "front-matter/empty-file",
        "front-matter/missing",
        "front-matter/unclosed",
        "content/encoding",
        "front-matter/unknown-field",
        "front-matter/date",
        "front-matter/invalid",
        "front-matter/missing-field",
        "places/unknown",
        "link/not-found",
        "link/unpublished",
        "link/anchor",
        "image/not-found",
        "editorial/image-alt",
        "editorial/photo-credit",
        "editorial/image-size",
        "editorial/title-length",
        "editorial/title-punctuation",
        "editorial/no-highlights",
        "editorial/reporter-typo",
    ] {
        assert!(codes.contains(code), "no {code} in {codes:?}");
    }
}

#[test]
fn the_example_site_prints_only_a_clean_summary() {
    let test = SiteTest::new();
    let out = test.run_bare(&["check", "--root", env!("CARGO_MANIFEST_DIR")]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "checked 3 stories and 2 pages: no problems\n");
}

#[test]
fn check_writes_nothing() {
    let test = broken_site();
    let before = snapshot_tree(test.tmp());
    test.run(&["check"]).assert_exit(1);
    let clean = SiteTest::fixture("plain").file(
        "content/stories/a.md",
        &story("白莲", "2018-03-20", "正文。"),
    );
    let clean_before = snapshot_tree(clean.tmp());
    clean.run(&["check"]).assert_success();
    assert_eq!(snapshot_tree(test.tmp()), before);
    assert_eq!(snapshot_tree(clean.tmp()), clean_before);
}

#[test]
fn warnings_pass_unless_strict() {
    // No highlights: one warning.
    let site = SiteTest::fixture("plain").file(
        "content/stories/a.md",
        &story("白莲", "2018-03-20", "正文。"),
    );
    let relaxed = site.run(&["check"]);
    relaxed.assert_success();
    assert_eq!(
        relaxed.stdout,
        "checked 1 story and 0 pages: 1 warning in 1 file\n"
    );
    assert!(
        relaxed.stderr.contains("⚠ the story has no highlights"),
        "{}",
        relaxed.stderr
    );
    let strict = site.run(&["check", "--strict", "--format", "json"]);
    strict.assert_exit(1);
    assert!(
        strict
            .stdout
            .contains("\"severity\":\"error\",\"code\":\"editorial/no-highlights\""),
        "{}",
        strict.stdout
    );
    // A build does not print editorial warnings.
    let build = site.run(&["build"]);
    build.assert_success();
    assert_eq!(build.stderr, "");
}

#[test]
fn no_site_is_a_usage_error() {
    let out = SiteTest::new().without_config().run(&["check"]);
    out.assert_exit(2);
    assert!(out.stderr.contains("no site.yaml in"), "{}", out.stderr);
}

#[test]
fn a_broken_site_yaml_is_reported_alone() {
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\nlink_check: {skip: [https://a.org/], timeuot: 3}\n")
        .run(&["check", "--format", "json"]);
    out.assert_exit(1);
    assert!(
        out.stdout.contains(
            "\"message\":\"unknown field `timeuot`\",\"help\":\"did you mean `timeout`?\""
        ),
        "{}",
        out.stdout
    );
}
