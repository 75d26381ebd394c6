//! Diagnostics: one problem in the user's input, with where it is and how to fix it.
//!
//! Every stage that reads user input (config, content, templates) reports problems as
//! [`Diagnostic`] values instead of stopping at the first one, so one run shows them all. This
//! module also owns the one renderer for them (through miette), so `build`, `check` and the
//! serve overlay print a problem the same way.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

mod code;

pub use code::Code;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Worth a look; does not stop the build.
    Warning,
}

/// One problem in the input, located in a file when the file is known.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, machine-readable code such as `front-matter/unknown-field`.
    pub code: Code,
    /// One line saying what is wrong, lowercase, no trailing period.
    pub message: String,
    /// The file, relative to the site root where possible.
    pub path: Option<PathBuf>,
    /// The whole text of the file, for the source snippet.
    pub source: Option<Arc<str>>,
    /// Byte range in `source` that the problem is about.
    pub span: Option<Range<usize>>,
    /// A short text printed under the caret.
    pub label: Option<String>,
    /// How to fix it, when that is known.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a code and a message, not yet located. `code` must be an error code (checked
    /// in debug builds); `check --strict` makes warnings errors by setting the field instead.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, message.into())
    }

    /// A warning with a code and a message, not yet located. `code` must be a warning code
    /// (checked in debug builds).
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, message.into())
    }

    fn new(severity: Severity, code: Code, message: String) -> Self {
        debug_assert_eq!(
            code.severity(),
            severity,
            "{code} is declared with severity `{}` in diagnostic/code.rs",
            code.severity().as_str(),
        );
        Diagnostic {
            severity,
            code,
            message,
            path: None,
            source: None,
            span: None,
            label: None,
            help: None,
        }
    }

    /// Names the file the problem is in, without a position.
    #[must_use]
    pub fn in_file(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }

    /// Points at a byte range of the file's text.
    #[must_use]
    pub fn at(mut self, path: &Path, source: &Arc<str>, span: Range<usize>) -> Self {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        self.path = Some(path.to_path_buf());
        self.source = Some(Arc::clone(source));
        self.span = Some(start..end);
        self
    }

    /// Adds the text printed under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic stops the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The 1-based line and column (in characters) of the start of the span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let source = self.source.as_deref()?;
        let offset = self.span.as_ref()?.start;
        Some(line_col(source, offset))
    }

    /// `path:line:col`, or as much of it as is known.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        Some(match self.line_col() {
            Some((line, col)) => format!("{}:{line}:{col}", path.display()),
            None => path.display().to_string(),
        })
    }
}

/// The 1-based line and column of a byte offset; the column counts characters, not bytes.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Sorts diagnostics by file, then position, so the output is grouped and stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.path.clone(), d.span.as_ref().map(|s| s.start), d.severity);
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// How to draw diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use colours and Unicode art (for a terminal).
    pub color: bool,
}

/// Renders diagnostics for people: `path:line:col`, the message, source lines and a caret, help.
pub fn render(diagnostics: &[Diagnostic], options: RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    // Each report is drawn on its own (in parallel: a large site can have thousands of warnings),
    // then joined in order.
    let rendered: Vec<String> = diagnostics
        .par_iter()
        .map(|diagnostic| {
            let mut out = String::new();
            if handler
                .render_report(&mut out, &Report::new(diagnostic))
                .is_err()
            {
                // Rendering into a String cannot fail on I/O; fall back to the plain line anyway.
                out = diagnostic.to_string();
            }
            out.push('\n');
            out
        })
        .collect();
    rendered.concat()
}

/// One diagnostic as `check --format json` prints it.
#[derive(Debug, serde::Serialize)]
struct JsonDiagnostic<'a> {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
}

