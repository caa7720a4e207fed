//! Concurrent values: the fields of a document where concurrent writes left several values.
//!
//! Automerge resolves a concurrent write to the same field deterministically (every device
//! shows the same winner) and keeps the losing values (`get_all`); this module reads them, with
//! who wrote each, for the store's conflicted-records index and for the conflicts area
//! (`crate::conflict`), which shows and resolves them. It reads documents only: no database.
//!
//! Bookkeeping fields (`updated_at`, `updated_by`, `editors`, and a customer's `absorbed`
//! merge marks) always differ after concurrent edits and mean nothing to a user, so they are
//! never reported; nor are `created_at` and `created_by`, which differ only when two devices
//! created one record (a lead from an unknown number, see `quicklog`) and then both are true.
//! Sets are never reported either: both sides wrote `true`. Concurrent values that are equal
//! (two reps typing the same) are no conflict: there is nothing to choose.

use automerge::{ObjId as ExId, ObjType, ReadDoc, ScalarValue, Value, ValueRef, ROOT};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::schema::{common, customer};
use super::RecordDoc;

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
    pub(crate) fn from_value(value: &Value<'_>) -> FieldValue {
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

    pub(crate) fn to_scalar(&self) -> Option<ScalarValue> {
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
                common::CREATED_AT,
                common::CREATED_BY,
                common::EDITORS,
                customer::ABSORBED,
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
