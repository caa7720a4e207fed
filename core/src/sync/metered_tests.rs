//! Photo uploads on a metered network: with "media on unmetered only", records sync on mobile
//! data while photos wait in the queue, and go when the app reports Wi-Fi. The fake transport
//! carries no media (it answers every media call 501, a server failure that fails the sync for
//! a later retry), so a sync that tried an upload fails, and one that held them back succeeds.

use std::sync::Arc;

use image::{Rgb, RgbImage};

use super::fake::FakeTransport;
use super::testing::{config, customer, login, wait_until, Recorder};
use super::SyncError;
use super::{AutoSync, NetworkKind};
use crate::{Error, FieldSales, Identity};

async fn phone(fake: &Arc<FakeTransport>, unmetered_only: bool) -> (FieldSales, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(fake);
    config.sync.media_unmetered_only = unmetered_only;
    let identity = Identity::new("rep-1", Some("team-north".into())).unwrap();
    let fs = FieldSales::open(dir.path(), identity, config).unwrap();
    fs.sync().login_async(&login("secret")).await.unwrap();
    (fs, dir)
}

/// A visit with one photo attached (the photo and its 320 px thumbnail queue).
fn visit_with_photo(fs: &FieldSales, dir: &std::path::Path) {
    let shop = customer(fs, "上海明远机电");
    let visit = fs.visits().check_in(&shop, None, None).unwrap();
    let path = dir.join("shelf.jpg");
    RgbImage::from_pixel(800, 600, Rgb([200, 120, 40]))
        .save(&path)
        .unwrap();
    fs.media().attach_to_visit(&visit.id, &path).unwrap();
}

#[tokio::test]
async fn on_mobile_data_records_sync_and_photos_wait_until_the_phone_is_on_wifi() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, dir) = phone(&fake, true).await;
    visit_with_photo(&fs, dir.path());

    let report = fs.sync().sync_async().await.unwrap();
    assert!(report.sent > 0, "the records went up");
    assert_eq!(fs.pending_changes().unwrap(), 0);
    assert!(report.media_waiting_for_unmetered);
    assert_eq!(report.media_failed, 0, "no upload was tried");
    assert_eq!(fs.media().queue().unwrap().queued, 2);

    fs.sync().set_network(NetworkKind::Unmetered);
    assert!(tried_uploading(&fs).await, "on Wi-Fi they go");

    fs.sync().set_network(NetworkKind::Metered);
    let report = fs.sync().sync_async().await.unwrap();
    assert!(
        report.media_waiting_for_unmetered,
        "back on mobile data they wait again"
    );
    fs.sync().set_media_unmetered_only(false);
    assert!(tried_uploading(&fs).await, "the user allowed mobile data");
}

/// Whether a sync tried to upload: this transport's media failure ends it.
async fn tried_uploading(fs: &FieldSales) -> bool {
    match fs.sync().sync_async().await {
        Ok(_) => false,
        Err(Error::Sync(SyncError::Server { status: 501, .. })) => true,
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn without_the_setting_a_metered_network_holds_nothing_back() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, dir) = phone(&fake, false).await;
    visit_with_photo(&fs, dir.path());
    fs.sync().set_network(NetworkKind::Metered);
    assert!(tried_uploading(&fs).await);
    assert!(!fs.sync().media_uploads_waiting_for_unmetered());
}

#[tokio::test(start_paused = true)]
async fn reporting_wifi_to_the_auto_sync_engine_syncs_at_once() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = phone(&fake, true).await;
    let recorder = Arc::new(Recorder::default());
    let auto = AutoSync::start(fs.sync(), recorder.clone());
    wait_until("the start-up sync completed", || recorder.completed() == 1).await;

    auto.network_changed(NetworkKind::Metered);
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(fake.calls().len(), 1, "mobile data is no reason to sync");
    assert!(fs.sync().media_uploads_waiting_for_unmetered());
    auto.network_changed(NetworkKind::Unmetered);
    wait_until("a sync on Wi-Fi", || fake.calls().len() == 2).await;
    assert!(!fs.sync().media_uploads_waiting_for_unmetered());
}
