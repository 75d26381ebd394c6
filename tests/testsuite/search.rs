//! The search index under `public/search/` and the search page: what gets indexed, the seed
//! queries, `search: false`, themes without a search page, and (in `search_browser`) the page
//! in a real browser.

use yuanba::search::query::{Hit, Query, search};

use crate::util::{Output, SiteTest, story};

/// The URLs of the stories `text` finds in a built site, best first.
pub(crate) fn find(out: &Output, text: &str) -> Vec<String> {
    find_with(
        out,
        &Query {
            text,
            ..Query::default()
        },
    )
}

pub(crate) fn find_with(out: &Output, query: &Query<'_>) -> Vec<String> {
    let dir = out.root.join("public/search");
    let read = |path: &str| std::fs::read(dir.join(path)).ok();
    let hits = search(&read, query).expect("a readable index");
    let chunk = manifest(out)["chunk"].as_u64().expect("chunk") as u32;
    hits.iter()
        .map(|Hit { id, .. }| {
            let docs = doc_chunk(out, id / chunk);
            docs[(id % chunk) as usize]["url"]
                .as_str()
                .expect("url")
                .to_string()
        })
        .collect()
}

fn manifest(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.read("public/search/manifest.json")).expect("manifest JSON")
}

fn doc_chunk(out: &Output, chunk: u32) -> Vec<serde_json::Value> {
    serde_json::from_str(&out.read(&format!("public/search/docs/{chunk}.json"))).expect("JSON")
}

/// Every record of the document table.
fn all_docs(out: &Output) -> Vec<serde_json::Value> {
    let n_docs = manifest(out)["docs"].as_u64().expect("docs");
    let chunk = manifest(out)["chunk"].as_u64().expect("chunk");
    (0..n_docs.div_ceil(chunk))
        .flat_map(|idx| doc_chunk(out, idx as u32))
        .collect()
}

#[test]
fn seed_queries_find_the_right_stories() {
    let out = SiteTest::example().run(&["build"]);
    out.assert_success();
    let bailian = "/stories/bailian/";
    let zongfulu = "/stories/zongfulu/";
    assert_eq!(find(&out, "白莲"), [bailian]);
    assert_eq!(find(&out, "莲社"), [bailian]);
    assert_eq!(find(&out, "四社联动"), [bailian]);
    assert_eq!(find(&out, "儿童之家"), [bailian]);
    assert_eq!(find(&out, "唐梅"), [zongfulu]);
    assert_eq!(find(&out, "春熙路"), [zongfulu]);
    // Title hits first: 蛟龙 is in the jiaolong title only.
    assert_eq!(find(&out, "蛟龙")[0], "/stories/jiaolong/");
    // Full-width, upper case and one character.
    assert_eq!(find(&out, "２０１８年8月"), [zongfulu]);
    assert_eq!(find(&out, "蛟"), ["/stories/jiaolong/"]);
    assert!(find(&out, "不存在的词语").is_empty());
    assert!(find(&out, "白莲 唐梅").is_empty());
    assert_eq!(find(&out, "社区 党建").len(), 3);
}

#[test]
fn filters_keep_one_district_or_year() {
    let out = SiteTest::example().run(&["build"]);
    out.assert_success();
    let in_district = find_with(
        &out,
        &Query {
            text: "社区",
            district: Some("锦江区"),
            year: None,
        },
    );
    assert_eq!(in_district, ["/stories/zongfulu/"]);
    let in_year = find_with(
        &out,
        &Query {
            text: "社区",
            district: None,
            year: Some(2018),
        },
    );
    assert_eq!(in_year.len(), 3);
    let manifest = manifest(&out);
    assert_eq!(
        manifest["districts"],
        serde_json::json!(["双流区", "成华区", "锦江区"])
    );
    assert_eq!(manifest["years"], serde_json::json!([[2018, 0, 3]]));
}

