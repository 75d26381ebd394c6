//! A rebuild as the terminal sees it: [`report_rebuild`] turns the engine's result into the
//! [`Notice`] that `cmd` prints, and [`trigger`] names what set it off.

use crate::output;
use crate::serve::engine::Rebuild;
use crate::serve::watch::ChangeSet;
use crate::serve::{Notice, Summary};

/// What set off a rebuild, for its terminal line: `first build` without changes.
pub(crate) fn trigger(changes: Option<&ChangeSet>) -> String {
    changes.map_or_else(|| "first build".to_string(), ChangeSet::describe)
}

/// Hands a rebuild to `report`, and returns it when it ran.
pub(crate) fn report_rebuild(
    result: Result<Rebuild, output::Error>,
    trigger: String,
    report: &(dyn Fn(Notice<'_>) + Sync),
) -> Option<Rebuild> {
    let rebuild = match result {
        Ok(rebuild) => rebuild,
        Err(error) => {
            report(Notice::Trouble(&error));
            return None;
        }
    };
    let published = rebuild.outcome.as_ref().ok().cloned().unwrap_or_default();
    let summary = Summary {
        trigger,
        errors: rebuild.outcome.as_ref().err().cloned().unwrap_or_default(),
        warnings: rebuild.warnings.clone(),
        n_read: rebuild.n_read,
        n_rendered: published.n_rendered,
        n_written: published.n_written,
        n_removed: published.n_removed,
        elapsed: rebuild.elapsed,
        fallback: rebuild.fallback.clone(),
        n_images_made: rebuild.n_images_made,
    };
    report(Notice::Built(&summary));
    Some(rebuild)
}
