//! Follow-up tasks: made from next actions, or typed in by hand.

use std::time::SystemTime;

use fieldsales_core::task as core;

use crate::convert::{opt_time_in, opt_time_out, time_out};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// A follow-up task. (Not `Task`: that name belongs to Swift concurrency.)
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FollowUpTask {
    pub id: String,
    pub title: String,
    pub customer_id: Option<String>,
    /// The visit or quick-log whose next action created this task.
    pub source_id: Option<String>,
    pub assignee: String,
    pub due_at: SystemTime,
    pub done: bool,
    pub done_at: Option<SystemTime>,
    pub deleted: bool,
}

/// A task typed in by hand.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct NewTask {
    pub title: String,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    /// Defaults to the company's follow-up delay from now.
    #[uniffi(default)]
    pub due_at: Option<SystemTime>,
    /// Defaults to the signed-in user.
    #[uniffi(default)]
    pub assignee: Option<String>,
}

/// The tasks area: `store.tasks()`.
#[derive(uniffi::Object)]
pub struct Tasks {
    ctx: Ctx,
}

impl Tasks {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Tasks { ctx }
    }

    fn area(&self) -> core::Tasks {
        self.ctx.core.tasks()
    }
}

#[uniffi::export]
impl Tasks {
    /// Creates a task and returns its id.
    pub fn create(&self, input: NewTask) -> Result<String> {
        guard(|| {
            let input = core::NewTask {
                title: input.title,
                customer_id: input.customer_id,
                due_at: opt_time_in(input.due_at, "due_at")?,
                assignee: input.assignee,
            };
            Ok(self.area().create(input)?)
        })
    }

    pub fn get(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().get(&id)?.into()))
    }

    /// Marks the task done.
    pub fn complete(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().complete(&id)?.into()))
    }

    /// Opens a done task again.
    pub fn reopen(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().reopen(&id)?.into()))
    }

    /// The signed-in user's open tasks due from now to the end of today (rep's time zone).
    pub fn due_today(&self) -> Result<Vec<FollowUpTask>> {
        guard(|| {
            Ok(self
                .area()
                .due_today()?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The signed-in user's open tasks whose due time has passed, oldest first.
    pub fn overdue(&self) -> Result<Vec<FollowUpTask>> {
        guard(|| Ok(self.area().overdue()?.into_iter().map(Into::into).collect()))
    }

    /// Every task of a customer, by due time.
    pub fn for_customer(&self, customer_id: String) -> Result<Vec<FollowUpTask>> {
        guard(|| {
            let tasks = self.area().for_customer(&customer_id)?;
            Ok(tasks.into_iter().map(Into::into).collect())
        })
    }
}

impl From<core::Task> for FollowUpTask {
    fn from(t: core::Task) -> Self {
        FollowUpTask {
            id: t.id,
            title: t.title,
            customer_id: t.customer_id,
            source_id: t.source_id,
            assignee: t.assignee,
            due_at: time_out(t.due_at),
            done: t.done,
            done_at: opt_time_out(t.done_at),
            deleted: t.deleted,
        }
    }
}
