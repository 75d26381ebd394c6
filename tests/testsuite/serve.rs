//! `yuanba serve` driven like a user: pages over HTTP, edits with atomic saves, reload events,
//! the error overlay, deletions and renames, bursts, and paths that try to leave the site.

use crate::live::{Events, Running, atomic_save, get_raw, strip_injection, wait_until};
use crate::util::{SiteTest, snapshot_tree, story};

fn story_in(title: &str, date: &str, district: &str) -> String {
    story(title, date, "正文。").replace("成华区", district)
}

/// Two stories, `bailian` (newer) and `jiaolong`, in one community.
pub(crate) fn two_stories() -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/bailian.md",
            &story("白莲社区", "2018-03-20", "儿童之家开园。"),
        )
        .file(
            "content/stories/jiaolong.md",
            &story("蛟龙港", "2018-03-18", "上林社区。"),
        )
}

#[test]
fn an_edit_reloads_the_page_an_error_shows_the_overlay_and_a_fix_clears_it() {
    let site = two_stories().file(
        "content/pages/about.md",
        "---\ntitle: 关于我们\n---\n\n我们。\n",
    );
    let mut server = Running::serve(&site, &[]);
    let page = server.get("stories/bailian/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("白莲社区"));
    assert!(page.text().contains("/__yuanba/events"));
    let mut events = Events::connect(&server, "/stories/bailian/");
    // A page that shows nothing of the story (story pages link their neighbours).
    let mut other = Events::connect(&server, "/about/");

    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区改造", "2018-03-20", "儿童之家开园。"),
    );
    let edit = events.next_rebuild();
    assert_eq!(edit.action(), "reload", "{edit:?}");
    assert!(
        edit.changed("/stories/bailian/") && edit.changed("/"),
        "{edit:?}"
    );
    // The reload event comes after the site is published: the new page is there.
    assert!(
        server
            .get("stories/bailian/")
            .text()
            .contains("白莲社区改造")
    );
    assert_eq!(other.next_rebuild().action(), "none");

    // Line 3 is the date.
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区改造", "2018-13-20", "儿童之家开园。"),
    );
    let broken = events.next_rebuild();
    assert!(broken.error() && broken.action() == "reload", "{broken:?}");
    assert_eq!(other.next_rebuild().action(), "reload");
    let page = server.get("stories/bailian/");
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("yuanba-overlay"), "{text}");
    assert!(text.contains("content/stories/bailian.md:3:7"), "{text}");
    assert!(text.contains("date: 2018-13-20"), "{text}");
    assert!(text.contains("《白莲社区改造》"), "{text}");
    // The last good site is still served, on every page.
    assert!(text.contains("<h1"), "{text}");
    assert!(server.get("").text().contains("yuanba-overlay"));
    let line = server.wait_for_line(|line| line.contains("build failed"));
    assert!(
        line.starts_with("content/stories/bailian.md: build failed (1 error in 1 file)"),
        "{line}"
    );
    // The terminal shows the same problem, located (stderr is read on a thread of its own).
    wait_until("the error on stderr", || {
        server.stderr().contains("content/stories/bailian.md:3:7")
    });

    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区修好了", "2018-03-20", "儿童之家开园。"),
    );
    let fixed = events.next_rebuild();
    assert!(!fixed.error() && fixed.action() == "reload", "{fixed:?}");
    let text = server.get("stories/bailian/").text();
    assert!(!text.contains("yuanba-overlay"), "{text}");
    assert!(text.contains("白莲社区修好了"), "{text}");

    let private = server.private_site();
    assert!(private.join("index.html").is_file());
    let (status, stdout) = server.interrupt();
    assert!(status.success(), "{status:?}");
    assert_eq!(stdout.last().map(String::as_str), Some("stopped"));
    assert!(!private.exists(), "the private folder outlives serve");
    assert!(!site.root().join("public").exists(), "serve wrote public/");
}

