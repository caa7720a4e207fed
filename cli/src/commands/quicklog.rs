//! `quick-log`: record a call, chat or meeting; an unknown phone number becomes a new lead.

use fieldsales_core::quicklog::NewQuickLog;

use super::customer::NO_NAME;
use super::Ctx;
use crate::args::QuickLogArgs;
use crate::error::CliError;
use crate::output::{or, Text};
use crate::time::show_duration;

pub fn run(ctx: &Ctx, args: QuickLogArgs) -> Result<String, CliError> {
    let logged = ctx.fs.quick_log().log(NewQuickLog {
        channel: args.channel.unwrap_or_default(),
        at: args.at,
        duration_s: args.duration,
        phone: args.phone,
        customer_id: args.customer,
        pain_points: args.pain_points,
        next_action: args.next_action,
        due: args.due,
        note: args.note,
    })?;
    ctx.render(&logged, || {
        let e = &logged.entry;
        let mut t = Text::new();
        let who = match ctx.fs.customers().get(&e.customer_id) {
            Ok(c) => format!("{} ({})", or(&c.name, NO_NAME), c.id),
            Err(_) => e.customer_id.clone(),
        };
        let duration = e
            .duration_s
            .map(|d| format!(", {}", show_duration(d)))
            .unwrap_or_default();
        t.line(format!(
            "logged {} {} with {who} at {}{duration}",
            e.channel.as_str(),
            e.id,
            ctx.time(e.at)
        ));
        if logged.new_lead {
            t.line(format!(
                "  new lead {} created for {}: give it a name with `customer edit {} --name …`",
                e.customer_id,
                e.phone.as_deref().unwrap_or("the number"),
                e.customer_id
            ));
        }
        t.list("pain points", &e.pain_points);
        t.field("note", e.note.as_deref());
        if let (Some(task), Some(action)) = (&e.task_id, &e.next_action) {
            let due = e.due.map(|d| ctx.time(d)).unwrap_or_default();
            t.line(format!("  follow-up task {task}: {action}, due {due}"));
        }
        t.finish()
    })
}
