//! The candidate index and the merge pointers, kept in step with every customer write.
//!
//! Written by the customer projection (`customer::projection`), so the same transaction that stores a customer —
//! a local edit, a change applied from another device, or `rebuild_projections` — refreshes
//! its profile, its blocking keys and its merge pointer. Like every projection it is derived
//! from the documents only and can be rebuilt at will.
//!
//! Merge pointers: a merged-away customer's document says `merged_into`; this module keeps
//! `customer_merges(id, into_id, survivor)` where `survivor` is the end of the pointer chain,
//! so queries of a customer's visits, quick-logs and tasks include those of every customer
//! merged into it with one indexed lookup ([`FAMILY`]). When two merges made in opposite
//! directions form a cycle, the lowest id in the cycle is the survivor on every device
//! (`settle` then makes the documents say so).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::profile::Profile;
use crate::error::{Error, Result};

/// SQL for "this customer and every customer merged into it", with the customer id as `?1`.
pub(crate) const FAMILY: &str =
    "(SELECT ?1 UNION SELECT id FROM customer_merges WHERE survivor = ?1)";

/// Refreshes customer `id`'s profile and keys (`None` for a deleted customer, which has none)
/// and its merge pointer (`merged_into`: set for a customer merged away).
pub(crate) fn project(
    conn: &Connection,
    id: &str,
    profile: Option<&Profile>,
    merged_into: Option<&str>,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM dedup_keys WHERE customer_id = ?1")?
        .execute([id])?;
    if let Some(profile) = profile {
        let json = serde_json::to_string(profile)
            .map_err(|e| Error::invalid("profile", format!("cannot be encoded: {e}")))?;
        conn.prepare_cached(
            "INSERT INTO dedup_profiles (customer_id, profile) VALUES (?1, ?2)
             ON CONFLICT (customer_id) DO UPDATE SET profile = excluded.profile",
        )?
        .execute(params![id, json])?;
        let mut insert = conn.prepare_cached(
            "INSERT OR IGNORE INTO dedup_keys (key, customer_id) VALUES (?1, ?2)",
        )?;
        for key in profile.keys() {
            insert.execute(params![key, id])?;
        }
    } else {
        conn.prepare_cached("DELETE FROM dedup_profiles WHERE customer_id = ?1")?
            .execute([id])?;
    }
    follow_pointer(conn, id, merged_into)
}

fn follow_pointer(conn: &Connection, id: &str, new: Option<&str>) -> Result<()> {
    let old: Option<String> = conn
        .prepare_cached("SELECT into_id FROM customer_merges WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if new.is_some() {
        // Late edits to a merged-away customer may have arrived: `settle` looks again.
        conn.prepare_cached("INSERT OR IGNORE INTO dedup_settle (id) VALUES (?1)")?
            .execute([id])?;
    }
    if old.as_deref() == new {
        return Ok(());
    }
    match new {
        Some(into) => {
            conn.prepare_cached(
                "INSERT INTO customer_merges (id, into_id, survivor) VALUES (?1, ?2, ?2)
                 ON CONFLICT (id) DO UPDATE SET into_id = excluded.into_id",
            )?
            .execute(params![id, into])?;
        }
        None => {
            conn.prepare_cached("DELETE FROM customer_merges WHERE id = ?1")?
                .execute([id])?;
        }
    }
    resolve_component(conn, id)
}

/// Recomputes `survivor` for every customer connected to `start` by merge pointers.
fn resolve_component(conn: &Connection, start: &str) -> Result<()> {
    let mut nodes = BTreeSet::new();
    let mut pointers: BTreeMap<String, String> = BTreeMap::new();
    let mut stack = vec![start.to_string()];
    while let Some(node) = stack.pop() {
        if !nodes.insert(node.clone()) {
            continue;
        }
        let into: Option<String> = conn
            .prepare_cached("SELECT into_id FROM customer_merges WHERE id = ?1")?
            .query_row([&node], |r| r.get(0))
            .optional()?;
        if let Some(into) = into {
            pointers.insert(node.clone(), into.clone());
            stack.push(into);
        }
        let mut stmt = conn.prepare_cached("SELECT id FROM customer_merges WHERE into_id = ?1")?;
        let children = stmt.query_map([&node], |r| r.get::<_, String>(0))?;
        for child in children {
            stack.push(child?);
        }
    }
    let mut update =
        conn.prepare_cached("UPDATE customer_merges SET survivor = ?2 WHERE id = ?1")?;
    for id in pointers.keys() {
        update.execute(params![id, chain_end(&pointers, id)])?;
    }
    Ok(())
}

