//! The site configuration: `site.yaml` at the site root, read and validated once.
//!
//! [`load`] turns the file plus the command-line overrides into a [`SiteConfig`] that every later
//! stage borrows. Nothing below `cmd` sees clap types; the overrides arrive as [`Overrides`].

use crate::diagnostic::Code;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::fields::{self, YamlBlock};
use crate::theme_config::{self, ThemeConfig};
use crate::yaml::Value;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.yaml";

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "tagline",
    "base_url",
    "language",
    "timezone",
    "theme",
    "output_dir",
    "paginate_by",
    "theme_options",
    "link_check",
    "campaign",
    "contact",
    "extra",
    "search",
    "deploy",
    "fingerprint_assets",
    "images",
    "cache_dir",
];

/// `site.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    tagline: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    theme: Option<String>,
    output_dir: Option<String>,
    paginate_by: Option<i64>,
    theme_options: Option<crate::yaml::Mapping>,
    link_check: Option<LinkCheck>,
    campaign: Option<Campaign>,
    contact: Option<Contact>,
    extra: Option<Value>,
    search: Option<bool>,
    deploy: Option<Vec<crate::deploy_config::RawTarget>>,
    fingerprint_assets: Option<bool>,
    images: Option<crate::images::settings::RawImages>,
    cache_dir: Option<String>,
}

/// The campaign the column belongs to (the banner at the top of the seed page).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Full name of the campaign.
    pub name: String,
    /// A paragraph about it.
    #[serde(default)]
    pub description: String,
    /// 指导单位.
    #[serde(default)]
    pub guiding_units: Vec<String>,
    /// 主办.
    #[serde(default)]
    pub organizers: Vec<String>,
}

/// How readers reach the newsroom (the seed's 互动通道 box).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Heading of the box.
    #[serde(default = "default_contact_title")]
    pub title: String,
    /// A paragraph above the channels.
    #[serde(default)]
    pub intro: String,
    /// Phone, Weibo, `WeChat`...
    #[serde(default)]
    pub channels: Vec<ContactChannel>,
}

/// One way to reach the newsroom.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContactChannel {
    /// 电话, 微博, 微信.
    pub name: String,
    /// The number or account.
    pub value: String,
    /// What to do with it.
    pub note: Option<String>,
    /// A link (`tel:`, `https:`), when there is one.
    pub href: Option<String>,
}

/// `link_check`: how `yuanba check --external` treats links to other sites.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkCheck {
    /// URLs that start with one of these are not fetched (sites that refuse robots, intranets).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Seconds to wait for one answer.
    #[serde(default = "default_link_timeout")]
    pub timeout: u64,
    /// Seconds between two requests to the same host.
    #[serde(default = "default_host_delay")]
    pub host_delay: f64,
}

impl Default for LinkCheck {
    fn default() -> Self {
        LinkCheck {
            skip: Vec::new(),
            timeout: default_link_timeout(),
            host_delay: default_host_delay(),
        }
    }
}

fn default_link_timeout() -> u64 {
    10
}

fn default_host_delay() -> f64 {
    1.0
}

fn default_contact_title() -> String {
    "互动通道".to_string()
}

/// What the command line may change in the configuration.
#[derive(Debug, Clone, Default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches of the commands: drafts, future, fingerprints, read-only"
)]
pub struct Overrides {
    /// Replaces `output_dir` (relative to the current folder, like any command-line path).
    pub output_dir: Option<PathBuf>,
    /// Replaces `base_url`.
    pub base_url: Option<String>,
    /// Include stories and pages marked `draft: true`.
    pub drafts: bool,
    /// Include stories dated after the build time.
    pub future: bool,
    /// What the process environment says.
    pub env: Environment,
    /// Give the theme's stylesheets and scripts content-hashed names (`build`, `check`).
    pub fingerprint_assets: bool,
    /// Write nothing beside the output folder, not even the image cache (`check`).
    pub read_only: bool,
}

