//! Exit codes as a type: 0 success, 1 content errors, 2 usage or internal errors.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked.
    Success,
    /// The site has errors (content, config, templates); nothing was published.
    ContentErrors,
    /// Bad usage, or the environment failed (I/O, a refused output folder).
    Failure,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(match code {
            ExitCode::Success => 0,
            ExitCode::ContentErrors => 1,
            ExitCode::Failure => 2,
        })
    }
}
