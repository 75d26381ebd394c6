//! The 区 → 街道 → 社区 hierarchy: which places exist, their slugs, and which stories each holds.
//!
//! With a registry (`data/places.yaml`) the places are the registered ones, in registry order,
//! and every story must name registered places that fit together; names may be aliases, which
//! are replaced by the registered name. Without one, the places are those the stories name, in
//! pinyin order. Either way a story without a street whose community is known under exactly one
//! street of its district is filed under that street.
//!
//! Slugs are pinyin unless the registry gives one; two siblings with one slug are an error,
//! never a merge. This module does no I/O: the registry arrives as text.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::content::Story;
use crate::diagnostic::Diagnostic;
use crate::fields::{self, YamlBlock};
use crate::text;

/// A level of the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// 区/县/市.
    District,
    /// 街道/镇/乡.
    Street,
    /// 社区/村.
    Community,
}

impl PlaceKind {
    /// The name templates see.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::District => "district",
            PlaceKind::Street => "street",
            PlaceKind::Community => "community",
        }
    }

    fn field(self) -> &'static str {
        self.as_str()
    }
}

/// Index of a place in [`Places::all`].
pub(crate) type PlaceId = usize;

/// One district, street or community.
#[derive(Debug, Clone)]
pub struct Place {
    /// Its level.
    pub kind: PlaceKind,
    /// The registered (or first written) name.
    pub name: String,
    /// URL-safe, never empty, unique among its siblings.
    pub slug: String,
    /// The place above it.
    pub parent: Option<PlaceId>,
    /// Streets, then communities directly under it.
    pub children: Vec<PlaceId>,
    /// Stories here or in any place below, as indices into the site's stories, newest first.
    pub stories: Vec<usize>,
    /// `places/<district>/<street>/<community>/`, once slugs are known.
    site_path: String,
    /// Other names that mean this place.
    aliases: Vec<String>,
    /// Where it is declared in the registry.
    declared_at: Option<Range<usize>>,
    /// The line of the registry's `slugs:` map that gives its slug.
    slug_line: Option<Range<usize>>,
}

/// Where one story is.
#[derive(Debug, Clone, Copy)]
pub struct StoryPlaces {
    /// Its district.
    pub district: PlaceId,
    /// Its street, when it has one.
    pub street: Option<PlaceId>,
    /// Its community.
    pub community: PlaceId,
}

/// Every place of the site.
#[derive(Debug, Default, Clone)]
pub struct Places {
    /// All places; a place's parent comes before it.
    pub all: Vec<Place>,
    /// The districts, in order.
    pub districts: Vec<PlaceId>,
    /// For each story (same index as the site's stories), where it is; `None` when its places
    /// are in error (the build fails then, but rendering still runs to find more problems).
    pub of_story: Vec<Option<StoryPlaces>>,
}

impl Places {
    /// A place and its ancestors, from the district down.
    pub fn lineage(&self, id: PlaceId) -> Vec<PlaceId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(parent) = self.all[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// The site path of a place: `places/<district>/<street>/<community>/`.
    pub fn site_path(&self, id: PlaceId) -> &str {
        &self.all[id].site_path
    }

    fn compute_site_path(&self, id: PlaceId) -> String {
        let mut path = String::from("places/");
        for place in self.lineage(id) {
            path.push_str(&self.all[place].slug);
            path.push('/');
        }
        path
    }

    /// Every place reachable from the districts, parents before children.
    pub fn tree_order(&self) -> Vec<PlaceId> {
        let mut order = Vec::with_capacity(self.all.len());
        let mut stack: Vec<PlaceId> = self.districts.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            order.push(id);
            stack.extend(self.all[id].children.iter().rev());
        }
        order
    }

    /// The places of a story, district first.
    pub fn story_lineage(&self, story_idx: usize) -> Vec<PlaceId> {
        match self.of_story.get(story_idx).copied().flatten() {
            Some(story_places) => self.lineage(story_places.community),
            None => Vec::new(),
        }
    }

    fn add(&mut self, kind: PlaceKind, name: &str, parent: Option<PlaceId>) -> PlaceId {
        let id = self.all.len();
        self.all.push(Place {
            kind,
            name: name.to_string(),
            slug: String::new(),
            parent,
            children: Vec::new(),
            stories: Vec::new(),
            site_path: String::new(),
            aliases: Vec::new(),
            declared_at: None,
            slug_line: None,
        });
        match parent {
            Some(parent) => self.all[parent].children.push(id),
            None => self.districts.push(id),
        }
        id
    }

    /// The child of `parent` (or the district, for `None`) called `name` or aliased so.
    fn find(&self, parent: Option<PlaceId>, kind: PlaceKind, name: &str) -> Option<PlaceId> {
        let siblings = match parent {
            Some(parent) => &self.all[parent].children,
            None => &self.districts,
        };
        siblings.iter().copied().find(|&id| {
            let place = &self.all[id];
            place.kind == kind && (place.name == name || place.aliases.iter().any(|a| a == name))
        })
    }

