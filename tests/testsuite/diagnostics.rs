//! Exact diagnostics for broken input, one minimal site per problem, the whole stderr snapshotted;
//! and the odd-but-valid files (BOM, CRLF, a huge story) that must build.

use crate::util::{SiteTest, story};

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
