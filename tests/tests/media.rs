//! Media through the device's transport against a real server: a rep's photo and thumbnail
//! go up in chunks, survive a connection cut mid-upload by resuming from the server's offset,
//! are not sent twice, and come down byte-identical to the team's manager but not to another
//! team's rep.

use fieldsales_core::customer::Visibility;
use fieldsales_core::protocol::media;
use fieldsales_core::visit::CheckOut;
use fieldsales_core::{Error, Remedy};
use fieldsales_e2e::{Device, Fault, World};

/// A "JPEG" (the magic bytes the server sniffs) of `len` bytes.
fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE1];
    bytes.extend((0..len - 4).map(|i| (i as u8).wrapping_mul(17) ^ seed));
    bytes
}

/// `device` writes `bytes` into its directory under their hash; returns the hash and path.
fn stored(device: &Device, bytes: &[u8]) -> (String, std::path::PathBuf) {
    let hash = media::content_hash(bytes);
    let path = device.data_dir().join(format!("{hash}.jpg"));
    std::fs::write(&path, bytes).unwrap();
    (hash, path)
}

#[test]
fn a_photo_upload_cut_mid_way_resumes_and_reaches_the_manager_byte_identical() {
    let world = World::start();
    let ann = world.device("ann");
    let mia = world.device("mia");
    let sam = world.device("sam");
    let image = jpeg(1, 5 * media::CHUNK_BYTES / 2 + 10_000);
    let thumb = jpeg(2, 8_000);
    let (image_hash, image_path) = stored(&ann, &image);
    let (thumb_hash, thumb_path) = stored(&ann, &thumb);

    // The record first, then its media (the order the upload queue keeps).
    let customer = ann.add_customer("Photo Shop", Visibility::Private);
    let visit = ann.fs.visits().check_in(&customer, None, None).unwrap();
    ann.fs
        .visits()
        .check_out(
            &visit.id,
            CheckOut {
                photos: vec![image_hash.clone(), thumb_hash.clone()],
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync();
    assert_eq!(ann.fs.sync().media_offset(&image_hash).unwrap(), (0, false));

    // The first chunk lands; the second lands too but its answer is lost on the way back.
    let before = world.proxy.arrivals();
    world.proxy.plan([Fault::Pass, Fault::DropAnswer]);
    let cut = ann
        .fs
        .sync()
        .upload_media(&image_hash, &image_path, &mut |_, _| {})
        .unwrap_err();
    assert_eq!(cut.remedy(), Remedy::RetryLater, "{cut:?}");
    let held = 2 * media::CHUNK_BYTES as u64;
    assert_eq!(
        ann.fs.sync().media_offset(&image_hash).unwrap(),
        (held, false)
    );

    // Called again, it goes on from the server's offset: one more chunk, not three.
    let mut seen = Vec::new();
    let length = ann
        .fs
        .sync()
        .upload_media(&image_hash, &image_path, &mut |sent, total| {
            seen.push((sent, total))
        })
        .unwrap();
    assert_eq!(length, image.len() as u64);
    assert_eq!(
        seen.first(),
        Some(&(held, image.len() as u64)),
        "resumed, not restarted"
    );
    assert_eq!(world.proxy.arrivals() - before, 3);

    // Already there: returns at once, nothing sent.
    let again = ann
        .fs
        .sync()
        .upload_media(&image_hash, &image_path, &mut |_, _| {})
        .unwrap();
    assert_eq!(again, image.len() as u64);
    assert_eq!(world.proxy.arrivals() - before, 3);
    ann.fs
        .sync()
        .upload_media(&thumb_hash, &thumb_path, &mut |_, _| {})
        .unwrap();

    assert_eq!(mia.fs.sync().download_media(&image_hash).unwrap(), image);
    assert_eq!(mia.fs.sync().download_media(&thumb_hash).unwrap(), thumb);
    let refused = sam.fs.sync().download_media(&image_hash).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Sync(fieldsales_core::sync::SyncError::MediaNotAvailable)
        ),
        "another team's rep learns nothing: {refused:?}"
    );
    assert_eq!(refused.remedy(), Remedy::Reload);
}

#[test]
fn a_file_that_is_not_the_named_blob_is_refused_before_anything_is_sent() {
    let world = World::start();
    let ann = world.device("ann");
    let (hash, path) = stored(&ann, &jpeg(3, 1_000));
    std::fs::write(&path, jpeg(4, 1_000)).unwrap();
    let customer = ann.add_customer("Photo Shop", Visibility::Private);
    let visit = ann.fs.visits().check_in(&customer, None, None).unwrap();
    ann.fs
        .visits()
        .check_out(
            &visit.id,
            CheckOut {
                photos: vec![hash.clone()],
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync();
    let before = world.proxy.arrivals();
    let refused = ann
        .fs
        .sync()
        .upload_media(&hash, &path, &mut |_, _| {})
        .unwrap_err();
    assert_eq!(refused.remedy(), Remedy::FixInput, "{refused:?}");
    assert_eq!(world.proxy.arrivals(), before, "no chunk went out");
}