#[test]
fn a_deleted_story_leaves_the_home_page_and_its_url_answers_404() {
    let site = two_stories().file(
        "templates/404.html",
        "<!DOCTYPE html><html><body><p>找不到这一页</p></body></html>",
    );
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/");
    assert!(server.get("").text().contains("蛟龙港"));

    std::fs::remove_file(site.root().join("content/stories/jiaolong.md")).expect("delete");
    let deleted = events.next_rebuild();
    assert_eq!(deleted.action(), "reload", "{deleted:?}");
    assert!(deleted.changed("/stories/jiaolong/"), "{deleted:?}");
    assert!(!server.get("").text().contains("蛟龙港"));
    let gone = server.get("stories/jiaolong/");
    assert_eq!(gone.status, 404);
    assert!(gone.text().contains("找不到这一页"), "{}", gone.text());
    // Served with the reload script, so the page comes back by itself when the story does.
    assert!(gone.text().contains(r#"data-status="404""#));
}

#[test]
fn renamed_and_new_folders_and_recreated_files_are_seen() {
    let site = SiteTest::new()
        .file(
            "content/2018/bailian.md",
            &story("白莲社区", "2018-03-20", "正文。"),
        )
        .file(
            "content/2018/jiaolong/index.md",
            &story("蛟龙港", "2018-03-18", "正文。"),
        )
        .file(
            "content/2018/jiaolong/photo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/");

    std::fs::rename(
        site.root().join("content/2018"),
        site.root().join("content/archive"),
    )
    .expect("rename");
    let renamed = events.next_rebuild();
    assert!(!renamed.error(), "{renamed:?}");
    // The slugs come from the file and folder names, so the pages stay where they were.
    assert_eq!(server.get("stories/bailian/").status, 200);
    assert_eq!(server.get("stories/jiaolong/photo.svg").status, 200);

    // A new folder with a story inside.
    let folder = site.root().join("content/2019/new");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(
        folder.join("index.md"),
        story("新故事", "2019-01-01", "正文。"),
    )
    .expect("write");
    events.wait_for(|event| event.name == "rebuild" && event.changed("/stories/new/"));
    assert!(server.get("").text().contains("新故事"));

    // Deleted and created again.
    let file = site.root().join("content/archive/bailian.md");
    std::fs::remove_file(&file).expect("delete");
    std::fs::write(&file, story("白莲社区重写", "2018-03-20", "正文。")).expect("write");
    wait_until("the recreated story is served", || {
        server
            .get("stories/bailian/")
            .text()
            .contains("白莲社区重写")
    });
}

#[test]
fn three_hundred_files_touched_at_once_rebuild_once() {
    let mut site = SiteTest::new();
    for n in 0..300 {
        site = site.file(
            &format!("content/s/{n:03}.md"),
            &story(&format!("第{n}篇"), "2018-03-20", "正文。"),
        );
    }
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/");
    // Like a checkout: every file rewritten as fast as possible.
    for n in 0..300 {
        std::fs::write(
            site.root().join(format!("content/s/{n:03}.md")),
            story(&format!("第{n}篇（改）"), "2018-03-20", "正文。"),
        )
        .expect("write");
    }
    let burst = events.next_rebuild();
    assert!(
        burst.changed("/stories/000/") && burst.changed("/stories/299/"),
        "{burst:?}"
    );
    // Events are in order: if the burst had been split, the sentinel's rebuild would not be
    // the very next one.
    atomic_save(
        site.root(),
        "content/sentinel.md",
        &story("哨兵", "2018-03-21", "正文。"),
    );
    let sentinel = events.next_rebuild();
    assert!(sentinel.changed("/stories/sentinel/"), "{sentinel:?}");
    assert_eq!(sentinel.build(), burst.build() + 1, "{:#?}", events.seen);
}

#[test]
fn editor_swap_and_backup_files_do_not_rebuild() {
    let site = two_stories();
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/");
    for name in [
        ".bailian.md.swp",
        "bailian.md~",
        "4913",
        ".#bailian.md",
        "bailian.md___jb_tmp___",
        "x.bck",
    ] {
        std::fs::write(site.root().join("content/stories").join(name), "junk").expect("write");
    }
    atomic_save(
        site.root(),
        "content/stories/sentinel.md",
        &story("哨兵", "2018-03-21", "正文。"),
    );
    let first = events.next_rebuild();
    // The junk files alone would have been a rebuild before this one, and the junk would have
    // been read as stories (and failed).
    assert!(
        first.changed("/stories/sentinel/") && !first.error(),
        "{:#?}",
        events.seen
    );
    assert_eq!(first.build(), 2, "{:#?}", events.seen);
}

#[test]
fn a_stylesheet_change_swaps_css_and_a_template_change_reloads() {
    let site = two_stories().file("static/extra.css", "p { color: red }\n");
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/stories/bailian/");
    atomic_save(site.root(), "static/extra.css", "p { color: blue }\n");
    let css = events.next_rebuild();
    assert_eq!(css.action(), "css", "{css:?}");
    assert_eq!(server.get("extra.css").text(), "p { color: blue }\n");
    assert_eq!(
        server.get("extra.css").header("content-type"),
        Some("text/css; charset=utf-8")
    );

    let template = yuanba::render::builtin::TEMPLATES
        .iter()
        .find(|(name, _)| *name == "story.html")
        .expect("story.html")
        .1
        .replace(
            "{% block content %}",
            "{% block content %}<p class=\"edited\">改过的模板</p>",
        );
    atomic_save(site.root(), "templates/story.html", &template);
    let reloaded = events.next_rebuild();
    assert_eq!(reloaded.action(), "reload", "{reloaded:?}");
    assert!(server.get("stories/bailian/").text().contains("改过的模板"));
}

#[test]
fn drafts_are_served_with_a_banner_unless_no_drafts() {
    let draft = "---\ntitle: 草稿故事\ndate: 2018-12-21\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\ndraft: true\n---\n\n未完成。\n";
    let site = two_stories().file("content/stories/draft.md", draft);
    let server = Running::serve(&site, &[]);
    let page = server.get("stories/draft/");
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("yuanba-draft") && page.text().contains("草稿"),
        "{}",
        page.text()
    );
    assert!(
        !server
            .get("stories/bailian/")
            .text()
            .contains("yuanba-draft")
    );
    drop(server);

    let server = Running::serve(&site, &["--no-drafts"]);
    assert_eq!(server.get("stories/draft/").status, 404);
}

#[test]
fn paths_that_try_to_leave_the_site_get_400_or_404() {
    let site = two_stories();
    let server = Running::serve(&site, &[]);
    for path in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/site.yaml",
        "/..%2fsite.yaml",
        "/..%2Fsite.yaml",
        "/stories/../../site.yaml",
        "/..\\site.yaml",
        "/%5c..%5csite.yaml",
        "/..%5csite.yaml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/%252e%252e/site.yaml",
    ] {
        let response = get_raw(&server.url_of(path), "GET");
        assert!(
            matches!(response.status, 400 | 404),
            "{path}: {}",
            response.status
        );
        assert!(!response.text().contains("base_url"), "{path}");
        assert!(!response.text().contains("root:"), "{path}");
    }
}

