//! Atom feeds, the sitemap, robots.txt, head metadata and alias redirects.

use std::str::FromStr;

use crate::util::SiteTest;

fn story_in(title: &str, date: &str, district: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\ndistrict: {district}\nstreet: 某街道\ncommunity: 某社区\nreporter: 彭戎\ntags: [党建引领]\n{extra}---\n\n正文<b>加粗</b> & 更多。\n"
    )
}

fn many_stories() -> SiteTest {
    let mut site = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/news/\n")
        .file(
            "content/pages/about.md",
            "---\ntitle: 关于\n---\n\n关于我们。\n",
        );
    for i in 0..21 {
        let district = if i % 3 == 0 { "锦江区" } else { "成华区" };
        site = site.file(
            &format!("content/stories/s{i:02}.md"),
            &story_in(
                &format!("第{i}篇 <&>"),
                &format!("2018-03-{:02}T09:30:00", i + 1),
                district,
                "",
            ),
        );
    }
    site
}

fn parse_feed(xml: &str) -> atom_syndication::Feed {
    atom_syndication::Feed::from_str(xml)
        .unwrap_or_else(|error| panic!("invalid Atom: {error}\n{xml}"))
}

#[test]
fn the_site_feed_has_the_newest_twenty_with_absolute_links() {
    let out = many_stories().run(&["build"]);
    out.assert_success();
    let feed = parse_feed(&out.read("public/atom.xml"));
    assert_eq!(feed.title().as_str(), "测试站点");
    assert_eq!(feed.id(), "https://example.org/news/");
    assert_eq!(feed.entries().len(), 20);
    let first = &feed.entries()[0];
    assert_eq!(first.title().as_str(), "第20篇 <&>");
    assert_eq!(
        first.links()[0].href(),
        "https://example.org/news/stories/s20/"
    );
    assert_eq!(first.updated().to_rfc3339(), "2018-03-21T09:30:00+08:00");
    assert_eq!(first.authors()[0].name(), "彭戎");
    assert_eq!(first.categories()[0].term(), "党建引领");
    let content = first.content().and_then(|c| c.value()).unwrap_or_default();
    assert!(
        content.contains("正文<b>加粗</b> &amp; 更多。"),
        "{content}"
    );
    assert_eq!(feed.updated().to_rfc3339(), "2018-03-21T09:30:00+08:00");
    assert!(
        feed.links()
            .iter()
            .any(|l| l.rel() == "self" && l.href() == "https://example.org/news/atom.xml")
    );
    // The oldest story is not in the feed.
    assert!(
        feed.entries()
            .iter()
            .all(|e| e.title().as_str() != "第0篇 <&>")
    );
}

#[test]
fn each_district_has_its_feed_announced_in_its_page_head() {
    let out = many_stories().run(&["build"]);
    out.assert_success();
    let feed = parse_feed(&out.read("public/places/jin-jiang-qu/atom.xml"));
    assert_eq!(feed.entries().len(), 7);
    assert_eq!(feed.title().as_str(), "测试站点 · 锦江区");
    assert_eq!(feed.id(), "https://example.org/news/places/jin-jiang-qu/");
    assert_eq!(
        out.select_attr(
            "public/places/jin-jiang-qu/index.html",
            "link[rel=alternate][type='application/atom+xml']",
            "href"
        ),
        ["/news/atom.xml", "/news/places/jin-jiang-qu/atom.xml"]
    );
    assert_eq!(
        out.select_attr(
            "public/index.html",
            "link[rel=alternate][type='application/atom+xml']",
            "href"
        ),
        ["/news/atom.xml"]
    );
}

#[test]
fn an_empty_site_still_has_a_valid_feed_and_sitemap() {
    let out = SiteTest::new().run(&["build"]);
    out.assert_success();
    let feed = parse_feed(&out.read("public/atom.xml"));
    assert!(feed.entries().is_empty());
    assert!(
        out.read("public/sitemap.xml")
            .contains("<loc>https://example.org/</loc>")
    );
}

