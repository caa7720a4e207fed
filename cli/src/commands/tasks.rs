//! `tasks …`: today's and overdue follow-ups, adding, completing and reopening tasks.

use fieldsales_core::task::{NewTask, Task};

use super::Ctx;
use crate::args::TasksCmd;
use crate::error::CliError;

pub fn run(ctx: &Ctx, cmd: TasksCmd) -> Result<String, CliError> {
    let tasks = ctx.fs.tasks();
    match cmd {
        TasksCmd::Today => {
            let list = tasks.due_today()?;
            ctx.render(&list, || lines(ctx, &list, "nothing else due today"))
        }
        TasksCmd::Overdue => {
            let list = tasks.overdue()?;
            ctx.render(&list, || lines(ctx, &list, "nothing overdue"))
        }
        TasksCmd::Add {
            title,
            customer,
            due,
        } => {
            let id = tasks.create(NewTask {
                title,
                customer_id: customer,
                due_at: due,
                assignee: None,
            })?;
            let task = tasks.get(&id)?;
            ctx.render(&task, || id.clone())
        }
        TasksCmd::Done { id } => {
            let task = tasks.complete(&id)?;
            ctx.render(&task, || format!("done: {}", line(ctx, &task)))
        }
        TasksCmd::Reopen { id } => {
            let task = tasks.reopen(&id)?;
            ctx.render(&task, || format!("reopened: {}", line(ctx, &task)))
        }
        TasksCmd::Customer { customer_id } => {
            // An unknown customer is an error, not an empty list.
            let customer = ctx.fs.customers().get(&customer_id)?;
            let list = tasks.for_customer(&customer.id)?;
            ctx.render(&list, || lines(ctx, &list, "no tasks for this customer"))
        }
    }
}

/// `2026-03-02T17:00:00+08:00  发送报价  customer <id>  task <id>`.
fn line(ctx: &Ctx, t: &Task) -> String {
    let mut s = format!("{}  {}", ctx.time(t.due_at), t.title);
    if let Some(c) = &t.customer_id {
        s.push_str(&format!("  customer {c}"));
    }
    s.push_str(&format!("  task {}", t.id));
    if t.done {
        s.push_str("  [done]");
    }
    s
}

fn lines(ctx: &Ctx, list: &[Task], none: &str) -> String {
    if list.is_empty() {
        return none.to_string();
    }
    list.iter()
        .map(|t| line(ctx, t))
        .collect::<Vec<_>>()
        .join("\n")
}
