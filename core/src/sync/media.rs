//! Moving media blobs to and from the sync server: ask where an upload stands, upload a file in
//! chunks from there, download a blob.
//!
//! Uses the session, the server address and the [`super::Transport`] of the sync itself, so a
//! media call fails exactly as a sync would ([`SyncError`]: a network failure is
//! `Network` → retry later; a 404 is [`SyncError::MediaNotAvailable`] → reload the record and
//! decide again; another 4xx is `Server` → report). The protocol is `docs/protocol.md`,
//! "Media": an upload is resumable because the server keeps every chunk it received, so after
//! a dropped connection calling [`SyncClient::upload_media`] again continues from the server's
//! offset, and a blob the server already holds costs one `HEAD`.
//!
//! It must not keep state of its own: which files wait for upload, and what was downloaded,
//! belong to the store's media table (`crate::media`), whose queue calls these functions with
//! a hash and a path.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, SyncError};
use crate::protocol::media::{self, CHUNK_BYTES, MAX_BLOB_BYTES};

use super::transport::MediaOffset;
use super::SyncClient;

/// A chunk the server did not take where expected is retried from the server's offset at most
/// this many times in one call; beyond, something else uploads the same blob, and the call
/// gives up (retry later).
const MAX_REPOSITIONS: usize = 8;

impl SyncClient {
    /// How many bytes of the blob `hash` the server holds, and whether it holds all of them
    /// (verified). Blocks; async callers use [`Self::media_offset_async`].
    pub fn media_offset(&self, hash: &str) -> Result<(u64, bool)> {
        self.block_on(self.media_offset_async(hash))
    }

    /// [`Self::media_offset`] for async callers.
    pub async fn media_offset_async(&self, hash: &str) -> Result<(u64, bool)> {
        let exchange = self.exchange().await?;
        let at = exchange
            .transport
            .media_offset(&exchange.server, &exchange.token, hash)
            .await?;
        Ok((at.held, at.complete))
    }

    /// Uploads the file at `path`, whose SHA-256 is `hash`, from wherever the server's copy
    /// stands; `progress(sent, total)` is called after each chunk. Returns the blob's length
    /// once the server holds it whole. A blob the server already holds returns at once without
    /// sending anything. Blocks; async callers use [`Self::upload_media_async`].
    ///
    /// ```no_run
    /// # fn demo(fs: &fieldsales_core::FieldSales, hash: &str, path: &std::path::Path) -> fieldsales_core::Result<()> {
    /// fs.sync().upload_media(hash, path, &mut |sent, total| println!("{sent}/{total}"))?;
    /// # Ok(()) }
    /// ```
    pub fn upload_media(
        &self,
        hash: &str,
        path: &Path,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64> {
        self.block_on(self.upload_media_async(hash, path, progress))
    }

    /// [`Self::upload_media`] for async callers.
    pub async fn upload_media_async(
        &self,
        hash: &str,
        path: &Path,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64> {
        let exchange = self.exchange().await?;
        let (transport, server, token) = (&exchange.transport, &exchange.server, &exchange.token);
        let mut at = transport.media_offset(server, token, hash).await?;
        if at.complete {
            return Ok(at.held);
        }
        let bytes = read_blob(path.to_path_buf(), hash.to_string()).await?;
        let length = bytes.len() as u64;
        let mut repositions = 0;
        loop {
            progress(at.held.min(length), length);
            if at.complete {
                return Ok(length);
            }
            let start = at.held.min(length) as usize;
            let end = (start + CHUNK_BYTES).min(bytes.len());
            let sent = transport
                .media_chunk(
                    server,
                    token,
                    hash,
                    start as u64,
                    length,
                    bytes[start..end].to_vec(),
                )
                .await?;
            if !sent.complete && sent.held != end as u64 {
                // The server stands elsewhere than this chunk's end: go on from there.
                repositions += 1;
                if repositions > MAX_REPOSITIONS {
                    return Err(SyncError::Network(
                        "the server's upload offset keeps moving; retry later".into(),
                    )
                    .into());
                }
            }
            at = MediaOffset {
                held: sent.held,
                complete: sent.complete,
            };
        }
    }

    /// The bytes of the blob `hash`. Blocks; async callers use [`Self::download_media_async`].
    pub fn download_media(&self, hash: &str) -> Result<Vec<u8>> {
        self.block_on(self.download_media_async(hash))
    }

    /// [`Self::download_media`] for async callers. The bytes are checked against `hash`
    /// before they are returned: what comes back is what the uploader sent.
    pub async fn download_media_async(&self, hash: &str) -> Result<Vec<u8>> {
        let exchange = self.exchange().await?;
        let bytes = exchange
            .transport
            .media_download(&exchange.server, &exchange.token, hash)
            .await?;
        if media::content_hash(&bytes) != hash {
            return Err(
                SyncError::BadAnswer("downloaded media does not match its hash".into()).into(),
            );
        }
        Ok(bytes)
    }
}

/// Reads the file to upload, off the async threads, and checks that it is the blob it is
/// named after: a file that changed on disk would otherwise be refused by the server only
/// after every byte went up.
async fn read_blob(path: PathBuf, hash: String) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        let length = std::fs::metadata(&path)?.len();
        if length > MAX_BLOB_BYTES {
            return Err(Error::Validation {
                field: "media".into(),
                reason: format!("a media file holds at most {MAX_BLOB_BYTES} bytes"),
            });
        }
        let bytes = std::fs::read(&path)?;
        if media::content_hash(&bytes) != hash {
            return Err(Error::Validation {
                field: "media".into(),
                reason: "the file's content does not match its hash".into(),
            });
        }
        Ok(bytes)
    })
    .await
    .map_err(super::task_stopped)?
}
