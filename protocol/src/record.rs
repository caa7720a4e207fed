//! Reading records: typed access to a document's fields and one summary per kind, through the
//! names of [`crate::schema`].
//!
//! [`Fields`] reads scalars, sets, text and nested maps of any Automerge document the way the
//! schema stores them (times as Automerge timestamps in milliseconds, sets as maps of
//! member → `true`, notes as `Text`), leniently: a field of the wrong type reads as absent, so a
//! record from a newer or a broken app is shown as far as it can be, never a reason to fail.
//! The summaries ([`VisitSummary`], [`QuickLogSummary`], [`TaskSummary`],
//! [`CustomerSummary`], together [`Summary`]) say once which key holds what, so that the
//! server's read model (what the manager console lists and counts) reads records exactly as the
//! phone writes them. [`fields_touched`] names the fields a change wrote, for a record's
//! history.
//!
//! It must not decide anything (who may see a record, what a verdict means for a figure) nor
//! touch storage: the server and the engine do that with what it reads.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{Change, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::schema::{common, customer, quicklog, task, visit};
use crate::Kind;

/// The fields of one map of a document (the root, or a nested map).
pub struct Fields<'a, D: ReadDoc> {
    doc: &'a D,
    obj: ObjId,
}

impl<'a, D: ReadDoc> Fields<'a, D> {
    /// The document's root map.
    pub fn root(doc: &'a D) -> Self {
        Fields { doc, obj: ROOT }
    }

    fn scalar(&self, key: &str) -> Option<ScalarValue> {
        match self.doc.get(&self.obj, key).ok()?? {
            (Value::Scalar(s), _) => Some(s.into_owned()),
            _ => None,
        }
    }

    /// A string scalar.
    pub fn str(&self, key: &str) -> Option<String> {
        match self.scalar(key)? {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// An integer scalar.
    pub fn i64(&self, key: &str) -> Option<i64> {
        match self.scalar(key)? {
            ScalarValue::Int(i) => Some(i),
            ScalarValue::Uint(u) => i64::try_from(u).ok(),
            _ => None,
        }
    }

    /// A number (an integer reads as its value).
    pub fn f64(&self, key: &str) -> Option<f64> {
        match self.scalar(key)? {
            ScalarValue::F64(f) if f.is_finite() => Some(f),
            ScalarValue::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// A boolean scalar.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.scalar(key)? {
            ScalarValue::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// A time, in milliseconds since the Unix epoch (an Automerge timestamp).
    pub fn time_ms(&self, key: &str) -> Option<i64> {
        match self.scalar(key)? {
            ScalarValue::Timestamp(ms) => Some(ms),
            _ => None,
        }
    }

    fn object(&self, key: &str, want: ObjType) -> Option<ObjId> {
        match self.doc.get(&self.obj, key).ok()?? {
            (Value::Object(t), id) if t == want => Some(id),
            _ => None,
        }
    }

    /// The nested map at `key`.
    pub fn map(&self, key: &str) -> Option<Fields<'a, D>> {
        let obj = self.object(key, ObjType::Map)?;
        Some(Fields { doc: self.doc, obj })
    }

    /// The members of the set at `key`, in key order.
    pub fn set(&self, key: &str) -> Vec<String> {
        self.object(key, ObjType::Map)
            .map(|set| self.doc.keys(&set).collect())
            .unwrap_or_default()
    }

    /// The string values of the map at `key`, by key (`None` for a value that is not a string).
    pub fn string_map(&self, key: &str) -> BTreeMap<String, Option<String>> {
        let Some(map) = self.map(key) else {
            return BTreeMap::new();
        };
        self.doc
            .keys(&map.obj)
            .map(|k| {
                let value = map.str(&k);
                (k, value)
            })
            .collect()
    }

    /// The text of the `Text` object at `key`.
    pub fn text(&self, key: &str) -> Option<String> {
        let text = self.object(key, ObjType::Text)?;
        self.doc.text(&text).ok()
    }
}

/// The header every record carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Header {
    pub created_at_ms: Option<i64>,
    pub created_by: Option<String>,
    pub updated_at_ms: Option<i64>,
    pub updated_by: Option<String>,
    pub deleted: bool,
}

impl Header {
    fn read<D: ReadDoc>(root: &Fields<'_, D>) -> Header {
        Header {
            created_at_ms: root.time_ms(common::CREATED_AT),
            created_by: root.str(common::CREATED_BY),
            updated_at_ms: root.time_ms(common::UPDATED_AT),
            updated_by: root.str(common::UPDATED_BY),
            deleted: root.bool(common::DELETED).unwrap_or(false),
        }
    }
}

/// Whether a check-in happened at the customer, as the phone decided it at check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Verified,
    OutOfRange,
    /// No fix, the customer has no coordinates, or a value this build does not know.
    Unverifiable,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::Verified,
        Verdict::OutOfRange,
        Verdict::Unverifiable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::OutOfRange => "out_of_range",
            Verdict::Unverifiable => "unverifiable",
        }
    }

    /// Reads a stored verdict leniently: what is not known to be verified or out of range is
    /// unverifiable.
    pub fn read(s: &str) -> Verdict {
        match s {
            "verified" => Verdict::Verified,
            "out_of_range" => Verdict::OutOfRange,
            _ => Verdict::Unverifiable,
        }
    }

    /// Parses a verdict named by a user (a filter): only the three names.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A visit's check-in or check-out.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    pub at_ms: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub distance_m: Option<f64>,
    pub verdict: Verdict,
}

