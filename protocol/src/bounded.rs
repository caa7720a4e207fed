//! Reading a request's documents and changes with their counts checked as they are read.
//!
//! A compressed body of a few kilobytes can unpack to millions of tiny changes; decoding them
//! all and counting afterwards cost the server seconds of CPU per request before its 400. Here
//! the lists of [`SyncRequest::docs`](super::SyncRequest) and of each document's changes stop
//! at the protocol's limits ([`limits::MAX_DOCS_PER_REQUEST`], and
//! [`limits::MAX_CHANGES_PER_REQUEST`] over the whole request): a list that declares more is
//! refused from its header, and one of unknown length after one item past the limit.
//!
//! This module owns those counts and nothing else: a server configured with lower limits
//! checks them after decoding (cheap once the protocol's are held), and the bytes of one change
//! need no count of their own, since the decompressed body is capped before CBOR is read and a
//! change over the per-change limit is one document's rejection, not the request's.
//!
//! serde has no way to hand a limit to a derived `Deserialize` and ciborium 0.2 takes no
//! `DeserializeSeed` at the top, so the limits are the protocol's constants and the codec
//! recognises the overflow by its message ([`Overflow::from_message`]).

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::limits::{MAX_CHANGES_PER_REQUEST, MAX_DOCS_PER_REQUEST};
use super::{DocChanges, LocalChange};

/// A count that passed its limit while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overflow {
    Documents,
    Changes,
}

impl Overflow {
    /// What was counted, for [`super::DecodeError::TooMany`].
    pub(super) fn what(self) -> &'static str {
        match self {
            Overflow::Documents => "documents",
            Overflow::Changes => "changes",
        }
    }

    pub(super) fn limit(self) -> usize {
        match self {
            Overflow::Documents => MAX_DOCS_PER_REQUEST,
            Overflow::Changes => MAX_CHANGES_PER_REQUEST,
        }
    }

    fn message(self) -> String {
        format!("more than {} {} in one request", self.limit(), self.what())
    }

    /// The overflow a decoder's error message reports, if it is one.
    pub(super) fn from_message(message: &str) -> Option<Overflow> {
        [Overflow::Documents, Overflow::Changes]
            .into_iter()
            .find(|o| o.message() == message)
    }

    fn error<E: de::Error>(self) -> E {
        E::custom(self.message())
    }
}

/// `deserialize_with` of [`SyncRequest::docs`](super::SyncRequest).
pub(super) fn docs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DocChanges>, D::Error> {
    let changes = Cell::new(0);
    d.deserialize_seq(Docs { changes: &changes })
}

/// The list of documents; `changes` counts the changes of the whole request.
struct Docs<'a> {
    changes: &'a Cell<usize>,
}

impl<'de> Visitor<'de> for Docs<'_> {
    type Value = Vec<DocChanges>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of documents")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let declared = seq.size_hint().unwrap_or(0);
        if declared > MAX_DOCS_PER_REQUEST {
            return Err(Overflow::Documents.error());
        }
        let mut docs = Vec::with_capacity(declared);
        while let Some(doc) = seq.next_element_seed(Doc {
            changes: self.changes,
        })? {
            if docs.len() == MAX_DOCS_PER_REQUEST {
                return Err(Overflow::Documents.error());
            }
            docs.push(doc);
        }
        Ok(docs)
    }
}

/// One document, its changes counted into the request's total.
struct Doc<'a> {
    changes: &'a Cell<usize>,
}

const DOC_FIELDS: &[&str] = &["doc_id", "kind", "changes"];

impl<'de> DeserializeSeed<'de> for Doc<'_> {
    type Value = DocChanges;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<DocChanges, D::Error> {
        d.deserialize_struct("DocChanges", DOC_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for Doc<'_> {
    type Value = DocChanges;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a document's changes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DocChanges, A::Error> {
        let (mut doc_id, mut kind, mut changes) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "doc_id" if doc_id.is_none() => doc_id = Some(map.next_value()?),
                "kind" if kind.is_none() => kind = Some(map.next_value()?),
                "changes" if changes.is_none() => {
                    changes = Some(map.next_value_seed(Changes {
                        counted: self.changes,
                    })?)
                }
                "doc_id" | "kind" | "changes" => {
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")))
                }
                // A field from a newer client: read past it, as the derived messages do.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(DocChanges {
            doc_id: doc_id.ok_or_else(|| de::Error::missing_field("doc_id"))?,
            kind: kind.ok_or_else(|| de::Error::missing_field("kind"))?,
            changes: changes.ok_or_else(|| de::Error::missing_field("changes"))?,
        })
    }
}

/// One document's list of changes.
struct Changes<'a> {
    counted: &'a Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for Changes<'_> {
    type Value = Vec<LocalChange>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Changes<'_> {
    type Value = Vec<LocalChange>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of changes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let room = MAX_CHANGES_PER_REQUEST - self.counted.get();
        let declared = seq.size_hint().unwrap_or(0);
        if declared > room {
            return Err(Overflow::Changes.error());
        }
        let mut changes = Vec::with_capacity(declared);
        while let Some(change) = seq.next_element::<LocalChange>()? {
            if changes.len() == room {
                return Err(Overflow::Changes.error());
            }
            changes.push(change);
        }
        self.counted.set(self.counted.get() + changes.len());
        Ok(changes)
    }
}
