//! Follow-up tasks: made from next actions, or typed in by hand.
//!
//! The stored task is the core's `Task`, named `FollowUpTask` for the apps (`Task` belongs to
//! Swift concurrency). One input stays a mirror, [`NewTask`]: its `due_at` is typed in by the
//! app, and a time outside chrono's range must be refused as `Validation` on that field, which
//! only a conversion here can do (a failed UniFFI lift is an internal error, not a
//! validation). Its conversion names every field of both sides, so a field added to the core's
//! `NewTask` breaks this build until it is added here.

use std::time::SystemTime;

use fieldsales_core::task::{self as core, Task as FollowUpTask};

use crate::convert::opt_time_in;
use crate::error::{guard, Result};
use crate::root::Ctx;

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
        guard(|| Ok(self.area().create(input.into_core()?)?))
    }

    pub fn get(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().get(&id)?))
    }

    /// Marks the task done.
    pub fn complete(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().complete(&id)?))
    }

    /// Opens a done task again.
    pub fn reopen(&self, id: String) -> Result<FollowUpTask> {
        guard(|| Ok(self.area().reopen(&id)?))
    }

    /// The signed-in user's open tasks due from now to the end of today (rep's time zone).
    pub fn due_today(&self) -> Result<Vec<FollowUpTask>> {
        guard(|| Ok(self.area().due_today()?))
    }

    /// The signed-in user's open tasks whose due time has passed, oldest first.
    pub fn overdue(&self) -> Result<Vec<FollowUpTask>> {
        guard(|| Ok(self.area().overdue()?))
    }

    /// Every task of a customer, by due time.
    pub fn for_customer(&self, customer_id: String) -> Result<Vec<FollowUpTask>> {
        guard(|| Ok(self.area().for_customer(&customer_id)?))
    }
}

impl NewTask {
    fn into_core(self) -> Result<core::NewTask> {
        // Both sides named field by field (no `..`): a field added to either fails the build.
        let NewTask {
            title,
            customer_id,
            due_at,
            assignee,
        } = self;
        Ok(core::NewTask {
            title,
            customer_id,
            due_at: opt_time_in(due_at, "due_at")?,
            assignee,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::convert::time_out;

    #[test]
    fn a_new_task_reaches_the_core_with_every_field() {
        let due = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let input = NewTask {
            title: "寄样品".into(),
            customer_id: Some("c-1".into()),
            due_at: Some(time_out(due)),
            assignee: Some("rep-2".into()),
        };
        let expected = core::NewTask {
            title: "寄样品".into(),
            customer_id: Some("c-1".into()),
            due_at: Some(due),
            assignee: Some("rep-2".into()),
        };
        assert_eq!(input.into_core().unwrap(), expected);
    }
}
