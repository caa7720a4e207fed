//! Media blobs on the server: where they are kept ([`blobs`]), who may reach one
//! ([`may_reach`]), and what is removed when no record refers to a blob any more
//! ([`delete_unreferenced`]).
//!
//! A blob is reachable by a user exactly when a record that refers to it (a visit's `photos`,
//! a customer's `documents`, read by [`fieldsales_protocol::media::references`]) is visible to
//! that user by [`crate::access::can_see`] — the one visibility rule, not a second one for
//! media. The references come from the index storage keeps beside each document (updated in
//! the transaction that stores a pushed document, rebuilt from the stored documents by a
//! migration), so a check opens a few documents' audience columns, never the blob.
//!
//! A user who may not reach a blob is told it does not exist (404), whether it exists, belongs
//! to another team or tenant, or was never referenced: a hash known from elsewhere reveals
//! nothing. This module must not serve HTTP or touch SQL.

pub mod blobs;

use std::collections::BTreeSet;

pub use blobs::{Blob, BlobStore, Chunk, ChunkRefused, UploadState};

use crate::access::{can_see, Viewer};
use crate::error::Result;
use crate::storage::Storage;
use crate::sync::SyncStore;

/// Referring documents examined for one check; a blob shared by more (the same photo attached
/// to hundreds of visits) is judged on the first ones, which keeps a check bounded.
pub const MAX_REFERRERS_CHECKED: usize = 64;

/// May `viewer` upload or download the blob `hash`? Runs inside one read of the tenant.
pub fn may_reach(store: &mut dyn SyncStore, viewer: &Viewer, hash: &str) -> Result<bool> {
    let referrers = store.media_referrers(hash, MAX_REFERRERS_CHECKED)?;
    if referrers.is_empty() {
        return Ok(false);
    }
    let teams = store.teams()?;
    for doc_id in referrers {
        let Some(doc) = store.load_doc(&doc_id)? else {
            continue;
        };
        let customer = match &doc.meta.customer {
            Some(id) => store.load_doc(id)?.map(|c| c.meta.as_customer()),
            None => None,
        };
        if can_see(viewer, &doc.meta, customer.as_ref(), &teams) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Deletes the blobs among `hashes` that no document of `tenant` refers to any more, and
/// returns how many it deleted. A purge calls it with the hashes the purged documents
/// referred to, after its transaction committed; a blob still referred to elsewhere stays.
pub async fn delete_unreferenced(
    storage: &dyn Storage,
    blobs: &BlobStore,
    tenant: &str,
    hashes: &BTreeSet<String>,
) -> Result<usize> {
    let mut deleted = 0;
    for hash in hashes {
        if !storage.media_referenced(tenant, hash).await? {
            blobs.delete(tenant, hash).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