/// The process environment's settings, read once by `cmd` (nothing below it reads the
/// environment).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `SOURCE_DATE_EPOCH`: the build time, in seconds since 1970, for reproducible builds.
    pub source_date_epoch: Option<String>,
    /// `YUANBA_TIMINGS`: print how long each step of a build takes.
    pub timings: bool,
    /// `YUANBA_VERIFY_REBUILDS`: `serve` and `build --watch` compare every published site with a
    /// clean build and report a difference.
    pub verify_rebuilds: bool,
}

/// The resolved, validated configuration of one site.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent settings: drafts, future, search, fingerprinted assets"
)]
pub struct SiteConfig {
    /// The site root (where `site.yaml` is).
    pub root: PathBuf,
    /// Site title.
    pub title: String,
    /// One sentence about the site, for `<meta name="description">`.
    pub description: String,
    /// A short line under the title.
    pub tagline: String,
    /// Absolute URL, always ending with `/`.
    pub base_url: String,
    /// The path of `base_url`, starting and ending with `/`.
    pub base_path: String,
    /// `lang` of every page.
    pub language: String,
    /// IANA name of the site time zone.
    pub timezone_name: String,
    /// The site time zone: dates without an offset are read in it.
    pub timezone: jiff::tz::TimeZone,
    /// Name of the active theme (`themes/<theme>/`).
    pub theme: String,
    /// Where the site is written (absolute).
    pub output_dir: PathBuf,
    /// The `output_dir` line of `site.yaml`, when that is what set `output_dir`.
    pub output_dir_setting: Option<Setting>,
    /// Campaign banner data.
    pub campaign: Option<Campaign>,
    /// Contact box data.
    pub contact: Option<Contact>,
    /// Free data for themes.
    pub extra: Value,
    /// Whether drafts are built.
    pub include_drafts: bool,
    /// Whether stories dated after `now` are built.
    pub include_future: bool,
    /// The build time: stories dated later are not published yet.
    pub now: jiff::Timestamp,
    /// The build time that `SOURCE_DATE_EPOCH` fixes, if it does.
    pub fixed_now: Option<jiff::Timestamp>,
    /// Whether to print how long each step of a build takes.
    pub timings: crate::timing::Timings,
    /// Items per page of every list (at least 1): `site.yaml`, else `theme.yaml`, else 20.
    pub paginate_by: usize,
    /// The theme's options after the site's `theme_options` (`theme.options` in templates).
    pub theme_options: crate::yaml::Mapping,
    /// The theme's `description` from its `theme.yaml`.
    pub theme_description: String,
    /// How `check --external` fetches links.
    pub link_check: LinkCheck,
    /// Whether the search page and its index under `search/` are built.
    pub search: bool,
    /// Where `yuanba deploy` publishes the site, the default first.
    pub deploy: Vec<crate::deploy_config::Target>,
    /// Whether the theme's stylesheets and scripts get content-hashed names that
    /// `asset(path=…)` links: `fingerprint_assets` in site.yaml (default `true`), for `build`
    /// and `check` only (not `serve` or `build --watch`).
    pub fingerprint_assets: bool,
    /// `images:` of the theme, then of the site, and where the cache lives.
    pub images: crate::images::ImageSettings,
    /// What this configuration's builds learnt of image files (shared by the clones).
    pub photo_memo: Arc<crate::images::Memo>,
    /// Told how far the photo step of a build is (`cmd` draws a progress bar with it).
    pub image_progress: crate::images::Progress,
    /// The variants templates asked for with `resize_image` (shared by the clones).
    pub image_requests: Arc<crate::images::Requests>,
}

impl SiteConfig {
    /// `content/` of the site.
    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// `templates/` of the site (overrides).
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    /// `static/` of the site.
    pub fn static_dir(&self) -> PathBuf {
        self.root.join("static")
    }

    /// `themes/<theme>/` of the site.
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }

    /// The path of a file relative to the site root, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// A setting as written in `site.yaml`, for errors that its value causes later (outside
/// `config`): they point at the line that set it.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The key, such as `output_dir`.
    pub key: &'static str,
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// The file's text.
    pub source: Arc<str>,
    /// The value's bytes in `source`.
    pub span: std::ops::Range<usize>,
}

