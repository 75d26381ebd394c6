//! The build as a readable list of steps, shared by `build` (which publishes), `check` (which
//! writes nothing and asks for more checks), and `build --watch` and `serve` (which keep what
//! they loaded, call [`render_loaded`], and render only the pages that changed through their
//! own [`RenderPages`], `crate::incremental::Incremental`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::Content;
use crate::diagnostic::{self, Diagnostic};
use crate::output::{self, Output, Sink};
use crate::render::{Job, Templates};
use crate::site::Site;
use crate::{check, content, render, search, site};

mod photos;

/// What one run of the pipeline produced.
#[derive(Debug, Default)]
pub(crate) struct Built {
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
    /// Photos whose variants this run made.
    pub n_images_processed: usize,
    /// Photos whose variants came from the cache.
    pub n_images_cached: usize,
}

impl Built {
    /// Whether any diagnostic is an error.
    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What a run checks beyond what a build needs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Checks {
    /// The editorial warnings of `yuanba check` (`check::editorial`).
    pub editorial: bool,
}

/// How a build renders its pages: every page ([`AllPages`], for `build` and `check`), or only
/// the pages whose context changed since the last published build (`serve` and
/// `build --watch`, in `crate::incremental`).
pub(crate) trait RenderPages: Send {
    /// Renders the pages of `jobs`, handing each file to `emit`; returns the pages that failed.
    fn render(
        &mut self,
        site: &Site,
        jobs: &[Job],
        templates: &mut Templates,
        config: &SiteConfig,
        emit: &Emit<'_>,
    ) -> Result<Vec<Diagnostic>, output::Error>;

    /// Whether the search index is built with the pages (otherwise the caller builds it).
    fn builds_search(&self) -> bool {
        true
    }

    /// Whether [`RenderPages::keep`] wants the site of a build without errors.
    fn keeps_site(&self) -> bool {
        false
    }

    /// Takes the site of a build without errors (only when [`RenderPages::keeps_site`]).
    fn keep(&mut self, _assembled: Assembled) {}
}

/// The site of a build without errors, and the files its link check knew of: what a later
/// patch of that build checks links against (`serve`).
#[derive(Debug)]
pub(crate) struct Assembled {
    pub site: Site,
    /// The pages, feeds and other files the build made.
    pub generated: HashSet<PathBuf>,
    /// The static and bundle files it copied.
    pub assets: Vec<Output>,
}

/// Hands a file to the sink (see [`Writer::emit`]).
pub(crate) type Emit<'a> = dyn Fn(Output) -> Result<(), output::Error> + Sync + 'a;

/// Renders every page of every build.
#[derive(Debug, Default)]
pub(crate) struct AllPages;

impl RenderPages for AllPages {
    fn render(
        &mut self,
        site: &Site,
        jobs: &[Job],
        templates: &mut Templates,
        config: &SiteConfig,
        emit: &Emit<'_>,
    ) -> Result<Vec<Diagnostic>, output::Error> {
        render::render(site, jobs, templates, config, emit).map(|rendered| rendered.diagnostics)
    }
}

/// Loads, checks and renders the whole site, handing every file to `sink` as it is produced.
///
/// Once an error is known, files are no longer handed over (the rest of the run only looks for
/// more problems). An error of the sink (a failed write) stops the run.
pub(crate) fn run(
    config: &SiteConfig,
    sink: &dyn Sink,
    checks: Checks,
) -> Result<Built, output::Error> {
    let started = Instant::now();
    let loaded = content::load(config);
    config.timings.log("load content", started);
    let mut templates = render::load_templates(config);
    config.timings.log("load templates", started);
    let templates = templates.as_mut().map_err(|found| found.as_slice());
    render_loaded(config, loaded, templates, sink, checks, &mut AllPages)
}

/// The steps of [`run`] after loading: for `serve`, which keeps what it loaded between builds
/// and re-reads only the files that changed. `templates` is the parsed theme, or the problems
/// that kept it from parsing; `pages` renders the pages.
pub(crate) fn render_loaded(
    config: &SiteConfig,
    loaded: Content,
    templates: Result<&mut Templates, &[Diagnostic]>,
    sink: &dyn Sink,
    checks: Checks,
    pages: &mut dyn RenderPages,
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
            let run = Rendering {
                config,
                sink,
                checks,
                started,
            };
            let rendered = run.render_and_index(site, &diagnostics, templates, pages)?;
            diagnostics.extend(rendered.diagnostics);
            built.external_links = rendered.external_links;
            built.n_files = rendered.n_files;
            built.n_images_processed = rendered.n_images_processed;
            built.n_images_cached = rendered.n_images_cached;
        }
    }
    config.timings.log("site dropped", started);
    diagnostic::sort(&mut diagnostics);
    built.diagnostics = diagnostics;
    Ok(built)
}

