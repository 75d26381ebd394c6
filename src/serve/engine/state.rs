//! The states of an [`super::Engine`] between rebuilds: what it can patch of the last published
//! build, where the search index of that build is, and why a change could not be patched.

use std::path::{Path, PathBuf};

use super::patch::{Patchable, StalePages};
use crate::site::Site;

/// The last published build, as far as patching it goes.
#[derive(Debug, Default)]
pub(crate) enum Last {
    /// Nothing to patch: the next rebuild is a full one.
    #[default]
    Unpatchable,
    /// The last published build, which a change of story text or of templates can patch.
    Patchable(Box<Patchable>),
    /// As [`Last::Patchable`], while a template change still has pages to render (the ones
    /// open in a browser were rendered first).
    Unfinished(Box<Patchable>, StalePages),
}

impl Last {
    /// The build to patch, if there is one.
    pub(crate) fn patchable(&self) -> Option<&Patchable> {
        match self {
            Last::Unpatchable => None,
            Last::Patchable(kept) | Last::Unfinished(kept, _) => Some(kept),
        }
    }

    /// The build to patch, to change it.
    pub(crate) fn patchable_mut(&mut self) -> Option<&mut Patchable> {
        match self {
            Last::Unpatchable => None,
            Last::Patchable(kept) | Last::Unfinished(kept, _) => Some(kept),
        }
    }

    /// The pages a template change left to render.
    pub(crate) fn stale(&self) -> Option<&StalePages> {
        match self {
            Last::Unfinished(_, stale) => Some(stale),
            Last::Unpatchable | Last::Patchable(_) => None,
        }
    }

    /// Takes the pages a template change left, keeping the build.
    pub(crate) fn take_stale(&mut self) -> Option<StalePages> {
        match std::mem::take(self) {
            Last::Unfinished(kept, stale) => {
                *self = Last::Patchable(kept);
                Some(stale)
            }
            other => {
                *self = other;
                None
            }
        }
    }

    /// Leaves `stale` pages to render (none when `None`); a build with no patchable site has
    /// none to leave.
    pub(crate) fn set_stale(&mut self, stale: Option<StalePages>) {
        *self = match (std::mem::take(self), stale) {
            (Last::Patchable(kept) | Last::Unfinished(kept, _), Some(stale)) => {
                Last::Unfinished(kept, stale)
            }
            (Last::Patchable(kept) | Last::Unfinished(kept, _), None) => Last::Patchable(kept),
            (Last::Unpatchable, _) => Last::Unpatchable,
        };
    }
}

/// Where the search index of the last published build is (`serve` builds it after publishing
/// the pages, away from the rebuilds).
#[derive(Debug, Default)]
pub(crate) enum Search {
    /// Nothing to build.
    #[default]
    Idle,
    /// To build for this site.
    Pending(Site),
    /// Being built; when it is handed back, this site's index is to be built next.
    Running { then: Option<Site> },
}

impl Search {
    /// Asks for the index of `site` (it replaces any earlier request).
    pub(crate) fn request(&mut self, site: Site) {
        *self = match std::mem::take(self) {
            Search::Idle | Search::Pending(_) => Search::Pending(site),
            Search::Running { .. } => Search::Running { then: Some(site) },
        };
    }

    /// Drops any request (an index being built still comes back).
    pub(crate) fn cancel(&mut self) {
        if let Search::Running { then } = self {
            *then = None;
        } else {
            *self = Search::Idle;
        }
    }

    /// The site to build the index of now, unless one is being built already.
    pub(crate) fn start(&mut self) -> Option<Site> {
        match std::mem::take(self) {
            Search::Pending(site) => {
                *self = Search::Running { then: None };
                Some(site)
            }
            other => {
                *self = other;
                None
            }
        }
    }

    /// An index was handed back: the next request, if any, is pending.
    pub(crate) fn finished(&mut self) {
        *self = match std::mem::take(self) {
            Search::Running { then: Some(site) } | Search::Pending(site) => Search::Pending(site),
            Search::Running { then: None } | Search::Idle => Search::Idle,
        };
    }
}

/// Why a change of story text or of templates could not patch the last published build, and
/// took the full rebuild instead (said in the terminal line of that rebuild).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// No published build to patch (the first build, or the last one failed).
    NothingPublished,
    /// A story left out for its future date is due now: it joins the lists.
    StoryDue,
    /// `build --watch` builds the search index with the pages, which a patch does not.
    SearchWithPages,
    /// The file is not a published story of the last build (new, a page, a draft, removed).
    NotAPublishedStory(PathBuf),
    /// The file does not load (the full rebuild reports why).
    Problems(PathBuf),
    /// The last build warned about the file (a patch could not tell whether the warning went).
    Warned(PathBuf),
    /// The file's body was not rendered with the site paths the kept bodies have.
    Unrendered(PathBuf),
    /// A front matter field that places the story in the site changed.
    Changed(PathBuf, &'static str),
    /// The story's headings (anchors other pages can link to) changed.
    Anchors(PathBuf),
    /// A link of the changed stories does not check out.
    Links,
    /// A page failed to render (the full rebuild reports it).
    PageFailed,
    /// The templates do not parse (the full rebuild reports it).
    Templates,
    /// The card template changed: every list shows new cards.
    CardTemplate,
}

impl Fallback {
    /// The reason as a terminal line says it: `date changed`, `bailian.md: date changed` when
    /// the change was of more than one file.
    pub(crate) fn describe(&self, n_changed: usize) -> String {
        let file = |path: &Path, what: &str| {
            if n_changed > 1 {
                let name = path.file_name().unwrap_or(path.as_os_str());
                format!("{}: {what}", name.to_string_lossy())
            } else {
                what.to_string()
            }
        };
        match self {
            Fallback::NothingPublished => "no published build to patch".to_string(),
            Fallback::StoryDue => "a scheduled story is due".to_string(),
            Fallback::SearchWithPages => "the search index is built with the pages".to_string(),
            Fallback::NotAPublishedStory(path) => file(path, "not a published story"),
            Fallback::Problems(path) => file(path, "has errors"),
            Fallback::Warned(path) => file(path, "had warnings"),
            Fallback::Unrendered(path) => file(path, "links to be rendered again"),
            Fallback::Changed(path, field) => file(path, &format!("{field} changed")),
            Fallback::Anchors(path) => file(path, "headings changed"),
            Fallback::Links => "a link to check".to_string(),
            Fallback::PageFailed => "a page failed to render".to_string(),
            Fallback::Templates => "the templates have a problem".to_string(),
            Fallback::CardTemplate => "the card template changed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_names_the_file_only_among_several() {
        let reason = Fallback::Changed(PathBuf::from("content/stories/bailian.md"), "date");
        assert_eq!(reason.describe(1), "date changed");
        assert_eq!(reason.describe(2), "bailian.md: date changed");
    }

    #[test]
    fn a_search_request_while_one_runs_waits_for_it() {
        let site = Site::default();
        let mut search = Search::default();
        search.request(site.clone());
        assert!(search.start().is_some());
        assert!(search.start().is_none(), "one index at a time");
        search.request(site);
        assert!(search.start().is_none(), "still running");
        search.finished();
        assert!(search.start().is_some(), "the request waited");
        search.cancel();
        search.finished();
        assert!(matches!(search, Search::Idle));
    }
}
