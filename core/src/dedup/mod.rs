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
//! - [`score`]: the score and human reasons of a pair, with thresholds from [`DedupRules`];
//! - `check`: ranked candidates for a customer being created or edited;
//! - `scan`: duplicate groups over the whole book and the duplicate rate;
//! - `contacts`: one person entered as several contacts of a customer (王经理 / 王总监);
//! - `merge` and `settle`: the merge itself, as ordinary record changes, and what must follow
//!   it after sync (opposite merges, late edits to the merged-away record).
//!
//! It never deletes data: a merged-away customer is a tombstone pointing at its survivor.
//! Whoever applies changes from elsewhere must let merges settle in the same transaction
//! (`FieldSales::apply_changes` does; [`Dedup::settle`] is the repair tool).

mod check;
mod contacts;
mod index;
mod merge;
pub mod normalise;
pub mod profile;
mod scan;
pub mod score;
mod settle;
mod vocabulary;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Engine;

pub use contacts::{ContactGroup, ContactMember};
pub use merge::{FieldChoice, MergePreview, MergeRequest, Side, MERGE_FIELDS};
pub use scan::{DuplicateGroup, ScanReport};
pub use settle::SettleReport;

pub(crate) use index::{
    build_if_needed, clear as clear_index, forget, project, survivor_of, FAMILY,
};
pub(crate) use settle::run as settle_pending;

/// When a pair counts as a likely duplicate. The defaults follow the rule users gave: names at
/// least 85% similar, the same phone, or the same company e-mail domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupRules {
    /// Name similarity (0..=1) at which names alone flag a pair.
    pub name_similarity: f64,
    /// Combined score (0..=1) from which a pair is reported.
    pub min_score: f64,
    /// Whether a shared phone number counts.
    pub same_phone: bool,
    /// Whether a shared company e-mail domain counts (public providers never do).
    pub same_email_domain: bool,
    /// At most this many candidates per check.
    pub max_candidates: usize,
}

impl Default for DedupRules {
    fn default() -> Self {
        DedupRules {
            name_similarity: 0.85,
            min_score: 0.85,
            same_phone: true,
            same_email_domain: true,
            max_candidates: 10,
        }
    }
}

/// Which rule a reason comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    SameCreditCode,
    SamePhone,
    SameEmail,
    SameEmailDomain,
    SimilarName,
    DomainMatchesName,
    SameContact,
}

/// One reason a pair looks like one customer, in words a rep understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    /// This signal's own score (0..=1).
    pub score: f64,
    /// "same phone 138…", "name 91% similar".
    pub detail: String,
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
