//! Changes: the outbox of local edits and the door for edits made elsewhere.
//!
//! This is what the sync client moves; it is exposed for support tools (the Python bindings
//! script data fixes and replays) and for tests that merge two devices' edits without a
//! server. Apps normally leave it to `sync()`. The records (`OutgoingChange`,
//! `IncomingChanges`) are the core's (`fieldsales_core::outbox`).

use fieldsales_core::outbox::{IncomingChanges, OutgoingChange};

use crate::convert::{count_in, count_out, RecordKind};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// The changes area: `store.changes()`.
#[derive(uniffi::Object)]
pub struct Changes {
    ctx: Ctx,
}

impl Changes {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Changes { ctx }
    }
}

#[uniffi::export]
impl Changes {
    /// Local changes not yet acknowledged, oldest first, at most `limit`.
    pub fn outbox(&self, limit: i32) -> Result<Vec<OutgoingChange>> {
        guard(|| Ok(self.ctx.core.outbox(count_in(limit, "limit")?)?))
    }

    /// Drops outbox entries up to and including `seq`; returns how many.
    pub fn acknowledge(&self, seq: i64) -> Result<i64> {
        guard(|| Ok(count_out(self.ctx.core.acknowledge(seq)?)))
    }

    /// Applies changes from other replicas in one transaction. A malformed change fails the
    /// whole batch (`Validation` on `changes`) and changes nothing. Applying the same change
    /// twice is harmless.
    pub async fn apply(&self, batch: Vec<IncomingChanges>) -> Result<()> {
        let core = self.ctx.core.clone();
        self.ctx
            .rt
            .blocking(move || Ok(core.apply_changes(&batch)?))
            .await
    }

    /// The whole stored record `id` as Automerge bytes (what a new replica needs).
    pub fn export_document(&self, kind: RecordKind, id: String) -> Result<Vec<u8>> {
        guard(|| Ok(self.ctx.core.export_document(kind, &id)?))
    }
}
