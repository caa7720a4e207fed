//! Body framing: magic, version byte, compressed CBOR — and the refusals a bad body earns.
//!
//! Decoding is the first thing a server does with bytes from the network, so it is bounded:
//! the decompressed size is capped before CBOR sees it (a gzip bomb stops at the cap), the
//! counts of documents and changes are checked while CBOR is read (see `bounded`), and every
//! failure is a [`DecodeError`] saying what was wrong, never a panic.

use std::io::{Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::bounded::Overflow;
use crate::{MAGIC, VERSION};

/// Why a body could not be read. Each maps to one error code of the protocol.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than the header, or not starting with the magic bytes.
    #[error("not a fieldsales sync body (bad magic bytes)")]
    NotSyncBody,
    /// The header names a protocol version this build does not speak.
    #[error("protocol version {found} is not supported (this side speaks {supported})")]
    UnsupportedVersion { found: u8, supported: u8 },
    /// The compressed stream is damaged.
    #[error("body is not valid gzip (version 1) or zstd (version 2)")]
    Compression,
    /// The decompressed message is larger than allowed.
    #[error("decompressed body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    /// The message holds more documents or changes than the protocol allows; decoding stopped
    /// there.
    #[error("more than {limit} {what} in one request")]
    TooMany { what: &'static str, limit: usize },
    /// The CBOR does not hold the expected message.
    #[error("body is not a valid message: {0}")]
    Message(String),
}

/// How the message inside a body is compressed, named by the body's version byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Version 1: gzip (RFC 1952). Still read and answered, for clients built before version 2.
    Gzip = 1,
    /// Version 2: Zstandard (RFC 8878). Smaller and cheaper to unpack: a first sync of a
    /// 110,000-record book crosses the wire in about a third fewer bytes than with gzip.
    Zstd = 2,
}

impl Framing {
    /// What this build writes.
    pub const CURRENT: Framing = Framing::Zstd;

    /// The version byte of this framing.
    pub fn version(self) -> u8 {
        self as u8
    }

    fn from_version(version: u8) -> Option<Framing> {
        match version {
            1 => Some(Framing::Gzip),
            2 => Some(Framing::Zstd),
            _ => None,
        }
    }
}

/// Zstandard level for bodies: level 3 packs a 4 MiB answer in about 10 ms; higher levels
/// gain a few percent for several times the server's CPU.
const ZSTD_LEVEL: i32 = 3;

/// Frames `message` as a sync body in the current framing.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    encode_as(message, Framing::CURRENT)
}

/// Frames `message` as a sync body in `framing` (a server answers in the framing it was asked
/// in).
pub fn encode_as<T: Serialize>(message: &T, framing: Framing) -> Vec<u8> {
    let mut cbor = Vec::new();
    ciborium::into_writer(message, &mut cbor)
        .expect("serialising plain data into a Vec cannot fail");
    let mut body = Vec::with_capacity(cbor.len() / 3 + 16);
    body.extend_from_slice(MAGIC);
    body.push(framing.version());
    match framing {
        Framing::Gzip => {
            let mut gz = GzEncoder::new(body, Compression::fast());
            gz.write_all(&cbor).expect("writing into a Vec cannot fail");
            gz.finish().expect("finishing into a Vec cannot fail")
        }
        Framing::Zstd => {
            zstd::stream::copy_encode(cbor.as_slice(), &mut body, ZSTD_LEVEL)
                .expect("compressing into a Vec cannot fail");
            body
        }
    }
}

/// Reads a sync body, refusing anything that decompresses to more than `max_decompressed`
/// bytes.
pub fn decode<T: DeserializeOwned>(body: &[u8], max_decompressed: usize) -> Result<T, DecodeError> {
    decode_framed(body, max_decompressed).map(|(message, _)| message)
}

/// Like [`decode`], also telling which framing the body used.
pub fn decode_framed<T: DeserializeOwned>(
    body: &[u8],
    max_decompressed: usize,
) -> Result<(T, Framing), DecodeError> {
    if body.len() < MAGIC.len() + 1 || &body[..MAGIC.len()] != MAGIC {
        return Err(DecodeError::NotSyncBody);
    }
    let version = body[MAGIC.len()];
    let framing = Framing::from_version(version).ok_or(DecodeError::UnsupportedVersion {
        found: version,
        supported: VERSION,
    })?;
    let packed = &body[MAGIC.len() + 1..];
    let limit = max_decompressed as u64 + 1;
    let mut cbor = Vec::new();
    let read = match framing {
        Framing::Gzip => GzDecoder::new(packed).take(limit).read_to_end(&mut cbor),
        Framing::Zstd => zstd::stream::read::Decoder::new(packed)
            .and_then(|d| d.take(limit).read_to_end(&mut cbor)),
    };
    read.map_err(|_| DecodeError::Compression)?;
    if cbor.len() > max_decompressed {
        return Err(DecodeError::TooLarge {
            limit: max_decompressed,
        });
    }
    let message = ciborium::from_reader(cbor.as_slice()).map_err(message_error)?;
    Ok((message, framing))
}

