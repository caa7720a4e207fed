//! Duplicate customers: finding them, and merging them so that the merge survives sync.
//!
//! The same customer typed in three times by three reps — 「张总-北京科技」 from WeChat,
//! 「张明-北京XX科技有限公司」 from a trade-show scan, `Zhang.Ming@xxtech.com` from a web form —
//! scatters its visits over three records. This module owns:
//!
//! - [`normalise`] (with its word lists in `vocabulary`): the rules that reduce names, e-mails
//!   and phones to comparable parts;
//! - [`profile`] and `index`: the per-customer profile and blocking keys, maintained by the
//!   customer projection in the same transaction as every write, so a check never compares
//!   against every customer;
//! - [`score`]: the score and human reasons of a pair, with thresholds from [`DedupRules`]
//!   (`rules`);
//! - `check`: ranked candidates for a customer being created or edited;
//! - `scan`: duplicate groups over the whole book and the duplicate rate;
//! - `contacts`: one person entered as several contacts of a customer (王经理 / 王总监);
//! - `merge` and `settle`: the merge itself, as ordinary record changes, and what must follow
//!   it after sync (opposite merges, late edits to the merged-away record); what one customer
//!   takes from the other is `absorb`, used by both, so that merging calls settling and never
//!   the reverse.
//!
//! Two layers live here (see the crate's "Layout"): the index pieces (`vocabulary`,
//! `normalise`, `profile`, `rules`, `score`, `index`) sit below the record kinds, because the
//! customer projection writes the index and `Config` holds the rules; they must not import a
//! record kind. The rest is the duplicates area, beside the kinds, and reads customers freely.
//!
//! It never deletes data: a merged-away customer is a tombstone pointing at its survivor.
//! Whoever applies changes from elsewhere must let merges settle in the same transaction
//! (`FieldSales::apply_changes` does; [`Dedup::settle`] is the repair tool).

mod absorb;
mod check;
mod contacts;
pub(crate) mod index;
mod merge;
pub mod normalise;
pub mod profile;
pub(crate) mod rules;
mod scan;
pub mod score;
mod settle;
mod vocabulary;

use std::sync::Arc;

use automerge::ActorId;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::Result;
use crate::record::schema::Kind;

pub use absorb::MERGE_FIELDS;
pub use contacts::{ContactGroup, ContactMember};
pub use merge::{FieldChoice, MergePreview, MergeRequest, Side};
pub use rules::{DedupRules, Reason, ReasonKind};
pub use scan::{DuplicateGroup, ScanReport};
pub use settle::SettleReport;

pub(crate) use index::survivor_of;
pub(crate) use settle::run as settle_pending;

/// Fills the duplicate index from the stored customers when a migration asked for it (see
/// `index::build_if_needed`), at open.
pub(crate) fn build_if_needed(conn: &Connection, actor: &ActorId) -> Result<()> {
    index::build_if_needed(conn, |conn, id| {
        let doc = crate::store::writer::load(conn, Kind::Customer, id, actor)?;
        crate::customer::index_duplicates(conn, &crate::customer::hydrate(&doc))
    })
}

/// A customer that may be the same as the one checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub customer_id: String,
    pub name: String,
    /// Combined score (0..=1), highest first in a result.
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// The duplicates area of a [`crate::FieldSales`].
///
/// ```
/// use fieldsales_core::{FieldSales, Identity, Config, customer::NewCustomer};
/// let dir = tempfile::tempdir().unwrap();
/// let fs = FieldSales::open(dir.path(), Identity::new("rep-1", None).unwrap(), Config::default()).unwrap();
/// fs.customers().create(NewCustomer { name: "北京小米科技有限责任公司".into(), ..Default::default() }).unwrap();
/// let found = fs.dedup().check(&NewCustomer { name: "小米科技（北京）".into(), ..Default::default() }).unwrap();
/// assert_eq!(found.len(), 1);
/// assert!(found[0].reasons[0].detail.starts_with("name"));
/// ```
#[derive(Clone)]
pub struct Dedup {
    engine: Arc<Engine>,
}

impl Dedup {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Dedup { engine }
    }

    fn rules(&self) -> &DedupRules {
        &self.engine.config().dedup
    }
}
