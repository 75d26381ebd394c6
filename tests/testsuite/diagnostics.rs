//! Exact diagnostics for broken input, one minimal site per problem, the whole stderr snapshotted
//! (or, for the shorter ones, the `check --format json` line compared whole); and the
//! odd-but-valid files (BOM, CRLF, a huge story) that must build.

use crate::util::{DEFAULT_CONFIG, SiteTest, check_json, story};

/// A valid story front matter without its closing line, to append fields to.
const HEAD: &str =
    "---\ntitle: 白莲\ndate: 2018-03-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n";

/// Builds a site with one story file and returns stderr, checking the build failed with 1 and
/// left no output.
#[track_caller]
fn broken_story(bytes: &[u8]) -> String {
    let out = SiteTest::new()
        .bytes("content/stories/bailian.md", bytes)
        .run(&["build"]);
    out.assert_exit(1);
    assert_eq!(out.stdout, "");
    assert!(
        !out.exists("public/index.html"),
        "a failed build wrote public/"
    );
    out.stderr
}

#[test]
fn empty_file() {
    insta::assert_snapshot!(broken_story(b""));
}

#[test]
fn no_front_matter() {
    insta::assert_snapshot!(broken_story("# 白莲社区\n\n正文。\n".as_bytes()));
}

#[test]
fn front_matter_never_closed() {
    insta::assert_snapshot!(broken_story(format!("{HEAD}\n正文。\n").as_bytes()));
}

#[test]
fn not_utf8() {
    // `白莲` in GBK.
    let mut bytes = b"---\ntitle: ".to_vec();
    bytes.extend_from_slice(b"\xb0\xd7\xc1\xab");
    bytes.extend_from_slice("\ndate: 2018-03-18\n---\n".as_bytes());
    insta::assert_snapshot!(broken_story(&bytes));
}

#[test]
fn byte_order_mark_builds() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(story("白莲", "2018-03-18", "正文。").as_bytes());
    let out = SiteTest::fixture("plain")
        .bytes("content/stories/bailian.md", &bytes)
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.select_text("public/stories/bailian/index.html", "h1.title"),
        ["白莲"]
    );
}

#[test]
fn crlf_line_endings_build() {
    let source = story("白莲", "2018-03-18", "白莲社区\n创新发展").replace('\n', "\r\n");
    let out = SiteTest::fixture("plain")
        .file("content/stories/bailian.md", &source)
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    let page = "public/stories/bailian/index.html";
    assert_eq!(out.select_text(page, "h1.title"), ["白莲"]);
    assert_eq!(
        out.select_text(page, ".visit"),
        ["成华区白莲池街道白莲社区"]
    );
    assert_eq!(out.select_text(page, ".body p"), ["白莲社区创新发展"]);
}

