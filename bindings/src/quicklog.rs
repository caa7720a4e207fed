//! Quick-log: the few-seconds record after a call, a WeChat chat or a meeting.

use std::time::SystemTime;

use fieldsales_core::quicklog as core;

use crate::convert::{opt_time_in, opt_time_out, time_out};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// How the rep talked to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Channel {
    Call,
    Visit,
    Wechat,
    Meeting,
    Email,
}

/// What the app pre-fills (phone, time, call length) and the rep ticks (pain points, next
/// action). Either `phone` or `customer_id` must say who it was with.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewQuickLog {
    pub channel: Channel,
    /// When the interaction started; defaults to now.
    #[uniffi(default)]
    pub at: Option<SystemTime>,
    #[uniffi(default)]
    pub duration_s: Option<i64>,
    /// The number called or calling, as the phone reports it. An unknown number creates a lead.
    #[uniffi(default)]
    pub phone: Option<String>,
    /// The customer, when the app already knows it (WeChat, meeting).
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub pain_points: Vec<String>,
    /// Becomes a follow-up task in the same write.
    #[uniffi(default)]
    pub next_action: Option<String>,
    /// Due time of the next action; defaults to the company's follow-up delay.
    #[uniffi(default)]
    pub due: Option<SystemTime>,
    #[uniffi(default)]
    pub note: Option<String>,
}

/// A stored quick-log entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuickLogEntry {
    pub id: String,
    pub channel: Channel,
    pub at: SystemTime,
    pub duration_s: Option<i64>,
    pub phone: Option<String>,
    pub customer_id: String,
    pub rep: String,
    pub pain_points: Vec<String>,
    pub next_action: Option<String>,
    pub due: Option<SystemTime>,
    pub note: Option<String>,
    /// The follow-up task made from the next action.
    pub task_id: Option<String>,
    pub deleted: bool,
}

/// What a quick-log did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Logged {
    pub entry: QuickLogEntry,
    /// True when the phone number was unknown and a new lead was created for it.
    pub new_lead: bool,
}

/// The quick-log area: `store.quickLog()`.
#[derive(uniffi::Object)]
pub struct QuickLog {
    ctx: Ctx,
}

impl QuickLog {
    pub(crate) fn new(ctx: Ctx) -> Self {
        QuickLog { ctx }
    }
}

#[uniffi::export]
impl QuickLog {
    /// Records an interaction; its next action becomes a task in the same write.
    ///
    /// ```kotlin
    /// val logged = store.quickLog().log(NewQuickLog(
    ///     channel = Channel.CALL, phone = "13812345678", durationS = 95,
    ///     painPoints = listOf("price"), nextAction = "send quote"))
    /// val task = store.tasks().get(logged.entry.taskId!!)
    /// ```
    pub fn log(&self, input: NewQuickLog) -> Result<Logged> {
        guard(|| Ok(self.ctx.core.quick_log().log(input.try_into()?)?.into()))
    }

    /// Records many interactions in one transaction (imports from the call log): all or
    /// nothing; a refusal names the input by position, `[3].phone`.
    pub async fn log_many(&self, inputs: Vec<NewQuickLog>) -> Result<Vec<Logged>> {
        let core = self.ctx.core.clone();
        self.ctx
            .rt
            .blocking(move || {
                let inputs = inputs
                    .into_iter()
                    .enumerate()
                    .map(|(i, input)| {
                        core::NewQuickLog::try_from(input).map_err(|e| match e {
                            crate::FieldSalesError::Validation { field, reason } => {
                                crate::FieldSalesError::Validation {
                                    field: format!("[{i}].{field}"),
                                    reason,
                                }
                            }
                            other => other,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(core
                    .quick_log()
                    .log_many(&inputs)?
                    .into_iter()
                    .map(Into::into)
                    .collect())
            })
            .await
    }

    pub fn get(&self, id: String) -> Result<QuickLogEntry> {
        guard(|| Ok(self.ctx.core.quick_log().get(&id)?.into()))
    }
}

impl TryFrom<NewQuickLog> for core::NewQuickLog {
    type Error = crate::FieldSalesError;

    fn try_from(q: NewQuickLog) -> Result<Self> {
        Ok(core::NewQuickLog {
            channel: q.channel.into(),
            at: opt_time_in(q.at, "at")?,
            duration_s: q.duration_s,
            phone: q.phone,
            customer_id: q.customer_id,
            pain_points: q.pain_points,
            next_action: q.next_action,
            due: opt_time_in(q.due, "due")?,
            note: q.note,
        })
    }
}

impl From<Channel> for core::Channel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Call => core::Channel::Call,
            Channel::Visit => core::Channel::Visit,
            Channel::Wechat => core::Channel::Wechat,
            Channel::Meeting => core::Channel::Meeting,
            Channel::Email => core::Channel::Email,
        }
    }
}

impl From<core::Channel> for Channel {
    fn from(c: core::Channel) -> Self {
        match c {
            core::Channel::Call => Channel::Call,
            core::Channel::Visit => Channel::Visit,
            core::Channel::Wechat => Channel::Wechat,
            core::Channel::Meeting => Channel::Meeting,
            core::Channel::Email => Channel::Email,
        }
    }
}

impl From<core::QuickLog> for QuickLogEntry {
    fn from(q: core::QuickLog) -> Self {
        QuickLogEntry {
            id: q.id,
            channel: q.channel.into(),
            at: time_out(q.at),
            duration_s: q.duration_s,
            phone: q.phone,
            customer_id: q.customer_id,
            rep: q.rep,
            pain_points: q.pain_points,
            next_action: q.next_action,
            due: opt_time_out(q.due),
            note: q.note,
            task_id: q.task_id,
            deleted: q.deleted,
        }
    }
}

impl From<core::Logged> for Logged {
    fn from(l: core::Logged) -> Self {
        Logged {
            entry: l.entry.into(),
            new_lead: l.new_lead,
        }
    }
}
