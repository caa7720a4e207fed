//! Conflicts: fields where concurrent edits left several values, shown until someone picks one.
//!
//! The values and records are the core's (`fieldsales_core::conflict`: `FieldValue`,
//! `ConflictValue`, `FieldConflict`, `RecordConflicts`); `FieldValue`'s variants carry names for
//! the apps that avoid Kotlin's and Swift's own types (`Flag`, `Whole`, `Decimal`, …).

use fieldsales_core::conflict::{FieldValue, RecordConflicts};

use crate::error::{guard, Result};
use crate::root::Ctx;

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
        guard(|| Ok(self.ctx.core.conflicts().list()?))
    }

    /// The conflicted fields of record `id` (any kind); empty `fields` when there are none.
    pub fn for_record(&self, id: String) -> Result<RecordConflicts> {
        guard(|| Ok(self.ctx.core.conflicts().for_record(&id)?))
    }

    /// Keeps `value` for `field` of record `id`. `value` must be one of the field's current
    /// candidates; if the field changed since it was listed, this throws `Conflict` and
    /// nothing is written. (A `Time` beyond what the store can represent is never a candidate:
    /// UniFFI refuses it before the call, as an internal error.)
    ///
    /// ```kotlin
    /// val c = store.conflicts().list().first()
    /// val f = c.fields.first()
    /// store.conflicts().resolve(c.recordId, f.field, f.values[1].value)
    /// ```
    pub fn resolve(&self, id: String, field: String, value: FieldValue) -> Result<()> {
        guard(|| Ok(self.ctx.core.conflicts().resolve(&id, &field, &value)?))
    }
}
