//! Who may still reach a media blob, and how often: a deleted visit no longer opens its
//! photos, a photo named by hundreds of records is judged on all of them, and one user reading
//! media in a loop is told to wait (429) while everyone else is served.

use fieldsales_core::customer::{NewCustomer, Visibility};
use fieldsales_core::protocol::media::{self, UPLOAD_LENGTH, UPLOAD_OFFSET};
use fieldsales_core::protocol::{ErrorBody, ErrorCode};
use fieldsales_core::visit::CheckOut;
use fieldsales_testkit::wire::{self, Device, Fixture};
use reqwest::StatusCode;

/// A "JPEG": the magic bytes the server sniffs, then filler.
fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len.saturating_sub(4)).map(|i| (i as u8).wrapping_mul(17) ^ seed));
    bytes
}

fn private_customer(rep: &Device) -> String {
    rep.fs
        .customers()
        .create(NewCustomer {
            name: "Photo Shop".into(),
            visibility: Visibility::Private,
            ..Default::default()
        })
        .unwrap()
}

/// `visits` visits of `rep` to `customer`, each with photo `hash`; returns their ids.
fn visits_with_photo(rep: &Device, customer: &str, hash: &str, visits: usize) -> Vec<String> {
    (0..visits)
        .map(|_| {
            let visit = rep.fs.visits().check_in(customer, None, None).unwrap();
            rep.fs
                .visits()
                .check_out(
                    &visit.id,
                    CheckOut {
                        photos: vec![hash.to_string()],
                        ..Default::default()
                    },
                )
                .unwrap();
            visit.id
        })
        .collect()
}

async fn synced(rep: &mut Device) {
    let answers = rep.sync().await;
    assert!(answers.iter().all(|a| a.rejected.is_empty()), "accepted");
}

async fn upload(fx: &Fixture, token: &str, bytes: &[u8]) -> StatusCode {
    fx.http
        .patch(fx.url(&media::path(&media::content_hash(bytes))))
        .bearer_auth(token)
        .header(UPLOAD_OFFSET, 0)
        .header(UPLOAD_LENGTH, bytes.len())
        .header("content-type", media::CHUNK_CONTENT_TYPE)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
        .status()
}

async fn get(fx: &Fixture, token: &str, hash: &str) -> reqwest::Response {
    fx.http
        .get(fx.url(&media::path(hash)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn head(fx: &Fixture, token: &str, hash: &str) -> reqwest::Response {
    fx.http
        .head(fx.url(&media::path(hash)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deleted_visit_no_longer_opens_its_photo_to_the_manager() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut max = fx.device("max").await;
    let photo = jpeg(1, 4_000);
    let hash = media::content_hash(&photo);
    let shop = private_customer(&ann);
    let visit = visits_with_photo(&ann, &shop, &hash, 1).remove(0);
    synced(&mut ann).await;
    assert_eq!(
        upload(&fx, &ann.token, &photo).await,
        StatusCode::NO_CONTENT
    );
    max.sync().await;
    assert_eq!(get(&fx, &max.token, &hash).await.status(), StatusCode::OK);

    ann.fs.visits().delete(&visit).unwrap();
    synced(&mut ann).await;

    assert_eq!(
        get(&fx, &max.token, &hash).await.status(),
        StatusCode::NOT_FOUND,
        "the manager's GET"
    );
    assert_eq!(
        head(&fx, &ann.token, &hash).await.status(),
        StatusCode::NOT_FOUND,
        "the rep's own HEAD: no live record names it"
    );
}

#[tokio::test]
async fn a_photo_named_by_hundreds_of_records_is_reached_through_the_one_the_user_may_see() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let cat = fx.device("cat").await;
    let photo = jpeg(2, 4_000);
    let hash = media::content_hash(&photo);
    // 300 visits bob may not see (ann's private customer) come first in id order...
    let shop = private_customer(&ann);
    visits_with_photo(&ann, &shop, &hash, 300);
    synced(&mut ann).await;
    assert_eq!(
        upload(&fx, &ann.token, &photo).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&fx, &bob.token, &hash).await.status(),
        StatusCode::NOT_FOUND
    );
    // ...then bob's own visit names the same photo.
    let his = private_customer(&bob);
    visits_with_photo(&bob, &his, &hash, 1);
    synced(&mut bob).await;

    let got = get(&fx, &bob.token, &hash).await;
    assert_eq!(got.status(), StatusCode::OK, "through the 301st referrer");
    assert_eq!(&got.bytes().await.unwrap()[..], &photo[..]);
    assert_eq!(
        get(&fx, &cat.token, &hash).await.status(),
        StatusCode::NOT_FOUND,
        "another team's rep sees none of the 301"
    );
}

#[tokio::test]
async fn a_user_reading_media_in_a_loop_is_told_to_wait_and_others_are_served() {
    let fx = wire::start_with(|c| c.media.max_reads_per_user_per_minute = 5).await;
    let mut ann = fx.device("ann").await;
    let max = fx.device("max").await;
    let photo = jpeg(3, 4_000);
    let hash = media::content_hash(&photo);
    let shop = private_customer(&ann);
    visits_with_photo(&ann, &shop, &hash, 1);
    synced(&mut ann).await;
    assert_eq!(
        upload(&fx, &ann.token, &photo).await,
        StatusCode::NO_CONTENT
    );

    // Guessed hashes count too: probing is reading.
    for seed in 0..3u8 {
        let guess = media::content_hash(&[seed]);
        assert_eq!(
            get(&fx, &max.token, &guess).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(head(&fx, &max.token, &hash).await.status(), StatusCode::OK);
    assert_eq!(get(&fx, &max.token, &hash).await.status(), StatusCode::OK);

    // A bounded flood past the limit: every read refused, none served.
    for _ in 0..20 {
        let refused = get(&fx, &max.token, &hash).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        let body: ErrorBody = refused.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::RateLimited);
    }
    assert_eq!(
        head(&fx, &max.token, &hash).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        get(&fx, &ann.token, &hash).await.status(),
        StatusCode::OK,
        "another user keeps their own budget"
    );
    let limited = fx.metric("fieldsales_media_reads_limited_total").await;
    assert_eq!(limited, Some(21.0));
    fx.assert_healthy().await;
}
