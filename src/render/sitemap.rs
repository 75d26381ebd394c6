//! `sitemap.xml` (split into a sitemap index over files of at most 50 000 URLs, the protocol's
//! limit) and `robots.txt` pointing at it.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::output::{Contents, Output};
use crate::render::feeds::escape;
use crate::site::permalink;

/// The sitemap's site path.
pub(crate) const SITEMAP: &str = "sitemap.xml";
/// The most URLs one sitemap file may list.
const MAX_URLS: usize = 50_000;

/// The sitemap of these site paths with their `lastmod`.
pub(crate) fn build(config: &SiteConfig, entries: &[(String, Option<String>)]) -> Vec<Output> {
    if entries.len() <= MAX_URLS {
        return vec![output(SITEMAP, urlset(config, entries))];
    }
    let mut outputs = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&permalink::permalink(config, &name))
        );
        outputs.push(output(&name, urlset(config, chunk)));
    }
    index.push_str("</sitemapindex>\n");
    outputs.push(output(SITEMAP, index));
    outputs
}

fn urlset(config: &SiteConfig, entries: &[(String, Option<String>)]) -> String {
    let mut xml = String::with_capacity(128 + entries.len() * 120);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (site_path, lastmod) in entries {
        let loc = escape(&permalink::permalink(config, site_path));
        match lastmod {
            Some(lastmod) => {
                let _ = writeln!(
                    xml,
                    "<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>"
                );
            }
            None => {
                let _ = writeln!(xml, "<url><loc>{loc}</loc></url>");
            }
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything may be crawled; the sitemap is here.
pub(crate) fn robots(config: &SiteConfig) -> Output {
    output(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            permalink::permalink(config, SITEMAP)
        ),
    )
}

fn output(path: &str, text: String) -> Output {
    Output {
        path: PathBuf::from(path),
        contents: Contents::Bytes(text.into_bytes()),
    }
}
