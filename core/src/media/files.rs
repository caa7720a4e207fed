//! The media folder: one file per content hash, `<store>.media/<first 2 hex>/<hash>.jpg` beside
//! the database (`user-rep-1.sqlite3` keeps its media in `user-rep-1.media/`, so two users of
//! one device never share, or delete, each other's files).
//!
//! Owns where a media file lives and how it is written and removed; must not decide which files
//! should exist (the `media` and `media_refs` tables do). A file is written whole — a temporary
//! file, synced, renamed, the folder synced — before the transaction that records it commits,
//! so a row never names a missing file; a crash in between leaves an orphan file, which
//! [`MediaFiles::orphans`] finds for removal.

use std::path::{Path, PathBuf};

use crate::permissions;

/// The media folder of one store.
#[derive(Debug, Clone)]
pub(crate) struct MediaFiles {
    root: PathBuf,
}

impl MediaFiles {
    /// The media folder of the database at `db`.
    pub(crate) fn beside(db: &Path) -> MediaFiles {
        MediaFiles {
            root: db.with_extension("media"),
        }
    }

    /// Where the file of media `hash` lives (whether or not it is there). `hash` is a checked
    /// content hash: it names no other folder.
    pub(crate) fn path_of(&self, hash: &str) -> PathBuf {
        let shard = hash.get(..2).unwrap_or("00");
        self.root.join(shard).join(format!("{hash}.jpg"))
    }

    /// Whether media `hash` has its file.
    pub(crate) fn has(&self, hash: &str) -> bool {
        self.path_of(hash).is_file()
    }

    /// Writes `bytes` as media `hash`, durably and owner-only. A file already there is kept: the
    /// same hash is the same bytes.
    pub(crate) fn write(&self, hash: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let path = self.path_of(hash);
        if path.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(path);
        }
        if let Some(dir) = path.parent() {
            permissions::private_dir(dir)?;
        }
        permissions::write_private(&path, bytes)?;
        Ok(path)
    }

    /// Removes the files of `hashes`; one already gone is fine. A failure is logged and left for
    /// the next sweep: an orphan file is harmless.
    pub(crate) fn remove_all(&self, hashes: &[String]) {
        for hash in hashes {
            if let Err(e) = permissions::remove_private(&self.path_of(hash)) {
                tracing::warn!(error = %e, "could not remove a media file; left for the next sweep");
            }
        }
    }

    /// Every file in the folder whose name is not a hash `keep` accepts: left by a crash between
    /// writing a file and committing its row, or by a removal that failed. Temporary files of an
    /// interrupted write are included.
    pub(crate) fn orphans(&self, keep: impl Fn(&str) -> bool) -> std::io::Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        let shards = match std::fs::read_dir(&self.root) {
            Ok(shards) => shards,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(e),
        };
        for shard in shards {
            let shard = shard?.path();
            if !shard.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&shard)? {
                let path = file?.path();
                let hash = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".jpg"));
                if !hash.is_some_and(&keep) {
                    found.push(path);
                }
            }
        }
        Ok(found)
    }
}
