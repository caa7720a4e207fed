//! Crafted and damaged Automerge changes cost their own document, never the request: the
//! document is rejected with a reason, the rest of the request is stored and acknowledged, and
//! no panic escapes as a 500 (issue 10, finding 5).
//!
//! The panicking input is `data/panicking_change.txt`, found once by
//! `find_a_panicking_change` (ignored; run it by name to search again). The fuzz run mutates
//! real changes with a seeded generator; `FIELDSALES_FUZZ_CASES` sets how many (default 2,000,
//! a few seconds).

use std::collections::HashSet;

use automerge::{Automerge, Change, TextEncoding};
use fieldsales_core::customer::NewCustomer;
use fieldsales_core::fuzzing;
use fieldsales_core::protocol::{DocChanges, LocalChange, RejectReason, SyncRequest, SyncResponse};
use fieldsales_core::record::isolate::isolate;
use fieldsales_core::{FieldSales, Kind};
use fieldsales_testkit::wire;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The fixture file: `#` lines are notes, the rest is the change in hex.
const PANICKING_CHANGE: &str = include_str!("data/panicking_change.txt");

fn panicking_change() -> Vec<u8> {
    let hex: String = PANICKING_CHANGE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    hex::decode(hex.trim()).expect("the fixture is hex")
}

/// `change` as if `actor` had written it: the actor sits once in the change's header, and
/// Automerge does not check the checksum of a change it parses.
fn written_by(change: &[u8], actor: &[u8]) -> Vec<u8> {
    let parsed = Change::from_bytes(change.to_vec()).expect("the fixture parses as a change");
    let old = parsed.actor_id().to_bytes().to_vec();
    let at = change
        .windows(old.len())
        .position(|w| w == old.as_slice())
        .expect("the actor is in the header");
    let mut out = change.to_vec();
    out[at..at + old.len()].copy_from_slice(actor);
    out
}

/// Whether applying `changes` to an empty document makes Automerge panic.
fn panics_automerge(changes: &[Vec<u8>]) -> bool {
    isolate(|| {
        let mut doc = Automerge::new_with_encoding(TextEncoding::Utf16CodeUnit);
        for bytes in changes {
            if let Ok(change) = Change::from_bytes(bytes.clone()) {
                let _ = doc.apply_changes([change]);
            }
        }
    })
    .is_err()
}

fn customer(fs: &FieldSales, name: &str) -> String {
    fs.customers()
        .create(NewCustomer {
            name: name.into(),
            ..Default::default()
        })
        .expect("a customer")
}

#[tokio::test]
async fn a_change_that_panics_automerge_is_rejected_and_the_rest_of_the_request_is_stored() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let good: Vec<String> = ["甲公司", "乙公司", "丙公司"]
        .iter()
        .map(|name| customer(&ann.fs, name))
        .collect();
    let crafted = written_by(&panicking_change(), ann.actor().to_bytes());
    assert!(
        panics_automerge(std::slice::from_ref(&crafted)),
        "the fixture must still make Automerge panic, or this test proves nothing"
    );
    let bad_id = uuid::Uuid::now_v7().to_string();
    let mut request = ann.outbox_request();
    let good_seqs: Vec<i64> = request.docs.iter().map(|d| d.changes[0].seq).collect();
    request.docs.insert(
        1,
        DocChanges {
            doc_id: bad_id.clone(),
            kind: "customer".into(),
            changes: vec![LocalChange {
                seq: 9_000,
                bytes: crafted,
            }],
        },
    );

    let answer = ann.send(&request).await;

    assert_eq!(answer.rejected.len(), 1, "{:?}", answer.rejected);
    let rejection = &answer.rejected[0];
    assert_eq!(rejection.doc_id, bad_id);
    assert_eq!(rejection.reason, RejectReason::InvalidChange);
    assert_eq!(rejection.seqs, vec![9_000]);
    assert!(rejection.detail.contains("malformed change"));
    assert!(rejection.server_doc.is_none(), "nothing of it was stored");
    let mut acked = answer.acked.clone();
    acked.sort();
    assert_eq!(acked, good_seqs, "every good document is acknowledged");
    ann.apply(&answer);

    let mut phone = fx.device("ann").await;
    phone.sync().await;
    for id in &good {
        assert!(phone.fs.customers().get(id).is_ok(), "stored and pulled");
    }
    assert!(phone.fs.customers().get(&bad_id).is_err());
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}

