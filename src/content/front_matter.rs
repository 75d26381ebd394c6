//! Splitting a Markdown file into its YAML front matter and its body.
//!
//! The front matter is the block between a first line `---` and the next line `---`. This module
//! only finds the block; reading it into typed fields is `story.rs` and `page.rs`.

use crate::diagnostic::Code;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::fields::YamlBlock;

/// A file split into front matter and body, as byte ranges of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// Byte offset where the YAML starts (after the opening `---` line).
    pub yaml_start: usize,
    /// Byte offset where the YAML ends (at the closing `---` line).
    pub yaml_end: usize,
    /// Byte offset where the body starts (after the closing `---` line).
    pub body_start: usize,
}

impl Split {
    /// The YAML block, for [`crate::fields`].
    pub(crate) fn block<'a>(&self, path: &'a Path, source: &'a Arc<str>) -> YamlBlock<'a> {
        YamlBlock {
            path,
            source,
            start: self.yaml_start,
            text: &source[self.yaml_start..self.yaml_end],
        }
    }
}

/// Finds the front matter of `text`, or says what is wrong with it.
pub(crate) fn split(path: &Path, source: &Arc<str>) -> Result<Split, Diagnostic> {
    let text: &str = source;
    if text.trim().is_empty() {
        return Err(Diagnostic::error(Code::FrontMatterEmptyFile, "the file is empty")
            .at(path, source, 0..0)
            .with_help("a story starts with front matter between `---` lines:\n---\ntitle: 白莲社区创新发展治理见成效\ndate: 2018-03-20\ndistrict: 成华区\ncommunity: 白莲社区\nreporter: 彭戎\n---"));
    }
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(Code::FrontMatterMissing, "the file has no front matter")
            .at(path, source, 0..first_line_end.min(text.len()))
            .with_label("expected `---` on the first line")
            .with_help("start the file with front matter between two `---` lines, with at least title, date, district, community and reporter"));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut line_start = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml_start,
                yaml_end: line_start,
                body_start: line_start + line.len(),
            });
        }
        line_start += line.len();
    }
    Err(Diagnostic::error(
        Code::FrontMatterUnclosed,
        "the front matter is never closed",
    )
    .at(path, source, 0..3)
    .with_label("front matter opens here")
    .with_help("add a line `---` after the last front matter field, before the story text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Split, Diagnostic> {
        split(Path::new("a.md"), &Arc::from(text))
    }

    #[test]
    fn finds_the_block_and_the_body() {
        let text = "---\ntitle: a\n---\nbody\n";
        let found = run(text).expect("valid");
        assert_eq!(&text[found.yaml_start..found.yaml_end], "title: a\n");
        assert_eq!(&text[found.body_start..], "body\n");
    }

    #[test]
    fn closing_line_at_end_of_file_without_newline() {
        let text = "---\ntitle: a\n---";
        let found = run(text).expect("valid");
        assert_eq!(&text[found.body_start..], "");
    }

    #[test]
    fn empty_block() {
        let text = "---\n---\n";
        let found = run(text).expect("valid");
        assert_eq!(found.yaml_start, found.yaml_end);
    }

    #[test]
    fn problems() {
        assert_eq!(run("").expect_err("empty").code, "front-matter/empty-file");
        assert_eq!(
            run("  \n\n").expect_err("empty").code,
            "front-matter/empty-file"
        );
        assert_eq!(
            run("# title\n").expect_err("none").code,
            "front-matter/missing"
        );
        assert_eq!(
            run("---\ntitle: a\n").expect_err("open").code,
            "front-matter/unclosed"
        );
        assert_eq!(run("---").expect_err("open").code, "front-matter/unclosed");
    }
}
