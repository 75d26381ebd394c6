//! What `serve` and `build --watch` patch instead of rebuilding, and the changes that must not
//! be patched or must reach every page that shows them. Every rebuild of these tests is also
//! compared with a clean build (`YUANBA_VERIFY_REBUILDS`, set by the harness): a difference
//! fails the test when the process stops.

use crate::live::{Running, atomic_save, wait_until};
use crate::serve::two_stories;
use crate::util::story;

#[test]
fn a_component_defined_in_another_template_is_followed() {
    let site = two_stories()
        .file(
            "templates/partials/ui.html",
            "{% component badge(label) %}[A:{{ label }}]{% endcomponent badge %}\n",
        )
        .file(
            "templates/story.html",
            "<!doctype html><title>{{ story.title }}</title>{{ <badge label=\"x\"/> }}\n",
        );
    let mut server = Running::serve(&site, &[]);
    assert!(server.get("stories/bailian/").text().contains("[A:x]"));
    atomic_save(
        site.root(),
        "templates/partials/ui.html",
        "{% component badge(label) %}[B:{{ label }}]{% endcomponent badge %}\n",
    );
    server.wait_for_line(|line| line.starts_with("templates/partials/ui.html"));
    assert!(server.get("stories/bailian/").text().contains("[B:x]"));
    assert!(server.get("stories/jiaolong/").text().contains("[B:x]"));
}

#[test]
fn cards_that_show_the_site_pages_follow_a_page_title() {
    let site = two_stories()
        .file(
            "content/pages/about.md",
            "---\ntitle: 关于我们\n---\n\n我们。\n",
        )
        .file(
            "templates/partials/story_card.html",
            "<article>{{ story.title }}{% for p in pages %}[{{ p.title }}]{% endfor %}</article>\n",
        );
    let mut server = Running::serve(&site, &[]);
    assert!(server.get("").text().contains("[关于我们]"));
    atomic_save(
        site.root(),
        "content/pages/about.md",
        "---\ntitle: 联系我们\n---\n\n我们。\n",
    );
    server.wait_for_line(|line| line.starts_with("content/pages/about.md"));
    let home = server.get("").text();
    assert!(
        home.contains("[联系我们]") && !home.contains("[关于我们]"),
        "{home}"
    );
}

fn svg(width: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"50\" viewBox=\"0 0 {width} 50\"></svg>\n"
    )
}

#[test]
fn a_changed_image_gives_the_bodies_that_show_it_its_new_size() {
    let site = two_stories()
        .file("static/photo.svg", &svg(100))
        .file(
            "content/stories/c/index.md",
            &story("有图", "2018-03-19", "![图](/photo.svg)\n\n![本地](p.svg)"),
        )
        .file("content/stories/c/p.svg", &svg(30));
    let mut server = Running::serve(&site, &[]);
    let page = server.get("stories/c/").text();
    assert!(
        page.contains("width=\"100\"") && page.contains("width=\"30\""),
        "{page}"
    );
    std::fs::write(site.root().join("static/photo.svg"), svg(200)).expect("write");
    server.wait_for_line(|line| line.starts_with("static/photo.svg"));
    assert!(server.get("stories/c/").text().contains("width=\"200\""));
    std::fs::write(site.root().join("content/stories/c/p.svg"), svg(60)).expect("write");
    server.wait_for_line(|line| line.starts_with("content/stories/c/p.svg"));
    assert!(server.get("stories/c/").text().contains("width=\"60\""));
}

/// Whether any file of the search index's document table has `text`.
fn index_has(dir: &std::path::Path, text: &str) -> bool {
    walkdir::WalkDir::new(dir.join("search"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .any(|entry| std::fs::read_to_string(entry.path()).is_ok_and(|json| json.contains(text)))
}

#[test]
fn build_watch_writes_the_search_index_of_a_text_edit() {
    let site = two_stories();
    let mut watching = Running::start(&site, &["build", "--watch"]);
    watching.wait_for_line(|line| line.starts_with("first build:"));
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区新标题", "2018-03-20", "儿童之家开园。"),
    );
    watching.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert!(index_has(&site.root().join("public"), "白莲社区新标题"));
}

#[test]
fn a_story_that_falls_due_is_published_by_the_next_rebuild() {
    // The story falls due a little after serve starts. Serve prints its address after the
    // first build, so a start seen before the due time means that build left the story out;
    // on a machine too slow for that, try again with more time.
    let mut margin = 2;
    let (site, mut server, due) = loop {
        let date = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + margin)
            .expect("a time")
            .to_string();
        let due: jiff::Timestamp = date.parse().expect("the story's date");
        let site = two_stories().file(
            "content/stories/later.md",
            &story("稍后发布", &date, "正文。"),
        );
        let server = Running::serve(&site, &[]);
        if jiff::Timestamp::now() < due {
            break (site, server, due);
        }
        assert!(margin < 30, "serve took more than {margin} s to start");
        margin *= 2;
    };
    assert_eq!(server.get("stories/later/").status, 404);
    // Time itself has to pass here: nothing else makes the story due.
    wait_until("the story is due", || jiff::Timestamp::now() > due);
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区", "2018-03-20", "改过的正文。"),
    );
    server.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert_eq!(server.get("stories/later/").status, 200);
}

#[test]
fn a_change_that_cannot_be_patched_says_why_in_its_line() {
    let site = two_stories();
    let mut server = Running::serve(&site, &[]);
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区", "2018-03-21", "正文。"),
    );
    let line = server.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert!(
        line.starts_with("content/stories/bailian.md: date changed, full rebuild; 1 file re-read,"),
        "{line}"
    );
    atomic_save(
        site.root(),
        "content/stories/bailian.md",
        &story("白莲社区", "2018-03-21", "改过的正文。"),
    );
    let line = server.wait_for_line(|line| line.starts_with("content/stories/bailian.md:"));
    assert!(
        !line.contains("full rebuild"),
        "a text edit is patched: {line}"
    );
}

#[test]
fn a_new_story_and_a_card_template_change_say_why_they_take_the_full_rebuild() {
    let site = two_stories();
    let mut server = Running::serve(&site, &[]);
    atomic_save(
        site.root(),
        "content/stories/xinde.md",
        &story("新的报道", "2018-03-22", "正文。"),
    );
    let line = server.wait_for_line(|line| line.starts_with("content/stories/xinde.md:"));
    assert!(
        line.starts_with("content/stories/xinde.md: not a published story, full rebuild; "),
        "{line}"
    );
    atomic_save(
        site.root(),
        "templates/partials/story_card.html",
        "<article>{{ story.title }}</article>\n",
    );
    // The new `templates/` folder is reported as a whole.
    let line = server.wait_for_line(|line| line.starts_with("templates"));
    assert!(
        line.contains(": the card template changed, full rebuild; "),
        "{line}"
    );
}
