//! `conflicts …`: fields where concurrent edits left several values, and picking one.
//!
//! The value to keep is typed either as the JSON of a candidate, as `conflicts list --json`
//! shows it (`{"type":"text","value":"张明"}`), or, simpler for people, as its plain text
//! (`张明`; also `true`, `42` or a time for candidates of those types).

use chrono::FixedOffset;
use fieldsales_core::conflict::{ConflictValue, FieldValue, RecordConflicts};
use fieldsales_core::Error;
use serde_json::json;

use super::Ctx;
use crate::args::ConflictsCmd;
use crate::error::CliError;
use crate::output::Text;

pub fn run(ctx: &Ctx, cmd: ConflictsCmd) -> Result<String, CliError> {
    let conflicts = ctx.fs.conflicts();
    match cmd {
        ConflictsCmd::List => {
            let list = conflicts.list()?;
            ctx.render(&list, || {
                if list.is_empty() {
                    return "no conflicts".into();
                }
                list.iter()
                    .map(|r| describe(ctx.zone(), r))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        ConflictsCmd::Show { record_id } => {
            let record = conflicts.for_record(&record_id)?;
            ctx.render(&record, || describe(ctx.zone(), &record))
        }
        ConflictsCmd::Resolve {
            record_id,
            field,
            value,
        } => {
            let record = conflicts.for_record(&record_id)?;
            let Some(conflict) = record.fields.iter().find(|f| f.field == field) else {
                return Err(CliError::Core(Error::Conflict {
                    field,
                    reason: format!(
                        "the field has no conflict (the record has {} conflicted fields)",
                        record.fields.len()
                    ),
                }));
            };
            let Some(chosen) = pick(&value, &conflict.values) else {
                return Err(CliError::Core(Error::Conflict {
                    field,
                    reason: format!(
                        "the value matches none of the {} candidates",
                        conflict.values.len()
                    ),
                }));
            };
            conflicts.resolve(&record.record_id, &field, &chosen)?;
            let shown = value_text(&chosen, ctx.zone());
            let result = json!({"record_id": record.record_id, "field": field, "value": chosen});
            ctx.render(&result, || {
                format!("resolved {field} of {} to {shown}", record.record_id)
            })
        }
    }
}

/// The candidate `typed` names: its JSON, or its plain text.
fn pick(typed: &str, candidates: &[ConflictValue]) -> Option<FieldValue> {
    let values = candidates.iter().map(|c| &c.value);
    if let Ok(v) = serde_json::from_str::<FieldValue>(typed) {
        if let Some(found) = values.clone().find(|c| **c == v) {
            return Some(found.clone());
        }
    }
    let plain = |c: &FieldValue, s: &str| match c {
        FieldValue::Text(t) => t == s,
        FieldValue::Bool(b) => s.parse::<bool>().ok() == Some(*b),
        FieldValue::Int(i) => s.parse::<i64>().ok() == Some(*i),
        FieldValue::Float(f) => s.parse::<f64>().ok() == Some(*f),
        FieldValue::Time(t) => crate::time::parse_time(s).ok() == Some(*t),
        FieldValue::Null => s == "null",
        FieldValue::Object(_) | FieldValue::Other => false,
    };
    // Exactly as typed first; then ignoring surrounding spaces.
    values
        .clone()
        .find(|c| plain(c, typed))
        .or_else(|| values.clone().find(|c| plain(c, typed.trim())))
        .cloned()
}

/// A value as people read it: text in quotes, times in the store's zone.
fn value_text(v: &FieldValue, zone: FixedOffset) -> String {
    match v {
        FieldValue::Null => "null".into(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Int(i) => i.to_string(),
        FieldValue::Float(f) => f.to_string(),
        FieldValue::Text(t) => format!("\"{t}\""),
        FieldValue::Time(t) => crate::time::show(*t, zone),
        FieldValue::Object(kind) => format!("<{kind}>"),
        FieldValue::Other => "<unknown value>".into(),
    }
}

fn describe(zone: FixedOffset, r: &RecordConflicts) -> String {
    let mut t = Text::new();
    t.line(format!("{} {}", r.kind.as_str(), r.record_id));
    if r.fields.is_empty() {
        t.line("  no conflicts");
    }
    for f in &r.fields {
        let candidates: Vec<String> = f
            .values
            .iter()
            .map(|c| {
                let by = c.written_by.as_deref().unwrap_or("unknown user");
                format!("{} by {by}", value_text(&c.value, zone))
            })
            .collect();
        t.line(format!(
            "  {}: shows {}; candidates: {}",
            f.field,
            value_text(&f.current, zone),
            candidates.join(", ")
        ));
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(values: &[FieldValue]) -> Vec<ConflictValue> {
        values
            .iter()
            .map(|v| ConflictValue {
                value: v.clone(),
                written_by: None,
                device: String::new(),
            })
            .collect()
    }

    #[test]
    fn a_candidate_is_named_by_its_json_or_its_plain_text() {
        let c = candidates(&[
            FieldValue::Text("张明".into()),
            FieldValue::Text("true".into()),
            FieldValue::Int(3),
        ]);
        let zhang = Some(FieldValue::Text("张明".into()));
        assert_eq!(pick(r#"{"type":"text","value":"张明"}"#, &c), zhang);
        assert_eq!(pick("张明", &c), zhang);
        assert_eq!(pick(" 张明 ", &c), zhang);
        assert_eq!(pick("3", &c), Some(FieldValue::Int(3)));
        // JSON that parses but is no candidate, and text that is none.
        assert_eq!(pick(r#"{"type":"text","value":"李四"}"#, &c), None);
        assert_eq!(pick("李四", &c), None);
        // Plain text that happens to be JSON of another type still matches the text.
        assert_eq!(pick("true", &c), Some(FieldValue::Text("true".into())));
    }
}
