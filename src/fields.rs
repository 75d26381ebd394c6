//! Reading a YAML block against a fixed set of keys, with diagnostics people can act on.
//!
//! `site.yaml` and story front matter share the same rules: every unknown top-level key is
//! reported at its own line with the closest known key as a suggestion, then serde reads the
//! block into a typed struct (`deny_unknown_fields`), and its first error is mapped back to the
//! place in the file. This module owns that mapping; it knows nothing about stories or sites.

use crate::diagnostic::Code;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::yaml::{self, TopLevelKey};

/// A YAML block inside a file: the file's text and where the block starts in it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct YamlBlock<'a> {
    /// The file, as shown to the user.
    pub path: &'a Path,
    /// The whole text of the file.
    pub source: &'a Arc<str>,
    /// Byte offset of the block in `source`.
    pub start: usize,
    /// The block itself.
    pub text: &'a str,
}

impl YamlBlock<'_> {
    /// An error pointing at `offset..offset + len` of the block.
    pub(crate) fn error_at(
        &self,
        code: Code,
        message: impl Into<String>,
        offset: usize,
        len: usize,
    ) -> Diagnostic {
        let start = self.start + offset;
        Diagnostic::error(code, message).at(self.path, self.source, start..start + len)
    }

    /// The top-level keys of the block, with offsets relative to the block.
    pub(crate) fn keys(&self) -> Vec<TopLevelKey> {
        yaml::top_level_keys(self.text)
    }

    /// The span of the value of a top-level key (to the end of its line), or of the key name.
    pub(crate) fn value_span(&self, keys: &[TopLevelKey], name: &str) -> Option<(usize, usize)> {
        let key = keys.iter().find(|key| key.name == name)?;
        let line_end = self.text[key.value_offset..]
            .find('\n')
            .map_or(self.text.len(), |idx| key.value_offset + idx);
        let value = self.text[key.value_offset..line_end].trim_end();
        if value.is_empty() {
            Some((key.offset, key.name.len()))
        } else {
            Some((key.value_offset, value.len()))
        }
    }
}

/// Reports every top-level key that is not in `known`, with a suggestion when one is close.
pub(crate) fn unknown_keys(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    known: &[&str],
    code: Code,
    what: &str,
) -> Vec<Diagnostic> {
    let unknown: Vec<&TopLevelKey> = keys
        .iter()
        .filter(|key| !known.contains(&key.name.as_str()))
        .collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    // The line scan can mistake a continuation line of a multi-line scalar for a key. Only on
    // this rare path, confirm with the parser; a block that does not parse is left to
    // `deserialize`, which reports the syntax error at its place.
    let Ok(parsed) = yaml::from_str::<yaml::Mapping>(block.text) else {
        return Vec::new();
    };
    unknown
        .into_iter()
        .filter(|key| parsed.contains_key(key.name.as_str()))
        .map(|key| {
            let diagnostic = block
                .error_at(
                    code,
                    format!("unknown field `{}`", key.name),
                    key.offset,
                    key.name.len(),
                )
                .with_label(format!("not a {what} field"));
            match did_you_mean(&key.name, known.iter().copied()) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_help(format!("{what} fields are: {}", known.join(", "))),
            }
        })
        .collect()
}

/// The diagnostic codes of one kind of YAML block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCodes {
    /// For a key that is not known.
    pub unknown_field: Code,
    /// For a value serde cannot read, or broken YAML.
    pub invalid: Code,
}

/// Reads a front matter block into `T`: every unknown key first (each at its line), else serde's
/// first error at its place. An empty block gives `T::default()`.
pub(crate) fn read_front_matter<T: DeserializeOwned + Default>(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    known: &[&str],
    what: &str,
) -> Result<T, Vec<Diagnostic>> {
    let codes = ErrorCodes {
        unknown_field: Code::FrontMatterUnknownField,
        invalid: Code::FrontMatterInvalid,
    };
    read_block(block, keys, known, codes, what)
}

/// Reads a YAML block into `T` as [`read_front_matter`] does, with the given codes.
pub(crate) fn read_block<T: DeserializeOwned + Default>(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    known: &[&str],
    codes: ErrorCodes,
    what: &str,
) -> Result<T, Vec<Diagnostic>> {
    let unknown = unknown_keys(block, keys, known, codes.unknown_field, what);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    if block.text.trim().is_empty() {
        return Ok(T::default());
    }
    deserialize(block, codes.invalid).map_err(|diagnostic| vec![diagnostic])
}