    /// Communities called `name` in the streets of `district`.
    fn communities_in_streets(&self, district: PlaceId, name: &str) -> Vec<PlaceId> {
        self.all[district]
            .children
            .iter()
            .filter(|&&child| self.all[child].kind == PlaceKind::Street)
            .filter_map(|&street| self.find(Some(street), PlaceKind::Community, name))
            .collect()
    }

    /// Every place of a kind called `name` (or aliased so), anywhere.
    fn everywhere(&self, kind: PlaceKind, name: &str) -> Vec<PlaceId> {
        (0..self.all.len())
            .filter(|&id| {
                let place = &self.all[id];
                place.kind == kind
                    && (place.name == name || place.aliases.iter().any(|a| a == name))
            })
            .collect()
    }

    /// Every community called `name` (or aliased so), anywhere.
    pub fn communities_named(&self, name: &str) -> Vec<PlaceId> {
        self.everywhere(PlaceKind::Community, name)
    }

    /// Whether a place is called `name`, or aliased so.
    pub fn is_named(&self, id: PlaceId, name: &str) -> bool {
        let place = &self.all[id];
        place.name == name || place.aliases.iter().any(|alias| alias == name)
    }

    /// `成华区/白莲池街道/白莲社区`: how the registry's `slugs:` map names a place.
    pub fn key(&self, id: PlaceId) -> String {
        self.lineage(id)
            .iter()
            .map(|&place| self.all[place].name.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The place a `slugs:` key names: names (or aliases) from the district down, joined by `/`.
    fn by_key(&self, key: &str) -> Option<PlaceId> {
        let mut names = key.split('/').map(str::trim);
        let mut place = self.find(None, PlaceKind::District, names.next()?)?;
        for name in names {
            place = self
                .find(Some(place), PlaceKind::Street, name)
                .or_else(|| self.find(Some(place), PlaceKind::Community, name))?;
        }
        Some(place)
    }

    /// `成华区 › 白莲池街道 › 白莲社区`.
    pub fn display(&self, id: PlaceId) -> String {
        self.lineage(id)
            .iter()
            .map(|&place| self.all[place].name.as_str())
            .collect::<Vec<_>>()
            .join(" › ")
    }
}

/// `data/places.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    /// The registry: when given, the site's places are exactly these.
    #[serde(default)]
    districts: Option<Vec<RawPlace>>,
    /// Slugs for some places, keyed by their path (`都江堰市/幸福街道`).
    #[serde(default)]
    slugs: Option<std::collections::BTreeMap<String, String>>,
}

impl RawRegistry {
    /// Whether the file lists the site's places (and so every story must name listed ones): it
    /// has `districts:`, or it is not just a `slugs:` map.
    fn lists_places(&self) -> bool {
        self.districts.is_some() || self.slugs.is_none()
    }

    fn districts(&self) -> &[RawPlace] {
        self.districts.as_deref().unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a place: `name:`, with optional `slug`, `aliases`, `streets`, `communities`"
)]
struct RawPlace {
    name: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    streets: Vec<RawPlace>,
    #[serde(default)]
    communities: Vec<RawPlace>,
}

/// The registry file, for diagnostics that point into it.
struct RegistryFile<'a> {
    path: &'a Path,
    source: &'a Arc<str>,
}

impl RegistryFile<'_> {
    /// The first occurrence of `name` at or after `from`, as a span.
    fn locate(&self, name: &str, from: usize) -> Option<Range<usize>> {
        let from = from.min(self.source.len());
        self.source
            .get(from..)?
            .find(name)
            .map(|idx| from + idx..from + idx + name.len())
    }

    fn error(&self, code: Code, message: String, span: Option<Range<usize>>) -> Diagnostic {
        let diagnostic = Diagnostic::error(code, message);
        match span {
            Some(span) => diagnostic.at(self.path, self.source, span),
            None => diagnostic.in_file(self.path),
        }
    }
}

/// Builds the places from the registry (when given) and the stories, and files every story.
/// Story place names written as aliases (or a missing street that could be inferred) are
/// replaced in the stories by the registered names.
pub(crate) fn build(
    registry: Option<&(PathBuf, Arc<str>)>,
    stories: &mut [Story],
) -> (Places, Vec<Diagnostic>) {
    let registry = registry.map(|(path, source)| RegistryFile { path, source });
    let mut diagnostics = Vec::new();
    let mut places = Places::default();
    let mut raw = RawRegistry::default();
    if let Some(file) = &registry {
        match read_registry(file) {
            Ok(read) => raw = read,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                return (places, diagnostics);
            }
        }
    }
    let registered = registry.is_some() && raw.lists_places();
    if let Some(file) = registry.as_ref().filter(|_| registered) {
        declare(&mut places, &raw, file, &mut diagnostics);
    }
    file_stories(&mut places, stories, registered, &mut diagnostics);
    if !registered {
        settle_unregistered(&mut places);
        diagnostics.extend(communities_in_several_districts(&places, stories));
    }
    if diagnostics.iter().all(|d| !d.is_error()) {
        rename_stories(&places, stories);
    }
    if let (Some(file), Some(slugs)) = (&registry, &raw.slugs) {
        diagnostics.extend(give_slugs(&mut places, slugs, file));
    }
    let registry_of_places = registry.as_ref().filter(|_| registered);
    diagnostics.extend(assign_slugs(
        &mut places,
        registry_of_places,
        registry.as_ref(),
        stories,
    ));
    prune_empty(&mut places);
    for id in 0..places.all.len() {
        places.all[id].site_path = places.compute_site_path(id);
    }
    (places, diagnostics)
}

