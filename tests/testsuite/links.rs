//! Links between stories, to files and to anchors, as `build` rewrites and checks them; and
//! `check --external` against a server on this machine (never the internet).

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::util::{SiteTest, story};

#[test]
fn a_link_to_a_story_file_becomes_its_url() {
    let out = SiteTest::fixture("plain")
        .config("title: t\nbase_url: https://example.org/news/\n")
        .file(
            "content/stories/2019/a.md",
            &story(
                "甲",
                "2019-01-01",
                "见[乙](../2018/b.md#er-tong-zhi-jia)、[丙](../2018/c/index.md)、\
                 [乙的网址](/stories/b/)和[本文](#xia-wen)。\n\n## 下文\n",
            ),
        )
        .file(
            "content/stories/2018/b.md",
            &story("乙", "2018-01-01", "## 儿童之家\n"),
        )
        .file(
            "content/stories/2018/c/index.md",
            &story("丙", "2018-01-02", "正文。"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_attr("public/stories/a/index.html", ".body a", "href"),
        [
            "/news/stories/b/#er-tong-zhi-jia",
            "/news/stories/c/",
            "/news/stories/b/",
            "#xia-wen"
        ]
    );
}

#[test]
fn a_broken_link_fails_the_build_and_keeps_the_previous_site() {
    let site = SiteTest::fixture("plain")
        .file("content/stories/a.md", &story("甲", "2019-01-01", "正文。"));
    site.run(&["build"]).assert_success();
    site.write(
        "content/stories/a.md",
        story("甲", "2019-01-01", "见[乙](b.md)。").as_bytes(),
    );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert!(
        out.stderr
            .contains("`b.md` is not a story or page of this site"),
        "{}",
        out.stderr
    );
    assert!(out.read("public/stories/a/index.html").contains("正文。"));
}

#[test]
fn a_link_to_a_draft_is_an_error_unless_drafts_are_built() {
    let site = SiteTest::fixture("plain")
        .file(
            "content/stories/a.md",
            &story("甲", "2019-01-01", "见[乙](b.md)和[乙](/stories/b/)。"),
        )
        .file(
            "content/stories/b.md",
            &story("乙", "2019-01-02", "正文。").replacen("---\n\n", "draft: true\n---\n\n", 1),
        );
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert_eq!(
        out.stderr
            .matches("links to a draft (content/stories/b.md)")
            .count(),
        2,
        "{}",
        out.stderr
    );
    site.run(&["build", "--drafts"]).assert_success();
}

#[test]
fn bundle_files_and_static_files_are_found() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/a/index.md",
            &story(
                "甲",
                "2019-01-01",
                "![图](photo.svg) [附件](files/report.pdf) ![图](/images/x.svg)",
            ),
        )
        .file("content/stories/a/photo.svg", "<svg/>")
        .file("content/stories/a/files/report.pdf", "%PDF")
        .file("static/images/x.svg", "<svg/>")
        .run(&["build"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
}

#[test]
fn a_photo_beside_a_single_file_story_says_to_make_it_a_folder() {
    let out = SiteTest::fixture("plain")
        .file(
            "content/stories/a.md",
            &story("甲", "2019-01-01", "![图](photo.svg)"),
        )
        .file("content/stories/photo.svg", "<svg/>")
        .run(&["build"]);
    out.assert_exit(1);
    let stderr = crate::util::squeeze(&out.stderr);
    assert!(
        stderr.contains(&crate::util::squeeze(
            "content/stories/photo.svg is next to the story file, but only a story folder"
        )),
        "{}",
        out.stderr
    );
}

/// A tiny HTTP server on 127.0.0.1 that logs `METHOD PATH` and answers by path: `/ok` 200,
/// `/no-head` 405 to HEAD and 200 to GET, anything else 404.
fn serve() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let log = Arc::new(Mutex::new(Vec::new()));
    let server_log = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((method, path)) = crate::util::read_request(&stream) else {
                continue;
            };
            server_log
                .lock()
                .expect("log")
                .push(format!("{method} {path}"));
            let status = match (method.as_str(), path.as_str()) {
                (_, "/ok") | ("GET", "/no-head") => "200 OK",
                ("HEAD", "/no-head") => "405 Method Not Allowed",
                _ => "404 Not Found",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (address, log)
}

#[test]
fn external_links_are_checked_only_when_asked_head_then_get() {
    let (address, log) = serve();
    let body = format!(
        "[好]({address}/ok) [再好]({address}/ok#x) [不收 HEAD]({address}/no-head) \
         [坏]({address}/missing) [跳过]({address}/skipped/a)"
    );
    let site = SiteTest::fixture("plain")
        .config(&format!(
            "title: t\nbase_url: https://example.org/\n\
             link_check:\n  skip: [\"{address}/skipped/\"]\n  timeout: 5\n  host_delay: 0\n"
        ))
        .file(
            "content/stories/a.md",
            &story("甲", "2019-01-01", &body).replacen("---\n\n", "highlights: [要点]\n---\n\n", 1),
        );
    let offline = site.run(&["check"]);
    offline.assert_success();
    assert!(
        log.lock().expect("log").is_empty(),
        "fetched without --external"
    );

    let out = site.run(&["check", "--external", "--format", "json"]);
    out.assert_exit(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(
        lines[0].contains(&format!(
            "\"severity\":\"error\",\"code\":\"link/external\",\"message\":\"`{address}/missing` answers 404 Not Found\""
        )),
        "{}",
        out.stdout
    );
    let mut requests = log.lock().expect("log").clone();
    requests.sort();
    assert_eq!(
        requests,
        [
            "GET /missing",
            "GET /no-head",
            "HEAD /missing",
            "HEAD /no-head",
            "HEAD /ok",
        ]
    );
}

/// A host that refuses the connection (nothing listens on port 1) is a warning, not an error: the
/// site may only be down for a while.
#[test]
fn an_unreachable_host_is_a_warning() {
    let site = SiteTest::fixture("plain")
        .config("title: t\nbase_url: https://example.org/\nlink_check:\n  timeout: 2\n  host_delay: 0\n")
        .file(
            "content/stories/a.md",
            &story("甲", "2019-01-01", "[x](http://127.0.0.1:1/)")
                .replacen("---\n\n", "highlights: [要点]\n---\n\n", 1),
        );
    let out = site.run(&["check", "--external", "--format", "json"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    let diagnostic = &lines[0];
    assert_eq!(diagnostic["code"], "link/external-unreachable");
    assert_eq!(diagnostic["severity"], "warning");
    assert_eq!(diagnostic["file"], "content/stories/a.md");
    assert_eq!(
        diagnostic["help"],
        "check the address; if the site is up, try again later or raise `link_check.timeout`"
    );
    // The rest of the message is the operating system's.
    let message = diagnostic["message"].as_str().expect("a message");
    assert!(
        message.starts_with("cannot reach `http://127.0.0.1:1/`: "),
        "{message}"
    );
}
