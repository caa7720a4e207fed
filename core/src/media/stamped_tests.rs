//! The tenant's photo watermark on a device: delivered by a sync answer, kept in the store,
//! burned into visit photos while on, and absent by default.

use std::sync::Arc;

use chrono::Utc;
use image::{Rgb, RgbImage};

use super::fixtures::jpeg;
use super::shrink;
use super::watermark::{burn, placement, Stamp};
use super::MediaConfig;
use crate::protocol::{SyncResponse, TenantSettings};
use crate::sync::fake::FakeTransport;
use crate::sync::testing::{customer, device};
use crate::visit::Fix;
use crate::FieldSales;

const SHANGHAI: Fix = Fix {
    lat: 31.2304,
    lon: 121.4737,
    accuracy_m: None,
};

/// A bright, even photo: text and box show plainly on it.
fn bright_photo(dir: &std::path::Path, width: u32, height: u32) -> std::path::PathBuf {
    let path = dir.join("shop-front.jpg");
    let pixels = RgbImage::from_pixel(width, height, Rgb([250, 230, 200]));
    std::fs::write(&path, jpeg(&pixels, None)).unwrap();
    path
}

async fn set_watermark(fake: &FakeTransport, fs: &FieldSales, on: bool) {
    fake.queue_answer(SyncResponse {
        settings: Some(TenantSettings {
            photo_watermark: on,
            ..TenantSettings::default()
        }),
        ..Default::default()
    });
    fs.sync().sync_async().await.unwrap();
}

fn checked_in_visit(fs: &FieldSales) -> String {
    let shop = customer(fs, "上海明远机电");
    fs.visits()
        .check_in(&shop, None, Some(SHANGHAI))
        .unwrap()
        .id
}

fn decoded(fs: &FieldSales, hash: &str) -> RgbImage {
    let path = fs.media().file(hash).unwrap().expect("the device holds it");
    image::open(path).unwrap().into_rgb8()
}

fn luma(p: &Rgb<u8>) -> f64 {
    0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
}

#[tokio::test]
async fn with_the_tenant_watermark_on_a_visit_photo_has_light_text_on_a_dark_corner_and_is_unchanged_elsewhere(
) {
    let fake = Arc::new(FakeTransport::default());
    let (fs, dir) = device(&fake).await;
    set_watermark(&fake, &fs, true).await;
    let visit = checked_in_visit(&fs);
    let photo = bright_photo(dir.path(), 2000, 1500);

    let attached = fs.media().attach_to_visit(&visit, &photo).unwrap();

    let plain = shrink::shrink(&photo, &MediaConfig::default()).unwrap();
    assert_ne!(attached.hash, plain.image.hash);
    assert_ne!(
        attached.thumbnail, plain.thumbnail.hash,
        "the thumbnail is made from the stamped photo"
    );
    let stamped = decoded(&fs, &attached.hash);
    let plain = image::load_from_memory(&plain.image.bytes)
        .unwrap()
        .into_rgb8();
    let (width, height) = stamped.dimensions();
    assert_eq!((width, height), (1920, 1440));

    // Where the text and the box fall: the same stamp burned into black and into white.
    let stamp = Stamp::new(Utc::now(), 480, Some((SHANGHAI.lat, SHANGHAI.lon)));
    let at = placement(width, height, &stamp);
    let mut on_black = RgbImage::new(width, height);
    burn(&mut on_black, &stamp);
    let ink = |x: u32, y: u32| on_black.get_pixel(x, y)[0] > 128;
    let (mut ink_luma, mut ink_n, mut box_luma, mut box_n) = (0.0, 0u32, 0.0, 0u32);
    for y in at.y + 4..at.y + at.height - 4 {
        for x in at.x + 4..at.x + at.width - 4 {
            // Away from the edges between ink and box, where JPEG blurs one into the other.
            let inks_within = |r: u32| {
                (x - r..=x + r)
                    .flat_map(|nx| (y - r..=y + r).map(move |ny| (nx, ny)))
                    .filter(|(nx, ny)| ink(*nx, *ny))
                    .count()
            };
            let inks = inks_within(3);
            if inks_within(1) == 9 {
                ink_luma += luma(stamped.get_pixel(x, y));
                ink_n += 1;
            } else if inks == 0 {
                box_luma += luma(stamped.get_pixel(x, y));
                box_n += 1;
            }
        }
    }
    assert!(ink_n > 100 && box_n > 1000, "ink {ink_n}, box {box_n}");
    let (ink_luma, box_luma) = (ink_luma / f64::from(ink_n), box_luma / f64::from(box_n));
    assert!(ink_luma > 200.0, "the text is light: {ink_luma}");
    assert!(box_luma < 110.0, "the box is dark: {box_luma}");
    assert!(
        luma(plain.get_pixel(at.x + 2, at.y + 2)) > 200.0,
        "the photo itself is bright there"
    );

    for y in 0..height / 2 {
        for x in 0..width {
            assert_eq!(
                stamped.get_pixel(x, y),
                plain.get_pixel(x, y),
                "({x}, {y}) far from the corner is the plain photo's"
            );
        }
    }
}

#[tokio::test]
async fn without_the_setting_photos_are_the_plain_shrink_and_turning_it_off_again_stops_the_stamp()
{
    let fake = Arc::new(FakeTransport::default());
    let (fs, dir) = device(&fake).await;
    let visit = checked_in_visit(&fs);
    let photo = bright_photo(dir.path(), 800, 600);
    let plain = shrink::shrink(&photo, &MediaConfig::default()).unwrap();

    // A store that never heard from its tenant, and a server that sends no settings.
    assert_eq!(
        fs.media().attach_to_visit(&visit, &photo).unwrap().hash,
        plain.image.hash
    );
    fake.queue_answer(SyncResponse::default());
    fs.sync().sync_async().await.unwrap();
    assert_eq!(
        fs.media().attach_to_visit(&visit, &photo).unwrap().hash,
        plain.image.hash
    );
    assert!(!fs.sync().tenant_settings().unwrap().photo_watermark);

    set_watermark(&fake, &fs, true).await;
    assert!(fs.sync().tenant_settings().unwrap().photo_watermark);
    assert_ne!(
        fs.media().attach_to_visit(&visit, &photo).unwrap().hash,
        plain.image.hash
    );
    let shop = customer(&fs, "营业执照");
    assert_eq!(
        fs.media().attach_to_customer(&shop, &photo).unwrap().hash,
        plain.image.hash,
        "a customer's documents are never stamped"
    );

    set_watermark(&fake, &fs, false).await;
    assert_eq!(
        fs.media().attach_to_visit(&visit, &photo).unwrap().hash,
        plain.image.hash
    );
}
