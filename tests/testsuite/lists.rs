//! Pagination of every list, reporter/tag/series pages, previous/next and related stories,
//! summaries.

use crate::util::SiteTest;

/// A story with the given reporters and tags, in 成华区 白莲池街道 unless `place` says otherwise.
fn tagged(
    title: &str,
    date: &str,
    place: (&str, &str, &str),
    reporters: &str,
    tags: &str,
) -> String {
    let (district, street, community) = place;
    format!(
        "---\ntitle: {title}\ndate: {date}\ndistrict: {district}\nstreet: {street}\ncommunity: {community}\nreporter: {reporters}\ntags: {tags}\nseries: 百名记者进社区\n---\n\n正文。\n"
    )
}

const BAILIAN: (&str, &str, &str) = ("成华区", "白莲池街道", "白莲社区");

/// A site with `n` stories, two per page.
fn site_with(n: usize) -> SiteTest {
    let mut site =
        SiteTest::new().config("title: 测试站点\nbase_url: https://example.org/\npaginate_by: 2\n");
    for i in 0..n {
        site = site.file(
            &format!("content/stories/s{i}.md"),
            &tagged(
                &format!("第{i}篇"),
                &format!("2018-03-{:02}", i + 1),
                BAILIAN,
                "彭戎",
                "[社区]",
            ),
        );
    }
    site
}

#[test]
fn pagination_boundaries() {
    // 0 stories: one empty page and no paginator.
    let out = site_with(0).run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", ".empty"),
        ["还没有发布的报道。"]
    );
    assert!(
        out.select_text("public/index.html", "nav.pagination")
            .is_empty()
    );
    assert!(!out.exists("public/page/2/index.html"));

    // 1 story.
    let out = site_with(1).run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", ".lead-title a, .story-card-title a"),
        ["第0篇"]
    );
    assert!(!out.exists("public/page/2/index.html"));

    // Exactly `paginate_by`.
    let out = site_with(2).run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", ".lead-title a, .story-card-title a"),
        ["第1篇", "第0篇"]
    );
    assert!(
        out.select_text("public/index.html", "nav.pagination")
            .is_empty()
    );
    assert!(!out.exists("public/page/2/index.html"));

    // `paginate_by` + 1: a second page, linked both ways; page 1 is the list's own URL.
    let out = site_with(3).run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", ".lead-title a, .story-card-title a"),
        ["第2篇", "第1篇"]
    );
    assert_eq!(
        out.select_text("public/page/2/index.html", ".story-card-title a"),
        ["第0篇"]
    );
    assert!(!out.exists("public/page/1/index.html"));
    assert_eq!(
        out.select_attr("public/index.html", "a[rel=next]", "href"),
        ["/page/2/"]
    );
    assert!(
        out.select_attr("public/index.html", "a[rel=prev]", "href")
            .is_empty()
    );
    assert_eq!(
        out.select_attr("public/page/2/index.html", "a[rel=prev]", "href"),
        ["/"]
    );
    assert_eq!(
        out.select_text("public/page/2/index.html", ".pagination-status"),
        ["第 2 页，共 2 页"]
    );
    assert_eq!(
        out.select_attr(
            "public/page/2/index.html",
            ".pagination a[aria-current=page]",
            "href"
        ),
        ["/page/2/"]
    );
    // Place and term pages paginate the same way.
    for list in [
        "places/cheng-hua-qu/",
        "places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/",
        "reporters/peng-rong/",
        "tags/she-qu/",
        "series/bai-ming-ji-zhe-jin-she-qu/",
    ] {
        assert_eq!(
            out.select_text(
                &format!("public/{list}page/2/index.html"),
                ".story-card-title a"
            ),
            ["第0篇"],
            "{list}"
        );
        assert!(
            !out.exists(&format!("public/{list}page/3/index.html")),
            "{list}"
        );
    }
    // The page title says which page it is.
    assert_eq!(
        out.select_text("public/page/2/index.html", "title"),
        ["第2页 · 测试站点"]
    );
    assert_eq!(
        out.select_text("public/tags/she-qu/page/2/index.html", "title"),
        ["社区 · 标签（第2页） · 测试站点"]
    );
}

#[test]
fn paginate_by_must_be_positive() {
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/\npaginate_by: 0\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn long_lists_show_a_window_of_page_numbers() {
    let out = site_with(20).run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/page/5/index.html", ".pagination li"),
        [
            "上一页",
            "1",
            "…",
            "3",
            "4",
            "5",
            "6",
            "7",
            "…",
            "10",
            "下一页"
        ]
    );
}

fn term_site() -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/a.md",
            &tagged(
                "合写",
                "2018-03-20",
                BAILIAN,
                "[彭戎, 刘福燕]",
                "[儿童之家, 党建引领]",
            ),
        )
        .file(
            "content/stories/b.md",
            &tagged("独写", "2018-04-20", BAILIAN, "刘福燕", "[党建引领]"),
        )
}

