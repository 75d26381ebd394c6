//! Fingerprints of what pages and cards are rendered from, for the render cache of `serve`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use serde::Serialize;

use crate::render::Key;
use crate::render::theme::TemplateSource;

/// The hasher of every fingerprint: aHash (already compiled in for Tera) with fixed seeds, so
/// that fingerprints compare across builds; several times faster than `DefaultHasher` (`SipHash`)
/// on the short values most fingerprints are made of.
pub(crate) type Fingerprinter = ahash::AHasher;

/// A new [`Fingerprinter`].
pub(crate) fn hasher() -> Fingerprinter {
    ahash::RandomState::with_seeds(
        0x7975_616e_6261_0001,
        0x9e37_79b9_7f4a_7c15,
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
    )
    .build_hasher()
}

/// For each template, the fingerprint of its text and of every template it extends, includes
/// or imports, transitively: a page rendered by a template whose fingerprint did not change
/// shows the same thing for the same context. A template that names another through a
/// variable depends on every template.
pub(super) fn of_templates(sources: &BTreeMap<String, TemplateSource>) -> HashMap<String, Key> {
    let direct: HashMap<&str, Option<BTreeSet<String>>> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), dependencies(&source.text)))
        .collect();
    sources
        .keys()
        .map(|name| {
            let mut closure: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name.as_str()];
            while let Some(next) = todo.pop() {
                if !closure.insert(next) {
                    continue;
                }
                match direct.get(next) {
                    Some(Some(names)) => todo.extend(names.iter().map(String::as_str)),
                    Some(None) => closure.extend(sources.keys().map(String::as_str)),
                    None => {}
                }
            }
            let mut hasher = hasher();
            for member in closure {
                member.hash(&mut hasher);
                if let Some(source) = sources.get(member) {
                    source.text.hash(&mut hasher);
                }
            }
            (name.clone(), hasher.finish())
        })
        .collect()
}

/// The templates that `text` extends, includes or imports by name; `None` when a tag names one
/// through a variable, or when it calls a component (`{{ <name/> }}`): Tera components are
/// global, defined in any template, so such a template depends on all of them.
fn dependencies(text: &str) -> Option<BTreeSet<String>> {
    if calls_component(text) {
        return None;
    }
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let tag_and_after = &rest[start + 2..];
        let end = tag_and_after.find("%}").unwrap_or(tag_and_after.len());
        let tag = tag_and_after[..end]
            .trim_start_matches(['-', '+'])
            .trim_start();
        rest = &tag_and_after[end..];
        let keyword = tag.split_whitespace().next().unwrap_or("");
        if !matches!(keyword, "extends" | "include" | "import" | "from") {
            continue;
        }
        let literals = string_literals(&tag[keyword.len()..]);
        let first_word = tag[keyword.len()..].trim_start();
        if literals.is_empty() || !first_word.starts_with(['"', '\'', '`', '[']) {
            return None;
        }
        names.extend(literals);
    }
    Some(names)
}

/// Whether an expression or tag of `text` starts with `<` (a component call, `{{ <badge/> }}`,
/// or its body form).
fn calls_component(text: &str) -> bool {
    text.match_indices(['{'])
        .filter_map(|(at, _)| text[at + 1..].strip_prefix(['{', '%']))
        .any(|inside| {
            inside
                .trim_start_matches(['-', '+'])
                .trim_start()
                .starts_with('<')
        })
}

/// The quoted strings of a tag.
fn string_literals(tag: &str) -> Vec<String> {
    let mut literals = Vec::new();
    let mut rest = tag;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = &rest[start..=start];
        let body = &rest[start + 1..];
        let Some(len) = body.find(quote) else {
            break;
        };
        literals.push(body[..len].to_string());
        rest = &body[len + 1..];
    }
    literals
}

/// The fingerprint of a value as templates would see it: its JSON form, hashed as it is
/// written (nothing is kept).
pub(super) fn of_serialized<T: Serialize + ?Sized>(value: &T) -> Key {
    let mut hasher = hasher();
    add_serialized(&mut hasher, value);
    hasher.finish()
}

/// Adds a value's JSON form to `hasher`. A value that cannot be written as JSON (a map with
/// keys that are not strings) adds a marker instead; templates could not use such a value the
/// same way twice anyway, and the build reports it elsewhere.
pub(super) fn add_serialized<T: Serialize + ?Sized>(hasher: &mut Fingerprinter, value: &T) {
    if serde_json::to_writer(HashWriter(&mut *hasher), value).is_err() {
        hasher.write_u8(0xfe);
    }
}

/// Feeds written bytes to a hasher.
struct HashWriter<'a>(&'a mut Fingerprinter);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_dependencies_are_read_from_extends_include_and_import() {
        let deps = dependencies(
            r#"{% extends "base.html" %}{%- include 'partials/a.html' -%}{% import "macros.html" as m %}{{ x }}"#,
        );
        let expected: BTreeSet<String> = ["base.html", "partials/a.html", "macros.html"]
            .map(String::from)
            .into();
        assert_eq!(deps, Some(expected));
        assert_eq!(dependencies("{% include name %}"), None);
        assert_eq!(
            dependencies(r#"{% extends "a.html" %}{{ <badge label="x"/> }}"#),
            None
        );
        assert_eq!(dependencies("{{- <badge/> -}}"), None);
        assert_eq!(
            dependencies("{{ a < b }}{% if a<b %}{% endif %}"),
            Some(BTreeSet::new())
        );
        assert_eq!(dependencies("{% if a %}{% endif %}"), Some(BTreeSet::new()));
    }

    #[test]
    fn a_template_key_changes_with_what_it_uses_and_only_then() {
        let source = |text: &str| TemplateSource {
            display_path: "t".into(),
            text: text.into(),
        };
        let mut sources: BTreeMap<String, TemplateSource> = [
            ("base.html", "<main>{% block main %}{% endblock %}</main>"),
            (
                "story.html",
                r#"{% extends "base.html" %}{% block main %}s{% endblock %}"#,
            ),
            ("page.html", "p"),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_string(), source(text)))
        .collect();
        let before = of_templates(&sources);
        sources.insert(
            "base.html".into(),
            source("<body>{% block main %}{% endblock %}</body>"),
        );
        let after = of_templates(&sources);
        assert_ne!(before["story.html"], after["story.html"]);
        assert_ne!(before["base.html"], after["base.html"]);
        assert_eq!(before["page.html"], after["page.html"]);
    }

    #[test]
    fn equal_values_have_equal_keys_and_different_values_do_not() {
        #[derive(Serialize)]
        struct View<'a> {
            title: &'a str,
            tags: Vec<&'a str>,
        }
        let a = of_serialized(&View {
            title: "白莲",
            tags: vec!["社区"],
        });
        let same = of_serialized(&View {
            title: "白莲",
            tags: vec!["社区"],
        });
        let other = of_serialized(&View {
            title: "白莲",
            tags: vec!["社", "区"],
        });
        assert_eq!(a, same);
        assert_ne!(a, other);
    }
}
