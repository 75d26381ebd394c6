//! The build as a readable list of steps, shared by `build` (which publishes), `check` (which
//! writes nothing and asks for more checks), and `build --watch` and `serve` (which keep what
//! they loaded and call [`render_loaded`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::SiteConfig;
use crate::diagnostic::{self, Diagnostic};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::content::Content;
use crate::output::{self, Output, Sink};
use crate::render::Templates;
use crate::{check, content, render, search, site};

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
    /// Links and images to other sites, for `check --external`.
    pub external_links: Vec<check::links::ExternalLink>,
    /// With [`Incremental`]: pages rendered.
    pub n_rendered: usize,
    /// With [`Incremental`]: output files of pages that did not change since the last committed
    /// build and were not handed to the sink.
    pub kept: Vec<PathBuf>,
    /// With [`Incremental`]: the fingerprints to commit once the build is published.
    pub page_keys: render::PageKeys,
    /// With [`Incremental::defer_search`]: whether the search index is still to be built.
    pub search_deferred: bool,
    /// With [`Incremental`], when the build has no error: what `serve` keeps to patch it.
    pub patchable: Option<Patchable>,
}

/// A build that `serve` can patch when only some stories' text changed (see
/// [`crate::serve`]'s engine): the site, and the files the link check knows about.
#[derive(Debug)]
pub struct Patchable {
    pub site: site::Site,
    /// The pages, feeds and other files the build made.
    pub generated: HashSet<PathBuf>,
    /// The static and bundle files it copied.
    pub assets: Vec<Output>,
}

/// What `serve` and `build --watch` keep between runs, so that a rebuild renders only the pages
/// whose context changed.
#[derive(Debug, Default)]
pub struct Incremental {
    /// Cards and page fingerprints of earlier builds with the same templates.
    pub render: render::RenderCache,
    /// Leave the search index out (see [`Built::search_deferred`]): `serve` builds it from
    /// [`Built::patchable`]'s site after publishing the pages.
    pub defer_search: bool,
}

/// What a run checks beyond what a build needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checks {
    /// The editorial warnings of `yuanba check` (`check::editorial`).
    pub editorial: bool,
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
pub fn run(config: &SiteConfig, sink: &dyn Sink, checks: Checks) -> Result<Built, output::Error> {
    let started = Instant::now();
    let loaded = content::load(config);
    config.timings.log("load content", started);
    let mut templates = render::load_templates(config);
    config.timings.log("load templates", started);
    let templates = templates.as_mut().map_err(|found| found.as_slice());
    render_loaded(config, loaded, templates, sink, checks, None)
}

/// The steps of [`run`] after loading: for `serve`, which keeps what it loaded between builds
/// and re-reads only the files that changed. `templates` is the parsed theme, or the problems
/// that kept it from parsing.
pub fn render_loaded(
    config: &SiteConfig,
    loaded: Content,
    templates: Result<&mut Templates, &[Diagnostic]>,
    sink: &dyn Sink,
    checks: Checks,
    incremental: Option<&mut Incremental>,
) -> Result<Built, output::Error> {
    let started = Instant::now();
    let mut diagnostics = loaded.diagnostics.clone();
    let (site, site_diagnostics) = site::assemble(loaded, config);
    diagnostics.extend(site_diagnostics);
    let mut built = Built {
        n_stories: site.stories.len(),
        n_pages: site.pages.len(),
        ..Built::default()
    };
    match templates {
        Err(template_diagnostics) => diagnostics.extend_from_slice(template_diagnostics),
        Ok(templates) => {
            let failed = AtomicBool::new(diagnostics.iter().any(Diagnostic::is_error));
            let n_files = AtomicUsize::new(0);
            let emit = |output: Output| {
                if failed.load(Ordering::Relaxed) {
                    return Ok(());
                }
                n_files.fetch_add(1, Ordering::Relaxed);
                sink.emit(output)
            };
            let emit = &emit;
            let defer_search = incremental
                .as_deref()
                .is_some_and(|incremental| incremental.defer_search);
            // The index needs only the site: it is built and written beside everything else,
            // from here on, so that it fills the moments when a core would be idle (the
            // checks and the feeds below are mostly one thread).
            let (rendered, indexed) = rayon::join(
                || {
                    render_site(
                        &site,
                        config,
                        templates,
                        checks,
                        incremental,
                        &failed,
                        emit,
                        &mut diagnostics,
                        started,
                    )
                },
                || {
                    if !config.search || defer_search {
                        return Ok(false);
                    }
                    search::build_into(&site, config, emit).map(|()| true)
                },
            );
            let SiteRendered {
                rendered,
                external_links,
                kept,
            } = rendered?;
            let indexed = indexed?;
            config
                .timings
                .log("render and write, search index", started);
            built.external_links = external_links;
            built.n_rendered = rendered.n_rendered;
            built.kept = rendered.kept;
            built.page_keys = rendered.keys;
            if rendered.diagnostics.iter().any(Diagnostic::is_error) {
                failed.store(true, Ordering::Relaxed);
            }
            diagnostics.extend(rendered.diagnostics);
            let failed = failed.load(Ordering::Relaxed);
            built.search_deferred = config.search && !indexed && !failed;
            if let Some((generated, assets)) = kept
                && !failed
            {
                built.patchable = Some(Patchable {
                    site,
                    generated,
                    assets,
                });
            }
            built.n_files = n_files.into_inner();
        }
    }
    config.timings.log("site dropped", started);
    diagnostic::sort(&mut diagnostics);
    built.diagnostics = diagnostics;
    Ok(built)
}

