//! The default theme's page structure (landmarks, headings, figures, byline, breadcrumbs, skip
//! link, CSS for dark mode and print), the plain theme, overriding templates and static files,
//! and `theme.yaml` with its overrides in `site.yaml`.

use std::path::Path;

use scraper::{Html, Selector};

use crate::util::{DEFAULT_CONFIG, Output, SiteTest, check_json, story};

const CONFIG: &str = "title: 测试站点\nbase_url: https://example.org/\npaginate_by: 2\n\
contact:\n  channels:\n    - name: 电话\n      value: 028-86969380\n";

/// A story with two images (one in the site's `static/`, one in its bundle), highlights, tags
/// and a series.
const FULL_STORY: &str = "---
title: 白莲社区创新发展治理见成效
subtitle: 居民点赞硬件改造+空间运维模式
date: 2018-03-20
district: 成华区
street: 白莲池街道
community: 白莲社区
reporter: [彭戎, 李思佳]
photo_credit: 社区供图
series: 百名记者进社区
highlights:
  - 儿童之家正式开园
tags: [儿童之家]
images:
  - src: /images/ertong.svg
    caption: 打造一新的儿童之家
    alt: 儿童之家的活动室
    credit: 社区供图
  - src: nonggeng.svg
    caption: 小朋友体验农耕
    alt: 小朋友在菜地里
---

正文第一段。

## 儿童之家

![菜地](nonggeng.svg)
";

/// A site with four stories (two list pages at `paginate_by: 2`), a standalone page, and the
/// full story as a bundle.
fn news_site() -> SiteTest {
    SiteTest::new()
        .config(CONFIG)
        .file("content/stories/bailian/index.md", FULL_STORY)
        .file(
            "content/stories/bailian/nonggeng.svg",
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"></svg>"#,
        )
        .file(
            "static/images/ertong.svg",
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"></svg>"#,
        )
        .file(
            "content/stories/zongfulu.md",
            &story("社区党建盘活商圈", "2018-12-14", "春熙路是成都的商业中心。"),
        )
        .file(
            "content/stories/jiaolong.md",
            &story("三块门牌讲好尚邻故事", "2018-12-21", "在双流区。"),
        )
        .file(
            "content/stories/older.md",
            &story("更早的报道", "2017-01-01", "旧闻。"),
        )
        .file(
            "content/pages/about.md",
            "---\ntitle: 关于本栏目\n---\n\n关于。\n",
        )
}

/// Every kind of page the default theme renders, as output files.
const PAGE_TYPES: &[&str] = &[
    "public/index.html",
    "public/page/2/index.html",
    "public/stories/bailian/index.html",
    "public/about/index.html",
    "public/places/index.html",
    "public/places/cheng-hua-qu/index.html",
    "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html",
    "public/reporters/index.html",
    "public/reporters/peng-rong/index.html",
    "public/tags/er-tong-zhi-jia/index.html",
    "public/404.html",
];

fn count(html: &Html, css: &str) -> usize {
    html.select(&Selector::parse(css).expect("selector"))
        .count()
}

/// The levels of the headings of a page, in document order.
fn heading_levels(html: &Html) -> Vec<usize> {
    html.select(&Selector::parse("h1, h2, h3, h4, h5, h6").expect("selector"))
        .map(|heading| heading.value().name()[1..].parse().expect("h1…h6"))
        .collect()
}

#[test]
fn every_page_has_landmarks_a_skip_link_one_h1_and_ordered_headings() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    for page in PAGE_TYPES {
        let html = out.html(page);
        assert_eq!(count(&html, "html[lang=\"zh-CN\"]"), 1, "{page}: lang");
        assert_eq!(count(&html, "body > header"), 1, "{page}: header");
        assert_eq!(
            count(&html, "header nav[aria-label=\"栏目\"]"),
            1,
            "{page}: nav"
        );
        assert_eq!(count(&html, "main#main"), 1, "{page}: main");
        assert_eq!(count(&html, "body > footer"), 1, "{page}: footer");
        assert_eq!(
            out.select_attr(page, "body > a.skip-link", "href"),
            ["#main"],
            "{page}: the skip link comes first"
        );
        let levels = heading_levels(&html);
        assert_eq!(
            levels.iter().filter(|&&level| level == 1).count(),
            1,
            "{page}: {levels:?}"
        );
        assert_eq!(levels.first(), Some(&1), "{page}: {levels:?}");
        for pair in levels.windows(2) {
            assert!(
                pair[1] <= pair[0] + 1,
                "{page}: a level is skipped in {levels:?}"
            );
        }
        assert_eq!(
            out.select_text(page, "footer .contact h2"),
            ["互动通道"],
            "{page}: the contact box"
        );
    }
}

