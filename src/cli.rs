//! Command-line syntax (clap derive). No logic: `cmd/` turns these into configs.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// yuanba (院坝): a static site generator for community news.
#[derive(Debug, Parser)]
#[command(name = "yuanba", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default)
    Build(BuildArgs),
    /// Check the whole site and report every problem, writing nothing
    Check(CheckArgs),
    /// Create a new site in DIR (site.yaml, a sample story, the default theme)
    Init(InitArgs),
    /// Serve the site with drafts, rebuild on every change and reload open pages
    Serve(ServeArgs),
    /// Start a new draft story from the archetype
    New(NewArgs),
    /// Publish the built site to a target of site.yaml (S3, rsync, a git branch)
    Deploy(DeployArgs),
}

/// `yuanba deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub root: RootArgs,
    /// The target of site.yaml's `deploy:` to publish to (the first one by default)
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// Print what would be uploaded and deleted, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse, before changing anything, a deploy that would delete more remote files
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_deletes: usize,
    /// Deploy a site built with --drafts or --future
    #[arg(long)]
    pub allow_drafts: bool,
}

/// Options every command that reads a site takes.
#[derive(Debug, Args)]
pub struct RootArgs {
    /// The site folder (where site.yaml is)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// `yuanba build`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools, reason = "each is a command-line flag")]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArgs,
    /// Write the site here instead of `output_dir` from site.yaml
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include stories and pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Include stories dated in the future (in the site time zone)
    #[arg(long)]
    pub future: bool,
    /// Use this base URL instead of `base_url` from site.yaml
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Keep running and rebuild the output folder on every change of the sources
    #[arg(long)]
    pub watch: bool,
    /// With --watch: look for changes every half second instead of being told (network drives)
    #[arg(long, requires = "watch")]
    pub poll: bool,
}

/// `yuanba serve`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools, reason = "each is a command-line flag")]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArgs,
    /// Port to listen on; when taken, the next free one is used. 0 lets the system choose
    #[arg(long, short, value_name = "N", default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address exposes the drafts to the network
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Show drafts, with a 草稿 banner (the default)
    #[arg(long, overrides_with = "no_drafts")]
    pub drafts: bool,
    /// Leave drafts out, as `yuanba build` does
    #[arg(long)]
    pub no_drafts: bool,
    /// Show stories dated in the future (in the site time zone), as `build --future` does
    #[arg(long)]
    pub future: bool,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Look for changes every half second instead of being told (network drives)
    #[arg(long)]
    pub poll: bool,
}

/// `yuanba init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (must be empty or not exist); defaults to --root
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub root: RootArgs,
}

/// `yuanba check`.
#[derive(Debug, Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent command-line flags, turned into `Overrides` and `Checks` by `cmd::check`"
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArgs,
    /// Check drafts too, as if they were published
    #[arg(long)]
    pub drafts: bool,
    /// Check stories dated in the future too, as if they were published
    #[arg(long)]
    pub future: bool,
    /// How to print the problems: `human` (source lines and carets) or `json` (one object a line)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit code 1 when there is any)
    #[arg(long)]
    pub strict: bool,
    /// Also check links to other sites (HEAD, then GET; see `link_check` in site.yaml)
    #[arg(long)]
    pub external: bool,
}

/// How `check` prints diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: `path:line:col`, the message, source lines with a caret, help.
    Human,
    /// For tools: one JSON object a line.
    Json,
}

/// `yuanba new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The headline of the story
    #[arg(value_name = "TITLE")]
    pub title: String,
    /// The community (社区/村) the story is about; district and street come from the place
    /// registry when the site has one
    #[arg(long)]
    pub community: String,
    /// The district (区/县/市); required when the site has no place registry
    #[arg(long)]
    pub district: Option<String>,
    /// The street (街道/镇/乡)
    #[arg(long)]
    pub street: Option<String>,
    /// The reporter (default: 编辑部)
    #[arg(long)]
    pub reporter: Option<String>,
    /// Publication date, YYYY-MM-DD (default: today in the site time zone)
    #[arg(long)]
    pub date: Option<String>,
    /// The URL slug and file name (default: the pinyin of the title)
    #[arg(long)]
    pub slug: Option<String>,
    /// Create a folder `<slug>/index.md`, for a story with photos beside it
    #[arg(long)]
    pub bundle: bool,
    #[command(flatten)]
    pub root: RootArgs,
}
