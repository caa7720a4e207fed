//! Checkpoints off the write path, and a log that is overwritten rather than grown.
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
//!
//! Once everything in the log is copied, the next write starts the log over at the top of its
//! file, overwriting it in place. That matters as much as the copy: a commit that lengthens the
//! file also commits the file system's journal for the new size, on top of its own fsync
//! (measured on a stream of quick-logs at `FULL`: p50 490 µs appending, 330 µs in place). So
//! when the writes do not pause — an import, a rep logging a day's calls in a row — the
//! background thread does not copy behind the writer, where every write would wait for the
//! disk behind the copy and a write landing during it keeps the log from starting over; it
//! leaves the copy to the writer, which runs it before its next write (one write in a few
//! hundred pays 3–4 ms, the others none).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
/// A checkpoint waits for a pause at most this long, and while the log grows by at most
/// `STREAM_ASKS` times [`CHECKPOINT_PAGES`] more; then the writer does it. Both keep the log
/// within [`super::WAL_SIZE_LIMIT`], the part of its file that is overwritten in place.
const MAX_WAIT: Duration = Duration::from_millis(50);
const STREAM_ASKS: u32 = 2;

/// What the writes did while a checkpoint waited for them.
enum Writes {
    /// No commit for [`IDLE`].
    Paused,
    /// Commits kept coming for [`MAX_WAIT`], or the log grew past [`STREAM_ASKS`] more asks.
    Streaming,
    /// The writer copied the log itself (see [`Checkpointer::catch_up`]).
    CaughtUp,
    /// The store is closing.
    Closed,
}

/// Waits until no commit happened for [`IDLE`]: at most [`MAX_WAIT`], or, once the copy is
/// `handed` to the writer, until the writer has made it (it clears the flag).
fn wait_for_pause(
    requests: &mpsc::Receiver<()>,
    commits: &AtomicU64,
    handed: Option<&AtomicBool>,
) -> Writes {
    // Copying the log and syncing the database competes with the writer's own fsync, so wait
    // for a pause in the writes (a rep's writes come minutes apart).
    let asked = Instant::now();
    let mut quiet_since = Instant::now();
    let mut before = commits.load(Ordering::Relaxed);
    let mut asks = 0;
    loop {
        match requests.recv_timeout(IDLE.saturating_sub(quiet_since.elapsed())) {
            Err(mpsc::RecvTimeoutError::Disconnected) => return Writes::Closed,
            // The log grew by another `CHECKPOINT_PAGES` meanwhile.
            Ok(()) => {
                asks += 1;
                if handed.is_none() && asks >= STREAM_ASKS {
                    return Writes::Streaming;
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let now = commits.load(Ordering::Relaxed);
        if now == before {
            return Writes::Paused;
        }
        match handed {
            Some(flag) if !flag.load(Ordering::Relaxed) => return Writes::CaughtUp,
            // Waiting on: the stream may stop before the writer gets to the copy.
            Some(_) => {}
            None if asked.elapsed() >= MAX_WAIT => return Writes::Streaming,
            None => {}
        }
        before = now;
        quiet_since = Instant::now();
    }
}

/// The background checkpoint thread of one store.
pub(super) struct Checkpointer {
    nudge: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The writes did not pause: the writer copies the log before its next write.
    writer_copies: Arc<AtomicBool>,
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
        let writer_copies = Arc::new(AtomicBool::new(false));
        let handed_off = writer_copies.clone();
        let thread = std::thread::Builder::new()
            .name("fieldsales-checkpoint".into())
            .spawn(move || {
                'asked: while requests.recv().is_ok() {
                    let mut handed = false;
                    loop {
                        match wait_for_pause(&requests, &seen, handed.then_some(&*handed_off)) {
                            Writes::Closed => return,
                            Writes::CaughtUp => continue 'asked,
                            // The writes do not pause: the writer copies the log itself before
                            // its next write (see `Checkpointer::catch_up`), or, should they
                            // stop first, this thread does at that pause.
                            Writes::Streaming => {
                                handed_off.store(true, Ordering::Relaxed);
                                handed = true;
                                continue;
                            }
                            // Taken back, unless the writer got to it first.
                            Writes::Paused
                                if handed && !handed_off.swap(false, Ordering::Relaxed) =>
                            {
                                continue 'asked;
                            }
                            Writes::Paused => handed = false,
                        }
                        let before = seen.load(Ordering::Relaxed);
                        match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                            // Everything is in the database: the next write starts the log over.
                            Ok((log, copied))
                                if copied >= log && seen.load(Ordering::Relaxed) == before =>
                            {
                                // A log grown past its limit (a big import or sync page) is
                                // started over and cut back now; this waits for the writer only
                                // briefly (see `TRUNCATE_WAIT`), and a busy writer just means
                                // next time.
                                if i64::from(log) * page_size > super::WAL_SIZE_LIMIT {
                                    let _ = conn
                                        .wal_checkpoint_v2(None::<&str>, CheckpointMode::TRUNCATE);
                                }
                                continue 'asked;
                            }
                            // A write landed during the copy and is not in it (the log is only
                            // started over by a write that finds all of it copied): again at
                            // the next pause.
                            Ok(_) => {}
                            Err(e) => {
                                // The log only grows until the next try; nothing is lost.
                                tracing::warn!(error = %e, "background checkpoint failed");
                                continue 'asked;
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
            writer_copies,
        })
    }

    /// Called by the writer before each write transaction: when the writes did not pause for
    /// the background thread, copies the log on the writer's own connection, where no write
    /// can land during the copy, so the write that follows starts the log over.
    pub(super) fn catch_up(&self, writer: &Connection) {
        if !self.writer_copies.swap(false, Ordering::Relaxed) {
            return;
        }
        match writer.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
            Ok((log, copied)) if copied >= log => {}
            // A reader still needs the last frames, or the background thread is copying right
            // now: try again before the next write.
            Ok(_) => self.writer_copies.store(true, Ordering::Relaxed),
            Err(e) => {
                if e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) {
                    tracing::warn!(error = %e, "checkpoint before a write failed");
                }
                self.writer_copies.store(true, Ordering::Relaxed);
            }
        }
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
