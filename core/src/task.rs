//! Follow-up tasks: what a rep promised to do next, with a due time.
//!
//! Most tasks are born from the "next action" of a visit or a quick-log, in the same
//! transaction as that record, so a promise made at the door is never lost. "Today" and
//! "overdue" are computed in the rep's time zone from the projection's open-task index.

use std::sync::Arc;

use automerge::{ScalarValue, ROOT};
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::{common, task as f, Kind};
use crate::record::{Init, RecordDoc};
use crate::store::{Projection, Row, Rows, Writer};

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "uniffi",
    derive(uniffi::Record),
    uniffi(name = "FollowUpTask")
)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub customer_id: Option<String>,
    /// The visit or quick-log whose next action created this task.
    pub source_id: Option<String>,
    pub assignee: String,
    pub due_at: DateTime<Utc>,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub deleted: bool,
}

/// A task typed in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewTask {
    pub title: String,
    pub customer_id: Option<String>,
    /// Defaults to the company's follow-up delay from now.
    pub due_at: Option<DateTime<Utc>>,
    /// Defaults to the signed-in user.
    pub assignee: Option<String>,
}

/// The tasks area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Tasks {
    engine: Arc<Engine>,
}

impl Tasks {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Tasks { engine }
    }

    /// Creates a task and returns its id.
    pub fn create(&self, input: NewTask) -> Result<String> {
        let follow_up = Duration::hours(self.engine.config().default_follow_up_hours);
        let assignee = input
            .assignee
            .clone()
            .unwrap_or_else(|| self.engine.identity().user_id.clone());
        let customer = match &input.customer_id {
            Some(id) => Some(parse_id(Kind::Customer, id)?),
            None => None,
        };
        self.engine.write(|w| {
            if let Some(customer) = customer {
                w.load(Kind::Customer, customer)?.ensure_live()?;
            }
            let due = input.due_at.unwrap_or(w.now() + follow_up);
            let id = write_task(w, None, &input.title, customer, None, &assignee, due)?;
            Ok(id.to_string())
        })
    }

    pub fn get(&self, id: &str) -> Result<Task> {
        let doc = self.engine.load(Kind::Task, parse_id(Kind::Task, id)?)?;
        Ok(hydrate(&doc))
    }

    /// Marks the task done.
    pub fn complete(&self, id: &str) -> Result<Task> {
        self.set_done(id, true)
    }

    /// Opens a done task again.
    pub fn reopen(&self, id: &str) -> Result<Task> {
        self.set_done(id, false)
    }

    fn set_done(&self, id: &str, done: bool) -> Result<Task> {
        let id = parse_id(Kind::Task, id)?;
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Task, id)?;
            doc.ensure_live()?;
            doc.put(&ROOT, f::DONE, ScalarValue::Boolean(done))?;
            if done {
                doc.put_time(&ROOT, f::DONE_AT, w.now())?;
            } else {
                doc.remove(&ROOT, f::DONE_AT)?;
            }
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }

    /// The signed-in user's open tasks due from now to the end of today (rep's time zone).
    pub fn due_today(&self) -> Result<Vec<Task>> {
        let now = self.engine.now();
        let zone = self.engine.config().time_zone;
        let local = now.with_timezone(&zone);
        let end_of_day = (local.date_naive() + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_local_timezone(zone)
            .single()
            .expect("fixed offsets have no gaps")
            .with_timezone(&Utc);
        self.open_between(now, end_of_day)
    }

    /// The signed-in user's open tasks whose due time has passed, oldest first.
    pub fn overdue(&self) -> Result<Vec<Task>> {
        let now = self.engine.now();
        self.open_between(DateTime::<Utc>::MIN_UTC, now)
    }

    /// Every task of a customer (and of customers merged into it), by due time.
    pub fn for_customer(&self, customer_id: &str) -> Result<Vec<Task>> {
        let customer = parse_id(Kind::Customer, customer_id)?.to_string();
        let sql = format!(
            "SELECT id FROM tasks WHERE customer_id IN {} AND deleted = 0 ORDER BY due_at",
            crate::dedup::index::FAMILY
        );
        self.ids_then_load(&sql, params![customer])
    }

    fn open_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Task>> {
        let me = self.engine.identity().user_id.clone();
        self.ids_then_load(
            "SELECT id FROM tasks WHERE done = 0 AND deleted = 0
                AND due_at >= ?1 AND due_at < ?2 AND assignee = ?3 ORDER BY due_at",
            params![from.timestamp_millis(), to.timestamp_millis(), me],
        )
    }

    fn ids_then_load(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Task>> {
        let ids: Vec<String> = self.engine.read(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(args, |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        ids.iter().map(|id| self.get(id)).collect()
    }
}

/// Creates or updates the follow-up task of a visit or quick-log: `existing` is the task id the
/// source already points to, so editing a next action edits its task instead of adding another.
pub(crate) fn write_task(
    w: &Writer<'_>,
    existing: Option<Uuid>,
    title: &str,
    customer: Option<Uuid>,
    source: Option<Uuid>,
    assignee: &str,
    due: DateTime<Utc>,
) -> Result<Uuid> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::invalid("title", "a task needs a title"));
    }
    let Some(id) = existing else {
        // A new task is written in one batch with its header.
        let text = |s: String| Init::Scalar(ScalarValue::Str(s.into()));
        let mut fields = vec![
            (f::DONE, Init::Scalar(ScalarValue::Boolean(false))),
            (f::TITLE, text(title.to_string())),
            (f::ASSIGNEE, text(assignee.to_string())),
            (
                f::DUE_AT,
                Init::Scalar(ScalarValue::Timestamp(due.timestamp_millis())),
            ),
        ];
        if let Some(customer) = customer {
            fields.push((f::CUSTOMER, text(customer.to_string())));
        }
        if let Some(source) = source {
            fields.push((f::SOURCE, text(source.to_string())));
        }
        let mut doc = w.create_with(Kind::Task, Uuid::now_v7(), fields)?;
        w.save(&mut doc)?;
        return Ok(doc.id());
    };
    let mut doc = w.load(Kind::Task, id)?;
    doc.put_str(&ROOT, f::TITLE, title)?;
    if let Some(customer) = customer {
        doc.put_str(&ROOT, f::CUSTOMER, &customer.to_string())?;
    }
    if let Some(source) = source {
        doc.put_str(&ROOT, f::SOURCE, &source.to_string())?;
    }
    doc.put_str(&ROOT, f::ASSIGNEE, assignee)?;
    doc.put_time(&ROOT, f::DUE_AT, due)?;
    w.save(&mut doc)?;
    Ok(doc.id())
}