#[test]
fn story_page_has_visit_line_figures_highlights_byline_and_neighbours() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    assert_eq!(
        out.select_attr(page, "article .visit a", "href"),
        [
            "/places/cheng-hua-qu/",
            "/places/cheng-hua-qu/bai-lian-chi-jie-dao/",
            "/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/"
        ]
    );
    assert_eq!(
        out.select_text(page, "article figure figcaption"),
        ["打造一新的儿童之家 社区供图", "小朋友体验农耕"]
    );
    // Sizes come from the files: width/height of the static SVG, the viewBox of the bundle one.
    assert_eq!(
        out.select_attr(page, "figure img", "width"),
        ["1200", "640"]
    );
    assert_eq!(
        out.select_attr(page, "figure img", "height"),
        ["800", "360"]
    );
    // The lead image loads at once; the rest, below the fold, lazily.
    assert_eq!(out.select_attr(page, "figure img", "loading"), ["", "lazy"]);
    assert_eq!(
        out.select_attr(page, ".story-body img", "width"),
        ["640"],
        "an image in the Markdown body"
    );
    assert_eq!(
        out.select_attr(page, ".story-body img", "loading"),
        ["lazy"]
    );
    assert_eq!(out.select_text(page, "aside.highlights h2"), ["要点"]);
    assert_eq!(
        out.select_text(page, "aside.highlights li"),
        ["儿童之家正式开园"]
    );
    assert_eq!(
        out.select_text(page, ".byline a[rel=author]"),
        ["彭戎", "李思佳"]
    );
    assert_eq!(
        out.select_text(page, ".byline .photo-credit"),
        ["图片 社区供图"]
    );
    assert_eq!(
        out.select_attr(page, "nav.story-nav a[rel=prev]", "href"),
        ["/stories/older/"]
    );
    assert_eq!(
        out.select_attr(page, "nav.story-nav a[rel=next]", "href"),
        ["/stories/zongfulu/"]
    );
    assert_eq!(out.select_text(page, ".kicker a"), ["百名记者进社区"]);
    assert_eq!(
        out.select_text(page, ".story-header time"),
        ["2018年3月20日"]
    );
    assert_eq!(
        out.select_attr(page, ".story-header time", "datetime"),
        ["2018-03-20T00:00:00+08:00"]
    );
}

#[test]
fn home_has_a_lead_story_a_grid_and_pagination() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    let home = "public/index.html";
    assert_eq!(
        out.select_text(home, ".lead-story h2 a"),
        ["三块门牌讲好尚邻故事"]
    );
    assert_eq!(
        out.select_text(home, ".story-grid h3 a"),
        ["社区党建盘活商圈"],
        "the lead story is not repeated in the grid"
    );
    assert_eq!(
        out.select_attr(home, "nav.pagination a[aria-current=page]", "href"),
        ["/"]
    );
    assert_eq!(
        out.select_attr(home, "nav.pagination a[rel=next]", "href"),
        ["/page/2/"]
    );
    let second = "public/page/2/index.html";
    assert!(out.select_text(second, ".lead-story").is_empty());
    assert_eq!(
        out.select_text(second, ".story-grid h3 a"),
        ["白莲社区创新发展治理见成效", "更早的报道"]
    );
    // Card thumbnails are below the fold and repeat the title: lazy, with an empty alt.
    assert_eq!(
        out.select_attr(second, ".story-card-thumb", "loading"),
        ["lazy"]
    );
    assert_eq!(out.select_attr(second, ".story-card-thumb", "alt"), [""]);
    assert_eq!(
        out.select_attr(second, ".story-card-thumb", "width"),
        ["1200"]
    );
    // District section navigation, and the search page.
    assert_eq!(
        out.select_text(home, "nav.site-nav a"),
        ["首页", "成华区", "全部地区", "记者", "搜索"]
    );
}

