//! The harness for `serve` and `build --watch`: the binary running in the background, requests
//! and a server-sent-events stream over `ureq`, and waiting with deadlines.
//!
//! Nothing here sleeps to let something happen: every wait polls a condition until a deadline
//! and fails the test with what it saw when the deadline passes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::SiteTest;

/// How long any one wait may take (a debug binary on a busy 2-core machine).
pub(crate) const DEADLINE: Duration = Duration::from_mins(1);

/// `yuanba serve` or `yuanba build --watch` running on a [`SiteTest`].
pub(crate) struct Running {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    /// Every stdout line read so far.
    pub(crate) stdout: Vec<String>,
    /// `http://127.0.0.1:PORT/...` for serve.
    pub(crate) url: String,
}

impl Running {
    /// Starts `yuanba serve --port 0 ARGS` and waits until it prints its address.
    pub(crate) fn serve(site: &SiteTest, args: &[&str]) -> Running {
        let mut all = vec!["serve", "--port", "0"];
        all.extend_from_slice(args);
        Running::started_serving(Running::start(site, &all))
    }

    /// [`Running::serve`] with `YUANBA_TIMINGS` set: the steps of each rebuild go to stderr.
    pub(crate) fn serve_timed(site: &SiteTest) -> Running {
        Running::started_serving(Running::start_with(site, &["serve", "--port", "0"], true))
    }

    fn started_serving(mut running: Running) -> Running {
        let line = running.wait_for_line(|line| line.starts_with("serving "));
        running.url = line
            .split_whitespace()
            .nth(1)
            .expect("serving URL")
            .to_string();
        running
    }

    /// Starts `yuanba ARGS --root <site>` with stdout read line by line.
    pub(crate) fn start(site: &SiteTest, args: &[&str]) -> Running {
        Running::start_with(site, args, false)
    }

    fn start_with(site: &SiteTest, args: &[&str], timings: bool) -> Running {
        let mut command = Command::new(env!("CARGO_BIN_EXE_yuanba"));
        if timings {
            command.env("YUANBA_TIMINGS", "1");
        }
        let mut child = command
            .args(args)
            .arg("--root")
            .arg(site.root())
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            // Every rebuild is compared with a clean build (see `serve::engine::patch`).
            .env("YUANBA_VERIFY_REBUILDS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start yuanba");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = stderr_pipe.read(&mut buffer) {
                collected
                    .lock()
                    .expect("stderr buffer")
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            stderr,
            stderr_reader: Some(stderr_reader),
            stdout: Vec::new(),
            url: String::new(),
        }
    }

    /// Everything written to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }

    /// The process id, for finding its private folder.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The private output folder of a serve process.
    pub(crate) fn private_site(&self) -> PathBuf {
        std::env::temp_dir()
            .join(format!("yuanba-serve-{}", self.pid()))
            .join("site")
    }

    /// The stdout lines read so far (the first build's comes before `serving …`).
    pub(crate) fn lines_so_far(&self) -> &[String] {
        &self.stdout
    }

    /// Waits for a stdout line that `matches` and returns it.
    #[track_caller]
    pub(crate) fn wait_for_line(&mut self, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if matches(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "no such line before the deadline; stdout so far:\n{}\n--- stderr\n{}",
                    self.stdout.join("\n"),
                    self.stderr()
                ),
            }
        }
    }

    /// The URL of a site path: `stories/a/` → `http://127.0.0.1:PORT/stories/a/`.
    pub(crate) fn url_of(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }

    /// `GET` a site path (relative to the served base URL).
    pub(crate) fn get(&self, path: &str) -> Response {
        get_raw(&self.url_of(path), "GET")
    }

    /// Sends Ctrl-C and waits for the process to end; returns the rest of stdout.
    #[track_caller]
    pub(crate) fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "still running after Ctrl-C");
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest: Vec<String> = self.lines.try_iter().collect();
        self.stdout.extend(rest);
        self.assert_rebuilds_verified();
        (status, std::mem::take(&mut self.stdout))
    }

    /// Fails the test when a rebuild published something other than a clean build would have.
    /// Call once the process has ended.
    #[track_caller]
    fn assert_rebuilds_verified(&mut self) {
        // The reader ends when the process's stderr closes.
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stderr = self.stderr();
        assert!(
            !stderr.contains("rebuild check failed"),
            "a rebuild differs from a clean build:\n{stderr}"
        );
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && self.child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if !std::thread::panicking() {
            self.assert_rebuilds_verified();
        }
    }
}

