//! Archetypes: the file `yuanba new` starts a story from.
//!
//! The archetype is the site's `archetypes/story.md`, else the theme's
//! `themes/<theme>/archetypes/story.md`, else the default theme's, built into the binary. It is
//! the story file as it will be written, with placeholders: `{{ name }}` (spaces inside the
//! braces optional) is replaced by the value of `name`, written as a YAML scalar (quoted only
//! when it has to be, so `title: {{ title }}` stays valid YAML whatever the title is; an empty
//! value leaves the field empty). The names are [`PLACEHOLDERS`]; any other `{{ … }}` is an
//! error, so a typo in an archetype is caught rather than copied into every story.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::yaml;

/// The archetype of the default theme.
pub(crate) const BUILTIN_STORY: &str = include_str!("../themes/default/archetypes/story.md");

/// The archetype file name, under `archetypes/`.
pub(crate) const STORY_FILE: &str = "story.md";

/// The names an archetype may use.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "title",
    "date",
    "district",
    "street",
    "community",
    "reporter",
    "slug",
];

/// The story archetype of a site and where it came from (`None` for the built-in one).
pub(crate) fn story(config: &SiteConfig) -> Result<(String, Option<PathBuf>), String> {
    let candidates = [
        config.root.join("archetypes").join(STORY_FILE),
        config.theme_dir().join("archetypes").join(STORY_FILE),
    ];
    for path in candidates {
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok((crate::files::normalize_text(text), Some(path))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
        }
    }
    Ok((BUILTIN_STORY.to_string(), None))
}

/// Replaces every `{{ name }}` of `archetype` by `value(name)` as a YAML scalar.
pub(crate) fn fill(
    archetype: &str,
    value: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(archetype.len() + 128);
    let mut rest = archetype;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("a `{{` is never closed with `}}`".to_string());
        };
        let name = after[..close].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder `{{{{ {name} }}}}`; the placeholders are {}",
                PLACEHOLDERS.join(", ")
            ));
        }
        out.push_str(&yaml_scalar(&value(name).unwrap_or_default()));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `text` as a YAML scalar that reads back as exactly `text`: plain when that works, else
/// double-quoted. Empty text gives nothing (an empty field).
pub(crate) fn yaml_scalar(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let reads_back = |written: &str| {
        yaml::from_str::<yaml::Mapping>(&format!("k: {written}\n"))
            .ok()
            .and_then(|map| map.get("k").cloned())
            == Some(yaml::Value::String(text.to_string()))
    };
    let single_line = !text.contains(['\n', '\r']);
    if single_line && reads_back(text) {
        return text.to_string();
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Where `new` writes a story: `content/stories/<year>/<slug>.md`, or `<slug>/index.md` for a
/// bundle, relative to the site root.
pub(crate) fn story_path(year: i16, slug: &str, bundle: bool) -> PathBuf {
    let folder = Path::new("content").join("stories").join(year.to_string());
    if bundle {
        folder.join(slug).join("index.md")
    } else {
        folder.join(format!("{slug}.md"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for text in [
            "白莲社区创新发展治理见成效",
            "白莲社区：创新发展，居民点赞！",
            "Title: with colon",
            "# not a comment",
            "- not a list",
            "\"quoted\" and \\ backslash",
            "2018",
            "true",
            "null",
            "~",
            "  spaces  ",
            "[flow]",
            "{map}",
            "&anchor",
            "*alias",
            "@at",
            "`tick`",
            "%percent",
            "line\nbreak",
            "tab\there",
            "白莲社区\u{2028}",
        ] {
            let written = yaml_scalar(text);
            let read: yaml::Mapping =
                yaml::from_str(&format!("k: {written}\n")).expect("valid YAML");
            assert_eq!(
                read.get("k"),
                Some(&yaml::Value::String(text.to_string())),
                "{text:?} written as {written}"
            );
        }
        assert_eq!(yaml_scalar("白莲社区"), "白莲社区");
        assert_eq!(yaml_scalar("2018-03-20"), "2018-03-20");
        assert_eq!(yaml_scalar(""), "");
    }

    #[test]
    fn placeholders_are_filled_and_typos_refused() {
        let filled = fill("title: {{ title }}\nstreet: {{street}}\n", |name| {
            (name == "title").then(|| "白莲: 新".to_string())
        })
        .expect("valid");
        assert_eq!(filled, "title: \"白莲: 新\"\nstreet: \n");
        assert!(
            fill("{{ titel }}", |_| None)
                .expect_err("unknown")
                .contains("`{{ titel }}`")
        );
        assert!(fill("{{ title", |_| None).is_err());
    }

    #[test]
    fn the_builtin_archetype_uses_known_placeholders() {
        fill(BUILTIN_STORY, |name| Some(name.to_string())).expect("valid");
    }
}
