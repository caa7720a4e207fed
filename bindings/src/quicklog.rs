//! Quick-log: the few-seconds record after a call, a WeChat chat or a meeting.
//!
//! `Channel`, the stored entry (`QuickLogEntry` for the apps, the core's `QuickLog`) and
//! `Logged` are the core's (`fieldsales_core::quicklog`). One input stays a mirror,
//! [`NewQuickLog`]: its `at` and `due` are typed in by the app, and a time outside chrono's
//! range must be refused as `Validation` on that field, which only a conversion here can do (a
//! failed UniFFI lift is an internal error, not a validation). Its conversion names every field
//! of both sides, so a field added to the core's `NewQuickLog` breaks this build until it is
//! added here.

use std::time::SystemTime;

use fieldsales_core::quicklog::{self as core, Channel, Logged, QuickLog as QuickLogEntry};

use crate::convert::opt_time_in;
use crate::error::{guard, Result};
use crate::root::Ctx;

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
        guard(|| Ok(self.ctx.core.quick_log().log(input.try_into()?)?))
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
                Ok(core.quick_log().log_many(&inputs)?)
            })
            .await
    }

    pub fn get(&self, id: String) -> Result<QuickLogEntry> {
        guard(|| Ok(self.ctx.core.quick_log().get(&id)?))
    }
}

impl TryFrom<NewQuickLog> for core::NewQuickLog {
    type Error = crate::FieldSalesError;

    fn try_from(q: NewQuickLog) -> Result<Self> {
        // Both sides named field by field (no `..`): a field added to either fails the build.
        let NewQuickLog {
            channel,
            at,
            duration_s,
            phone,
            customer_id,
            pain_points,
            next_action,
            due,
            note,
        } = q;
        Ok(core::NewQuickLog {
            channel,
            at: opt_time_in(at, "at")?,
            duration_s,
            phone,
            customer_id,
            pain_points,
            next_action,
            due: opt_time_in(due, "due")?,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::convert::time_out;

    #[test]
    fn a_quick_log_reaches_the_core_with_every_field() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let due = DateTime::from_timestamp_millis(1_700_086_400_000).unwrap();
        let input = NewQuickLog {
            channel: Channel::Wechat,
            at: Some(time_out(at)),
            duration_s: Some(95),
            phone: Some("13812345678".into()),
            customer_id: Some("c-1".into()),
            pain_points: vec!["价格太高".into()],
            next_action: Some("发报价单".into()),
            due: Some(time_out(due)),
            note: Some("老客户".into()),
        };
        let expected = core::NewQuickLog {
            channel: Channel::Wechat,
            at: Some(at),
            duration_s: Some(95),
            phone: Some("13812345678".into()),
            customer_id: Some("c-1".into()),
            pain_points: vec!["价格太高".into()],
            next_action: Some("发报价单".into()),
            due: Some(due),
            note: Some("老客户".into()),
        };
        assert_eq!(core::NewQuickLog::try_from(input).unwrap(), expected);
    }
}
