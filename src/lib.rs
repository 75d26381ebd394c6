//! yuanba (院坝): a static site generator for community news, Chinese-first.
//!
//! Modules in reading order: the command line and its glue (`cli`, `cmd`), the configuration
//! (`config`), loading stories (`content`), the in-memory site (`site`), templates (`render`),
//! the search index (`search`) and writing files (`output`). `ARCHITECTURE.md` at the
//! repository root maps them.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod exit;
pub mod fields;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod site;
pub mod text;
pub mod yaml;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> exit::ExitCode {
    match cli.command {
        cli::Command::Build(args) => cmd::build::run(&args),
        cli::Command::Init(args) => cmd::init::run(&args),
    }
}
