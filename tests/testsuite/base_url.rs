//! A site served under a sub-path (`https://example.org/news/`): every URL yuanba makes carries
//! the path, and `--base-url` replaces the one in `site.yaml`.

use crate::util::{SiteTest, story};

const SUB_PATH_CONFIG: &str = "title: 测试站点\nbase_url: https://example.org/news/\n";

/// A story whose links reach another story, another site, a file of its folder and a static
/// image.
fn sub_path_site() -> SiteTest {
    SiteTest::fixture("plain")
        .config(SUB_PATH_CONFIG)
        .file(
            "content/stories/bailian/index.md",
            &story(
                "白莲",
                "2018-03-18",
                "见[蛟龙社区](/stories/x/)，[外链](https://example.com/a)，[相对](rel.html)。\n\n![图](/images/a.svg)",
            ),
        )
        .file("content/stories/bailian/rel.html", "<p>附件</p>")
        .file("content/stories/x.md", &story("蛟龙", "2018-03-01", "正文。"))
        .file("static/images/a.svg", "<svg/>")
}

#[test]
fn urls_carry_the_sub_path() {
    let out = sub_path_site().run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_attr("public/index.html", "a.story-link", "href"),
        ["/news/stories/bailian/", "/news/stories/x/"]
    );
    assert_eq!(
        out.select_attr("public/index.html", "link[rel=stylesheet]", "href"),
        ["/news/style.css"]
    );
    let page = "public/stories/bailian/index.html";
    assert_eq!(
        out.select_attr(page, ".body a", "href"),
        ["/news/stories/x/", "https://example.com/a", "rel.html"]
    );
    assert_eq!(
        out.select_attr(page, ".body img", "src"),
        ["/news/images/a.svg"]
    );
    // The files themselves are still at the top of the output folder.
    assert!(out.exists("public/stories/bailian/index.html"));
    assert!(out.exists("public/style.css"));
}

#[test]
fn base_url_flag_overrides_site_yaml() {
    let out = sub_path_site().run(&["build", "--base-url", "https://cdn.example.net/zh"]);
    out.assert_success();
    assert_eq!(
        out.select_attr("public/index.html", "a.story-link", "href"),
        ["/zh/stories/bailian/", "/zh/stories/x/"]
    );
    assert_eq!(
        out.select_attr("public/index.html", "link[rel=stylesheet]", "href"),
        ["/zh/style.css"]
    );
    assert_eq!(
        out.select_attr("public/stories/bailian/index.html", ".body a", "href")[0],
        "/zh/stories/x/"
    );
}

#[test]
fn base_url_flag_can_go_back_to_the_root() {
    let out = sub_path_site().run(&["build", "--base-url", "http://127.0.0.1:1111/"]);
    out.assert_success();
    assert_eq!(
        out.select_attr("public/index.html", "a.story-link", "href"),
        ["/stories/bailian/", "/stories/x/"]
    );
    assert_eq!(
        out.select_attr("public/stories/bailian/index.html", ".body a", "href")[0],
        "/stories/x/"
    );
}
