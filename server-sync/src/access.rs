//! Who may see and who may write a record: the server's one statement of the rules.
//!
//! The server reads a few root fields of each document through the protocol's schema names
//! ([`fieldsales_protocol::schema`]) and keeps them beside the document as a [`DocMeta`],
//! so that filtering a pull never opens a document. The rules:
//!
//! * **Customers** — `private`: the owner only; `team`: the owner and every member (and
//!   manager) of the customer's team; `organisation`: everyone in the tenant.
//! * **Visits, quick-logs, tasks** follow their customer's audience, and are also seen by
//!   their rep (the assignee for a task) and by the managers of that rep's team — so a
//!   manager's device receives the whole team's visits.
//! * **Writing an existing record** ([`can_write`]) — a rep writes their own records and the
//!   team- or organisation-visible customers of their team; a manager writes every record of
//!   their team; an admin writes everything in the tenant.
//! * **What a write may make of a record** ([`check_write`], [`check_attribution`], in
//!   [`write`]) — rights follow who is writing: a rep creates records in their own name and
//!   their own team and never hands one on (a rep's tasks are assigned to themselves); a
//!   manager gives records to members of their own team; only an admin moves a record to
//!   another team; only the owner, a manager or an admin changes a record's visibility or
//!   customer; `created_by`, `updated_by` and the `editors` map name the writer. A refusal
//!   names the field at fault.
//!
//! * **The manager console** ([`console_reach`]) — an admin reviews the whole tenant, a
//!   manager the records of their own team's reps, a rep nothing (403: the phone is theirs).
//!
//! Audience fields can change (a customer shared with the team later): [`DocMeta::audience`]
//! is what the sync compares before and after a change to know a document must be re-sent
//! whole to the people who newly see it.
//!
//! This module must not touch the store: the sync loads documents and teams and asks.

mod write;

pub use write::{check_attribution, check_write, owner_field, Attribution, WriteRefusal};

use std::collections::HashMap;

use automerge::{ObjId, ReadDoc, ScalarValue, Value, ROOT};
use fieldsales_protocol::schema::{common, customer, quicklog, task, visit};
use fieldsales_protocol::Kind;
use fieldsales_protocol::{Role, Visibility};

/// Reads a stored visibility leniently: a value the server does not know hides the customer
/// rather than exposing it.
pub fn read_visibility(s: &str) -> Visibility {
    Visibility::parse(s).unwrap_or(Visibility::Private)
}

/// The fields of a document that decide its audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    pub kind: Kind,
    /// Customer owner; visit or quick-log rep; task assignee.
    pub owner: Option<String>,
    /// A customer's team field.
    pub team: Option<String>,
    /// A customer's visibility (`Private` for other kinds, which follow their customer).
    pub visibility: Visibility,
    /// The customer a visit, quick-log or task belongs to.
    pub customer: Option<String>,
    pub deleted: bool,
}

/// The audience-deciding part of a customer, joined onto its visits, quick-logs and tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAudience {
    pub owner: Option<String>,
    pub team: Option<String>,
    pub visibility: Visibility,
}

/// The user asking, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
}

/// Each user's team in the tenant (`None`: in no team).
pub type Teams = HashMap<String, Option<String>>;

fn root_str(doc: &impl ReadDoc, key: &str) -> Option<String> {
    str_at(doc, &ROOT, key)
}

/// A string scalar under `key` of `obj`; anything else reads as absent.
fn str_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key).ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn root_bool(doc: &impl ReadDoc, key: &str) -> bool {
    matches!(
        doc.get(ROOT, key),
        Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Boolean(true))
    )
}

impl DocMeta {
    /// Reads the audience fields of a document of `kind`.
    pub fn extract(kind: Kind, doc: &impl ReadDoc) -> DocMeta {
        let (owner, customer_id) = match kind {
            Kind::Customer => (root_str(doc, customer::OWNER), None),
            Kind::Visit => (root_str(doc, visit::REP), root_str(doc, visit::CUSTOMER)),
            Kind::QuickLog => (
                root_str(doc, quicklog::REP),
                root_str(doc, quicklog::CUSTOMER),
            ),
            Kind::Task => (root_str(doc, task::ASSIGNEE), root_str(doc, task::CUSTOMER)),
        };
        let (team, visibility) = match kind {
            Kind::Customer => (
                root_str(doc, customer::TEAM),
                root_str(doc, customer::VISIBILITY)
                    .map(|v| read_visibility(&v))
                    .unwrap_or(Visibility::Private),
            ),
            _ => (None, Visibility::Private),
        };
        DocMeta {
            kind,
            owner,
            team,
            visibility,
            customer: customer_id,
            deleted: root_bool(doc, common::DELETED),
        }
    }

    /// The kind the document says it holds.
    pub fn stored_kind(doc: &impl ReadDoc) -> Option<String> {
        root_str(doc, common::KIND)
    }

