//! yuanba (院坝): a static site generator for community news, Chinese-first.
//!
//! Modules in reading order: the command line and its glue (`cli`, `cmd`), the configuration
//! (`config`), loading stories (`content`), the in-memory site (`site`), templates (`render`),
//! the search index (`search`), writing files (`output`), and the live preview (`serve`).
//! `ARCHITECTURE.md` at the repository root maps them.

pub(crate) mod archetype;
pub(crate) mod check;
pub mod cli;
pub(crate) mod cmd;
pub mod config;
pub mod content;
pub(crate) mod deploy;
pub mod deploy_config;
pub mod diagnostic;
pub mod exit;
pub(crate) mod fields;
pub(crate) mod files;
pub(crate) mod images;
pub(crate) mod incremental;
pub(crate) mod output;
pub(crate) mod pipeline;
pub mod render;
pub mod search;
pub(crate) mod serve;
pub mod site;
pub(crate) mod text;
pub(crate) mod theme_config;
pub(crate) mod timing;
pub(crate) mod yaml;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> exit::ExitCode {
    match cli.command {
        cli::Command::Build(args) => cmd::build::run(&args),
        cli::Command::Check(args) => cmd::check::run(&args),
        cli::Command::Init(args) => cmd::init::run(&args),
        cli::Command::Serve(args) => cmd::serve::run(&args),
        cli::Command::New(args) => cmd::new::run(&args),
        cli::Command::Deploy(args) => cmd::deploy::run(&args),
    }
}
