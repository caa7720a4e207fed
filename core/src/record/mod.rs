//! Records as Automerge documents.
//!
//! One document per record (customer, visit, quick-log entry, task). This module owns the parts
//! every kind shares: the common header (`kind`, `schema`, `created_*`, `updated_*`, `deleted`),
//! the `editors` map that attributes each Automerge actor to a user (so a conflict can say who
//! wrote each value, on every device, without a server round trip), and typed access to fields.
//!
//! Field semantics are chosen per field in [`schema`]: scalars are last-writer-wins but their
//! concurrent values stay visible (`get_all`) and surface as conflicts; sets are maps of
//! key → `true` so concurrent adds both survive; notes are Automerge `Text` counted in UTF-16
//! code units (what Kotlin and Swift index by); child collections are maps keyed by their own id.
//!
//! Edits only write what changed: writing an equal value would create a new operation and could
//! hide a concurrent edit for nothing. Nested maps are created once, when the record is created,
//! so two devices never race to create the same map (which would lose one side's fields).

pub mod conflicts;
pub use fieldsales_protocol::isolate;
pub use fieldsales_protocol::schema;

use automerge::{
    transaction::{CommitOptions, Transactable},
    ActorId, AutoCommit, Change, ObjId as ExId, ObjType, ReadDoc, ScalarValue, TextEncoding, Value,
    ROOT,
};
use std::collections::HashMap;

use automerge::hydrate::Text;
pub(crate) use automerge::hydrate::Value as Init;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::error::{Error, Result};
use schema::{common, Kind, SCHEMA_VERSION};

/// Bytes from elsewhere that are neither an Automerge change nor a document.
#[derive(Debug)]
pub(crate) struct ApplyError;

/// The fields of one map of a record, read at once (see [`RecordDoc::view`]); the same typed
/// accessors as the record's own, answered from memory.
pub(crate) struct MapView<'a> {
    doc: &'a RecordDoc,
    /// (key, winning value, object id for nested objects), in key order.
    entries: Vec<(String, Value<'static>, Option<ExId>)>,
}

impl MapView<'_> {
    fn entry(&self, key: &str) -> Option<&(String, Value<'static>, Option<ExId>)> {
        self.entries
            .binary_search_by(|(k, _, _)| k.as_str().cmp(key))
            .ok()
            .map(|at| &self.entries[at])
    }

    fn scalar(&self, key: &str) -> Option<ScalarValue> {
        match &self.entry(key)?.1 {
            Value::Scalar(s) => Some(s.as_ref().clone()),
            Value::Object(_) => None,
        }
    }

    pub(crate) fn str(&self, key: &str) -> Option<String> {
        as_str(self.scalar(key)?)
    }

    pub(crate) fn i64(&self, key: &str) -> Option<i64> {
        as_i64(self.scalar(key)?)
    }

    pub(crate) fn f64(&self, key: &str) -> Option<f64> {
        as_f64(self.scalar(key)?)
    }

    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        as_bool(self.scalar(key)?)
    }

    pub(crate) fn time(&self, key: &str) -> Option<DateTime<Utc>> {
        as_time(self.scalar(key)?)
    }

    /// The nested object at `key`, if there is one.
    pub(crate) fn object(&self, key: &str) -> Option<ExId> {
        self.entry(key)?.2.clone()
    }

    /// The members of the set stored at `key`.
    pub(crate) fn set(&self, key: &str) -> Vec<String> {
        self.object(key)
            .map(|set| self.doc.keys_of(&set))
            .unwrap_or_default()
    }

    /// The text of the `Text` object at `key`.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.doc.doc.text(&self.object(key)?).ok()
    }
}

