//! Media blobs over HTTP: a rep's photo reaches the people who may see the visit and nobody
//! else; the resumable upload survives a restart, stores a blob once, and refuses what is not
//! an image, not the named bytes, too big or out of order; a flood costs bounded work.

use std::collections::BTreeSet;

use fieldsales_core::customer::{NewCustomer, Visibility};
use fieldsales_core::protocol::media::{self, UPLOAD_LENGTH, UPLOAD_OFFSET, UPLOAD_STATE};
use fieldsales_core::protocol::{ErrorBody, ErrorCode, Role};
use fieldsales_core::visit::CheckOut;
use fieldsales_server::media::{delete_unreferenced, BlobStore, UploadState};
use fieldsales_server::storage::sqlite::SqliteStorage;
use fieldsales_server::{Server, ServerConfig};
use fieldsales_testkit::wire::{self, Device, Fixture};
use fieldsales_testkit::Tenant;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

/// A "JPEG": the magic bytes the server sniffs, then `seed`-dependent filler of `len` bytes.
fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len.saturating_sub(4)).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    bytes
}

/// `rep` checks out of a visit to a private customer of theirs with photos `hashes`, and
/// syncs; returns the visit id.
async fn visit_with_photos(rep: &mut Device, hashes: &[&str]) -> String {
    let customer = rep
        .fs
        .customers()
        .create(NewCustomer {
            name: "Photo Shop".into(),
            visibility: Visibility::Private,
            ..Default::default()
        })
        .unwrap();
    let visit = rep.fs.visits().check_in(&customer, None, None).unwrap();
    rep.fs
        .visits()
        .check_out(
            &visit.id,
            CheckOut {
                photos: hashes.iter().map(|h| h.to_string()).collect(),
                ..Default::default()
            },
        )
        .unwrap();
    let answers = rep.sync().await;
    assert!(
        answers.iter().all(|a| a.rejected.is_empty()),
        "the visit is accepted"
    );
    visit.id
}

async fn patch(
    fx: &Fixture,
    token: &str,
    hash: &str,
    offset: u64,
    length: u64,
    chunk: &[u8],
) -> reqwest::Response {
    fx.http
        .patch(fx.url(&media::path(hash)))
        .bearer_auth(token)
        .header(UPLOAD_OFFSET, offset)
        .header(UPLOAD_LENGTH, length)
        .header("content-type", media::CHUNK_CONTENT_TYPE)
        .body(chunk.to_vec())
        .send()
        .await
        .expect("server answers")
}

/// Uploads `bytes` whole in one request.
async fn upload(fx: &Fixture, token: &str, bytes: &[u8]) -> reqwest::Response {
    let hash = media::content_hash(bytes);
    patch(fx, token, &hash, 0, bytes.len() as u64, bytes).await
}

/// `Upload-Offset` and `Upload-State` of a `HEAD`, or its status when it is not 200.
async fn head(fx: &Fixture, token: &str, hash: &str) -> Result<(u64, String), StatusCode> {
    let response = fx
        .http
        .head(fx.url(&media::path(hash)))
        .bearer_auth(token)
        .send()
        .await
        .expect("server answers");
    if response.status() != StatusCode::OK {
        return Err(response.status());
    }
    let header = |name| {
        response.headers()[name]
            .to_str()
            .expect("ascii header")
            .to_string()
    };
    Ok((header(UPLOAD_OFFSET).parse().unwrap(), header(UPLOAD_STATE)))
}

async fn download(fx: &Fixture, token: &str, hash: &str) -> reqwest::Response {
    fx.http
        .get(fx.url(&media::path(hash)))
        .bearer_auth(token)
        .send()
        .await
        .expect("server answers")
}

async fn refusal(response: reqwest::Response) -> (StatusCode, ErrorCode) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.error.code)
}

fn blob_files(fx: &Fixture) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    count(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }
    count(&fx.data.path().join("server").join("media"))
}