/// An HTTP response.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// Header names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The first header of that name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as text.
    #[track_caller]
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    /// The body without what serve injects, as `build` would have written it.
    pub(crate) fn as_built(&self) -> Vec<u8> {
        strip_injection(&self.body)
    }
}

/// Takes out what serve adds to a page.
pub(crate) fn strip_injection(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let (Some(start), Some(end)) = (
        text.find("<!--yuanba-serve-->"),
        text.find("<!--/yuanba-serve-->"),
    ) else {
        return body.to_vec();
    };
    let end = end + "<!--/yuanba-serve-->".len();
    [&body[..start], &body[end..]].concat()
}

/// The HTTP client of the harness: statuses and redirects are answers to look at, not errors
/// or hops to follow, and a request is given up at the deadline. Connections are not kept for
/// another request, so every request is one connection, as it always was here.
fn agent(whole_exchange: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections(0)
        .timeout_connect(Some(DEADLINE))
        .timeout_recv_response(Some(DEADLINE))
        .timeout_global(whole_exchange)
        .build()
        .into()
}

/// Sends one request for `url` (whose path is sent as written, `..` included) and reads the
/// whole response.
#[track_caller]
pub(crate) fn get_raw(url: &str, method: &str) -> Response {
    let agent = agent(Some(DEADLINE));
    let sent = match method {
        "GET" => agent.get(url).call(),
        "HEAD" => agent.head(url).call(),
        _ => panic!("no {method} requests in these tests"),
    };
    let response = sent.unwrap_or_else(|error| panic!("{method} {url}: {error}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
            (name.as_str().to_string(), value)
        })
        .collect();
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .read_to_end(&mut body)
        .unwrap_or_else(|error| panic!("{method} {url}: reading the body: {error}"));
    Response {
        status,
        headers,
        body,
    }
}

/// `http://127.0.0.1:1234/a/b` → `127.0.0.1:1234`.
fn address_of(url: &str) -> &str {
    let rest = url.strip_prefix("http://").expect("an http URL");
    rest.split_once('/').map_or(rest, |(address, _)| address)
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) data: String,
}

impl Event {
    /// The `build` number of a `rebuild` event.
    pub(crate) fn build(&self) -> u64 {
        json_field(&self.data, "build")
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no build number in {}", self.data))
    }

    /// The `action` of a `rebuild` event: `reload`, `css` or `none`.
    pub(crate) fn action(&self) -> String {
        json_field(&self.data, "action").unwrap_or_default()
    }

    /// Whether the build failed.
    pub(crate) fn error(&self) -> bool {
        json_field(&self.data, "error").as_deref() == Some("true")
    }

    /// Whether `url` is among the changed URLs.
    pub(crate) fn changed(&self, url: &str) -> bool {
        self.data.contains(&format!("\"{url}\""))
    }
}

/// A scalar field of the flat JSON the server sends.
fn json_field(json: &str, name: &str) -> Option<String> {
    let start = json.find(&format!("\"{name}\":"))? + name.len() + 3;
    let rest = &json[start..];
    let end = rest.find([',', '}'])?;
    Some(rest[..end].trim_matches('"').to_string())
}

/// A connection to `/__yuanba/events`, as an open page would have.
pub(crate) struct Events {
    events: Receiver<Event>,
    /// Every event received so far.
    pub(crate) seen: Vec<Event>,
}