impl Setting {
    /// The top-level `key` of `block`, if it is there.
    fn of(block: &YamlBlock<'_>, key: &'static str) -> Option<Setting> {
        let (offset, len) = block.value_span(&block.keys(), key)?;
        let start = block.start + offset;
        Some(Setting {
            key,
            path: block.path.to_path_buf(),
            source: Arc::clone(block.source),
            span: start..start + len,
        })
    }

    /// The line it is on, counted from 1.
    pub fn line(&self) -> usize {
        self.source[..self.span.start].matches('\n').count() + 1
    }

    /// An error at the setting's value.
    pub(crate) fn error(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, message)
            .at(&self.path, &self.source, self.span.clone())
            .with_label(format!("`{}` set here", self.key))
    }
}

impl std::fmt::Display for Setting {
    /// `` `output_dir` in site.yaml, line 3 ``.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` in {}, line {}",
            self.key,
            self.path.display(),
            self.line()
        )
    }
}

/// Reads `site.yaml` in `root` and applies the overrides.
pub fn load(root: &Path, overrides: &Overrides) -> Result<SiteConfig, Vec<Diagnostic>> {
    let source: Arc<str> = Arc::from(read_config_file(root)?);
    let block = YamlBlock {
        path: Path::new(CONFIG_FILE),
        source: &source,
        start: 0,
        text: &source,
    };
    let raw = read_raw(&block)?;
    resolve(root, raw, overrides, &block)
}

/// The text of `site.yaml`, or why there is none to read.
fn read_config_file(root: &Path) -> Result<String, Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(crate::files::normalize_text(text)),
            Err(_) => Err(vec![
                Diagnostic::error(Code::ConfigEncoding, "site.yaml is not valid UTF-8")
                    .in_file(Path::new(CONFIG_FILE))
                    .with_help("save the file as UTF-8"),
            ]),
        },
        Err(error) => {
            let message = if error.kind() == std::io::ErrorKind::NotFound {
                format!("no {CONFIG_FILE} in {}", root.display())
            } else {
                format!("cannot read {}: {error}", path.display())
            };
            Err(vec![
                Diagnostic::error(Code::ConfigMissing, message)
                    .with_help("run yuanba in a site folder, pass --root DIR, or create one with `yuanba init DIR`"),
            ])
        }
    }
}

/// `site.yaml` deserialized: every unknown key first, then an empty file, then serde's first
/// error, then an `extra` that templates cannot use.
fn read_raw(block: &YamlBlock<'_>) -> Result<RawConfig, Vec<Diagnostic>> {
    let keys = block.keys();
    let unknown = fields::unknown_keys(
        block,
        &keys,
        KNOWN_KEYS,
        Code::ConfigUnknownField,
        "site.yaml",
    );
    if !unknown.is_empty() {
        return Err(unknown);
    }
    if block.source.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(Code::ConfigEmpty, "site.yaml is empty")
                .in_file(block.path)
                .with_help("add at least `title:` and `base_url:`"),
        ]);
    }
    let raw: RawConfig = fields::deserialize(block, Code::ConfigInvalid).map_err(|d| vec![d])?;
    if let Some(diagnostic) =
        fields::check_extra(block, &keys, raw.extra.as_ref(), Code::ConfigInvalid)
    {
        return Err(vec![diagnostic]);
    }
    Ok(raw)
}

/// The settings of `site.yaml` that can be wrong, checked.
struct Checked {
    title: String,
    base_url: BaseUrl,
    timezone_name: String,
    timezone: jiff::tz::TimeZone,
    theme: ResolvedTheme,
    link_check: LinkCheck,
    fixed_now: Option<jiff::Timestamp>,
    deploy: Vec<crate::deploy_config::Target>,
    images: crate::images::ImageSettings,
}

fn resolve(
    root: &Path,
    raw: RawConfig,
    overrides: &Overrides,
    block: &YamlBlock<'_>,
) -> Result<SiteConfig, Vec<Diagnostic>> {
    let checked = check_settings(root, &raw, overrides, block)?;
    let output_dir_setting = match overrides.output_dir {
        Some(_) => None,
        None => Setting::of(block, "output_dir"),
    };
    let mut config = site_config(root, raw, overrides, checked);
    config.output_dir_setting = output_dir_setting;
    Ok(config)
}

