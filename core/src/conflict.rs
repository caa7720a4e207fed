//! The conflicts area: the fields where concurrent writes left several values, and picking one.
//!
//! A silent overwrite of a customer's phone is exactly the data loss reps complain about, so
//! the values Automerge did not pick (read by [`crate::record::conflicts`]) are shown here with
//! who wrote each, until someone picks one. Picking writes that value again, as a change that
//! causally follows all the candidates, which ends the conflict on every device once synced.
//! Which records have conflicts is the store's index (`conflicted`), kept by every write.

use std::sync::Arc;

use automerge::{ObjId as ExId, ObjType, ReadDoc, Value, ROOT};
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::conflicts::find;
use crate::record::schema::Kind;
use crate::record::RecordDoc;

pub use crate::record::conflicts::{ConflictValue, FieldConflict, FieldValue};

/// The conflicts of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RecordConflicts {
    pub record_id: String,
    pub kind: Kind,
    pub fields: Vec<FieldConflict>,
}

/// The conflicts area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Conflicts {
    engine: Arc<Engine>,
}

impl Conflicts {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Conflicts { engine }
    }

    /// Every record that has at least one conflicted field.
    pub fn list(&self) -> Result<Vec<RecordConflicts>> {
        let ids: Vec<String> = self.engine.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT id FROM conflicted ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        ids.iter().map(|id| self.for_record(id)).collect()
    }

    /// The conflicted fields of record `id` (any kind).
    pub fn for_record(&self, id: &str) -> Result<RecordConflicts> {
        let doc = self.load_any(id)?;
        Ok(RecordConflicts {
            record_id: doc.id().to_string(),
            kind: doc.kind(),
            fields: find(&doc),
        })
    }

    /// Resolves `field` of record `id` by keeping `value`, which must be one of the field's
    /// current candidates (if the field changed since it was listed, this fails with
    /// [`Error::Conflict`] and nothing is written).
    pub fn resolve(&self, id: &str, field: &str, value: &FieldValue) -> Result<()> {
        let (kind, uuid) = {
            let doc = self.load_any(id)?;
            (doc.kind(), doc.id())
        };
        self.engine.write(|w| {
            let mut doc = w.load(kind, uuid)?;
            let Some((obj, key)) = locate(&doc, field) else {
                return Err(Error::Conflict {
                    field: field.into(),
                    reason: "the field has no conflict (any more)".into(),
                });
            };
            let candidates = doc.doc().get_all(&obj, key.as_str())?;
            let known = candidates
                .iter()
                .any(|(v, _)| &FieldValue::from_value(v) == value);
            if candidates.len() < 2 || !known {
                return Err(Error::Conflict {
                    field: field.into(),
                    reason: "the value is not one of the field's current candidates".into(),
                });
            }
            let scalar = value.to_scalar().ok_or_else(|| Error::Conflict {
                field: field.into(),
                reason: "a nested object cannot be chosen by value".into(),
            })?;
            automerge::transaction::Transactable::put(doc.doc_mut(), &obj, key.as_str(), scalar)?;
            w.save(&mut doc)?;
            Ok(())
        })
    }

    fn load_any(&self, id: &str) -> Result<RecordDoc> {
        self.engine.load_any(id)
    }
}

/// The object and key of the conflicted field named `field` (as listed by [`find`]).
fn locate(doc: &RecordDoc, field: &str) -> Option<(ExId, String)> {
    fn go(doc: &RecordDoc, obj: &ExId, prefix: &str, field: &str) -> Option<(ExId, String)> {
        for key in doc.doc().keys(obj) {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if path == field {
                return Some((obj.clone(), key));
            }
            if field.starts_with(&format!("{path}.")) {
                if let Ok(Some((Value::Object(ObjType::Map), child))) =
                    doc.doc().get(obj, key.as_str())
                {
                    if let Some(found) = go(doc, &child, &path, field) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }
    go(doc, &ROOT, "", field)
}