fn as_str(value: ScalarValue) -> Option<String> {
    match value {
        ScalarValue::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

fn as_i64(value: ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::Int(i) => Some(i),
        ScalarValue::Uint(u) => i64::try_from(u).ok(),
        _ => None,
    }
}

fn as_f64(value: ScalarValue) -> Option<f64> {
    match value {
        ScalarValue::F64(f) => Some(f),
        ScalarValue::Int(i) => Some(i as f64),
        _ => None,
    }
}

fn as_bool(value: ScalarValue) -> Option<bool> {
    match value {
        ScalarValue::Boolean(b) => Some(b),
        _ => None,
    }
}

fn as_time(value: ScalarValue) -> Option<DateTime<Utc>> {
    match value {
        ScalarValue::Timestamp(ms) => Utc.timestamp_millis_opt(ms).single(),
        _ => None,
    }
}

/// An open record document together with the identity that edits it.
pub(crate) struct RecordDoc {
    id: Uuid,
    kind: Kind,
    doc: AutoCommit,
}

impl RecordDoc {
    /// Starts a new record of `kind`, written by `user` on the device whose actor is `actor`.
    pub(crate) fn create(
        kind: Kind,
        id: Uuid,
        actor: &ActorId,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        RecordDoc::create_with(kind, id, actor, user, now, Vec::new())
    }

    /// [`Self::create`] with the record's own first fields written in the same batch as the
    /// header (a scalar each, or a set given as an `Init::Map` of member → `true`).
    pub(crate) fn create_with(
        kind: Kind,
        id: Uuid,
        actor: &ActorId,
        user: &str,
        now: DateTime<Utc>,
        fields: Vec<(&str, Init)>,
    ) -> Result<Self> {
        let text = |s: &str| Init::Scalar(ScalarValue::Str(s.into()));
        let at = Init::Scalar(ScalarValue::Timestamp(now.timestamp_millis()));
        let mut root: HashMap<String, Init> = HashMap::new();
        root.insert(common::KIND.into(), text(kind.as_str()));
        root.insert(
            common::SCHEMA.into(),
            Init::Scalar(ScalarValue::Int(SCHEMA_VERSION)),
        );
        root.insert(common::CREATED_AT.into(), at.clone());
        root.insert(common::CREATED_BY.into(), text(user));
        root.insert(common::UPDATED_AT.into(), at);
        root.insert(common::UPDATED_BY.into(), text(user));
        let editors: HashMap<String, Init> = HashMap::from([(actor.to_hex_string(), text(user))]);
        root.insert(common::EDITORS.into(), Init::Map(editors.into()));
        for (key, obj_type) in kind.nested_objects() {
            let empty = match obj_type {
                ObjType::Text => Init::Text(Text::new(TextEncoding::Utf16CodeUnit, "")),
                _ => Init::Map(HashMap::<String, Init>::new().into()),
            };
            root.insert((*key).into(), empty);
        }
        for (key, value) in fields {
            root.insert(key.into(), value);
        }
        // The whole header in one batch: a put per field costs an insertion into the document's
        // columns each (five times the time of building the same record at once).
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
        doc.set_actor(actor.clone());
        doc.init_root_from_hydrate(&root.into())?;
        Ok(RecordDoc { id, kind, doc })
    }

    /// Starts a record that every device creating it creates identically (a lead known only
    /// by its phone number, whose id is derived from the number): its first change holds the
    /// kind, the schema, the empty nested objects and `fields` (scalars at the root, then
    /// `(map, key, value)` entries inside a nested map), written at time 0 under the actor
    /// derived from `id` (`fieldsales_protocol::shared_genesis_actor`), so the first changes
    /// of two devices are one change to Automerge. Ops are written in key order, never in a
    /// hash map's: the bytes must be the same on every device. Returns the record, now editing
    /// as `actor`, and that change; nothing in it says who or when.
    pub(crate) fn create_shared(
        kind: Kind,
        id: Uuid,
        actor: &ActorId,
        fields: &[(&str, ScalarValue)],
        nested: &[(&str, &str, ScalarValue)],
    ) -> Result<(Self, Change)> {
        let genesis = fieldsales_protocol::shared_genesis_actor(&id.to_string())
            .expect("a Uuid's hyphenated text is a UUID");
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
        doc.set_actor(ActorId::from(genesis));
        let mut scalars: Vec<(&str, ScalarValue)> = vec![
            (common::KIND, ScalarValue::Str(kind.as_str().into())),
            (common::SCHEMA, ScalarValue::Int(SCHEMA_VERSION)),
        ];
        scalars.extend(fields.iter().cloned());
        scalars.sort_by(|a, b| a.0.cmp(b.0));
        for (key, value) in scalars {
            doc.put(ROOT, key, value)?;
        }
        // The editors map too, empty: each device names itself in it, in one shared map.
        let mut objects: Vec<(&str, ObjType)> = kind.nested_objects().to_vec();
        objects.push((common::EDITORS, ObjType::Map));
        objects.sort_by(|a, b| a.0.cmp(b.0));
        for (key, obj_type) in objects {
            let obj = doc.put_object(ROOT, key, obj_type)?;
            let mut inside: Vec<&(&str, &str, ScalarValue)> =
                nested.iter().filter(|(map, _, _)| *map == key).collect();
            inside.sort_by(|a, b| a.1.cmp(b.1));
            for (_, field, value) in inside {
                doc.put(&obj, *field, value.clone())?;
            }
        }
        doc.commit_with(CommitOptions::default().with_time(0));
        let change = doc
            .get_last_local_change()
            .expect("the genesis change was just committed");
        doc.set_actor(actor.clone());
        Ok((RecordDoc { id, kind, doc }, change))
    }

    /// Opens a stored record for reading and editing as `actor`.
    pub(crate) fn load(id: Uuid, kind: Kind, bytes: &[u8], actor: &ActorId) -> Result<Self> {
        let options = automerge::LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        let mut doc = AutoCommit::load_with_options(bytes, options).map_err(|source| {
            Error::CorruptDocument {
                id: id.to_string(),
                source: crate::error::Cause::new(source),
            }
        })?;
        doc.set_actor(actor.clone());
        Ok(RecordDoc { id, kind, doc })
    }

    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// Stamps `updated_at`/`updated_by` and records which user this device's actor belongs to.
    pub(crate) fn touch(&mut self, actor: &ActorId, user: &str, now: DateTime<Utc>) -> Result<()> {
        self.doc.put(
            ROOT,
            common::UPDATED_AT,
            ScalarValue::Timestamp(now.timestamp_millis()),
        )?;
        self.doc.put(ROOT, common::UPDATED_BY, user)?;
        let editors = self.object(&ROOT, common::EDITORS)?;
        let actor_hex = actor.to_hex_string();
        if self.str_at(&editors, &actor_hex).as_deref() != Some(user) {
            self.doc.put(&editors, actor_hex, user)?;
        }
        Ok(())
    }

    /// Commits the pending edits as one Automerge change and returns it, or `None` when nothing
    /// was edited.
    pub(crate) fn commit(&mut self, now: DateTime<Utc>) -> Option<Change> {
        self.doc
            .commit_with(CommitOptions::default().with_time(now.timestamp_millis() / 1000))?;
        self.doc.get_last_local_change()
    }

    /// The whole document, compacted, as stored in the `docs` table.
    pub(crate) fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies a change, or a whole saved document, received from elsewhere. Bytes that are
    /// neither are refused (Automerge's own incremental loader would skip them silently).
    pub(crate) fn apply_bytes(&mut self, bytes: &[u8]) -> Result<(), ApplyError> {
        if let Ok(change) = Change::from_bytes(bytes.to_vec()) {
            return self.doc.apply_changes([change]).map_err(|_| ApplyError);
        }
        let options = automerge::LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        let mut other = AutoCommit::load_with_options(bytes, options).map_err(|_| ApplyError)?;
        self.doc.merge(&mut other).map_err(|_| ApplyError)?;
        Ok(())
    }

    /// The `kind` the document says it holds.
    pub(crate) fn stored_kind(&self) -> Option<String> {
        self.str_at(&ROOT, common::KIND)
    }

    pub(crate) fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// The user id that wrote through `actor`, from the record's own `editors` map.
    pub(crate) fn editor_of(&self, actor: &ActorId) -> Option<String> {
        let editors = self.object(&ROOT, common::EDITORS).ok()?;
        self.str_at(&editors, &actor.to_hex_string())
    }

    pub(crate) fn is_deleted(&self) -> bool {
        self.bool_at(&ROOT, common::DELETED).unwrap_or(false)
    }

    /// Fails with [`Error::Deleted`] when the record is tombstoned.
    pub(crate) fn ensure_live(&self) -> Result<()> {
        if self.is_deleted() {
            return Err(Error::Deleted {
                kind: self.kind.as_str(),
                id: self.id.to_string(),
            });
        }
        Ok(())
    }

    // ---- typed reads -------------------------------------------------------------------------

    /// The id of the nested object at `obj[key]`, which the schema created with the record.
    pub(crate) fn object(&self, obj: &ExId, key: &str) -> Result<ExId> {
        match self.doc.get(obj, key)? {
            Some((Value::Object(_), id)) => Ok(id),
            _ => Err(Error::CorruptDocument {
                id: self.id.to_string(),
                source: crate::error::Cause::new(automerge::AutomergeError::InvalidObjId(
                    key.to_string(),
                )),
            }),
        }
    }

    /// Like [`Self::object`] but `None` when the key is absent (records from older schemas).
    pub(crate) fn object_opt(&self, obj: &ExId, key: &str) -> Option<ExId> {
        match self.doc.get(obj, key).ok()? {
            Some((Value::Object(_), id)) => Some(id),
            _ => None,
        }
    }

    fn scalar(&self, obj: &ExId, key: &str) -> Option<ScalarValue> {
        match self.doc.get(obj, key).ok()? {
            Some((Value::Scalar(s), _)) => Some(s.into_owned()),
            _ => None,
        }
    }

    pub(crate) fn str_at(&self, obj: &ExId, key: &str) -> Option<String> {
        as_str(self.scalar(obj, key)?)
    }

    pub(crate) fn f64_at(&self, obj: &ExId, key: &str) -> Option<f64> {
        as_f64(self.scalar(obj, key)?)
    }

    pub(crate) fn bool_at(&self, obj: &ExId, key: &str) -> Option<bool> {
        as_bool(self.scalar(obj, key)?)
    }

    pub(crate) fn time_at(&self, obj: &ExId, key: &str) -> Option<DateTime<Utc>> {
        as_time(self.scalar(obj, key)?)
    }

    /// Every field of map `obj`, read in one pass. Reading a whole record this way costs one
    /// walk of the map instead of a lookup per field (hydrating a quick-log reads a dozen).
    pub(crate) fn view(&self, obj: &ExId) -> MapView<'_> {
        MapView {
            doc: self,
            entries: self
                .doc
                .map_range(obj, ..)
                .map(|item| {
                    let id =
                        matches!(item.value, automerge::ValueRef::Object(_)).then(|| item.id());
                    (item.key.into_owned(), Value::from(item.value), id)
                })
                .collect(),
        }
    }

    /// The keys of a set (map of key → true) or of a child collection, sorted.
    pub(crate) fn keys_of(&self, obj: &ExId) -> Vec<String> {
        self.doc.keys(obj).collect()
    }

    /// The members of the set stored at `obj[key]`.
    pub(crate) fn set_at(&self, obj: &ExId, key: &str) -> Vec<String> {
        self.object_opt(obj, key)
            .map(|set| self.keys_of(&set))
            .unwrap_or_default()
    }

    /// The entries of the map at `obj[key]`, each with its value when that is a string (`None`
    /// for any other value, such as the `true` of a set member from an older schema), sorted by
    /// key.
    pub(crate) fn str_map_at(&self, obj: &ExId, key: &str) -> Vec<(String, Option<String>)> {
        let Some(map) = self.object_opt(obj, key) else {
            return Vec::new();
        };
        self.keys_of(&map)
            .into_iter()
            .map(|k| {
                let value = self.str_at(&map, &k);
                (k, value)
            })
            .collect()
    }

    // ---- writes that only write what changed -------------------------------------------------

    /// Writes `value` at `obj[key]` unless that is already the single current value.
    pub(crate) fn put(&mut self, obj: &ExId, key: &str, value: ScalarValue) -> Result<()> {
        let current = self.doc.get_all(obj, key)?;
        let unchanged =
            current.len() == 1 && matches!(&current[0].0, Value::Scalar(s) if s.as_ref() == &value);
        if !unchanged {
            self.doc.put(obj, key, value)?;
        }
        Ok(())
    }

    pub(crate) fn put_str(&mut self, obj: &ExId, key: &str, value: &str) -> Result<()> {
        self.put(obj, key, ScalarValue::Str(value.into()))
    }

    /// Writes a string, or removes the key when `value` is empty (so "clear" is an edit too).
    pub(crate) fn put_opt_str(&mut self, obj: &ExId, key: &str, value: Option<&str>) -> Result<()> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => self.put_str(obj, key, v),
            None => self.remove(obj, key),
        }
    }

    pub(crate) fn put_time(&mut self, obj: &ExId, key: &str, at: DateTime<Utc>) -> Result<()> {
        self.put(obj, key, ScalarValue::Timestamp(at.timestamp_millis()))
    }

    pub(crate) fn put_f64(&mut self, obj: &ExId, key: &str, value: f64) -> Result<()> {
        self.put(obj, key, ScalarValue::F64(value))
    }

    /// Deletes `obj[key]` if present.
    pub(crate) fn remove(&mut self, obj: &ExId, key: &str) -> Result<()> {
        if self.doc.get(obj, key)?.is_some() {
            self.doc.delete(obj, key)?;
        }
        Ok(())
    }

    /// Adds `member` to the set at `obj[key]`.
    pub(crate) fn set_add(&mut self, obj: &ExId, key: &str, member: &str) -> Result<()> {
        let set = self.object(obj, key)?;
        if self.doc.get(&set, member)?.is_none() {
            self.doc.put(&set, member, true)?;
        }
        Ok(())
    }

    /// Replaces the text at `obj[key]` with `new_text`, as the smallest splice (a diff), so that
    /// concurrent edits elsewhere in the text merge instead of one note overwriting the other.
    pub(crate) fn update_text(&mut self, obj: &ExId, key: &str, new_text: &str) -> Result<()> {
        let text = self.object(obj, key)?;
        self.doc.update_text(&text, new_text)?;
        Ok(())
    }

    /// Creates (or returns) the map at `obj[key]`; used for child collections keyed by id,
    /// where the key is fresh so no concurrent creation can race.
    pub(crate) fn child_map(&mut self, obj: &ExId, key: &str) -> Result<ExId> {
        if let Some(existing) = self.object_opt(obj, key) {
            return Ok(existing);
        }
        Ok(self.doc.put_object(obj, key, ObjType::Map)?)
    }

    /// Marks the record deleted (a tombstone; the document and its history stay).
    pub(crate) fn tombstone(&mut self) -> Result<()> {
        self.put(&ROOT, common::DELETED, ScalarValue::Boolean(true))
    }

    /// Mutable access for the conflict module, which needs raw `get_all`/`put`.
    pub(crate) fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }
}

/// Parses a record id given by a caller; an id that is no UUID names no record of `kind`.
pub(crate) fn parse_id(kind: Kind, id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::NotFound {
        kind: kind.as_str(),
        id: id.to_string(),
    })
}
