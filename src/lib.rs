//! yuanba (院坝): a static site generator for community news, Chinese-first.
//!
//! Modules in reading order: the command line and its glue (`cli`, `cmd`), the configuration
//! (`config`), loading stories (`content`), the in-memory site (`site`), templates (`render`),
//! the search index (`search`), writing files (`output`), and the live preview (`serve`).
//! `ARCHITECTURE.md` at the repository root maps them.

pub mod archetype;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod exit;
pub mod fields;
pub mod files;
pub(crate) mod incremental;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;
pub mod theme_config;
pub mod timing;
pub mod yaml;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> exit::ExitCode {
    match cli.command {
        cli::Command::Build(args) => cmd::build::run(&args),
        cli::Command::Check(args) => cmd::check::run(&args),
        cli::Command::Init(args) => cmd::init::run(&args),
        cli::Command::Serve(args) => cmd::serve::run(&args),
        cli::Command::New(args) => cmd::new::run(&args),
    }
}
