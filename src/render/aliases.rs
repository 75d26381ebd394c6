//! Redirect pages for a story's old URLs (`aliases:` in its front matter): a tiny HTML page
//! with a meta refresh and a canonical link, so a renamed story keeps its links and search
//! engines move their records to the new URL.

use crate::diagnostic::Code;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::content::Story;
use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};
use crate::render::feeds::escape;
use crate::site::{Site, permalink};

/// The redirect pages of every story, and the aliases that cannot be written (not a path on
/// this site, or the file of another page or alias).
pub(crate) fn build<S: BuildHasher>(
    site: &Site,
    config: &SiteConfig,
    taken: &HashSet<PathBuf, S>,
) -> (Vec<Output>, Vec<Diagnostic>) {
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut claimed: HashMap<PathBuf, &Path> = HashMap::new();
    for story in &site.stories {
        for alias in &story.aliases {
            let file = match alias_file(alias, &config.base_path) {
                Ok(file) => file,
                Err(reason) => {
                    diagnostics.push(error(story, format!("the alias `{alias}` {reason}"))
                        .with_help("write an old URL of this site as a path, such as `/2018/bailian.html` or `/old/bailian/`"));
                    continue;
                }
            };
            if taken.contains(&file) {
                diagnostics.push(error(
                    story,
                    format!("the alias `{alias}` is the address of another page of the site"),
                ));
                continue;
            }
            if let Some(other) = claimed.get(&file) {
                diagnostics.push(error(
                    story,
                    format!(
                        "the alias `{alias}` is also an alias of {}",
                        other.display()
                    ),
                ));
                continue;
            }
            claimed.insert(file.clone(), &story.source_path);
            outputs.push(Output {
                path: file,
                contents: Contents::Bytes(redirect_page(story, config).into_bytes()),
            });
        }
    }
    (outputs, diagnostics)
}

/// The redirect pages of one story whose aliases [`build`] found no problem with.
pub(crate) fn redirects(story: &Story, config: &SiteConfig) -> Vec<Output> {
    story
        .aliases
        .iter()
        .filter_map(|alias| alias_file(alias, &config.base_path).ok())
        .map(|path| Output {
            path,
            contents: Contents::Bytes(redirect_page(story, config).into_bytes()),
        })
        .collect()
}

fn error(story: &Story, message: String) -> Diagnostic {
    let diagnostic = Diagnostic::error(Code::StoryAlias, message);
    match story.field_span("aliases") {
        Some(span) => diagnostic.at(&story.source_path, &story.source, span),
        None => diagnostic.in_file(&story.source_path),
    }
}

/// The output file of an alias: `/old/x/` and `old/x` → `old/x/index.html`, `/x.html` →
/// `x.html`. A leading base path is dropped.
fn alias_file(alias: &str, base_path: &str) -> Result<PathBuf, &'static str> {
    let alias = alias.trim();
    if alias.contains("://") || alias.starts_with("//") {
        return Err("is a full URL: only paths on this site can redirect");
    }
    if alias.contains(['\\', '?', '#']) {
        return Err("has a character that cannot be part of a file path (\\, ? or #)");
    }
    let mut path = alias.trim_start_matches('/');
    let base = base_path.trim_start_matches('/');
    if !base.is_empty() {
        path = path.strip_prefix(base).unwrap_or(path);
    }
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err("has `.` or `..` in it");
    }
    if path.is_empty() {
        return Err("is the home page");
    }
    let is_file = Path::new(path.trim_end_matches('/'))
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"))
        && !path.ends_with('/');
    if is_file {
        Ok(PathBuf::from(path))
    } else {
        Ok(permalink::output_file(&format!(
            "{}/",
            path.trim_end_matches('/')
        )))
    }
}

fn redirect_page(story: &Story, config: &SiteConfig) -> String {
    let site_path = permalink::story_path(&story.slug);
    let url = escape(&permalink::url(config, &site_path));
    let canonical = escape(&permalink::permalink(config, &site_path));
    let title = escape(&story.title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n\
         <p>本文已移至：<a href=\"{url}\">{title}</a></p>\n</body>\n</html>\n",
        lang = escape(&config.language),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(
            alias_file("/old/bailian/", "/"),
            Ok(PathBuf::from("old/bailian/index.html"))
        );
        assert_eq!(
            alias_file("old/bailian", "/"),
            Ok(PathBuf::from("old/bailian/index.html"))
        );
        assert_eq!(
            alias_file("/2018/bailian.html", "/"),
            Ok(PathBuf::from("2018/bailian.html"))
        );
        assert_eq!(
            alias_file("/news/old/", "/news/"),
            Ok(PathBuf::from("old/index.html"))
        );
        assert!(alias_file("/../etc/", "/").is_err());
        assert!(alias_file("https://x.org/a/", "/").is_err());
        assert!(alias_file("/", "/").is_err());
        assert!(alias_file("a\\b", "/").is_err());
    }
}
