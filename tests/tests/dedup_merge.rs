//! Merging duplicate customers through the real server: the merge is ordinary record changes,
//! so it syncs, and what other reps did offline meanwhile is not lost.

use std::collections::BTreeMap;

use fieldsales_core::customer::{CustomerPatch, NewCustomer};
use fieldsales_core::dedup::MergeRequest;
use fieldsales_e2e::{projection, Device, World};

/// Two entries of one company, as two reps would type them; returns their ids.
fn duplicates(device: &Device) -> (String, String) {
    let a = device
        .fs
        .customers()
        .create(NewCustomer {
            name: "北京华信软件技术有限公司".into(),
            phones: vec!["138 1234 5678".into()],
            ..Default::default()
        })
        .expect("first entry");
    let b = device
        .fs
        .customers()
        .create(NewCustomer {
            name: "华信软件".into(),
            phones: vec!["+86 138-1234-5678".into()],
            emails: vec!["info@huaxin-soft.com.cn".into()],
            ..Default::default()
        })
        .expect("second entry");
    (a, b)
}

fn merge(device: &Device, survivor: &str, merged: &str) {
    device
        .fs
        .dedup()
        .merge(&MergeRequest {
            survivor: survivor.into(),
            merged: merged.into(),
            keep: BTreeMap::new(),
        })
        .expect("merge");
}

/// Syncs every device a few rounds, so that follow-up changes written while applying (a merge
/// settling) travel too.
fn settle(devices: &[&Device]) {
    for _ in 0..3 {
        for d in devices {
            d.sync();
        }
    }
}

fn live(device: &Device, ids: &[&String]) -> Vec<String> {
    ids.iter()
        .filter(|id| !device.fs.customers().get(id).expect("customer").deleted)
        .map(|id| id.to_string())
        .collect()
}

#[test]
fn two_reps_merging_one_pair_in_opposite_directions_end_with_the_same_survivor_everywhere() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let mia = world.device("mia");
    let (a, b) = duplicates(&ann);
    settle(&[&ann, &bob, &mia]);
    assert!(bob.fs.customers().get(&b).is_ok());

    // Offline, each rep cleans up the duplicate the other way round.
    merge(&ann, &a, &b);
    merge(&bob, &b, &a);
    settle(&[&ann, &bob, &mia]);

    let survivor = live(&ann, &[&a, &b]);
    assert_eq!(
        survivor.len(),
        1,
        "exactly one of the pair stays: {survivor:?}"
    );
    for d in [&ann, &bob, &mia] {
        assert_eq!(
            live(d, &[&a, &b]),
            survivor,
            "{} agrees on the survivor",
            d.user
        );
        assert_eq!(d.fs.dedup().survivor_of(&a).unwrap(), survivor[0]);
        assert_eq!(d.fs.dedup().survivor_of(&b).unwrap(), survivor[0]);
        assert!(
            d.fs.sync().rejected().unwrap().is_empty(),
            "{}: nothing refused",
            d.user
        );
        let kept = d.fs.customers().get(&survivor[0]).unwrap();
        assert_eq!(
            kept.emails,
            vec!["info@huaxin-soft.com.cn"],
            "details unioned"
        );
    }
    assert_eq!(
        projection(&ann.fs),
        projection(&bob.fs),
        "the reps' stores converged"
    );
}

#[test]
fn an_offline_edit_to_the_merged_away_customer_reaches_the_survivor_on_every_device() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let (a, b) = duplicates(&ann);
    settle(&[&ann, &bob]);

    // Ann merges while Bob, offline, still works on the copy she merges away.
    merge(&ann, &a, &b);
    bob.fs
        .customers()
        .edit(
            &b,
            CustomerPatch {
                add_phones: vec!["010-6234 5678".into()],
                add_tags: vec!["年底采购".into()],
                ..Default::default()
            },
        )
        .expect("bob's offline edit");
    let visit = bob
        .fs
        .visits()
        .check_in(&b, None, None)
        .expect("bob's offline visit");
    settle(&[&ann, &bob]);

    for d in [&ann, &bob] {
        let gone = d.fs.customers().get(&b).unwrap();
        assert!(gone.deleted, "{}: the duplicate is merged away", d.user);
        assert_eq!(gone.merged_into.as_deref(), Some(a.as_str()));
        let kept = d.fs.customers().get(&a).unwrap();
        let phones: Vec<&str> = kept.phones.iter().map(|p| p.e164.as_str()).collect();
        assert!(
            phones.contains(&"+861062345678"),
            "{}: bob's new phone reached the survivor: {phones:?}",
            d.user
        );
        assert!(
            kept.tags.contains(&"年底采购".to_string()),
            "{}: tag",
            d.user
        );
        let timeline: Vec<String> =
            d.fs.customers()
                .timeline(&a)
                .unwrap()
                .into_iter()
                .map(|t| t.id)
                .collect();
        assert!(
            timeline.contains(&visit.id),
            "{}: the visit shows under the survivor",
            d.user
        );
        assert!(
            d.fs.sync().rejected().unwrap().is_empty(),
            "{}: nothing refused",
            d.user
        );
    }
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}