/// Reads the block into `T`, mapping serde's error to a located diagnostic.
pub(crate) fn deserialize<T: DeserializeOwned>(
    block: &YamlBlock<'_>,
    code: Code,
) -> Result<T, Diagnostic> {
    yaml::from_str(block.text).map_err(|error| {
        let offset = error.offset.unwrap_or(0);
        let len = word_len(&block.text[offset.min(block.text.len())..]);
        let mut diagnostic = block.error_at(code, error.message.clone(), offset, len);
        if let Some(unknown) = &error.unknown_field {
            diagnostic.message = format!("unknown field `{}`", unknown.name);
            let expected = unknown.expected.iter().map(String::as_str);
            diagnostic = match did_you_mean(&unknown.name, expected) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                None => diagnostic
                    .with_help(format!("expected one of: {}", unknown.expected.join(", "))),
            };
        } else if error.message.contains('\t') || error.message.contains("tab") {
            diagnostic =
                diagnostic.with_help("YAML does not allow tabs for indentation: use spaces");
        }
        diagnostic
    })
}

/// An error at the `extra` key when its value has a map key that templates cannot use.
pub(crate) fn check_extra(
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
    extra: Option<&crate::yaml::Value>,
    code: Code,
) -> Option<Diagnostic> {
    let key = crate::yaml::unusable_map_key(extra?)?;
    let (offset, len) = block.value_span(keys, "extra").unwrap_or((0, 0));
    Some(
        block
            .error_at(
                code,
                format!("`extra` has the map key `{key}`, which templates cannot use"),
                offset,
                len,
            )
            .with_help("use text (or whole numbers) as keys, for example `photographer: 张三`"),
    )
}

/// The closest candidate to `name`, if any is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The `n` candidates closest to `name`, closest first, however far they are.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(n)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// Length of the token at the start of `text`, at least 1, for a caret under a word.
fn word_len(text: &str) -> usize {
    let line = text.lines().next().unwrap_or("");
    let trimmed = line.trim_end();
    let end = trimmed.find([':', ',']).unwrap_or(trimmed.len());
    end.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["title", "highlights", "district", "community"];
        assert_eq!(did_you_mean("higlights", known), Some("highlights"));
        assert_eq!(did_you_mean("titel", known), Some("title"));
        assert_eq!(did_you_mean("comunity", known), Some("community"));
        assert_eq!(did_you_mean("weather", known), None);
    }

    #[test]
    fn a_continuation_line_is_not_a_key() {
        let source: Arc<str> = Arc::from("title: \"白莲\nnote: 社区\"\n");
        let block = YamlBlock {
            path: Path::new("a.md"),
            source: &source,
            start: 0,
            text: &source,
        };
        let keys = block.keys();
        assert!(
            keys.iter().any(|key| key.name == "note"),
            "the scan is fooled"
        );
        assert!(
            unknown_keys(
                &block,
                &keys,
                &["title"],
                Code::FrontMatterUnknownField,
                "story"
            )
            .is_empty()
        );
    }

    #[test]
    fn reports_each_unknown_key_at_its_line() {
        let source: Arc<str> = Arc::from("---\ntitel: a\nhiglights: []\nfoo: 1\n---\n");
        let block = YamlBlock {
            path: Path::new("a.md"),
            source: &source,
            start: 4,
            text: &source[4..source.len() - 4],
        };
        let keys = block.keys();
        let found = unknown_keys(
            &block,
            &keys,
            &["title", "highlights"],
            Code::FrontMatterUnknownField,
            "story",
        );
        let lines: Vec<_> = found
            .iter()
            .map(|d| d.line_col().expect("located"))
            .collect();
        assert_eq!(lines, vec![(2, 1), (3, 1), (4, 1)]);
        assert_eq!(found[1].help.as_deref(), Some("did you mean `highlights`?"));
        assert!(
            found[2]
                .help
                .as_deref()
                .expect("help")
                .starts_with("story fields are")
        );
    }
}
