//! The one module that names the YAML library.
//!
//! The client asked for the `serde_yaml` API; upstream is archived, so `Cargo.toml` maps the name
//! to the maintained drop-in `yaml_serde`. Everything else in yuanba goes through this module, so
//! a future swap touches one file. Errors come back as [`YamlError`] with a byte offset into the
//! text that was parsed, ready to become a located [`crate::diagnostic::Diagnostic`].

use serde::de::DeserializeOwned;

/// A YAML value, for free-form maps such as `extra`.
pub(crate) type Value = serde_yaml::Value;

/// A YAML mapping.
pub(crate) type Mapping = serde_yaml::Mapping;

/// The first map key inside `value` that templates cannot use (anything but a string, an
/// integer or a bool: `~`, `1.5`, `[1, 2]`), written back as YAML.
pub(crate) fn unusable_map_key(value: &Value) -> Option<String> {
    match value {
        Value::Mapping(mapping) => mapping.iter().find_map(|(key, value)| {
            let usable = match key {
                Value::String(_) | Value::Bool(_) => true,
                Value::Number(number) => number.is_i64() || number.is_u64(),
                _ => false,
            };
            if usable {
                unusable_map_key(value)
            } else {
                Some(serde_yaml::to_string(key).map_or_else(
                    |_| "?".to_string(),
                    |text| text.split_whitespace().collect::<Vec<_>>().join(" "),
                ))
            }
        }),
        Value::Sequence(items) => items.iter().find_map(unusable_map_key),
        Value::Tagged(tagged) => unusable_map_key(&tagged.value),
        _ => None,
    }
}

/// Why a YAML text could not be read into the wanted type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// What went wrong, without the "at line N column M" suffix.
    pub message: String,
    /// Byte offset into the parsed text, when the parser knows it.
    pub offset: Option<usize>,
    /// Set when the problem is a key the type does not know.
    pub unknown_field: Option<UnknownField>,
}

/// A key that the target type does not have, and the keys it does have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownField {
    /// The key as written.
    pub name: String,
    /// The keys the type accepts at that place.
    pub expected: Vec<String>,
}

/// A top-level `key:` of a block mapping, found by scanning lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopLevelKey {
    /// The key, unquoted.
    pub name: String,
    /// Byte offset of the key in the text.
    pub offset: usize,
    /// Byte offset of the value (just past `:` and spaces).
    pub value_offset: usize,
}

/// How deeply `[` and `{` may nest. The YAML scanner slows down badly on deep nesting (minutes
/// for a few hundred kilobytes of `[[[…`), and no front matter needs more than a few levels.
const MAX_FLOW_DEPTH: usize = 64;

/// Deserializes `text` into `T`.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some(offset) = too_deep(text) {
        return Err(YamlError {
            message: format!("brackets nest more than {MAX_FLOW_DEPTH} levels deep"),
            offset: Some(offset),
            unknown_field: None,
        });
    }
    serde_yaml::from_str(text).map_err(|error| {
        let offset = error.location().map(|location| location.index());
        let message = strip_location(&error.to_string());
        let unknown_field = parse_unknown_field(&message);
        YamlError {
            message,
            offset,
            unknown_field,
        }
    })
}

/// The offset of the first `[` or `{` that nests deeper than [`MAX_FLOW_DEPTH`]. Brackets in
/// quotes or comments are counted too, which only makes the limit stricter for absurd input.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (idx, byte) in text.bytes().enumerate() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(idx);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Finds the keys of a block mapping at column 0, in order, without parsing the YAML.
///
/// This is how yuanba reports every unknown key of a front matter block at once, each at its own
/// line, before serde would stop at the first one. Lines that are indented, comments, list items,
/// document markers and flow collections are not keys at the top level and are passed over.
pub(crate) fn top_level_keys(text: &str) -> Vec<TopLevelKey> {
    let mut keys = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(key) = key_of_line(line) {
            keys.push(TopLevelKey {
                name: key.0,
                offset: line_start,
                value_offset: line_start + key.1,
            });
        }
        line_start += line.len();
    }
    keys
}

/// The keys of the block mapping under `parent` (a key of [`top_level_keys`]), up to `end` (the
/// next top-level key, or the end of the text): those at the indentation of its first key line,
/// with offsets into `text`. A flow mapping (`parent: {a: 1}`) has none.
pub(crate) fn child_keys(text: &str, parent: &TopLevelKey, end: usize) -> Vec<TopLevelKey> {
    let start = text[parent.value_offset..end]
        .find('\n')
        .map_or(end, |idx| parent.value_offset + idx + 1);
    let mut keys = Vec::new();
    let mut indent = None;
    let mut line_start = start;
    for line in text[start..end].split_inclusive('\n') {
        let width = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[width..];
        let blank = rest.trim().is_empty() || rest.starts_with('#');
        if !blank
            && width > 0
            && *indent.get_or_insert(width) == width
            && let Some((name, value_idx)) = key_of_line(rest)
        {
            keys.push(TopLevelKey {
                name,
                offset: line_start + width,
                value_offset: line_start + width + value_idx,
            });
        }
        line_start += line.len();
    }
    keys
}

