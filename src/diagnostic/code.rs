//! Every diagnostic code yuanba can report, in one list.
//!
//! The codes are stable: tools match on them (`check --format json`), and
//! `docs/diagnostics.md` documents each one (a test keeps the two lists equal).

use std::fmt;

use super::Severity;

/// Declares [`Code`] with its spelling and its severity.
macro_rules! codes {
    ($($variant:ident = $text:literal, $severity:ident;)*) => {
        /// A stable, machine-readable diagnostic code such as `front-matter/unknown-field`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = concat!("`", $text, "`")]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the order of this list.
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            /// The code as it is printed, such as `front-matter/unknown-field`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// The severity every diagnostic of this code has.
            pub const fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    ConfigBaseUrl = "config/base-url", Error;
    ConfigDeploy = "config/deploy", Error;
    ConfigEmpty = "config/empty", Error;
    ConfigEncoding = "config/encoding", Error;
    ConfigImages = "config/images", Error;
    ConfigInvalid = "config/invalid", Error;
    ConfigLinkCheck = "config/link-check", Error;
    ConfigMissing = "config/missing", Error;
    ConfigMissingField = "config/missing-field", Error;
    ConfigOutputDir = "config/output-dir", Error;
    ConfigPaginateBy = "config/paginate-by", Error;
    ConfigSourceDateEpoch = "config/source-date-epoch", Error;
    ConfigTheme = "config/theme", Error;
    ConfigThemeOption = "config/theme-option", Error;
    ConfigTimezone = "config/timezone", Error;
    ConfigUnknownField = "config/unknown-field", Error;
    ContentEncoding = "content/encoding", Error;
    ContentIo = "content/io", Error;
    EditorialImageAlt = "editorial/image-alt", Warning;
    EditorialImageSize = "editorial/image-size", Warning;
    EditorialNoHighlights = "editorial/no-highlights", Warning;
    EditorialPhotoCredit = "editorial/photo-credit", Warning;
    EditorialPhotoGps = "editorial/photo-gps", Warning;
    EditorialPhotoSmall = "editorial/photo-small", Warning;
    EditorialReporterTypo = "editorial/reporter-typo", Warning;
    EditorialTitleLength = "editorial/title-length", Warning;
    EditorialTitlePunctuation = "editorial/title-punctuation", Warning;
    FrontMatterDate = "front-matter/date", Error;
    FrontMatterEmptyField = "front-matter/empty-field", Error;
    FrontMatterEmptyFile = "front-matter/empty-file", Error;
    FrontMatterInvalid = "front-matter/invalid", Error;
    FrontMatterMissing = "front-matter/missing", Error;
    FrontMatterMissingField = "front-matter/missing-field", Error;
    FrontMatterSlug = "front-matter/slug", Error;
    FrontMatterUnclosed = "front-matter/unclosed", Error;
    FrontMatterUnknownField = "front-matter/unknown-field", Error;
    ImageCorrupt = "image/corrupt", Error;
    ImageNotFound = "image/not-found", Error;
    ImageTooLarge = "image/too-large", Error;
    ImageUnsupported = "image/unsupported", Error;
    ImageWrongExtension = "image/wrong-extension", Error;
    LinkAnchor = "link/anchor", Error;
    LinkExternal = "link/external", Error;
    LinkExternalUnreachable = "link/external-unreachable", Warning;
    LinkNotFound = "link/not-found", Error;
    LinkUnpublished = "link/unpublished", Error;
    PlacesAmbiguousCommunity = "places/ambiguous-community", Warning;
    PlacesDuplicate = "places/duplicate", Error;
    PlacesDuplicateSlug = "places/duplicate-slug", Error;
    PlacesEncoding = "places/encoding", Error;
    PlacesInvalid = "places/invalid", Error;
    PlacesRead = "places/read", Error;
    PlacesSlug = "places/slug", Error;
    PlacesSlugKey = "places/slug-key", Error;
    PlacesUnknown = "places/unknown", Error;
    SiteDuplicateSlug = "site/duplicate-slug", Error;
    SiteReservedSlug = "site/reserved-slug", Error;
    StaticIo = "static/io", Error;
    StaticSearchFolder = "static/search-folder", Warning;
    StoryAlias = "story/alias", Error;
    TaxonomyDuplicateSlug = "taxonomy/duplicate-slug", Error;
    TemplateError = "template/error", Error;
    TemplateRender = "template/render", Error;
    TemplateSyntax = "template/syntax", Error;
    ThemeEncoding = "theme/encoding", Error;
    ThemeInvalid = "theme/invalid", Error;
    ThemeIo = "theme/io", Error;
    ThemeMissing = "theme/missing", Error;
    ThemePaginateBy = "theme/paginate-by", Error;
    ThemeUnknownField = "theme/unknown-field", Error;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::Code;

    /// The reference page for users, one table row a code.
    const DOCS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"));

    /// Every table row of docs/diagnostics.md whose first cell is a backticked code: the code
    /// and the text of its severity cell, in the order of the page.
    fn documented_rows() -> Vec<(&'static str, &'static str)> {
        DOCS.lines()
            .filter_map(|line| {
                let mut cells = line.trim().strip_prefix('|')?.split('|').map(str::trim);
                let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
                let severity = cells.next()?;
                Some((code, severity))
            })
            .collect()
    }

    #[test]
    fn docs_list_every_code_once_with_its_severity() {
        let rows = documented_rows();
        let mut documented: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for &(code, severity) in &rows {
            documented.entry(code).or_default().push(severity);
        }
        let twice: Vec<&str> = documented
            .iter()
            .filter(|(_, severities)| severities.len() > 1)
            .map(|(code, _)| *code)
            .collect();
        assert!(twice.is_empty(), "documented more than once: {twice:?}");

        let known: BTreeSet<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        let listed: BTreeSet<&str> = documented.keys().copied().collect();
        let missing: Vec<&str> = known.difference(&listed).copied().collect();
        let extra: Vec<&str> = listed.difference(&known).copied().collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "docs/diagnostics.md and Code::ALL differ\n  not documented: {missing:?}\n  documented but no such code: {extra:?}"
        );

        let wrong: Vec<String> = Code::ALL
            .iter()
            .filter_map(|code| {
                let expected = code.severity().as_str();
                let found = documented[code.as_str()][0];
                (found != expected)
                    .then(|| format!("{code}: documented as `{found}`, is `{expected}`"))
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "wrong severities:\n  {}",
            wrong.join("\n  ")
        );
    }

    #[test]
    fn codes_are_unique_and_sorted_by_spelling() {
        let spellings: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        let mut sorted = spellings.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(spellings, sorted);
    }
}
