//! Live reload: the server-sent event stream, the script injected into served pages, and the
//! decision of what an open page does after a rebuild.
//!
//! Every page opens `/__yuanba/events?page=<its path>`. After each rebuild has been published
//! (never before), every connection gets one `rebuild` event whose `action` [`decide`] chose
//! for that page: `reload` when the page's own output changed (or an error appeared or went
//! away), `css` when only stylesheets changed, `none` otherwise.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use percent_encoding::percent_decode_str;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

/// The path of the event stream; outside any base path, and not a name a site can produce
/// (page slugs are ASCII letters, digits and `-`).
pub(crate) const EVENTS_PATH: &str = "/__yuanba/events";

/// What a rebuild changed, as sent to every open page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Change {
    /// Counts rebuilds, so a page can tell them apart (and stylesheets get a fresh URL).
    pub(crate) build: u64,
    /// URLs of the output files that were added, changed or removed, root-relative.
    pub(crate) changed: Vec<String>,
    /// Whether the build failed (the overlay is shown).
    pub(crate) error: bool,
    /// Whether the overlay appeared, went away or changed.
    pub(crate) overlay_changed: bool,
}

/// An open page, as it introduced itself when connecting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Viewer {
    /// `location.pathname`, decoded.
    pub(crate) page: String,
    /// Whether the page was served as the 404 page.
    pub(crate) missing: bool,
}

/// What an open page does after a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Its output did not change: stay as it is.
    Nothing,
    /// Load the page again.
    Reload,
    /// Only stylesheets changed: swap them without a reload.
    SwapCss,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Nothing => "none",
            Action::Reload => "reload",
            Action::SwapCss => "css",
        }
    }
}

/// Decides what `viewer` does after `change`.
pub(crate) fn decide(viewer: &Viewer, change: &Change, base_path: &str) -> Action {
    if change.overlay_changed {
        return Action::Reload;
    }
    let page = viewer
        .page
        .strip_suffix("index.html")
        .unwrap_or(&viewer.page);
    let not_found_page = format!("{base_path}404.html");
    let search_page = format!("{base_path}{}/", crate::search::SEARCH_DIR);
    let mut css = false;
    for url in &change.changed {
        if url == page || (viewer.missing && *url == not_found_page) {
            return Action::Reload;
        }
        // The search page shows what its index finds.
        if page == search_page && url.starts_with(&search_page) {
            return Action::Reload;
        }
        match extension(url).as_deref() {
            Some("css") => css = true,
            // What a page embeds: it may be this page's.
            Some(
                "js" | "mjs" | "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico"
                | "woff" | "woff2" | "mp4" | "webm" | "mp3",
            ) => return Action::Reload,
            // Other pages, feeds, the sitemap: not shown on this page.
            _ => {}
        }
    }
    if css {
        Action::SwapCss
    } else {
        Action::Nothing
    }
}

fn extension(url: &str) -> Option<String> {
    Path::new(url)
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
}

/// The URL of an output file: `stories/a/index.html` → `/news/stories/a/`.
pub(crate) fn url_of(base_path: &str, output_file: &Path) -> String {
    let path = output_file.to_string_lossy().replace('\\', "/");
    let path = match path.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => folder.to_string(),
        _ => path,
    };
    format!("{base_path}{path}")
}

/// The URLs of `output_files` ([`url_of`]).
pub(crate) fn urls_of(base_path: &str, output_files: &[PathBuf]) -> Vec<String> {
    output_files
        .iter()
        .map(|path| url_of(base_path, path))
        .collect()
}

/// The `data:` of a `rebuild` event, as JSON.
pub(crate) fn message(viewer: &Viewer, change: &Change, base_path: &str) -> String {
    let action = decide(viewer, change, base_path);
    let mut json = format!(
        r#"{{"build":{},"action":"{}","error":{},"changed":["#,
        change.build,
        action.name(),
        change.error
    );
    for (idx, url) in change.changed.iter().enumerate() {
        if idx > 0 {
            json.push(',');
        }
        json_string(&mut json, url);
    }
    json.push_str("]}");
    json
}

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads `page=…&missing=1` from the query of an events request.
pub(crate) fn viewer_of(query: &str) -> Viewer {
    let mut viewer = Viewer::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(&value.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        match key {
            "page" => viewer.page = value,
            "missing" => viewer.missing = value == "1",
            _ => {}
        }
    }
    viewer
}

/// A rebuild as broadcast to the connections, with the base path it was built for.
#[derive(Debug, Clone)]
pub(crate) struct Broadcast {
    /// The event's name: `rebuild` for the pages, `search` for the search index, which
    /// `serve` builds after the pages have been published and announced.
    pub(crate) event: &'static str,
    pub(crate) change: Change,
    pub(crate) base_path: String,
}

/// The event stream of `viewer`: a `ready` event at once, then one event per [`Broadcast`]
/// (`rebuild` or `search`). `open` (the page's place among the viewers) lives as long as the
/// stream.
pub(crate) fn event_stream(
    receiver: broadcast::Receiver<Broadcast>,
    viewer: Viewer,
    open: impl Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ready = stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let state = (receiver, viewer, open);
    let rebuilds = stream::unfold(state, |(mut receiver, viewer, open)| async move {
        let (name, data) = match receiver.recv().await {
            Ok(broadcast) => (
                broadcast.event,
                message(&viewer, &broadcast.change, &broadcast.base_path),
            ),
            // This connection fell behind by more rebuilds than the channel keeps: whatever
            // they were, a reload shows the current site.
            Err(RecvError::Lagged(_)) => (
                "rebuild",
                r#"{"build":0,"action":"reload","error":false,"changed":[]}"#.to_string(),
            ),
            Err(RecvError::Closed) => return None,
        };
        let event = Event::default().event(name).data(data);
        Some((Ok(event), (receiver, viewer, open)))
    });
    Sse::new(ready.chain(rebuilds)).keep_alive(KeepAlive::default())
}

