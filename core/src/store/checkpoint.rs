//! Checkpoints off the write path.
//!
//! In WAL mode every commit appends to the log, and from time to time the log must be copied
//! back into the database (a checkpoint). SQLite's default runs that copy inside whichever
//! commit pushes the log past 1,000 pages, so one write in a hundred or so waited for a few
//! megabytes of copying and an extra fsync: the rep's quick-log that happened to be that one
//! took several milliseconds instead of a fraction of one. Here the writer only notes that the
//! log is long (SQLite's WAL hook tells it the page count after each commit) and a background
//! thread with its own connection runs a passive checkpoint, which never blocks the writer or
//! the readers, at the next pause in the writes. A log grown past its size limit by a big
//! transaction is then cut back with a short truncating checkpoint.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::wal::CheckpointMode;
use rusqlite::Connection;

use super::Durability;
use crate::error::Result;

/// Log length (pages) after which a checkpoint is asked for: SQLite's own default.
const CHECKPOINT_PAGES: i32 = 1_000;
/// A pause in the writes this long lets the checkpoint run.
const IDLE: Duration = Duration::from_millis(20);
/// How long the final truncating checkpoint may wait for (and hold up) the writer.
const TRUNCATE_WAIT: Duration = Duration::from_millis(20);
/// A checkpoint waits for a pause at most this long.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// Waits until no commit happened for [`IDLE`] (or [`MAX_WAIT`] passed). `false` when the
/// store is closing.
fn wait_for_pause(requests: &mpsc::Receiver<()>, commits: &AtomicU64) -> bool {
    // Copying the log and syncing the database competes with the writer's own fsync, so wait
    // for a pause in the writes (a rep's writes come minutes apart; a burst — an import, a
    // first sync — is waited out only so long).
    let asked = Instant::now();
    loop {
        let before = commits.load(Ordering::Relaxed);
        if let Err(mpsc::RecvTimeoutError::Disconnected) = requests.recv_timeout(IDLE) {
            return false;
        }
        if commits.load(Ordering::Relaxed) == before || asked.elapsed() >= MAX_WAIT {
            return true;
        }
    }
}

/// The background checkpoint thread of one store.
pub(super) struct Checkpointer {
    nudge: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the store at `path` and hands `writer`'s checkpoints to it.
    pub(super) fn start(
        path: &Path,
        durability: Durability,
        writer: &mut Connection,
    ) -> Result<Checkpointer> {
        let conn = Connection::open(path)?;
        super::configure(&conn, durability)?;
        conn.busy_timeout(TRUNCATE_WAIT)?;
        let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        // One pending request is enough: a checkpoint copies everything committed so far.
        let (nudge, requests) = mpsc::sync_channel::<()>(1);
        let commits = Arc::new(AtomicU64::new(0));
        let seen = commits.clone();
        let thread = std::thread::Builder::new()
            .name("fieldsales-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    // Writes that land while a checkpoint copies are not in it, and the log is
                    // only restarted (and cut back) by a write that finds everything in it
                    // copied: go again at the next pause until no write came in between, a few
                    // times at most.
                    for _ in 0..8 {
                        if !wait_for_pause(&requests, &seen) {
                            return;
                        }
                        let before = seen.load(Ordering::Relaxed);
                        match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                            Ok((log, copied))
                                if copied >= log && seen.load(Ordering::Relaxed) == before =>
                            {
                                // Everything is in the database. A log grown past its limit
                                // (a big import or sync page) is started over and cut back
                                // now; this waits for the writer only briefly (see
                                // `TRUNCATE_WAIT`), and a busy writer just means next time.
                                if i64::from(log) * page_size > super::WAL_SIZE_LIMIT {
                                    let _ = conn
                                        .wal_checkpoint_v2(None::<&str>, CheckpointMode::TRUNCATE);
                                }
                                break;
                            }
                            Ok(_) => {}
                            Err(e) => {
                                // The log only grows until the next try; nothing is lost.
                                tracing::warn!(error = %e, "background checkpoint failed");
                                break;
                            }
                        }
                    }
                }
            })?;
        // Replaces SQLite's automatic checkpoint inside the commit. The log keeps its length
        // until a write after a finished checkpoint restarts it, so a checkpoint is asked for
        // once per `CHECKPOINT_PAGES` of growth, not at every commit past the mark.
        let (ask, counted) = (nudge.clone(), commits.clone());
        let mut asked_at = 0;
        writer.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
            counted.fetch_add(1, Ordering::Relaxed);
            if pages < asked_at {
                asked_at = 0;
            }
            if pages - asked_at >= CHECKPOINT_PAGES {
                asked_at = pages;
                let _ = ask.try_send(());
            }
            Ok(())
        }))?;
        Ok(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
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