/// Renders diagnostics for tools: one JSON object a line (JSON Lines), with `file`, `line`,
/// `column` (1-based, in characters; `null` when unknown), `severity` (`error` or `warning`),
/// `code`, `message` and `help` (`null` when there is none).
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let (line, column) = diagnostic.line_col().unzip();
        let json = JsonDiagnostic {
            file: diagnostic.path.as_ref().map(|p| p.display().to_string()),
            line,
            column,
            severity: diagnostic.severity.as_str(),
            code: diagnostic.code.as_str(),
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
        };
        // Serializing strings and numbers into a String cannot fail.
        if let Ok(text) = serde_json::to_string(&json) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = self.severity.as_str();
        match self.location() {
            Some(location) => write!(f, "{location}: {severity}: {}", self.message),
            None => write!(f, "{severity}: {}", self.message),
        }
    }
}

/// Adapts a [`Diagnostic`] to miette's trait for rendering.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<Arc<str>>>,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        let source = match (&diagnostic.path, &diagnostic.source, &diagnostic.span) {
            (Some(path), Some(source), Some(_)) => Some(
                NamedSource::new(path.display().to_string(), Arc::clone(source))
                    .with_language("yaml"),
            ),
            _ => None,
        };
        Report { diagnostic, source }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let diagnostic = self.diagnostic;
        // Without a snippet, miette would not show the file at all: put it in the message.
        match (&self.source, &diagnostic.path) {
            (None, Some(path)) => write!(f, "{}: {}", path.display(), diagnostic.message),
            _ => f.write_str(&diagnostic.message),
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diagnostic.span.clone()?;
        self.source.as_ref()?;
        let label = LabeledSpan::new(
            self.diagnostic.label.clone(),
            span.start,
            span.end.saturating_sub(span.start),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "editorial/no-highlights is declared with severity `warning`")]
    fn an_error_with_a_warning_code_panics_in_debug_builds() {
        let _ = Diagnostic::error(Code::EditorialNoHighlights, "no highlights");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "link/not-found is declared with severity `error`")]
    fn a_warning_with_an_error_code_panics_in_debug_builds() {
        let _ = Diagnostic::warning(Code::LinkNotFound, "leads nowhere");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a: 1\n标题: 白莲\n";
        let offset = text.find("白莲").expect("present");
        assert_eq!(line_col(text, offset), (2, 5));
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, text.len() + 10), (3, 1));
    }

    #[test]
    fn line_col_survives_offsets_inside_a_character() {
        let text = "白莲";
        assert_eq!(line_col(text, 1), (1, 1));
    }

    #[test]
    fn render_shows_location_caret_and_help() {
        let source: Arc<str> = Arc::from("---\ntitle: x\nhiglights: []\n---\n");
        let start = source.find("higlights").expect("present");
        let diagnostic =
            Diagnostic::error(Code::FrontMatterUnknownField, "unknown field `higlights`")
                .at(Path::new("content/a.md"), &source, start..start + 9)
                .with_label("not a story field")
                .with_help("did you mean `highlights`?");
        let text = render(&[diagnostic], RenderOptions::default());
        assert!(text.contains("content/a.md:3:1"), "{text}");
        assert!(text.contains("unknown field `higlights`"), "{text}");
        assert!(text.contains("did you mean `highlights`?"), "{text}");
        assert!(text.contains("higlights: []"), "{text}");
    }

    #[test]
    fn json_has_one_object_a_line_with_nulls_for_the_unknown() {
        let source: Arc<str> = Arc::from("---\n标题: x\n");
        let located = Diagnostic::warning(Code::EditorialImageAlt, "say \"hi\"")
            .at(Path::new("c.md"), &source, 12..13)
            .with_help("fix");
        let bare = Diagnostic::error(Code::ConfigMissing, "no place");
        assert_eq!(
            render_json(&[located, bare]),
            "{\"file\":\"c.md\",\"line\":2,\"column\":5,\"severity\":\"warning\",\"code\":\"editorial/image-alt\",\"message\":\"say \\\"hi\\\"\",\"help\":\"fix\"}\n\
             {\"file\":null,\"line\":null,\"column\":null,\"severity\":\"error\",\"code\":\"config/missing\",\"message\":\"no place\",\"help\":null}\n"
        );
    }
}
