//! What must follow a merge once other devices' changes arrive.
//!
//! A merge is two ordinary document changes, so it syncs like any edit; two situations need
//! more, and both are settled here, right after changes are applied (in the same
//! transaction), after a local merge, and on demand:
//!
//! - **Opposite merges.** Rep A merged X into Y while rep B, offline, merged Y into X. After
//!   sync both are tombstones pointing at each other. The lowest id of the cycle survives on
//!   every device: its tombstone and pointer are lifted (every device writes the same values,
//!   so no conflict appears), and the other record's later state is carried into it.
//! - **Late edits.** A rep who had not yet seen the merge edited the merged-away record. The
//!   survivor recorded the merged-away document's heads at the merge; whatever changed since
//!   (new phones, e-mails, tags, contacts; a new value of a scalar field) is carried to the
//!   survivor, and the recorded heads move on so it is carried once.
//!
//! Pending work is the `dedup_settle` list, filled by the projection whenever a merged-away
//! customer is stored; an item whose other half has not arrived yet stays on it.

use std::collections::BTreeMap;
use std::str::FromStr;

use automerge::{ChangeHash, ScalarValue, ROOT};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::absorb::{absorb, absorbed_map, heads_of, scalar, MERGE_FIELDS};
use super::Dedup;
use crate::customer::{hydrate, Customer};
use crate::error::Result;
use crate::record::schema::{common, customer as f, Kind};
use crate::record::RecordDoc;
use crate::store::Writer;

/// What a settle did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettleReport {
    /// Customers brought back as the survivor of a merge cycle.
    pub revived: Vec<String>,
    /// Merged-away customers whose late edits were carried to their survivor.
    pub carried: Vec<String>,
}

impl Dedup {
    /// Settles pending merge follow-ups now (they also settle by themselves after changes are
    /// applied; this is the repair tool).
    pub fn settle(&self) -> Result<SettleReport> {
        self.engine.write(run)
    }
}