/// The script injected into every served HTML page. `status` is the page's HTTP status.
pub(crate) fn script(status: u16) -> String {
    format!(
        r#"<script data-status="{status}">
(function () {{
  var status = document.currentScript && document.currentScript.dataset.status;
  var url = "{EVENTS_PATH}?page=" + encodeURIComponent(location.pathname) + (status === "404" ? "&missing=1" : "");
  var source = new EventSource(url);
  function changed(event) {{
    var change = JSON.parse(event.data);
    if (change.action === "reload") {{
      location.reload();
    }} else if (change.action === "css") {{
      document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {{
        var href = new URL(link.href);
        href.searchParams.set("yuanba", change.build);
        var fresh = link.cloneNode();
        fresh.href = href.href;
        fresh.onload = function () {{ link.remove(); }};
        link.after(fresh);
      }});
    }}
  }}
  source.addEventListener("rebuild", changed);
  source.addEventListener("search", changed);
}})();
</script>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(changed: &[&str]) -> Change {
        Change {
            build: 2,
            changed: changed.iter().map(ToString::to_string).collect(),
            ..Change::default()
        }
    }

    fn viewer(page: &str) -> Viewer {
        Viewer {
            page: page.to_string(),
            missing: false,
        }
    }

    #[test]
    fn a_page_reloads_only_when_its_own_output_changed() {
        let edit = change(&["/", "/stories/a/"]);
        assert_eq!(decide(&viewer("/stories/a/"), &edit, "/"), Action::Reload);
        assert_eq!(
            decide(&viewer("/stories/a/index.html"), &edit, "/"),
            Action::Reload
        );
        assert_eq!(decide(&viewer("/"), &edit, "/"), Action::Reload);
        assert_eq!(decide(&viewer("/stories/b/"), &edit, "/"), Action::Nothing);
    }

    #[test]
    fn feeds_and_other_pages_do_not_reload_a_page() {
        let edit = change(&["/news/atom.xml", "/news/sitemap.xml", "/news/stories/b/"]);
        assert_eq!(
            decide(&viewer("/news/stories/a/"), &edit, "/news/"),
            Action::Nothing
        );
    }

    #[test]
    fn a_stylesheet_change_swaps_css_unless_the_page_changed_too() {
        assert_eq!(
            decide(&viewer("/a/"), &change(&["/style.css"]), "/"),
            Action::SwapCss
        );
        assert_eq!(
            decide(&viewer("/a/"), &change(&["/style.css", "/a/"]), "/"),
            Action::Reload
        );
    }

    #[test]
    fn images_and_scripts_reload() {
        assert_eq!(
            decide(&viewer("/a/"), &change(&["/stories/b/p.JPG"]), "/"),
            Action::Reload
        );
        assert_eq!(
            decide(&viewer("/a/"), &change(&["/app.js"]), "/"),
            Action::Reload
        );
    }

    #[test]
    fn an_error_appearing_or_going_reloads_every_page() {
        let failed = Change {
            error: true,
            overlay_changed: true,
            ..Change::default()
        };
        assert_eq!(decide(&viewer("/x/"), &failed, "/"), Action::Reload);
        let same_error_again = Change {
            error: true,
            ..Change::default()
        };
        assert_eq!(
            decide(&viewer("/x/"), &same_error_again, "/"),
            Action::Nothing
        );
    }

    #[test]
    fn a_404_page_reloads_when_its_url_appears_or_the_404_page_changes() {
        let missing = Viewer {
            page: "/stories/new/".to_string(),
            missing: true,
        };
        assert_eq!(
            decide(&missing, &change(&["/stories/new/"]), "/"),
            Action::Reload
        );
        assert_eq!(
            decide(&missing, &change(&["/404.html"]), "/"),
            Action::Reload
        );
        assert_eq!(
            decide(&viewer("/a/"), &change(&["/404.html"]), "/"),
            Action::Nothing
        );
    }

    #[test]
    fn output_files_become_urls() {
        assert_eq!(url_of("/", Path::new("index.html")), "/");
        assert_eq!(
            url_of("/news/", Path::new("stories/a/index.html")),
            "/news/stories/a/"
        );
        assert_eq!(url_of("/", Path::new("style.css")), "/style.css");
        assert_eq!(url_of("/", Path::new("myindex.html")), "/myindex.html");
    }

    #[test]
    fn the_message_is_json_with_the_viewers_action() {
        let text = message(&viewer("/a/"), &change(&["/a/", "/q\"uote"]), "/");
        assert_eq!(
            text,
            r#"{"build":2,"action":"reload","error":false,"changed":["/a/","/q\"uote"]}"#
        );
    }

    #[test]
    fn the_viewer_is_read_from_the_query() {
        assert_eq!(
            viewer_of("page=%2Fstories%2Fa%2F&missing=1"),
            Viewer {
                page: "/stories/a/".to_string(),
                missing: true
            }
        );
        assert_eq!(viewer_of(""), Viewer::default());
    }
}