#[test]
fn folders_redirect_listings_are_refused_and_head_works() {
    let site = two_stories();
    let server = Running::serve(&site, &[]);
    let redirect = server.get("stories/bailian");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some("/stories/bailian/"));
    // A folder without index.html is not listed.
    let listing = server.get("stories/");
    assert_eq!(listing.status, 404);
    assert!(!listing.text().contains("bailian"));
    let get = server.get("stories/bailian/");
    let head = get_raw(&server.url_of("stories/bailian/"), "HEAD");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), get.header("content-length"));
    assert_eq!(
        head.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn a_base_url_with_a_path_is_served_under_it() {
    let site = two_stories().config("title: 测试站点\nbase_url: https://example.org/news/\n");
    let server = Running::serve(&site, &[]);
    assert!(server.url.ends_with("/news/"), "{}", server.url);
    assert_eq!(server.get("").status, 200);
    assert!(
        server
            .get("")
            .text()
            .contains("href=\"/news/stories/bailian/\"")
    );
    assert_eq!(server.get("style.css").status, 200);
    let root = server.url.trim_end_matches("news/");
    assert_eq!(get_raw(root, "GET").status, 404);
    let redirect = get_raw(server.url.trim_end_matches('/'), "GET");
    assert_eq!(
        (redirect.status, redirect.header("location")),
        (307, Some("/news/"))
    );
    let folder = server.get("stories/bailian");
    assert_eq!(folder.header("location"), Some("/news/stories/bailian/"));
}

#[test]
fn served_pages_equal_a_clean_build_after_a_sequence_of_edits() {
    // `content/more/` exists from the start, so that moving a folder into it is one change.
    let site = two_stories().file("content/more/.keep", "").file(
        "content/pages/about.md",
        "---\ntitle: 关于我们\n---\n\n我们。\n",
    );
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/");
    let root = site.root();
    let mut rebuilt = || {
        let event = events.next_rebuild();
        assert!(!event.error(), "{event:?}");
    };
    atomic_save(
        root,
        "content/stories/new.md",
        &story_in("新的", "2018-04-01", "武侯区"),
    );
    rebuilt();
    atomic_save(
        root,
        "content/stories/bailian.md",
        &story("白莲（改）", "2017-01-01", "改。"),
    );
    rebuilt();
    std::fs::remove_file(root.join("content/stories/jiaolong.md")).expect("delete");
    rebuilt();
    std::fs::rename(
        root.join("content/stories"),
        root.join("content/more/stories"),
    )
    .expect("rename");
    rebuilt();
    atomic_save(
        root,
        "content/pages/about.md",
        "---\ntitle: 关于\nslug: about-us\n---\n\n改。\n",
    );
    rebuilt();
    atomic_save(root, "static/extra.css", "p {}\n");
    rebuilt();
    // A card template of the site's own, then a change to it: every list shows the new cards.
    atomic_save(
        root,
        "templates/partials/story_card.html",
        "<article><a href=\"{{ story.url }}\">{{ story.title }}</a></article>\n",
    );
    rebuilt();
    atomic_save(
        root,
        "templates/partials/story_card.html",
        "<article><h3><a href=\"{{ story.url }}\">{{ story.title }}</a></h3></article>\n",
    );
    rebuilt();
    atomic_save(
        root,
        "content/more/stories/new.md",
        &story_in("新的（改）", "2018-04-01", "锦江区"),
    );
    rebuilt();
    atomic_save(
        root,
        "site.yaml",
        "title: 改过的站名\nbase_url: https://example.org/\n",
    );
    let last = events.next_rebuild();
    assert!(!last.error(), "{last:?}");
    // The search index follows the pages, announced by a `search` event of the same build.
    events.wait_for(|event| event.name == "search" && event.build() == last.build());

    let from_serve = snapshot_tree(&server.private_site());
    // `serve` links the plain names of stylesheets and scripts (an edit of one would change
    // every page otherwise); a build does so with `fingerprint_assets: false`.
    site.write(
        "site.yaml",
        b"title: \xe6\x94\xb9\xe8\xbf\x87\xe7\x9a\x84\xe7\xab\x99\xe5\x90\x8d\nbase_url: https://example.org/\nfingerprint_assets: false\n",
    );
    let built = site.run(&["build", "--drafts", "--output", "../clean"]);
    built.assert_success();
    let clean = snapshot_tree(&site.tmp().join("clean"));
    assert_eq!(
        from_serve.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &clean {
        assert!(
            from_serve[path] == *bytes,
            "{} differs from a clean build",
            path.display()
        );
        let url = path.to_string_lossy().replace("index.html", "");
        if path
            .file_name()
            .is_some_and(|name| name == ".yuanba-output")
        {
            continue;
        }
        let response = server.get(&url);
        assert_eq!(strip_injection(&response.body), *bytes, "{url}");
        assert_eq!(response.as_built(), *bytes, "{url}");
    }
}

#[test]
fn serve_without_a_site_says_so() {
    let site = SiteTest::new().without_config();
    let out = site.run(&["serve", "--port", "0"]);
    out.assert_exit(2);
    assert!(out.stderr.contains("no site.yaml"), "{}", out.stderr);
}

/// `build --watch` on [`two_stories`], after its first build.
fn watch_two_stories() -> (SiteTest, Running) {
    let site = two_stories();
    let mut watching = Running::start(&site, &["build", "--watch"]);
    watching.wait_for_line(|line| line.starts_with("first build:"));
    (site, watching)
}

#[test]
fn build_watch_rebuilds_public_on_every_change() {
    let (site, mut watching) = watch_two_stories();
    let page = site.root().join("public/stories/bailian/index.html");
    assert!(
        std::fs::read_to_string(&page)
            .expect("built")
            .contains("白莲社区")
    );
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区改造", "2018-03-20", "正文。"),
    );
    let line = watching.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert!(line.contains("1 file re-read"), "{line}");
    assert!(
        std::fs::read_to_string(&page)
            .expect("rebuilt")
            .contains("白莲社区改造")
    );
    // Served pages get the reload script; built ones never do.
    assert!(
        !std::fs::read_to_string(&page)
            .expect("rebuilt")
            .contains("__yuanba")
    );
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区改造", "2018-13-20", "正文。"),
    );
    watching.wait_for_line(|line| line.contains("build failed"));
    assert!(
        std::fs::read_to_string(&page)
            .expect("kept")
            .contains("白莲社区改造")
    );
}