/// What the rendering of an assembled site needs.
struct Rendering<'a> {
    config: &'a SiteConfig,
    sink: &'a dyn Sink,
    checks: Checks,
    started: Instant,
}

/// What [`Rendering::render_and_index`] found and wrote.
struct Rendered {
    diagnostics: Vec<Diagnostic>,
    external_links: Vec<check::links::ExternalLink>,
    n_files: usize,
    n_images_processed: usize,
    n_images_cached: usize,
}

impl Rendering<'_> {
    /// Checks, renders and writes everything, the search index beside the rest; files are
    /// written only while no error is known (`earlier` holds the problems found so far). A site
    /// without errors goes to `pages` when it keeps sites.
    fn render_and_index(
        &self,
        site: Site,
        earlier: &[Diagnostic],
        templates: &mut Templates,
        pages: &mut dyn RenderPages,
    ) -> Result<Rendered, output::Error> {
        let config = self.config;
        let writer = Writer {
            sink: self.sink,
            failed: AtomicBool::new(earlier.iter().any(Diagnostic::is_error)),
            n_files: AtomicUsize::new(0),
        };
        let emit = |output: Output| writer.emit(output);
        let photos = photos::process(&site, config);
        config.timings.log("photos", self.started);
        let build_search = config.search && pages.builds_search();
        // The index needs only the site: it is built and written beside everything else, from
        // here on, so that it fills the moments when a core would be idle (the checks and the
        // feeds are mostly one thread).
        let (rendered, indexed) = rayon::join(
            || {
                let run = Run {
                    site: &site,
                    config,
                    checks: self.checks,
                    writer: &writer,
                    emit: &emit,
                    started: self.started,
                    photos: &photos,
                };
                run.everything_but_search(templates, pages)
            },
            || {
                if build_search {
                    search::build_into(&site, config, &emit)
                } else {
                    Ok(())
                }
            },
        );
        let rendered = rendered?;
        indexed?;
        config
            .timings
            .log("render and write, search index", self.started);
        if rendered.diagnostics.iter().any(Diagnostic::is_error) {
            writer.fail();
        }
        if !writer.failed() {
            photos::prune(&photos, &rendered.requested_keys, config);
        }
        if !writer.failed() && pages.keeps_site() {
            pages.keep(Assembled {
                site,
                generated: rendered.generated,
                assets: rendered.assets.unwrap_or_default(),
            });
        }
        Ok(Rendered {
            diagnostics: rendered.diagnostics,
            external_links: rendered.external_links,
            n_files: writer.n_files.into_inner(),
            n_images_processed: photos.processed.n_made,
            n_images_cached: photos.processed.n_cached,
        })
    }
}

/// Hands files to the sink until the build is known to have an error, and counts them.
struct Writer<'a> {
    sink: &'a dyn Sink,
    failed: AtomicBool,
    n_files: AtomicUsize,
}

impl Writer<'_> {
    fn emit(&self, output: Output) -> Result<(), output::Error> {
        if self.failed() {
            return Ok(());
        }
        self.n_files.fetch_add(1, Ordering::Relaxed);
        self.sink.emit(output)
    }

    /// From now on, nothing is handed over.
    fn fail(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

/// What every step of a build after assembling the site uses.
struct Run<'a> {
    site: &'a Site,
    config: &'a SiteConfig,
    checks: Checks,
    writer: &'a Writer<'a>,
    emit: &'a Emit<'a>,
    started: Instant,
    photos: &'a photos::Photos,
}

/// What [`Run::everything_but_search`] found and made: the problems, the links to other sites,
/// and the files a later patch checks links against (the static files only when the page
/// renderer keeps the site).
struct SiteRendered {
    diagnostics: Vec<Diagnostic>,
    external_links: Vec<check::links::ExternalLink>,
    generated: HashSet<PathBuf>,
    assets: Option<Vec<Output>>,
    /// The cache entries of the variants templates asked for.
    requested_keys: std::collections::BTreeSet<String>,
}

/// The files beside the pages: the static files, and the files [`Run::extras`] makes.
struct Beside {
    assets: Vec<Output>,
    extras: Vec<Output>,
    diagnostics: Vec<Diagnostic>,
}

