//! The search page in a real browser: Debian's chromium, headless, loads `/search/?q=…` from
//! the built example site (under a sub-path, with enough extra stories for several shards),
//! served by a tiny HTTP server on 127.0.0.1, and the test reads the DOM it dumps.
//!
//! Needs `/usr/bin/chromium` (`scripts/test` installs it). Set `YUANBA_SKIP_BROWSER_TESTS=1` to run
//! the rest of the suite on a machine without it; the skip is printed, never silent.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::util::{SiteTest, story};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Serves `dir` at `http://127.0.0.1:<port>/news/` from a background thread.
fn serve(listener: TcpListener, dir: PathBuf) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(stream, &dir));
        }
    });
}

fn answer(mut stream: TcpStream, dir: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Some((_, target)) = crate::util::read_request(&stream) else {
        return;
    };
    let path = target.split('?').next().unwrap_or("");
    let file = path
        .strip_prefix("/news/")
        .map(|rest| dir.join(percent_decode(rest)))
        .map(|file| {
            if file.is_dir() {
                file.join("index.html")
            } else {
                file
            }
        });
    let response = match file.and_then(|file| std::fs::read(&file).ok().map(|b| (file, b))) {
        Some((file, body)) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("json") => "application/json",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            (format!("200 OK\r\nContent-Type: {kind}"), body)
        }
        None => ("404 Not Found".to_string(), b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.0,
        response.1.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&response.1);
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = text
            .get(idx + 1..idx + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[idx], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                idx += 3;
            }
            (byte, _) => {
                out.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~=&".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Stories of made-up text, so that the index has several shards.
fn filler_stories(site: SiteTest, n: usize) -> SiteTest {
    let mut seed: u32 = 7;
    let mut next = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) % 3000
    };
    (0..n).fold(site, |site, idx| {
        let body: String = (0..300)
            .filter_map(|_| char::from_u32(0x5000 + next()))
            .collect();
        let text = story(
            &format!("填充{idx}"),
            &format!("2017-01-{:02}", idx % 28 + 1),
            &body,
        )
        .replace("district: 成华区", "district: 测试区");
        site.file(&format!("content/stories/filler/f{idx}.md"), &text)
    })
}

/// The DOM of `url` after its scripts ran, as chromium dumps it.
fn dump_dom(url: &str, profile: &Path) -> Html {
    let mut child = Command::new("nice")
        .args([
            "-n",
            "10",
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .arg("--disable-background-networking")
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=20000", "--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout));
    // A guard against a hung browser, not a timing assertion.
    let started = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if started.elapsed() > Duration::from_mins(3) {
            let _ = child.kill();
            panic!("chromium did not finish loading {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Html::parse_document(&reader.join().expect("reader").expect("chromium output"))
}

fn texts(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).expect("selector");
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attrs(html: &Html, css: &str, attr: &str) -> Vec<String> {
    let selector = Selector::parse(css).expect("selector");
    html.select(&selector)
        .map(|e| e.value().attr(attr).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_search_page_finds_stories_in_a_browser() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("YUANBA_SKIP_BROWSER_TESTS").is_some(),
            "{CHROMIUM} is missing: install it (`scripts/test-tools`, which `scripts/test` runs, does) or set YUANBA_SKIP_BROWSER_TESTS=1"
        );
        eprintln!("skipped: {CHROMIUM} is missing and YUANBA_SKIP_BROWSER_TESTS is set");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("address").port();
    let base = format!("http://127.0.0.1:{port}/news/");
    let site = filler_stories(SiteTest::example(), 150);
    let out = site.run(&["build", "--base-url", &base]);
    out.assert_success();
    let manifest = out.read("public/search/manifest.json");
    assert!(
        !manifest.contains("\"shards\":1,"),
        "one shard only: {manifest}"
    );
    serve(listener, out.root.join("public"));
    let profile = tempfile::tempdir().expect("a browser profile folder");
    let page = |query: &str| {
        dump_dom(
            &format!("{base}search/?{}", percent_encode(query)),
            profile.path(),
        )
    };

    let dom = page("q=儿童之家");
    assert_eq!(texts(&dom, "#search-status"), ["找到 1 篇报道"]);
    assert_eq!(
        attrs(&dom, "#search-results .search-result h2 a", "href"),
        ["/news/stories/bailian/"]
    );
    assert_eq!(
        texts(&dom, ".search-result h2"),
        ["白莲社区创新发展治理见成效"]
    );
    assert_eq!(texts(&dom, ".search-meta time"), ["2018年3月20日"]);
    assert_eq!(texts(&dom, ".search-snippet mark"), ["儿童之家"]);
    // The snippet is text and <mark> only.
    let snippet = Selector::parse(".search-snippet *").expect("selector");
    assert!(dom.select(&snippet).all(|e| e.value().name() == "mark"));

    // A title hit, a filter by district, and one by year.
    let dom = page("q=春熙");
    assert_eq!(texts(&dom, ".search-result h2 mark"), ["春熙"]);
    let dom = page("q=社区&district=锦江区");
    assert_eq!(
        attrs(&dom, ".search-result h2 a", "href"),
        ["/news/stories/zongfulu/"]
    );
    let dom = page("q=填充1&year=2017");
    let dates = attrs(&dom, ".search-meta time", "datetime");
    assert!(
        !dates.is_empty() && dates.iter().all(|d| d.starts_with("2017-")),
        "{dates:?}"
    );
    let dom = page("q=不存在的词语");
    assert_eq!(
        texts(&dom, "#search-status"),
        ["没有找到与“不存在的词语”相关的报道。"]
    );
    assert!(texts(&dom, ".search-result").is_empty());
}
