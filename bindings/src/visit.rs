//! Visits: plan, check in at the customer's door, check out with what happened.

use std::time::SystemTime;

use fieldsales_core::visit as core;

use crate::convert::{opt_time_in, opt_time_out, time_in, time_out};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// A position fix from the phone (WGS-84).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    /// Radius of the fix's uncertainty, metres.
    #[uniffi(default)]
    pub accuracy_m: Option<f64>,
}

/// Whether a check-in happened at the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Verdict {
    Verified,
    OutOfRange,
    /// No fix, or the customer has no coordinates.
    Unverifiable,
}

/// A check-in or check-out as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Presence {
    pub at: SystemTime,
    pub fix: Option<Fix>,
    /// Distance to the customer's coordinates, metres, when both are known.
    pub distance_m: Option<f64>,
    pub verdict: Verdict,
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Visit {
    pub id: String,
    pub customer_id: String,
    pub rep: String,
    pub planned_at: Option<SystemTime>,
    pub check_in: Option<Presence>,
    pub check_out: Option<Presence>,
    pub notes: String,
    pub pain_points: Vec<String>,
    pub outcome: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<SystemTime>,
    pub decision_maker_wechat: Option<String>,
    /// Content hashes of the visit's photos.
    pub photos: Vec<String>,
    /// The follow-up task made from the next action.
    pub task_id: Option<String>,
    pub deleted: bool,
}

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
                .check_in(&customer_id, visit_id.as_deref(), fix.map(Into::into))?;
            Ok(v.into())
        })
    }

    /// Checks out of `visit_id` now with what happened.
    pub fn check_out(&self, visit_id: String, out: CheckOut) -> Result<Visit> {
        guard(|| {
            let out = core::CheckOut {
                fix: out.fix.map(Into::into),
                notes: out.notes,
                pain_points: out.pain_points,
                outcome: out.outcome,
                next_action: out.next_action,
                next_action_due: opt_time_in(out.next_action_due, "next_action_due")?,
                decision_maker_wechat: out.decision_maker_wechat,
                photos: out.photos,
            };
            Ok(self.area().check_out(&visit_id, out)?.into())
        })
    }

    /// Replaces the notes with `text`, merged as a diff so a colleague's concurrent edit
    /// elsewhere in the notes survives.
    pub fn edit_notes(&self, visit_id: String, text: String) -> Result<Visit> {
        guard(|| Ok(self.area().edit_notes(&visit_id, &text)?.into()))
    }

    pub fn get(&self, visit_id: String) -> Result<Visit> {
        guard(|| Ok(self.area().get(&visit_id)?.into()))
    }

    /// A rep's visits with their time (check-in, else plan) in `[from, to)`, oldest first.
    pub fn by_rep(&self, rep: String, from: SystemTime, to: SystemTime) -> Result<Vec<Visit>> {
        guard(|| {
            let visits = self
                .area()
                .by_rep(&rep, time_in(from, "from")?, time_in(to, "to")?)?;
            Ok(visits.into_iter().map(Into::into).collect())
        })
    }
}

impl From<Fix> for core::Fix {
    fn from(f: Fix) -> Self {
        core::Fix {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
        }
    }
}

impl From<core::Fix> for Fix {
    fn from(f: core::Fix) -> Self {
        Fix {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
        }
    }
}

impl From<core::Presence> for Presence {
    fn from(p: core::Presence) -> Self {
        Presence {
            at: time_out(p.at),
            fix: p.fix.map(Into::into),
            distance_m: p.distance_m,
            verdict: match p.verdict {
                core::Verdict::Verified => Verdict::Verified,
                core::Verdict::OutOfRange => Verdict::OutOfRange,
                core::Verdict::Unverifiable => Verdict::Unverifiable,
            },
        }
    }
}

impl From<core::Visit> for Visit {
    fn from(v: core::Visit) -> Self {
        Visit {
            id: v.id,
            customer_id: v.customer_id,
            rep: v.rep,
            planned_at: opt_time_out(v.planned_at),
            check_in: v.check_in.map(Into::into),
            check_out: v.check_out.map(Into::into),
            notes: v.notes,
            pain_points: v.pain_points,
            outcome: v.outcome,
            next_action: v.next_action,
            next_action_due: opt_time_out(v.next_action_due),
            decision_maker_wechat: v.decision_maker_wechat,
            photos: v.photos,
            task_id: v.task_id,
            deleted: v.deleted,
        }
    }
}
