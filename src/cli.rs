//! Command-line syntax (clap derive). No logic: `cmd/` turns these into configs.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Create a new site in DIR (site.yaml, a sample story, the default theme)
    Init(InitArgs),
    /// Serve the site with drafts, rebuild on every change and reload open pages
    Serve(ServeArgs),
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
