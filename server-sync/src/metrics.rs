//! Prometheus metrics: what an operator graphs and alerts on.
//!
//! Each server owns its own registry (not the process-global one), so several servers in one
//! test process count separately. Labels are closed sets (rejection reasons, HTTP statuses):
//! never ids or names, which would be personal data and an unbounded series count.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub syncs: IntCounter,
    pub changes_accepted: IntCounter,
    pub rejections: IntCounterVec,
    pub errors: IntCounterVec,
    pub sync_seconds: Histogram,
    pub logins: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let syncs = IntCounter::new("fieldsales_syncs_total", "Sync requests answered")
            .expect("metric names are valid");
        let changes_accepted = IntCounter::new(
            "fieldsales_changes_accepted_total",
            "Changes appended to the log",
        )
        .expect("metric names are valid");
        let rejections = IntCounterVec::new(
            Opts::new(
                "fieldsales_rejections_total",
                "Documents whose changes were refused",
            ),
            &["reason"],
        )
        .expect("metric names are valid");
        let errors = IntCounterVec::new(
            Opts::new(
                "fieldsales_http_errors_total",
                "Requests answered with a 4xx or 5xx status",
            ),
            &["status"],
        )
        .expect("metric names are valid");
        let sync_seconds = Histogram::with_opts(
            HistogramOpts::new("fieldsales_sync_seconds", "Time to answer a sync request").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
        )
        .expect("metric names are valid");
        let logins = IntCounterVec::new(
            Opts::new("fieldsales_logins_total", "Login attempts"),
            &["outcome"],
        )
        .expect("metric names are valid");
        for collector in [
            Box::new(syncs.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(changes_accepted.clone()),
            Box::new(rejections.clone()),
            Box::new(errors.clone()),
            Box::new(sync_seconds.clone()),
            Box::new(logins.clone()),
        ] {
            registry
                .register(collector)
                .expect("each metric is registered once");
        }
        Metrics {
            registry,
            syncs,
            changes_accepted,
            rejections,
            errors,
            sync_seconds,
            logins,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding metrics into a Vec cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