/// Files every story under its places (registered ones, or ones made for it), in story order;
/// a story whose places are wrong is reported and filed nowhere.
fn file_stories(
    places: &mut Places,
    stories: &[Story],
    registered: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (story_idx, story) in stories.iter().enumerate() {
        let filed = if registered {
            file_registered(places, story)
        } else {
            Ok(file_unregistered(places, story))
        };
        match filed {
            Ok(story_places) => {
                places.of_story.push(Some(story_places));
                for id in places.story_lineage(story_idx) {
                    places.all[id].stories.push(story_idx);
                }
            }
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                places.of_story.push(None);
            }
        }
    }
}

/// Writes the registered names into every filed story (see [`rename_story`]).
fn rename_stories(places: &Places, stories: &mut [Story]) {
    for (story, story_places) in stories.iter_mut().zip(&places.of_story) {
        if let Some(story_places) = *story_places {
            rename_story(places, story_places, story);
        }
    }
}

/// Reads the place registry on its own (for `yuanba new`): its places (`None` when the file
/// only gives slugs and lists no places), or what is wrong with it.
pub(crate) fn from_registry(
    path: &Path,
    source: &Arc<str>,
) -> Result<Option<Places>, Vec<Diagnostic>> {
    let file = RegistryFile { path, source };
    let raw = read_registry(&file).map_err(|diagnostic| vec![diagnostic])?;
    if !raw.lists_places() {
        return Ok(None);
    }
    let mut places = Places::default();
    let mut diagnostics = Vec::new();
    declare(&mut places, &raw, &file, &mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(Some(places))
    }
}

fn read_registry(file: &RegistryFile<'_>) -> Result<RawRegistry, Diagnostic> {
    let block = YamlBlock {
        path: file.path,
        source: file.source,
        start: 0,
        text: file.source,
    };
    if file.source.trim().is_empty() {
        return Ok(RawRegistry::default());
    }
    fields::deserialize(&block, Code::PlacesInvalid)
}

/// Unlinks the places without published stories (registered places nobody has written about
/// yet, or whose stories are drafts): they get no page and are not listed.
fn prune_empty(places: &mut Places) {
    let empty: Vec<bool> = places.all.iter().map(|p| p.stories.is_empty()).collect();
    places.districts.retain(|&id| !empty[id]);
    for place in &mut places.all {
        place.children.retain(|&id| !empty[id]);
    }
}

/// Adds the registered places, reporting names declared twice in one scope.
fn declare(
    places: &mut Places,
    raw: &RawRegistry,
    file: &RegistryFile<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for district in raw.districts() {
        let scope = Scope {
            kind: PlaceKind::District,
            parent: None,
            from: 0,
        };
        let Some(district_id) = declare_one(places, district, scope, file, diagnostics) else {
            continue;
        };
        let from = places.all[district_id]
            .declared_at
            .clone()
            .map_or(0, |s| s.start);
        for street in &district.streets {
            let scope = Scope {
                kind: PlaceKind::Street,
                parent: Some(district_id),
                from,
            };
            let Some(street_id) = declare_one(places, street, scope, file, diagnostics) else {
                continue;
            };
            let street_from = places.all[street_id]
                .declared_at
                .clone()
                .map_or(from, |s| s.start);
            for community in &street.communities {
                declare_community(places, community, street_id, street_from, file, diagnostics);
            }
            if !street.streets.is_empty() {
                diagnostics.push(too_deep(file, street, "only districts have streets", from));
            }
        }
        for community in &district.communities {
            declare_community(places, community, district_id, from, file, diagnostics);
        }
    }
}

/// Declares a community (under a street or directly under a district), which may not list
/// places of its own.
fn declare_community(
    places: &mut Places,
    community: &RawPlace,
    parent: PlaceId,
    from: usize,
    file: &RegistryFile<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let scope = Scope {
        kind: PlaceKind::Community,
        parent: Some(parent),
        from,
    };
    declare_one(places, community, scope, file, diagnostics);
    if !community.streets.is_empty() || !community.communities.is_empty() {
        diagnostics.push(too_deep(
            file,
            community,
            "communities are the lowest level",
            from,
        ));
    }
}

