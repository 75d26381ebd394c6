//! Atom feeds: the newest stories of the site at `/atom.xml` and of each district at
//! `/places/<district>/atom.xml`. Written by hand (the format is small and fixed) with every
//! text escaped, every URL absolute (`xml:base` for links inside content) and dates with
//! offsets, as RFC 4287 asks.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::output::{Contents, Output};
use crate::site::{Site, permalink};

/// The site feed's site path.
pub(crate) const SITE_FEED: &str = "atom.xml";
/// The file name of a district's feed inside the district's folder.
pub(crate) const FEED_FILE: &str = "atom.xml";
/// Entries per feed.
pub(crate) const FEED_SIZE: usize = 20;

/// `2018-03-20T00:00:00+08:00`.
pub(crate) fn rfc3339(date: &jiff::ZonedDateTime) -> String {
    date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The site feed and one feed per district.
pub(crate) fn build(site: &Site, config: &SiteConfig) -> Vec<Output> {
    let mut outputs = Vec::with_capacity(1 + site.places.districts.len());
    let all: Vec<usize> = (0..site.stories.len().min(FEED_SIZE)).collect();
    outputs.push(site_feed(site, config, &all));
    for &id in &site.places.districts {
        outputs.push(district_feed(site, config, id));
    }
    outputs
}

/// The feeds of [`build`] that have any of `stories` (indices into `site.stories`).
pub(crate) fn build_containing(site: &Site, config: &SiteConfig, stories: &[usize]) -> Vec<Output> {
    let has = |list: &[usize]| list.iter().take(FEED_SIZE).any(|idx| stories.contains(idx));
    let all: Vec<usize> = (0..site.stories.len().min(FEED_SIZE)).collect();
    let mut outputs = Vec::new();
    if has(&all) {
        outputs.push(site_feed(site, config, &all));
    }
    for &id in &site.places.districts {
        if has(&site.places.all[id].stories) {
            outputs.push(district_feed(site, config, id));
        }
    }
    outputs
}

fn site_feed(site: &Site, config: &SiteConfig, all: &[usize]) -> Output {
    feed_output(
        site,
        config,
        &FeedInfo {
            title: config.title.clone(),
            self_path: SITE_FEED.to_string(),
            alternate_path: String::new(),
        },
        all,
    )
}

fn district_feed(site: &Site, config: &SiteConfig, id: usize) -> Output {
    let place = &site.places.all[id];
    let base = site.places.site_path(id);
    let newest: Vec<usize> = place.stories.iter().copied().take(FEED_SIZE).collect();
    feed_output(
        site,
        config,
        &FeedInfo {
            title: format!("{} · {}", config.title, place.name),
            self_path: format!("{base}{FEED_FILE}"),
            alternate_path: base.to_string(),
        },
        &newest,
    )
}

struct FeedInfo {
    title: String,
    self_path: String,
    alternate_path: String,
}

fn feed_output(site: &Site, config: &SiteConfig, info: &FeedInfo, stories: &[usize]) -> Output {
    Output {
        path: PathBuf::from(&info.self_path),
        contents: Contents::Bytes(atom(site, config, info, stories).into_bytes()),
    }
}

fn atom(site: &Site, config: &SiteConfig, info: &FeedInfo, stories: &[usize]) -> String {
    let alternate = permalink::permalink(config, &info.alternate_path);
    let updated = stories.first().map_or_else(
        || "1970-01-01T00:00:00+00:00".to_string(),
        |&idx| rfc3339(&site.stories[idx].date),
    );
    let mut xml = String::with_capacity(4096 + stories.len() * 4096);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\" xml:base=\"{}\">",
        escape(&config.language),
        escape(&config.base_url)
    );
    let _ = writeln!(xml, "<title>{}</title>", escape(&info.title));
    if !config.description.is_empty() {
        let _ = writeln!(xml, "<subtitle>{}</subtitle>", escape(&config.description));
    }
    let _ = writeln!(
        xml,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&permalink::permalink(config, &info.self_path))
    );
    let _ = writeln!(
        xml,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&alternate)
    );
    let _ = writeln!(xml, "<id>{}</id>", escape(&alternate));
    let _ = writeln!(xml, "<updated>{updated}</updated>");
    let _ = writeln!(
        xml,
        "<author><name>{}</name></author>",
        escape(&config.title)
    );
    let _ = writeln!(
        xml,
        "<generator version=\"{}\">yuanba</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for &idx in stories {
        entry(&mut xml, site, config, idx);
    }
    xml.push_str("</feed>\n");
    xml
}

fn entry(xml: &mut String, site: &Site, config: &SiteConfig, idx: usize) {
    let story = &site.stories[idx];
    let site_path = permalink::story_path(&story.slug);
    let link = permalink::permalink(config, &site_path);
    let date = rfc3339(&story.date);
    xml.push_str("<entry>\n");
    let _ = writeln!(xml, "<title>{}</title>", escape(&story.title));
    let _ = writeln!(
        xml,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&link)
    );
    let _ = writeln!(xml, "<id>{}</id>", escape(&link));
    let _ = writeln!(xml, "<published>{date}</published>");
    let _ = writeln!(xml, "<updated>{date}</updated>");
    for reporter in &story.reporters {
        let _ = writeln!(xml, "<author><name>{}</name></author>", escape(reporter));
    }
    for tag in &story.tags {
        let _ = writeln!(xml, "<category term=\"{}\"/>", escape(tag));
    }
    if !story.summary.is_empty() {
        let _ = writeln!(xml, "<summary>{}</summary>", escape(&story.summary));
    }
    let mut html = String::new();
    if !story.subtitle.is_empty() {
        let _ = write!(html, "<p><strong>{}</strong></p>", escape(&story.subtitle));
    }
    for image in &story.images {
        // A photo's original is not published: the feed shows its `<img>` fallback variant.
        let photo_url = image
            .probed
            .as_deref()
            .and_then(crate::images::Probed::photo)
            .and_then(|photo| {
                let variant = photo.fallback(&config.images.formats)?;
                Some(photo.url(&config.base_path, variant))
            });
        let _ = write!(
            html,
            "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
            escape(
                &photo_url.unwrap_or_else(|| permalink::image_url(config, &site_path, &image.src))
            ),
            escape(&image.alt),
            escape(&image.caption)
        );
    }
    html.push_str(&story.content);
    let _ = writeln!(xml, "<content type=\"html\">{}</content>", escape(&html));
    xml.push_str("</entry>\n");
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
pub(crate) fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    let mut run_start = 0;
    let mut idx = 0;
    while idx < bytes.len() {
        let (replacement, len): (&str, usize) = match bytes[idx] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' | b'\n' | b'\r' => ("", 0),
            byte if byte < 0x20 => ("", 1),
            // U+FFFE and U+FFFF: EF BF BE / EF BF BF.
            0xEF if bytes.get(idx + 1) == Some(&0xBF)
                && matches!(bytes.get(idx + 2), Some(0xBE | 0xBF)) =>
            {
                ("", 3)
            }
            _ => ("", 0),
        };
        if len == 0 {
            idx += 1;
            continue;
        }
        // Every byte matched above starts or is a whole character, so these are boundaries.
        escaped.push_str(&text[run_start..idx]);
        escaped.push_str(replacement);
        idx += len;
        run_start = idx;
    }
    escaped.push_str(&text[run_start..]);
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("<p class=\"a\">白莲 & B's</p>\u{1}\u{FFFE}\t末"),
            "&lt;p class=&quot;a&quot;&gt;白莲 &amp; B&apos;s&lt;/p&gt;\t末"
        );
    }
}
