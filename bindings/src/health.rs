//! Data health: incomplete or invalid customers, and customers gone quiet.
//!
//! `Finding` and `FindingKind` are the core's (`fieldsales_core::health`). The report stays a
//! mirror, [`HealthReport`]: apps get its counts as signed integers (Kotlin `Long`, Swift
//! `Int64`, as every count of this API) where the core counts in `u64`. Its conversion names
//! every field of the core's report, so a field added there breaks this build until it is
//! added here.

use std::collections::HashMap;

use fieldsales_core::health::{self as core, Finding, FindingKind};

use crate::convert::count_out;
use crate::error::Result;
use crate::root::Ctx;

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

impl From<core::HealthReport> for HealthReport {
    fn from(r: core::HealthReport) -> Self {
        // The core's report named field by field (no `..`): a new field fails the build.
        let core::HealthReport {
            customers,
            customers_with_findings,
            counts,
            findings,
        } = r;
        HealthReport {
            customers: count_out(customers),
            customers_with_findings: count_out(customers_with_findings),
            counts: counts
                .into_iter()
                .map(|(kind, n)| (kind, count_out(n)))
                .collect(),
            findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_health_report_reaches_the_apps_with_every_field() {
        let finding = Finding {
            customer_id: "c-1".into(),
            kind: FindingKind::MissingPhone,
            detail: "no phone".into(),
        };
        let report = core::HealthReport {
            customers: 7,
            customers_with_findings: 2,
            counts: [
                (FindingKind::MissingPhone, 1),
                (FindingKind::MissingName, 3),
            ]
            .into(),
            findings: vec![finding.clone()],
        };
        let expected = HealthReport {
            customers: 7,
            customers_with_findings: 2,
            counts: HashMap::from([
                (FindingKind::MissingPhone, 1),
                (FindingKind::MissingName, 3),
            ]),
            findings: vec![finding],
        };
        assert_eq!(HealthReport::from(report), expected);
    }
}
