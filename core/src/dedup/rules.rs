//! When a pair of customers counts as a likely duplicate, and the reasons given for it.
//!
//! Plain data below the duplicates area: [`crate::config::Config`] holds the rules, and the
//! scoring (`score`) gives the reasons.

use serde::{Deserialize, Serialize};

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