/// A registry entry that lists places at a level below it cannot have.
fn too_deep(file: &RegistryFile<'_>, place: &RawPlace, rule: &str, from: usize) -> Diagnostic {
    file.error(
        Code::PlacesInvalid,
        format!("{} lists places under it: {rule}", place.name),
        file.locate(&place.name, from),
    )
}

/// Where a registry entry is declared.
#[derive(Debug, Clone, Copy)]
struct Scope {
    /// The level of the entry.
    kind: PlaceKind,
    /// The place it is listed under (`None` for a district).
    parent: Option<PlaceId>,
    /// Where its parent is declared in the file: its name is looked for from there on.
    from: usize,
}

/// Adds one registry entry, unless its name is empty or it or one of its aliases names a
/// sibling already.
fn declare_one(
    places: &mut Places,
    raw: &RawPlace,
    scope: Scope,
    file: &RegistryFile<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PlaceId> {
    let name = raw.name.trim();
    let span = file.locate(name, scope.from);
    if name.is_empty() {
        diagnostics.push(file.error(
            Code::PlacesInvalid,
            format!("a {} has an empty `name`", scope.kind.as_str()),
            span,
        ));
        return None;
    }
    if let Some(clash) = declared_twice(places, raw, name, scope, file) {
        diagnostics.push(clash);
        return None;
    }
    let id = places.add(scope.kind, name, scope.parent);
    let place = &mut places.all[id];
    place.aliases = raw.aliases.iter().map(|a| a.trim().to_string()).collect();
    place.declared_at = span;
    if let Some(slug) = &raw.slug {
        place.slug = text::slugify(slug);
        if place.slug.is_empty() {
            diagnostics.push(file.error(
                Code::PlacesSlug,
                format!("the slug of {name} has no letters or digits"),
                file.locate(slug, scope.from),
            ));
        }
    }
    Some(id)
}

/// The first of the entry's name (`name`, trimmed) and aliases that already names a sibling,
/// as an error at its second declaration.
fn declared_twice(
    places: &Places,
    raw: &RawPlace,
    name: &str,
    scope: Scope,
    file: &RegistryFile<'_>,
) -> Option<Diagnostic> {
    let from = scope.from;
    std::iter::once(name)
        .chain(raw.aliases.iter().map(|a| a.trim()))
        .find_map(|claimed| {
            let existing = places.find(scope.parent, scope.kind, claimed)?;
            // The second declaration is after the first one.
            let after = places.all[existing]
                .declared_at
                .as_ref()
                .map_or(from, |span| span.end.max(from));
            Some(
                file.error(
                    Code::PlacesDuplicate,
                    format!(
                        "{claimed} is declared twice: it already names {}",
                        places.display(existing)
                    ),
                    file.locate(claimed, after)
                        .or_else(|| file.locate(claimed, from)),
                ),
            )
        })
}

/// Files a story under registered places, or says which name is wrong and what is closest.
fn file_registered(places: &Places, story: &Story) -> Result<StoryPlaces, Box<Diagnostic>> {
    let Some(district) = places.find(None, PlaceKind::District, &story.district) else {
        let candidates = places
            .districts
            .iter()
            .map(|&id| places.all[id].name.as_str());
        return Err(unknown_place(
            story,
            PlaceKind::District,
            &story.district,
            candidates,
            None,
        ));
    };
    let street = if story.street.is_empty() {
        None
    } else if let Some(street) = places.find(Some(district), PlaceKind::Street, &story.street) {
        Some(street)
    } else {
        let elsewhere = places.everywhere(PlaceKind::Street, &story.street);
        let candidates = street_names(places, district);
        return Err(unknown_place(
            story,
            PlaceKind::Street,
            &story.street,
            candidates.into_iter(),
            elsewhere.first().map(|&id| places.display(id)).as_deref(),
        ));
    };
    let community = match street {
        Some(street) => places.find(Some(street), PlaceKind::Community, &story.community),
        None => places
            .find(Some(district), PlaceKind::Community, &story.community)
            .or_else(|| single(&places.communities_in_streets(district, &story.community))),
    };
    let Some(community) = community else {
        let scope = street.unwrap_or(district);
        let candidates: Vec<&str> = community_names(places, scope);
        let elsewhere = places.everywhere(PlaceKind::Community, &story.community);
        return Err(unknown_place(
            story,
            PlaceKind::Community,
            &story.community,
            candidates.into_iter(),
            elsewhere.first().map(|&id| places.display(id)).as_deref(),
        ));
    };
    Ok(StoryPlaces {
        district,
        street: places.all[community]
            .parent
            .filter(|&p| places.all[p].kind == PlaceKind::Street),
        community,
    })
}

fn single(ids: &[PlaceId]) -> Option<PlaceId> {
    (ids.len() == 1).then(|| ids[0])
}

fn street_names(places: &Places, district: PlaceId) -> Vec<&str> {
    places.all[district]
        .children
        .iter()
        .filter(|&&id| places.all[id].kind == PlaceKind::Street)
        .map(|&id| places.all[id].name.as_str())
        .collect()
}

/// Communities under a street, or everywhere under a district.
fn community_names(places: &Places, scope: PlaceId) -> Vec<&str> {
    let mut names = Vec::new();
    for &child in &places.all[scope].children {
        match places.all[child].kind {
            PlaceKind::Community => names.push(places.all[child].name.as_str()),
            PlaceKind::Street => names.extend(
                places.all[child]
                    .children
                    .iter()
                    .map(|&id| places.all[id].name.as_str()),
            ),
            PlaceKind::District => {}
        }
    }
    names
}

fn unknown_place<'a>(
    story: &Story,
    kind: PlaceKind,
    name: &str,
    candidates: impl Iterator<Item = &'a str> + Clone,
    elsewhere: Option<&str>,
) -> Box<Diagnostic> {
    let scope = match kind {
        PlaceKind::District => String::new(),
        PlaceKind::Street => format!(" in {}", story.district),
        PlaceKind::Community if story.street.is_empty() => format!(" in {}", story.district),
        PlaceKind::Community => format!(" in {} {}", story.district, story.street),
    };
    let message = match &elsewhere {
        Some(found) => format!("{name} is not{scope}: the place registry has it in {found}"),
        None => format!("{name} is not a registered {}{scope}", kind.as_str()),
    };
    let label = match kind {
        PlaceKind::District => "not in data/places.yaml",
        _ => "not registered here",
    };
    let help = if let Some(suggestion) = fields::did_you_mean(name, candidates.clone()) {
        format!("did you mean {suggestion}?")
    } else {
        let listed: Vec<&str> = candidates.take(8).collect();
        if listed.is_empty() {
            format!("add it to data/places.yaml, or correct `{}`", kind.field())
        } else {
            format!(
                "registered here: {}; or add it to data/places.yaml",
                listed.join("、")
            )
        }
    };
    let diagnostic = Diagnostic::error(Code::PlacesUnknown, message).with_help(help);
    Box::new(story_diagnostic(diagnostic, story, kind.field()).with_label(label))
}