/// Forty stories in two communities, two to a day from 2018-01-01.
fn forty_stories() -> SiteTest {
    (0..40).fold(SiteTest::new(), |site, n| {
        let date = format!("2018-01-{:02}", n / 2 + 1);
        let body = format!("第{n}篇。");
        let text = story(&format!("故事{n}"), &date, &body);
        let text = if n % 2 == 0 {
            text
        } else {
            text.replace("白莲社区", "双林社区")
        };
        site.file(&format!("content/stories/s{n:02}.md"), &text)
    })
}

/// The number of pages a rebuild line says it rendered.
fn pages_rendered(line: &str) -> usize {
    let (before, _) = line
        .split_once(" rendered")
        .unwrap_or_else(|| panic!("no count of rendered pages in {line:?}"));
    let count = before.rsplit(", ").next().unwrap_or(before);
    count
        .trim_end_matches(" pages")
        .trim_end_matches(" page")
        .parse()
        .unwrap_or_else(|_| panic!("no count of rendered pages in {line:?}"))
}

#[test]
fn an_edit_renders_only_the_pages_that_show_what_changed() {
    let site = forty_stories();
    let mut server = Running::serve(&site, &[]);
    let first = server
        .stdout
        .iter()
        .find(|line| line.starts_with("first build:"))
        .expect("the first build's line")
        .clone();
    let all = pages_rendered(&first);
    assert!(all > 40, "{first}");
    let mut events = Events::connect(&server, "/stories/s10/");

    // Saved with a blank line more: the same story, nothing to render.
    let same = story("故事10", "2018-01-06", "第10篇。\n");
    atomic_save(site.root(), "content/stories/s10.md", &same);
    let line = server.wait_for_line(|line| line.starts_with("content/stories/s10.md:"));
    assert_eq!(pages_rendered(&line), 0, "{line}");
    assert!(!events.next_rebuild().changed("/stories/s10/"));

    // A new body: the story, its neighbours and the lists that show its card.
    let edited = story("故事10", "2018-01-06", "第十篇，改过的正文。");
    atomic_save(site.root(), "content/stories/s10.md", &edited);
    let line = server.wait_for_line(|line| line.starts_with("content/stories/s10.md:"));
    let rendered = pages_rendered(&line);
    assert!(
        (1..all / 2).contains(&rendered),
        "{rendered} of {all}: {line}"
    );
    assert!(events.next_rebuild().changed("/stories/s10/"));
    assert!(
        server
            .get("stories/s10/")
            .text()
            .contains("第十篇，改过的正文。")
    );
    // A list far from it kept its page.
    assert!(server.get("stories/s39/").text().contains("第39篇。"));

    // The story template: every story page, and no list. The page open in the browser
    // comes first, and its reload with it; then the others.
    atomic_save(
        site.root(),
        "templates/story.html",
        "<!doctype html><title>{{ story.title }}</title><main>{{ story.content | safe }}</main>\n",
    );
    let line = server.wait_for_line(|line| line.starts_with("templates"));
    assert_eq!(pages_rendered(&line), 1, "{line}");
    let event = events.next_rebuild();
    assert!(event.changed("/stories/s10/"), "{event:?}");
    assert!(!event.changed("/stories/s20/"), "{event:?}");
    assert!(
        server
            .get("stories/s10/")
            .text()
            .starts_with("<!doctype html><title>故事10")
    );
    // A page not rendered yet is answered once it is.
    assert!(
        server
            .get("stories/s20/")
            .text()
            .starts_with("<!doctype html><title>故事20")
    );
    let line = server.wait_for_line(|line| line.starts_with("templates"));
    assert!(line.contains(" (the other pages): "), "{line}");
    assert_eq!(pages_rendered(&line), 39, "{line}");
}

