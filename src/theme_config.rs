//! A theme's own settings: `themes/<theme>/theme.yaml`, and the site's overrides of them.
//!
//! A theme declares defaults that `site.yaml` may override: `paginate_by`, and `options`, named
//! values its templates read as `theme.options.NAME` (colours, switches). Options are typed by
//! their default: a site may only set an option the theme declares, to a value of the same kind,
//! so a typo or a wrong type is a located error rather than a silently ignored key.
//!
//! The built-in default theme's templates are the last fallback for every theme, so the options
//! of its built-in `theme.yaml` are the lowest layer for every theme; its `description` and
//! `paginate_by` count only for the default theme. This module reads files but knows nothing
//! about templates.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::fields::{self, YamlBlock};
use crate::yaml::{self, Mapping, TopLevelKey, Value};

/// The settings file of a theme, in its folder.
pub(crate) const THEME_FILE: &str = "theme.yaml";

const KNOWN_KEYS: &[&str] = &["description", "paginate_by", "options", "images"];

/// `theme.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    description: Option<String>,
    paginate_by: Option<i64>,
    options: Option<Mapping>,
    images: Option<crate::images::settings::RawImages>,
}

/// The settings of the active theme, its layers merged.
#[derive(Debug, Clone, Default)]
pub(crate) struct ThemeConfig {
    /// One line about the theme (documentation only).
    pub description: String,
    /// The theme's default page size, when it sets one.
    pub paginate_by: Option<usize>,
    /// Every option the theme declares, with its default, in the order written.
    pub options: Mapping,
    /// The `theme.yaml` that gave each option its default, for messages.
    pub declared_in: HashMap<String, PathBuf>,
    /// The `images:` defaults of each layer, lowest first.
    pub images: Vec<crate::images::settings::ImageLayer>,
}

/// One `theme.yaml` to read: where it is shown as coming from, and its text.
#[derive(Debug)]
pub(crate) struct ThemeFile {
    /// Path for messages (`themes/default/theme.yaml`, `<built-in default theme>/theme.yaml`).
    pub display_path: PathBuf,
    /// The file's text.
    pub text: Arc<str>,
    /// Take only its `options` (the built-in layer under another theme).
    pub options_only: bool,
}

/// Reads the layers of the theme's settings, lowest first, and merges them.
pub(crate) fn load(layers: &[ThemeFile]) -> Result<ThemeConfig, Vec<Diagnostic>> {
    let mut theme = ThemeConfig::default();
    let mut diagnostics = Vec::new();
    for layer in layers {
        match read_layer(layer) {
            Ok(settings) => {
                if !layer.options_only {
                    if let Some(description) = settings.description {
                        theme.description = description;
                    }
                    if settings.paginate_by.is_some() {
                        theme.paginate_by = settings.paginate_by;
                    }
                    theme.images.extend(settings.images);
                }
                for (key, value) in settings.options.unwrap_or_default() {
                    if let Value::String(name) = &key {
                        theme
                            .declared_in
                            .insert(name.clone(), layer.display_path.clone());
                    }
                    theme.options.insert(key, value);
                }
            }
            Err(found) => diagnostics.extend(found),
        }
    }
    if diagnostics.is_empty() {
        Ok(theme)
    } else {
        Err(diagnostics)
    }
}

/// One `theme.yaml`, checked.
struct LayerSettings {
    description: Option<String>,
    paginate_by: Option<usize>,
    /// Every option name is text.
    options: Option<Mapping>,
    images: Option<crate::images::settings::ImageLayer>,
}

fn read_layer(layer: &ThemeFile) -> Result<LayerSettings, Vec<Diagnostic>> {
    let block = YamlBlock {
        path: &layer.display_path,
        source: &layer.text,
        start: 0,
        text: &layer.text,
    };
    let keys = block.keys();
    let codes = fields::ErrorCodes {
        unknown_field: Code::ThemeUnknownField,
        invalid: Code::ThemeInvalid,
    };
    let raw: RawTheme = fields::read_block(&block, &keys, KNOWN_KEYS, codes, "theme.yaml")?;
    let paginate_by = raw
        .paginate_by
        .map(|n| {
            check_paginate_by(n).map_err(|message| {
                let (offset, len) = block.value_span(&keys, "paginate_by").unwrap_or((0, 1));
                vec![
                    block
                        .error_at(Code::ThemePaginateBy, message, offset, len)
                        .with_help(format!("the default is {DEFAULT_PAGINATE_BY}")),
                ]
            })
        })
        .transpose()?;
    if let Some(options) = &raw.options {
        let non_text_key = options.keys().find(|key| !matches!(key, Value::String(_)));
        if non_text_key.is_some() {
            let (offset, len) = block.value_span(&keys, "options").unwrap_or((0, 1));
            return Err(vec![
                block
                    .error_at(
                        Code::ThemeInvalid,
                        "every option name must be text",
                        offset,
                        len,
                    )
                    .with_help("write options as `name: default value`, one per line"),
            ]);
        }
    }
    let images = match &raw.images {
        Some(images) => {
            let (layer, problems) =
                crate::images::settings::check_layer(images, &block, &keys, Code::ThemeInvalid);
            if !problems.is_empty() {
                return Err(problems);
            }
            Some(layer)
        }
        None => None,
    };
    Ok(LayerSettings {
        description: raw.description,
        paginate_by,
        options: raw.options,
        images,
    })
}