/// Files a story in a site without a registry, creating its places.
fn file_unregistered(places: &mut Places, story: &Story) -> StoryPlaces {
    let district = places
        .find(None, PlaceKind::District, &story.district)
        .unwrap_or_else(|| places.add(PlaceKind::District, &story.district, None));
    let street = (!story.street.is_empty()).then(|| {
        places
            .find(Some(district), PlaceKind::Street, &story.street)
            .unwrap_or_else(|| places.add(PlaceKind::Street, &story.street, Some(district)))
    });
    let community = match street {
        Some(street) => places
            .find(Some(street), PlaceKind::Community, &story.community)
            .unwrap_or_else(|| places.add(PlaceKind::Community, &story.community, Some(street))),
        None => places
            .find(Some(district), PlaceKind::Community, &story.community)
            .unwrap_or_else(|| places.add(PlaceKind::Community, &story.community, Some(district))),
    };
    StoryPlaces {
        district,
        street,
        community,
    }
}

/// After all stories are filed without a registry: moves the stories of a community written
/// without a street to the one street of the district that has a community of that name, and
/// orders places by pinyin (streets before communities directly under a district).
fn settle_unregistered(places: &mut Places) {
    // Streetless communities that exist under exactly one street of their district.
    let mut moves: Vec<(PlaceId, PlaceId)> = Vec::new();
    for &district in &places.districts {
        for &child in &places.all[district].children {
            if places.all[child].kind == PlaceKind::Community
                && let Some(target) =
                    single(&places.communities_in_streets(district, &places.all[child].name))
            {
                moves.push((child, target));
            }
        }
    }
    for (from, to) in moves {
        let district = places.all[from].parent.expect("communities have a parent");
        let street = places.all[to].parent.expect("communities have a parent");
        let taken_stories = std::mem::take(&mut places.all[from].stories);
        for &story_idx in &taken_stories {
            if let Some(Some(story_places)) = places.of_story.get_mut(story_idx) {
                story_places.community = to;
                story_places.street = Some(street);
            }
        }
        for target in [to, street] {
            places.all[target].stories.extend(&taken_stories);
            places.all[target].stories.sort_unstable();
        }
        places.all[district].children.retain(|&id| id != from);
    }
    let keys: Vec<String> = places.all.iter().map(|p| text::slugify(&p.name)).collect();
    let order = |ids: &mut Vec<PlaceId>, all: &[Place]| {
        ids.sort_by(|&a, &b| {
            let street_first = |id: PlaceId| all[id].kind != PlaceKind::Street;
            street_first(a)
                .cmp(&street_first(b))
                .then_with(|| keys[a].cmp(&keys[b]))
                .then_with(|| all[a].name.cmp(&all[b].name))
        });
    };
    let mut districts = std::mem::take(&mut places.districts);
    order(&mut districts, &places.all);
    places.districts = districts;
    for id in 0..places.all.len() {
        let mut children = std::mem::take(&mut places.all[id].children);
        order(&mut children, &places.all);
        places.all[id].children = children;
    }
}