#[test]
fn place_and_term_pages_have_an_ordered_breadcrumb() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    let page = "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html";
    assert_eq!(
        out.select_text(page, "nav.breadcrumbs[aria-label=\"位置\"] > ol > li"),
        ["全部地区", "成华区", "白莲池街道", "白莲社区"]
    );
    assert_eq!(
        out.select_attr(page, "nav.breadcrumbs a[aria-current=page]", "href"),
        ["/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/"]
    );
    let term = "public/reporters/peng-rong/index.html";
    assert_eq!(
        out.select_text(term, "nav.breadcrumbs > ol > li"),
        ["记者", "彭戎"]
    );
    assert_eq!(out.select_text(term, "h1"), ["记者 彭戎"]);
}

#[test]
fn stylesheet_has_dark_print_focus_and_chinese_emphasis_and_stays_small() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    let css = out.read("public/style.css");
    for needle in [
        "@media (prefers-color-scheme: dark)",
        "@media print",
        "content: \" (\" attr(href) \")\"",
        ":focus-visible",
        "text-emphasis: filled dot",
        "\"PingFang SC\"",
        "line-height: 1.85",
        ".skip-link:focus",
    ] {
        assert!(css.contains(needle), "style.css lacks {needle}");
    }
    assert!(css.len() < 30 * 1024, "style.css is {} bytes", css.len());
    assert!(!css.contains("url("), "no external resources");
    // The accent colours of theme.yaml reach the page.
    let home = out.read("public/index.html");
    assert!(
        home.contains("--accent-light:#a8161d;--accent-dark:#ff8f87"),
        "{home}"
    );
}

#[test]
fn pages_load_nothing_from_elsewhere() {
    let out = news_site().run(&["build"]);
    out.assert_success();
    for page in PAGE_TYPES {
        for (css, attribute) in [
            ("link[rel=stylesheet]", "href"),
            ("script", "src"),
            ("img", "src"),
        ] {
            for url in out.select_attr(page, css, attribute) {
                assert!(!url.contains("//"), "{page}: {css} loads {url}");
            }
        }
    }
}

#[test]
fn a_site_template_overrides_a_theme_partial_by_name() {
    let out = news_site()
        .file(
            "templates/partials/story_card.html",
            "<p class=\"mine\">{{ story.title }}</p>",
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/page/2/index.html", "p.mine"),
        ["白莲社区创新发展治理见成效", "更早的报道"]
    );
    assert!(
        out.select_text("public/page/2/index.html", ".story-card")
            .is_empty()
    );
}

#[test]
fn site_static_files_replace_theme_static_files_by_path() {
    let out = news_site()
        .config(&format!("{CONFIG}theme: mine\n"))
        .file("themes/mine/static/style.css", "/* theme */")
        .file("themes/mine/static/css/extra.css", "/* theme extra */")
        .file("static/style.css", "/* site */")
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.read("public/style.css"), "/* site */");
    assert_eq!(out.read("public/css/extra.css"), "/* theme extra */");
}

/// A site that uses the plain theme of this repository.
fn plain_site() -> SiteTest {
    let site = news_site().config(&CONFIG.replace("paginate_by: 2\n", "theme: plain\n"));
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/plain"),
        &site.root().join("themes/plain"),
    );
    site
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder") {
        let entry = entry.expect("read a folder");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