/// The theme's options with the site's `theme_options` applied. Every key the site sets must
/// be an option of the theme, with a value of the kind of its default (a `null` default takes
/// anything). `block` is `site.yaml`; errors point at the offending key or value there.
pub(crate) fn apply_site_options(
    theme: &ThemeConfig,
    theme_name: &str,
    site_options: &Mapping,
    block: &YamlBlock<'_>,
    keys: &[TopLevelKey],
) -> Result<Mapping, Vec<Diagnostic>> {
    let written = WrittenOptions::new(theme, theme_name, block, keys);
    let mut options = theme.options.clone();
    let mut diagnostics = Vec::new();
    for (key, value) in site_options {
        let name = match key {
            Value::String(name) => name.clone(),
            other => yaml_inline(other),
        };
        let Some(default) = theme.options.get(key) else {
            diagnostics.push(written.unknown(&name));
            continue;
        };
        if let Some(expected) = kind_of(default)
            && kind_of(value).is_some_and(|found| found != expected)
        {
            diagnostics.push(written.of_another_kind(&name, expected, default));
            continue;
        }
        options.insert(key.clone(), value.clone());
    }
    if diagnostics.is_empty() {
        Ok(options)
    } else {
        Err(diagnostics)
    }
}

/// Bytes of `site.yaml` a message points at, relative to its block.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: usize,
    len: usize,
}

/// The site's `theme_options` as written in `site.yaml`, and the theme they are checked
/// against: what the messages about them need.
struct WrittenOptions<'a> {
    theme: &'a ThemeConfig,
    theme_name: &'a str,
    block: &'a YamlBlock<'a>,
    /// The keys under `theme_options:`.
    child_keys: Vec<TopLevelKey>,
    /// Where `theme_options` is, for an option whose own line is not found.
    fallback: Span,
}

impl<'a> WrittenOptions<'a> {
    fn new(
        theme: &'a ThemeConfig,
        theme_name: &'a str,
        block: &'a YamlBlock<'a>,
        keys: &[TopLevelKey],
    ) -> Self {
        let child_keys = keys
            .iter()
            .position(|key| key.name == "theme_options")
            .map(|idx| {
                let end = keys
                    .get(idx + 1)
                    .map_or(block.text.len(), |next| next.offset);
                yaml::child_keys(block.text, &keys[idx], end)
            })
            .unwrap_or_default();
        let (offset, len) = block.value_span(keys, "theme_options").unwrap_or((0, 1));
        WrittenOptions {
            theme,
            theme_name,
            block,
            child_keys,
            fallback: Span { offset, len },
        }
    }

    fn child(&self, name: &str) -> Option<&TopLevelKey> {
        self.child_keys.iter().find(|child| child.name == name)
    }

    /// Where the option `name` is written.
    fn key_span(&self, name: &str) -> Span {
        self.child(name).map_or(self.fallback, |child| Span {
            offset: child.offset,
            len: child.name.len(),
        })
    }

    /// Where the value of the option `name` is written (its key when the value is on the
    /// lines below).
    fn value_span(&self, name: &str) -> Span {
        let text = self.block.text;
        self.child(name).map_or(self.fallback, |child| {
            let line_end = text[child.value_offset..]
                .find('\n')
                .map_or(text.len(), |idx| child.value_offset + idx);
            let len = text[child.value_offset..line_end].trim_end().len();
            if len == 0 {
                self.key_span(name)
            } else {
                Span {
                    offset: child.value_offset,
                    len,
                }
            }
        })
    }

    /// The site sets `name`, which the theme does not declare.
    fn unknown(&self, name: &str) -> Diagnostic {
        let theme_name = self.theme_name;
        let declared: Vec<&str> = self
            .theme
            .options
            .keys()
            .filter_map(Value::as_str)
            .collect();
        let help = match fields::did_you_mean(name, declared.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None if declared.is_empty() => {
                format!("theme `{theme_name}` has no options")
            }
            None => format!(
                "the options of theme `{theme_name}` are: {}",
                declared.join(", ")
            ),
        };
        let span = self.key_span(name);
        self.block
            .error_at(
                Code::ConfigThemeOption,
                format!("unknown theme option `{name}`"),
                span.offset,
                span.len,
            )
            .with_label(format!("not an option of theme `{theme_name}`"))
            .with_help(help)
    }

