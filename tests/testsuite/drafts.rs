//! `draft: true` stories stay out of the site unless `--drafts` is given.

use crate::util::{SiteTest, story};

fn site_with_a_draft() -> SiteTest {
    let draft = "---\ntitle: 草稿\ndate: 2018-12-21\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\ndraft: true\n---\n\n未完成。\n";
    SiteTest::fixture("plain")
        .file("content/stories/draft.md", draft)
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
}

#[test]
fn drafts_are_left_out_by_default() {
    let out = site_with_a_draft().run(&["build"]);
    out.assert_success();
    assert!(
        out.stdout.starts_with("built 1 story and 0 pages"),
        "{}",
        out.stdout
    );
    assert!(!out.exists("public/stories/draft/index.html"));
    assert!(out.exists("public/stories/bailian/index.html"));
    assert_eq!(
        out.select_text("public/index.html", "a.story-link"),
        ["白莲"]
    );
}

#[test]
fn drafts_flag_includes_them() {
    let out = site_with_a_draft().run(&["build", "--drafts"]);
    out.assert_success();
    assert!(
        out.stdout.starts_with("built 2 stories and 0 pages"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.select_text("public/stories/draft/index.html", "h1.title"),
        ["草稿"]
    );
    assert_eq!(
        out.select_text("public/index.html", "a.story-link"),
        ["草稿", "白莲"]
    );
}

#[test]
fn draft_pages_are_left_out_by_default() {
    let out = site_with_a_draft()
        .file(
            "content/pages/about.md",
            "---\ntitle: 关于\ndraft: true\n---\n",
        )
        .run(&["build"]);
    out.assert_success();
    assert!(!out.exists("public/about/index.html"));
    assert!(
        out.select_text("public/index.html", "a.nav-page")
            .is_empty()
    );
}
