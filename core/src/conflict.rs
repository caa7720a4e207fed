//! Conflicts: fields where concurrent writes left several values.
//!
//! Automerge resolves a concurrent write to the same field deterministically (every device
//! shows the same winner), but a silent overwrite of a customer's phone is exactly the data
//! loss reps complain about. So the losing values are kept (`get_all`) and shown here with who
//! wrote each, until someone picks one. Picking writes that value again, as a change that
//! causally follows all the candidates, which ends the conflict on every device once synced.
//!
//! Bookkeeping fields (`updated_at`, `updated_by`, `editors`, and a customer's `absorbed`
//! merge marks) always differ after concurrent edits and mean nothing to a user, so they are
//! never reported. Sets are never reported either: both sides wrote `true`.

use std::sync::Arc;

use automerge::{ObjId as ExId, ObjType, ReadDoc, ScalarValue, Value, ValueRef, ROOT};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::record::schema::{common, Kind};
use crate::record::RecordDoc;
use crate::Engine;

/// A field value as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
// For the apps, variants are not named like Kotlin's and Swift's own types (`Int`, `Float`,
// `Boolean`: a sealed-class member named so breaks the generated Kotlin) and carry named fields.
pub enum FieldValue {
    /// No value (the field was cleared).
    #[cfg_attr(feature = "uniffi", uniffi(name = "Empty"))]
    Null,
    #[cfg_attr(feature = "uniffi", uniffi(name = "Flag"))]
    Bool(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] bool),
    #[cfg_attr(feature = "uniffi", uniffi(name = "Whole"))]
    Int(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] i64),
    #[cfg_attr(feature = "uniffi", uniffi(name = "Decimal"))]
    Float(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] f64),
    Text(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] String),
    Time(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] DateTime<Utc>),
    /// A nested object (map, text, list): shown, not chosen by value.
    #[cfg_attr(feature = "uniffi", uniffi(name = "Nested"))]
    Object(#[cfg_attr(feature = "uniffi", uniffi(name = "object_type"))] String),
    /// A value type this version does not know.
    #[cfg_attr(feature = "uniffi", uniffi(name = "Unsupported"))]
    Other,
}

impl FieldValue {
    fn from_value(value: &Value<'_>) -> FieldValue {
        match value {
            Value::Object(t) => FieldValue::Object(
                match t {
                    ObjType::Map | ObjType::Table => "map",
                    ObjType::List => "list",
                    ObjType::Text => "text",
                }
                .into(),
            ),
            Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Null => FieldValue::Null,
                ScalarValue::Boolean(b) => FieldValue::Bool(*b),
                ScalarValue::Int(i) => FieldValue::Int(*i),
                ScalarValue::Uint(u) => FieldValue::Int(i64::try_from(*u).unwrap_or(i64::MAX)),
                ScalarValue::Counter(c) => FieldValue::Int(i64::from(c)),
                ScalarValue::F64(f) => FieldValue::Float(*f),
                ScalarValue::Str(s) => FieldValue::Text(s.to_string()),
                ScalarValue::Timestamp(ms) => DateTime::from_timestamp_millis(*ms)
                    .map(FieldValue::Time)
                    .unwrap_or(FieldValue::Other),
                ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => FieldValue::Other,
            },
        }
    }

    fn to_scalar(&self) -> Option<ScalarValue> {
        Some(match self {
            FieldValue::Null => ScalarValue::Null,
            FieldValue::Bool(b) => ScalarValue::Boolean(*b),
            FieldValue::Int(i) => ScalarValue::Int(*i),
            FieldValue::Float(f) => ScalarValue::F64(*f),
            FieldValue::Text(s) => ScalarValue::Str(s.as_str().into()),
            FieldValue::Time(t) => ScalarValue::Timestamp(t.timestamp_millis()),
            FieldValue::Object(_) | FieldValue::Other => return None,
        })
    }
}