impl Presence {
    fn read<D: ReadDoc>(root: &Fields<'_, D>, key: &str) -> Option<Presence> {
        let place = root.map(key)?;
        Some(Presence {
            at_ms: place.time_ms(visit::AT)?,
            lat: place.f64(visit::LAT),
            lon: place.f64(visit::LON),
            accuracy_m: place.f64(visit::ACCURACY_M),
            distance_m: place.f64(visit::DISTANCE_M),
            verdict: Verdict::read(&place.str(visit::VERDICT).unwrap_or_default()),
        })
    }
}

/// A visit as the console lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSummary {
    pub header: Header,
    pub customer: Option<String>,
    pub rep: Option<String>,
    pub planned_at_ms: Option<i64>,
    pub check_in: Option<Presence>,
    pub check_out: Option<Presence>,
    pub notes: String,
    pub pain_points: Vec<String>,
    pub outcome: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due_ms: Option<i64>,
    pub task: Option<String>,
    /// Image hash → thumbnail hash (absent for older photos without one).
    pub photos: BTreeMap<String, Option<String>>,
}

/// A quick-log entry (a call, a WeChat exchange, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct QuickLogSummary {
    pub header: Header,
    pub channel: Option<String>,
    pub at_ms: Option<i64>,
    pub duration_s: Option<i64>,
    pub customer: Option<String>,
    pub rep: Option<String>,
    pub pain_points: Vec<String>,
    pub next_action: Option<String>,
    pub due_ms: Option<i64>,
    pub note: Option<String>,
    pub task: Option<String>,
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSummary {
    pub header: Header,
    pub title: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub assignee: Option<String>,
    pub due_at_ms: Option<i64>,
    pub done: bool,
    pub done_at_ms: Option<i64>,
}

/// A customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerSummary {
    pub header: Header,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub visibility: Option<String>,
    /// Absent: a lead not yet in the pipeline.
    pub stage: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub merged_into: Option<String>,
}

/// One record, read as its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Summary {
    Customer(CustomerSummary),
    Visit(VisitSummary),
    QuickLog(QuickLogSummary),
    Task(TaskSummary),
}

