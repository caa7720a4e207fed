//! The write rules on their own: creates, moves and attribution, per role.

use super::*;
use crate::access::people::{teams, viewer};
use crate::access::Visibility;

fn customer(owner: &str, team: &str) -> DocMeta {
    DocMeta {
        kind: Kind::Customer,
        owner: Some(owner.into()),
        team: Some(team.into()),
        visibility: Visibility::Team,
        customer: None,
        deleted: false,
    }
}

fn record(kind: Kind, owner: &str) -> DocMeta {
    DocMeta {
        kind,
        owner: Some(owner.into()),
        team: None,
        visibility: Visibility::Private,
        customer: Some("c1".into()),
        deleted: false,
    }
}

fn field_of(result: Result<(), WriteRefusal>) -> &'static str {
    result.expect_err("the write is refused").field
}

#[test]
fn a_rep_creates_only_in_their_own_name_and_team() {
    let t = teams();
    let cat = viewer("cat", Role::Rep);
    assert_eq!(
        check_write(&cat, None, &customer("cat", "south"), &t),
        Ok(())
    );
    assert_eq!(
        field_of(check_write(&cat, None, &customer("cat", "north"), &t)),
        "team"
    );
    assert_eq!(
        field_of(check_write(&cat, None, &customer("sue", "south"), &t)),
        "owner"
    );
    for (kind, field) in [
        (Kind::Visit, "rep"),
        (Kind::QuickLog, "rep"),
        (Kind::Task, "assignee"),
    ] {
        assert_eq!(check_write(&cat, None, &record(kind, "cat"), &t), Ok(()));
        assert_eq!(
            field_of(check_write(&cat, None, &record(kind, "sue"), &t)),
            field
        );
    }
}

#[test]
fn a_rep_never_moves_even_their_own_record() {
    let t = teams();
    let cat = viewer("cat", Role::Rep);
    let own = customer("cat", "south");
    assert_eq!(
        field_of(check_write(&cat, Some(&own), &customer("cat", "north"), &t)),
        "team"
    );
    assert_eq!(
        field_of(check_write(&cat, Some(&own), &customer("sue", "south"), &t)),
        "owner"
    );
    let visit = record(Kind::Visit, "cat");
    assert_eq!(
        field_of(check_write(
            &cat,
            Some(&visit),
            &record(Kind::Visit, "sue"),
            &t
        )),
        "rep"
    );
    let shared = customer("sue", "south");
    let mut hidden = shared.clone();
    hidden.visibility = Visibility::Private;
    assert_eq!(
        field_of(check_write(&cat, Some(&shared), &hidden, &t)),
        "visibility"
    );
    let mut opened = own.clone();
    opened.visibility = Visibility::Organisation;
    assert_eq!(check_write(&cat, Some(&own), &opened, &t), Ok(()));
}

#[test]
fn a_manager_moves_within_the_team_and_an_admin_across_teams() {
    let t = teams();
    let max = viewer("max", Role::Manager);
    let ann_s = customer("ann", "north");
    assert_eq!(
        check_write(&max, Some(&ann_s), &customer("bob", "north"), &t),
        Ok(())
    );
    assert_eq!(
        check_write(&max, None, &record(Kind::Task, "bob"), &t),
        Ok(())
    );
    assert_eq!(
        field_of(check_write(
            &max,
            Some(&ann_s),
            &customer("cat", "north"),
            &t
        )),
        "owner"
    );
    assert_eq!(
        field_of(check_write(
            &max,
            Some(&ann_s),
            &customer("ann", "south"),
            &t
        )),
        "team"
    );
    let root = viewer("root", Role::Admin);
    assert_eq!(
        check_write(&root, Some(&ann_s), &customer("cat", "south"), &t),
        Ok(())
    );
    assert_eq!(
        field_of(check_write(
            &root,
            Some(&ann_s),
            &customer("nobody", "south"),
            &t
        )),
        "owner"
    );
}

#[test]
fn an_unchanged_owner_is_not_judged_again() {
    let t = teams();
    // Cat's customer stayed in north after an admin moved cat to south.
    let before = customer("cat", "north");
    let mut after = before.clone();
    after.deleted = true;
    let cat = viewer("cat", Role::Rep);
    assert_eq!(check_write(&cat, Some(&before), &after, &t), Ok(()));
}

fn attribution(created_by: &str, updated_by: &str, editors: &[(&str, &str)]) -> Attribution {
    Attribution {
        created_by: Some(created_by.into()),
        updated_by: Some(updated_by.into()),
        editors: editors
            .iter()
            .map(|(a, u)| (a.to_string(), u.to_string()))
            .collect(),
    }
}

#[test]
fn attribution_names_the_writer_and_keeps_the_past() {
    let created = attribution("cat", "cat", &[("aa", "cat")]);
    assert_eq!(check_attribution("cat", "aa", None, &created), Ok(()));
    let forged = attribution("sue", "cat", &[("aa", "cat")]);
    assert_eq!(
        field_of(check_attribution("cat", "aa", None, &forged)),
        "created_by"
    );

    let edited = attribution("cat", "sue", &[("aa", "cat"), ("bb", "sue")]);
    assert_eq!(
        check_attribution("sue", "bb", Some(&created), &edited),
        Ok(())
    );
    let rewritten = attribution("sue", "sue", &[("aa", "cat"), ("bb", "sue")]);
    assert_eq!(
        field_of(check_attribution("sue", "bb", Some(&created), &rewritten)),
        "created_by"
    );
    let blamed = attribution("cat", "ann", &[("aa", "cat"), ("bb", "sue")]);
    assert_eq!(
        field_of(check_attribution("sue", "bb", Some(&created), &blamed)),
        "updated_by"
    );
    let other_device = attribution("cat", "sue", &[("aa", "sue"), ("bb", "sue")]);
    assert_eq!(
        field_of(check_attribution(
            "sue",
            "bb",
            Some(&created),
            &other_device
        )),
        "editors"
    );
    let own_as_other = attribution("cat", "sue", &[("aa", "cat"), ("bb", "cat")]);
    assert_eq!(
        field_of(check_attribution(
            "sue",
            "bb",
            Some(&created),
            &own_as_other
        )),
        "editors"
    );
}
