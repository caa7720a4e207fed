//! The upload queue as the app and support see it: why an item failed and how often, nothing
//! shown "uploading" that is not, and reading a file without writing each time.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};

use super::fixtures::{gradient, jpeg};
use super::*;
use crate::customer::NewCustomer;
use crate::{Config, Durability, FieldSales, Identity, ManualClock};

struct Phone {
    fs: FieldSales,
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
}

fn phone() -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let config = Config {
        durability: Durability::AppCrash,
        clock: clock.clone(),
        ..Config::default()
    };
    let fs = FieldSales::open(dir.path(), Identity::new("rep-1", None).unwrap(), config).unwrap();
    Phone { fs, dir, clock }
}

impl Phone {
    /// A visit with one photo, its record synced: the photo and thumbnail wait for upload.
    fn visit_with_photo(&self) -> (String, Attached) {
        let customer = self
            .fs
            .customers()
            .create(NewCustomer {
                name: "上海明远机电".into(),
                ..Default::default()
            })
            .unwrap();
        let visit = self.fs.visits().plan(&customer, self.clock.now()).unwrap();
        let path = self.dir.path().join("photo.jpg");
        std::fs::write(&path, jpeg(&gradient(640, 480), None)).unwrap();
        let attached = self.fs.media().attach_to_visit(&visit, &path).unwrap();
        let last = self.fs.outbox(10_000).unwrap().last().map(|c| c.seq);
        self.fs.acknowledge(last.unwrap()).unwrap();
        (visit, attached)
    }
}

use crate::config::Clock;

#[test]
fn a_failed_upload_shows_its_reason_and_attempts_in_the_list_and_the_queue() {
    let p = phone();
    let (visit, photo) = p.visit_with_photo();
    for _ in 0..2 {
        let offered = p.fs.media().pending_uploads(10).unwrap();
        assert!(offered.iter().any(|o| o.hash == photo.hash));
        p.fs.media()
            .mark_failed(&photo.hash, "server answered 415 unsupported_media_type")
            .unwrap();
    }
    p.fs.media().mark_uploaded(&photo.thumbnail).unwrap();

    let listed = p.fs.media().list(&visit).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, Some(UploadState::Failed));
    assert_eq!(listed[0].attempts, 2);
    assert_eq!(
        listed[0].failure.as_deref(),
        Some("server answered 415 unsupported_media_type")
    );

    let queue = p.fs.media().queue().unwrap();
    assert_eq!(queue.failed, 1);
    assert_eq!(
        queue.failures,
        [FailedUpload {
            hash: photo.hash.clone(),
            role: MediaRole::Photo,
            attempts: 2,
            reason: "server answered 415 unsupported_media_type".into(),
        }]
    );

    // Tried again and uploaded: no failure is shown any more (the count of attempts stays).
    p.fs.media().pending_uploads(10).unwrap();
    p.fs.media().mark_uploaded(&photo.hash).unwrap();
    let listed = p.fs.media().list(&visit).unwrap();
    assert_eq!(
        (listed[0].state, listed[0].failure.as_deref()),
        (Some(UploadState::Uploaded), None)
    );
    assert!(p.fs.media().queue().unwrap().failures.is_empty());
}

#[test]
fn an_item_already_tried_in_this_run_is_neither_offered_nor_shown_uploading() {
    let p = phone();
    let (_, photo) = p.visit_with_photo();
    let first = p.fs.media().pending_uploads(10).unwrap();
    assert_eq!(first.len(), 2);
    p.fs.media().mark_failed(&photo.hash, "refused").unwrap();
    p.fs.media()
        .mark_failed(&photo.thumbnail, "refused")
        .unwrap();
    let tried: HashSet<String> = first.into_iter().map(|item| item.hash).collect();

    let again = p.fs.media().pending_uploads_except(10, &tried).unwrap();

    assert!(again.is_empty(), "{again:?}");
    let queue = p.fs.media().queue().unwrap();
    assert_eq!(
        (queue.failed, queue.uploading),
        (2, 0),
        "still failed with their reasons, not uploading"
    );
    // Without the exclusion (the next sync) they are offered again, within the limit.
    let next =
        p.fs.media()
            .pending_uploads_except(1, &HashSet::new())
            .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(p.fs.media().queue().unwrap().uploading, 1);
}

#[test]
fn reading_a_file_marks_it_used_at_most_once_a_minute() {
    let p = phone();
    let (_, photo) = p.visit_with_photo();
    let last_used = || {
        p.fs.engine
            .read(|c| table::last_used(c, &photo.hash))
            .unwrap()
            .unwrap()
    };
    let attached_at = last_used();

    p.clock.advance(Duration::seconds(30));
    assert!(p.fs.media().file(&photo.hash).unwrap().is_some());
    assert_eq!(last_used(), attached_at, "used within the minute: no write");

    p.clock.advance(Duration::seconds(31));
    assert!(p.fs.media().file(&photo.hash).unwrap().is_some());
    assert_eq!(last_used(), p.clock.now().timestamp_millis());
}