/// Builds `site` with one story, 白莲, and checks that the build succeeded.
fn build_one_story(site: SiteTest) -> Output {
    let out = site
        .file(
            "content/stories/bailian.md",
            &story("白莲", "2018-03-18", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    out
}

fn site_with(stories: &[(&str, &str)]) -> SiteTest {
    stories.iter().fold(SiteTest::new(), |site, (name, text)| {
        site.file(&format!("content/stories/{name}.md"), text)
    })
}

#[test]
fn drafts_are_never_indexed() {
    let draft = "---\ntitle: 草稿里的秘密\ndate: 2018-12-21\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\ndraft: true\n---\n\n未完成的蛟龙报道。\n";
    let site = site_with(&[
        ("draft", draft),
        ("bailian", &story("白莲", "2018-03-18", "正文。")),
    ]);
    let out = site.run(&["build"]);
    out.assert_success();
    assert!(find(&out, "秘密").is_empty());
    assert!(find(&out, "蛟龙").is_empty());
    assert_eq!(all_docs(&out).len(), 1);
    // With --drafts the draft is published, and so it is searchable.
    let out = site.run(&["build", "--drafts"]);
    out.assert_success();
    assert_eq!(find(&out, "秘密"), ["/stories/draft/"]);
}

#[test]
fn only_published_stories_are_indexed() {
    // A story dated far in the future: whatever the site does with it (the site-structure
    // issue leaves future stories out), the index holds exactly the stories that have a page.
    let site = site_with(&[
        ("future", &story("未来的报道", "2999-01-01", "明日之星。")),
        ("bailian", &story("白莲", "2018-03-18", "正文。")),
    ]);
    let out = site.run(&["build"]);
    out.assert_success();
    let mut indexed: Vec<String> = all_docs(&out)
        .iter()
        .map(|doc| doc["url"].as_str().expect("url").to_string())
        .collect();
    indexed.sort();
    let mut published: Vec<String> = ["future", "bailian"]
        .iter()
        .filter(|slug| out.exists(&format!("public/stories/{slug}/index.html")))
        .map(|slug| format!("/stories/{slug}/"))
        .collect();
    published.sort();
    assert_eq!(indexed, published);
    assert_eq!(
        find(&out, "明日之星").is_empty(),
        !out.exists("public/stories/future/index.html")
    );
}

#[test]
fn html_in_the_body_never_reaches_the_index() {
    let body = "居民<span class=\"hot\">点赞</span>儿童之家。\n\n<div class=\"box\">\n<p>框里的字</p>\n</div>\n\n<!-- 编者注：不要发 -->\n\n<script>alert(\"脚本\")</script>\n\n写作 `<b>` 与 &lt;i&gt;。";
    let out = site_with(&[("html", &story("标记", "2018-03-18", body))]).run(&["build"]);
    out.assert_success();
    let docs = all_docs(&out);
    let text = docs[0]["body"].as_str().expect("body");
    assert_eq!(text, "居民点赞儿童之家。 框里的字 写作 <b> 与 <i>。");
    assert_eq!(find(&out, "点赞儿童之家"), ["/stories/html/"]);
    assert!(find(&out, "编者注").is_empty());
    assert!(find(&out, "脚本").is_empty());
    assert!(find(&out, "hot").is_empty());
}

#[test]
fn the_search_page_and_its_files() {
    let out = build_one_story(
        SiteTest::new().config("title: 测试站点\nbase_url: https://example.org/news/\n"),
    );
    let page = "public/search/index.html";
    assert_eq!(
        out.select_attr(page, "script[data-index]", "data-index"),
        ["/news/search/"]
    );
    // The script under its fingerprinted name (see theme::assets_are_fingerprinted…).
    let src = out.select_attr(page, "script[data-index]", "src");
    let name = src[0].strip_prefix("/news/").expect("under the base path");
    assert!(
        crate::util::is_fingerprinted(name, "search", "js"),
        "{src:?}"
    );
    assert_eq!(
        out.read_bytes(&format!("public/{name}")),
        out.read_bytes("public/search.js")
    );
    assert_eq!(out.select_text(page, "noscript").len(), 1);
    assert!(out.exists("public/search.js"));
    assert!(out.exists("public/search.css"));
    assert!(out.exists("public/search/manifest.json"));
    assert_eq!(
        out.select_attr("public/index.html", "nav a[href='/news/search/']", "href"),
        ["/news/search/"]
    );
    assert_eq!(find(&out, "白莲"), ["/news/stories/bailian/"]);
    let script = out.read_bytes("public/search.js");
    assert!(script.len() < 10_000, "search.js is {} bytes", script.len());
}

#[test]
fn search_false_builds_no_index_and_no_page() {
    let out = build_one_story(
        SiteTest::new().config("title: 测试站点\nbase_url: https://example.org/\nsearch: false\n"),
    );
    assert!(!out.root.join("public/search").exists());
    assert!(!out.exists("public/search.js"));
    assert!(!out.exists("public/search.css"));
    assert!(
        out.select_text("public/index.html", "nav a[href='/search/']")
            .is_empty()
    );
}

#[test]
fn search_must_be_a_bool() {
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/\nsearch: maybe\n")
        .run(&["build"]);
    out.assert_exit(1);
    assert!(out.stderr.contains("config/invalid"), "{}", out.stderr);
}

#[test]
fn a_theme_without_a_search_page_gets_the_built_in_one() {
    let out = build_one_story(SiteTest::fixture("plain"));
    assert_eq!(
        out.select_text("public/search/index.html", "h1"),
        ["搜索报道"]
    );
    assert!(out.exists("public/search.js"));
    assert_eq!(find(&out, "白莲"), ["/stories/bailian/"]);
}

#[test]
fn static_files_under_search_are_not_copied_but_named() {
    let out = build_one_story(SiteTest::new().file("static/search/manifest.json", "{}"));
    assert!(
        out.stderr.contains("static/search-folder"),
        "{}",
        out.stderr
    );
    assert!(
        out.read("public/search/manifest.json")
            .contains("\"format\"")
    );
}

#[test]
fn a_rebuild_writes_the_same_index() {
    let site = SiteTest::example();
    let first = site.run(&["build"]);
    first.assert_success();
    let before = crate::util::snapshot_tree(&first.root.join("public/search"));
    let second = site.run(&["build"]);
    second.assert_success();
    assert_eq!(
        before,
        crate::util::snapshot_tree(&second.root.join("public/search"))
    );
}
