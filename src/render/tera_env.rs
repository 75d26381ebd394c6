//! Building the Tera environment: templates parsed once, filters and functions registered,
//! and Tera's errors turned into located diagnostics.

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use tera::{Kwargs, State, Tera, TeraResult};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::render::filters;
use crate::render::theme::TemplateSource;

/// The parsed templates and their sources.
pub struct Templates {
    /// The Tera instance, with every template parsed and every filter registered.
    pub tera: Tera,
    /// Where each template came from, by name.
    pub sources: BTreeMap<String, TemplateSource>,
    /// For each template, the fingerprint of its text and of the templates it uses.
    pub keys: std::collections::HashMap<String, crate::render::Key>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("sources", &self.sources.keys())
            .finish_non_exhaustive()
    }
}

/// Parses every template once; reports every template that fails to parse.
pub(crate) fn build(
    sources: BTreeMap<String, TemplateSource>,
    config: &SiteConfig,
) -> Result<Templates, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut remaining: BTreeMap<&str, &TemplateSource> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), source))
        .collect();
    let fingerprinted = if config.fingerprint_assets {
        // Problems reading the static folders are reported when the files are copied.
        let (static_files, _) = crate::output::assets::static_layers(config);
        crate::render::fingerprint::names(config, &static_files)
    } else {
        BTreeMap::new()
    };
    // Tera stops at the first broken template; drop it and try again to find the others.
    loop {
        let mut tera = new_tera(config, &fingerprinted);
        let result = tera.add_raw_templates(
            remaining
                .iter()
                .map(|(name, source)| (*name, &*source.text)),
        );
        match result {
            Ok(()) if diagnostics.is_empty() => {
                let keys = super::keys::of_templates(&sources);
                return Ok(Templates {
                    tera,
                    sources,
                    keys,
                });
            }
            Ok(()) => return Err(diagnostics),
            Err(error) => {
                // Unknown filters, functions and tests come back all at once as text reports.
                let reported = validation_reports(&error, &sources);
                if !reported.is_empty() {
                    diagnostics.extend(reported);
                    return Err(diagnostics);
                }
                let diagnostic = to_diagnostic(&error, &sources, None);
                let culprit = failing_template(&error);
                diagnostics.push(diagnostic);
                match culprit.and_then(|name| remaining.remove(name.as_str()).map(|_| ())) {
                    Some(()) if !remaining.is_empty() => {}
                    _ => return Err(diagnostics),
                }
            }
        }
    }
}

fn new_tera(config: &SiteConfig, fingerprinted: &BTreeMap<String, String>) -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml"]);
    tera.register_filter(
        "zh_date",
        |value: &str, _: Kwargs, _: &State<'_>| -> TeraResult<String> {
            filters::zh_date(value).ok_or_else(|| {
                tera::Error::message(format!(
                    "zh_date: `{value}` does not start with a YYYY-MM-DD date"
                ))
            })
        },
    );
    tera.register_filter("slug", |value: &str, _: Kwargs, _: &State<'_>| {
        crate::text::slugify(value)
    });
    tera.register_filter(
        "excerpt",
        |value: &str, kwargs: Kwargs, _: &State<'_>| -> TeraResult<String> {
            let length = kwargs.get::<i64>("length")?.unwrap_or(120);
            let length = usize::try_from(length)
                .map_err(|_| tera::Error::message("excerpt: `length` must not be negative"))?;
            Ok(filters::excerpt(value, length))
        },
    );
    let base_path = config.base_path.clone();
    let base_url = config.base_url.clone();
    let asset_base = config.base_path.clone();
    let fingerprinted = fingerprinted.clone();
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State<'_>| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let plain = path.trim_start_matches('/');
            let name = fingerprinted.get(plain).map_or(plain, String::as_str);
            Ok(filters::url(&asset_base, name))
        },
    );
    tera.register_function(
        "url",
        move |kwargs: Kwargs, _: &State<'_>| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let absolute = kwargs.get::<bool>("absolute")?.unwrap_or(false);
            let base = if absolute { &base_url } else { &base_path };
            Ok(filters::url(base, &path))
        },
    );
    let photos = PhotoFunction {
        config: config.clone(),
    };
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State<'_>| -> TeraResult<tera::Value> { photos.resize(&kwargs) },
    );
    tera
}

/// `resize_image(path=…, width=…, format=…)`: a variant of a photo that the configured widths
/// do not give; made after the pages are rendered.
struct PhotoFunction {
    config: SiteConfig,
}

/// What `resize_image` returns.
#[derive(serde::Serialize)]
struct Resized {
    url: String,
    width: u32,
    height: u32,
    orig_width: u32,
    orig_height: u32,
}

