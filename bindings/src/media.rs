//! Photos and documents: attach an image from a file path, list a record's media, get a file,
//! the upload queue.
//!
//! `Attached`, `MediaItem`, `MediaQueue`, `FailedUpload`, `MediaRole` and `UploadState` are the core's
//! (`fieldsales_core::media`). Images cross the boundary as file paths, never as byte arrays:
//! the camera's 12 MP file is read by the core, which stores its own shrunk copy. Everything
//! here reads or writes files, so every call is `suspend` in Kotlin and `async` in Swift.
//! Uploads and thumbnail downloads happen by themselves after the records in each sync.

use std::path::PathBuf;

use fieldsales_core::media::{Attached, MediaItem, MediaQueue};

use crate::error::Result;
use crate::root::Ctx;

/// The media area: `store.media()`.
#[derive(uniffi::Object)]
pub struct Media {
    ctx: Ctx,
}

impl Media {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Media { ctx }
    }
}

#[uniffi::export]
impl Media {
    /// Attaches the image at `path` (JPEG, PNG or WebP, as the camera or the gallery gives it)
    /// to visit `visit_id`: shrunk to 1,920 px with a 320 px thumbnail, location metadata
    /// removed, queued for upload. Works offline. A HEIC file throws `Validation` on field
    /// `image` (hand over a JPEG).
    ///
    /// ```kotlin
    /// val photo = store.media().attachToVisit(visit.id, file.absolutePath)
    /// ```
    pub async fn attach_to_visit(&self, visit_id: String, path: String) -> Result<Attached> {
        let media = self.ctx.core.media();
        self.ctx
            .rt
            .blocking(move || Ok(media.attach_to_visit(&visit_id, &PathBuf::from(path))?))
            .await
    }

    /// Attaches the image at `path` to customer `customer_id` as a document (business licence,
    /// signed contract).
    pub async fn attach_to_customer(&self, customer_id: String, path: String) -> Result<Attached> {
        let media = self.ctx.core.media();
        self.ctx
            .rt
            .blocking(move || Ok(media.attach_to_customer(&customer_id, &PathBuf::from(path))?))
            .await
    }

    /// The photos (or documents) of record `record_id`, with their upload state and whether
    /// the image is on this device.
    pub async fn list(&self, record_id: String) -> Result<Vec<MediaItem>> {
        let media = self.ctx.core.media();
        self.ctx
            .rt
            .blocking(move || Ok(media.list(&record_id)?))
            .await
    }

    /// The path of image or thumbnail `hash` when it is on this device, without the network
    /// (`null`/`nil` otherwise: a list shows a placeholder, then calls [`Self::fetch`]).
    pub async fn local_file(&self, hash: String) -> Result<Option<String>> {
        let media = self.ctx.core.media();
        self.ctx
            .rt
            .blocking(move || Ok(media.file(&hash)?.map(path_string)))
            .await
    }

    /// The path of image or thumbnail `hash`: the local copy, or downloaded now from the sync
    /// server (checked against its hash, kept in the cache). Throws `NotFound` when the server
    /// does not serve it to this user, `Network` when offline.
    pub async fn fetch(&self, hash: String) -> Result<String> {
        let sync = self.ctx.core.sync();
        self.ctx
            .rt
            .spawn(async move { Ok(path_string(sync.fetch_media_async(&hash).await?)) })
            .await
    }

    /// Where the upload queue stands (for a "3 photos waiting" line), with the failed items'
    /// reasons and attempts (for a support screen).
    pub async fn queue(&self) -> Result<MediaQueue> {
        let media = self.ctx.core.media();
        self.ctx.rt.blocking(move || Ok(media.queue()?)).await
    }
}

fn path_string(path: PathBuf) -> String {
    path.to_string_lossy().into_owned()
}
