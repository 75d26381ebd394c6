//! Rendering: the [`Site`] through the theme's templates into [`Output`]s.
//!
//! `theme.rs` is the only place that reads files here (the templates); nothing here writes
//! files. Story pages render in parallel against one parsed Tera instance.

pub mod builtin;
pub mod context;
pub mod filters;
pub mod tera_env;
pub mod theme;

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;
use tera::Context;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};
use crate::search::SEARCH_DIR;
use crate::site::{Site, permalink};
use context::{PageLink, PageView, SiteView, StoryView, WithBody};
pub use tera_env::Templates;

/// Resolves the theme and parses every template once.
pub fn load_templates(config: &SiteConfig) -> Result<Templates, Vec<Diagnostic>> {
    let sources = theme::collect(config)?;
    tera_env::build(sources, config)
}

/// The output files of every page [`render`] produces, to keep static files off them.
pub fn page_files(site: &Site, config: &SiteConfig) -> HashSet<PathBuf> {
    site.stories
        .iter()
        .map(|story| permalink::story_path(&story.slug))
        .chain(
            site.pages
                .iter()
                .map(|page| permalink::page_path(&page.slug)),
        )
        .chain([String::new(), "404.html".to_string()])
        .chain(config.search.then(|| format!("{SEARCH_DIR}/")))
        .map(|site_path| permalink::output_file(&site_path))
        .collect()
}

/// Renders every page of the site and hands each to `emit` as soon as it is ready (in parallel).
/// Pages that fail come back as diagnostics; an error of `emit` stops the run.
pub fn render<E: Send>(
    site: &Site,
    templates: &mut Templates,
    config: &SiteConfig,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<Vec<Diagnostic>, E> {
    let pages: Vec<PageLink<'_>> = site
        .pages
        .iter()
        .map(|page| PageLink::new(page, config))
        .collect();
    let global = templates.tera.global_context();
    global.insert("site", &SiteView::new(config));
    global.insert("pages", &pages);
    global.insert(
        "generator",
        &format!("yuanba {}", env!("CARGO_PKG_VERSION")),
    );
    let templates = &*templates;
    let deliver = |result: Result<Output, Diagnostic>| match result {
        Ok(output) => emit(output).map(|()| None),
        Err(diagnostic) => Ok(Some(diagnostic)),
    };

    let mut diagnostics: Vec<Option<Diagnostic>> = site
        .stories
        .par_iter()
        .map(|story| {
            let site_path = permalink::story_path(&story.slug);
            let mut context = page_context(config, &site_path);
            context.insert("story", &StoryView::new(story, config, WithBody::Yes));
            let what = format!(
                "story 《{}》 ({})",
                story.title,
                story.source_path.display()
            );
            deliver(render_one(
                templates,
                "story.html",
                &context,
                &site_path,
                &what,
            ))
        })
        .collect::<Result<_, E>>()?;
    let page_diagnostics: Vec<Option<Diagnostic>> = site
        .pages
        .par_iter()
        .map(|page| {
            let site_path = permalink::page_path(&page.slug);
            let mut context = page_context(config, &site_path);
            context.insert("page", &PageView::new(page, config));
            let what = format!("page 《{}》 ({})", page.title, page.source_path.display());
            deliver(render_one(
                templates,
                "page.html",
                &context,
                &site_path,
                &what,
            ))
        })
        .collect::<Result<_, E>>()?;
    diagnostics.extend(page_diagnostics);

    let mut home = page_context(config, "");
    let stories: Vec<StoryView<'_>> = site
        .stories
        .iter()
        .map(|story| StoryView::new(story, config, WithBody::No))
        .collect();
    home.insert("stories", &stories);
    diagnostics.push(deliver(render_one(
        templates,
        "index.html",
        &home,
        "",
        "the home page",
    ))?);
    let not_found = page_context(config, "404.html");
    diagnostics.push(deliver(render_one(
        templates,
        "404.html",
        &not_found,
        "404.html",
        "the 404 page",
    ))?);
    if config.search {
        let site_path = format!("{SEARCH_DIR}/");
        let search = page_context(config, &site_path);
        diagnostics.push(deliver(render_one(
            templates,
            "search.html",
            &search,
            &site_path,
            "the search page",
        ))?);
    }
    Ok(diagnostics.into_iter().flatten().collect())
}

fn page_context(config: &SiteConfig, site_path: &str) -> Context {
    let mut context = Context::new();
    context.insert("current_url", &permalink::url(config, site_path));
    context.insert(
        "current_permalink",
        &permalink::permalink(config, site_path),
    );
    context
}

fn render_one(
    templates: &Templates,
    template: &str,
    context: &Context,
    site_path: &str,
    what: &str,
) -> Result<Output, Diagnostic> {
    match templates.tera.render(template, context) {
        Ok(html) => Ok(Output {
            path: permalink::output_file(site_path),
            contents: Contents::Bytes(html.into_bytes()),
        }),
        Err(error) => Err(tera_env::to_diagnostic(
            &error,
            &templates.sources,
            Some(what),
        )),
    }
}