#[test]
fn the_sitemap_lists_every_page_with_lastmod_and_robots_points_at_it() {
    let out = many_stories().run(&["build"]);
    out.assert_success();
    let sitemap = out.read("public/sitemap.xml");
    let html = scraper::Html::parse_document(&sitemap);
    let locs: Vec<String> = html
        .select(&scraper::Selector::parse("loc").expect("selector"))
        .map(|e| e.text().collect())
        .collect();
    // Every HTML page but the 404 and search pages (both `noindex`), and nothing else.
    let mut pages: Vec<String> = walk_html(&out.root.join("public"))
        .into_iter()
        .filter(|p| p != "404.html" && p != "search/index.html")
        .map(|p| {
            format!(
                "https://example.org/news/{}",
                p.trim_end_matches("index.html")
            )
        })
        .collect();
    pages.sort();
    let mut sorted = locs.clone();
    sorted.sort();
    assert_eq!(sorted, pages);
    assert_eq!(sitemap.matches("<lastmod>").count(), locs.len());
    assert!(sitemap.contains("<url><loc>https://example.org/news/stories/s20/</loc><lastmod>2018-03-21T09:30:00+08:00</lastmod></url>"));
    assert_eq!(
        out.read("public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/news/sitemap.xml\n"
    );
}

fn walk_html(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                found.push(
                    path.strip_prefix(root)
                        .expect("inside")
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    found
}

#[test]
fn a_static_robots_txt_wins() {
    let out = many_stories()
        .file("static/robots.txt", "User-agent: *\nDisallow: /\n")
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.read("public/robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
}

#[test]
fn pages_carry_canonical_open_graph_and_twitter_tags() {
    // A story folder, so that its image is published beside it (a GIF, published as it is;
    // photos get a JPEG variant, `photos::og_image_is_a_jpeg_about_1200_wide`).
    let out = SiteTest::new()
        .file(
            "content/stories/a/index.md",
            &story_in(
                "有图",
                "2018-03-20",
                "成华区",
                "summary: 一句话摘要。\nimages:\n  - src: photo.gif\n    alt: 图\n",
            ),
        )
        .file("content/stories/a/photo.gif", "GIF89a")
        .run(&["build"]);
    out.assert_success();
    let page = "public/stories/a/index.html";
    let meta = |selector: &str| out.select_attr(page, selector, "content");
    assert_eq!(
        out.select_attr(page, "link[rel=canonical]", "href"),
        ["https://example.org/stories/a/"]
    );
    assert_eq!(meta("meta[property='og:title']"), ["有图"]);
    assert_eq!(meta("meta[property='og:type']"), ["article"]);
    assert_eq!(meta("meta[property='og:description']"), ["一句话摘要。"]);
    assert_eq!(
        meta("meta[property='og:url']"),
        ["https://example.org/stories/a/"]
    );
    assert_eq!(
        meta("meta[property='og:image']"),
        ["https://example.org/stories/a/photo.gif"]
    );
    assert_eq!(meta("meta[name='twitter:card']"), ["summary_large_image"]);
    assert_eq!(
        meta("meta[name='twitter:image']"),
        ["https://example.org/stories/a/photo.gif"]
    );
    // A page without an image gets a plain card and no og:image.
    let home = "public/index.html";
    assert_eq!(
        out.select_attr(home, "meta[name='twitter:card']", "content"),
        ["summary"]
    );
    assert!(
        out.select_attr(home, "meta[property='og:image']", "content")
            .is_empty()
    );
    assert_eq!(
        out.select_attr(home, "link[rel=canonical]", "href"),
        ["https://example.org/"]
    );
}

#[test]
fn aliases_redirect_to_the_story() {
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/news/\n")
        .file(
            "content/stories/a.md",
            &story_in(
                "改名",
                "2018-03-20",
                "成华区",
                "aliases: [/news/2018/old-name.html, /old/a/]\n",
            ),
        )
        .run(&["build"]);
    out.assert_success();
    for alias in ["public/2018/old-name.html", "public/old/a/index.html"] {
        assert_eq!(
            out.select_attr(alias, "meta[http-equiv=refresh]", "content"),
            ["0; url=/news/stories/a/"]
        );
        assert_eq!(
            out.select_attr(alias, "link[rel=canonical]", "href"),
            ["https://example.org/news/stories/a/"]
        );
    }
    // Redirects are not in the sitemap.
    assert!(!out.read("public/sitemap.xml").contains("old"));
}

#[test]
fn aliases_that_cannot_be_written_are_errors() {
    let out = SiteTest::new()
        .file(
            "content/stories/a.md",
            &story_in("甲", "2018-03-20", "成华区", "aliases: [/stories/b/]\n"),
        )
        .file(
            "content/stories/b.md",
            &story_in("乙", "2018-03-21", "成华区", "aliases: [../../etc/]\n"),
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_single_alias_may_be_written_as_a_string() {
    let out = SiteTest::new()
        .file(
            "content/stories/a.md",
            &story_in("改名", "2018-03-20", "成华区", "aliases: /old/a/\n"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_attr(
            "public/old/a/index.html",
            "meta[http-equiv=refresh]",
            "content"
        ),
        ["0; url=/stories/a/"]
    );
}
