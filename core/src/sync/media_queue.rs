//! The media half of a sync: after the records, upload what this device captured, then fetch
//! the thumbnails of records that arrived; and the on-demand fetch of one full image.
//!
//! Owns the order and the error policy, nothing else: which media waits, and what was
//! downloaded, is the store's media table (`crate::media`); the bytes move through
//! [`super::media`]. Records go first because the server serves (and accepts) a blob only for
//! users who may see a record naming it, and `Media::pending_uploads` offers only media whose
//! records have synced.
//!
//! On a metered network with `SyncConfig::media_unmetered_only` on, uploads wait (the queue
//! keeps them) while thumbnails of arrived records still come: they are a few KB each and what
//! a manager's list shows.
//!
//! Error policy, by [`crate::Remedy`]: a failure that a later attempt can cure (network, server
//! busy, session expired) stops the media step and fails the sync, so the auto-sync engine's
//! backoff retries it, and the upload resumes from the server's offset; a failure of one item
//! (the server refuses it, the file changed on disk) marks that item failed with its reason
//! and the rest go on. A thumbnail the server does not have yet (its owner has not uploaded
//! it) is skipped until the next sync.

use serde::{Deserialize, Serialize};

use crate::error::{Remedy, Result};
use crate::media::Media;

use super::SyncClient;

/// Media taken from the queue at a time; batches follow one another until the queue holds
/// nothing this sync has not tried.
const UPLOAD_BATCH: u32 = 64;
/// Thumbnails fetched per sync at most.
const THUMBNAILS_PER_SYNC: u32 = 256;

/// What the media step of one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MediaMoved {
    pub uploaded: u64,
    pub downloaded: u64,
    pub failed: u64,
    pub waiting_for_unmetered: bool,
}

impl SyncClient {
    /// Uploads queued media, then fetches missing thumbnails (see the module doc).
    pub(crate) async fn move_media(&self) -> Result<MediaMoved> {
        let mut moved = MediaMoved::default();
        let media = Media::new(self.engine().clone());
        // Items tried in this sync: a failed one is not retried (nor marked uploading again)
        // before the next sync.
        let mut tried = std::collections::HashSet::new();
        moved.waiting_for_unmetered = self.media_uploads_waiting_for_unmetered();
        while !moved.waiting_for_unmetered {
            let (m, skip) = (media.clone(), tried.clone());
            let fresh = self
                .on_db(move |_| m.pending_uploads_except(UPLOAD_BATCH, &skip))
                .await?;
            if fresh.is_empty() {
                break;
            }
            tried.extend(fresh.iter().map(|item| item.hash.clone()));
            for item in fresh {
                self.upload_one(&media, item, &mut moved).await?;
            }
        }
        let m = media.clone();
        let wanted = self
            .on_db(move |_| m.wanted_thumbnails(THUMBNAILS_PER_SYNC))
            .await?;
        for hash in wanted {
            match self.download_media_async(&hash).await {
                Ok(bytes) => {
                    let m = media.clone();
                    // A record deleted meanwhile makes the bytes unwanted: not a failure.
                    if self
                        .on_db(move |_| m.store_downloaded(&hash, &bytes))
                        .await
                        .is_ok()
                    {
                        moved.downloaded += 1;
                    }
                }
                Err(e) if item_failed(e.remedy()) || e.remedy() == Remedy::Reload => {}
                Err(e) => return Err(e),
            }
        }
        Ok(moved)
    }

    /// Uploads one queued item and records the outcome; `Err` only for a failure that stops
    /// the whole step (see the module doc).
    async fn upload_one(
        &self,
        media: &Media,
        item: crate::media::PendingUpload,
        moved: &mut MediaMoved,
    ) -> Result<()> {
        let outcome = self
            .upload_media_async(&item.hash, &item.path, &mut |_, _| {})
            .await;
        let hash = item.hash;
        match outcome {
            Ok(_) => {
                let m = media.clone();
                self.on_db(move |_| m.mark_uploaded(&hash)).await?;
                moved.uploaded += 1;
                Ok(())
            }
            Err(e) if item_failed(e.remedy()) => {
                // The reason is the error's own text: a status and a code, no content.
                let (m, reason) = (media.clone(), e.to_string());
                self.on_db(move |_| m.mark_failed(&hash, &reason)).await?;
                moved.failed += 1;
                Ok(())
            }
            // Left "uploading": offered again by the next sync, from the server's offset.
            Err(e) => Err(e),
        }
    }

    /// The file of media `hash` (a photo, a thumbnail or a document of a record this device
    /// holds): the local copy when there is one, else downloaded now, checked against its hash
    /// and kept in the cache. Blocks; async callers use [`Self::fetch_media_async`].
    ///
    /// ```no_run
    /// # fn demo(fs: &fieldsales_core::FieldSales, visit_id: &str) -> fieldsales_core::Result<()> {
    /// let visit = fs.visits().get(visit_id)?;
    /// for hash in &visit.photos {
    ///     let full = fs.sync().fetch_media(hash)?; // a path to a JPEG
    ///     # let _ = full;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch_media(&self, hash: &str) -> Result<std::path::PathBuf> {
        self.block_on(self.fetch_media_async(hash))
    }

    /// [`Self::fetch_media`] for async callers.
    pub async fn fetch_media_async(&self, hash: &str) -> Result<std::path::PathBuf> {
        let media = Media::new(self.engine().clone());
        let (m, h) = (media.clone(), hash.to_string());
        if let Some(path) = self.on_db(move |_| m.file(&h)).await? {
            return Ok(path);
        }
        let bytes = self.download_media_async(hash).await?;
        let h = hash.to_string();
        self.on_db(move |_| media.store_downloaded(&h, &bytes))
            .await
    }
}

/// Whether a failure belongs to the one item (marked failed, the others go on) rather than to
/// the connection or the session (the whole step stops and is retried).
fn item_failed(remedy: Remedy) -> bool {
    matches!(remedy, Remedy::FixInput | Remedy::Report)
}