    /// The fields whose change may change who sees the document.
    pub fn audience(
        &self,
    ) -> (
        &Option<String>,
        &Option<String>,
        Visibility,
        &Option<String>,
    ) {
        (&self.owner, &self.team, self.visibility, &self.customer)
    }

    /// As a customer, for joining onto its dependents.
    pub fn as_customer(&self) -> CustomerAudience {
        CustomerAudience {
            owner: self.owner.clone(),
            team: self.team.clone(),
            visibility: self.visibility,
        }
    }
}

fn same_team(a: Option<&String>, b: Option<&String>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

/// The team a customer belongs to: its own field, else its owner's team.
fn customer_team<'a>(
    owner: Option<&'a String>,
    team: Option<&'a String>,
    teams: &'a Teams,
) -> Option<&'a String> {
    team.or_else(|| owner.and_then(|o| teams.get(o)).and_then(Option::as_ref))
}

fn customer_visible(viewer: &Viewer, c: &CustomerAudience, teams: &Teams) -> bool {
    if c.owner.as_deref() == Some(viewer.user_id.as_str()) {
        return true;
    }
    match c.visibility {
        Visibility::Private => false,
        Visibility::Organisation => true,
        Visibility::Team => same_team(
            customer_team(c.owner.as_ref(), c.team.as_ref(), teams),
            viewer.team_id.as_ref(),
        ),
    }
}

/// May `viewer` receive this document? `customer` is the audience of the document's customer,
/// when it has one the server knows.
pub fn can_see(
    viewer: &Viewer,
    meta: &DocMeta,
    customer: Option<&CustomerAudience>,
    teams: &Teams,
) -> bool {
    if viewer.role == Role::Admin {
        return true;
    }
    if meta.kind == Kind::Customer {
        return customer_visible(viewer, &meta.as_customer(), teams);
    }
    if meta.owner.as_deref() == Some(viewer.user_id.as_str()) {
        return true;
    }
    if viewer.role == Role::Manager {
        let rep_team = meta
            .owner
            .as_ref()
            .and_then(|o| teams.get(o))
            .and_then(Option::as_ref);
        if same_team(rep_team, viewer.team_id.as_ref()) {
            return true;
        }
    }
    customer.is_some_and(|c| customer_visible(viewer, c, teams))
}

/// May `viewer` write a document in this state?
pub fn can_write(viewer: &Viewer, meta: &DocMeta, teams: &Teams) -> bool {
    if viewer.role == Role::Admin {
        return true;
    }
    if meta.owner.as_deref() == Some(viewer.user_id.as_str()) {
        return true;
    }
    let doc_team = match meta.kind {
        Kind::Customer => customer_team(meta.owner.as_ref(), meta.team.as_ref(), teams),
        _ => meta
            .owner
            .as_ref()
            .and_then(|o| teams.get(o))
            .and_then(Option::as_ref),
    };
    if !same_team(doc_team, viewer.team_id.as_ref()) {
        return false;
    }
    match viewer.role {
        Role::Manager => true,
        Role::Rep => meta.kind == Kind::Customer && meta.visibility != Visibility::Private,
        Role::Admin => true,
    }
}

/// How far the manager console reaches for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleReach {
    /// An admin: every record of the tenant.
    Tenant,
    /// A manager: the records of the reps of this team — what [`can_see`] gives a manager as
    /// the team's manager, and not the records of other teams they may receive through a
    /// customer shared with the organisation: the console reviews a team's work.
    Team(String),
}

/// Why the console refuses a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleRefusal {
    /// Reps work on their phone; the console is for managers and admins.
    Rep,
    /// A manager in no team manages nobody.
    NoTeam,
}

/// What the console shows `viewer`, or why it shows nothing.
pub fn console_reach(viewer: &Viewer) -> Result<ConsoleReach, ConsoleRefusal> {
    match (viewer.role, &viewer.team_id) {
        (Role::Admin, _) => Ok(ConsoleReach::Tenant),
        (Role::Manager, Some(team)) => Ok(ConsoleReach::Team(team.clone())),
        (Role::Manager, None) => Err(ConsoleRefusal::NoTeam),
        (Role::Rep, _) => Err(ConsoleRefusal::Rep),
    }
}

/// Is a record of `rep` (a visit's or quick-log's rep, a task's assignee) within `reach`?
pub fn console_reaches(reach: &ConsoleReach, rep: Option<&str>, teams: &Teams) -> bool {
    match reach {
        ConsoleReach::Tenant => true,
        ConsoleReach::Team(team) => rep
            .and_then(|r| teams.get(r))
            .and_then(Option::as_ref)
            .is_some_and(|t| t == team),
    }
}

/// The people of the rule tests (here and in `write`): team north (ann, bob, max), team south
/// (cat, sue), and root in no team.
#[cfg(test)]
pub(crate) mod people {
    use super::{Role, Teams, Viewer};

