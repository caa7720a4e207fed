use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use image::ImageFormat;

use super::fixtures::{self, camera_jpeg, gradient, jpeg};
use super::*;
use crate::customer::NewCustomer;
use crate::visit::CheckOut;
use crate::{Config, Durability, FieldSales, Identity, ManualClock, Remedy};

struct Fixture {
    fs: FieldSales,
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
}

fn open_with(media: MediaConfig) -> Fixture {
    let dir = tempfile::tempdir().expect("a temp dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let config = Config {
        durability: Durability::AppCrash,
        clock: clock.clone(),
        media,
        ..Config::default()
    };
    let fs = FieldSales::open(dir.path(), Identity::new("rep-1", None).unwrap(), config).unwrap();
    Fixture { fs, dir, clock }
}

fn open() -> Fixture {
    open_with(MediaConfig::default())
}

impl Fixture {
    fn customer(&self) -> String {
        self.fs
            .customers()
            .create(NewCustomer {
                name: "上海明远机电".into(),
                ..Default::default()
            })
            .unwrap()
    }

    fn visit(&self) -> String {
        let customer = self.customer();
        let at = self.clock.now();
        self.fs.visits().plan(&customer, at).unwrap()
    }

    /// Writes `bytes` as a file the user picked.
    fn picked(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn media_rows(&self) -> i64 {
        self.fs
            .engine
            .read(|c| Ok(c.query_row("SELECT count(*) FROM media", [], |r| r.get(0))?))
            .unwrap()
    }

    /// Every file in the media folder.
    fn media_files(&self) -> Vec<PathBuf> {
        self.fs.engine.store.media().orphans(|_| false).unwrap()
    }

    /// Sends the outbox: the server has every record.
    fn synced(&self) {
        let last = self.fs.outbox(10_000).unwrap().last().map(|c| c.seq);
        if let Some(seq) = last {
            self.fs.acknowledge(seq).unwrap();
        }
    }
}

use crate::config::Clock;

fn has_exif(jpeg: &[u8]) -> bool {
    let parsed = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(jpeg));
    let marker = jpeg.windows(6).any(|w| w == b"Exif\0\0");
    parsed.is_ok() || marker
}

fn near(pixel: image::Rgb<u8>, want: [u8; 3]) -> bool {
    pixel
        .0
        .iter()
        .zip(want)
        .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() <= 16)
}

#[test]
fn a_sideways_12_mp_camera_photo_comes_out_upright_at_1920_px_without_gps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("IMG_0001.jpg");
    std::fs::write(&path, camera_jpeg()).unwrap();
    let camera = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(camera_jpeg()))
        .expect("the fixture carries EXIF");
    assert!(
        camera
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some(),
        "the fixture carries a GPS position"
    );

    let out = shrink::shrink(&path, &MediaConfig::default()).unwrap();

    // Stored 4000 × 3000 with "turn 90° clockwise": upright it is 3000 × 4000.
    assert_eq!((out.image.width, out.image.height), (1440, 1920));
    assert_eq!((out.thumbnail.width, out.thumbnail.height), (240, 320));
    let upright = image::load_from_memory(&out.image.bytes)
        .unwrap()
        .into_rgb8();
    assert_eq!(upright.dimensions(), (1440, 1920));
    // The stored picture's bottom-left corner (green) is the upright top-left; its top-left
    // (dark) is the upright top-right.
    assert!(
        near(*upright.get_pixel(2, 2), [0, 255, 64]),
        "{:?}",
        upright.get_pixel(2, 2)
    );
    assert!(
        near(*upright.get_pixel(1437, 2), [0, 0, 64]),
        "{:?}",
        upright.get_pixel(1437, 2)
    );
    let thumb = image::load_from_memory(&out.thumbnail.bytes)
        .unwrap()
        .into_rgb8();
    assert!(near(*thumb.get_pixel(1, 1), [0, 255, 64]));
    for encoded in [&out.image, &out.thumbnail] {
        assert!(
            !has_exif(&encoded.bytes),
            "no EXIF (orientation, GPS) survives"
        );
        assert_eq!(encoded.hash, content_hash(&encoded.bytes));
    }
    assert!(out.image.bytes.len() < camera_jpeg().len() / 2);
}

