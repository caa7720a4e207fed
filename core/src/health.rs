//! Data health: what is missing or wrong in the customer base, found at the source.
//!
//! Capture never blocks on missing data, so incomplete records exist by design; this module
//! makes them visible instead. Findings: a lead without a name, a customer without any phone,
//! a credit code that fails its check character (records from imports or older app versions:
//! new input is refused at entry), and a customer nobody has visited or logged for
//! `stale_after_days`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::Result;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MissingName,
    MissingPhone,
    InvalidCreditCode,
    NoRecentInteraction,
}

/// One finding about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Finding {
    pub customer_id: String,
    pub kind: FindingKind,
    /// Why, in words (never the customer's data itself).
    pub detail: String,
}

/// The health of the whole local customer base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    pub customers: u64,
    /// Customers with at least one finding.
    pub customers_with_findings: u64,
    pub counts: BTreeMap<FindingKind, u64>,
    pub findings: Vec<Finding>,
}

/// id, name, credit code, created at, last interaction, has a phone.
type CustomerFacts = (String, String, Option<String>, i64, Option<i64>, bool);

/// The data-health area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Health {
    engine: Arc<Engine>,
}

impl Health {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Health { engine }
    }

    /// Scans every live customer.
    pub fn report(&self) -> Result<HealthReport> {
        let now = self.engine.now();
        let stale_days = self.engine.config().stale_after_days;
        let horizon = (now - Duration::days(stale_days)).timestamp_millis();
        let rows: Vec<CustomerFacts> = self.engine.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT c.id, c.name, c.credit_code, c.created_at,
                        max(coalesce((SELECT max(checkin_at) FROM visits v
                                      WHERE v.customer_id IN (SELECT c.id UNION ALL
                                        SELECT id FROM customer_merges WHERE survivor = c.id)
                                        AND v.deleted = 0), 0),
                            coalesce((SELECT max(at) FROM quick_logs q
                                      WHERE q.customer_id IN (SELECT c.id UNION ALL
                                        SELECT id FROM customer_merges WHERE survivor = c.id)
                                        AND q.deleted = 0), 0)),
                        EXISTS (SELECT 1 FROM customer_phones p WHERE p.customer_id = c.id)
                     FROM customers c WHERE c.deleted = 0 ORDER BY c.id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut report = HealthReport {
            customers: rows.len() as u64,
            customers_with_findings: 0,
            counts: BTreeMap::new(),
            findings: Vec::new(),
        };
        for (id, name, code, created_at, last, has_phone) in rows {
            let before = report.findings.len();
            let mut add = |kind, detail: String| {
                report.findings.push(Finding {
                    customer_id: id.clone(),
                    kind,
                    detail,
                })
            };
            if name.trim().is_empty() {
                add(FindingKind::MissingName, "lead has no name yet".into());
            }
            if !has_phone {
                add(
                    FindingKind::MissingPhone,
                    "no phone number for the customer or its contacts".into(),
                );
            }
            if let Some(code) = code {
                if let Err(e) = crate::validate::parse_credit_code(&code) {
                    add(FindingKind::InvalidCreditCode, format!("credit code: {e}"));
                }
            }
            let last_seen = last.filter(|&l| l > 0).unwrap_or(created_at);
            if last_seen < horizon {
                let days = (now.timestamp_millis() - last_seen) / 86_400_000;
                add(
                    FindingKind::NoRecentInteraction,
                    format!("no visit or quick-log for {days} days"),
                );
            }
            if report.findings.len() > before {
                report.customers_with_findings += 1;
            }
        }
        for f in &report.findings {
            *report.counts.entry(f.kind).or_default() += 1;
        }
        Ok(report)
    }
}