/// One of the values concurrently written to a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConflictValue {
    pub value: FieldValue,
    /// The user who wrote it, when the record knows the writing device.
    pub written_by: Option<String>,
    /// The writing device's actor id (hex).
    pub device: String,
}

/// A field with several current values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldConflict {
    /// Dotted path of the field: `name`, `address.text`, `contacts.<id>.phone`.
    pub field: String,
    /// The value every device shows until the conflict is resolved.
    pub current: FieldValue,
    /// All candidates, the current one included.
    pub values: Vec<ConflictValue>,
}

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
        let uuid = Uuid::parse_str(id.trim()).map_err(|_| Error::NotFound {
            kind: "record",
            id: id.to_string(),
        })?;
        let kind: Option<String> = self.engine.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
                .query_row([uuid.to_string()], |r| r.get(0))
                .optional()?)
        })?;
        let kind = kind
            .and_then(|k| Kind::parse(&k))
            .ok_or_else(|| Error::NotFound {
                kind: "record",
                id: id.to_string(),
            })?;
        self.engine.load(kind, uuid)
    }
}

/// All conflicted fields of a document, in key order.
pub(crate) fn find(doc: &RecordDoc) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut out);
    out
}

fn walk(doc: &RecordDoc, obj: &ExId, path: &mut Vec<String>, out: &mut Vec<FieldConflict>) {
    let am = doc.doc();
    // One pass over the map: each entry carries its winning value and whether concurrent
    // values remain, so the costlier lookups (every value, each writer's name) wait for the
    // rare conflicted field.
    for item in am.map_range(obj, ..) {
        let key = item.key.as_ref();
        if path.is_empty()
            && [
                common::UPDATED_AT,
                common::UPDATED_BY,
                common::EDITORS,
                crate::record::schema::customer::ABSORBED,
            ]
            .contains(&key)
        {
            continue;
        }
        path.push(key.to_string());
        if item.conflict {
            if let Ok(all) = am.get_all(obj, key) {
                let values: Vec<ConflictValue> = all
                    .iter()
                    .map(|(value, id)| ConflictValue {
                        value: FieldValue::from_value(value),
                        written_by: match id {
                            ExId::Id(_, actor, _) => doc.editor_of(actor),
                            ExId::Root => None,
                        },
                        device: match id {
                            ExId::Id(_, actor, _) => actor.to_hex_string(),
                            ExId::Root => String::new(),
                        },
                    })
                    .collect();
                let all_equal = values.windows(2).all(|w| w[0].value == w[1].value);
                if !all_equal {
                    out.push(FieldConflict {
                        field: path.join("."),
                        current: FieldValue::from_value(&Value::from(item.value.clone())),
                        values,
                    });
                }
            }
        }
        if matches!(item.value, ValueRef::Object(ObjType::Map)) {
            walk(doc, &item.id(), path, out);
        }
        path.pop();
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

/// Keeps the `conflicted` index in step with the document.
pub(crate) fn index(
    conn: &rusqlite::Connection,
    doc: &RecordDoc,
    conflicts: crate::store::writer::Conflicts,
) -> Result<()> {
    let id = doc.id().to_string();
    if conflicts == crate::store::writer::Conflicts::RecountIfKnown {
        let known: Option<i64> = conn
            .prepare_cached("SELECT fields FROM conflicted WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Ok(());
        }
    }
    store_count(conn, &id, doc.kind(), find(doc).len())
}

/// Records that record `id` has `count` conflicted fields (none: forgets it).
pub(crate) fn store_count(
    conn: &rusqlite::Connection,
    id: &str,
    kind: Kind,
    count: usize,
) -> Result<()> {
    if count == 0 {
        conn.prepare_cached("DELETE FROM conflicted WHERE id = ?1")?
            .execute([id])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO conflicted (id, kind, fields) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET fields = excluded.fields",
        )?
        .execute(params![id, kind.as_str(), count as i64])?;
    }
    Ok(())
}