#[test]
fn attaching_the_same_photo_twice_stores_it_once_and_queues_it_for_upload() {
    let f = open();
    let (first, second) = (f.visit(), f.visit());
    let path = f.picked("photo.jpg", &jpeg(&gradient(2000, 1500), None));

    let attached = f.fs.media().attach_to_visit(&first, &path).unwrap();
    let again = f.fs.media().attach_to_visit(&first, &path).unwrap();
    let elsewhere = f.fs.media().attach_to_visit(&second, &path).unwrap();

    assert_eq!(attached, again);
    assert_eq!(attached, elsewhere);
    assert_eq!((attached.width, attached.height), (1920, 1440));
    assert_eq!(f.media_rows(), 2, "one photo and one thumbnail");
    assert_eq!(f.media_files().len(), 2);
    let visit = f.fs.visits().get(&first).unwrap();
    assert_eq!(visit.photos, vec![attached.hash.clone()]);
    assert_eq!(
        visit.photo_thumbnails.get(&attached.hash),
        Some(&attached.thumbnail)
    );
    let stored =
        f.fs.media()
            .file(&attached.hash)
            .unwrap()
            .expect("held here");
    assert_eq!(content_hash(&std::fs::read(stored).unwrap()), attached.hash);
    let items = f.fs.media().list(&first).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].thumbnail.as_deref(),
        Some(attached.thumbnail.as_str())
    );
    assert_eq!(items[0].role, MediaRole::Photo);
    assert_eq!(items[0].state, Some(UploadState::Queued));
    assert!(items[0].local);
    let queue = f.fs.media().queue().unwrap();
    assert_eq!(queue.queued, 2);
    assert!(queue.bytes_pending > attached.bytes);
}

#[test]
fn the_thumbnail_of_a_photo_or_document_is_found_by_the_image_hash_alone() {
    let f = open();
    let visit = f.visit();
    let customer = f.customer();
    let photo = f.picked("photo.jpg", &jpeg(&gradient(2000, 1500), None));
    let licence = f.picked("licence.jpg", &jpeg(&gradient(900, 1200), None));
    let photo = f.fs.media().attach_to_visit(&visit, &photo).unwrap();
    let licence =
        f.fs.media()
            .attach_to_customer(&customer, &licence)
            .unwrap();

    let media = f.fs.media();
    assert_eq!(
        media.thumbnail_of(&photo.hash).unwrap(),
        Some(photo.thumbnail.clone())
    );
    assert_eq!(
        media.thumbnail_of(&licence.hash).unwrap(),
        Some(licence.thumbnail.clone())
    );
    assert_eq!(
        media.thumbnail_of(&photo.thumbnail).unwrap(),
        None,
        "a thumbnail has none"
    );
    assert_eq!(media.thumbnail_of(&content_hash(b"unknown")).unwrap(), None);
    assert_eq!(media.thumbnail_of("not a hash").unwrap(), None);

    f.fs.visits().delete(&visit).unwrap();
    assert_eq!(
        media.thumbnail_of(&photo.hash).unwrap(),
        None,
        "no record names it any more"
    );
}

#[test]
fn a_customer_document_in_png_or_webp_is_kept_at_its_size_never_enlarged() {
    let f = open();
    let customer = f.customer();
    for (name, format, size) in [
        ("licence.png", ImageFormat::Png, (300, 200)),
        ("contract.webp", ImageFormat::WebP, (200, 300)),
    ] {
        let path = f.picked(name, &fixtures::encoded(&gradient(size.0, size.1), format));
        let attached = f.fs.media().attach_to_customer(&customer, &path).unwrap();
        assert_eq!((attached.width, attached.height), size, "{name}");
    }
    let documents = f.fs.customers().get(&customer).unwrap().documents;
    assert_eq!(documents.len(), 2);
    let items = f.fs.media().list(&customer).unwrap();
    assert!(items
        .iter()
        .all(|i| i.role == MediaRole::Document && i.local));
}

/// Whether an error is the refusal a case expects.
type Refusal = fn(&MediaError) -> bool;