/// Without a registry, one community name under several districts may be a typo in a story's
/// `district`. Real names repeat across districts (新华社区, 和平社区 are in many), so this warns
/// only where a typo is likely: most of the name's stories put it under one district, and
/// another district has it in only one or two stories (and at most a third as many as the
/// first). The warning is at the newest story of that other district.
fn communities_in_several_districts(places: &Places, stories: &[Story]) -> Vec<Diagnostic> {
    // Community name → each district it is in, with its stories there, in tree order.
    let mut seen: HashMap<&str, Vec<InDistrict>> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for id in places.tree_order() {
        let place = &places.all[id];
        if place.kind != PlaceKind::Community {
            continue;
        }
        let district = places.lineage(id)[0];
        let entry = seen.entry(place.name.as_str()).or_insert_with(|| {
            names.push(place.name.as_str());
            Vec::new()
        });
        match entry.iter_mut().find(|found| found.district == district) {
            Some(found) => found.stories.extend(&place.stories),
            None => entry.push(InDistrict {
                district,
                stories: place.stories.clone(),
            }),
        }
    }
    let mut diagnostics = Vec::new();
    for name in names {
        let found = &seen[name];
        let total: usize = found.iter().map(|found| found.stories.len()).sum();
        let Some(main) = found.iter().max_by_key(|found| found.stories.len()) else {
            continue;
        };
        if found.len() < 2 || main.stories.len() * 2 <= total {
            continue;
        }
        for other in found {
            let n = other.stories.len();
            if n == 0 || n > 2 || main.stories.len() < 3 * n {
                continue;
            }
            let in_other = if n == 1 {
                "only in this story".to_string()
            } else {
                format!("only in {n} stories")
            };
            let diagnostic = Diagnostic::warning(
                Code::PlacesAmbiguousCommunity,
                format!(
                    "{name} is under {} in {} stories, and under {} {in_other}",
                    places.all[main.district].name,
                    main.stories.len(),
                    places.all[other.district].name
                ),
            )
            .with_help(format!(
                "if this is a typo, correct the story's `district`; if {} has a {name} of its \
                 own, list the places in data/places.yaml",
                places.all[other.district].name
            ));
            // Stories are numbered newest first.
            let story = other.stories.iter().min().map(|&idx| &stories[idx]);
            diagnostics.push(match story {
                Some(story) => story_diagnostic(diagnostic, story, "district"),
                None => diagnostic,
            });
        }
    }
    diagnostics
}

/// The communities of one name in one district, for [`communities_in_several_districts`].
#[derive(Debug, Clone)]
struct InDistrict {
    district: PlaceId,
    /// Their stories.
    stories: Vec<usize>,
}

/// A diagnostic at a story's front matter field, or at the file when the field has no place.
fn story_diagnostic(diagnostic: Diagnostic, story: &Story, field: &str) -> Diagnostic {
    match story.field_span(field) {
        Some(span) => diagnostic.at(&story.source_path, &story.source, span),
        None => diagnostic.in_file(&story.source_path),
    }
}

/// Gives the places that the registry's `slugs:` map names their slugs: each key is a place's
/// path (`都江堰市/幸福街道`), names or aliases from the district down. A key that names no place
/// of the site, a slug without letters or digits, and a place given two different slugs are
/// errors at their line.
fn give_slugs(
    places: &mut Places,
    slugs: &std::collections::BTreeMap<String, String>,
    file: &RegistryFile<'_>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let keys: Vec<String> = (0..places.all.len()).map(|id| places.key(id)).collect();
    for entry in slug_entries(slugs, file) {
        let Some(id) = places.by_key(entry.key) else {
            let closest = fields::closest(entry.key, keys.iter().map(String::as_str), 1);
            let help = match closest.first() {
                Some(place) => format!(
                    "the closest place of the site is {place}; a key names a place from its \
                     district down, with `/` between the levels"
                ),
                None => "the site has no stories in any place yet".to_string(),
            };
            diagnostics.push(
                file.error(
                    Code::PlacesSlugKey,
                    format!("`slugs` names {}, which is no place of the site", entry.key),
                    Some(entry.key_span),
                )
                .with_help(help),
            );
            continue;
        };
        let slug = text::slugify(entry.slug);
        if slug.is_empty() {
            diagnostics.push(file.error(
                Code::PlacesSlug,
                format!("the slug of {} has no letters or digits", entry.key),
                Some(entry.slug_span),
            ));
            continue;
        }
        let place = &places.all[id];
        let clash = if place.slug_line.is_some() {
            Some(format!(
                "{} is given a slug twice under `slugs:`",
                places.display(id)
            ))
        } else if !place.slug.is_empty() && place.slug != slug {
            Some(format!(
                "{} has the slug `{}` in its entry and `{slug}` under `slugs:`",
                places.display(id),
                place.slug
            ))
        } else {
            None
        };
        if let Some(message) = clash {
            diagnostics.push(
                file.error(Code::PlacesDuplicate, message, Some(entry.key_span))
                    .with_help("keep one slug for each place"),
            );
            continue;
        }
        let place = &mut places.all[id];
        place.slug = slug;
        place.slug_line = Some(entry.key_span.start..entry.slug_span.end);
    }
    diagnostics
}