/// Saves `content/stories/s10.md`, waits for its rebuild, and checks that `patches` rebuilds so
/// far patched the published site instead of rebuilding it (the `YUANBA_TIMINGS` line of a
/// published patch on stderr).
#[track_caller]
fn save_s10(server: &mut Running, site: &SiteTest, text: &str, patches: usize) {
    atomic_save(site.root(), "content/stories/s10.md", text);
    server.wait_for_line(|line| line.starts_with("content/stories/s10.md:"));
    let count = || server.stderr().matches("patch: published").count();
    wait_until(&format!("{patches} patches"), || count() >= patches);
    assert_eq!(count(), patches, "{}", server.stderr());
}

#[test]
fn text_edits_patch_the_site_and_anything_else_rebuilds_it() {
    // Every rebuild is also compared with a clean build (`YUANBA_VERIFY_REBUILDS`).
    let site = forty_stories();
    let server = &mut Running::serve_timed(&site);
    // The body, then the title (which every list with its card shows).
    save_s10(
        server,
        &site,
        &story("故事10", "2018-01-06", "新的正文。"),
        1,
    );
    save_s10(
        server,
        &site,
        &story("新标题", "2018-01-06", "新的正文。"),
        2,
    );
    assert!(server.get("stories/s11/").text().contains("新标题"));
    assert!(server.get("stories/s13/").text().contains("新标题"));
    // A new date moves it in every list; a heading gives the body an anchor others can link
    // to: both rebuild the site.
    save_s10(
        server,
        &site,
        &story("新标题", "2019-05-01", "新的正文。"),
        2,
    );
    let heading = story("新标题", "2019-05-01", "## 小标题\n\n新的正文。");
    save_s10(server, &site, &heading, 2);
    // A broken front matter rebuilds (and fails); the fix rebuilds again.
    save_s10(server, &site, "---\ntitle: [\n---\n", 2);
    let fixed = story("新标题", "2019-05-01", "## 小标题\n\n又改了。");
    save_s10(server, &site, &fixed, 2);
    // Once a build is published again, text edits are patched again.
    let again = story("新标题", "2019-05-01", "## 小标题\n\n再改。");
    save_s10(server, &site, &again, 3);
    assert!(server.get("stories/s10/").text().contains("再改。"));
}

