//! What only `serve` and `build --watch` need, kept between their rebuilds so that a rebuild
//! does only the work its change needs: the rendered bodies of stories and pages
//! ([`bodies`]), and the render cache of page and card fingerprints ([`pages`]).
//!
//! The one-shot pipeline knows nothing of this module: [`Incremental`] is the
//! [`RenderPages`] that `serve` hands to [`crate::pipeline::render_loaded`], and everything
//! else here is called by `serve` itself.

pub(crate) mod bodies;
pub(crate) mod pages;

use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::output;
use crate::pipeline::{Assembled, Emit, RenderPages};
use crate::render::{Job, Templates};
use crate::site::Site;

pub(crate) use bodies::{RenderedBodies, collect_reusing};
pub(crate) use pages::{PageKeys, RenderCache};

/// The page renderer of `serve` and `build --watch`: renders only the pages whose fingerprint
/// changed since the last published build, and keeps what the next rebuild or patch needs.
#[derive(Debug, Default)]
pub(crate) struct Incremental {
    /// Cards and page fingerprints of earlier builds with the same templates.
    pub(crate) render: RenderCache,
    /// Leave the search index out: `serve` builds it from the kept site after publishing the
    /// pages.
    pub(crate) defer_search: bool,
    /// What the last build rendered, until [`Incremental::take_build`].
    last: LastBuild,
}

/// What one build through [`Incremental`] did, beyond what [`crate::pipeline::Built`] says.
#[derive(Debug, Default)]
pub(crate) struct LastBuild {
    /// Pages rendered.
    pub(crate) n_rendered: usize,
    /// Output files of pages that did not change since the last committed build and were not
    /// handed to the sink.
    pub(crate) kept: Vec<PathBuf>,
    /// The fingerprints to commit once the build is published.
    pub(crate) page_keys: PageKeys,
    /// When the build has no error: the site, and the files its link check knew of.
    pub(crate) assembled: Option<Assembled>,
}

impl Incremental {
    /// An empty cache; with `defer_search`, builds leave the search index out.
    pub(crate) fn new(defer_search: bool) -> Self {
        Incremental {
            defer_search,
            ..Incremental::default()
        }
    }

    /// Takes what the last build did.
    pub(crate) fn take_build(&mut self) -> LastBuild {
        std::mem::take(&mut self.last)
    }
}

impl RenderPages for Incremental {
    fn render(
        &mut self,
        site: &Site,
        jobs: &[Job],
        templates: &mut Templates,
        config: &SiteConfig,
        emit: &Emit<'_>,
    ) -> Result<Vec<Diagnostic>, output::Error> {
        let rendered = pages::render(site, jobs, templates, config, emit, &mut self.render)?;
        self.last = LastBuild {
            n_rendered: rendered.n_rendered,
            kept: rendered.kept,
            page_keys: rendered.keys,
            assembled: None,
        };
        Ok(rendered.diagnostics)
    }

    fn builds_search(&self) -> bool {
        !self.defer_search
    }

    fn keeps_site(&self) -> bool {
        true
    }

    fn keep(&mut self, assembled: Assembled) {
        self.last.assembled = Some(assembled);
    }
}