/// Follows pointers from `id`; in a cycle the lowest id of the cycle is the end.
pub(crate) fn chain_end(pointers: &BTreeMap<String, String>, id: &str) -> String {
    let mut path: Vec<&str> = vec![id];
    let mut current = id;
    while let Some(next) = pointers.get(current) {
        if let Some(at) = path.iter().position(|p| *p == next.as_str()) {
            return path[at..]
                .iter()
                .min()
                .map(|s| s.to_string())
                .unwrap_or_else(|| next.clone());
        }
        path.push(next);
        current = next;
    }
    current.to_string()
}

/// The customer that `id` ended up in (itself when it was never merged away).
pub(crate) fn survivor_of(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT survivor FROM customer_merges WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| id.to_string()))
}

/// Empties the index (before a rebuild of the projections refills it).
pub(crate) fn clear(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM dedup_keys; DELETE FROM dedup_profiles; DELETE FROM customer_merges;
         DELETE FROM dedup_settle;",
    )?;
    Ok(())
}

/// Drops every index row of customer `id` (the document itself is gone: erased, or refused by
/// the server and not visible to this user).
pub(crate) fn forget(conn: &Connection, id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM dedup_keys WHERE customer_id = ?1",
        "DELETE FROM dedup_profiles WHERE customer_id = ?1",
        "DELETE FROM customer_merges WHERE id = ?1",
        "DELETE FROM dedup_settle WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

/// Fills the index from the stored customers when a migration asked for it: all of them
/// (`rebuild`: the index was created empty), or only those whose names now read differently
/// (`doubled-names`: see `profile::names_read_differently`) — a look at two
/// columns of each customer instead of loading every document.
/// `refresh` re-indexes one stored customer (the customer projection's part, given by the
/// dedup area, which knows customers).
pub(crate) fn build_if_needed(
    conn: &Connection,
    mut refresh: impl FnMut(&Connection, Uuid) -> Result<()>,
) -> Result<()> {
    let needed: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'dedup_index'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let ids: Vec<String> = match needed.as_deref() {
        Some("rebuild") => {
            clear(conn)?;
            let mut stmt = conn.prepare("SELECT id FROM docs WHERE kind = 'customer'")?;
            let ids = stmt.query_map([], |r| r.get(0))?;
            ids.collect::<rusqlite::Result<_>>()?
        }
        Some("doubled-names") => {
            let mut stmt = conn.prepare("SELECT id, name, legal_name FROM customers")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?;
            let mut ids = Vec::new();
            for row in rows {
                let (id, name, legal) = row?;
                if super::profile::names_read_differently(&name, legal.as_deref()) {
                    ids.push(id);
                }
            }
            ids
        }
        _ => return Ok(()),
    };
    for id in ids {
        let Ok(uuid) = Uuid::parse_str(&id) else {
            continue;
        };
        refresh(conn, uuid)?;
    }
    conn.execute("DELETE FROM meta WHERE key = 'dedup_index'", [])?;
    Ok(())
}

/// Loads stored profiles by customer id (unknown ids and unreadable rows are skipped).
pub(crate) fn load_profiles(conn: &Connection, ids: &[String]) -> Result<Vec<(String, Profile)>> {
    let mut stmt =
        conn.prepare_cached("SELECT profile FROM dedup_profiles WHERE customer_id = ?1")?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let json: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
        if let Some(profile) = json.and_then(|j| serde_json::from_str(&j).ok()) {
            out.push((id.clone(), profile));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_cycle_ends_at_its_lowest_id() {
        let mut p = BTreeMap::new();
        p.insert("b".to_string(), "a".to_string());
        p.insert("a".to_string(), "b".to_string());
        p.insert("c".to_string(), "b".to_string());
        assert_eq!(chain_end(&p, "a"), "a");
        assert_eq!(chain_end(&p, "b"), "a");
        assert_eq!(chain_end(&p, "c"), "a");
        p.remove("a");
        assert_eq!(chain_end(&p, "c"), "a");
        assert_eq!(chain_end(&p, "a"), "a");
    }
}
