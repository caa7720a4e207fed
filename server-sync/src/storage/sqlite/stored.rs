//! Reading the stored Automerge documents back: one way to load a document's bytes (in
//! isolation, so a document that makes Automerge panic is unreadable, not a crashed server),
//! and one scan over the stored documents for the indexes rebuilt from them (the media
//! reference index, the console's read model).

use automerge::{Automerge, LoadOptions, TextEncoding};
use fieldsales_protocol::isolate::isolate;
use fieldsales_protocol::Kind;
use rusqlite::Transaction;

use crate::error::Result;

/// The stored document `data`, or `None` when Automerge refuses it or panics on it.
pub(super) fn load(data: &[u8]) -> Option<Automerge> {
    let options = LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
    isolate(|| Automerge::load_with_options(data, options).ok())
        .ok()
        .flatten()
}

/// For every stored document of `kinds`: `read(kind, document)` derives what an index keeps
/// (inside the same isolation as the load), then `write(tenant_id, doc_id, derived)` stores it.
/// A document of an unknown kind is passed over; one that cannot be loaded or read is counted
/// (the answer) and passed over, never a reason to fail (the migrations run this).
pub(super) fn each_document<T>(
    tx: &Transaction<'_>,
    kinds: &[Kind],
    read: impl Fn(Kind, &Automerge) -> T,
    mut write: impl FnMut(&str, &str, T) -> Result<()>,
) -> Result<u64> {
    let mut docs = tx.prepare("SELECT tenant_id, id, kind, data FROM docs")?;
    let mut rows = docs.query([])?;
    let mut unreadable = 0;
    while let Some(row) = rows.next()? {
        let (tenant_id, doc_id, kind): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let Some(kind) = Kind::parse(&kind).filter(|k| kinds.contains(k)) else {
            continue;
        };
        let data: Vec<u8> = row.get(3)?;
        let options = LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        let derived = isolate(|| {
            Automerge::load_with_options(&data, options)
                .ok()
                .map(|doc| read(kind, &doc))
        });
        match derived {
            Ok(Some(derived)) => write(&tenant_id, &doc_id, derived)?,
            _ => unreadable += 1,
        }
    }
    Ok(unreadable)
}
