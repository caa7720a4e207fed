//! Photos as a rep and a manager live them, through the real server: taken offline at the
//! customer's door, shrunk on the phone, synced after the records by the sync itself, the
//! thumbnails on the manager's phone at once and the full photo on demand, nothing for another
//! team, nothing sent twice. (The wire-level cases — a cut upload resuming, every refusal — are
//! `media.rs` here and the server's `tests/media.rs`.)

use std::path::{Path, PathBuf};

use fieldsales_core::customer::Visibility;
use fieldsales_core::media::UploadState;
use fieldsales_core::sync::SyncError;
use fieldsales_core::visit::Fix;
use fieldsales_core::{Error, Remedy};
use fieldsales_e2e::{Device, Fault, World};
use image::{ImageFormat, RgbImage};

/// A camera-sized JPEG (a gradient, different per `seed`) written into `device`'s directory.
fn camera_photo(device: &Device, name: &str, seed: u8) -> PathBuf {
    let pixels = RgbImage::from_fn(2400, 1800, |x, y| {
        image::Rgb([(x / 10) as u8 ^ seed, (y / 8) as u8, seed.wrapping_mul(3)])
    });
    let path = device.data_dir().join(name);
    pixels.save_with_format(&path, ImageFormat::Jpeg).unwrap();
    path
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn photos_taken_offline_reach_the_manager_as_thumbnails_then_whole_and_never_another_team() {
    let world = World::start();
    let ann = world.device("ann");
    let mia = world.device("mia");
    let sam = world.device("sam");
    let shop = camera_photo(&ann, "shop.jpg", 1);
    let shelf = camera_photo(&ann, "shelf.jpg", 2);

    // At the door, no network needed: attaching touches nothing but the phone.
    let customer = ann.add_customer("照片商店", Visibility::Team);
    let visit = ann.fs.visits().check_in(&customer, None, None).unwrap();
    let arrivals = world.proxy.arrivals();
    let front = ann.fs.media().attach_to_visit(&visit.id, &shop).unwrap();
    let inside = ann.fs.media().attach_to_visit(&visit.id, &shelf).unwrap();
    assert_eq!(
        world.proxy.arrivals(),
        arrivals,
        "attaching never calls the server"
    );
    assert_eq!(
        (front.width, front.height),
        (1920, 1440),
        "shrunk on the phone"
    );
    let queue = ann.fs.media().queue().unwrap();
    assert_eq!(
        queue.queued, 4,
        "two photos and their thumbnails wait: {queue:?}"
    );

    // One sync: the records, then the media.
    let report = ann.sync();
    assert_eq!(report.media_uploaded, 4, "{report:?}");
    assert_eq!(report.media_failed, 0);
    let queue = ann.fs.media().queue().unwrap();
    assert_eq!((queue.queued, queue.uploaded), (0, 4), "{queue:?}");
    let items = ann.fs.media().list(&visit.id).unwrap();
    assert!(
        items.iter().all(|m| m.state == Some(UploadState::Uploaded)),
        "{items:?}"
    );

    // The manager's phone: the visit with its thumbnails, fetched by the sync itself.
    let report = mia.sync();
    assert_eq!(report.media_downloaded, 2, "the two thumbnails: {report:?}");
    let seen = mia.fs.visits().get(&visit.id).unwrap();
    assert_eq!(seen.photos.len(), 2);
    for photo in [&front, &inside] {
        assert_eq!(
            seen.photo_thumbnails.get(&photo.hash),
            Some(&photo.thumbnail)
        );
        let thumbnail = mia
            .fs
            .media()
            .file(&photo.thumbnail)
            .unwrap()
            .expect("thumbnail here");
        let ours = ann.fs.media().file(&photo.thumbnail).unwrap().unwrap();
        assert_eq!(read(&thumbnail), read(&ours));
        assert!(
            mia.fs.media().file(&photo.hash).unwrap().is_none(),
            "the full photo comes on demand, not with every sync"
        );
        // On demand: the whole photo, byte for byte what the rep's phone made.
        let full = mia.fs.sync().fetch_media(&photo.hash).unwrap();
        assert_eq!(
            read(&full),
            read(&ann.fs.media().file(&photo.hash).unwrap().unwrap())
        );
    }

    // Another team's rep: no visit, and no photo even with its hash.
    sam.sync();
    assert!(sam.fs.visits().get(&visit.id).is_err());
    let refused = sam.fs.sync().fetch_media(&front.hash).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Sync(SyncError::MediaNotAvailable) | Error::Media(_)
        ),
        "{refused:?}"
    );
    assert!(matches!(refused.remedy(), Remedy::Reload), "{refused:?}");

    // Nothing goes up twice: a later sync uploads nothing, and the same photo attached to
    // another visit is the same stored file, already on the server.
    let report = ann.sync();
    assert_eq!(report.media_uploaded, 0, "{report:?}");
    let second = ann.fs.visits().check_in(&customer, None, None).unwrap();
    let again = ann.fs.media().attach_to_visit(&second.id, &shop).unwrap();
    assert_eq!(again.hash, front.hash, "the same photo, the same address");
    let report = ann.sync();
    assert_eq!(
        report.media_uploaded, 0,
        "already on the server: {report:?}"
    );
    assert_eq!(ann.fs.media().queue().unwrap().queued, 0);
}

