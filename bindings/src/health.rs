//! Data health: incomplete or invalid customers, and customers gone quiet.

use std::collections::HashMap;

use fieldsales_core::health as core;

use crate::convert::count_out;
use crate::error::Result;
use crate::root::Ctx;

/// What is wrong with a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum FindingKind {
    MissingName,
    MissingPhone,
    InvalidCreditCode,
    NoRecentInteraction,
}

/// One finding about one customer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Finding {
    pub customer_id: String,
    pub kind: FindingKind,
    /// Why, in words (never the customer's data itself).
    pub detail: String,
}

/// The health of the whole local customer base.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HealthReport {
    pub customers: i64,
    /// Customers with at least one finding.
    pub customers_with_findings: i64,
    pub counts: HashMap<FindingKind, i64>,
    pub findings: Vec<Finding>,
}

/// The data-health area: `store.health()`.
#[derive(uniffi::Object)]
pub struct Health {
    ctx: Ctx,
}

impl Health {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Health { ctx }
    }
}

#[uniffi::export]
impl Health {
    /// Scans every live customer (a bulk query, so `suspend`/`async`).
    ///
    /// ```kotlin
    /// val report = store.health().report()
    /// val leadsWithoutName = report.counts[FindingKind.MISSING_NAME] ?: 0
    /// ```
    pub async fn report(&self) -> Result<HealthReport> {
        let core = self.ctx.core.clone();
        self.ctx
            .rt
            .blocking(move || Ok(core.health().report()?.into()))
            .await
    }
}

fn kind(k: core::FindingKind) -> FindingKind {
    match k {
        core::FindingKind::MissingName => FindingKind::MissingName,
        core::FindingKind::MissingPhone => FindingKind::MissingPhone,
        core::FindingKind::InvalidCreditCode => FindingKind::InvalidCreditCode,
        core::FindingKind::NoRecentInteraction => FindingKind::NoRecentInteraction,
    }
}

impl From<core::HealthReport> for HealthReport {
    fn from(r: core::HealthReport) -> Self {
        HealthReport {
            customers: count_out(r.customers),
            customers_with_findings: count_out(r.customers_with_findings),
            counts: r
                .counts
                .into_iter()
                .map(|(k, n)| (kind(k), count_out(n)))
                .collect(),
            findings: r
                .findings
                .into_iter()
                .map(|f| Finding {
                    customer_id: f.customer_id,
                    kind: kind(f.kind),
                    detail: f.detail,
                })
                .collect(),
        }
    }
}