/// Checks every setting that can be wrong and reports all the problems at once, in this order:
/// title, base URL, time zone, theme, `link_check`, `SOURCE_DATE_EPOCH`.
fn check_settings(
    root: &Path,
    raw: &RawConfig,
    overrides: &Overrides,
    block: &YamlBlock<'_>,
) -> Result<Checked, Vec<Diagnostic>> {
    let keys = block.keys();
    let mut diagnostics = Vec::new();
    let title = check_title(raw.title.as_deref(), block, &mut diagnostics);
    let base_url = check_base_url(
        overrides.base_url.as_deref(),
        raw.base_url.as_deref(),
        block,
        &mut diagnostics,
    );
    let timezone_name = raw
        .timezone
        .clone()
        .unwrap_or_else(|| "Asia/Shanghai".to_string());
    let timezone = check_timezone(&timezone_name, block, &mut diagnostics);
    let theme_keys = ThemeKeys {
        theme: raw.theme.as_deref(),
        paginate_by: raw.paginate_by,
        theme_options: raw.theme_options.as_ref(),
    };
    let theme = resolve_theme(root, theme_keys, block, &mut diagnostics);
    let images = image_settings(root, raw, overrides, &theme, block, &mut diagnostics);
    let link_check = raw.link_check.clone().unwrap_or_default();
    diagnostics.extend(check_link_check(&link_check, block, &keys));
    let deploy_span = block
        .value_span(&keys, "deploy")
        .map_or(0..1, |(offset, len)| offset..offset + len);
    let deploy =
        crate::deploy_config::check(raw.deploy.clone().unwrap_or_default(), block, deploy_span)
            .unwrap_or_else(|problems| {
                diagnostics.extend(problems);
                Vec::new()
            });
    let fixed_now =
        build_time(overrides.env.source_date_epoch.as_deref()).unwrap_or_else(|diagnostic| {
            diagnostics.push(diagnostic);
            None
        });
    let (Some(base_url), Some(timezone), true) = (base_url, timezone, diagnostics.is_empty())
    else {
        return Err(diagnostics);
    };
    Ok(Checked {
        title,
        base_url,
        timezone_name,
        timezone,
        theme,
        link_check,
        fixed_now,
        deploy,
        images,
    })
}