#[test]
fn crlf_error_is_on_the_right_line() {
    let source = format!("{HEAD}tags: 5\n---\n\n正文。\n").replace('\n', "\r\n");
    let stderr = broken_story(source.as_bytes());
    assert!(
        stderr.contains("content/stories/bailian.md:7:7"),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn tab_in_yaml() {
    let source = "---\ntitle: 白莲\n\tdate: 2018-03-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n";
    insta::assert_snapshot!(broken_story(source.as_bytes()));
}

#[test]
fn unknown_field_suggests_the_closest() {
    let source = format!("{HEAD}higlights:\n  - 儿童之家\n---\n");
    let stderr = broken_story(source.as_bytes());
    assert!(stderr.contains("did you mean `highlights`?"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn field_of_the_wrong_type() {
    let source = format!("{HEAD}tags: 5\n---\n");
    insta::assert_snapshot!(broken_story(source.as_bytes()));
}

#[test]
fn every_missing_required_field_in_one_run() {
    let stderr = broken_story("---\nsummary: 只有摘要\n---\n\n正文。\n".as_bytes());
    assert!(
        stderr.contains(
            "missing required fields `title`, `date`, `district`, `community`, `reporter`"
        ),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn date_without_leading_zeros() {
    let source = "---\ntitle: 白莲\ndate: 2018-3-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n";
    insta::assert_snapshot!(broken_story(source.as_bytes()));
}

#[test]
fn ten_megabyte_story_builds() {
    let paragraph = "白莲社区以党群服务中心亲民化改造为基础，\n打造了“儿童之家”。hello world\n\n";
    let n_paragraphs = 10 * 1024 * 1024 / paragraph.len() + 1;
    let body = paragraph.repeat(n_paragraphs);
    assert!(body.len() >= 10 * 1024 * 1024);
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/big.md",
            &story("大文件", "2018-03-18", &body),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    let page = out.read("public/stories/big/index.html");
    assert!(page.len() > body.len(), "{} bytes", page.len());
    assert_eq!(
        page.matches(
            "<p>白莲社区以党群服务中心亲民化改造为基础，打造了“儿童之家”。hello world</p>"
        )
        .count(),
        n_paragraphs
    );
}

#[test]
fn unknown_key_in_site_yaml() {
    let out = SiteTest::new()
        .config("titel: 测试站点\nbase_url: https://example.org/\n")
        .run(&["build"]);
    out.assert_exit(1);
    assert!(
        out.stderr.contains("did you mean `title`?"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn missing_site_yaml_is_a_usage_error() {
    let out = SiteTest::new()
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .without_config()
        .run(&["build"]);
    out.assert_exit(2);
    assert!(!out.exists("public/index.html"));
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn invalid_base_url() {
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: example.org/news\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn invalid_base_url_flag() {
    let out = SiteTest::new().run(&["build", "--base-url", "ftp://example.org/"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

/// One run reports every broken file, sorted by path, and the count in the last line.
#[test]
fn every_problem_in_the_run_is_reported() {
    let out = SiteTest::new()
        .file("content/stories/a-empty.md", "")
        .file(
            "content/stories/b-date.md",
            "---\ntitle: 白莲\ndate: 2018-3-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n",
        )
        .file(
            "content/stories/c-unknown.md",
            &format!("{HEAD}higlights: []\nweather: 晴\n---\n"),
        )
        .file(
            "content/stories/d-good.md",
            &story("好稿", "2018-03-18", "正文。"),
        )
        .file("content/pages/e-page.md", "---\ntitel: 关于\n---\n")
        .run(&["build"]);
    out.assert_exit(1);
    assert_eq!(out.stdout, "");
    assert!(!out.exists("public/index.html"));
    for expected in [
        "content/stories/a-empty.md:1:1",
        "content/stories/b-date.md:3:7",
        "content/stories/c-unknown.md:7:1",
        "content/stories/c-unknown.md:8:1",
        "content/pages/e-page.md:2:1",
        "error: build failed: 5 errors in 4 files; public/ was left as it was",
    ] {
        assert!(out.stderr.contains(expected), "{expected}:\n{}", out.stderr);
    }
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn extra_map_keys_templates_cannot_use_are_errors() {
    let front = |extra: &str| {
        format!(
            "---\ntitle: 甲\ndate: 2018-01-01\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\nextra:\n{extra}---\n\n正文。\n"
        )
    };
    let out = SiteTest::new()
        .file("content/stories/a.md", &front("  ? [1, 2]\n  : x\n"))
        .file("content/stories/b.md", &front("  nested:\n    1.5: y\n"))
        .file("content/stories/c.md", &front("  ~: z\n"))
        .file(
            "content/pages/p.md",
            "---\ntitle: 页\nextra:\n  ~: z\n---\n",
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/\nextra:\n  1.5: x\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!("extra_in_site_yaml", out.stderr);
}

#[test]
fn an_empty_site_yaml() {
    assert_eq!(
        check_json(&SiteTest::new().config(""), 1),
        r#"{"file":"site.yaml","line":null,"column":null,"severity":"error","code":"config/empty","message":"site.yaml is empty","help":"add at least `title:` and `base_url:`"}
"#
    );
}

#[test]
fn a_site_yaml_that_is_not_utf8() {
    // `白` in GBK.
    let site = SiteTest::new().bytes("site.yaml", b"title: \xb0\xd7\n");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":null,"column":null,"severity":"error","code":"config/encoding","message":"site.yaml is not valid UTF-8","help":"save the file as UTF-8"}
"#
    );
}

#[test]
fn a_link_check_timeout_of_zero() {
    let site = SiteTest::new().config(&format!("{DEFAULT_CONFIG}link_check:\n  timeout: 0\n"));
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":3,"column":1,"severity":"error","code":"config/link-check","message":"`link_check.timeout` must be between 1 and 300 seconds, not 0","help":null}
"#
    );
}

#[test]
fn a_site_without_a_title() {
    let site = SiteTest::new().config("base_url: https://example.org/\n");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":1,"column":1,"severity":"error","code":"config/missing-field","message":"the site needs a `title`","help":"add a line such as `title: 华西社区报`"}
"#
    );
}

#[test]
fn a_theme_that_is_a_path() {
    let site = SiteTest::new().config(&format!("{DEFAULT_CONFIG}theme: ../mine\n"));
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":3,"column":8,"severity":"error","code":"config/theme","message":"`theme` must be a folder name under themes/, not `../mine`","help":null}
"#
    );
}

#[test]
fn an_unknown_time_zone() {
    let site = SiteTest::new().config(&format!("{DEFAULT_CONFIG}timezone: Asia/Beijing\n"));
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":3,"column":11,"severity":"error","code":"config/timezone","message":"unknown time zone `Asia/Beijing`","help":"use an IANA time zone name such as `Asia/Shanghai` or `UTC`"}
"#
    );
}

#[cfg(unix)]
#[test]
fn a_broken_symlink_under_content() {
    let site = SiteTest::new();
    std::fs::create_dir_all(site.root().join("content/stories")).expect("create folders");
    std::os::unix::fs::symlink("nowhere", site.root().join("content/stories/x.md"))
        .expect("create a symlink");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"content/stories/x.md","line":null,"column":null,"severity":"error","code":"content/io","message":"cannot read: IO error for operation on [ROOT]/content/stories/x.md: No such file or directory (os error 2)","help":null}
"#
    );
}

#[test]
fn an_empty_title() {
    let source = "---\ntitle: \"\"\ndate: 2018-03-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n";
    let site = SiteTest::new().file("content/stories/bailian.md", source);
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"content/stories/bailian.md","line":2,"column":8,"severity":"error","code":"front-matter/empty-field","message":"`title` is empty","help":"write a value, for example `title: 白莲社区创新发展治理见成效`"}
"#
    );
}

#[test]
fn a_slug_without_letters_or_digits() {
    let site = SiteTest::new().file(
        "content/stories/bailian.md",
        &format!("{HEAD}slug: \"!!!\"\n---\n"),
    );
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"content/stories/bailian.md","line":7,"column":7,"severity":"error","code":"front-matter/slug","message":"`!!!` gives an empty slug","help":"use letters, digits and `-`, for example `slug: bailian`"}
"#
    );
}

#[test]
fn a_page_with_a_reserved_slug() {
    let site = SiteTest::new().file("content/pages/tags.md", "---\ntitle: 标签\n---\n");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"content/pages/tags.md","line":null,"column":null,"severity":"error","code":"site/reserved-slug","message":"the page slug `tags` is used by yuanba for its own pages","help":"set another `slug:` in the page's front matter"}
"#
    );
}

/// A folder under static/ that cannot be read. Permissions do not stop root (tests may run as
/// root), so the folder is made unreadable another way: nested so deep that its path is longer
/// than `PATH_MAX` (4096 bytes on Linux), which the walk cannot open. GNU `mkdir -p` creates it one
/// level at a time.
#[cfg(target_os = "linux")]
#[test]
fn a_static_folder_too_deep_to_open() {
    let site = SiteTest::new();
    let static_dir = site.root().join("static");
    std::fs::create_dir(&static_dir).expect("create static/");
    let deep = vec!["d".repeat(200); 22].join("/");
    let made = std::process::Command::new("mkdir")
        .args(["-p", &deep])
        .current_dir(&static_dir)
        .status()
        .expect("run mkdir");
    assert!(made.success(), "mkdir -p failed");
    let stdout = check_json(&site, 1);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let diagnostic = &lines[0];
    assert_eq!(diagnostic["code"], "static/io");
    assert_eq!(diagnostic["severity"], "error");
    // The first folder whose path is too long; how deep that is depends on the temporary folder.
    let file = diagnostic["file"].as_str().expect("a file");
    let folder = file.strip_prefix("static/").expect("under static/");
    assert!(deep.starts_with(folder), "{file}");
    let message = diagnostic["message"].as_str().expect("a message");
    assert!(
        message.starts_with("cannot read: IO error for operation on [ROOT]/static/dddd")
            && message.ends_with(": File name too long (os error 36)"),
        "{message}"
    );
}