pub(crate) fn hydrate(doc: &RecordDoc) -> Task {
    let root = doc.view(&ROOT);
    Task {
        id: doc.id().to_string(),
        title: root.str(f::TITLE).unwrap_or_default(),
        customer_id: root.str(f::CUSTOMER),
        source_id: root.str(f::SOURCE),
        assignee: root.str(f::ASSIGNEE).unwrap_or_default(),
        due_at: root.time(f::DUE_AT).unwrap_or(DateTime::<Utc>::MIN_UTC),
        done: root.bool(f::DONE).unwrap_or(false),
        done_at: root.time(f::DONE_AT),
        deleted: root.bool(common::DELETED).unwrap_or(false),
    }
}

/// The task kind's [`Projection`]: its row in `tasks`.
pub(crate) struct TaskProjection;

impl Projection for TaskProjection {
    fn kind(&self) -> Kind {
        Kind::Task
    }

    fn read(&self, doc: &RecordDoc) -> Row {
        Box::new(hydrate(doc))
    }

    fn remove(&self, conn: &rusqlite::Connection, id: &str) -> Result<()> {
        conn.prepare_cached("DELETE FROM tasks WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    }

    fn clear(&self, conn: &rusqlite::Connection) -> Result<()> {
        conn.execute("DELETE FROM tasks", [])?;
        Ok(())
    }
}

impl Rows for Task {
    fn write(&self, conn: &rusqlite::Connection) -> Result<()> {
        project(conn, self)
    }
}

/// Writes the projection rows of a hydrated record.
fn project(conn: &rusqlite::Connection, t: &Task) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tasks (id, customer_id, title, assignee, due_at, done, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
            title = excluded.title, assignee = excluded.assignee, due_at = excluded.due_at,
            done = excluded.done, deleted = excluded.deleted",
    )?
    .execute(params![
        t.id,
        t.customer_id,
        t.title,
        t.assignee,
        t.due_at.timestamp_millis(),
        t.done,
        t.deleted
    ])?;
    Ok(())
}
