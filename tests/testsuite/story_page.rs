//! What a story page shows: escaping, Chinese line breaks, figures, byline, visit line, the
//! Chinese date and heading ids. Rendered through the `plain` fixture's own templates.

use crate::util::{SiteTest, story};

const PAGE: &str = "public/stories/bailian/index.html";

#[test]
fn title_is_escaped_never_a_script() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("\"<script>alert(1)</script>\"", "2018-03-18", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    for path in [PAGE, "public/index.html"] {
        let html = out.read(path);
        assert!(!html.contains("<script>"), "{path}:\n{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}:\n{html}"
        );
        assert!(out.select_text(path, "script").is_empty(), "{path}");
    }
    assert_eq!(
        out.select_text(PAGE, "h1.title"),
        ["<script>alert(1)</script>"]
    );
}

#[test]
fn soft_break_between_chinese_characters_vanishes_but_not_between_latin_words() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "白莲社区\n创新发展\n\nhello\nworld\n"),
        )
        .run(&["build"]);
    out.assert_success();
    let html = out.read(PAGE);
    assert!(html.contains("<p>白莲社区创新发展</p>"), "{html}");
    assert!(html.contains("<p>hello\nworld</p>"), "{html}");
    assert_eq!(
        out.select_text(PAGE, ".body p"),
        ["白莲社区创新发展", "hello\nworld"]
    );
}

#[test]
fn figure_byline_credit_visit_line_date_and_heading_ids() {
    let source = "---
title: 白莲社区创新发展治理见成效
date: 2018-03-18
district: 成华区
street: 白莲池街道
community: 白莲社区
reporter: [彭戎, 刘福燕]
photo_credit: 社区供图
images:
  - src: ertong.svg
    caption: 白莲社区儿童之家
    alt: 儿童之家
---

## 儿童之家

第一段。

## 儿童之家

## 农耕园 {#nonggeng}
";
    let out = SiteTest::fixture("plain")
        .file("content/stories/bailian/index.md", source)
        .file("content/stories/bailian/ertong.svg", "<svg/>")
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(PAGE, "figure figcaption"),
        ["白莲社区儿童之家"]
    );
    assert_eq!(
        out.select_attr(PAGE, "figure img", "src"),
        ["/stories/bailian/ertong.svg"]
    );
    assert_eq!(out.select_attr(PAGE, "figure img", "alt"), ["儿童之家"]);
    assert_eq!(out.select_text(PAGE, ".reporter"), ["彭戎", "刘福燕"]);
    assert_eq!(out.select_text(PAGE, ".photo-credit"), ["社区供图"]);
    assert_eq!(
        out.select_text(PAGE, ".visit"),
        ["成华区白莲池街道白莲社区"]
    );
    assert_eq!(out.select_text(PAGE, ".date time"), ["2018年3月18日"]);
    assert_eq!(
        out.select_attr(PAGE, ".date time", "datetime"),
        ["2018-03-18T00:00:00+08:00"]
    );
    assert_eq!(
        out.select_attr(PAGE, ".body h2", "id"),
        ["er-tong-zhi-jia", "er-tong-zhi-jia-1", "nonggeng"]
    );
}

/// One reporter written as a plain string is still a list for templates.
#[test]
fn single_reporter_is_a_list_too() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.select_text(PAGE, ".reporter"), ["彭戎"]);
}

/// The whole story page through the fixture templates, to review markup changes as diffs.
#[test]
fn story_page_snapshot() {
    let source = "---
title: 白莲社区创新发展治理见成效
date: 2018-03-18
district: 成华区
street: 白莲池街道
community: 白莲社区
reporter: [彭戎, 刘福燕]
photo_credit: 社区供图
images:
  - src: /images/ertong.svg
    caption: 白莲社区儿童之家
---

白莲社区以党群服务中心亲民化改造为基础，
打造了“儿童之家”。

## 农耕园

居民说：“*很好*。”[^1]

[^1]: 记者回访。
";
    let out = SiteTest::fixture("plain")
        .file("content/stories/bailian.md", source)
        .file("static/images/ertong.svg", "<svg/>")
        .run(&["build"]);
    out.assert_success();
    insta::assert_snapshot!(out.read(PAGE));
}
