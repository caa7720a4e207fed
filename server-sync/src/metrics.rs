//! Prometheus metrics: what an operator graphs and alerts on.
//!
//! Each server owns its own registry (not the process-global one), so several servers in one
//! test process count separately. Labels are closed sets (rejection reasons, HTTP statuses):
//! never ids or names, which would be personal data and an unbounded series count.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub syncs: IntCounter,
    pub changes_accepted: IntCounter,
    pub rejections: IntCounterVec,
    pub errors: IntCounterVec,
    pub sync_seconds: Histogram,
    /// Login attempts by outcome: `ok`, `refused` (401), `throttled` (429), `busy` (503),
    /// `device_refused` (403).
    pub logins: IntCounterVec,
    /// Password checks (argon2id) actually run, decoys included.
    pub password_checks: IntCounter,
    /// Lockouts begun, by `scope` (`account` or `address`).
    pub login_lockouts: IntCounterVec,
    /// Attempts refused by a lockout, by `scope`.
    pub login_throttled: IntCounterVec,
    /// Media chunks (`PATCH /v1/media`) being received or stored right now.
    pub media_uploads: IntGauge,
    /// Media reads (`HEAD`, `GET`) refused by the per-user limit.
    pub media_reads_limited: IntCounter,
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
        let password_checks = IntCounter::new(
            "fieldsales_password_checks_total",
            "Password checks (argon2id) run, decoys included",
        )
        .expect("metric names are valid");
        let login_lockouts = IntCounterVec::new(
            Opts::new("fieldsales_login_lockouts_total", "Login lockouts begun"),
            &["scope"],
        )
        .expect("metric names are valid");
        let login_throttled = IntCounterVec::new(
            Opts::new(
                "fieldsales_login_throttled_total",
                "Login attempts refused by a lockout",
            ),
            &["scope"],
        )
        .expect("metric names are valid");
        let media_uploads = IntGauge::new(
            "fieldsales_media_uploads_in_flight",
            "Media chunks being received or stored",
        )
        .expect("metric names are valid");
        let media_reads_limited = IntCounter::new(
            "fieldsales_media_reads_limited_total",
            "Media reads refused by the per-user limit",
        )
        .expect("metric names are valid");
        for collector in [
            Box::new(syncs.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(changes_accepted.clone()),
            Box::new(rejections.clone()),
            Box::new(errors.clone()),
            Box::new(sync_seconds.clone()),
            Box::new(logins.clone()),
            Box::new(password_checks.clone()),
            Box::new(login_lockouts.clone()),
            Box::new(login_throttled.clone()),
            Box::new(media_uploads.clone()),
            Box::new(media_reads_limited.clone()),
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
            password_checks,
            login_lockouts,
            login_throttled,
            media_uploads,
            media_reads_limited,
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
