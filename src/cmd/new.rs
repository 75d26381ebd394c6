//! `yuanba new TITLE --community NAME`: a new draft story from the archetype.
//!
//! The district and street come from the place registry when the site has one (an unknown or
//! ambiguous community is an error that lists the closest names), else from `--district` and
//! `--street`. The file is created, never overwritten, and its path printed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::archetype;
use crate::cli::NewArgs;
use crate::cmd::{load_config, print_diagnostics};
use crate::config::{self, Overrides, SiteConfig};
use crate::content::{self, story};
use crate::exit::ExitCode;
use crate::fields;
use crate::site::places::{self, PlaceId, PlaceKind, Places};
use crate::text;

/// The byline when `--reporter` is not given.
pub(crate) const DEFAULT_REPORTER: &str = "编辑部";

/// Where a story is: district, street (may be empty), community, as registered.
struct StoryPlace {
    district: String,
    street: String,
    community: String,
}

/// Why `new` stopped.
enum Refusal {
    /// Bad arguments, or a file that exists: exit code 2.
    Usage(String),
    /// The site's own files are broken (the place registry): exit code 1.
    Site(Vec<crate::diagnostic::Diagnostic>),
}

/// Runs `yuanba new`.
pub(crate) fn run(args: &NewArgs) -> ExitCode {
    let root = config::absolute(&args.root.root);
    let config = match load_config(&root, &Overrides::default()) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match create(args, &config) {
        Ok(relative) => {
            let shown = args.root.root.join(&relative);
            let shown = shown.strip_prefix(".").unwrap_or(&shown);
            println!("{}", shown.display());
            ExitCode::Success
        }
        Err(Refusal::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::Failure
        }
        Err(Refusal::Site(diagnostics)) => {
            print_diagnostics(&diagnostics);
            ExitCode::ContentErrors
        }
    }
}

/// Writes the story and returns its path relative to the site root.
fn create(args: &NewArgs, config: &SiteConfig) -> Result<PathBuf, Refusal> {
    let title = args.title.trim();
    if title.is_empty() {
        return Err(Refusal::Usage("the title is empty".to_string()));
    }
    let place = story_place(args, config)?;
    let date_text = match &args.date {
        Some(date) => date.trim().to_string(),
        None => jiff::ZonedDateTime::now()
            .with_time_zone(config.timezone.clone())
            .strftime("%Y-%m-%d")
            .to_string(),
    };
    let Some(date) = story::parse_date(&date_text, &config.timezone) else {
        return Err(Refusal::Usage(format!(
            "`{date_text}` is not a date; write it as YYYY-MM-DD (2018-03-20)"
        )));
    };
    let slug = text::slugify(args.slug.as_deref().unwrap_or(title));
    if slug.is_empty() {
        return Err(Refusal::Usage(
            "the title gives an empty slug; pass --slug with letters or digits, such as --slug bailian"
                .to_string(),
        ));
    }
    let relative = new_story_path(config, date.year(), &slug, args.bundle)?;
    let new_story = NewStory {
        title,
        date: &date_text,
        place: &place,
        reporter: args.reporter.as_deref().map_or(DEFAULT_REPORTER, str::trim),
        slug: &slug,
    };
    let filled = fill_archetype(config, &new_story)?;
    write_new(&config.root.join(&relative), filled.as_bytes())?;
    Ok(relative)
}

/// Where the story goes (a file, or a folder with `--bundle`), when neither form exists yet.
fn new_story_path(
    config: &SiteConfig,
    year: i16,
    slug: &str,
    bundle: bool,
) -> Result<PathBuf, Refusal> {
    let relative = archetype::story_path(year, slug, bundle);
    let other_form = archetype::story_path(year, slug, !bundle);
    for path in [&relative, &other_form] {
        if config.root.join(path).exists() {
            return Err(Refusal::Usage(format!(
                "{} already exists; yuanba new never overwrites a story: choose another --slug",
                path.display()
            )));
        }
    }
    Ok(relative)
}

/// What the archetype's placeholders are filled with.
struct NewStory<'a> {
    title: &'a str,
    /// As given, or today.
    date: &'a str,
    place: &'a StoryPlace,
    reporter: &'a str,
    slug: &'a str,
}

/// The archetype with its placeholders filled.
fn fill_archetype(config: &SiteConfig, new_story: &NewStory<'_>) -> Result<String, Refusal> {
    let (archetype_text, archetype_path) = archetype::story(config).map_err(Refusal::Usage)?;
    archetype::fill(&archetype_text, |name| {
        Some(match name {
            "title" => new_story.title.to_string(),
            "date" => new_story.date.to_string(),
            "district" => new_story.place.district.clone(),
            "street" => new_story.place.street.clone(),
            "community" => new_story.place.community.clone(),
            "reporter" => new_story.reporter.to_string(),
            "slug" => new_story.slug.to_string(),
            _ => return None,
        })
    })
    .map_err(|message| {
        let from = archetype_path.as_deref().map_or_else(
            || "the built-in archetype".to_string(),
            |path| config.relative(path).display().to_string(),
        );
        Refusal::Usage(format!("{from}: {message}"))
    })
}

