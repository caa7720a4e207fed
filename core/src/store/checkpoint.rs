//! Checkpoints off the write path.
//!
//! In WAL mode every commit appends to the log, and from time to time the log must be copied
//! back into the database (a checkpoint). SQLite's default runs that copy inside whichever
//! commit pushes the log past 1,000 pages, so one write in a hundred or so waited for a few
//! megabytes of copying and an extra fsync: the rep's quick-log that happened to be that one
//! took several milliseconds instead of a fraction of one. Here the writer only notes that the
//! log is long (SQLite's WAL hook tells it the page count after each commit) and a background
//! thread with its own connection runs a passive checkpoint, which never blocks the writer or
//! the readers.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::wal::CheckpointMode;
use rusqlite::Connection;

use super::Durability;
use crate::error::Result;

/// Log length (pages) after which a checkpoint is asked for: SQLite's own default.
pub(super) const CHECKPOINT_PAGES: i32 = 1_000;

/// The background checkpoint thread of one store.
pub(super) struct Checkpointer {
    nudge: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path, durability: Durability) -> Result<Checkpointer> {
        let conn = Connection::open(path)?;
        super::configure(&conn, durability)?;
        // One pending request is enough: a checkpoint copies everything committed so far.
        let (nudge, requests) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("fieldsales-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    if let Err(e) = conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                        // The log only grows until the next try; nothing is lost.
                        tracing::warn!(error = %e, "background checkpoint failed");
                    }
                }
            })?;
        Ok(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// A handle the writer's WAL hook uses to ask for a checkpoint without waiting.
    pub(super) fn nudger(&self) -> Option<mpsc::SyncSender<()>> {
        self.nudge.clone()
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread once the writer's hook (holding the other
        // sender) is gone too; the store drops the writer first for that reason.
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
