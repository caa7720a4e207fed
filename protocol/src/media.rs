//! Media (photos, scanned documents) on the wire: what a device and the server agree on to move
//! a blob, and how either side finds the blobs a record refers to.
//!
//! Records never carry media. A visit's `photos` and a customer's `documents` map the SHA-256
//! (64 lowercase hex digits) of an image to the SHA-256 of its thumbnail (older visits hold
//! `true` instead of a thumbnail hash); both are separate content-addressed blobs, uploaded
//! after the record synced. This module owns:
//!
//! * the endpoints and headers of the small resumable upload protocol (`docs/protocol.md`,
//!   "Media"): `HEAD`, `PATCH` and `GET` on [`path`]`(hash)`;
//! * the limits ([`MAX_BLOB_BYTES`], [`MAX_CHUNK_BYTES`], [`CHUNK_BYTES`]);
//! * the one content-hash rule ([`is_content_hash`], [`content_hash`]);
//! * the one content sniffer ([`sniff`]): the bytes decide the type, never a header or a name;
//! * the one reader of a record's media references ([`references`]), so the server indexes
//!   exactly what the phone shows.
//!
//! It must not do I/O or know HTTP frameworks: the server and the device's transport put it to
//! work.

use std::collections::BTreeSet;

use automerge::{ObjType, ReadDoc, ScalarValueRef, Value, ValueRef, ROOT};
use sha2::{Digest, Sha256};

use crate::schema::{customer, visit};
use crate::Kind;

/// The path prefix of media endpoints; a blob lives at [`path`].
pub const PATH_PREFIX: &str = "/v1/media/";

/// Bytes the server holds of an upload (answer of `HEAD` and `PATCH`), and where a `PATCH`
/// chunk starts (request).
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// The blob's whole length, sent with every `PATCH`; answered by `HEAD` once complete.
pub const UPLOAD_LENGTH: &str = "upload-length";
/// `HEAD` / `PATCH` answer: `complete` when the server holds the verified blob, else `partial`.
pub const UPLOAD_STATE: &str = "upload-state";
/// Value of [`UPLOAD_STATE`] for a stored blob.
pub const STATE_COMPLETE: &str = "complete";
/// Value of [`UPLOAD_STATE`] for a blob still missing bytes (or never started).
pub const STATE_PARTIAL: &str = "partial";
/// `Content-Type` of a `PATCH` body.
pub const CHUNK_CONTENT_TYPE: &str = "application/offset+octet-stream";

/// Largest blob the server stores. A shrunk photo (1,920 px, JPEG q≈80) is well under 1 MiB; a
/// scanned contract page a few MiB.
pub const MAX_BLOB_BYTES: u64 = 16 << 20;
/// Largest body of one `PATCH`.
pub const MAX_CHUNK_BYTES: usize = 4 << 20;
/// The chunk a client sends: small enough that a dropped connection on a slow network loses
/// little, big enough that a photo goes up in one or two requests.
pub const CHUNK_BYTES: usize = 512 << 10;

/// The path of the blob `hash`.
pub fn path(hash: &str) -> String {
    format!("{PATH_PREFIX}{hash}")
}

/// Is `s` a content hash: SHA-256 as 64 lowercase hex digits?
pub fn is_content_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The content hash of `bytes`.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// An incremental [`content_hash`], for bytes that arrive in pieces.
#[derive(Default, Clone)]
pub struct ContentHasher(Sha256);

impl ContentHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The image types the server stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
}

impl MediaType {
    /// The `Content-Type` a download is served with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
        }
    }
}

/// Bytes [`sniff`] needs to decide.
pub const SNIFF_BYTES: usize = 12;