impl Events {
    /// Connects as the page at `page` (a URL path) and waits for the `ready` event.
    #[track_caller]
    pub(crate) fn connect(running: &Running, page: &str) -> Events {
        let url = format!(
            "http://{}/__yuanba/events?page={page}",
            address_of(&running.url)
        );
        // No deadline on the whole exchange: the stream stays open as long as the page would.
        let response = agent(None)
            .get(&url)
            .header("Accept", "text/event-stream")
            .call()
            .unwrap_or_else(|error| panic!("GET {url}: {error}"));
        assert_eq!(response.status(), 200, "GET {url}");
        let body = BufReader::new(response.into_body().into_reader());
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || read_events(body, &sender));
        let mut events = Events {
            events,
            seen: Vec::new(),
        };
        events.wait_for(|event| event.name == "ready");
        events
    }

    /// Waits for an event that `matches` and returns it.
    #[track_caller]
    pub(crate) fn wait_for(&mut self, matches: impl Fn(&Event) -> bool) -> Event {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    self.seen.push(event.clone());
                    if matches(&event) {
                        return event;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("no such event before the deadline; seen: {:#?}", self.seen)
                }
            }
        }
    }

    /// Waits for the next `rebuild` event.
    #[track_caller]
    pub(crate) fn next_rebuild(&mut self) -> Event {
        self.wait_for(|event| event.name == "rebuild")
    }
}

/// Reads an event stream (the body, chunked encoding already undone) and sends each event.
fn read_events(mut stream: impl BufRead, sender: &mpsc::Sender<Event>) {
    let mut line = String::new();
    let mut event = Event {
        name: "message".to_string(),
        data: String::new(),
    };
    loop {
        line.clear();
        if stream.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let field = line.trim_end_matches(['\r', '\n']);
        if let Some(name) = field.strip_prefix("event:") {
            event.name = name.trim().to_string();
        } else if let Some(data) = field.strip_prefix("data:") {
            event.data.push_str(data.trim());
        } else if field.is_empty() {
            let done = std::mem::replace(
                &mut event,
                Event {
                    name: "message".to_string(),
                    data: String::new(),
                },
            );
            // Keep-alive comments carry no data.
            if (done.name != "message" || !done.data.is_empty()) && sender.send(done).is_err() {
                return;
            }
        }
    }
}

/// Polls `condition` until it holds or the deadline passes.
#[track_caller]
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Saves a file as editors do: write a temporary file beside it, then rename it over the file.
pub(crate) fn atomic_save(root: &Path, path: &str, text: &str) {
    let target = root.join(path);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    let temp = target.with_file_name(format!(
        ".{}.tmp",
        target.file_name().expect("a file").to_string_lossy()
    ));
    std::fs::write(&temp, text).expect("write the temporary file");
    std::fs::rename(&temp, &target).expect("rename over the file");
}

/// A server on 127.0.0.1 that answers one request with `response` and hands back the request's
/// method and path.
fn answer_once(response: &'static str) -> (String, std::thread::JoinHandle<(String, String)>) {
    use std::io::Write as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let address = listener.local_addr().expect("address");
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a request");
        let request = crate::util::read_request(&stream).expect("a request line");
        stream
            .write_all(response.as_bytes())
            .expect("send the response");
        request
    });
    (format!("http://{address}/"), server)
}

#[test]
fn requests_send_the_path_as_written() {
    let (url, server) =
        answer_once("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let path = "stories/../..%2f..\\site.yaml";
    assert_eq!(get_raw(&format!("{url}{path}"), "GET").status, 404);
    assert_eq!(
        server.join().expect("the server"),
        ("GET".to_string(), format!("/{path}"))
    );
}

#[test]
fn chunked_bodies_are_read_whole() {
    let (url, server) = answer_once(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n",
    );
    let response = get_raw(&url, "GET");
    assert_eq!(
        (response.status, response.text().as_str()),
        (200, "abcdefg")
    );
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    server.join().expect("the server");
}