/// One line of the `slugs:` map, with where its key and slug are written.
struct SlugEntry<'a> {
    key: &'a str,
    slug: &'a str,
    key_span: Range<usize>,
    slug_span: Range<usize>,
}

/// The entries of the `slugs:` map in the order they are written, each located in the file.
fn slug_entries<'a>(
    slugs: &'a std::collections::BTreeMap<String, String>,
    file: &RegistryFile<'_>,
) -> Vec<SlugEntry<'a>> {
    let top = crate::yaml::top_level_keys(file.source);
    let (lines, from) = match top.iter().position(|key| key.name == "slugs") {
        Some(idx) => {
            let end = top
                .get(idx + 1)
                .map_or(file.source.len(), |next| next.offset);
            let lines = crate::yaml::child_keys(file.source, &top[idx], end);
            (lines, top[idx].offset)
        }
        None => (Vec::new(), 0),
    };
    let mut entries: Vec<SlugEntry<'a>> = slugs
        .iter()
        .map(|(key, slug)| {
            let line = lines.iter().find(|line| line.name == *key);
            let key_span = match line {
                Some(line) => line.offset..line.offset + key.len(),
                None => file.locate(key, from).unwrap_or(from..from),
            };
            let slug_span = match line {
                Some(line) => {
                    let rest = &file.source[line.value_offset..];
                    let len = rest.find('\n').unwrap_or(rest.len());
                    line.value_offset..line.value_offset + rest[..len].trim_end().len()
                }
                None => file.locate(slug, key_span.end).unwrap_or(key_span.clone()),
            };
            SlugEntry {
                key,
                slug,
                key_span,
                slug_span,
            }
        })
        .collect();
    entries.sort_by_key(|entry| entry.key_span.start);
    entries
}

/// Gives every place without a slug yet (from the registry or its `slugs:` map) its pinyin
/// slug and reports siblings that share one. A name without letters or digits gets one made from
/// its code points. `registry` is the file when it lists the places, `file` the file in any case.
fn assign_slugs(
    places: &mut Places,
    registry: Option<&RegistryFile<'_>>,
    file: Option<&RegistryFile<'_>>,
    stories: &[Story],
) -> Vec<Diagnostic> {
    for place in &mut places.all {
        if place.slug.is_empty() {
            place.slug = place_slug(&place.name);
        }
    }
    let mut diagnostics = Vec::new();
    let groups: Vec<Vec<PlaceId>> = std::iter::once(places.districts.clone())
        .chain(places.all.iter().map(|p| p.children.clone()))
        .collect();
    for siblings in groups {
        let mut by_slug: HashMap<&str, PlaceId> = HashMap::new();
        for &id in &siblings {
            let slug = places.all[id].slug.as_str();
            let clash = if slug == "page" {
                Some(None)
            } else {
                by_slug.get(slug).map(|&other| Some(other))
            };
            match clash {
                None => {
                    by_slug.insert(slug, id);
                }
                Some(other) => {
                    let at = Clash {
                        id,
                        other,
                        siblings: &siblings,
                    };
                    diagnostics.push(slug_clash(places, &at, registry, file, stories));
                }
            }
        }
    }
    diagnostics
}

/// Two siblings with one slug: `id` is the second one (`other` is `None` when the slug is
/// `page`).
struct Clash<'a> {
    id: PlaceId,
    other: Option<PlaceId>,
    siblings: &'a [PlaceId],
}

fn slug_clash(
    places: &Places,
    clash: &Clash<'_>,
    registry: Option<&RegistryFile<'_>>,
    file: Option<&RegistryFile<'_>>,
    stories: &[Story],
) -> Diagnostic {
    let id = clash.id;
    let place = &places.all[id];
    let message = match clash.other {
        Some(other) => format!(
            "{} and {} have the same slug `{}`",
            places.display(other),
            places.display(id),
            place.slug
        ),
        None => format!(
            "the slug of {} is `page`, which lists use for their pages",
            places.display(id)
        ),
    };
    let taken: Vec<&str> = clash
        .siblings
        .iter()
        .map(|&sibling| places.all[sibling].slug.as_str())
        .collect();
    let suggestion = suggest_slug(&place.name, &taken);
    let mut help = format!(
        "give {} its own slug with this line in data/places.yaml (tones tell apart names \
         with one pinyin):\n  slugs:\n    {}: {suggestion}",
        place.name,
        places.key(id)
    );
    if registry.is_some() {
        let _ = write!(
            help,
            "\nor add `slug: {suggestion}` to its entry in the registry"
        );
    }
    let diagnostic = Diagnostic::error(Code::PlacesDuplicateSlug, message);
    let located = match (file, &place.slug_line, registry, &place.declared_at) {
        (Some(file), Some(span), _, _) | (_, _, Some(file), Some(span)) => {
            diagnostic.at(file.path, file.source, span.clone())
        }
        (_, _, Some(file), None) => diagnostic.in_file(file.path),
        _ => match place.stories.first().map(|&idx| &stories[idx]) {
            Some(story) => story_diagnostic(diagnostic, story, place.kind.field()),
            None => diagnostic,
        },
    };
    located.with_help(help)
}

