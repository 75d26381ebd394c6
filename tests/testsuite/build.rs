//! `yuanba build` on small valid sites: where pages land, story order, static files, bundles,
//! and one build with the real default theme.

use crate::util::{SiteTest, story};

#[test]
fn story_renders_at_its_slug() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/2018/bailian.md",
            &story("白莲社区创新发展治理见成效", "2018-03-18", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.stdout,
        "built 1 story and 0 pages (26 files) into public/ in [TIME]\n"
    );
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.select_text("public/stories/bailian/index.html", "h1.title"),
        ["白莲社区创新发展治理见成效"]
    );
    assert!(out.exists("public/404.html"));
    assert_eq!(
        out.select_text("public/404.html", "h1.title"),
        ["页面不存在"]
    );
}

#[test]
fn home_lists_stories_newest_first() {
    let out = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("中间", "2018-03-18", "b"))
        .file("content/stories/b.md", &story("最新", "2018-12-21", "c"))
        .file("content/stories/c.md", &story("最早", "2017-01-02", "a"))
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", "a.story-link"),
        ["最新", "中间", "最早"]
    );
    assert_eq!(
        out.select_attr("public/index.html", "a.story-link", "href"),
        ["/stories/b/", "/stories/a/", "/stories/c/"]
    );
}

#[test]
fn standalone_page_renders_at_its_slug_and_in_navigation() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/pages/about.md",
            "---\ntitle: 关于我们\n---\n\n我们是社区报。\n",
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/about/index.html", "h1.title"),
        ["关于我们"]
    );
    assert_eq!(
        out.select_text("public/about/index.html", ".body p"),
        ["我们是社区报。"]
    );
    assert_eq!(
        out.select_attr("public/index.html", "a.nav-page", "href"),
        ["/about/"]
    );
    // A page is not a story: the home page lists none.
    assert_eq!(
        out.select_text("public/index.html", "a.story-link"),
        Vec::<String>::new()
    );
}

#[test]
fn theme_static_files_are_copied_and_the_site_static_folder_wins() {
    let out = SiteTest::fixture("plain")
        .config("title: 测试站点\nbase_url: https://example.org/\ntheme: mini\n")
        .file("themes/mini/static/style.css", "/* theme */\n")
        .file("themes/mini/static/images/logo.svg", "<svg>theme</svg>\n")
        .file("static/images/logo.svg", "<svg>site</svg>\n")
        .file("static/robots.txt", "User-agent: *\n")
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.read("public/style.css"), "/* theme */\n");
    assert_eq!(out.read("public/images/logo.svg"), "<svg>site</svg>\n");
    assert_eq!(out.read("public/robots.txt"), "User-agent: *\n");
}

#[test]
fn built_in_theme_static_files_are_copied_without_a_themes_folder() {
    let out = SiteTest::new().run(&["build"]);
    out.assert_success();
    let expected = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css"),
    )
    .expect("the default theme has a style.css");
    assert_eq!(out.read_bytes("public/style.css"), expected);
}

#[test]
fn page_bundle_copies_its_files_next_to_the_story() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>尚邻之家</text></svg>\n";
    let front_matter = "---\ntitle: “三块门牌”讲好蛟龙尚邻故事\ndate: 2018-12-21\ndistrict: 双流区\nstreet: 九江街道\ncommunity: 蛟龙社区\nreporter: 李思佳\nimages:\n  - src: shanglin.svg\n    caption: 蛟龙社区尚邻之家\n    alt: 尚邻之家\n---\n\n正文。\n";
    let out = SiteTest::fixture("plain")
        .file("content/stories/2018/jiaolong/index.md", front_matter)
        .file("content/stories/2018/jiaolong/shanglin.svg", svg)
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.read("public/stories/jiaolong/shanglin.svg"), svg);
    let page = "public/stories/jiaolong/index.html";
    assert_eq!(
        out.select_attr(page, "figure img", "src"),
        ["/stories/jiaolong/shanglin.svg"]
    );
    assert_eq!(
        out.select_text(page, "figure figcaption"),
        ["蛟龙社区尚邻之家"]
    );
    // The Markdown file itself is not published.
    assert!(!out.exists("public/stories/jiaolong/index.md"));
}

/// The default theme is being rewritten, so this only checks what any version of it must do.
#[test]
fn default_theme_renders_a_story() {
    let front_matter = "---\ntitle: 白莲社区创新发展治理见成效\ndate: 2018-03-18\ndistrict: 成华区\nstreet: 白莲池街道\ncommunity: 白莲社区\nreporter: [彭戎, 刘福燕]\nimages:\n  - src: /images/ertong.svg\n    caption: 白莲社区儿童之家\n---\n\n正文。\n";
    let out = SiteTest::new()
        .file("content/stories/bailian.md", front_matter)
        .file("static/images/ertong.svg", "<svg/>\n")
        .run(&["build"]);
    out.assert_success();
    for path in [
        "public/index.html",
        "public/404.html",
        "public/stories/bailian/index.html",
        "public/style.css",
        "public/images/ertong.svg",
    ] {
        assert!(out.exists(path), "{path} is missing");
    }
    let page = out.read("public/stories/bailian/index.html");
    assert!(page.contains("lang=\"zh-CN\""), "{page}");
    let html = out.html("public/stories/bailian/index.html");
    let text: String = html.root_element().text().collect();
    assert!(text.contains("白莲社区创新发展治理见成效"), "{page}");
    assert_eq!(
        out.select_text("public/stories/bailian/index.html", "figure figcaption"),
        ["白莲社区儿童之家"],
        "{page}"
    );
}

#[test]
fn page_bundles_nested_bundles_symlinks_and_upper_case_extensions() {
    let site = SiteTest::fixture("plain")
        .file(
            "content/pages/team/index.md",
            "---\ntitle: 团队\nslug: team\n---\n\n![合影](photo.svg)\n",
        )
        .file("content/pages/team/photo.svg", "<svg/>\n")
        .file(
            "content/stories/outer/index.md",
            &story("外", "2018-03-18", "外。"),
        )
        .file("content/stories/outer/a.svg", "<svg/>\n")
        .file(
            "content/stories/outer/inner/index.md",
            &story("内", "2018-03-19", "内。"),
        )
        .file("content/stories/outer/inner/b.svg", "<svg/>\n")
        .file(
            "content/stories/LOUD.MD",
            &story("大写", "2018-03-20", "大。"),
        )
        .file("elsewhere/linked.md", &story("链接", "2018-03-21", "链。"));
    std::os::unix::fs::symlink(
        site.root().join("elsewhere/linked.md"),
        site.root().join("content/stories/linked.md"),
    )
    .expect("symlink");
    let out = site.run(&["build"]);
    out.assert_success();
    assert!(out.exists("public/team/photo.svg"));
    assert!(out.exists("public/stories/outer/a.svg"));
    assert!(out.exists("public/stories/inner/b.svg"));
    assert!(!out.exists("public/stories/outer/inner/b.svg"));
    assert!(out.exists("public/stories/loud/index.html"));
    assert!(out.exists("public/stories/linked/index.html"));
}
