//! Reporters, tags and series: each a list of terms with the stories that carry them.
//!
//! Terms keep the spelling of their first (newest) use; two different names with one slug are
//! an error at the second one, never a merge.

use crate::diagnostic::Code;
use std::collections::HashMap;

use crate::content::Story;
use crate::diagnostic::Diagnostic;
use crate::site::places::place_slug;

/// Which front matter field a taxonomy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxonomyKind {
    /// `reporter`.
    Reporters,
    /// `tags`.
    Tags,
    /// `series`.
    Series,
}

impl TaxonomyKind {
    /// All of them, in the order the site lists them.
    pub const ALL: [TaxonomyKind; 3] = [
        TaxonomyKind::Reporters,
        TaxonomyKind::Tags,
        TaxonomyKind::Series,
    ];

    /// Its place in [`TaxonomyKind::ALL`] and in the site's taxonomies.
    pub fn index(self) -> usize {
        match self {
            TaxonomyKind::Reporters => 0,
            TaxonomyKind::Tags => 1,
            TaxonomyKind::Series => 2,
        }
    }

    /// The folder name and the name templates see.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxonomyKind::Reporters => "reporters",
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Series => "series",
        }
    }

    /// The heading of its index page.
    pub fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Reporters => "记者",
            TaxonomyKind::Tags => "标签",
            TaxonomyKind::Series => "专题",
        }
    }

    /// The front matter field.
    fn field(self) -> &'static str {
        match self {
            TaxonomyKind::Reporters => "reporter",
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Series => "series",
        }
    }

    /// The names a story carries.
    pub fn names(self, story: &Story) -> &[String] {
        match self {
            TaxonomyKind::Reporters => &story.reporters,
            TaxonomyKind::Tags => &story.tags,
            TaxonomyKind::Series => {
                if story.series.is_empty() {
                    &[]
                } else {
                    std::slice::from_ref(&story.series)
                }
            }
        }
    }
}

/// One reporter, tag or series.
#[derive(Debug, Clone)]
pub struct Term {
    /// As first written.
    pub name: String,
    /// URL-safe, never empty, unique in its taxonomy.
    pub slug: String,
    /// Indices into the site's stories, newest first.
    pub stories: Vec<usize>,
}

/// All terms of one kind.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Which one.
    pub kind: TaxonomyKind,
    /// Most stories first, then by slug.
    pub terms: Vec<Term>,
    by_name: HashMap<String, usize>,
}

impl Taxonomy {
    /// The term of a name, if a published story uses it.
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.by_name.get(name).map(|&idx| &self.terms[idx])
    }
}

/// Collects one taxonomy from stories ordered newest first.
pub(crate) fn build(kind: TaxonomyKind, stories: &[Story]) -> (Taxonomy, Vec<Diagnostic>) {
    let mut terms: Vec<Term> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    let mut diagnostics = Vec::new();
    for (story_idx, story) in stories.iter().enumerate() {
        for name in kind.names(story) {
            if let Some(&term_idx) = by_name.get(name.as_str()) {
                let term = &mut terms[term_idx];
                if term.stories.last() != Some(&story_idx) {
                    term.stories.push(story_idx);
                }
                continue;
            }
            let slug = place_slug(name);
            if let Some(&other) = by_slug.get(&slug) {
                diagnostics.push(slug_clash(kind, story, name, &terms[other]));
                continue;
            }
            by_slug.insert(slug.clone(), terms.len());
            by_name.insert(name.clone(), terms.len());
            terms.push(Term {
                name: name.clone(),
                slug,
                stories: vec![story_idx],
            });
        }
    }
    // Most stories first, then by slug.
    terms.sort_by(|a, b| {
        b.stories
            .len()
            .cmp(&a.stories.len())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let by_name = terms
        .iter()
        .enumerate()
        .map(|(idx, term)| (term.name.clone(), idx))
        .collect();
    (
        Taxonomy {
            kind,
            terms,
            by_name,
        },
        diagnostics,
    )
}

/// `name`, written in `story`, has the slug of the term `other` but another spelling.
fn slug_clash(kind: TaxonomyKind, story: &Story, name: &str, other: &Term) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Code::TaxonomyDuplicateSlug,
        format!(
            "{} `{name}` and `{}` would share the page {}/{}/",
            kind.field(),
            other.name,
            kind.as_str(),
            other.slug
        ),
    )
    .with_help(
        "if they are the same, write them the same way; if not, make the names differ \
         in more than spaces, case or punctuation",
    );
    match story.field_span(kind.field()) {
        Some(span) => diagnostic.at(&story.source_path, &story.source, span),
        None => diagnostic.in_file(&story.source_path),
    }
}