/// A CBOR failure as a [`DecodeError`]: a count that stopped the decoding keeps its own variant.
fn message_error(e: ciborium::de::Error<std::io::Error>) -> DecodeError {
    if let ciborium::de::Error::Semantic(_, message) = &e {
        if let Some(overflow) = Overflow::from_message(message) {
            return DecodeError::TooMany {
                what: overflow.what(),
                limit: overflow.limit(),
            };
        }
    }
    DecodeError::Message(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{limits, DocChanges, LocalChange, SyncRequest};

    fn request() -> SyncRequest {
        SyncRequest {
            device_id: "0190c1a2-0000-7000-8000-000000000001".into(),
            cursor: 42,
            docs: vec![DocChanges {
                doc_id: "0190c1a2-0000-7000-8000-000000000002".into(),
                kind: "customer".into(),
                changes: vec![LocalChange {
                    seq: 7,
                    bytes: vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3],
                }],
            }],
            resume: None,
            max_answer_bytes: None,
        }
    }

    #[test]
    fn a_request_survives_the_round_trip() {
        let body = encode(&request());
        assert_eq!(&body[..3], MAGIC);
        assert_eq!(body[3], VERSION);
        let back: SyncRequest = decode(&body, 1 << 20).unwrap();
        assert_eq!(back, request());
    }

    #[test]
    fn change_bytes_travel_as_byte_strings_not_integer_arrays() {
        let mut big = request();
        big.docs[0].changes[0].bytes = (0..=255u8).cycle().take(10_000).collect();
        let mut cbor = Vec::new();
        ciborium::into_writer(&big, &mut cbor).unwrap();
        // An array of integers would cost up to two bytes per byte.
        assert!(cbor.len() < 10_300, "cbor was {} bytes", cbor.len());
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert_eq!(
            decode::<SyncRequest>(b"hello world", 1024),
            Err(DecodeError::NotSyncBody)
        );
        assert_eq!(
            decode::<SyncRequest>(b"", 1024),
            Err(DecodeError::NotSyncBody)
        );
        assert_eq!(
            decode::<SyncRequest>(b"FSY\x01not gzip at all", 1024),
            Err(DecodeError::Compression)
        );
        assert_eq!(
            decode::<SyncRequest>(b"FSY\x02not zstd at all", 1024),
            Err(DecodeError::Compression)
        );
    }

    #[test]
    fn another_version_is_refused_before_decoding() {
        let mut body = encode(&request());
        body[3] = 9;
        assert_eq!(
            decode::<SyncRequest>(&body, 1 << 20),
            Err(DecodeError::UnsupportedVersion {
                found: 9,
                supported: VERSION
            })
        );
    }

    #[test]
    fn a_version_1_body_is_still_read_and_can_be_answered_in_kind() {
        let body = encode_as(&request(), Framing::Gzip);
        assert_eq!(body[3], 1);
        let (back, framing) = decode_framed::<SyncRequest>(&body, 1 << 20).unwrap();
        assert_eq!(back, request());
        assert_eq!(framing, Framing::Gzip);
        let (_, framing) = decode_framed::<SyncRequest>(&encode(&request()), 1 << 20).unwrap();
        assert_eq!(framing, Framing::Zstd);
    }

    #[test]
    fn a_compression_bomb_stops_at_the_limit() {
        let zeros = vec![0u8; 5 << 20];
        let mut gzip = MAGIC.to_vec();
        gzip.push(Framing::Gzip.version());
        let mut gz = GzEncoder::new(gzip, Compression::best());
        gz.write_all(&zeros).unwrap();
        let gzip = gz.finish().unwrap();
        let mut zstd = MAGIC.to_vec();
        zstd.push(Framing::Zstd.version());
        zstd::stream::copy_encode(zeros.as_slice(), &mut zstd, 19).unwrap();
        for body in [gzip, zstd] {
            assert!(body.len() < 64 << 10);
            assert_eq!(
                decode::<SyncRequest>(&body, 1 << 20),
                Err(DecodeError::TooLarge { limit: 1 << 20 })
            );
        }
    }

    /// CBOR of a request with one document whose `changes` list is `header` then `items`:
    /// the lists are written by hand so a test can declare more than it holds.
    fn framed_request(header: &[u8], items: &[u8]) -> Vec<u8> {
        let text = |out: &mut Vec<u8>, s: &str| ciborium::into_writer(&s, out).unwrap();
        let mut cbor = vec![0xa3];
        text(&mut cbor, "device_id");
        text(&mut cbor, "0190c1a2-0000-7000-8000-000000000001");
        text(&mut cbor, "cursor");
        cbor.push(0x00);
        text(&mut cbor, "docs");
        cbor.extend([0x81, 0xa3]);
        text(&mut cbor, "doc_id");
        text(&mut cbor, "0190c1a2-0000-7000-8000-000000000002");
        text(&mut cbor, "kind");
        text(&mut cbor, "visit");
        text(&mut cbor, "changes");
        cbor.extend_from_slice(header);
        cbor.extend_from_slice(items);
        let mut body = MAGIC.to_vec();
        body.push(Framing::Zstd.version());
        zstd::stream::copy_encode(cbor.as_slice(), &mut body, 19).unwrap();
        body
    }

    /// A definite-length CBOR array header declaring `n` items.
    fn array_of(n: u32) -> Vec<u8> {
        let mut header = vec![0x9a];
        header.extend(n.to_be_bytes());
        header
    }

    fn tiny_change() -> Vec<u8> {
        let mut item = Vec::new();
        let change = LocalChange {
            seq: 1,
            bytes: vec![],
        };
        ciborium::into_writer(&change, &mut item).unwrap();
        item
    }

    const TOO_MANY_CHANGES: DecodeError = DecodeError::TooMany {
        what: "changes",
        limit: limits::MAX_CHANGES_PER_REQUEST,
    };

    #[test]
    fn millions_of_tiny_changes_in_a_small_body_are_refused() {
        let count = 2_500_000;
        let items = tiny_change().repeat(count);
        let body = framed_request(&array_of(count as u32), &items);
        assert!(body.len() < 64 << 10, "{} bytes on the wire", body.len());
        assert!(items.len() > 25 << 20);
        assert_eq!(
            decode::<SyncRequest>(&body, limits::MAX_DECOMPRESSED_BYTES),
            Err(TOO_MANY_CHANGES)
        );
    }

    #[test]
    fn a_list_declaring_more_changes_than_the_limit_is_refused_from_its_header() {
        // The body ends right after the header: a decoder that read on would fail for the
        // missing items instead.
        let body = framed_request(&array_of(2_500_000), &[]);
        assert_eq!(decode::<SyncRequest>(&body, 1 << 20), Err(TOO_MANY_CHANGES));
    }

    #[test]
    fn a_list_of_unknown_length_stops_one_item_past_the_limit() {
        // An indefinite-length list holding limit + 1 changes, then a byte that is not CBOR: a
        // decoder that visited one more item would fail on it instead.
        let mut items = tiny_change().repeat(limits::MAX_CHANGES_PER_REQUEST + 1);
        items.push(0x1c);
        let body = framed_request(&[0x9f], &items);
        assert_eq!(decode::<SyncRequest>(&body, 1 << 20), Err(TOO_MANY_CHANGES));

        let mut at_limit = tiny_change().repeat(limits::MAX_CHANGES_PER_REQUEST);
        at_limit.push(0xff);
        let body = framed_request(&[0x9f], &at_limit);
        let request = decode::<SyncRequest>(&body, 1 << 20).unwrap();
        assert_eq!(
            request.docs[0].changes.len(),
            limits::MAX_CHANGES_PER_REQUEST
        );
    }

    #[test]
    fn the_change_limit_counts_across_documents() {
        let mut many = request();
        let change = many.docs[0].changes[0].clone();
        many.docs = (0..3)
            .map(|i| DocChanges {
                doc_id: format!("0190c1a2-0000-7000-8000-00000000000{i}"),
                kind: "visit".into(),
                changes: vec![change.clone(); limits::MAX_CHANGES_PER_REQUEST / 2],
            })
            .collect();
        assert_eq!(
            decode::<SyncRequest>(&encode(&many), limits::MAX_DECOMPRESSED_BYTES),
            Err(TOO_MANY_CHANGES)
        );
        many.docs.pop();
        let back: SyncRequest = decode(&encode(&many), limits::MAX_DECOMPRESSED_BYTES).unwrap();
        assert_eq!(back, many);
    }

    #[test]
    fn more_documents_than_the_limit_are_refused() {
        let mut many = request();
        many.docs = vec![many.docs[0].clone(); limits::MAX_DOCS_PER_REQUEST + 1];
        assert_eq!(
            decode::<SyncRequest>(&encode(&many), limits::MAX_DECOMPRESSED_BYTES),
            Err(DecodeError::TooMany {
                what: "documents",
                limit: limits::MAX_DOCS_PER_REQUEST
            })
        );
    }

    #[test]
    fn a_message_of_the_wrong_shape_is_refused() {
        let body = encode(&vec![1u32, 2, 3]);
        assert!(matches!(
            decode::<SyncRequest>(&body, 1 << 20),
            Err(DecodeError::Message(_))
        ));
    }
}
