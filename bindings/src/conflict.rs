//! Conflicts: fields where concurrent edits left several values, shown until someone picks one.

use std::time::SystemTime;

use fieldsales_core::conflict as core;

use crate::convert::{time_in, time_out, RecordKind};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// A field value as the app shows it.
///
/// Variant names avoid Kotlin's and Swift's own type names (`Int`, `Float`, `Boolean`): a
/// sealed-class member named like a built-in type breaks the generated Kotlin.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum FieldValue {
    /// No value (the field was cleared).
    Empty,
    Flag {
        value: bool,
    },
    Whole {
        value: i64,
    },
    Decimal {
        value: f64,
    },
    Text {
        value: String,
    },
    Time {
        value: SystemTime,
    },
    /// A nested object (`map`, `list`, `text`): shown, not chosen by value.
    Nested {
        object_type: String,
    },
    /// A value type this version does not know.
    Unsupported,
}

/// One of the values concurrently written to a field.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConflictValue {
    pub value: FieldValue,
    /// The user who wrote it, when known.
    pub written_by: Option<String>,
    /// The writing device's actor id (hex).
    pub device: String,
}

/// A field with several current values.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldConflict {
    /// Dotted path of the field: `name`, `address.text`, `contacts.<id>.phone`.
    pub field: String,
    /// The value every device shows until the conflict is resolved.
    pub current: FieldValue,
    /// All candidates, the current one included.
    pub values: Vec<ConflictValue>,
}

/// The conflicts of one record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordConflicts {
    pub record_id: String,
    pub kind: RecordKind,
    pub fields: Vec<FieldConflict>,
}

/// The conflicts area: `store.conflicts()`.
#[derive(uniffi::Object)]
pub struct Conflicts {
    ctx: Ctx,
}

impl Conflicts {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Conflicts { ctx }
    }
}

#[uniffi::export]
impl Conflicts {
    /// Every record with at least one conflicted field.
    pub fn list(&self) -> Result<Vec<RecordConflicts>> {
        guard(|| {
            let all = self.ctx.core.conflicts().list()?;
            Ok(all.into_iter().map(Into::into).collect())
        })
    }

    /// The conflicted fields of record `id` (any kind); empty `fields` when there are none.
    pub fn for_record(&self, id: String) -> Result<RecordConflicts> {
        guard(|| Ok(self.ctx.core.conflicts().for_record(&id)?.into()))
    }

    /// Keeps `value` for `field` of record `id`. `value` must be one of the field's current
    /// candidates; if the field changed since it was listed, this throws `Conflict` and
    /// nothing is written.
    ///
    /// ```kotlin
    /// val c = store.conflicts().list().first()
    /// val f = c.fields.first()
    /// store.conflicts().resolve(c.recordId, f.field, f.values[1].value)
    /// ```
    pub fn resolve(&self, id: String, field: String, value: FieldValue) -> Result<()> {
        guard(|| {
            let value = value.into_core()?;
            Ok(self.ctx.core.conflicts().resolve(&id, &field, &value)?)
        })
    }
}

impl FieldValue {
    fn into_core(self) -> Result<core::FieldValue> {
        Ok(match self {
            FieldValue::Empty => core::FieldValue::Null,
            FieldValue::Flag { value } => core::FieldValue::Bool(value),
            FieldValue::Whole { value } => core::FieldValue::Int(value),
            FieldValue::Decimal { value } => core::FieldValue::Float(value),
            FieldValue::Text { value } => core::FieldValue::Text(value),
            FieldValue::Time { value } => core::FieldValue::Time(time_in(value, "value")?),
            FieldValue::Nested { object_type } => core::FieldValue::Object(object_type),
            FieldValue::Unsupported => core::FieldValue::Other,
        })
    }
}

impl From<core::FieldValue> for FieldValue {
    fn from(v: core::FieldValue) -> Self {
        match v {
            core::FieldValue::Null => FieldValue::Empty,
            core::FieldValue::Bool(value) => FieldValue::Flag { value },
            core::FieldValue::Int(value) => FieldValue::Whole { value },
            core::FieldValue::Float(value) => FieldValue::Decimal { value },
            core::FieldValue::Text(value) => FieldValue::Text { value },
            core::FieldValue::Time(t) => FieldValue::Time { value: time_out(t) },
            core::FieldValue::Object(object_type) => FieldValue::Nested { object_type },
            core::FieldValue::Other => FieldValue::Unsupported,
        }
    }
}

impl From<core::RecordConflicts> for RecordConflicts {
    fn from(r: core::RecordConflicts) -> Self {
        RecordConflicts {
            record_id: r.record_id,
            kind: r.kind.into(),
            fields: r
                .fields
                .into_iter()
                .map(|f| FieldConflict {
                    field: f.field,
                    current: f.current.into(),
                    values: f
                        .values
                        .into_iter()
                        .map(|v| ConflictValue {
                            value: v.value.into(),
                            written_by: v.written_by,
                            device: v.device,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
