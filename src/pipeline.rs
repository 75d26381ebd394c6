//! The build as a readable list of steps, shared by `build` (which publishes) and later `check`
//! and `serve`.

use std::time::Instant;

use crate::config::SiteConfig;
use crate::diagnostic::{self, Diagnostic};
use crate::output::{self, Output};
use crate::{content, render, site};

/// What one run of the pipeline produced.
#[derive(Debug, Default)]
pub struct Built {
    /// Every file of the site, ready to publish (empty when there were errors).
    pub outputs: Vec<Output>,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Published stories.
    pub n_stories: usize,
    /// Published standalone pages.
    pub n_pages: usize,
}

impl Built {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, checks and renders the whole site in memory.
pub fn run(config: &SiteConfig) -> Built {
    let started = Instant::now();
    let loaded = content::load(config);
    log_time("load content", started);
    let mut diagnostics = loaded.diagnostics.clone();
    let (site, site_diagnostics) = site::assemble(loaded, config);
    diagnostics.extend(site_diagnostics);
    let templates = render::load_templates(config);
    log_time("load templates", started);
    let mut built = Built {
        n_stories: site.stories.len(),
        n_pages: site.pages.len(),
        ..Built::default()
    };
    match templates {
        Err(template_diagnostics) => diagnostics.extend(template_diagnostics),
        Ok(mut templates) => {
            let (pages, render_diagnostics) = render::render(&site, &mut templates, config);
            log_time("render", started);
            diagnostics.extend(render_diagnostics);
            let (assets, asset_diagnostics) = output::assets::collect(config, &site);
            diagnostics.extend(asset_diagnostics);
            // A rendered page wins over a static file at the same path.
            let rendered: std::collections::HashSet<&std::path::Path> =
                pages.iter().map(|page| page.path.as_path()).collect();
            built.outputs = assets
                .into_iter()
                .filter(|asset| !rendered.contains(asset.path.as_path()))
                .collect();
            built.outputs.extend(pages);
        }
    }
    diagnostic::sort(&mut diagnostics);
    built.diagnostics = diagnostics;
    if built.has_errors() {
        built.outputs.clear();
    }
    built
}

/// Prints how long a step took when `YUANBA_TIMINGS` is set, for profiling builds.
pub(crate) fn log_time(step: &str, started: Instant) {
    if std::env::var_os("YUANBA_TIMINGS").is_some() {
        eprintln!(
            "[timing] {step}: {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