impl Summary {
    /// Reads `doc` as a record of `kind`.
    ///
    /// ```
    /// use automerge::{transaction::Transactable, AutoCommit, ObjType, ROOT};
    /// use fieldsales_protocol::record::{Summary, Verdict};
    /// use fieldsales_protocol::Kind;
    /// let mut doc = AutoCommit::new();
    /// doc.put(ROOT, "rep", "ann").unwrap();
    /// let check_in = doc.put_object(ROOT, "check_in", ObjType::Map).unwrap();
    /// doc.put(&check_in, "at", automerge::ScalarValue::Timestamp(1_000)).unwrap();
    /// doc.put(&check_in, "verdict", "verified").unwrap();
    /// let Summary::Visit(v) = Summary::read(Kind::Visit, &doc) else { unreachable!() };
    /// assert_eq!(v.rep.as_deref(), Some("ann"));
    /// assert_eq!(v.check_in.unwrap().verdict, Verdict::Verified);
    /// ```
    pub fn read(kind: Kind, doc: &impl ReadDoc) -> Summary {
        let root = Fields::root(doc);
        let header = Header::read(&root);
        match kind {
            Kind::Customer => {
                let address = root.map(customer::ADDRESS);
                Summary::Customer(CustomerSummary {
                    header,
                    name: root.str(customer::NAME),
                    owner: root.str(customer::OWNER),
                    team: root.str(customer::TEAM),
                    visibility: root.str(customer::VISIBILITY),
                    stage: root.str(customer::STAGE),
                    address: address.as_ref().and_then(|a| a.str(customer::ADDRESS_TEXT)),
                    lat: address.as_ref().and_then(|a| a.f64(customer::ADDRESS_LAT)),
                    lon: address.as_ref().and_then(|a| a.f64(customer::ADDRESS_LON)),
                    merged_into: root.str(customer::MERGED_INTO),
                })
            }
            Kind::Visit => Summary::Visit(VisitSummary {
                header,
                customer: root.str(visit::CUSTOMER),
                rep: root.str(visit::REP),
                planned_at_ms: root.time_ms(visit::PLANNED_AT),
                check_in: Presence::read(&root, visit::CHECK_IN),
                check_out: Presence::read(&root, visit::CHECK_OUT),
                notes: root.text(visit::NOTES).unwrap_or_default(),
                pain_points: root.set(visit::PAIN_POINTS),
                outcome: root.str(visit::OUTCOME),
                next_action: root.str(visit::NEXT_ACTION),
                next_action_due_ms: root.time_ms(visit::NEXT_ACTION_DUE),
                task: root.str(visit::TASK),
                photos: root
                    .string_map(visit::PHOTOS)
                    .into_iter()
                    .filter(|(image, _)| crate::media::is_content_hash(image))
                    .map(|(image, thumb)| {
                        (image, thumb.filter(|t| crate::media::is_content_hash(t)))
                    })
                    .collect(),
            }),
            Kind::QuickLog => Summary::QuickLog(QuickLogSummary {
                header,
                channel: root.str(quicklog::CHANNEL),
                at_ms: root.time_ms(quicklog::AT),
                duration_s: root.i64(quicklog::DURATION_S),
                customer: root.str(quicklog::CUSTOMER),
                rep: root.str(quicklog::REP),
                pain_points: root.set(quicklog::PAIN_POINTS),
                next_action: root.str(quicklog::NEXT_ACTION),
                due_ms: root.time_ms(quicklog::DUE),
                note: root.str(quicklog::NOTE),
                task: root.str(quicklog::TASK),
            }),
            Kind::Task => Summary::Task(TaskSummary {
                header,
                title: root.str(task::TITLE),
                customer: root.str(task::CUSTOMER),
                source: root.str(task::SOURCE),
                assignee: root.str(task::ASSIGNEE),
                due_at_ms: root.time_ms(task::DUE_AT),
                done: root.bool(task::DONE).unwrap_or(false),
                done_at_ms: root.time_ms(task::DONE_AT),
            }),
        }
    }
}

