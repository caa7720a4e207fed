//! `dedup check | scan | contacts` and `merge`: likely duplicates and merging them.
//!
//! Text output lists candidates best first with their score and reasons; `--json` gives the
//! core's own documents (candidates, scan report, merge preview, the merged survivor).

use std::collections::BTreeMap;

use fieldsales_core::customer::{Address, NewCustomer};
use fieldsales_core::dedup::{Candidate, MergeRequest};

use super::customer::NO_NAME;
use super::Ctx;
use crate::args::{DedupCheck, DedupCmd, MergeArgs};
use crate::error::CliError;
use crate::output::{or, Text};

pub fn run(ctx: &Ctx, cmd: DedupCmd) -> Result<String, CliError> {
    let dedup = ctx.fs.dedup();
    match cmd {
        DedupCmd::Check(args) => {
            let found = match &args.id {
                Some(id) => dedup.check_customer(id)?,
                None => dedup.check(&probe(args))?,
            };
            ctx.render(&found, || candidates(&found))
        }
        DedupCmd::Scan { limit } => {
            let report = dedup.scan()?;
            ctx.render(&report, || {
                let mut t = Text::new();
                t.line(format!(
                    "{} customers, {} duplicate groups, {} redundant records, duplicate rate {:.1}%",
                    report.customers,
                    report.groups.len(),
                    report.redundant,
                    report.duplicate_rate * 100.0
                ));
                for group in report.groups.iter().take(limit) {
                    t.line(format!(
                        "{:.0}%  {}",
                        group.score * 100.0,
                        group
                            .reasons
                            .iter()
                            .map(|r| r.detail.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                    for (id, name) in group.customer_ids.iter().zip(&group.names) {
                        t.line(format!("  {id}  {}", or(name, NO_NAME)));
                    }
                }
                t.finish()
            })
        }
        DedupCmd::Contacts { customer_id } => {
            let groups = dedup.duplicate_contacts(&customer_id)?;
            ctx.render(&groups, || {
                if groups.is_empty() {
                    return "no duplicate contacts".into();
                }
                let mut t = Text::new();
                for g in &groups {
                    t.line(format!("{} (keep {})", g.reason, g.keep));
                    for m in &g.members {
                        t.line(format!(
                            "  {}  {} {}",
                            m.contact_id,
                            m.name.as_deref().unwrap_or("-"),
                            m.title.as_deref().unwrap_or("")
                        ));
                    }
                }
                t.finish()
            })
        }
    }
}

pub fn merge(ctx: &Ctx, args: MergeArgs) -> Result<String, CliError> {
    let dedup = ctx.fs.dedup();
    if args.preview {
        let preview = dedup.merge_preview(&args.survivor, &args.merged)?;
        return ctx.render(&preview, || {
            let mut t = Text::new();
            t.line(format!(
                "merge {} {} into {} {}",
                preview.merged.id,
                or(&preview.merged.name, NO_NAME),
                preview.survivor.id,
                or(&preview.survivor.name, NO_NAME)
            ));
            if preview.choices.is_empty() {
                t.line("no conflicting fields");
            }
            for c in &preview.choices {
                t.line(format!(
                    "  {}: survivor={} merged={}",
                    c.field, c.survivor, c.merged
                ));
            }
            t.finish()
        });
    }
    let keep: BTreeMap<_, _> = args.keep.into_iter().collect();
    let survivor = dedup.merge(&MergeRequest {
        survivor: args.survivor,
        merged: args.merged.clone(),
        keep,
    })?;
    ctx.render(&survivor, || {
        format!(
            "merged {} into {} {}",
            args.merged,
            survivor.id,
            or(&survivor.name, NO_NAME)
        )
    })
}

fn probe(args: DedupCheck) -> NewCustomer {
    NewCustomer {
        name: args.name.unwrap_or_default(),
        legal_name: args.legal_name,
        credit_code: args.credit_code,
        phones: args.phones,
        emails: args.emails,
        address: args.address.map(|text| Address {
            text: Some(text),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn candidates(found: &[Candidate]) -> String {
    if found.is_empty() {
        return "no likely duplicates".into();
    }
    let mut t = Text::new();
    for c in found {
        t.line(format!(
            "{:.0}%  {}  {}  ({})",
            c.score * 100.0,
            c.customer_id,
            or(&c.name, NO_NAME),
            c.reasons
                .iter()
                .map(|r| r.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    t.finish()
}
