//! Media blobs on the server: where they are kept ([`blobs`]), who may reach one
//! ([`may_reach`]), and what is removed when no record refers to a blob any more
//! ([`delete_unreferenced`]).
//!
//! A blob is reachable by a user exactly when a record that refers to it (a visit's `photos`,
//! a customer's `documents`, read by [`fieldsales_protocol::media::references`]) is visible to
//! that user by [`crate::access::can_see`] — the one visibility rule, not a second one for
//! media. The references come from the index storage keeps beside each document (updated in
//! the transaction that stores a pushed document, rebuilt from the stored documents by a
//! migration), so a check reads the referrers' audience columns a page at a time, never a
//! document's bytes nor the blob. A deleted record refers to nothing: its photos stay
//! reachable only through other live records.
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

/// Referring documents read per page of one check. Every referrer is considered (the same
/// photo attached to hundreds of visits is reachable through any of them), a page at a time,
/// and the check stops at the first that the user may see.
pub const REFERRERS_PAGE: usize = 256;

/// May `viewer` upload or download the blob `hash`? Runs inside one read of the tenant. Only
/// live documents count: a deleted visit (a tombstone) no longer opens its photos.
pub fn may_reach(store: &mut dyn SyncStore, viewer: &Viewer, hash: &str) -> Result<bool> {
    let mut teams = None;
    let mut after: Option<String> = None;
    loop {
        let page = store.media_referrers(hash, after.as_deref(), REFERRERS_PAGE)?;
        if page.is_empty() {
            return Ok(false);
        }
        let teams = match &mut teams {
            Some(teams) => teams,
            None => teams.insert(store.teams()?),
        };
        if page
            .iter()
            .any(|r| can_see(viewer, &r.meta, r.customer.as_ref(), teams))
        {
            return Ok(true);
        }
        if page.len() < REFERRERS_PAGE {
            return Ok(false);
        }
        after = page.last().map(|r| r.doc_id.clone());
    }
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