#[tokio::test]
async fn a_reps_photo_and_thumbnail_reach_the_teams_manager_byte_identical() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let max = fx.device("max").await;
    let (image, thumb) = (jpeg(1, 300_000), jpeg(2, 9_000));
    let (image_hash, thumb_hash) = (media::content_hash(&image), media::content_hash(&thumb));
    visit_with_photos(&mut ann, &[&image_hash, &thumb_hash]).await;

    for bytes in [&image, &thumb] {
        let answer = upload(&fx, &ann.token, bytes).await;
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        assert_eq!(answer.headers()[UPLOAD_STATE], media::STATE_COMPLETE);
    }
    for (hash, bytes) in [(&image_hash, &image), (&thumb_hash, &thumb)] {
        let got = download(&fx, &max.token, hash).await;
        assert_eq!(got.status(), StatusCode::OK);
        assert_eq!(got.headers()["content-type"], "image/jpeg");
        assert_eq!(got.headers()["etag"], format!("\"{hash}\"").as_str());
        assert!(got.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert_eq!(
            &got.bytes().await.unwrap()[..],
            &bytes[..],
            "byte-identical"
        );
    }
    assert_eq!(
        head(&fx, &max.token, &image_hash).await,
        Ok((image.len() as u64, media::STATE_COMPLETE.to_string()))
    );
    let revalidated = fx
        .http
        .get(fx.url(&media::path(&image_hash)))
        .bearer_auth(&max.token)
        .header("if-none-match", format!("\"{image_hash}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(
        revalidated.status(),
        StatusCode::NOT_MODIFIED,
        "a cached copy is still good"
    );
}

#[tokio::test]
async fn nobody_who_may_not_see_the_visit_learns_the_blob_exists() {
    let fx = wire::start().await;
    let other =
        Tenant::new("globex", wire::PASSWORD)
            .team("east")
            .member("zed", Role::Rep, Some("east"));
    fx.seed(&other).await;
    let mut ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let cat = fx.device("cat").await;
    let photo = jpeg(3, 5_000);
    let hash = media::content_hash(&photo);
    visit_with_photos(&mut ann, &[&hash]).await;
    assert_eq!(
        upload(&fx, &ann.token, &photo).await.status(),
        StatusCode::NO_CONTENT
    );

    // zed of globex, on a device of their own.
    let zed_device = uuid::Uuid::now_v7().to_string();
    let zed = fx
        .login_answer("globex", "zed", wire::PASSWORD, &zed_device)
        .await
        .login();

    for (who, token) in [
        ("a rep of another team", &cat.token),
        (
            "a teammate who may not see the private customer",
            &bob.token,
        ),
        ("another tenant", &zed.token),
    ] {
        let got = download(&fx, token, &hash).await;
        assert_eq!(got.status(), StatusCode::NOT_FOUND, "{who}: download");
        assert_eq!(
            head(&fx, token, &hash).await,
            Err(StatusCode::NOT_FOUND),
            "{who}: head"
        );
        let again = upload(&fx, token, &photo).await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "{who}: upload");
    }
    // A hash nobody refers to is not found even for its uploader.
    let stray = jpeg(4, 100);
    assert_eq!(
        upload(&fx, &ann.token, &stray).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&fx, &ann.token, &media::content_hash(&stray))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn media_needs_a_live_session_and_a_well_formed_hash() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let photo = jpeg(5, 1_000);
    let hash = media::content_hash(&photo);
    visit_with_photos(&mut ann, &[&hash]).await;

    let bare = fx
        .http
        .get(fx.url(&media::path(&hash)))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED, "no token");
    assert_eq!(
        download(&fx, &"f".repeat(64), &hash).await.status(),
        StatusCode::UNAUTHORIZED,
        "a forged token"
    );
    let (status, code) = refusal(download(&fx, &ann.token, &hash.to_uppercase()).await).await;
    assert_eq!(
        (status, code),
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidField)
    );
    assert_eq!(
        download(&fx, &ann.token, "..%2F..%2Fetc").await.status(),
        StatusCode::BAD_REQUEST
    );

    assert_eq!(fx.logout(&ann.token).await, StatusCode::NO_CONTENT);
    assert_eq!(
        upload(&fx, &ann.token, &photo).await.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked session"
    );
}