impl PhotoFunction {
    fn resize(&self, kwargs: &Kwargs) -> TeraResult<tera::Value> {
        let config = &self.config;
        let path: String = kwargs.must_get("path")?;
        let width: i64 = kwargs.must_get("width")?;
        let format_name = kwargs
            .get::<String>("format")?
            .unwrap_or_else(|| "jpeg".into());
        let format = crate::images::Format::parse(&format_name).ok_or_else(|| {
            tera::Error::message(format!(
                "resize_image: unknown format `{format_name}` (webp or jpeg)"
            ))
        })?;
        let width = u32::try_from(width)
            .ok()
            .filter(|w| (16..=8192).contains(w))
            .ok_or_else(|| {
                tera::Error::message(format!(
                    "resize_image: `width` is {width}, not between 16 and 8192"
                ))
            })?;
        let file = crate::content::image::site_file(config, &path).ok_or_else(|| {
            tera::Error::message(format!(
                "resize_image: no file `{path}` (give a path from the site root, such as `content/stories/a/photo.jpg`, or a URL of static/, such as `/images/a.jpg`)"
            ))
        })?;
        let probed = config.photo_memo.probe(&file, &config.images);
        let photo = match &probed.outcome {
            crate::images::Outcome::Photo(photo) => photo,
            crate::images::Outcome::Failed(error) => {
                return Err(tera::Error::message(format!(
                    "resize_image: {}",
                    error.message(&path)
                )));
            }
            crate::images::Outcome::AsIs => {
                return Err(tera::Error::message(format!(
                    "resize_image: `{path}` is not a JPEG, PNG or WebP photo"
                )));
            }
        };
        let variant = crate::images::variant_of(photo, width, format);
        config.image_requests.ask(&probed, variant);
        Ok(tera::Value::from_serializable(&Resized {
            url: photo.url(&config.base_path, &variant),
            width: variant.width,
            height: variant.height,
            orig_width: photo.width,
            orig_height: photo.height,
        }))
    }
}

/// Tera reports unknown filters, tests and functions of every template together, as one
/// message made of pre-rendered reports (`error: …\n --> name:line:col\n …`). Reads them back
/// into located diagnostics.
fn validation_reports(
    error: &tera::Error,
    sources: &BTreeMap<String, TemplateSource>,
) -> Vec<Diagnostic> {
    let tera::ErrorKind::Msg(text) = error.kind() else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(location) = lines
            .peek()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = location.rsplitn(3, ':');
        let (Some(col), Some(line_no), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(col), Ok(line_no)) = (col.parse::<usize>(), line_no.parse::<usize>()) else {
            continue;
        };
        let width = lines
            .clone()
            .take(5)
            .find(|l| l.contains('^'))
            .map_or(1, |l| l.matches('^').count());
        let diagnostic = Diagnostic::error(Code::TemplateSyntax, message.to_string());
        diagnostics.push(match sources.get(name) {
            Some(source) => {
                let start = offset_of(&source.text, line_no, col);
                let end = source.text[start..]
                    .char_indices()
                    .nth(width)
                    .map_or(source.text.len(), |(idx, _)| start + idx);
                diagnostic.at(&source.display_path, &source.text, start..end)
            }
            None => Diagnostic::error(
                Code::TemplateSyntax,
                format!("{name}:{line_no}:{col}: {message}"),
            ),
        });
    }
    diagnostics
}

/// Byte offset of a 1-based line and 1-based character column.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    line_start
        + line_text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line_text.len(), |(idx, _)| idx)
}

/// The template an error is about, when Tera says.
fn failing_template(error: &tera::Error) -> Option<String> {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report.filename().to_string())
        }
        tera::ErrorKind::MissingParent { current, .. } => Some(current.clone()),
        tera::ErrorKind::CircularExtend { tpl, .. }
        | tera::ErrorKind::CircularInclude { tpl, .. } => Some(tpl.clone()),
        _ => None,
    }
}

/// Turns a Tera error into a diagnostic at the template line; `rendering` names what was being
/// rendered (a story and its file) when the error happened at render time.
pub(crate) fn to_diagnostic(
    error: &tera::Error,
    sources: &BTreeMap<String, TemplateSource>,
    rendering: Option<&str>,
) -> Diagnostic {
    let context = rendering
        .map(|what| format!(" (while rendering {what})"))
        .unwrap_or_default();
    let mut causes = String::new();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let _ = write!(causes, ": {inner}");
        cause = inner.source();
    }
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let code = if matches!(error.kind(), tera::ErrorKind::SyntaxError(_)) {
                Code::TemplateSyntax
            } else {
                Code::TemplateRender
            };
            let message = format!("{}{causes}{context}", report.message());
            match sources.get(report.filename()) {
                Some(source) => {
                    let span = report.span().range.clone();
                    Diagnostic::error(code, message).at(&source.display_path, &source.text, span)
                }
                None => Diagnostic::error(code, format!("{}: {message}", report.filename())),
            }
        }
        _ => {
            let diagnostic =
                Diagnostic::error(Code::TemplateError, format!("{error}{causes}{context}"));
            match failing_template(error).and_then(|name| sources.get(&name)) {
                Some(source) => diagnostic.in_file(&source.display_path),
                None => diagnostic,
            }
        }
    }
}
