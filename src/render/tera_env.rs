//! Building the Tera environment: templates parsed once, filters and functions registered,
//! and Tera's errors turned into located diagnostics.

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
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("sources", &self.sources.keys())
            .finish_non_exhaustive()
    }
}

/// Parses every template once; reports every template that fails to parse.
pub fn build(
    sources: BTreeMap<String, TemplateSource>,
    config: &SiteConfig,
) -> Result<Templates, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut remaining: BTreeMap<&str, &TemplateSource> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), source))
        .collect();
    // Tera stops at the first broken template; drop it and try again to find the others.
    loop {
        let mut tera = new_tera(config);
        let result = tera.add_raw_templates(
            remaining
                .iter()
                .map(|(name, source)| (*name, &*source.text)),
        );
        match result {
            Ok(()) if diagnostics.is_empty() => return Ok(Templates { tera, sources }),
            Ok(()) => return Err(diagnostics),
            Err(error) => {
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

fn new_tera(config: &SiteConfig) -> Tera {
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
    tera.register_function(
        "url",
        move |kwargs: Kwargs, _: &State<'_>| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let absolute = kwargs.get::<bool>("absolute")?.unwrap_or(false);
            let base = if absolute { &base_url } else { &base_path };
            Ok(filters::url(base, &path))
        },
    );
    tera
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
pub fn to_diagnostic(
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
                "template/syntax"
            } else {
                "template/render"
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
                Diagnostic::error("template/error", format!("{error}{causes}{context}"));
            match failing_template(error).and_then(|name| sources.get(&name)) {
                Some(source) => diagnostic.in_file(&source.display_path),
                None => diagnostic,
            }
        }
    }
}
