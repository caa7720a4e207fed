//! `health`: the data-health report, counts per finding kind and then the findings.

use super::Ctx;
use crate::error::CliError;
use crate::output::Text;

pub fn run(ctx: &Ctx) -> Result<String, CliError> {
    let report = ctx.fs.health().report()?;
    ctx.render(&report, || {
        let mut t = Text::new();
        t.line(format!(
            "{} customers, {} with findings",
            report.customers, report.customers_with_findings
        ));
        for (kind, count) in &report.counts {
            t.line(format!("  {}: {count}", kind_name(kind)));
        }
        for f in &report.findings {
            t.line(format!(
                "{}  {}  {}",
                f.customer_id,
                kind_name(&f.kind),
                f.detail
            ));
        }
        t.finish()
    })
}

/// The finding kind as in the JSON (`missing_phone`).
fn kind_name<T: serde::Serialize>(kind: &T) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}