/// The type of a blob from its first bytes (magic numbers), or `None` for anything else. The
/// bytes are trusted, never a `Content-Type` or a file name: a text file named `.jpg` is text.
///
/// ```
/// use fieldsales_protocol::media::{sniff, MediaType};
/// assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(MediaType::Png));
/// assert_eq!(sniff(b"hello, world"), None);
/// ```
pub fn sniff(head: &[u8]) -> Option<MediaType> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(MediaType::Webp)
    } else {
        None
    }
}

/// The content hashes a record document refers to: the keys of a visit's `photos` and of a
/// customer's `documents`, and their values when those are hashes (thumbnails). Other kinds
/// refer to none. Keys and values that are not content hashes are ignored, so a malformed
/// record cannot make anyone index garbage.
///
/// ```
/// use automerge::{transaction::Transactable, AutoCommit, ObjType, ROOT};
/// use fieldsales_protocol::{media, Kind};
/// let (image, thumb) = (media::content_hash(b"image"), media::content_hash(b"thumb"));
/// let mut doc = AutoCommit::new();
/// let photos = doc.put_object(ROOT, "photos", ObjType::Map).unwrap();
/// doc.put(&photos, image.as_str(), thumb.as_str()).unwrap();
/// let refs = media::references(Kind::Visit, &doc);
/// assert!(refs.contains(&image) && refs.contains(&thumb));
/// ```
pub fn references(kind: Kind, doc: &impl ReadDoc) -> BTreeSet<String> {
    let field = match kind {
        Kind::Visit => visit::PHOTOS,
        Kind::Customer => customer::DOCUMENTS,
        Kind::QuickLog | Kind::Task => return BTreeSet::new(),
    };
    let mut found = BTreeSet::new();
    let map = match doc.get(ROOT, field) {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        _ => return found,
    };
    for item in doc.map_range(&map, ..) {
        if is_content_hash(item.key.as_ref()) {
            found.insert(item.key.to_string());
        }
        if let ValueRef::Scalar(ScalarValueRef::Str(thumb)) = &item.value {
            if is_content_hash(thumb) {
                found.insert(thumb.to_string());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::AutoCommit;

    #[test]
    fn a_hash_is_64_lowercase_hex_digits_and_nothing_else() {
        let good = content_hash(b"photo");
        assert!(is_content_hash(&good));
        assert!(!is_content_hash(&good.to_uppercase()));
        assert!(!is_content_hash(&good[1..]));
        assert!(!is_content_hash(&format!("{}g", &good[1..])));
        assert!(!is_content_hash("../../etc/passwd"));
    }

    #[test]
    fn the_incremental_hash_is_the_hash_of_the_whole() {
        let mut hasher = ContentHasher::default();
        hasher.update(b"pho");
        hasher.update(b"to");
        assert_eq!(hasher.finish(), content_hash(b"photo"));
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_bytes_decide_the_type() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"just some text, named photo.jpg"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_visit_refers_to_its_images_and_thumbnails_old_and_new() {
        let (a, a_thumb, b) = (content_hash(b"a"), content_hash(b"at"), content_hash(b"b"));
        let mut doc = AutoCommit::new();
        let photos = doc.put_object(ROOT, visit::PHOTOS, ObjType::Map).unwrap();
        doc.put(&photos, a.as_str(), a_thumb.as_str()).unwrap();
        doc.put(&photos, b.as_str(), true).unwrap();
        doc.put(&photos, "not-a-hash", "nor this").unwrap();
        let refs = references(Kind::Visit, &doc);
        assert_eq!(refs, BTreeSet::from([a.clone(), a_thumb, b]));
        // The same map under a task means nothing.
        assert!(references(Kind::Task, &doc).is_empty());
        // A customer reads `documents`, not `photos`.
        assert!(references(Kind::Customer, &doc).is_empty());
        let docs = doc
            .put_object(ROOT, customer::DOCUMENTS, ObjType::Map)
            .unwrap();
        doc.put(&docs, a.as_str(), true).unwrap();
        assert_eq!(references(Kind::Customer, &doc), BTreeSet::from([a]));
    }
}