impl Run<'_> {
    /// Everything of a build but the search index: checks the links, writes the static files,
    /// feeds, sitemap and redirect pages, then renders the pages.
    fn everything_but_search(
        &self,
        templates: &mut Templates,
        pages: &mut dyn RenderPages,
    ) -> Result<SiteRendered, output::Error> {
        let jobs = render::plan(self.site, self.config);
        // Generated files win over static files at the same path, except robots.txt.
        let mut generated = render::page_files(self.site, &jobs);
        let beside = self.files_beside_pages(&jobs, &generated);
        let mut diagnostics = beside.diagnostics;
        generated.extend(beside.extras.iter().map(|file| file.path.clone()));
        let (mut checked, external_links) = self.check(&generated, &beside.assets);
        diagnostics.append(&mut checked);
        if diagnostics.iter().any(Diagnostic::is_error) {
            self.writer.fail();
        }
        let kept_assets = pages.keeps_site().then(|| beside.assets.clone());
        self.write_beside(beside.assets, beside.extras, &generated)?;
        diagnostics.extend(pages.render(self.site, &jobs, templates, self.config, self.emit)?);
        // Variants that templates asked for with `resize_image`, now that every page asked.
        let (requested, requested_keys) = photos::requested(self.config);
        diagnostics.extend(requested.problems);
        requested.files.into_par_iter().try_for_each(self.emit)?;
        Ok(SiteRendered {
            diagnostics,
            external_links,
            generated,
            assets: kept_assets,
            requested_keys,
        })
    }

    /// The link check, and the editorial checks when asked for.
    fn check(
        &self,
        generated: &HashSet<PathBuf>,
        assets: &[Output],
    ) -> (Vec<Diagnostic>, Vec<check::links::ExternalLink>) {
        let outputs = check::OutputFiles::new(generated, assets);
        let links = check::links::check(self.site, self.config, &outputs);
        let mut diagnostics = links.diagnostics;
        diagnostics.extend(self.photos.problems(&links.images, &outputs, self.config));
        diagnostics.extend(self.photos.links_to_originals(
            &links.file_links,
            &outputs,
            self.config,
        ));
        if self.checks.editorial {
            let not_photos: Vec<check::links::LocalImage> = links
                .images
                .iter()
                .filter(|image| !self.photos.is_photo(&outputs, &image.file))
                .cloned()
                .collect();
            diagnostics.extend(check::editorial::check(
                &self.site.stories,
                &not_photos,
                &outputs,
            ));
            diagnostics.extend(self.photos.warnings(&links.images, &outputs, self.config));
        }
        self.config.timings.log("check links", self.started);
        (diagnostics, links.external)
    }

    /// Writes the static files (but those a generated file replaces) and the extras.
    fn write_beside(
        &self,
        assets: Vec<Output>,
        extras: Vec<Output>,
        generated: &HashSet<PathBuf>,
    ) -> Result<(), output::Error> {
        assets
            .into_par_iter()
            .filter(|asset| !generated.contains(&asset.path))
            .filter_map(|asset| self.photos.publishable(asset, self.config))
            .try_for_each(self.emit)?;
        self.photos
            .variants()
            .into_par_iter()
            .try_for_each(self.emit)?;
        extras.into_par_iter().try_for_each(self.emit)?;
        self.config
            .timings
            .log("feeds, sitemap, aliases", self.started);
        Ok(())
    }

    /// The static files, and the files [`Run::extras`] makes (robots.txt only when there is no
    /// static one), with the problems found making them.
    fn files_beside_pages(&self, jobs: &[Job], page_files: &HashSet<PathBuf>) -> Beside {
        let (extras, mut diagnostics) = self.extras(jobs, page_files);
        let (assets, asset_diagnostics) = output::assets::collect(self.config, self.site);
        diagnostics.extend(asset_diagnostics);
        let (assets, hidden) = search::split_hidden_assets(assets, self.config);
        diagnostics.extend(hidden);
        let has_robots = assets
            .iter()
            .any(|asset| asset.path == Path::new("robots.txt"));
        let extras: Vec<Output> = extras
            .into_iter()
            .filter(|file| !(has_robots && file.path == Path::new("robots.txt")))
            .collect();
        Beside {
            assets,
            extras,
            diagnostics,
        }
    }

    /// Feeds, the sitemap, robots.txt and the redirect pages of story aliases.
    fn extras(
        &self,
        jobs: &[Job],
        page_files: &HashSet<PathBuf>,
    ) -> (Vec<Output>, Vec<Diagnostic>) {
        let (site, config) = (self.site, self.config);
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
}