#[test]
fn a_patched_story_updates_its_feeds_and_redirect_pages() {
    // Every rebuild is also compared with a clean build (`YUANBA_VERIFY_REBUILDS`).
    let site = forty_stories();
    let server = &mut Running::serve_timed(&site);
    let newest = |title: &str, body: &str| {
        story(title, "2018-01-20", body).replace("reporter:", "aliases: [/old/s39.html]\nreporter:")
    };
    let mut save = |text: &str| {
        atomic_save(site.root(), "content/stories/s39.md", text);
        server.wait_for_line(|line| line.starts_with("content/stories/s39.md:"));
    };
    // An alias is a new place in the site: the full rebuild.
    save(&newest("故事39", "第39篇。"));
    // Then the title and the body: a patch, which must rewrite the site feed, the district
    // feed and the redirect page, all of which show them.
    save(&newest("最新的标题", "最新的正文。"));
    wait_until("one patch", || {
        server.stderr().matches("patch: published").count() == 1
    });
    assert!(server.get("atom.xml").text().contains("最新的正文。"));
    assert!(server.get("old/s39.html").text().contains("最新的标题"));
}

#[test]
fn a_story_given_a_new_slug_changes_the_links_to_it_in_bodies_that_were_not_edited() {
    let site = SiteTest::new()
        .file(
            "content/stories/a.md",
            &story("甲", "2018-03-20", "见[乙](b.md)。"),
        )
        .file("content/stories/b.md", &story("乙", "2018-03-19", "乙。"));
    let server = Running::serve(&site, &[]);
    let mut events = Events::connect(&server, "/stories/a/");
    assert!(
        server
            .get("stories/a/")
            .text()
            .contains("href=\"/stories/b/\"")
    );
    let with_slug =
        story("乙", "2018-03-19", "乙。").replace("title: 乙\n", "title: 乙\nslug: bee\n");
    atomic_save(site.root(), "content/stories/b.md", &with_slug);
    let event = events.next_rebuild();
    assert!(!event.error() && event.changed("/stories/a/"), "{event:?}");
    let page = server.get("stories/a/").text();
    assert!(
        page.contains("见<a href=\"/stories/bee/\">乙</a>"),
        "{page}"
    );
    assert_eq!(server.get("stories/b/").status, 404);
}

#[test]
fn build_watch_writes_again_a_kept_page_removed_from_public() {
    let (site, mut watching) = watch_two_stories();
    // A page that a body edit does not change, removed behind yuanba's back.
    let places = site.root().join("public/places/index.html");
    let before = std::fs::read(&places).expect("built");
    std::fs::remove_file(&places).expect("remove");
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区", "2018-03-20", "儿童之家开园，居民点赞。"),
    );
    let line = watching.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert!(!line.contains("failed"), "{line}");
    assert_eq!(std::fs::read(&places).expect("written again"), before);
}
