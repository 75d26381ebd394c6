//! The build thread's loop, for `serve` and `build --watch`: waits for the watcher's reports,
//! merges a burst of them into one [`ChangeSet`], keeps the watches right, and hands each step
//! (a change, a search index built elsewhere, pages a template change left) to the caller.
//!
//! It decides when to rebuild, never how: the caller's closure does the rebuilding.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use notify_debouncer_full::DebounceEventResult;

use crate::serve::Error;
use crate::serve::engine::{Engine, SearchIndex};
use crate::serve::watch::{self, ChangeSet, Layout, Watcher};

/// How long to wait for more reports after a second one arrived: the debouncer reports once per
/// tick (a quarter of its window, 5 ms), and a `git checkout` spreads over several ticks; each
/// report waits again, so a burst of any length becomes one rebuild as long as no tick comes
/// later than this (six ticks, room for late ticks on a busy machine).
const COALESCE: Duration = Duration::from_millis(30);

/// How long to wait after a first report of at most [`LONE_SAVE`] paths: an editor's save,
/// which is rebuilt at once unless more reports follow (the start of a burst), and then waits
/// for them as [`COALESCE`] says. Two ticks and a half.
const COALESCE_SAVE: Duration = Duration::from_millis(12);

/// The most paths a report of one editor's save has (the file, its temporary file, a backup).
const LONE_SAVE: usize = 3;

/// A message to the build thread.
pub(crate) enum Message {
    Events(DebounceEventResult),
    /// A search index built on its own thread.
    Search(SearchIndex),
    Stop,
}

/// What [`Watching::run`] asks for.
pub(crate) enum Step<'a> {
    /// Rebuild for these changes.
    Changed(&'a ChangeSet),
    /// Publish a search index built on its own thread.
    Search(SearchIndex),
    /// Go on rendering the pages a template change left (nothing else is waiting).
    Finish,
}

/// The watcher and the channel it reports to.
pub(crate) struct Watching {
    receiver: Receiver<Message>,
    /// Sends to [`Watching::receiver`]: [`Message::Stop`], and search indexes.
    sender: mpsc::Sender<Message>,
    /// Reports sent and not yet received: a template change's second step stops between two
    /// groups of pages to take them first.
    unread: Arc<AtomicUsize>,
    watcher: Watcher,
}

/// One burst of reports merged, with the search indexes that arrived meanwhile.
struct Burst {
    changes: ChangeSet,
    indexes: Vec<SearchIndex>,
}

impl Watching {
    /// Starts watching the site at `root`.
    pub(crate) fn start(root: &Path, poll: bool) -> Result<Watching, Error> {
        let (sender, receiver) = mpsc::channel();
        let unread = Arc::new(AtomicUsize::new(0));
        let handler = {
            let sender = sender.clone();
            let unread = Arc::clone(&unread);
            move |result| {
                unread.fetch_add(1, Ordering::SeqCst);
                // The receiver is gone only while yuanba shuts down.
                let _ = sender.send(Message::Events(result));
            }
        };
        let watcher = Watcher::start(root, poll, handler).map_err(|source| Error::Watch {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Watching {
            receiver,
            sender,
            unread,
            watcher,
        })
    }

    /// Sends to the loop: [`Message::Stop`] ends [`Watching::run`].
    pub(crate) fn sender(&self) -> mpsc::Sender<Message> {
        self.sender.clone()
    }

    /// [`Watching::unread`].
    pub(crate) fn unread(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.unread)
    }

    /// Waits for reports, merges a burst into one change set, and hands it to `step` as
    /// [`Step::Changed`]; hands search indexes built elsewhere over as [`Step::Search`]; until
    /// [`Message::Stop`].
    pub(crate) fn run(mut self, engine: &mut Engine, step: &mut dyn FnMut(&mut Engine, Step<'_>)) {
        loop {
            let first = match self.next_message(engine) {
                None => {
                    step(engine, Step::Finish);
                    continue;
                }
                Some(Message::Search(index)) => {
                    step(engine, Step::Search(index));
                    continue;
                }
                Some(Message::Stop) => return,
                Some(Message::Events(first)) => {
                    self.unread.fetch_sub(1, Ordering::SeqCst);
                    first
                }
            };
            let Some(burst) = self.coalesce(&engine.layout(), first) else {
                return;
            };
            for index in burst.indexes {
                step(engine, Step::Search(index));
            }
            if burst.changes.is_empty() {
                continue;
            }
            self.watcher.follow(&burst.changes);
            step(engine, Step::Changed(&burst.changes));
        }
    }

    /// The next message, waiting for it unless pages of a template change are left to render:
    /// then `None` when there is none yet.
    fn next_message(&self, engine: &Engine) -> Option<Message> {
        if !engine.has_stale_pages() {
            return Some(self.receiver.recv().unwrap_or(Message::Stop));
        }
        match self.receiver.try_recv() {
            Ok(message) => Some(message),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Message::Stop),
        }
    }

    /// Merges the reports that follow `first` closely into one change set; `None` on
    /// [`Message::Stop`].
    fn coalesce(&self, layout: &Layout, first: DebounceEventResult) -> Option<Burst> {
        let mut changes = watch::changes_of(layout, first);
        let mut indexes = Vec::new();
        let mut wait = if changes.paths.len() <= LONE_SAVE {
            COALESCE_SAVE
        } else {
            COALESCE
        };
        loop {
            match self.receiver.recv_timeout(wait) {
                Ok(Message::Events(more)) => {
                    self.unread.fetch_sub(1, Ordering::SeqCst);
                    changes.extend(watch::changes_of(layout, more));
                    wait = COALESCE;
                }
                Ok(Message::Search(index)) => indexes.push(index),
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => return Some(Burst { changes, indexes }),
            }
        }
    }
}