#[test]
fn a_bomb_a_truncated_jpeg_and_a_heic_photo_are_refused_and_nothing_is_stored() {
    let f = open();
    let visit = f.visit();
    let cases: [(&str, Vec<u8>, Refusal); 3] = [
        ("bomb.png", fixtures::png_bomb(), |e| {
            matches!(e, MediaError::TooLarge { .. })
        }),
        ("cut.jpg", fixtures::truncated_jpeg(), |e| {
            matches!(e, MediaError::Unreadable { .. })
        }),
        (
            "IMG_0002.heic",
            fixtures::heic(),
            |e| matches!(e, MediaError::UnsupportedFormat { format } if format == "heic"),
        ),
    ];
    for (name, bytes, expected) in cases {
        assert!(bytes.len() < 64 << 10, "{name} is a small file");
        let path = f.picked(name, &bytes);
        let err = f.fs.media().attach_to_visit(&visit, &path).unwrap_err();
        match &err {
            Error::Media(e) => assert!(expected(e), "{name}: {e:?}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(err.remedy(), Remedy::FixInput);
        let message = err.to_string();
        assert!(!message.contains(name), "no file name in {message:?}");
        assert!(!message.contains(&*f.dir.path().to_string_lossy()));
    }
    assert_eq!(f.media_rows(), 0);
    assert!(f.media_files().is_empty());
    assert!(f.fs.visits().get(&visit).unwrap().photos.is_empty());
    assert_eq!(f.fs.media().queue().unwrap(), MediaQueue::default());
}

#[test]
fn deleting_a_visit_removes_the_media_no_other_record_references() {
    let f = open();
    let (first, second) = (f.visit(), f.visit());
    let picked = f.picked("shared.jpg", &jpeg(&gradient(640, 480), None));
    let own = f.picked("own.jpg", &jpeg(&gradient(480, 640), None));
    let shared = f.fs.media().attach_to_visit(&first, &picked).unwrap();
    f.fs.media().attach_to_visit(&second, &picked).unwrap();
    let own = f.fs.media().attach_to_visit(&first, &own).unwrap();
    assert_eq!(f.media_rows(), 4);

    f.fs.visits().delete(&first).unwrap();

    assert_eq!(f.fs.media().file(&own.hash).unwrap(), None);
    assert_eq!(f.fs.media().file(&own.thumbnail).unwrap(), None);
    assert!(
        f.fs.media().file(&shared.hash).unwrap().is_some(),
        "the other visit keeps it"
    );
    assert_eq!(f.media_rows(), 2);
    assert_eq!(f.media_files().len(), 2);

    // The server erasing the other visit (a purge) takes the rest.
    let engine = &f.fs.engine;
    engine
        .store
        .transaction(|tx| engine.store.projections().remove(tx, &second))
        .unwrap();
    assert_eq!(f.media_rows(), 0);
    assert!(f.media_files().is_empty());
}

#[test]
fn uploads_wait_for_their_record_to_sync_and_failures_are_counted() {
    let f = open();
    let visit = f.visit();
    let path = f.picked("photo.jpg", &jpeg(&gradient(640, 480), None));
    let attached = f.fs.media().attach_to_visit(&visit, &path).unwrap();

    assert!(
        f.fs.media().pending_uploads(10).unwrap().is_empty(),
        "the visit goes first"
    );
    f.synced();
    let pending = f.fs.media().pending_uploads(10).unwrap();
    let hashes: Vec<&str> = pending.iter().map(|p| p.hash.as_str()).collect();
    assert_eq!(
        hashes,
        [attached.thumbnail.as_str(), attached.hash.as_str()]
    );
    assert!(pending.iter().all(|p| p.path.is_file()));
    assert_eq!(pending[1].bytes, attached.bytes);
    assert_eq!(f.fs.media().queue().unwrap().uploading, 2);

    f.fs.media()
        .mark_failed(&attached.hash, "server answered 503")
        .unwrap();
    f.fs.media().mark_uploaded(&attached.thumbnail).unwrap();
    let queue = f.fs.media().queue().unwrap();
    assert_eq!((queue.failed, queue.uploaded, queue.queued), (1, 1, 0));
    assert_eq!(queue.bytes_pending, attached.bytes);
    let row =
        f.fs.engine
            .read(|c| table::row(c, &attached.hash))
            .unwrap()
            .unwrap();
    assert_eq!(
        (row.attempts, row.error.as_deref()),
        (1, Some("server answered 503"))
    );
    let retry = f.fs.media().pending_uploads(10).unwrap();
    assert_eq!(retry.len(), 1, "a failed upload is offered again");
}

#[test]
fn the_cache_evicts_the_least_recently_used_download_and_never_an_unsent_capture() {
    let f = open_with(MediaConfig {
        cache_budget_bytes: 2_000,
        ..MediaConfig::default()
    });
    let visit = f.visit();
    let downloads: Vec<Vec<u8>> = (0u8..3).map(|i| vec![i; 1_000]).collect();
    let hashes: Vec<String> = downloads.iter().map(|b| content_hash(b)).collect();
    // Another device's photos: the visit references them, this device does not hold them.
    f.fs.visits()
        .check_out(
            &visit,
            CheckOut {
                photos: hashes.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    let mut wanted = f.fs.media().wanted_downloads(10).unwrap();
    wanted.sort();
    let mut expected = hashes.clone();
    expected.sort();
    assert_eq!(wanted, expected);
    // A large photo captured here, not uploaded: over the budget on its own.
    let captured = f.picked("photo.jpg", &jpeg(&gradient(1200, 900), None));
    let captured = f.fs.media().attach_to_visit(&visit, &captured).unwrap();
    assert!(captured.bytes > 2_000);

    f.fs.media()
        .store_downloaded(&hashes[0], &downloads[0])
        .unwrap();
    f.clock.advance(Duration::minutes(1));
    f.fs.media()
        .store_downloaded(&hashes[1], &downloads[1])
        .unwrap();
    f.clock.advance(Duration::minutes(1));
    assert!(
        f.fs.media().file(&hashes[0]).unwrap().is_some(),
        "used again: now the newest"
    );
    f.clock.advance(Duration::minutes(1));
    f.fs.media()
        .store_downloaded(&hashes[2], &downloads[2])
        .unwrap();

    let held = |h: &str| f.fs.media().file(h).unwrap().is_some();
    assert!(!held(&hashes[1]), "the least recently used download goes");
    assert!(held(&hashes[0]) && held(&hashes[2]));
    assert!(
        held(&captured.hash) && held(&captured.thumbnail),
        "unsent captures stay"
    );
    let item =
        f.fs.media()
            .list(&visit)
            .unwrap()
            .into_iter()
            .find(|i| i.hash == hashes[1])
            .unwrap();
    assert!(!item.local, "listed, to download again");
    assert_eq!(
        f.fs.media().wanted_downloads(10).unwrap(),
        vec![hashes[1].clone()]
    );
}

#[test]
fn downloaded_bytes_that_do_not_match_their_hash_are_refused() {
    let f = open();
    let visit = f.visit();
    let bytes = b"the real thumbnail".to_vec();
    let hash = content_hash(&bytes);
    f.fs.visits()
        .check_out(
            &visit,
            CheckOut {
                photos: vec![hash.clone()],
                ..Default::default()
            },
        )
        .unwrap();

    let err =
        f.fs.media()
            .store_downloaded(&hash, b"tampered bytes")
            .unwrap_err();
    assert!(
        matches!(err, Error::Media(MediaError::HashMismatch { .. })),
        "{err:?}"
    );
    assert_eq!(err.remedy(), Remedy::RetryLater);
    let stray = b"nobody references this";
    let err =
        f.fs.media()
            .store_downloaded(&content_hash(stray), stray)
            .unwrap_err();
    assert!(
        matches!(err, Error::Media(MediaError::Unreferenced { .. })),
        "{err:?}"
    );
    assert_eq!(f.media_rows(), 0);
    assert!(f.media_files().is_empty());

    let path = f.fs.media().store_downloaded(&hash, &bytes).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);
}

#[test]
fn a_file_left_without_its_row_by_a_crash_is_removed_at_the_next_open() {
    let f = open();
    let orphan = content_hash(b"written, then the app was killed");
    let path =
        f.fs.engine
            .store
            .media()
            .write(&orphan, b"written, then the app was killed")
            .unwrap();
    let identity = f.fs.identity().clone();
    let config = f.fs.config().clone();
    let data_dir: &Path = f.dir.path();
    drop(f.fs);
    FieldSales::open(data_dir, identity, config).unwrap();
    assert!(!path.exists());
}
