//! The `yuanba` binary: parse the command line, run it, map the result to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = yuanba::cli::Cli::parse();
    yuanba::run(cli).into()
}