/// Settles every pending merge follow-up inside the writer's transaction.
pub(crate) fn run(w: &Writer<'_>) -> Result<SettleReport> {
    let conn = w.conn();
    let pending: Vec<String> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM dedup_settle ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut report = SettleReport::default();
    if pending.is_empty() {
        return Ok(report);
    }
    let pointers: BTreeMap<String, String> = {
        let mut stmt = conn.prepare_cached("SELECT id, into_id FROM customer_merges")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &pending {
        let end = super::index::chain_end(&pointers, id);
        if pointers.contains_key(&end) && !report.revived.contains(&end) {
            revive(w, &end)?;
            report.revived.push(end);
        }
    }
    let mut done = Vec::new();
    for id in &pending {
        if report.revived.contains(id) {
            done.push(id.clone());
            continue;
        }
        match carry_late_edits(w, id)? {
            Carry::Nothing => done.push(id.clone()),
            Carry::Carried => {
                done.push(id.clone());
                report.carried.push(id.clone());
            }
            Carry::Wait => {}
        }
    }
    let mut delete = conn.prepare_cached("DELETE FROM dedup_settle WHERE id = ?1")?;
    for id in done {
        delete.execute([id])?;
    }
    Ok(report)
}

/// Lifts the tombstone and pointer of the survivor of a merge cycle.
fn revive(w: &Writer<'_>, id: &str) -> Result<()> {
    let Ok(uuid) = Uuid::parse_str(id) else {
        return Ok(());
    };
    let mut doc = w.load(Kind::Customer, uuid)?;
    doc.remove(&ROOT, f::MERGED_INTO)?;
    doc.put(&ROOT, common::DELETED, ScalarValue::Boolean(false))?;
    w.save(&mut doc)?;
    tracing::info!("a merge cycle was settled: the lowest id survives");
    Ok(())
}

enum Carry {
    Nothing,
    Carried,
    /// The other half of the merge has not arrived yet.
    Wait,
}

fn carry_late_edits(w: &Writer<'_>, id: &str) -> Result<Carry> {
    let Ok(m_id) = Uuid::parse_str(id) else {
        return Ok(Carry::Nothing);
    };
    let mut merged = match w.load(Kind::Customer, m_id) {
        Ok(doc) => doc,
        Err(crate::error::Error::NotFound { .. }) => return Ok(Carry::Nothing),
        Err(e) => return Err(e),
    };
    let after = hydrate(&merged);
    let (true, Some(into)) = (after.deleted, after.merged_into.clone()) else {
        return Ok(Carry::Nothing);
    };
    let survivor = super::survivor_of(w.conn(), id)?;
    let (Ok(into_id), Ok(survivor_id)) = (Uuid::parse_str(&into), Uuid::parse_str(&survivor))
    else {
        return Ok(Carry::Nothing);
    };
    if survivor_id == m_id {
        return Ok(Carry::Nothing);
    }
    let target = match w.load(Kind::Customer, into_id) {
        Ok(doc) => doc,
        Err(crate::error::Error::NotFound { .. }) => return Ok(Carry::Wait),
        Err(e) => return Err(e),
    };
    let Some(recorded) = target
        .object_opt(&ROOT, f::ABSORBED)
        .and_then(|obj| target.str_at(&obj, id))
    else {
        return Ok(Carry::Wait);
    };
    let current = heads_of(&mut merged);
    if current == recorded {
        return Ok(Carry::Nothing);
    }
    let heads: Vec<ChangeHash> = recorded
        .split(',')
        .filter(|h| !h.is_empty())
        .filter_map(|h| ChangeHash::from_str(h).ok())
        .collect();
    let Ok(mut fork) = merged.doc_mut().fork_at(&heads) else {
        return Ok(Carry::Wait);
    };
    let before_doc = RecordDoc::load(
        m_id,
        Kind::Customer,
        &fork.save(),
        &automerge::ActorId::random(),
    )?;
    let before = hydrate(&before_doc);
    let (late, changed) = late_edits(&before, &after);
    if is_empty(&late, &changed) {
        return Ok(Carry::Nothing);
    }
    let mut survivor_doc = w.load(Kind::Customer, survivor_id)?;
    if survivor_doc.is_deleted() {
        return Ok(Carry::Wait);
    }
    let into_customer = hydrate(&survivor_doc);
    absorb(
        &mut survivor_doc,
        &into_customer,
        &late,
        &|field| changed.contains(&field),
        true,
    )?;
    if into_id == survivor_id {
        let absorbed = absorbed_map(&mut survivor_doc)?;
        survivor_doc.put_str(&absorbed, id, &current)?;
        w.save(&mut survivor_doc)?;
    } else {
        w.save(&mut survivor_doc)?;
        let mut target = w.load(Kind::Customer, into_id)?;
        let absorbed = absorbed_map(&mut target)?;
        target.put_str(&absorbed, id, &current)?;
        w.save(&mut target)?;
    }
    tracing::info!("late edits to a merged-away customer were carried to its survivor");
    Ok(Carry::Carried)
}

/// What changed from `before` to `after`: the scalar fields whose value changed, and a
/// customer holding the new set members and new or changed contacts (its scalars are `after`'s).
fn late_edits(before: &Customer, after: &Customer) -> (Customer, Vec<&'static str>) {
    let changed: Vec<&'static str> = MERGE_FIELDS
        .iter()
        .copied()
        .filter(|field| {
            scalar(before, field) != scalar(after, field) && scalar(after, field).is_some()
        })
        .collect();
    let mut late = after.clone();
    late.phones.retain(|p| !before.phones.contains(p));
    late.emails.retain(|e| !before.emails.contains(e));
    late.tags.retain(|t| !before.tags.contains(t));
    late.custom.retain(|k, v| before.custom.get(k) != Some(v));
    late.stage_entries
        .retain(|e| !before.stage_entries.iter().any(|b| b.stage == e.stage));
    late.contacts.retain(|c| !before.contacts.contains(c));
    (late, changed)
}

fn is_empty(late: &Customer, changed: &[&str]) -> bool {
    changed.is_empty()
        && late.phones.is_empty()
        && late.emails.is_empty()
        && late.tags.is_empty()
        && late.custom.is_empty()
        && late.stage_entries.is_empty()
        && late.contacts.is_empty()
}
