//! The build as a readable list of steps, shared by `build` (which publishes) and later `check`
//! and `serve`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::SiteConfig;
use crate::diagnostic::{self, Diagnostic};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::output::{self, Output, Sink};
use crate::{content, render, search, site};

/// What one run of the pipeline produced.
#[derive(Debug, Default)]
pub struct Built {
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Published stories.
    pub n_stories: usize,
    /// Published standalone pages.
    pub n_pages: usize,
    /// Files handed to the sink.
    pub n_files: usize,
}

impl Built {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, checks and renders the whole site, handing every file to `sink` as it is produced.
///
/// Once an error is known, files are no longer handed over (the rest of the run only looks for
/// more problems). An error of the sink (a failed write) stops the run.
pub fn run(config: &SiteConfig, sink: &dyn Sink) -> Result<Built, output::Error> {
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
            let failed = AtomicBool::new(diagnostics.iter().any(Diagnostic::is_error));
            let n_files = AtomicUsize::new(0);
            let emit = |output: Output| {
                if failed.load(Ordering::Relaxed) {
                    return Ok(());
                }
                n_files.fetch_add(1, Ordering::Relaxed);
                sink.emit(output)
            };
            let jobs = render::plan(&site, config);
            // Generated files win over static files at the same path, except robots.txt.
            let mut generated = render::page_files(&site, &jobs);
            let (extras, extra_diagnostics) = extras(&site, config, &jobs, &generated);
            diagnostics.extend(extra_diagnostics);
            let (assets, asset_diagnostics) = output::assets::collect(config, &site);
            diagnostics.extend(asset_diagnostics);
            let (assets, hidden) = search::split_hidden_assets(assets, config);
            diagnostics.extend(hidden);
            let has_robots = assets
                .iter()
                .any(|asset| asset.path == Path::new("robots.txt"));
            let extras: Vec<Output> = extras
                .into_iter()
                .filter(|file| !(has_robots && file.path == Path::new("robots.txt")))
                .collect();
            generated.extend(extras.iter().map(|file| file.path.clone()));
            if diagnostics.iter().any(Diagnostic::is_error) {
                failed.store(true, Ordering::Relaxed);
            }
            assets
                .into_par_iter()
                .filter(|asset| !generated.contains(&asset.path))
                .try_for_each(emit)?;
            extras.into_par_iter().try_for_each(emit)?;
            log_time("feeds, sitemap, aliases", started);
            let render_diagnostics = render::render(&site, &jobs, &mut templates, config, &emit)?;
            log_time("render and write", started);
            if render_diagnostics.iter().any(Diagnostic::is_error) {
                failed.store(true, Ordering::Relaxed);
            }
            diagnostics.extend(render_diagnostics);
            if config.search {
                let index = search::build(&site, config);
                log_time("search index", started);
                index.into_par_iter().try_for_each(emit)?;
                log_time("search index written", started);
            }
            built.n_files = n_files.into_inner();
        }
    }
    diagnostic::sort(&mut diagnostics);
    built.diagnostics = diagnostics;
    Ok(built)
}

/// Feeds, the sitemap, robots.txt and the redirect pages of story aliases.
fn extras(
    site: &site::Site,
    config: &SiteConfig,
    jobs: &[render::Job],
    page_files: &HashSet<PathBuf>,
) -> (Vec<Output>, Vec<Diagnostic>) {
    let mut outputs = render::feeds::build(site, config);
    outputs.extend(render::sitemap::build(
        config,
        &render::sitemap_entries(site, config, jobs),
    ));
    outputs.push(render::sitemap::robots(config));
    let mut taken = page_files.clone();
    taken.extend(outputs.iter().map(|file| file.path.clone()));
    let (aliases, diagnostics) = render::aliases::build(site, config, &taken);
    outputs.extend(aliases);
    (outputs, diagnostics)
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