/// `images:` of the theme's layers, then of the site, and `cache_dir` (relative to the root).
fn image_settings(
    root: &Path,
    raw: &RawConfig,
    overrides: &Overrides,
    theme: &ResolvedTheme,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> crate::images::ImageSettings {
    let mut images = theme.images.clone();
    if let Some(of_site) = &raw.images {
        let (layer, problems) =
            crate::images::settings::check_layer(of_site, block, &block.keys(), Code::ConfigImages);
        layer.apply_to(&mut images);
        diagnostics.extend(problems);
    }
    images.cache_dir = match raw.cache_dir.as_deref().map(str::trim) {
        Some("") => {
            let (offset, len) = block
                .value_span(&block.keys(), "cache_dir")
                .unwrap_or((0, 1));
            diagnostics.push(
                block
                    .error_at(Code::ConfigImages, "`cache_dir` is empty", offset, len)
                    .with_help("leave it out for `.yuanba/cache/images`, or name a folder"),
            );
            images.cache_dir
        }
        Some(dir) => {
            let dir = absolute(&root.join(dir));
            if let Some(problem) = cache_dir_problem(root, &dir, raw, overrides) {
                let (offset, len) = block
                    .value_span(&block.keys(), "cache_dir")
                    .unwrap_or((0, 1));
                diagnostics.push(
                    block
                        .error_at(
                            Code::ConfigImages,
                            format!("`cache_dir` {problem}"),
                            offset,
                            len,
                        )
                        .with_help(
                            "leave it out for `.yuanba/cache/images`, or name a folder of its own",
                        ),
                );
            }
            dir
        }
        None => absolute(&root.join(crate::images::settings::DEFAULT_CACHE_DIR)),
    };
    images.read_only = overrides.read_only;
    images
}

/// Why `cache_dir` (absolute) cannot hold the image cache: the site root itself, inside the
/// output folder (a build replaces it) or holding it, or inside a folder of sources (its files
/// would be published or read as content).
fn cache_dir_problem(
    root: &Path,
    cache_dir: &Path,
    raw: &RawConfig,
    overrides: &Overrides,
) -> Option<String> {
    let root = absolute(root);
    let output_dir = match &overrides.output_dir {
        Some(dir) => absolute(dir),
        None => absolute(&root.join(raw.output_dir.as_deref().unwrap_or("public"))),
    };
    if cache_dir == root {
        return Some("is the site folder itself".to_string());
    }
    if cache_dir.starts_with(&output_dir) || output_dir.starts_with(cache_dir) {
        return Some("overlaps the output folder, which every build replaces".to_string());
    }
    ["content", "static", "themes", "templates", "data"]
        .into_iter()
        .find(|name| cache_dir.starts_with(root.join(name)))
        .map(|name| format!("is inside `{name}/`, whose files the build reads or publishes"))
}

/// The site title, trimmed; an error when there is none.
fn check_title(
    title: Option<&str>,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let title = title.unwrap_or_default().trim().to_string();
    if title.is_empty() {
        diagnostics.push(
            block
                .error_at(Code::ConfigMissingField, "the site needs a `title`", 0, 0)
                .with_help("add a line such as `title: 华西社区报`"),
        );
    }
    title
}

/// `--base-url`, else `base_url`, checked and split.
fn check_base_url(
    from_command_line: Option<&str>,
    from_file: Option<&str>,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<BaseUrl> {
    let text = from_command_line.or(from_file).unwrap_or_default();
    let message = match parse_base_url(text) {
        Ok(base_url) => return Some(base_url),
        Err(message) => message,
    };
    let diagnostic = if from_command_line.is_some() {
        Diagnostic::error(Code::ConfigBaseUrl, format!("--base-url {message}"))
    } else {
        let (offset, len) = block
            .value_span(&block.keys(), "base_url")
            .unwrap_or((0, 1));
        block.error_at(
            Code::ConfigBaseUrl,
            format!("`base_url` {message}"),
            offset,
            len,
        )
    };
    diagnostics.push(diagnostic.with_help(
        "write it as an absolute URL such as `https://example.org/` or `https://example.org/news/`",
    ));
    None
}

/// The time zone called `name`; an error when jiff does not know it.
fn check_timezone(
    name: &str,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<jiff::tz::TimeZone> {
    let timezone = jiff::tz::TimeZone::get(name).ok();
    if timezone.is_none() {
        let (offset, len) = block
            .value_span(&block.keys(), "timezone")
            .unwrap_or((0, 1));
        let message = format!("unknown time zone `{name}`");
        diagnostics.push(
            block
                .error_at(Code::ConfigTimezone, message, offset, len)
                .with_help("use an IANA time zone name such as `Asia/Shanghai` or `UTC`"),
        );
    }
    timezone
}

/// The configuration: what was checked, the settings that need no checking, the overrides.
fn site_config(root: &Path, raw: RawConfig, overrides: &Overrides, checked: Checked) -> SiteConfig {
    let output_dir = match &overrides.output_dir {
        Some(dir) => absolute(dir),
        None => absolute(&root.join(raw.output_dir.as_deref().unwrap_or("public"))),
    };
    SiteConfig {
        root: root.to_path_buf(),
        title: checked.title,
        description: raw.description.unwrap_or_default(),
        tagline: raw.tagline.unwrap_or_default(),
        base_url: checked.base_url.url,
        base_path: checked.base_url.path,
        language: raw.language.unwrap_or_else(|| "zh-CN".to_string()),
        timezone_name: checked.timezone_name,
        timezone: checked.timezone,
        theme: checked.theme.name,
        output_dir,
        output_dir_setting: None,
        campaign: raw.campaign,
        contact: raw.contact,
        extra: raw
            .extra
            .unwrap_or(Value::Mapping(crate::yaml::Mapping::new())),
        include_drafts: overrides.drafts,
        include_future: overrides.future,
        now: checked.fixed_now.unwrap_or_else(jiff::Timestamp::now),
        fixed_now: checked.fixed_now,
        timings: crate::timing::Timings::new(overrides.env.timings),
        paginate_by: checked.theme.paginate_by,
        theme_options: checked.theme.options,
        theme_description: checked.theme.description,
        link_check: checked.link_check,
        search: raw.search.unwrap_or(true),
        deploy: checked.deploy,
        fingerprint_assets: overrides.fingerprint_assets && raw.fingerprint_assets.unwrap_or(true),
        images: checked.images,
        photo_memo: Arc::default(),
        image_progress: crate::images::Progress::default(),
        image_requests: Arc::default(),
    }
}

/// The keys of `site.yaml` that choose and set up the theme.
#[derive(Clone, Copy)]
struct ThemeKeys<'a> {
    theme: Option<&'a str>,
    paginate_by: Option<i64>,
    theme_options: Option<&'a crate::yaml::Mapping>,
}

/// The theme and the settings it decides: `site.yaml` over `theme.yaml` over the defaults.
struct ResolvedTheme {
    name: String,
    description: String,
    paginate_by: usize,
    options: crate::yaml::Mapping,
    /// The image settings the theme's layers give (the cache folder is set later).
    images: crate::images::ImageSettings,
}

fn resolve_theme(
    root: &Path,
    keys_of_site: ThemeKeys<'_>,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ResolvedTheme {
    let name = keys_of_site.theme.unwrap_or("default").to_string();
    let settings = theme_settings(root, &name, block, diagnostics);
    let paginate_by = paginate_by(keys_of_site.paginate_by, &settings, block, diagnostics);
    let no_options = crate::yaml::Mapping::new();
    let options = theme_config::apply_site_options(
        &settings,
        &name,
        keys_of_site.theme_options.unwrap_or(&no_options),
        block,
        &block.keys(),
    )
    .unwrap_or_else(|found| {
        diagnostics.extend(found);
        crate::yaml::Mapping::new()
    });
    let mut images = crate::images::ImageSettings::defaults(root);
    for layer in &settings.images {
        layer.apply_to(&mut images);
    }
    ResolvedTheme {
        name,
        description: settings.description,
        paginate_by,
        options,
        images,
    }
}

/// The `theme.yaml` layers of the theme `name`, merged; the defaults when `name` is not a
/// theme folder name or a layer is broken (both reported).
fn theme_settings(
    root: &Path,
    name: &str,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ThemeConfig {
    match check_theme_name(name) {
        Ok(()) => theme_config::layers(root, name)
            .and_then(|layers| theme_config::load(&layers))
            .unwrap_or_else(|found| {
                diagnostics.extend(found);
                ThemeConfig::default()
            }),
        Err(message) => {
            let (offset, len) = block.value_span(&block.keys(), "theme").unwrap_or((0, 1));
            diagnostics.push(block.error_at(Code::ConfigTheme, message, offset, len));
            ThemeConfig::default()
        }
    }
}

/// Items per list page: `site.yaml`'s `paginate_by` (checked), else the theme's, else the
/// default, which also stands in for a wrong value.
fn paginate_by(
    of_site: Option<i64>,
    theme: &ThemeConfig,
    block: &YamlBlock<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> usize {
    match of_site {
        None => Ok(theme
            .paginate_by
            .unwrap_or(theme_config::DEFAULT_PAGINATE_BY)),
        Some(n) => theme_config::check_paginate_by(n),
    }
    .unwrap_or_else(|message| {
        let (offset, len) = block
            .value_span(&block.keys(), "paginate_by")
            .unwrap_or((0, 1));
        diagnostics.push(
            block
                .error_at(Code::ConfigPaginateBy, message, offset, len)
                .with_help(format!(
                    "the default is {}",
                    theme_config::DEFAULT_PAGINATE_BY
                )),
        );
        theme_config::DEFAULT_PAGINATE_BY
    })
}

/// Problems with the values of `link_check`.
fn check_link_check(
    link_check: &LinkCheck,
    block: &YamlBlock<'_>,
    keys: &[crate::yaml::TopLevelKey],
) -> Vec<Diagnostic> {
    let (offset, len) = block.value_span(keys, "link_check").unwrap_or((0, 1));
    let mut problems = Vec::new();
    if !(1..=300).contains(&link_check.timeout) {
        problems.push(format!(
            "`link_check.timeout` must be between 1 and 300 seconds, not {}",
            link_check.timeout
        ));
    }
    if !(0.0..=60.0).contains(&link_check.host_delay) {
        problems.push(format!(
            "`link_check.host_delay` must be between 0 and 60 seconds, not {}",
            link_check.host_delay
        ));
    }
    problems
        .into_iter()
        .map(|message| block.error_at(Code::ConfigLinkCheck, message, offset, len))
        .collect()
}

/// A theme is a folder name under `themes/`.
fn check_theme_name(theme: &str) -> Result<(), String> {
    if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
        Err(format!(
            "`theme` must be a folder name under themes/, not `{theme}`"
        ))
    } else {
        Ok(())
    }
}

impl SiteConfig {
    /// Sets the build time to now again, for a rebuild that keeps this configuration (unless
    /// `SOURCE_DATE_EPOCH` sets it).
    pub fn refresh_now(&mut self) {
        self.now = self.fixed_now.unwrap_or_else(jiff::Timestamp::now);
    }
}

/// The build time: now, or `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds
/// convention) when it is set, so that a build can be repeated as of a given moment.
fn build_time(source_date_epoch: Option<&str>) -> Result<Option<jiff::Timestamp>, Diagnostic> {
    let Some(text) = source_date_epoch.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.parse::<i64>()
        .ok()
        .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
        .map(Some)
        .ok_or_else(|| {
            Diagnostic::error(
                Code::ConfigSourceDateEpoch,
                format!("SOURCE_DATE_EPOCH is `{text}`, not a number of seconds since 1970"),
            )
            .with_help("unset it, or set it to a Unix time such as 1700000000")
        })
}

/// A path made absolute against the current folder, with `.` and `..` resolved by path logic,
/// so that checks on it and the renames done with it agree on which folder it is.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

/// `base_url` checked and split: `https://x.org/news` has the URL `https://x.org/news/` and the
/// path `/news/`.
#[derive(Debug, PartialEq, Eq)]
struct BaseUrl {
    /// Absolute, ending with `/`.
    url: String,
    /// Starting and ending with `/`.
    path: String,
}

/// Checks `base_url` and splits off its path.
fn parse_base_url(text: &str) -> Result<BaseUrl, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is missing".to_string());
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(format!("must be an absolute URL, not `{text}`"));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(format!(
            "must start with http:// or https://, not `{scheme}://`"
        ));
    }
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("has no host: `{text}`"));
    }
    if path.contains(['?', '#']) || path.contains(char::is_whitespace) {
        return Err(format!(
            "must not have a query, fragment or spaces: `{text}`"
        ));
    }
    let trimmed = path.trim_matches('/');
    let base_path = if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    };
    Ok(BaseUrl {
        url: format!("{scheme}://{host}{base_path}"),
        path: base_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_gets_a_trailing_slash_and_a_path() {
        assert_eq!(
            parse_base_url("https://example.org").expect("valid"),
            BaseUrl {
                url: "https://example.org/".to_string(),
                path: "/".to_string()
            }
        );
        assert_eq!(
            parse_base_url("https://example.org/news").expect("valid"),
            BaseUrl {
                url: "https://example.org/news/".to_string(),
                path: "/news/".to_string()
            }
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:1111/a/b/")
                .expect("valid")
                .path,
            "/a/b/"
        );
    }

    #[test]
    fn absolute_resolves_dots_by_path_logic() {
        assert_eq!(
            absolute(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(
            absolute(Path::new("/a/nonexist/../../o3")),
            PathBuf::from("/o3")
        );
    }

    #[test]
    fn base_url_must_be_absolute_http() {
        assert!(parse_base_url("").is_err());
        assert!(parse_base_url("example.org").is_err());
        assert!(parse_base_url("ftp://example.org").is_err());
        assert!(parse_base_url("https:///x").is_err());
        assert!(parse_base_url("https://x.org/?a=1").is_err());
    }
}