/// The top-level fields a change wrote, read against `doc` (a document that holds the
/// change): a write inside a nested map or text (a check-in's time, a word of the notes) counts
/// as a write of the field that holds it. The `editors` map and the header's `updated_*` keys
/// are bookkeeping, not fields a person changed, and are left out.
pub fn fields_touched(change: &Change, doc: &impl ReadDoc) -> BTreeSet<String> {
    // Each root-level object's id, as the change names it ("counter@actor").
    let mut holders: HashMap<String, String> = HashMap::new();
    for key in doc.keys(ROOT) {
        if let Ok(Some((Value::Object(_), id))) = doc.get(ROOT, &key) {
            holders.insert(id.to_string(), key);
        }
    }
    let bookkeeping = [common::EDITORS, common::UPDATED_AT, common::UPDATED_BY];
    let mut touched = BTreeSet::new();
    for op in change.decode().operations {
        let field = match (&op.obj, &op.key) {
            (automerge::legacy::ObjectId::Root, automerge::legacy::Key::Map(key)) => {
                Some(key.to_string())
            }
            (obj, _) => holders.get(&obj.to_string()).cloned(),
        };
        if let Some(field) = field.filter(|f| !bookkeeping.contains(&f.as_str())) {
            touched.insert(field);
        }
    }
    touched
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::AutoCommit;

    fn visit_doc() -> AutoCommit {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, common::KIND, "visit").unwrap();
        doc.put(ROOT, common::CREATED_AT, ScalarValue::Timestamp(5_000))
            .unwrap();
        doc.put(ROOT, visit::REP, "ann").unwrap();
        doc.put(ROOT, visit::CUSTOMER, "c1").unwrap();
        let check_in = doc.put_object(ROOT, visit::CHECK_IN, ObjType::Map).unwrap();
        doc.put(&check_in, visit::AT, ScalarValue::Timestamp(10_000))
            .unwrap();
        doc.put(&check_in, visit::DISTANCE_M, 42.5).unwrap();
        doc.put(&check_in, visit::VERDICT, "out_of_range").unwrap();
        doc.put_object(ROOT, visit::CHECK_OUT, ObjType::Map)
            .unwrap();
        let notes = doc.put_object(ROOT, visit::NOTES, ObjType::Text).unwrap();
        doc.splice_text(&notes, 0, 0, "老板在").unwrap();
        let pains = doc
            .put_object(ROOT, visit::PAIN_POINTS, ObjType::Map)
            .unwrap();
        doc.put(&pains, "价格高", true).unwrap();
        let photos = doc.put_object(ROOT, visit::PHOTOS, ObjType::Map).unwrap();
        let (image, thumb) = (
            crate::media::content_hash(b"i"),
            crate::media::content_hash(b"t"),
        );
        doc.put(&photos, image.as_str(), thumb.as_str()).unwrap();
        doc.put(&photos, "not-a-hash", true).unwrap();
        doc
    }

    #[test]
    fn a_visit_reads_as_the_phone_wrote_it() {
        let doc = visit_doc();
        let Summary::Visit(v) = Summary::read(Kind::Visit, &doc) else {
            panic!("a visit reads as a visit")
        };
        assert_eq!(v.header.created_at_ms, Some(5_000));
        assert_eq!(v.customer.as_deref(), Some("c1"));
        let check_in = v.check_in.expect("checked in");
        assert_eq!(
            (check_in.at_ms, check_in.distance_m, check_in.verdict),
            (10_000, Some(42.5), Verdict::OutOfRange)
        );
        assert_eq!(v.check_out, None, "a check-out map without a time is none");
        assert_eq!(v.notes, "老板在");
        assert_eq!(v.pain_points, vec!["价格高".to_string()]);
        assert_eq!(v.photos.len(), 1, "keys that are not hashes are ignored");
        assert!(v.photos.values().all(Option::is_some));
    }

    #[test]
    fn a_field_of_the_wrong_type_reads_as_absent() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, task::DUE_AT, "tomorrow").unwrap();
        doc.put(ROOT, task::DONE, "yes").unwrap();
        doc.put(ROOT, task::TITLE, 7).unwrap();
        let Summary::Task(t) = Summary::read(Kind::Task, &doc) else {
            panic!("a task reads as a task")
        };
        assert_eq!((t.due_at_ms, t.done, t.title), (None, false, None));
    }

    #[test]
    fn an_unknown_verdict_is_unverifiable_but_not_a_filter() {
        assert_eq!(Verdict::read("maybe"), Verdict::Unverifiable);
        assert_eq!(Verdict::parse("maybe"), None);
        assert_eq!(Verdict::parse("verified"), Some(Verdict::Verified));
    }

    #[test]
    fn a_change_names_the_top_level_fields_it_wrote() {
        let mut doc = visit_doc();
        let heads = doc.get_heads();
        let check_in = match doc.get(ROOT, visit::CHECK_IN).unwrap() {
            Some((Value::Object(_), id)) => id,
            _ => panic!("the check-in map exists"),
        };
        doc.put(&check_in, visit::VERDICT, "verified").unwrap();
        doc.put(ROOT, visit::OUTCOME, "won").unwrap();
        doc.put(ROOT, common::UPDATED_BY, "max").unwrap();
        doc.commit();
        let change = doc.get_changes(&heads).pop().expect("one new change");
        assert_eq!(
            fields_touched(&change, &doc),
            BTreeSet::from([visit::CHECK_IN.to_string(), visit::OUTCOME.to_string()])
        );
    }
}