#[test]
fn switching_to_the_plain_theme_changes_every_page() {
    let out = plain_site().run(&["build"]);
    out.assert_success();
    for page in PAGE_TYPES.iter().filter(|page| !page.contains("page/2")) {
        let html = out.read(page);
        assert!(
            !html.contains("class=\"masthead\""),
            "{page} uses the default theme"
        );
        let parsed = Html::parse_document(&html);
        assert_eq!(count(&parsed, "main#main"), 1, "{page}");
        assert_eq!(count(&parsed, "a.skip-link"), 1, "{page}");
    }
    assert_eq!(
        out.read("public/style.css"),
        read_repo("themes/plain/static/style.css")
    );
    assert!(
        !out.exists("public/favicon.svg"),
        "no default theme static files"
    );
    // The plain theme's paginate_by (10) puts all four stories on one page.
    assert!(!out.exists("public/page/2/index.html"));
    assert_eq!(
        out.select_text(
            "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html",
            "nav[aria-label=\"位置\"] li"
        ),
        ["全部地区", "成华区", "白莲池街道", "白莲社区"]
    );
}

fn read_repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("read")
}

/// Five stories, to count list pages.
fn five_stories(site: SiteTest) -> SiteTest {
    (1..=5).fold(site, |site, n| {
        site.file(
            &format!("content/stories/s{n}.md"),
            &story(&format!("报道{n}"), &format!("2018-03-0{n}"), "正文。"),
        )
    })
}

fn n_home_pages(out: &Output) -> usize {
    1 + (2..10)
        .take_while(|n| out.exists(&format!("public/page/{n}/index.html")))
        .count()
}

#[test]
fn paginate_by_comes_from_site_yaml_then_theme_yaml_then_twenty() {
    let theme = |yaml: &str| {
        five_stories(SiteTest::new())
            .file("themes/mine/theme.yaml", yaml)
            .file("themes/mine/templates/index.html", "{{ stories | length }}")
    };
    let config = "title: t\nbase_url: https://example.org/\ntheme: mine\n";
    let out = theme("paginate_by: 2\n").config(config).run(&["build"]);
    out.assert_success();
    assert_eq!(n_home_pages(&out), 3, "theme.yaml: 2 a page");
    let out = theme("paginate_by: 2\n")
        .config(&format!("{config}paginate_by: 4\n"))
        .run(&["build"]);
    out.assert_success();
    assert_eq!(n_home_pages(&out), 2, "site.yaml wins: 4 a page");
    let out = theme("description: no page size\n")
        .config(config)
        .run(&["build"]);
    out.assert_success();
    assert_eq!(n_home_pages(&out), 1, "neither: 20 a page");
    // The default theme leaves it at 20.
    let out = five_stories(SiteTest::new()).run(&["build"]);
    assert_eq!(n_home_pages(&out), 1);
}

#[test]
fn theme_options_reach_templates_and_site_yaml_overrides_them() {
    let site = || {
        SiteTest::new()
            .file(
                "themes/mine/theme.yaml",
                "options:\n  accent: \"#123456\"\n  show_map: false\n",
            )
            .file(
                "themes/mine/templates/index.html",
                "<p id=o>{{ theme.name }} {{ theme.options.accent }} {{ theme.options.show_map }} {{ theme.options.lead_story }}</p>",
            )
    };
    let config = "title: t\nbase_url: https://example.org/\ntheme: mine\n";
    let out = site().config(config).run(&["build"]);
    out.assert_success();
    // `lead_story` comes from the built-in theme.yaml, under every theme.
    assert_eq!(
        out.select_text("public/index.html", "#o"),
        ["mine #123456 false true"]
    );
    let out = site()
        .config(&format!(
            "{config}theme_options:\n  show_map: true\n  accent: \"#abcdef\"\n"
        ))
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", "#o"),
        ["mine #abcdef true true"]
    );
}