#[test]
fn a_story_with_two_reporters_is_on_both_reporter_pages() {
    let out = term_site().run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(
            "public/reporters/peng-rong/index.html",
            ".story-card-title a"
        ),
        ["合写"]
    );
    assert_eq!(
        out.select_text(
            "public/reporters/liu-fu-yan/index.html",
            ".story-card-title a"
        ),
        ["独写", "合写"]
    );
    // Indexes list every term with its count, most stories first.
    assert_eq!(
        out.select_text("public/reporters/index.html", ".term-list li"),
        ["刘福燕 2 篇", "彭戎 1 篇"]
    );
    assert_eq!(
        out.select_text("public/tags/index.html", ".term-list li"),
        ["党建引领 2 篇", "儿童之家 1 篇"]
    );
    assert_eq!(
        out.select_text("public/series/index.html", ".term-list li"),
        ["百名记者进社区 2 篇"]
    );
    // Story pages link to them.
    assert_eq!(
        out.select_attr("public/stories/a/index.html", ".byline a", "href"),
        ["/reporters/peng-rong/", "/reporters/liu-fu-yan/"]
    );
    assert_eq!(
        out.select_attr("public/stories/a/index.html", ".tags a", "href"),
        ["/tags/er-tong-zhi-jia/", "/tags/dang-jian-yin-ling/"]
    );
}

#[test]
fn term_names_with_one_slug_are_an_error() {
    let out = term_site()
        .file(
            "content/stories/c.md",
            &tagged("重名", "2018-05-20", BAILIAN, "彭 戎", "[党建引领]"),
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn previous_and_next_follow_the_dates() {
    let out = term_site()
        .file(
            "content/stories/c.md",
            &tagged("最新", "2018-05-20", BAILIAN, "彭戎", "[党建引领]"),
        )
        .run(&["build"]);
    out.assert_success();
    let nav = |story: &str, rel: &str| {
        out.select_text(
            &format!("public/stories/{story}/index.html"),
            &format!(".story-nav a[rel={rel}] .story-nav-title"),
        )
    };
    assert_eq!(nav("b", "prev"), ["合写"]);
    assert_eq!(nav("b", "next"), ["最新"]);
    assert!(nav("a", "prev").is_empty());
    assert!(nav("c", "next").is_empty());
}

#[test]
fn related_stories_come_by_community_street_tags_then_district() {
    let place = |street: &'static str, community: &'static str| ("成华区", street, community);
    let out = SiteTest::new()
        .file(
            "content/stories/target.md",
            &tagged(
                "目标",
                "2018-01-01",
                place("白莲池街道", "白莲社区"),
                "彭戎",
                "[儿童之家]",
            ),
        )
        .file(
            "content/stories/district.md",
            &tagged(
                "同区",
                "2018-06-01",
                place("府青路街道", "和美社区"),
                "彭戎",
                "[其他]",
            ),
        )
        .file(
            "content/stories/tag.md",
            &tagged(
                "同标签",
                "2018-05-01",
                ("锦江区", "春熙路街道", "总府路社区"),
                "彭戎",
                "[儿童之家]",
            ),
        )
        .file(
            "content/stories/street.md",
            &tagged(
                "同街道",
                "2018-04-01",
                place("白莲池街道", "东林社区"),
                "彭戎",
                "[其他]",
            ),
        )
        .file(
            "content/stories/community-old.md",
            &tagged(
                "同社区旧",
                "2018-02-01",
                place("白莲池街道", "白莲社区"),
                "彭戎",
                "[其他]",
            ),
        )
        .file(
            "content/stories/community-new.md",
            &tagged(
                "同社区新",
                "2018-03-01",
                place("白莲池街道", "白莲社区"),
                "彭戎",
                "[其他]",
            ),
        )
        .file(
            "content/stories/elsewhere.md",
            &tagged(
                "无关",
                "2018-07-01",
                ("双流区", "九江街道", "蛟龙社区"),
                "彭戎",
                "[其他]",
            ),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/stories/target/index.html", ".related li a"),
        ["同社区新", "同社区旧", "同街道", "同标签", "同区"]
    );
}

#[test]
fn summaries_come_from_front_matter_then_more_marker_then_the_text() {
    let story = |summary: &str, body: &str| {
        format!(
            "---\ntitle: 摘要\ndate: 2018-03-20\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n{summary}---\n\n{body}\n"
        )
    };
    let long_body = "第一句话写得很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。第二句话也写得很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。第三句。";
    let out = SiteTest::new()
        .file(
            "content/stories/a.md",
            &story("summary: 手写的摘要。\n", "正文。"),
        )
        .file(
            "content/stories/b.md",
            &story("", "摘要在**这里**。\n\n<!-- more -->\n\n后面的正文。"),
        )
        .file("content/stories/c.md", &story("", long_body))
        .run(&["build"]);
    out.assert_success();
    let summary = |slug: &str| {
        out.select_attr(
            &format!("public/stories/{slug}/index.html"),
            "meta[name=description]",
            "content",
        )
    };
    assert_eq!(summary("a"), ["手写的摘要。"]);
    assert_eq!(summary("b"), ["摘要在这里。"]);
    let c = &summary("c")[0];
    assert!(c.starts_with("第一句话") && c.ends_with('。'), "{c}");
    assert!(c.chars().count() <= 120, "{c}");
}