    pub(crate) fn teams() -> Teams {
        [
            ("ann", Some("north")),
            ("bob", Some("north")),
            ("max", Some("north")),
            ("cat", Some("south")),
            ("sue", Some("south")),
            ("root", None),
        ]
        .into_iter()
        .map(|(u, t)| (u.to_string(), t.map(str::to_string)))
        .collect()
    }

    pub(crate) fn viewer(user: &str, role: Role) -> Viewer {
        Viewer {
            user_id: user.into(),
            team_id: teams().get(user).cloned().flatten(),
            role,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::people::{teams, viewer};
    use super::*;

    fn customer(owner: &str, visibility: Visibility) -> DocMeta {
        DocMeta {
            kind: Kind::Customer,
            owner: Some(owner.into()),
            team: teams().get(owner).cloned().flatten(),
            visibility,
            customer: None,
            deleted: false,
        }
    }

    fn visit(rep: &str, customer_id: &str) -> DocMeta {
        DocMeta {
            kind: Kind::Visit,
            owner: Some(rep.into()),
            team: None,
            visibility: Visibility::Private,
            customer: Some(customer_id.into()),
            deleted: false,
        }
    }

    #[test]
    fn a_private_customer_is_seen_by_its_owner_only() {
        let c = customer("ann", Visibility::Private);
        let t = teams();
        assert!(can_see(&viewer("ann", Role::Rep), &c, None, &t));
        assert!(!can_see(&viewer("bob", Role::Rep), &c, None, &t));
        assert!(!can_see(&viewer("cat", Role::Rep), &c, None, &t));
        assert!(can_see(&viewer("cat", Role::Admin), &c, None, &t));
    }

    #[test]
    fn a_team_customer_is_seen_by_the_team_and_an_organisation_one_by_all() {
        let t = teams();
        let team = customer("ann", Visibility::Team);
        assert!(can_see(&viewer("bob", Role::Rep), &team, None, &t));
        assert!(can_see(&viewer("max", Role::Manager), &team, None, &t));
        assert!(!can_see(&viewer("cat", Role::Rep), &team, None, &t));
        let org = customer("ann", Visibility::Organisation);
        assert!(can_see(&viewer("cat", Role::Rep), &org, None, &t));
    }

    #[test]
    fn a_managers_sees_every_visit_of_the_team_even_to_private_customers() {
        let t = teams();
        let private = customer("ann", Visibility::Private).as_customer();
        let v = visit("ann", "c1");
        assert!(can_see(
            &viewer("max", Role::Manager),
            &v,
            Some(&private),
            &t
        ));
        assert!(!can_see(&viewer("bob", Role::Rep), &v, Some(&private), &t));
        let shared = customer("ann", Visibility::Team).as_customer();
        assert!(can_see(&viewer("bob", Role::Rep), &v, Some(&shared), &t));
        assert!(!can_see(
            &viewer("cat", Role::Manager),
            &v,
            Some(&shared),
            &t
        ));
    }

    #[test]
    fn reps_write_their_own_and_team_shared_customers_managers_the_whole_team() {
        let t = teams();
        let bob = viewer("bob", Role::Rep);
        assert!(can_write(&bob, &customer("bob", Visibility::Private), &t));
        assert!(can_write(&bob, &customer("ann", Visibility::Team), &t));
        assert!(!can_write(&bob, &customer("ann", Visibility::Private), &t));
        assert!(!can_write(
            &bob,
            &customer("cat", Visibility::Organisation),
            &t
        ));
        assert!(!can_write(&bob, &visit("ann", "c1"), &t));
        let max = viewer("max", Role::Manager);
        assert!(can_write(&max, &customer("ann", Visibility::Private), &t));
        assert!(can_write(&max, &visit("ann", "c1"), &t));
        assert!(!can_write(&max, &visit("cat", "c2"), &t));
    }

    #[test]
    fn the_console_shows_an_admin_the_tenant_a_manager_the_team_and_a_rep_nothing() {
        let t = teams();
        let max = viewer("max", Role::Manager);
        let reach = console_reach(&max).unwrap();
        assert!(console_reaches(&reach, Some("ann"), &t));
        assert!(!console_reaches(&reach, Some("cat"), &t));
        assert!(!console_reaches(&reach, None, &t));
        // Within the console's reach is within what the manager's phone receives.
        let v = visit("ann", "c1");
        assert!(can_see(&max, &v, None, &t));
        let admin = console_reach(&viewer("root", Role::Admin)).unwrap();
        assert!(console_reaches(&admin, Some("cat"), &t));
        assert_eq!(
            console_reach(&viewer("ann", Role::Rep)),
            Err(ConsoleRefusal::Rep)
        );
        assert_eq!(
            console_reach(&viewer("root", Role::Manager)),
            Err(ConsoleRefusal::NoTeam)
        );
    }

    #[test]
    fn an_unknown_visibility_hides_rather_than_exposes() {
        assert_eq!(read_visibility("everyone!"), Visibility::Private);
    }
}