/// A slug for a place whose pinyin slug is taken by a sibling: the pinyin with tone numbers
/// (`幸福街道` → `xing4-fu2-jie-dao`; the level, such as 街道 or 社区, without them), and a
/// number after it if a sibling has that one too.
fn suggest_slug(name: &str, taken: &[&str]) -> String {
    use pinyin::ToPinyin;
    const LEVELS: [&str; 14] = [
        "街道办事处",
        "街道",
        "社区",
        "村委会",
        "居委会",
        "镇",
        "乡",
        "村",
        "区",
        "县",
        "市",
        "州",
        "旗",
        "盟",
    ];
    let (stem, level) = LEVELS
        .iter()
        .find_map(|level| {
            name.strip_suffix(level)
                .filter(|stem| !stem.is_empty())
                .map(|stem| (stem, *level))
        })
        .unwrap_or((name, ""));
    let mut words = String::new();
    for (c, reading) in stem.chars().zip(stem.to_pinyin()) {
        // The tone only where the pinyin crate reads the character as the slug does (deunicode
        // reads 都 in 都江堰 as dū, the pinyin crate as dōu): never a tone on another reading.
        let toned = reading
            .map(pinyin::Pinyin::with_tone_num_end)
            .filter(|toned| {
                let letters = toned.trim_end_matches(|c: char| c.is_ascii_digit());
                deunicode::deunicode_char(c)
                    .is_some_and(|plain| plain.trim().eq_ignore_ascii_case(letters))
            });
        match toned {
            Some(toned) => {
                words.push(' ');
                words.push_str(toned);
                words.push(' ');
            }
            None => words.push(c),
        }
    }
    words.push(' ');
    words.push_str(level);
    let toned = place_slug(&words);
    let mut suggestion = toned.clone();
    let mut n = 2;
    while taken.contains(&suggestion.as_str()) || suggestion == "page" {
        suggestion = format!("{toned}-{n}");
        n += 1;
    }
    suggestion
}

/// The pinyin slug of a place name, never empty.
pub(crate) fn place_slug(name: &str) -> String {
    let slug = text::slugify(name);
    if !slug.is_empty() {
        return slug;
    }
    let code_points: Vec<String> = name
        .chars()
        .map(|c| format!("{:x}", u32::from(c)))
        .collect();
    format!("u-{}", code_points.join("-"))
}

/// Writes the registered names into a story whose places were written as aliases, and the
/// street when it was inferred.
fn rename_story(places: &Places, story_places: StoryPlaces, story: &mut Story) {
    let name = |id: PlaceId| places.all[id].name.clone();
    if story.district != places.all[story_places.district].name {
        story.district = name(story_places.district);
    }
    if let Some(street) = story_places.street
        && story.street != places.all[street].name
    {
        story.street = name(street);
    }
    if story.community != places.all[story_places.community].name {
        story.community = name(story_places.community);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggested_slug_has_tones_where_the_name_has_them_and_is_free() {
        assert_eq!(
            suggest_slug("幸福街道", &["xing-fu-jie-dao"]),
            "xing4-fu2-jie-dao"
        );
        assert_eq!(suggest_slug("兴福街道", &[]), "xing1-fu2-jie-dao");
        assert_eq!(suggest_slug("白莲社区", &[]), "bai2-lian2-she-qu");
        // The level alone is a name, not a level.
        assert_eq!(suggest_slug("区", &[]), "qu1");
        // No tone where the two transliterations read the character differently.
        assert_eq!(suggest_slug("都江堰市", &[]), "du-jiang1-yan4-shi");
        assert_eq!(suggest_slug("A座社区", &[]), "a-zuo4-she-qu");
        assert_eq!(
            suggest_slug("幸福街道", &["xing4-fu2-jie-dao", "xing4-fu2-jie-dao-2"]),
            "xing4-fu2-jie-dao-3"
        );
    }

    #[test]
    fn slugs_are_never_empty() {
        assert_eq!(place_slug("白莲社区"), "bai-lian-she-qu");
        assert_eq!(place_slug("〇"), "0");
        assert_eq!(place_slug("！"), "u-ff01");
    }
}
