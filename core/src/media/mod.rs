//! Photos of a visit and documents of a customer: shrunk, stripped of metadata, stored as
//! content-addressed files beside the database, and queued for upload.
//!
//! The area [`Media`] (`fs.media()`) owns attaching an image to a record, listing a record's
//! media, the local cache of downloaded media, and the store's side of uploads and downloads. It
//! must not speak HTTP: the sync client's uploader and downloader drive it through
//! [`Media::pending_uploads`], [`Media::mark_uploaded`], [`Media::mark_failed`],
//! [`Media::wanted_downloads`] and [`Media::store_downloaded`].
//!
//! # Life of an attached photo
//!
//! 1. **Shrink** ([`shrink`]), before any transaction: decoded under limits, turned upright,
//!    shrunk to 1,920 px, stamped with the time and check-in position when the tenant asks
//!    for it ([`watermark`]; off by default), given a 320 px thumbnail made from that, encoded
//!    as JPEG without metadata, each named by the SHA-256 of its bytes.
//! 2. **Files** (`files`): both written whole and synced under `<store>.media/`.
//! 3. **One transaction**: `photos[hash] = thumbnail` (a customer: `documents[..]`) on the
//!    record's document through the record layer, its outbox change, and the two `media` rows
//!    (`table`), queued; the record's projection notes the references in `media_refs`.
//! 4. **Sync**: the record goes up with the next sync; only then does [`Media::pending_uploads`]
//!    offer its media (the server serves a blob only to those who may see a record naming it).
//!
//! A record deleted or purged drops its references; media no record references any more loses
//! its row in that transaction and its file right after the commit. Downloaded media (and
//! captured media once uploaded) is a cache under [`MediaConfig::cache_budget_bytes`], evicted
//! least recently used first; media only this device holds is never evicted.
//!
//! # Layers
//!
//! `files` sits beside `permissions` (layer 1), `table` beside the store that calls it at
//! commit (3), `config`, `shrink` and `watermark` with the plain settings Config holds (4); this area sits
//! with the record kinds (7).

pub mod config;
pub(crate) mod files;
pub mod shrink;
pub(crate) mod table;
pub mod watermark;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod queue_tests;
#[cfg(test)]
mod stamped_tests;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use automerge::ROOT;
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, MediaError, Result};
use crate::record::schema::{customer as cf, visit as vf, Kind};
use crate::record::{parse_id, RecordDoc};

pub use config::MediaConfig;
pub use shrink::{content_hash, Encoded, Shrunk};
pub use table::{MediaRole, UploadState};

use shrink::is_content_hash;
use table::NewRow;
use watermark::Stamp;

/// An image attached to a record: the stored photo or document and its thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attached {
    /// The stored image's content hash (SHA-256 hex).
    pub hash: String,
    /// The thumbnail's content hash.
    pub thumbnail: String,
    /// Size of the stored image, bytes.
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

/// One photo or document of a record, as this device holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MediaItem {
    pub hash: String,
    /// Its thumbnail's hash (`None` for a photo referenced by an older record).
    pub thumbnail: Option<String>,
    pub role: MediaRole,
    /// Size of the image, when this device holds it.
    pub bytes: Option<u64>,
    /// Where its upload stands, when this device holds it.
    pub state: Option<UploadState>,
    /// Whether the image's file is on this device ([`Media::file`] gives its path).
    pub local: bool,
    /// Failed upload attempts so far (0 when none failed, or when it came from the server).
    pub attempts: u32,
    /// Why the last upload failed, while its state is `Failed`: a status and an error code,
    /// never content.
    pub failure: Option<String>,
}

/// A captured item whose last upload failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FailedUpload {
    pub hash: String,
    pub role: MediaRole,
    pub attempts: u32,
    /// Why the last attempt failed (a status and an error code, never content).
    pub reason: String,
}

/// The upload queue of media captured on this device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MediaQueue {
    pub queued: u64,
    pub uploading: u64,
    pub failed: u64,
    pub uploaded: u64,
    /// Bytes not uploaded yet.
    pub bytes_pending: u64,
    /// The failed items with their reasons, the most attempted first (at most
    /// [`MediaQueue::FAILURES_LISTED`]; `failed` counts them all).
    pub failures: Vec<FailedUpload>,
}

impl MediaQueue {
    /// Failed items [`Media::queue`] lists by name.
    pub const FAILURES_LISTED: u32 = 20;
}

/// A used file is marked used again only after this long: reading a photo is no reason to
/// write to the database each time a list scrolls past it.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A media file for the uploader to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    pub hash: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// The media area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Media {
    engine: Arc<Engine>,
}