/// The generator's seed: a failure found by the fuzz run repeats with the same cases.
const FUZZ_SEED: u64 = 1010;

#[tokio::test]
async fn mutated_real_changes_are_each_accepted_or_rejected_with_a_reason_never_a_500() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let histories = fuzzing::real_histories(&ann.fs).expect("seed records");
    let mut rng = StdRng::seed_from_u64(FUZZ_SEED);
    let cases = fuzzing::cases(2_000);
    let (mut accepted, mut rejected) = (0usize, std::collections::BTreeMap::new());
    let mut seq = 0i64;
    for batch in 0..cases.div_ceil(50) {
        let mut request = SyncRequest {
            device_id: ann.device_id.clone(),
            cursor: 0,
            docs: Vec::new(),
            resume: None,
            max_answer_bytes: Some(1024),
        };
        for _ in 0..50.min(cases - batch * 50) {
            let (kind, changes) = fuzzing::damaged_history(&mut rng, &histories);
            request.docs.push(DocChanges {
                doc_id: uuid::Uuid::now_v7().to_string(),
                kind: kind.as_str().into(),
                changes: changes
                    .into_iter()
                    .map(|bytes| {
                        seq += 1;
                        LocalChange { seq, bytes }
                    })
                    .collect(),
            });
        }
        let answer: SyncResponse = ann.send(&request).await;
        let acked: HashSet<i64> = answer.acked.iter().copied().collect();
        for rejection in &answer.rejected {
            assert!(!rejection.detail.is_empty());
            *rejected
                .entry(format!("{:?}", rejection.reason))
                .or_insert(0) += 1;
        }
        let refused: HashSet<i64> = answer
            .rejected
            .iter()
            .flat_map(|r| r.seqs.iter().copied())
            .collect();
        for doc in &request.docs {
            let seqs: Vec<i64> = doc.changes.iter().map(|c| c.seq).collect();
            let all_acked = seqs.iter().all(|s| acked.contains(s));
            let all_refused = seqs.iter().all(|s| refused.contains(s));
            assert!(
                all_acked ^ all_refused,
                "each document is accepted or rejected whole"
            );
            accepted += usize::from(all_acked);
        }
    }
    eprintln!("{cases} mutated documents: {accepted} accepted, rejected {rejected:?}");
    // What was accepted is served to another device without failing the pull.
    let phone = fx.device("ann").await;
    let pulled = phone.send(&phone.outbox_request()).await;
    assert!(pulled.cursor > 0);
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}

/// Searches mutations of real first changes for one that makes Automerge panic and writes it
/// to `tests/data/panicking_change.txt`. Run once by hand:
/// `cargo test -p fieldsales-server --test crafted_changes find_a_panicking_change -- --ignored`.
#[test]
#[ignore = "a one-off search; its result is committed as a fixture"]
fn find_a_panicking_change() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let identity = fieldsales_core::Identity::new("finder", None).expect("an identity");
    let fs = FieldSales::open(dir.path(), identity, fieldsales_core::Config::default())
        .expect("a store");
    let histories = fuzzing::real_histories(&fs).expect("seed records");
    let seed = FUZZ_SEED;
    let mut rng = StdRng::seed_from_u64(seed);
    for attempt in 1..=200_000u32 {
        let (kind, changes) = &histories[rng.gen_range(0..histories.len())];
        if *kind != Kind::Customer {
            continue;
        }
        let candidate = fuzzing::mutate(&mut rng, &changes[0]);
        if panics_automerge(std::slice::from_ref(&candidate)) {
            let note = format!(
                "# A customer's first change (written through fieldsales-core), mutated by\n\
                 # `fieldsales_core::fuzzing::mutate` with StdRng seed {seed}, attempt {attempt}.\n\
                 # Applying it to an empty document panics inside automerge 0.12\n\
                 # (found by `find_a_panicking_change`).\n"
            );
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/panicking_change.txt"
            );
            std::fs::write(path, format!("{note}{}\n", hex::encode(&candidate)))
                .expect("the fixture is written");
            eprintln!("found after {attempt} attempts");
            return;
        }
    }
    panic!("no panicking mutation in 200,000 attempts");
}
