//! The blob store: verified media blobs and the chunks of uploads still in progress, kept in
//! an [`ObjectStore`] (a directory under the data directory by default; S3-compatible storage
//! with the `s3` feature, so that several server instances share one store).
//!
//! Keys are per tenant, so one tenant's blobs are never another's even for the same bytes:
//!
//! * `tenants/<tenant>/media/<hash>` — a complete blob, written only after its bytes hashed to
//!   `<hash>` and sniffed as an image; written once, never changed.
//! * `tenants/<tenant>/uploads/<hash>/<offset>` — a received chunk, its start offset written
//!   as 20 digits. Chunks are written with "create only", so two requests racing for the same
//!   offset cannot both land; the offset an upload stands at is the end of the run of
//!   contiguous chunks from 0. Chunks live in the same store as blobs: a restarted server (or
//!   another instance) sees every byte already received. An upload left alone for long is
//!   removed whole ([`BlobStore::drop_stale_uploads`], run periodically by the server).
//!
//! This module owns the bytes only. It must not decide who may read or write them (the HTTP
//! layer asks storage's reference index first) and must not log anything but counts.

use std::path::Path as FsPath;
use std::sync::Arc;

use bytes::Bytes;
use fieldsales_protocol::media::{self, MediaType, MAX_BLOB_BYTES, SNIFF_BYTES};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutPayload};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Uploads being verified at once. Verifying reads the whole blob into memory (at most
/// [`MAX_BLOB_BYTES`]), so this bounds the memory a burst of completions costs.
const VERIFYING_AT_ONCE: usize = 2;

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// The verified blob is stored; its length.
    Complete { length: u64 },
    /// This many bytes are held (0: nothing yet).
    Partial { offset: u64 },
}

/// Why a chunk was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ChunkRefused {
    #[error("the upload stands at {held} bytes")]
    OffsetMismatch { held: u64 },
    #[error("the chunk runs past the declared length")]
    PastLength,
    #[error("the blob is larger than the protocol allows")]
    TooLarge,
    #[error("the bytes are not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the bytes do not hash to the blob's name")]
    HashMismatch,
    #[error(transparent)]
    Failed(#[from] Error),
}

impl From<object_store::Error> for ChunkRefused {
    fn from(e: object_store::Error) -> Self {
        ChunkRefused::Failed(e.into())
    }
}

/// A stored blob, opened for reading.
pub struct Blob {
    pub length: u64,
    pub kind: MediaType,
    pub bytes: BoxStream<'static, object_store::Result<Bytes>>,
}

/// A chunk of an upload: where it starts, the blob's whole length, the bytes.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub offset: u64,
    pub length: u64,
    pub bytes: Bytes,
}

/// Media blobs over one object store.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    verifying: Arc<Semaphore>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.store)
    }
}

fn blob_key(tenant: &str, hash: &str) -> Path {
    Path::from(format!("tenants/{tenant}/media/{hash}"))
}

fn uploads_prefix(tenant: &str, hash: &str) -> Path {
    Path::from(format!("tenants/{tenant}/uploads/{hash}"))
}

fn chunk_key(tenant: &str, hash: &str, offset: u64) -> Path {
    Path::from(format!("tenants/{tenant}/uploads/{hash}/{offset:020}"))
}

fn is_not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