#[tokio::test]
async fn uploads_out_of_bounds_of_the_protocol_are_refused_and_leave_nothing() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let photo = jpeg(6, 20_000);
    let text = b"this is a text file somebody named photo.jpg".to_vec();
    let big = jpeg(7, media::MAX_BLOB_BYTES as usize + 1);
    let (hash, text_hash, big_hash) = (
        media::content_hash(&photo),
        media::content_hash(&text),
        media::content_hash(&big),
    );
    let liar = media::content_hash(b"the bytes it claims to be");
    visit_with_photos(&mut ann, &[&hash, &text_hash, &big_hash, &liar]).await;

    let declared = big.len() as u64;
    let (status, code) =
        refusal(patch(&fx, &ann.token, &big_hash, 0, declared, &big[..1000]).await).await;
    assert_eq!(
        (status, code),
        (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
    );
    let oversized_chunk = jpeg(8, media::MAX_CHUNK_BYTES + 1);
    let answer = patch(&fx, &ann.token, &hash, 0, 20_000, &oversized_chunk).await;
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let (status, code) = refusal(upload(&fx, &ann.token, &text).await).await;
    assert_eq!(
        (status, code),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType
        )
    );

    let answer = patch(&fx, &ann.token, &hash, 0, 20_000, &photo[..8_000]).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let wrong = patch(&fx, &ann.token, &hash, 4_000, 20_000, &photo[4_000..]).await;
    assert_eq!(wrong.status(), StatusCode::CONFLICT);
    assert_eq!(
        wrong.headers()[UPLOAD_OFFSET],
        "8000",
        "the server says where it stands"
    );
    assert_eq!(refusal(wrong).await.1, ErrorCode::OffsetMismatch);

    // Bytes that are an image but not the ones named.
    let other = jpeg(9, 3_000);
    let (status, code) =
        refusal(patch(&fx, &ann.token, &liar, 0, other.len() as u64, &other).await).await;
    assert_eq!(
        (status, code),
        (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::HashMismatch)
    );
    assert_eq!(
        head(&fx, &ann.token, &liar).await,
        Ok((0, media::STATE_PARTIAL.to_string())),
        "the mismatched bytes were discarded"
    );
    assert_eq!(
        download(&fx, &ann.token, &liar).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&fx, &ann.token, &text_hash).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_upload_resumes_after_a_restart_and_a_blob_is_stored_once() {
    let mut fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let photo = jpeg(10, 50_000);
    let hash = media::content_hash(&photo);
    visit_with_photos(&mut ann, &[&hash]).await;
    let length = photo.len() as u64;
    assert_eq!(
        patch(&fx, &ann.token, &hash, 0, length, &photo[..20_000])
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // A new server over the same data directory.
    let server = std::mem::replace(
        &mut fx.server,
        Server::start(ServerConfig::for_tests(fx.data.path().join("server")))
            .await
            .unwrap(),
    );
    server.abort().await;
    assert_eq!(
        head(&fx, &ann.token, &hash).await,
        Ok((20_000, media::STATE_PARTIAL.to_string())),
        "the received bytes survived the restart"
    );
    let rest = patch(&fx, &ann.token, &hash, 20_000, length, &photo[20_000..]).await;
    assert_eq!(rest.status(), StatusCode::NO_CONTENT);
    assert_eq!(rest.headers()[UPLOAD_STATE], media::STATE_COMPLETE);
    assert_eq!(blob_files(&fx), 1, "one blob, no chunks left over");

    // The same blob again (a device that lost the answer): complete at once, still one copy.
    let again = upload(&fx, &ann.token, &photo).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    assert_eq!(again.headers()[UPLOAD_STATE], media::STATE_COMPLETE);
    assert_eq!(blob_files(&fx), 1);
    let got = download(&fx, &ann.token, &hash).await;
    assert_eq!(&got.bytes().await.unwrap()[..], &photo[..]);
}

#[tokio::test]
async fn a_flood_of_uploads_from_one_device_is_answered_without_piling_up() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let photo = jpeg(11, 10_000);
    let hash = media::content_hash(&photo);
    visit_with_photos(&mut ann, &[&hash]).await;

    // Two uploads whose bodies never finish hold the device's two upload slots.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut socket = tokio::net::TcpStream::connect(fx.server.addr())
            .await
            .unwrap();
        let head = format!(
            "PATCH {} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n{UPLOAD_OFFSET}: 0\r\n\
             {UPLOAD_LENGTH}: 10000\r\ncontent-length: 10000\r\n\r\n",
            media::path(&hash),
            ann.token
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(&photo[..100]).await.unwrap();
        held.push(socket);
    }
    // Once the server holds both (its gauge says so), the device's next chunk is refused.
    let mut in_flight = None;
    for _ in 0..10_000 {
        in_flight = fx.metric("fieldsales_media_uploads_in_flight").await;
        if in_flight == Some(2.0) {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(in_flight, Some(2.0));
    let refused = patch(&fx, &ann.token, &hash, 0, 10_000, &photo).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());

    // A flood of small requests: each is refused, none is stored.
    let floods = (0..200u32).map(|i| {
        let stray = media::content_hash(&i.to_be_bytes());
        let (fx, token) = (&fx, &ann.token);
        async move {
            patch(fx, token, &stray, 0, 4, b"\xFF\xD8\xFF\xE0")
                .await
                .status()
        }
    });
    for status in futures_util::future::join_all(floods).await {
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
    }
    assert_eq!(blob_files(&fx), 0);

    // The held slots come back when their connections go.
    drop(held);
    for _ in 0..10_000 {
        in_flight = fx.metric("fieldsales_media_uploads_in_flight").await;
        if in_flight == Some(0.0) {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(in_flight, Some(0.0));
    let answered = upload(&fx, &ann.token, &photo).await.status();
    assert_eq!(answered, StatusCode::NO_CONTENT);
    fx.assert_healthy().await;
}

#[tokio::test]
async fn a_blob_whose_last_reference_is_gone_is_deleted_and_a_referenced_one_kept() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let (kept, dropped) = (jpeg(12, 2_000), jpeg(13, 2_000));
    let (kept_hash, dropped_hash) = (media::content_hash(&kept), media::content_hash(&dropped));
    let dropped_visit = visit_with_photos(&mut ann, &[&dropped_hash]).await;
    visit_with_photos(&mut ann, &[&kept_hash]).await;
    for bytes in [&kept, &dropped] {
        assert_eq!(
            upload(&fx, &ann.token, bytes).await.status(),
            StatusCode::NO_CONTENT
        );
    }

    // What a purge of the visit does to the index (the purge itself is another issue).
    let data_dir = fx.data.path().join("server");
    let db = rusqlite::Connection::open(data_dir.join("fieldsales-server.sqlite3")).unwrap();
    db.execute("DELETE FROM media_refs WHERE doc_id = ?1", [&dropped_visit])
        .unwrap();
    let storage = SqliteStorage::open(&data_dir).unwrap();
    let blobs = BlobStore::local(&data_dir.join("media")).unwrap();
    let tenant = fx.users["ann"].tenant_id.clone();
    let hashes = BTreeSet::from([kept_hash.clone(), dropped_hash.clone()]);
    let deleted = delete_unreferenced(&storage, &blobs, &tenant, &hashes)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(
        blobs.state(&tenant, &dropped_hash).await.unwrap(),
        UploadState::Partial { offset: 0 }
    );
    let got = download(&fx, &ann.token, &kept_hash).await;
    assert_eq!(&got.bytes().await.unwrap()[..], &kept[..]);

    // An upload abandoned half-way is removed by the periodic sweep; stored blobs stay.
    let abandoned = jpeg(14, 4_000);
    let abandoned_hash = media::content_hash(&abandoned);
    visit_with_photos(&mut ann, &[&abandoned_hash]).await;
    let half = patch(
        &fx,
        &ann.token,
        &abandoned_hash,
        0,
        4_000,
        &abandoned[..2_000],
    )
    .await;
    assert_eq!(half.status(), StatusCode::NO_CONTENT);
    let dropped = blobs
        .drop_stale_uploads(std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(
        head(&fx, &ann.token, &abandoned_hash).await,
        Ok((0, media::STATE_PARTIAL.to_string()))
    );
    let got = download(&fx, &ann.token, &kept_hash).await;
    assert_eq!(
        got.status(),
        StatusCode::OK,
        "a stored blob is not an upload"
    );
}
