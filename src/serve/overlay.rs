//! The error overlay: what a failed rebuild shows on top of every served page.
//!
//! Each problem is drawn by the one renderer of `diagnostic` (as in the terminal, without
//! colour) and escaped into a `<pre>`, under a heading with its `file:line:col` and, for a
//! story, its title. Nothing here reads files.

use std::fmt::Write as _;

use crate::diagnostic::{self, Diagnostic, RenderOptions};

/// The overlay for the errors of a failed rebuild, as an HTML fragment.
pub(crate) fn render(errors: &[Diagnostic]) -> String {
    let mut html = String::from(
        r#"<div id="yuanba-overlay" role="alertdialog" aria-labelledby="yuanba-overlay-title" style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#f4f4f4;font:15px/1.5 system-ui,sans-serif;padding:2rem">"#,
    );
    let count = match errors.len() {
        1 => "1 个错误".to_string(),
        n => format!("{n} 个错误"),
    };
    let _ = write!(
        html,
        r#"<p id="yuanba-overlay-title" style="margin:0 0 1rem;font-size:1.3rem;color:#ff8a80"><strong>构建失败（{count}）</strong> · build failed; this page is the last good build</p>"#
    );
    for error in errors {
        html.push_str(r#"<section style="margin:0 0 1.5rem">"#);
        let mut heading = escape(&error.message);
        if let Some(location) = error.location() {
            heading = format!("<code>{}</code> {heading}", escape(&location));
        }
        if let Some(title) = error.source.as_deref().and_then(story_title) {
            let _ = write!(heading, " — 《{}》", escape(&title));
        }
        let _ = write!(
            html,
            r#"<h2 style="font-size:1rem;margin:0 0 .5rem">{heading}</h2>"#
        );
        let text = diagnostic::render(std::slice::from_ref(error), RenderOptions { color: false });
        let _ = write!(
            html,
            r#"<pre style="margin:0;padding:1rem;background:#000;color:#eee;overflow:auto;font:13px/1.45 ui-monospace,monospace;white-space:pre">{}</pre>"#,
            escape(&text)
        );
        html.push_str("</section>");
    }
    html.push_str(r#"<p style="margin:0;color:#bbb">保存修正后的文件，页面会自动刷新 · fix the file and save: the page reloads by itself</p></div>"#);
    html
}

/// The `title:` of a story's front matter, read leniently from its text, so that even a file
/// whose front matter does not parse can be named.
pub(crate) fn story_title(source: &str) -> Option<String> {
    let mut lines = source.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    for line in lines {
        if line.trim_end() == "---" {
            break;
        }
        if let Some(value) = line.strip_prefix("title:") {
            let title = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            return (!title.is_empty()).then(|| title.to_string());
        }
    }
    None
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_overlay_shows_location_title_source_and_caret_escaped() {
        let source: Arc<str> = Arc::from("---\ntitle: 白莲<社区>\ndate: 2018-13-01\n---\n正文\n");
        let start = source.find("2018-13-01").expect("present");
        let error = Diagnostic::error(
            crate::diagnostic::Code::FrontMatterDate,
            "invalid date `2018-13-01`",
        )
        .at(Path::new("content/a.md"), &source, start..start + 10)
        .with_label("no 13th month");
        let html = render(&[error]);
        assert!(html.contains("<code>content/a.md:3:7</code>"), "{html}");
        assert!(html.contains("《白莲&lt;社区&gt;》"), "{html}");
        assert!(html.contains("date: 2018-13-01"), "{html}");
        assert!(html.contains("no 13th month"), "{html}");
        assert!(html.contains('^') || html.contains('┬'), "{html}");
        assert!(!html.contains("<社区>"), "{html}");
    }

    #[test]
    fn story_titles_are_read_from_the_front_matter_only() {
        assert_eq!(
            story_title("---\ntitle: \"标题\"\n---\n"),
            Some("标题".to_string())
        );
        assert_eq!(story_title("---\ndate: x\n---\ntitle: body\n"), None);
        assert_eq!(story_title("title: no front matter\n"), None);
        assert_eq!(story_title("---\ntitle:\n---\n"), None);
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
