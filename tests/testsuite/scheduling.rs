//! Future-dated and draft stories stay out of every page, list, feed, sitemap and count.

use crate::util::SiteTest;

fn story(title: &str, date: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\ndistrict: 锦江区\nstreet: 春熙路街道\ncommunity: 总府路社区\nreporter: 未来记者\ntags: [未来标签]\n{extra}---\n\n正文。\n"
    )
}

fn site() -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/now.md",
            "---\ntitle: 已发布\ndate: 2018-03-20\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---\n\n正文。\n",
        )
        .file("content/stories/future.md", &story("未来的报道", "2999-01-01", ""))
        .file("content/stories/draft.md", &story("草稿报道", "2018-01-01", "draft: true\n"))
}

/// Every file of the output, as text, concatenated.
fn everything(out: &crate::util::Output) -> String {
    let mut all = String::new();
    let mut stack = vec![out.root.join("public")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name() == Some(".yuanba-output".as_ref()) {
                // The output marker says `drafts: false`, `future: false`.
            } else {
                all.push_str(&path.display().to_string());
                all.push('\n');
                all.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&path).expect("read"),
                ));
            }
        }
    }
    all
}

#[test]
fn future_and_draft_stories_are_nowhere() {
    let out = site().run(&["build"]);
    out.assert_success();
    assert!(out.stdout.starts_with("built 1 story"), "{}", out.stdout);
    let all = everything(&out);
    for absent in [
        "未来的报道",
        "草稿报道",
        "未来记者",
        "未来标签",
        "锦江区",
        "总府路社区",
        "future",
        "draft",
    ] {
        assert!(!all.contains(absent), "{absent} leaked into the output");
    }
    assert_eq!(
        out.select_text("public/places/index.html", ".place-box h2 .count"),
        ["1 篇"]
    );
}

#[test]
fn future_flag_includes_them() {
    let out = site().run(&["build", "--future"]);
    out.assert_success();
    assert!(out.stdout.starts_with("built 2 stories"), "{}", out.stdout);
    assert!(out.exists("public/stories/future/index.html"));
    assert!(out.read("public/atom.xml").contains("未来的报道"));
    assert!(out.read("public/sitemap.xml").contains("/stories/future/"));
    assert!(out.exists("public/reporters/wei-lai-ji-zhe/index.html"));
    assert!(!out.exists("public/stories/draft/index.html"));
}

#[test]
fn a_story_dated_today_is_published_in_beijing_time() {
    // 2026-11-27T17:00:00Z is already 2026-11-28 01:00 in Beijing (and still the 27th in UTC).
    let build_time = [("SOURCE_DATE_EPOCH", "1795798800")];
    let out = SiteTest::new()
        .file("content/stories/today.md", &story("今天", "2026-11-28", ""))
        .file(
            "content/stories/tomorrow.md",
            &story("明天", "2026-11-29", ""),
        )
        .file(
            "content/stories/later.md",
            &story("稍后", "2026-11-28T09:00:00", ""),
        )
        .run_env(&["build"], &build_time);
    out.assert_success();
    assert!(out.exists("public/stories/today/index.html"));
    assert!(!out.exists("public/stories/tomorrow/index.html"));
    assert!(!out.exists("public/stories/later/index.html"));
}

#[test]
fn a_bad_source_date_epoch_is_an_error() {
    let out = site().run_env(&["build"], &[("SOURCE_DATE_EPOCH", "yesterday")]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}