/// The story's places: from the registry when the site has one, else from the arguments.
fn story_place(args: &NewArgs, config: &SiteConfig) -> Result<StoryPlace, Refusal> {
    let registry_path = Path::new(content::PLACES_REGISTRY);
    let text = match std::fs::read(config.root.join(registry_path)) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Refusal::Usage(format!("{} is not valid UTF-8", registry_path.display()))
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return unregistered_place(args, registry_path);
        }
        Err(error) => {
            return Err(Refusal::Usage(format!(
                "cannot read {}: {error}",
                registry_path.display()
            )));
        }
    };
    let source = std::sync::Arc::from(crate::files::normalize_text(text));
    match places::from_registry(registry_path, &source).map_err(Refusal::Site)? {
        Some(places) => registered_place(&places, args).map_err(Refusal::Usage),
        // Only a `slugs:` map: the places are the ones the stories name.
        None => unregistered_place(args, registry_path),
    }
}

/// The story's places from the arguments, in a site whose registry lists no places.
fn unregistered_place(args: &NewArgs, registry_path: &Path) -> Result<StoryPlace, Refusal> {
    let Some(district) = args.district.as_deref().map(str::trim) else {
        return Err(Refusal::Usage(format!(
            "this site has no place registry ({}): pass --district (and --street when \
             the community is in one)",
            registry_path.display()
        )));
    };
    Ok(StoryPlace {
        district: district.to_string(),
        street: args
            .street
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string(),
        community: args.community.trim().to_string(),
    })
}

/// Finds the community in the registry, narrowed by `--district` and `--street`.
fn registered_place(places: &Places, args: &NewArgs) -> Result<StoryPlace, String> {
    let community = args.community.trim();
    let district = args.district.as_deref().map(str::trim);
    let street = args.street.as_deref().map(str::trim);
    let named = places.communities_named(community);
    let fitting: Vec<_> = named
        .iter()
        .copied()
        .filter(|&id| {
            let lineage = places.lineage(id);
            let street_id = (lineage.len() == 3).then(|| lineage[1]);
            district.is_none_or(|name| places.is_named(lineage[0], name))
                && street.is_none_or(|name| street_id.is_some_and(|s| places.is_named(s, name)))
        })
        .collect();
    match fitting.as_slice() {
        [id] => Ok(place_of(places, *id)),
        [] if !named.is_empty() => {
            let scope: Vec<&str> = district.into_iter().chain(street).collect();
            Err(format!(
                "{community} is not in {}: the place registry has it in {}",
                scope.join(" "),
                listed(places, &named)
            ))
        }
        [] => Err(unknown_community(places, community)),
        several => Err(format!(
            "there are {} communities called {community}: {}; pass --district (and --street) \
             to say which",
            several.len(),
            listed(places, several)
        )),
    }
}

/// The registered names of a community and the places above it.
fn place_of(places: &Places, community: PlaceId) -> StoryPlace {
    let lineage = places.lineage(community);
    let name = |idx: usize| places.all[lineage[idx]].name.clone();
    StoryPlace {
        district: name(0),
        street: if lineage.len() == 3 {
            name(1)
        } else {
            String::new()
        },
        community: name(lineage.len() - 1),
    }
}

/// `成华区 › 白莲池街道 › 白莲社区; …`.
fn listed(places: &Places, ids: &[PlaceId]) -> String {
    ids.iter()
        .map(|&id| places.display(id))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A community name the registry does not have, with the closest it has.
fn unknown_community(places: &Places, community: &str) -> String {
    let all: Vec<&str> = places
        .all
        .iter()
        .filter(|place| place.kind == PlaceKind::Community)
        .map(|place| place.name.as_str())
        .collect();
    let closest = fields::closest(community, all, 3);
    let closest: Vec<String> = closest
        .iter()
        .flat_map(|name| places.communities_named(name))
        .map(|id| places.display(id))
        .collect();
    if closest.is_empty() {
        format!(
            "{community} is not a registered community, and {} lists none: add it there",
            content::PLACES_REGISTRY
        )
    } else {
        format!(
            "{community} is not a registered community; the closest are: {}\n\
             (add it to {} if it is new)",
            closest.join("; "),
            content::PLACES_REGISTRY
        )
    }
}

/// Creates a file that must not exist yet, with its folders.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Refusal::Usage(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Refusal::Usage(format!(
                    "{} already exists; yuanba new never overwrites a story",
                    path.display()
                ))
            } else {
                Refusal::Usage(format!("cannot create {}: {e}", path.display()))
            }
        })?;
    file.write_all(bytes)
        .map_err(|e| Refusal::Usage(format!("cannot write {}: {e}", path.display())))
}
