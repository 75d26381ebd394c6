//! Story slugs: from the file name (Chinese becomes pinyin) or front matter, and unique.

use crate::util::{SiteTest, squeeze, story};

#[test]
fn two_stories_with_one_slug_fail_naming_both_files() {
    let with_slug = "---\ntitle: 另一篇\ndate: 2018-03-19\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\nslug: bailian\n---\n\n正文。\n";
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/2018/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .file("content/stories/2019/other.md", with_slug)
        .run(&["build"]);
    out.assert_exit(1);
    assert!(!out.exists("public/index.html"));
    assert!(
        squeeze(&out.stderr).contains(&squeeze(
            "two stories have the slug `bailian`: content/stories/2018/bailian.md and content/stories/2019/other.md"
        )),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn chinese_file_name_becomes_a_pinyin_slug() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/2018/白莲.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/stories/bai-lian/index.html", "h1.title"),
        ["白莲"]
    );
    assert_eq!(
        out.select_attr("public/index.html", "a.story-link", "href"),
        ["/stories/bai-lian/"]
    );
}

#[test]
fn front_matter_slug_wins_over_the_file_name() {
    let source = "---\ntitle: 白莲\ndate: 2018-03-18\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\nslug: 白莲社区\n---\n\n正文。\n";
    let out = SiteTest::fixture("plain")
        .file("content/stories/2018/whatever.md", source)
        .run(&["build"]);
    out.assert_success();
    assert!(out.exists("public/stories/bai-lian-she-qu/index.html"));
    assert!(!out.exists("public/stories/whatever/index.html"));
}