#[test]
fn a_connection_lost_during_the_uploads_fails_the_sync_and_the_next_sync_finishes_them() {
    let world = World::start();
    let ann = world.device("ann");
    let mia = world.device("mia");
    let photo = camera_photo(&ann, "quote.jpg", 9);
    let customer = ann.add_customer("签约客户", Visibility::Team);
    let visit = ann.fs.visits().check_in(&customer, None, None).unwrap();
    let signed = ann.fs.media().attach_to_visit(&visit.id, &photo).unwrap();

    // The records go up and the thumbnail too; the photo's chunk never reaches the server.
    world
        .proxy
        .plan([Fault::Pass, Fault::Pass, Fault::DropRequest]);
    let failed = ann.fs.sync().sync_now().unwrap_err();
    assert_eq!(failed.remedy(), Remedy::RetryLater, "{failed:?}");
    assert_eq!(
        ann.fs.pending_changes().unwrap(),
        0,
        "the records went first"
    );
    let queue = ann.fs.media().queue().unwrap();
    assert_eq!(queue.uploaded, 1, "the thumbnail is up: {queue:?}");

    // The network is back: the next sync finishes the queue, and the photo is whole.
    let report = ann.sync();
    assert_eq!(report.media_uploaded, 1, "{report:?}");
    assert_eq!(ann.fs.media().queue().unwrap().uploaded, 2);
    mia.sync();
    let full = mia.fs.sync().fetch_media(&signed.hash).unwrap();
    assert_eq!(
        read(&full),
        read(&ann.fs.media().file(&signed.hash).unwrap().unwrap())
    );
}

#[test]
fn with_the_tenants_watermark_on_a_visit_photo_carries_time_and_place_in_its_corner_for_the_manager(
) {
    let world = World::start();
    let ann = world.device("ann");
    let mia = world.device("mia");
    let photo = camera_photo(&ann, "shop.jpg", 5);
    let customer = ann.add_customer("水印商店", Visibility::Team);
    let fix = Fix {
        lat: 31.2304,
        lon: 121.4737,
        accuracy_m: Some(8.0),
    };
    let before = ann
        .fs
        .visits()
        .check_in(&customer, None, Some(fix))
        .unwrap();
    let plain = ann.fs.media().attach_to_visit(&before.id, &photo).unwrap();

    world.set_photo_watermark(true);
    ann.sync();
    let visit = ann
        .fs
        .visits()
        .check_in(&customer, None, Some(fix))
        .unwrap();
    let stamped = ann.fs.media().attach_to_visit(&visit.id, &photo).unwrap();
    ann.sync();
    mia.sync();

    assert_ne!(stamped.hash, plain.hash, "the same shot, now stamped");
    let full = mia.fs.sync().fetch_media(&stamped.hash).unwrap();
    let stamped_pixels = image::open(full).unwrap().into_rgb8();
    let plain_pixels = image::open(ann.fs.media().file(&plain.hash).unwrap().unwrap())
        .unwrap()
        .into_rgb8();
    let (width, height) = stamped_pixels.dimensions();
    let differs = |x0: u32, y0: u32, x1: u32, y1: u32| {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let (a, b) = (stamped_pixels.get_pixel(x, y), plain_pixels.get_pixel(x, y));
                a.0.iter().zip(b.0).any(|(p, q)| p.abs_diff(q) > 24)
            })
            .count()
    };
    let corner = differs(width - 300, height - 110, width, height);
    assert!(
        corner > 300 * 110 / 2,
        "the corner changed: {corner} pixels"
    );
    assert_eq!(
        differs(0, 0, width, height / 2),
        0,
        "the top half is the photo as it was"
    );
    // The box darkens the photo (about 200 there) and the text is light on it.
    let luma =
        |p: &image::Rgb<u8>| (u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10;
    let corner_pixels: Vec<u32> = (height - 110..height)
        .flat_map(|y| (width - 300..width).map(move |x| (x, y)))
        .map(|(x, y)| luma(stamped_pixels.get_pixel(x, y)))
        .collect();
    assert!(
        corner_pixels.iter().filter(|l| **l > 200).count() > 500,
        "light text"
    );
    assert!(
        corner_pixels.iter().filter(|l| **l < 100).count() > 5_000,
        "a dark box"
    );

    world.set_photo_watermark(false);
    ann.sync();
    let after = ann
        .fs
        .visits()
        .check_in(&customer, None, Some(fix))
        .unwrap();
    let off = ann.fs.media().attach_to_visit(&after.id, &photo).unwrap();
    assert_eq!(off.hash, plain.hash, "off again: the plain photo");
}