    /// The site sets `name` to a value of another kind than its default, which is `expected`.
    fn of_another_kind(&self, name: &str, expected: &str, default: &Value) -> Diagnostic {
        let declared_in = self.theme.declared_in.get(name).map_or_else(
            || format!("themes/{}/{THEME_FILE}", self.theme_name),
            |path| path.display().to_string().replace('\\', "/"),
        );
        let span = self.value_span(name);
        self.block
            .error_at(
                Code::ConfigThemeOption,
                format!("theme option `{name}` must be {expected}"),
                span.offset,
                span.len,
            )
            .with_help(format!(
                "its default in {declared_in} is `{}`",
                yaml_inline(default)
            ))
    }
}

/// What kind of value an option holds, as said in messages; `None` for `null` (any kind).
fn kind_of(value: &Value) -> Option<&'static str> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some("true or false"),
        Value::Number(_) => Some("a number"),
        Value::String(_) => Some("text"),
        Value::Sequence(_) => Some("a list"),
        Value::Mapping(_) => Some("a map"),
        Value::Tagged(tagged) => kind_of(&tagged.value),
    }
}

/// A short one-line rendering of a YAML value, for messages.
fn yaml_inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        Value::Sequence(_) => "[…]".to_string(),
        Value::Mapping(_) => "{…}".to_string(),
        Value::Tagged(tagged) => yaml_inline(&tagged.value),
    }
}

/// The `theme.yaml` layers of the theme `name` in the site at `root`: the built-in one (whole
/// for the default theme, only its options for another), then the theme folder's own file. A
/// layer that cannot be read is an error.
pub(crate) fn layers(root: &Path, name: &str) -> Result<Vec<ThemeFile>, Vec<Diagnostic>> {
    let mut layers = vec![ThemeFile {
        display_path: Path::new("<built-in default theme>").join(THEME_FILE),
        text: Arc::from(crate::render::builtin::THEME_YAML),
        options_only: name != crate::render::builtin::THEME_NAME,
    }];
    let relative = Path::new("themes").join(name).join(THEME_FILE);
    match std::fs::read(root.join(&relative)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => layers.push(ThemeFile {
                text: Arc::from(crate::files::normalize_text(text)),
                display_path: relative,
                options_only: false,
            }),
            Err(_) => {
                return Err(vec![
                    Diagnostic::error(Code::ThemeEncoding, "theme.yaml is not valid UTF-8")
                        .in_file(&relative)
                        .with_help("save the file as UTF-8"),
                ]);
            }
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(vec![
                Diagnostic::error(Code::ThemeIo, format!("cannot read theme.yaml: {error}"))
                    .in_file(&relative),
            ]);
        }
    }
    Ok(layers)
}

/// Stories per page of every list, unless site.yaml says otherwise.
pub(crate) const DEFAULT_PAGINATE_BY: usize = 20;

/// Items per list page, from `site.yaml` or `theme.yaml`: a number from 1 to 10 000.
pub(crate) fn check_paginate_by(n: i64) -> Result<usize, String> {
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| format!("`paginate_by` must be between 1 and 10000, not {n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ThemeFile {
        ThemeFile {
            display_path: PathBuf::from("themes/t/theme.yaml"),
            text: Arc::from(text),
            options_only: false,
        }
    }

    #[test]
    fn an_options_only_layer_gives_options_and_nothing_else() {
        let mut builtin = file("description: d\npaginate_by: 12\noptions:\n  accent: red\n");
        builtin.options_only = true;
        let theme = load(&[builtin, file("options: {}\n")]).expect("valid");
        assert_eq!(theme.paginate_by, None);
        assert_eq!(theme.description, "");
        assert!(theme.options.contains_key("accent"));
    }

    #[test]
    fn later_layers_win_key_by_key() {
        let theme = load(&[
            file("paginate_by: 12\noptions:\n  accent: red\n  lead_story: true\n"),
            file("options:\n  accent: blue\n"),
        ])
        .expect("valid");
        assert_eq!(theme.paginate_by, Some(12));
        assert_eq!(
            theme.options.get("accent").and_then(Value::as_str),
            Some("blue")
        );
        assert_eq!(
            theme.options.get("lead_story").and_then(Value::as_bool),
            Some(true)
        );
    }

    #[test]
    fn errors_are_located() {
        let found = load(&[file("paginate_by: 0\n")]).expect_err("out of range");
        assert_eq!(found[0].line_col(), Some((1, 14)));
        let found = load(&[file("options:\n  a: 1\npaginat_by: 3\n")]).expect_err("unknown key");
        assert_eq!(found[0].line_col(), Some((3, 1)));
        assert_eq!(
            found[0].help.as_deref(),
            Some("did you mean `paginate_by`?")
        );
        let found = load(&[file("options: [a, b]\n")]).expect_err("not a map");
        assert_eq!(found[0].code, "theme/invalid");
    }

    #[test]
    fn value_kinds() {
        assert_eq!(kind_of(&Value::Bool(true)), Some("true or false"));
        assert_eq!(kind_of(&Value::Null), None);
        assert_eq!(yaml_inline(&Value::String("#b5121b".into())), "#b5121b");
    }
}