fn key_of_line(line: &str) -> Option<(String, usize)> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[' | '?' | '%' | '|' | '>') {
        return None;
    }
    let (name, rest_idx) = if first == '"' || first == '\'' {
        let close = line[1..].find(first)? + 1;
        (line[1..close].to_string(), close + 1)
    } else {
        let colon = find_key_colon(line)?;
        (line[..colon].trim_end().to_string(), colon)
    };
    let rest = &line[rest_idx..];
    let after_colon = rest.strip_prefix(':')?;
    if !(after_colon.is_empty() || after_colon.starts_with([' ', '\t', '\r', '\n'])) {
        return None;
    }
    let spaces = after_colon.len() - after_colon.trim_start_matches([' ', '\t']).len();
    Some((name, rest_idx + 1 + spaces))
}

/// The first `:` that ends a plain key: followed by white space or the end of the line.
fn find_key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    bytes.iter().enumerate().find_map(|(idx, byte)| {
        let next = bytes.get(idx + 1).copied();
        (*byte == b':' && matches!(next, None | Some(b' ' | b'\t' | b'\r' | b'\n'))).then_some(idx)
    })
}

/// Removes " at line N column M" from a YAML error message; the caller shows the place itself.
fn strip_location(message: &str) -> String {
    let mut out = message.to_string();
    while let Some(idx) = out.find(" at line ") {
        let tail = &out[idx + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n_line = digits(tail);
        let after_line = &tail[n_line..];
        let Some(after_column) = after_line.strip_prefix(" column ") else {
            break;
        };
        let n_col = digits(after_column);
        let end = idx + " at line ".len() + n_line + " column ".len() + n_col;
        out.replace_range(idx..end, "");
    }
    out
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`").
fn parse_unknown_field(message: &str) -> Option<UnknownField> {
    let idx = message.find("unknown field `")?;
    let rest = &message[idx + "unknown field `".len()..];
    let end = rest.find('`')?;
    let name = rest[..end].to_string();
    let expected = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some(UnknownField { name, expected })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields are only deserialized")]
    struct Sample {
        title: Option<String>,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn unknown_field_carries_name_expected_and_offset() {
        let text = "title: a\ntitel: b\n";
        let error = from_str::<Sample>(text).expect_err("unknown field");
        let unknown = error.unknown_field.expect("parsed");
        assert_eq!(unknown.name, "titel");
        assert_eq!(unknown.expected, vec!["title", "tags"]);
        assert_eq!(error.offset, Some(9));
        assert!(!error.message.contains("at line"), "{}", error.message);
    }

    #[test]
    fn type_error_points_at_the_value() {
        let text = "title: a\ntags: 5\n";
        let error = from_str::<Sample>(text).expect_err("type error");
        assert_eq!(error.offset, Some(text.find('5').expect("present")));
        assert!(
            error.message.contains("expected a sequence"),
            "{}",
            error.message
        );
    }

    #[test]
    fn top_level_keys_skip_nested_lists_and_comments() {
        let text = "title: 白莲\n# note\nimages:\n  - src: a.jpg\n    alt: x\n\"date\": 2018-03-18\nurl: http://x\n";
        let keys = top_level_keys(text);
        let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, vec!["title", "images", "date", "url"]);
        assert_eq!(
            &text[keys[0].value_offset..keys[0].value_offset + 6],
            "白莲"
        );
        assert_eq!(
            &text[keys[2].value_offset..keys[2].value_offset + 4],
            "2018"
        );
    }

    #[test]
    fn child_keys_are_the_first_level_under_a_key() {
        let text = "title: x\ntheme_options:\n  # note\n  accent: red\n  nested:\n    deep: 1\n  lead_story: false\nextra: {}\n";
        let keys = top_level_keys(text);
        let children = child_keys(text, &keys[1], keys[2].offset);
        let names: Vec<&str> = children.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, vec!["accent", "nested", "lead_story"]);
        assert_eq!(
            &text[children[0].value_offset..children[0].value_offset + 3],
            "red"
        );
        assert!(child_keys("a: {b: 1}\n", &top_level_keys("a: {b: 1}\n")[0], 10).is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!("extra: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let error = from_str::<serde_yaml::Value>(&text).expect_err("too deep");
        assert_eq!(error.offset, Some(7 + MAX_FLOW_DEPTH));
        assert!(from_str::<serde_yaml::Value>("a: [[1, 2], {b: [3]}]\n").is_ok());
    }

    #[test]
    fn strip_location_keeps_the_rest() {
        assert_eq!(
            strip_location("found a tab at line 3 column 1, while scanning"),
            "found a tab, while scanning"
        );
    }
}