impl BlobStore {
    /// Blobs in the directory `dir` (created if missing).
    pub fn local(dir: &FsPath) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
        Ok(Self::over(Arc::new(store)))
    }

    /// Blobs in any object store (S3, a test's in-memory store).
    pub fn over(store: Arc<dyn ObjectStore>) -> Self {
        BlobStore {
            store,
            verifying: Arc::new(Semaphore::new(VERIFYING_AT_ONCE)),
        }
    }

    /// Where the upload of `hash` stands.
    pub async fn state(&self, tenant: &str, hash: &str) -> Result<UploadState> {
        match self.store.head(&blob_key(tenant, hash)).await {
            Ok(meta) => return Ok(UploadState::Complete { length: meta.size }),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let chunks = self.chunks(tenant, hash).await?;
        Ok(UploadState::Partial {
            offset: contiguous_end(&chunks),
        })
    }

    /// The received chunks of `hash`, as (start, length, key), in start order.
    async fn chunks(&self, tenant: &str, hash: &str) -> Result<Vec<(u64, u64, Path)>> {
        let listed: Vec<_> = self
            .store
            .list(Some(&uploads_prefix(tenant, hash)))
            .try_collect()
            .await?;
        let mut chunks: Vec<_> = listed
            .into_iter()
            .filter_map(|meta| {
                let start = meta.location.filename()?.parse::<u64>().ok()?;
                Some((start, meta.size, meta.location))
            })
            .collect();
        chunks.sort_by_key(|(start, _, _)| *start);
        Ok(chunks)
    }

    /// Takes one chunk of the upload of `hash`; the last one completes it (verified, stored,
    /// the chunks removed). A blob already stored answers `Complete` at once and writes
    /// nothing, so an upload repeated by a device that lost the answer is harmless.
    pub async fn put_chunk(
        &self,
        tenant: &str,
        hash: &str,
        chunk: Chunk,
    ) -> std::result::Result<UploadState, ChunkRefused> {
        if chunk.length > MAX_BLOB_BYTES {
            return Err(ChunkRefused::TooLarge);
        }
        let held = match self.state(tenant, hash).await? {
            complete @ UploadState::Complete { .. } => return Ok(complete),
            UploadState::Partial { offset } => offset,
        };
        if chunk.offset != held {
            return Err(ChunkRefused::OffsetMismatch { held });
        }
        let end = chunk.offset + chunk.bytes.len() as u64;
        if end > chunk.length {
            return Err(ChunkRefused::PastLength);
        }
        // A text file named .jpg is refused on its first bytes, before anything is kept.
        if chunk.offset == 0 && (chunk.bytes.len() >= SNIFF_BYTES || end == chunk.length) {
            media::sniff(&chunk.bytes).ok_or(ChunkRefused::NotAnImage)?;
        }
        if !chunk.bytes.is_empty() {
            let key = chunk_key(tenant, hash, chunk.offset);
            let put = self
                .store
                .put_opts(&key, PutPayload::from(chunk.bytes), PutMode::Create.into())
                .await;
            match put {
                Ok(_) => {}
                // Another request wrote this offset first.
                Err(object_store::Error::AlreadyExists { .. }) => {
                    return match self.state(tenant, hash).await? {
                        complete @ UploadState::Complete { .. } => Ok(complete),
                        UploadState::Partial { offset } => {
                            Err(ChunkRefused::OffsetMismatch { held: offset })
                        }
                    };
                }
                Err(e) => return Err(Error::from(e).into()),
            }
        }
        if end < chunk.length {
            return Ok(UploadState::Partial { offset: end });
        }
        self.complete(tenant, hash).await
    }

    /// Reads the chunks in order, checks the hash and the type, stores the blob, and drops
    /// the chunks; a blob that fails a check is dropped whole.
    async fn complete(
        &self,
        tenant: &str,
        hash: &str,
    ) -> std::result::Result<UploadState, ChunkRefused> {
        let _slot = self
            .verifying
            .acquire()
            .await
            .map_err(|_| Error::Config("the blob store is closed".into()))?;
        let chunks = self.chunks(tenant, hash).await?;
        let end = contiguous_end(&chunks);
        let mut bytes = Vec::with_capacity(end.min(MAX_BLOB_BYTES) as usize);
        let mut hasher = media::ContentHasher::default();
        for (start, _, key) in &chunks {
            if *start != bytes.len() as u64 {
                continue;
            }
            let data = self.store.get(key).await?.bytes().await?;
            if bytes.len() as u64 + data.len() as u64 > MAX_BLOB_BYTES {
                self.drop_chunks(&chunks).await?;
                return Err(ChunkRefused::TooLarge);
            }
            hasher.update(&data);
            bytes.extend_from_slice(&data);
        }
        if hasher.finish() != hash {
            self.drop_chunks(&chunks).await?;
            return Err(ChunkRefused::HashMismatch);
        }
        if media::sniff(&bytes).is_none() {
            self.drop_chunks(&chunks).await?;
            return Err(ChunkRefused::NotAnImage);
        }
        let length = bytes.len() as u64;
        // Overwriting is harmless: two racing completions write the same verified bytes.
        self.store
            .put(&blob_key(tenant, hash), PutPayload::from(bytes))
            .await
            .map_err(Error::from)?;
        self.drop_chunks(&chunks).await?;
        Ok(UploadState::Complete { length })
    }

    async fn drop_chunks(&self, chunks: &[(u64, u64, Path)]) -> Result<()> {
        for (_, _, key) in chunks {
            match self.store.delete(key).await {
                Ok(()) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// The stored blob `hash` as a stream of bytes, with its length and sniffed type, or
    /// `None` when it is not (yet) complete. Streamed, so a download costs a buffer, not the
    /// blob.
    pub async fn read(&self, tenant: &str, hash: &str) -> Result<Option<Blob>> {
        let found = match self.store.get(&blob_key(tenant, hash)).await {
            Ok(found) => found,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let length = found.meta.size;
        let mut stream = found.into_stream();
        let mut head = Vec::new();
        while head.len() < SNIFF_BYTES {
            match stream.try_next().await? {
                Some(bytes) => head.extend_from_slice(&bytes),
                None => break,
            }
        }
        // Stored blobs were sniffed on the way in; one that no longer sniffs is damaged.
        let kind = media::sniff(&head)
            .ok_or_else(|| Error::Config("a stored blob is not an image".into()))?;
        let first = futures_util::stream::once(async move { Ok(Bytes::from(head)) });
        Ok(Some(Blob {
            length,
            kind,
            bytes: Box::pin(first.chain(stream)),
        }))
    }

    /// Removes the blob `hash` and any upload of it in progress. Removing what is not there
    /// is not an error.
    pub async fn delete(&self, tenant: &str, hash: &str) -> Result<()> {
        match self.store.delete(&blob_key(tenant, hash)).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let chunks = self.chunks(tenant, hash).await?;
        self.drop_chunks(&chunks).await
    }
}

impl BlobStore {
    /// Removes every upload of every tenant whose newest chunk is older than `age`: a phone
    /// that never came back for it (reinstalled, photo deleted). Returns the uploads removed.
    /// Completed blobs are never touched.
    pub async fn drop_stale_uploads(&self, age: std::time::Duration) -> Result<usize> {
        let cutoff =
            chrono::Utc::now() - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        let tenants = self
            .store
            .list_with_delimiter(Some(&Path::from("tenants")))
            .await?;
        let mut dropped = 0;
        for tenant in tenants.common_prefixes {
            let uploads: Vec<_> = self
                .store
                .list(Some(&tenant.join("uploads")))
                .try_collect()
                .await?;
            // Chunks grouped by upload (their parent: `.../uploads/<hash>`), with the newest time.
            let mut by_upload: std::collections::BTreeMap<
                String,
                (chrono::DateTime<chrono::Utc>, Vec<Path>),
            > = std::collections::BTreeMap::new();
            for meta in uploads {
                let key = meta
                    .location
                    .as_ref()
                    .rsplit_once('/')
                    .map(|(dir, _)| dir.to_string());
                let Some(key) = key else { continue };
                let entry = by_upload
                    .entry(key)
                    .or_insert((meta.last_modified, Vec::new()));
                entry.0 = entry.0.max(meta.last_modified);
                entry.1.push(meta.location);
            }
            for (_, (newest, chunks)) in by_upload {
                if newest < cutoff {
                    for key in chunks {
                        match self.store.delete(&key).await {
                            Ok(()) => {}
                            Err(e) if is_not_found(&e) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                    dropped += 1;
                }
            }
        }
        Ok(dropped)
    }
}

/// The end of the run of chunks that starts at 0 and has no gap.
fn contiguous_end(chunks: &[(u64, u64, Path)]) -> u64 {
    let mut end = 0;
    for (start, size, _) in chunks {
        if *start == end {
            end += size;
        }
    }
    end
}

impl BlobStore {
    /// The store the configuration names: a local directory, or (with the `s3` feature) a
    /// bucket.
    pub fn open(settings: &crate::config::MediaSettings, data_dir: &FsPath) -> Result<Self> {
        match settings.backend {
            crate::config::MediaBackend::Local => Self::local(&settings.local_dir(data_dir)),
            crate::config::MediaBackend::S3 => s3(settings).map(Self::over),
        }
    }
}

#[cfg(feature = "s3")]
fn s3(settings: &crate::config::MediaSettings) -> Result<Arc<dyn ObjectStore>> {
    let bucket = settings
        .s3_bucket
        .clone()
        .ok_or_else(|| Error::Config("media.s3_bucket is required for S3".into()))?;
    let mut builder = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_allow_http(settings.s3_allow_http);
    if let Some(endpoint) = &settings.s3_endpoint {
        builder = builder.with_endpoint(endpoint.clone());
    }
    if let Some(region) = &settings.s3_region {
        builder = builder.with_region(region.clone());
    }
    Ok(Arc::new(builder.build()?))
}

#[cfg(not(feature = "s3"))]
fn s3(_: &crate::config::MediaSettings) -> Result<Arc<dyn ObjectStore>> {
    Err(Error::Config(
        "media.backend = \"s3\" needs a server built with the `s3` feature".into(),
    ))
}
