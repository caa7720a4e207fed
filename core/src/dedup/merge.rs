//! Merging two customers, as ordinary record changes so that the merge syncs.
//!
//! One transaction writes two documents: the survivor receives the union of phones, e-mails,
//! tags, contacts, custom fields and stage entries, plus, per conflicting scalar field, the
//! value the user chose (an empty field is filled from the other side without asking); the
//! merged-away customer is tombstoned with `merged_into` pointing at the survivor. The
//! survivor also records, under `absorbed`, the heads of the merged-away document at the
//! moment of the merge, so edits made to it later on another device can be told apart and
//! carried over (see `settle`). Visits, quick-logs and tasks are not rewritten: queries follow
//! the pointer (see `index::FAMILY`), which holds for children created offline after the merge.

use std::collections::BTreeMap;

use automerge::ROOT;
use serde::{Deserialize, Serialize};

use super::absorb::{absorb, absorbed_map, heads_of, scalar, MERGE_FIELDS};
use super::Dedup;
use crate::customer::{hydrate, Customer};
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::{customer as f, Kind};

/// Whose value to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    #[default]
    Survivor,
    Merged,
}

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MergeRequest {
    /// The customer that stays.
    pub survivor: String,
    /// The customer merged away.
    pub merged: String,
    /// Per field of [`MERGE_FIELDS`], whose value wins; unnamed fields keep the survivor's
    /// (or take the merged one's when the survivor has none).
    pub keep: BTreeMap<String, Side>,
}

/// A scalar field the two customers disagree on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChoice {
    pub field: String,
    pub survivor: String,
    pub merged: String,
}

/// Both customers and the fields the user must choose for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergePreview {
    pub survivor: Customer,
    pub merged: Customer,
    pub choices: Vec<FieldChoice>,
}

impl Dedup {
    /// The two customers and their conflicting scalar fields, for the merge screen.
    pub fn merge_preview(&self, survivor: &str, merged: &str) -> Result<MergePreview> {
        let (s, m) = (self.live(survivor)?, self.live(merged)?);
        let choices = MERGE_FIELDS
            .iter()
            .filter_map(|field| match (scalar(&s, field), scalar(&m, field)) {
                (Some(a), Some(b)) if a != b => Some(FieldChoice {
                    field: field.to_string(),
                    survivor: a,
                    merged: b,
                }),
                _ => None,
            })
            .collect();
        Ok(MergePreview {
            survivor: s,
            merged: m,
            choices,
        })
    }

    /// Merges `request.merged` into `request.survivor` and returns the survivor as stored.
    pub fn merge(&self, request: &MergeRequest) -> Result<Customer> {
        let s_id = parse_id(Kind::Customer, &request.survivor)?;
        let m_id = parse_id(Kind::Customer, &request.merged)?;
        if s_id == m_id {
            return Err(Error::invalid(
                "merged",
                "a customer cannot be merged into itself",
            ));
        }
        if let Some(unknown) = request
            .keep
            .keys()
            .find(|k| !MERGE_FIELDS.contains(&k.as_str()))
        {
            return Err(Error::invalid(
                "keep",
                format!(
                    "unknown field {unknown}; known: {}",
                    MERGE_FIELDS.join(", ")
                ),
            ));
        }
        self.engine.write(|w| {
            let mut survivor = w.load(Kind::Customer, s_id)?;
            survivor.ensure_live()?;
            let mut merged = w.load(Kind::Customer, m_id)?;
            merged.ensure_live()?;
            let (s, m) = (hydrate(&survivor), hydrate(&merged));
            let prefer = |field: &str| request.keep.get(field) == Some(&Side::Merged);
            absorb(&mut survivor, &s, &m, &prefer, false)?;
            let heads = heads_of(&mut merged);
            let absorbed = absorbed_map(&mut survivor)?;
            survivor.put_str(&absorbed, &m.id, &heads)?;
            merged.put_str(&ROOT, f::MERGED_INTO, &s.id)?;
            merged.tombstone()?;
            w.save(&mut survivor)?;
            w.save(&mut merged)?;
            super::settle::run(w)?;
            Ok(hydrate(&survivor))
        })
    }

    /// The customer a merged-away id ended up in (the id itself when never merged).
    pub fn survivor_of(&self, id: &str) -> Result<String> {
        let id = parse_id(Kind::Customer, id)?.to_string();
        self.engine.read(|conn| super::survivor_of(conn, &id))
    }

    fn live(&self, id: &str) -> Result<Customer> {
        let doc = self
            .engine
            .load(Kind::Customer, parse_id(Kind::Customer, id)?)?;
        doc.ensure_live()?;
        Ok(hydrate(&doc))
    }
}
