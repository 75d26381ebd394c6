//! The HTTP side of `serve`: the site's files through tower-http's `ServeDir`, under the site's
//! base path, with the live-reload script (and the error overlay, and the draft banner) added to
//! every HTML response on its way out, and the route of the reload events (their stream is
//! `reload`'s). The files on disk are never changed.
//!
//! Requests whose path could leave the output folder (`..`, `%2e%2e`, backslashes, NUL) get
//! 400 before any file is looked at; symbolic links that resolve outside it get 404.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::Stream;
use percent_encoding::percent_decode_str;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::serve::engine::output_file_of;
use crate::serve::reload;
use crate::serve::state::{LiveSite, OpenPage, Shared};

/// Marks the start and end of what serve adds to a page, so it can be told apart (and tests
/// can take it out to compare a served page with a built one).
pub(crate) const INJECTED_START: &str = "<!--yuanba-serve-->";
/// See [`INJECTED_START`].
pub(crate) const INJECTED_END: &str = "<!--/yuanba-serve-->";

/// HTML pages are at most this large when they are rewritten (a home page listing 10,000
/// stories is about 6 MB).
const MAX_HTML_BYTES: usize = 256 * 1024 * 1024;

/// The router: the event stream, and the site for everything else.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(reload::EVENTS_PATH, get(events))
        .fallback(site)
        .with_state(shared)
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadPath;

/// Refuses paths that are not absolute, not UTF-8 once decoded, or that hold a `.`/`..`
/// segment, a backslash or a NUL once decoded.
pub(crate) fn check_path(raw: &str) -> Result<(), BadPath> {
    if !raw.starts_with('/') {
        return Err(BadPath);
    }
    let decoded = percent_decode_str(raw).decode_utf8().map_err(|_| BadPath)?;
    if decoded.contains(['\\', '\0']) {
        return Err(BadPath);
    }
    if decoded
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(BadPath);
    }
    Ok(())
}

/// `GET /__yuanba/events`: the page's event stream ([`reload::event_stream`]); the page counts
/// among the viewers while it is open.
async fn events(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let viewer = reload::viewer_of(uri.query().unwrap_or(""));
    let receiver = shared.events.subscribe();
    let open = OpenPage::new(Arc::clone(&shared), &viewer.page);
    reload::event_stream(receiver, viewer, open)
}

async fn site(State(shared): State<Arc<Shared>>, mut request: Request) -> Response {
    let path = request.uri().path().to_string();
    if check_path(&path).is_err() {
        return (StatusCode::BAD_REQUEST, "bad request path\n").into_response();
    }
    wait_until_fresh(&shared, &path).await;
    // Held until the file is open, so a rebuild cannot swap the folder away in between.
    let live = shared.site.read().await;
    let base = live.base_path.as_str();
    let Some(rest) = path.strip_prefix(base) else {
        if format!("{path}/") == base {
            return redirect(base);
        }
        return not_found(&live, request).await;
    };
    let decoded = percent_decode_str(rest).decode_utf8_lossy().into_owned();
    if escapes(&live.dir, &decoded) {
        return not_found(&live, request).await;
    }
    let Ok(uri) = format!("/{rest}").parse() else {
        return (StatusCode::BAD_REQUEST, "bad request path\n").into_response();
    };
    *request.uri_mut() = uri;
    let is_head = prepare(&mut request);
    let service =
        ServeDir::new(&live.dir).not_found_service(ServeFile::new(live.dir.join("404.html")));
    let Ok(response) = service.oneshot(request).await;
    let is_draft = live.drafts.contains(&output_file_of(&decoded));
    let overlay = live.overlay.clone();
    let base = live.base_path.clone();
    drop(live);
    let response = response.map(Body::new);
    finish(
        response,
        &base,
        is_head,
        Injection {
            overlay: overlay.as_deref(),
            is_draft,
        },
    )
    .await
}

/// Waits while the file of `path` still shows the previous templates of a template change
/// (see `Shared::stale`); a path with no file or folder waits for the 404 page.
async fn wait_until_fresh(shared: &Shared, path: &str) {
    let mut stale = shared.stale.subscribe();
    loop {
        let waits = {
            let stale = Arc::clone(&stale.borrow_and_update());
            if stale.is_empty() {
                return;
            }
            let live = shared.site.read().await;
            let Some(rest) = path.strip_prefix(live.base_path.as_str()) else {
                return;
            };
            let file = output_file_of(&percent_decode_str(rest).decode_utf8_lossy());
            stale.contains(&file)
                || (stale.contains(Path::new("404.html")) && !live.dir.join(&file).exists())
        };
        if !waits || stale.changed().await.is_err() {
            return;
        }
    }
}

/// Takes the headers that would let the browser keep a stale copy or a part of a page (the
/// page is rewritten on the way out), and turns HEAD into GET so the rewritten length is
/// known. Returns whether the request was a HEAD.
fn prepare(request: &mut Request) -> bool {
    let headers = request.headers_mut();
    headers.remove(header::IF_NONE_MATCH);
    headers.remove(header::IF_MODIFIED_SINCE);
    let is_head = request.method() == Method::HEAD;
    if is_head {
        *request.method_mut() = Method::GET;
    }
    is_head
}