/// What [`render_site`] made: the rendered pages, the links to other sites, and (with
/// [`Incremental`]) the page files and static files that a later patch checks links against.
struct SiteRendered {
    rendered: render::Rendered,
    external_links: Vec<check::links::ExternalLink>,
    kept: Option<(HashSet<PathBuf>, Vec<Output>)>,
}

/// Everything of a build but the search index: checks the links, writes the static files,
/// feeds, sitemap and redirect pages, then renders the pages. Once `failed` is set, `emit`
/// hands nothing over.
#[allow(clippy::too_many_arguments)]
fn render_site(
    site: &site::Site,
    config: &SiteConfig,
    templates: &mut Templates,
    checks: Checks,
    incremental: Option<&mut Incremental>,
    failed: &AtomicBool,
    emit: &(dyn Fn(Output) -> Result<(), output::Error> + Sync),
    diagnostics: &mut Vec<Diagnostic>,
    started: Instant,
) -> Result<SiteRendered, output::Error> {
    let jobs = render::plan(site, config);
    // Generated files win over static files at the same path, except robots.txt.
    let mut generated = render::page_files(site, &jobs);
    let (assets, extras) = files_beside_pages(site, config, &jobs, &generated);
    diagnostics.extend(extras.1);
    let extras = extras.0;
    generated.extend(extras.iter().map(|file| file.path.clone()));
    let outputs = check::OutputFiles::new(&generated, &assets);
    let links = check::links::check(site, config, &outputs);
    diagnostics.extend(links.diagnostics);
    if checks.editorial {
        diagnostics.extend(check::editorial::check(
            &site.stories,
            &links.images,
            &outputs,
        ));
    }
    config.timings.log("check links", started);
    if diagnostics.iter().any(Diagnostic::is_error) {
        failed.store(true, Ordering::Relaxed);
    }
    let kept_assets = incremental.is_some().then(|| assets.clone());
    assets
        .into_par_iter()
        .filter(|asset| !generated.contains(&asset.path))
        .try_for_each(emit)?;
    extras.into_par_iter().try_for_each(emit)?;
    config.timings.log("feeds, sitemap, aliases", started);
    let rendered = render::render(
        site,
        &jobs,
        templates,
        config,
        emit,
        incremental.map(|incremental| &mut incremental.render),
    )?;
    Ok(SiteRendered {
        rendered,
        external_links: links.external,
        kept: kept_assets.map(|assets| (generated, assets)),
    })
}

/// The static files, and the files [`extras`] makes (robots.txt only when there is no static
/// one), with the problems found making them.
fn files_beside_pages(
    site: &site::Site,
    config: &SiteConfig,
    jobs: &[render::Job],
    page_files: &HashSet<PathBuf>,
) -> (Vec<Output>, (Vec<Output>, Vec<Diagnostic>)) {
    let (extras, mut diagnostics) = extras(site, config, jobs, page_files);
    let (assets, asset_diagnostics) = output::assets::collect(config, site);
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
    (assets, (extras, diagnostics))
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
