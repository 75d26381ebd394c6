//! Command-line syntax (clap derive). No logic: `cmd/` turns these into configs.

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