impl Media {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Media { engine }
    }

    /// Attaches the image at `path` (JPEG, PNG or WebP) to visit `visit_id` as a photo. The
    /// file is read, not kept: the core stores its own shrunk copy.
    ///
    /// ```no_run
    /// # fn demo(fs: &fieldsales_core::FieldSales, visit_id: &str) -> fieldsales_core::Result<()> {
    /// let photo = fs.media().attach_to_visit(visit_id, std::path::Path::new("/tmp/IMG_0001.jpg"))?;
    /// assert!(photo.width <= 1920 && photo.height <= 1920);
    /// # Ok(()) }
    /// ```
    pub fn attach_to_visit(&self, visit_id: &str, path: &Path) -> Result<Attached> {
        self.attach(Kind::Visit, visit_id, path)
    }

    /// Attaches the image at `path` to customer `customer_id` as a document (business licence,
    /// signed contract).
    pub fn attach_to_customer(&self, customer_id: &str, path: &Path) -> Result<Attached> {
        self.attach(Kind::Customer, customer_id, path)
    }

    fn attach(&self, kind: Kind, record_id: &str, path: &Path) -> Result<Attached> {
        let id = parse_id(kind, record_id)?;
        // A deleted record refuses before the costly work, and again in the transaction.
        let record = self.engine.load(kind, id)?;
        record.ensure_live()?;
        let stamp = self.stamp_for(kind, &record)?;
        let shrunk = shrink::shrink_stamped(path, &self.engine.config().media, stamp.as_ref())?;
        // Step 2: the files, durable before any row names them.
        let files = self.engine.store.media();
        for encoded in [&shrunk.image, &shrunk.thumbnail] {
            files.write(&encoded.hash, &encoded.bytes)?;
        }
        // Step 3: the reference on the record and the rows, in one transaction.
        let (field, role) = match kind {
            Kind::Customer => (cf::DOCUMENTS, MediaRole::Document),
            _ => (vf::PHOTOS, MediaRole::Photo),
        };
        self.engine.write(|w| {
            let mut doc = w.load(kind, id)?;
            doc.ensure_live()?;
            let now_ms = w.now().timestamp_millis();
            for (encoded, role) in [
                (&shrunk.image, role),
                (&shrunk.thumbnail, MediaRole::Thumbnail),
            ] {
                table::insert(
                    w.conn(),
                    &NewRow {
                        hash: &encoded.hash,
                        role,
                        bytes: encoded.bytes.len() as u64,
                        width: encoded.width,
                        height: encoded.height,
                        captured: true,
                        now_ms,
                    },
                )?;
            }
            let map = doc.object(&ROOT, field)?;
            doc.put_str(&map, &shrunk.image.hash, &shrunk.thumbnail.hash)?;
            w.save(&mut doc)?;
            Ok(())
        })?;
        Ok(Attached {
            hash: shrunk.image.hash,
            thumbnail: shrunk.thumbnail.hash,
            bytes: shrunk.image.bytes.len() as u64,
            width: shrunk.image.width,
            height: shrunk.image.height,
        })
    }

    /// The watermark a photo of `record` gets: with the tenant's `photo_watermark` on, a visit's
    /// photo carries the time now (the tenant's local time) and the check-in position (else
    /// the check-out's, else none). A customer's documents are never stamped: a licence or a
    /// contract is read, not placed, and a stamp could hide its text.
    fn stamp_for(&self, kind: Kind, record: &RecordDoc) -> Result<Option<Stamp>> {
        if kind != Kind::Visit {
            return Ok(None);
        }
        let settings = self.engine.read(crate::tenant::load)?;
        if !settings.photo_watermark {
            return Ok(None);
        }
        let visit = crate::visit::hydrate(record);
        let fix = [visit.check_in, visit.check_out]
            .into_iter()
            .flatten()
            .find_map(|presence| presence.fix);
        Ok(Some(Stamp::new(
            self.engine.now(),
            settings.utc_offset_minutes,
            fix.map(|f| (f.lat, f.lon)),
        )))
    }

    /// The photos of a visit, or the documents of a customer, by hash.
    pub fn list(&self, record_id: &str) -> Result<Vec<MediaItem>> {
        let doc = self.engine.load_any(record_id)?;
        let (field, role) = match doc.kind() {
            Kind::Visit => (vf::PHOTOS, MediaRole::Photo),
            Kind::Customer => (cf::DOCUMENTS, MediaRole::Document),
            Kind::QuickLog | Kind::Task => return Ok(Vec::new()),
        };
        let files = self.engine.store.media();
        let entries = doc.str_map_at(&ROOT, field);
        self.engine.read(|conn| {
            let mut items = Vec::with_capacity(entries.len());
            for (hash, thumbnail) in entries {
                let row = table::row(conn, &hash)?;
                items.push(MediaItem {
                    local: row.is_some() && files.has(&hash),
                    bytes: row.as_ref().map(|r| r.bytes),
                    state: row.as_ref().map(|r| r.state),
                    attempts: row.as_ref().map_or(0, |r| r.attempts),
                    failure: row
                        .as_ref()
                        .filter(|r| r.state == UploadState::Failed)
                        .and_then(|r| r.error.clone()),
                    thumbnail: thumbnail.filter(|t| is_content_hash(t)),
                    role,
                    hash,
                });
            }
            Ok(items)
        })
    }

    /// The thumbnail of image `hash` (a visit's photo or a customer's document), as the records
    /// referencing it name it; `None` when no record here references `hash` as an image with a
    /// thumbnail (an unknown hash, a thumbnail itself, a photo of an older record).
    ///
    /// ```no_run
    /// # fn demo(fs: &fieldsales_core::FieldSales, photo: &str) -> fieldsales_core::Result<()> {
    /// if let Some(thumbnail) = fs.media().thumbnail_of(photo)? {
    ///     let small = fs.sync().fetch_media(&thumbnail)?; // a 320 px JPEG
    ///     # let _ = small;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn thumbnail_of(&self, hash: &str) -> Result<Option<String>> {
        if !is_content_hash(hash) {
            return Ok(None);
        }
        let records = self
            .engine
            .read(|conn| table::records_with_image(conn, hash))?;
        for record_id in records {
            let thumbnail = self
                .list(&record_id)?
                .into_iter()
                .find(|item| item.hash == hash)
                .and_then(|item| item.thumbnail);
            if thumbnail.is_some() {
                return Ok(thumbnail);
            }
        }
        Ok(None)
    }

    /// The file of media `hash` (an image or a thumbnail), if this device holds it; marks it used
    /// so the cache keeps it longer (at most once a minute: a list showing thumbnails reads
    /// without writing).
    pub fn file(&self, hash: &str) -> Result<Option<PathBuf>> {
        if !is_content_hash(hash) {
            return Ok(None);
        }
        let files = self.engine.store.media();
        let Some(last_used) = self.engine.read(|conn| table::last_used(conn, hash))? else {
            return Ok(None);
        };
        if !files.has(hash) {
            return Ok(None);
        }
        let now_ms = self.engine.now().timestamp_millis();
        if now_ms - last_used >= TOUCH_EVERY_MS {
            // Not `Engine::write`: marking a file used is no edit, and must not start a sync.
            self.engine
                .store
                .transaction(|tx| table::touch(tx, hash, now_ms))?;
        }
        Ok(Some(files.path_of(hash)))
    }

    /// How many captured media wait for upload, are uploading, failed or are uploaded.
    pub fn queue(&self) -> Result<MediaQueue> {
        let (counts, bytes_pending, failed) = self.engine.read(|conn| {
            let (counts, bytes) = table::queue_counts(conn)?;
            Ok((
                counts,
                bytes,
                table::failed(conn, MediaQueue::FAILURES_LISTED)?,
            ))
        })?;
        let mut queue = MediaQueue {
            bytes_pending,
            failures: failed
                .into_iter()
                .map(|row| FailedUpload {
                    reason: row.error.unwrap_or_default(),
                    hash: row.hash,
                    role: row.role,
                    attempts: row.attempts,
                })
                .collect(),
            ..MediaQueue::default()
        };
        for (state, count) in counts {
            match state {
                UploadState::Queued => queue.queued = count,
                UploadState::Uploading => queue.uploading = count,
                UploadState::Failed => queue.failed = count,
                UploadState::Uploaded => queue.uploaded = count,
            }
        }
        Ok(queue)
    }

    /// Up to `limit` media files for the uploader, marked uploading. Only media whose records
    /// have all synced are offered; thumbnails first, failed ones last. Media left uploading by
    /// an interrupted run is offered again (uploads are idempotent: the server keys blobs by
    /// hash).
    pub fn pending_uploads(&self, limit: u32) -> Result<Vec<PendingUpload>> {
        self.pending_uploads_except(limit, &HashSet::new())
    }

    /// [`Self::pending_uploads`] without the items of `tried` (those an uploader already tried
    /// in this run): they are neither offered nor marked uploading, so a failed item stays
    /// `Failed`, with its reason, until it is tried again.
    pub fn pending_uploads_except(
        &self,
        limit: u32,
        tried: &HashSet<String>,
    ) -> Result<Vec<PendingUpload>> {
        let files = self.engine.store.media();
        let wanted = limit as usize;
        // Enough rows that `limit` remain once the tried ones are left out.
        let fetch = u32::try_from(wanted.saturating_add(tried.len())).unwrap_or(u32::MAX);
        self.engine.store.transaction(|tx| {
            let rows: Vec<_> = table::uploadable(tx, fetch)?
                .into_iter()
                .filter(|row| !tried.contains(&row.hash))
                .take(wanted)
                .collect();
            for row in &rows {
                table::set_state(tx, &row.hash, UploadState::Uploading, None)?;
            }
            Ok(rows
                .into_iter()
                .map(|row| PendingUpload {
                    path: files.path_of(&row.hash),
                    bytes: row.bytes,
                    hash: row.hash,
                })
                .collect())
        })
    }

    /// The server has media `hash`: it leaves the queue and joins the cache (evictable, least
    /// recently used first). Media this device no longer holds is ignored.
    pub fn mark_uploaded(&self, hash: &str) -> Result<()> {
        let budget = self.engine.config().media.cache_budget_bytes;
        self.engine.store.transaction(|tx| {
            if table::set_state(tx, hash, UploadState::Uploaded, None)? {
                table::evict_over(tx, budget, hash)?;
            }
            Ok(())
        })
    }

    /// The upload of media `hash` failed for `reason` (no personal data: a status, an error
    /// code); it counts an attempt and is offered again.
    pub fn mark_failed(&self, hash: &str, reason: &str) -> Result<()> {
        let reason: String = reason.chars().take(500).collect();
        self.engine.store.transaction(|tx| {
            table::set_state(tx, hash, UploadState::Failed, Some(&reason))?;
            Ok(())
        })
    }

    /// Up to `limit` hashes that records of this store reference and this device does not hold:
    /// what the downloader may fetch, thumbnails first.
    pub fn wanted_downloads(&self, limit: u32) -> Result<Vec<String>> {
        self.engine.read(|conn| table::wanted(conn, limit, false))
    }

    /// Up to `limit` thumbnails that records of this store reference and this device does not
    /// hold: what a sync fetches by itself (full images come on demand).
    pub fn wanted_thumbnails(&self, limit: u32) -> Result<Vec<String>> {
        self.engine.read(|conn| table::wanted(conn, limit, true))
    }

    /// Keeps `bytes` downloaded as media `hash` and returns its file, after checking that they
    /// hash to it; the cache budget then evicts the least recently used media the server holds.
    /// Bytes that do not match are refused ([`MediaError::HashMismatch`]), as is media no
    /// record here references ([`MediaError::Unreferenced`]).
    pub fn store_downloaded(&self, hash: &str, bytes: &[u8]) -> Result<PathBuf> {
        if !is_content_hash(hash) || content_hash(bytes) != hash {
            return Err(MediaError::HashMismatch {
                hash: hash.chars().take(64).collect(),
            }
            .into());
        }
        let unreferenced = || -> Error {
            MediaError::Unreferenced {
                hash: hash.to_string(),
            }
            .into()
        };
        let role = self
            .engine
            .read(|conn| table::referenced_as(conn, hash))?
            .ok_or_else(unreferenced)?;
        let (width, height) = shrink::dimensions(bytes).unwrap_or((0, 0));
        let files = self.engine.store.media();
        let path = files.write(hash, bytes)?;
        let budget = self.engine.config().media.cache_budget_bytes;
        let now_ms = self.engine.now().timestamp_millis();
        self.engine.store.transaction(|tx| {
            // Checked again in the transaction: the record may have gone meanwhile (its file,
            // then an orphan, goes at the next sweep).
            if table::referenced_as(tx, hash)?.is_none() {
                return Err(unreferenced());
            }
            table::insert(
                tx,
                &NewRow {
                    hash,
                    role,
                    bytes: bytes.len() as u64,
                    width,
                    height,
                    captured: false,
                    now_ms,
                },
            )?;
            table::evict_over(tx, budget, hash)?;
            Ok(())
        })?;
        Ok(path)
    }
}

/// Removes media files no row names: left by a crash between writing a file and committing its
/// row. Run when the store opens, before any area can be writing a file.
pub(crate) fn sweep_orphans(engine: &Engine) -> Result<usize> {
    let files = engine.store.media();
    let known: HashSet<String> = engine.read(table::all_hashes)?;
    let orphans = files.orphans(|hash| known.contains(hash))?;
    for path in &orphans {
        if let Err(e) = std::fs::remove_file(path) {
            tracing::warn!(error = %e, "could not remove an orphan media file");
        }
    }
    Ok(orphans.len())
}
