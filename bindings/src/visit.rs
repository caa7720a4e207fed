//! Visits: plan, check in at the customer's door, check out with what happened.
//!
//! `Visit`, `Presence`, `Fix` and `Verdict` are the core's (`fieldsales_core::visit`). One
//! input stays a mirror, [`CheckOut`]: its `next_action_due` is typed in by the app, and a time
//! outside chrono's range must be refused as `Validation` on that field, which only a
//! conversion here can do (a failed UniFFI lift is an internal error, not a validation). Its
//! conversion names every field of both sides, so a field added to the core's `CheckOut`
//! breaks this build until it is added here.

use std::time::SystemTime;

use fieldsales_core::visit::{self as core, Fix, Visit};

use crate::convert::{opt_time_in, time_in};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// What the rep records when leaving; everything optional.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct CheckOut {
    #[uniffi(default)]
    pub fix: Option<Fix>,
    /// The whole new text of the notes; merged as a text diff.
    #[uniffi(default)]
    pub notes: Option<String>,
    #[uniffi(default)]
    pub pain_points: Vec<String>,
    #[uniffi(default)]
    pub outcome: Option<String>,
    /// Becomes (or updates) the visit's follow-up task.
    #[uniffi(default)]
    pub next_action: Option<String>,
    #[uniffi(default)]
    pub next_action_due: Option<SystemTime>,
    #[uniffi(default)]
    pub decision_maker_wechat: Option<String>,
    #[uniffi(default)]
    pub photos: Vec<String>,
}

/// The visits area: `store.visits()`.
#[derive(uniffi::Object)]
pub struct Visits {
    ctx: Ctx,
}

impl Visits {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Visits { ctx }
    }

    fn area(&self) -> core::Visits {
        self.ctx.core.visits()
    }
}

#[uniffi::export]
impl Visits {
    /// Plans a visit to `customer_id` at `at`; returns the visit id.
    pub fn plan(&self, customer_id: String, at: SystemTime) -> Result<String> {
        guard(|| Ok(self.area().plan(&customer_id, time_in(at, "at")?)?))
    }

    /// Checks in at `customer_id` now: into the planned visit `visit_id`, or a new visit. The
    /// verdict compares `fix` with the customer's coordinates.
    ///
    /// ```kotlin
    /// val visit = store.visits().checkIn(customerId, null, Fix(lat = 39.98, lon = 116.31))
    /// if (visit.checkIn?.verdict == Verdict.OUT_OF_RANGE) warn()
    /// ```
    pub fn check_in(
        &self,
        customer_id: String,
        visit_id: Option<String>,
        fix: Option<Fix>,
    ) -> Result<Visit> {
        guard(|| {
            let v = self
                .area()
                .check_in(&customer_id, visit_id.as_deref(), fix)?;
            Ok(v)
        })
    }

    /// Checks out of `visit_id` now with what happened.
    pub fn check_out(&self, visit_id: String, out: CheckOut) -> Result<Visit> {
        guard(|| {
            let out = out.into_core()?;
            Ok(self.area().check_out(&visit_id, out)?)
        })
    }

    /// Replaces the notes with `text`, merged as a diff so a colleague's concurrent edit
    /// elsewhere in the notes survives.
    pub fn edit_notes(&self, visit_id: String, text: String) -> Result<Visit> {
        guard(|| Ok(self.area().edit_notes(&visit_id, &text)?))
    }

    pub fn get(&self, visit_id: String) -> Result<Visit> {
        guard(|| Ok(self.area().get(&visit_id)?))
    }

    /// A rep's visits with their time (check-in, else plan) in `[from, to)`, oldest first.
    pub fn by_rep(&self, rep: String, from: SystemTime, to: SystemTime) -> Result<Vec<Visit>> {
        guard(|| {
            Ok(self
                .area()
                .by_rep(&rep, time_in(from, "from")?, time_in(to, "to")?)?)
        })
    }
}

impl CheckOut {
    fn into_core(self) -> Result<core::CheckOut> {
        // Both sides named field by field (no `..`): a field added to either fails the build.
        let CheckOut {
            fix,
            notes,
            pain_points,
            outcome,
            next_action,
            next_action_due,
            decision_maker_wechat,
            photos,
        } = self;
        Ok(core::CheckOut {
            fix,
            notes,
            pain_points,
            outcome,
            next_action,
            next_action_due: opt_time_in(next_action_due, "next_action_due")?,
            decision_maker_wechat,
            photos,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::convert::time_out;
    use crate::FieldSalesError;

    #[test]
    fn a_check_out_reaches_the_core_with_every_field() {
        let due = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        let fix = Fix {
            lat: 39.98,
            lon: 116.31,
            accuracy_m: Some(12.0),
        };
        let out = CheckOut {
            fix: Some(fix),
            notes: Some("谈了价格".into()),
            pain_points: vec!["价格太高".into()],
            outcome: Some("报价".into()),
            next_action: Some("寄样品".into()),
            next_action_due: Some(time_out(due)),
            decision_maker_wechat: Some("wx-li".into()),
            photos: vec!["sha256-abc".into()],
        };
        let expected = core::CheckOut {
            fix: Some(fix),
            notes: Some("谈了价格".into()),
            pain_points: vec!["价格太高".into()],
            outcome: Some("报价".into()),
            next_action: Some("寄样品".into()),
            next_action_due: Some(due),
            decision_maker_wechat: Some("wx-li".into()),
            photos: vec!["sha256-abc".into()],
        };
        assert_eq!(out.into_core().unwrap(), expected);
    }

    #[test]
    fn a_check_out_due_beyond_chrono_is_a_validation_error_on_that_field() {
        let far = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(u64::MAX / 4);
        let out = CheckOut {
            next_action_due: Some(far),
            ..CheckOut::default()
        };
        match out.into_core() {
            Err(FieldSalesError::Validation { field, .. }) => assert_eq!(field, "next_action_due"),
            other => panic!("expected Validation, got {other:?}"),
        }
    }
}