#[test]
fn a_misspelt_theme_option_is_located_in_site_yaml() {
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\ntheme_options:\n  acent: \"#123456\"\n  lead_story: 是\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn theme_yaml_errors_are_located() {
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\ntheme: mine\n")
        .file(
            "themes/mine/theme.yaml",
            "description: 我的主题\npaginate_by: 0\n",
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!("theme_yaml_paginate_by_out_of_range", out.stderr);
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\ntheme: mine\n")
        .file("themes/mine/theme.yaml", "optoins:\n  accent: red\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!("theme_yaml_unknown_key", out.stderr);
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\ntheme: mine\n")
        .file("themes/mine/theme.yaml", "paginate_by: many\n")
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!("theme_yaml_wrong_type", out.stderr);
}

#[test]
fn a_theme_yaml_that_is_not_utf8_is_an_error() {
    let out = SiteTest::new()
        .config("title: t\nbase_url: https://example.org/\ntheme: mine\n")
        .bytes("themes/mine/theme.yaml", b"description: \xb0\xd7\n")
        .run(&["build"]);
    out.assert_exit(1);
    assert!(out.stderr.contains("theme/encoding"), "{}", out.stderr);
    assert!(
        out.stderr.contains("themes/mine/theme.yaml"),
        "{}",
        out.stderr
    );
}

#[test]
fn remote_images_have_no_size() {
    // A missing local image is an error of its own (`image/not-found`).
    let out = SiteTest::new()
        .file(
            "content/stories/a.md",
            "---\ntitle: 甲\ndate: 2018-03-20\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\nimages:\n  - src: https://example.com/a.jpg\n---\n\n正文。\n",
        )
        .run(&["build"]);
    out.assert_success();
    let page = "public/stories/a/index.html";
    assert_eq!(out.select_attr(page, "figure img", "width"), [""]);
    assert_eq!(out.select_attr(page, "figure img", "height"), [""]);
}

#[test]
fn a_theme_yaml_that_is_a_folder() {
    let site = SiteTest::new().config(&format!("{DEFAULT_CONFIG}theme: mine\n"));
    std::fs::create_dir_all(site.root().join("themes/mine/theme.yaml")).expect("create folders");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"themes/mine/theme.yaml","line":null,"column":null,"severity":"error","code":"theme/io","message":"cannot read theme.yaml: Is a directory (os error 21)","help":null}
"#
    );
}

#[test]
fn a_theme_that_does_not_exist() {
    let site = SiteTest::new().config(&format!("{DEFAULT_CONFIG}theme: nosuch\n"));
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"site.yaml","line":null,"column":null,"severity":"error","code":"theme/missing","message":"theme `nosuch` not found","help":"create themes/nosuch/templates/, or set `theme: default` in site.yaml"}
"#
    );
}

#[test]
fn assets_are_fingerprinted_by_build_and_linked_through_asset() {
    let site = SiteTest::new()
        .file(
            "content/stories/a.md",
            &crate::util::story("甲", "2018-03-18", "正文。"),
        )
        .file("static/extra.css", "body { color: red }\n");
    let out = site.run(&["build"]);
    out.assert_success();
    let href = out.select_attr("public/index.html", "link[rel=stylesheet]", "href");
    let name = href[0].strip_prefix('/').expect("absolute");
    assert!(
        crate::util::is_fingerprinted(name, "style", "css"),
        "{href:?}"
    );
    // The same bytes under both names; the plain one stays for links made by hand.
    assert_eq!(
        out.read_bytes(&format!("public/{name}")),
        out.read_bytes("public/style.css")
    );
    // A site file of its own gets a name too.
    let extra: Vec<String> = std::fs::read_dir(out.root.join("public"))
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| crate::util::is_fingerprinted(n, "extra", "css"))
        .collect();
    assert_eq!(extra.len(), 1, "{extra:?}");
    // A changed stylesheet gets a new name, and the pages link it.
    site.write("static/style.css", b"body { margin: 0 }\n");
    let out = site.run(&["build"]);
    out.assert_success();
    let changed = out.select_attr("public/index.html", "link[rel=stylesheet]", "href");
    assert_ne!(changed, href);
    assert_eq!(
        out.read(&format!("public/{}", changed[0].trim_start_matches('/'))),
        "body { margin: 0 }\n"
    );
    assert!(
        !out.exists(&format!("public/{name}")),
        "the old name is gone"
    );
    // `fingerprint_assets: false` links the plain names.
    site.write(
        "site.yaml",
        b"title: t\nbase_url: https://example.org/\nfingerprint_assets: false\n",
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_attr("public/index.html", "link[rel=stylesheet]", "href"),
        ["/style.css"]
    );
}