/// The site's 404 page with status 404, for paths outside the base path or refused ones.
async fn not_found(live: &LiveSite, mut request: Request) -> Response {
    let is_head = prepare(&mut request);
    let Ok(response) = ServeFile::new(live.dir.join("404.html"))
        .oneshot(request)
        .await;
    let mut response = response.map(Body::new);
    *response.status_mut() = StatusCode::NOT_FOUND;
    let injection = Injection {
        overlay: live.overlay.as_deref(),
        is_draft: false,
    };
    finish(response, &live.base_path, is_head, injection).await
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Whether the file a path names resolves (through symbolic links) outside the output folder.
pub(crate) fn escapes(dir: &Path, relative: &str) -> bool {
    let candidate = dir.join(relative.trim_start_matches('/'));
    match (candidate.canonicalize(), dir.canonicalize()) {
        (Ok(real), Ok(dir)) => !real.starts_with(dir),
        // Not there: ServeDir answers 404.
        _ => false,
    }
}

/// What is added to an HTML page.
struct Injection<'a> {
    overlay: Option<&'a str>,
    is_draft: bool,
}

/// Fixes what `ServeDir` could not know: the base path in redirects, `charset=utf-8`, no
/// caching; and adds the script, overlay and banner to HTML.
async fn finish(
    mut response: Response,
    base: &str,
    is_head: bool,
    injection: Injection<'_>,
) -> Response {
    let headers = response.headers_mut();
    if let Some(location) = headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
        && location.starts_with('/')
        && let Ok(value) =
            HeaderValue::from_str(&format!("{}{location}", base.trim_end_matches('/')))
    {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if let Some(with_charset) = with_charset(&content_type)
        && let Ok(value) = HeaderValue::from_str(&with_charset)
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let status = response.status();
    let is_html = content_type.starts_with("text/html");
    if is_html && (status == StatusCode::OK || status == StatusCode::NOT_FOUND) {
        response = inject_into(response, &injection).await;
    } else if status == StatusCode::NOT_FOUND {
        // No 404 page (the first build failed, say): a plain one, so the overlay still shows.
        let mut page = axum::response::Html(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body><h1>404</h1></body></html>",
        )
        .into_response();
        *page.status_mut() = StatusCode::NOT_FOUND;
        page.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response = inject_into(page, &injection).await;
    }
    if is_head {
        // Same headers as the GET, no body.
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Body::empty());
    }
    response
}

async fn inject_into(response: Response, injection: &Injection<'_>) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HTML_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the page\n").into_response();
    };
    let fragment = fragment(parts.status.as_u16(), injection);
    let html = inject(&bytes, &fragment);
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.remove(header::ACCEPT_RANGES);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(html.len()));
    Response::from_parts(parts, Body::from(html))
}

/// What serve adds to a page with this status.
fn fragment(status: u16, injection: &Injection<'_>) -> String {
    let mut fragment = String::from(INJECTED_START);
    if injection.is_draft {
        fragment.push_str(r#"<div id="yuanba-draft" role="note" style="position:fixed;top:0;left:0;right:0;z-index:2147483646;background:#b3261e;color:#fff;text-align:center;font:bold 15px/2 system-ui,sans-serif">草稿 · draft: not published by <code>yuanba build</code></div>"#);
    }
    if let Some(overlay) = injection.overlay {
        fragment.push_str(overlay);
    }
    fragment.push_str(&reload::script(status));
    fragment.push_str(INJECTED_END);
    fragment
}

/// Inserts `fragment` before the last `</body>` (any case), or at the end.
pub(crate) fn inject(html: &[u8], fragment: &str) -> Vec<u8> {
    let needle = b"</body";
    let position = html
        .windows(needle.len())
        .rposition(|window| window.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + fragment.len());
    out.extend_from_slice(&html[..position]);
    out.extend_from_slice(fragment.as_bytes());
    out.extend_from_slice(&html[position..]);
    out
}

/// The content type with `; charset=utf-8` for text types that lack a charset.
pub(crate) fn with_charset(content_type: &str) -> Option<String> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let is_text = essence.starts_with("text/")
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/xml"
                | "application/atom+xml"
                | "application/rss+xml"
                | "application/manifest+json"
                | "image/svg+xml"
        );
    (is_text && !content_type.to_ascii_lowercase().contains("charset"))
        .then(|| format!("{essence}; charset=utf-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_output_are_refused() {
        // Each branch once; tests/testsuite/serve.rs sends the encoded variants to the server.
        for path in [
            "/stories/../../site.yaml",
            "/%2E%2e/x",
            "/..%5cx",
            "/a/%00",
            "/./index.html",
            "site.yaml",
            "/%ff",
        ] {
            assert_eq!(check_path(path), Err(BadPath), "{path}");
        }
        for path in ["/", "/stories/a/", "/style.css", "/%E7%99%BD.svg", "/a..b/"] {
            assert_eq!(check_path(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn injection_goes_before_the_last_body_end_tag() {
        assert_eq!(
            inject(b"<body><p>x</p></BODY></html>", "<s>"),
            b"<body><p>x</p><s></BODY></html>"
        );
        assert_eq!(inject(b"<p>no body", "<s>"), b"<p>no body<s>");
    }

    #[test]
    fn text_types_get_a_charset() {
        assert_eq!(
            with_charset("text/html"),
            Some("text/html; charset=utf-8".to_string())
        );
        assert_eq!(
            with_charset("text/css"),
            Some("text/css; charset=utf-8".to_string())
        );
        assert_eq!(
            with_charset("image/svg+xml"),
            Some("image/svg+xml; charset=utf-8".to_string())
        );
        assert_eq!(with_charset("text/html; charset=utf-8"), None);
        assert_eq!(with_charset("image/png"), None);
    }

    #[test]
    fn symbolic_links_out_of_the_output_are_caught() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("site");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::write(tmp.path().join("secret"), "x").expect("write");
        std::fs::write(dir.join("inside.html"), "x").expect("write");
        assert!(!escapes(&dir, "inside.html"));
        assert!(!escapes(&dir, "missing.html"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret"), dir.join("link")).expect("link");
            assert!(escapes(&dir, "link"));
        }
    }
}
