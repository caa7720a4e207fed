//! `visit …`: plan, check in, check out, notes, show and a rep's visits of a day.

use chrono::Duration;
use fieldsales_core::visit::{CheckOut, Fix, Presence, Visit};

use super::customer::NO_NAME;
use super::Ctx;
use crate::args::{FixArgs, PhotoCmd, VisitCmd};
use crate::error::CliError;
use crate::output::{or, Text};

pub fn run(ctx: &Ctx, cmd: VisitCmd) -> Result<String, CliError> {
    let visits = ctx.fs.visits();
    match cmd {
        VisitCmd::Plan { customer_id, at } => {
            let id = visits.plan(&customer_id, at)?;
            let visit = visits.get(&id)?;
            ctx.render(&visit, || id.clone())
        }
        VisitCmd::CheckIn {
            customer_id,
            visit,
            fix,
        } => {
            let visit = visits.check_in(&customer_id, visit.as_deref(), fix_of(&fix))?;
            ctx.render(&visit, || {
                let at = visit.check_in.as_ref().map(|p| presence(ctx, p));
                format!(
                    "checked in: visit {} at {}, {}",
                    visit.id,
                    customer_name(ctx, &visit.customer_id),
                    at.unwrap_or_default()
                )
            })
        }
        VisitCmd::CheckOut {
            visit_id,
            fix,
            notes,
            pain_points,
            outcome,
            next_action,
            due,
            decision_maker_wechat,
        } => {
            let out = CheckOut {
                fix: fix_of(&fix),
                notes,
                pain_points,
                outcome,
                next_action,
                next_action_due: due,
                decision_maker_wechat,
                photos: Vec::new(),
            };
            let visit = visits.check_out(&visit_id, out)?;
            ctx.render(&visit, || {
                let mut t = Text::new();
                let at = visit.check_out.as_ref().map(|p| presence(ctx, p));
                t.line(format!(
                    "checked out: visit {}, {}",
                    visit.id,
                    at.unwrap_or_default()
                ));
                if let (Some(task), Some(action)) = (&visit.task_id, &visit.next_action) {
                    let due = visit.next_action_due.map(|d| ctx.time(d));
                    t.line(format!(
                        "  follow-up task {task}: {action}, due {}",
                        due.unwrap_or_default()
                    ));
                }
                t.finish()
            })
        }
        VisitCmd::Notes { visit_id, text } => {
            let visit = visits.edit_notes(&visit_id, &text)?;
            ctx.render(&visit, || describe(ctx, &visit))
        }
        VisitCmd::Show { id } => {
            let visit = visits.get(&id)?;
            ctx.render(&visit, || describe(ctx, &visit))
        }
        VisitCmd::Photo(PhotoCmd::Add { visit_id, file }) => {
            super::media::attach_photo(ctx, &visit_id, &file)
        }
        VisitCmd::List { rep, from, to } => {
            let zone = ctx.zone();
            let bad_time = |field: &str| CliError::invalid(field, "out of range");
            let (today_start, today_end) =
                crate::time::day_of(ctx.now(), zone).ok_or_else(|| bad_time("from"))?;
            let from = match from {
                Some(f) => f.start(zone).ok_or_else(|| bad_time("from"))?,
                None => today_start,
            };
            let to = match to {
                Some(t) => t.end(zone).ok_or_else(|| bad_time("to"))?,
                // Until the end of today, or one day when the range starts later.
                None if from < today_end => today_end,
                None => from + Duration::days(1),
            };
            if to <= from {
                return Err(CliError::invalid("to", "must be after --from"));
            }
            let rep = rep.unwrap_or_else(|| ctx.fs.identity().user_id.clone());
            let list = visits.by_rep(&rep, from, to)?;
            ctx.render(&list, || {
                if list.is_empty() {
                    return format!(
                        "no visits by {rep} from {} to {}",
                        ctx.time(from),
                        ctx.time(to)
                    );
                }
                list.iter()
                    .map(|v| list_line(ctx, v))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn fix_of(args: &FixArgs) -> Option<Fix> {
    match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(Fix {
            lat,
            lon,
            accuracy_m: args.accuracy,
        }),
        _ => None,
    }
}

/// The customer's name, or its id when it cannot be read.
fn customer_name(ctx: &Ctx, customer_id: &str) -> String {
    match ctx.fs.customers().get(customer_id) {
        Ok(c) => format!("{} ({})", or(&c.name, NO_NAME), c.id),
        Err(_) => format!("customer {customer_id}"),
    }
}

/// `2026-03-02T09:05:00+08:00, verified, 35 m from the customer`.
fn presence(ctx: &Ctx, p: &Presence) -> String {
    let mut s = format!("{}, {}", ctx.time(p.at), p.verdict.as_str());
    if let Some(d) = p.distance_m {
        s.push_str(&format!(", {d:.0} m from the customer"));
    }
    s
}

fn status(v: &Visit) -> &'static str {
    match (&v.check_in, &v.check_out) {
        (_, Some(_)) => "checked out",
        (Some(_), None) => "checked in",
        (None, None) => "planned",
    }
}

fn list_line(ctx: &Ctx, v: &Visit) -> String {
    let at = v
        .check_in
        .as_ref()
        .map(|p| p.at)
        .or(v.planned_at)
        .map(|t| ctx.time(t))
        .unwrap_or_default();
    let verdict = v
        .check_in
        .as_ref()
        .map(|p| format!(" ({})", p.verdict.as_str()))
        .unwrap_or_default();
    format!(
        "{at}  {}  {}{verdict}  {}",
        v.id,
        status(v),
        customer_name(ctx, &v.customer_id)
    )
}

fn describe(ctx: &Ctx, v: &Visit) -> String {
    let mut t = Text::new();
    let deleted = if v.deleted { "  [deleted]" } else { "" };
    t.line(format!("visit {}  {}{deleted}", v.id, status(v)));
    t.field("customer", Some(customer_name(ctx, &v.customer_id)));
    t.field("rep", Some(&v.rep));
    t.field("planned", v.planned_at.map(|p| ctx.time(p)));
    t.field("check-in", v.check_in.as_ref().map(|p| presence(ctx, p)));
    t.field("check-out", v.check_out.as_ref().map(|p| presence(ctx, p)));
    t.field("outcome", v.outcome.as_deref());
    t.list("pain points", &v.pain_points);
    let next = v.next_action.as_ref().map(|a| {
        let due = v
            .next_action_due
            .map(|d| format!(", due {}", ctx.time(d)))
            .unwrap_or_default();
        let task = v
            .task_id
            .as_ref()
            .map(|id| format!(" (task {id})"))
            .unwrap_or_default();
        format!("{a}{due}{task}")
    });
    t.field("next action", next);
    t.field("decision maker wechat", v.decision_maker_wechat.as_deref());
    if !v.notes.trim().is_empty() {
        t.line("  notes:");
        for line in v.notes.lines() {
            t.line(format!("    {line}"));
        }
    }
    t.finish()
}
