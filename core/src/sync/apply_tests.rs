//! A server answer with documents whose bytes cannot be merged: each costs only itself (skipped
//! and counted), the rest of the answer is applied, and no panic escapes (issue 10, finding 5).
//! The fuzz run's length is `FIELDSALES_FUZZ_CASES` (default 1,000, a few seconds).

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_bytes::ByteBuf;
use uuid::Uuid;

use crate::fuzzing;
use crate::protocol::{DocUpdate, SyncResponse};
use crate::sync::fake::FakeTransport;
use crate::sync::testing::{customer, device};
use crate::Kind;

/// A change that makes automerge 0.12 panic, found by the server's search (see the file).
const PANICKING_CHANGE: &str = include_str!("../../../server-sync/tests/data/panicking_change.txt");

fn panicking_change() -> Vec<u8> {
    let hex: String = PANICKING_CHANGE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    let hex = hex.trim();
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("the fixture is hex"))
        .collect()
}

#[tokio::test]
async fn a_malformed_document_in_an_answer_is_skipped_and_the_rest_is_applied() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let theirs = customer(&other, "乙");
    let good = FakeTransport::update(
        &theirs,
        "customer",
        other.export_document(Kind::Customer, &theirs).unwrap(),
    );
    let garbage_id = Uuid::now_v7().to_string();
    let garbage = FakeTransport::update(&garbage_id, "customer", vec![1, 2, 3]);
    let crafted_id = Uuid::now_v7().to_string();
    let crafted = FakeTransport::update(&crafted_id, "customer", panicking_change());
    customer(&fs, "甲");
    let seqs: Vec<i64> = fs.outbox(10).unwrap().iter().map(|c| c.seq).collect();
    fake.queue_answer(SyncResponse {
        cursor: 40,
        acked: seqs,
        docs: vec![garbage, good, crafted],
        ..Default::default()
    });

    let report = fs.sync().sync_async().await.expect("the answer applies");

    assert_eq!(
        (report.sent, report.received, report.skipped, report.cursor),
        (1, 1, 2, 40)
    );
    assert_eq!(fs.customers().get(&theirs).unwrap().name, "乙");
    assert!(fs.customers().get(&garbage_id).is_err());
    assert!(fs.customers().get(&crafted_id).is_err());
    let status = fs.sync().status().unwrap();
    assert_eq!((status.pending_changes, status.cursor), (0, 40));
    assert!(status.last_error.is_none());
}

#[tokio::test]
async fn damaged_real_changes_in_answers_never_panic_and_each_document_lands_or_is_skipped() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let histories = fuzzing::real_histories(&other).unwrap();
    let mut rng = StdRng::seed_from_u64(1010);
    let cases = fuzzing::cases(1_000);
    let (mut received, mut skipped) = (0, 0);
    for batch in 0..cases.div_ceil(50) {
        let count = 50.min(cases - batch * 50);
        let docs: Vec<DocUpdate> = (0..count)
            .map(|_| {
                let (kind, changes) = fuzzing::damaged_history(&mut rng, &histories);
                DocUpdate {
                    doc_id: Uuid::now_v7().to_string(),
                    kind: kind.as_str().into(),
                    snapshot: false,
                    data: changes.into_iter().map(ByteBuf::from).collect(),
                }
            })
            .collect();
        fake.queue_answer(SyncResponse {
            cursor: batch as u64 + 1,
            docs,
            ..Default::default()
        });
        let report = fs
            .sync()
            .sync_async()
            .await
            .expect("a damaged document never fails the answer");
        assert_eq!(report.received + report.skipped, count as u64);
        assert_eq!(report.cursor, batch as u64 + 1, "the answer was applied");
        received += report.received;
        skipped += report.skipped;
    }
    eprintln!("{cases} damaged documents: {received} merged, {skipped} skipped");
}
