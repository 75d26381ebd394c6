//! `yuanba new`: placeholder.
use crate::cli::NewArgs;
use crate::exit::ExitCode;

/// Runs `yuanba new`.
pub fn run(_args: &NewArgs) -> ExitCode {
    ExitCode::Failure
}
