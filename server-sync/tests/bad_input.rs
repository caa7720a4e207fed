//! Every kind of bad input gets a 4xx JSON error with a reason, and the server keeps serving.

use std::io::Write;

use fieldsales_core::protocol::{
    self, DocChanges, ErrorBody, ErrorCode, LocalChange, SyncRequest, MAGIC, VERSION,
};
use fieldsales_server::Limits;
use fieldsales_testkit::wire;

async fn refused(response: reqwest::Response) -> (u16, ErrorCode, String) {
    let status = response.status().as_u16();
    let body: ErrorBody = response.json().await.expect("a JSON error body");
    (status, body.error.code, body.error.message)
}

fn request(device: &wire::Device, kind: &str, doc_id: &str, changes: usize) -> SyncRequest {
    SyncRequest {
        device_id: device.device_id.clone(),
        cursor: 0,
        docs: vec![DocChanges {
            doc_id: doc_id.into(),
            kind: kind.into(),
            changes: (0..changes)
                .map(|i| LocalChange {
                    seq: i as i64,
                    bytes: vec![1, 2, 3],
                })
                .collect(),
        }],
        resume: None,
        max_answer_bytes: None,
    }
}

#[tokio::test]
async fn malformed_bodies_are_refused_with_the_right_code_and_the_server_keeps_serving() {
    let fx = wire::start_with(|c| {
        c.limits = Limits {
            max_request_bytes: 64 << 10,
            max_decompressed_bytes: 256 << 10,
            max_docs_per_request: 5,
            max_changes_per_request: 10,
            ..Limits::default()
        }
    })
    .await;
    let ann = fx.device("ann").await;
    let doc = uuid::Uuid::now_v7().to_string();

    let (status, code, _) =
        refused(ann.post_sync(b"hello, I am not a sync body".to_vec()).await).await;
    assert_eq!((status, code), (400, ErrorCode::MalformedBody));
    fx.assert_healthy().await;

    let (status, code, _) = refused(ann.post_sync(b"FSY\x01not gzip".to_vec()).await).await;
    assert_eq!((status, code), (400, ErrorCode::MalformedBody));

    let mut other_version = protocol::encode(&request(&ann, "customer", &doc, 1));
    other_version[3] = VERSION + 1;
    let (status, code, message) = refused(ann.post_sync(other_version).await).await;
    assert_eq!((status, code), (415, ErrorCode::UnsupportedVersion));
    assert!(message.contains("version"));

    let wrong_shape = protocol::encode(&vec!["a", "list", "of", "strings"]);
    let (status, code, _) = refused(ann.post_sync(wrong_shape).await).await;
    assert_eq!((status, code), (400, ErrorCode::MalformedBody));

    let unknown_kind = protocol::encode(&request(&ann, "invoice", &doc, 1));
    let (status, code, message) = refused(ann.post_sync(unknown_kind).await).await;
    assert_eq!((status, code), (400, ErrorCode::UnknownKind));
    assert!(message.contains("kind"));

    let bad_doc_id = protocol::encode(&request(&ann, "customer", "customer-42", 1));
    let (status, code, _) = refused(ann.post_sync(bad_doc_id).await).await;
    assert_eq!((status, code), (400, ErrorCode::InvalidField));

    let mut bad_device = request(&ann, "customer", &doc, 1);
    bad_device.device_id = "my phone".into();
    let (status, code, _) = refused(ann.post_sync(protocol::encode(&bad_device)).await).await;
    assert_eq!((status, code), (400, ErrorCode::InvalidField));

    let mut many = request(&ann, "customer", &doc, 1);
    many.docs = (0..6).map(|_| many.docs[0].clone()).collect();
    let (status, code, _) = refused(ann.post_sync(protocol::encode(&many)).await).await;
    assert_eq!((status, code), (400, ErrorCode::TooManyDocuments));
    let too_many_changes = protocol::encode(&request(&ann, "customer", &doc, 11));
    let (status, code, _) = refused(ann.post_sync(too_many_changes).await).await;
    assert_eq!((status, code), (400, ErrorCode::TooManyDocuments));

    let mut resume = request(&ann, "customer", &doc, 0);
    resume.resume = Some("trust me".into());
    let (status, code, _) = refused(ann.post_sync(protocol::encode(&resume)).await).await;
    assert_eq!((status, code), (400, ErrorCode::InvalidField));

    // Bigger than the body limit on the wire.
    let (status, code, _) = refused(ann.post_sync(vec![b'x'; 65 << 10]).await).await;
    assert_eq!((status, code), (413, ErrorCode::PayloadTooLarge));

    // Small on the wire, huge once decompressed.
    let mut bomb = MAGIC.to_vec();
    bomb.push(protocol::Framing::Gzip.version());
    let mut gz = flate2::write::GzEncoder::new(bomb, flate2::Compression::best());
    gz.write_all(&vec![0u8; 4 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 64 << 10);
    let (status, code, _) = refused(ann.post_sync(bomb).await).await;
    assert_eq!((status, code), (413, ErrorCode::PayloadTooLarge));

    fx.assert_healthy().await;
    let ok = ann.send(&request(&ann, "customer", &doc, 0)).await;
    assert!(
        ok.rejected.is_empty(),
        "a good request still works after all that"
    );

    let metrics = fx.metrics().await;
    assert!(metrics.contains("fieldsales_http_errors_total{status=\"400\"}"));
    assert!(metrics.contains("fieldsales_http_errors_total{status=\"413\"}"));
    assert!(metrics.contains("fieldsales_syncs_total 1"));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401_in_json() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let body = protocol::encode(&request(
        &ann,
        "customer",
        &uuid::Uuid::now_v7().to_string(),
        0,
    ));
    for auth in [
        None,
        Some("Bearer "),
        Some("Bearer nonsense"),
        Some("Basic YW5uOnB3"),
    ] {
        let mut req = fx.http.post(fx.url("/v1/sync")).body(body.clone());
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let (status, code, _) = refused(req.send().await.unwrap()).await;
        assert_eq!((status, code), (401, ErrorCode::Unauthorized), "{auth:?}");
    }
    let events = fx.http.get(fx.url("/v1/events")).send().await.unwrap();
    assert_eq!(events.status(), 401);
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_login_bodies_and_unknown_routes_get_json_errors() {
    let fx = wire::start().await;
    let garbage = fx
        .http
        .post(fx.url("/v1/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, code, _) = refused(garbage).await;
    assert_eq!((status, code), (400, ErrorCode::MalformedBody));

    let huge = fx
        .http
        .post(fx.url("/v1/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"tenant\": \"{}\"}}", "a".repeat(64 << 10)))
        .send()
        .await
        .unwrap();
    let (status, code, _) = refused(huge).await;
    assert_eq!((status, code), (413, ErrorCode::PayloadTooLarge));

    let bad_device = fx
        .login("ann", wire::PASSWORD, "not-a-uuid")
        .await
        .unwrap_err();
    assert_eq!(bad_device.0, 400);
    assert_eq!(bad_device.1.error.code, ErrorCode::InvalidField);

    let wrong_method = fx.http.get(fx.url("/v1/sync")).send().await.unwrap();
    let (status, code, _) = refused(wrong_method).await;
    assert_eq!((status, code), (405, ErrorCode::NotFound));

    let missing = fx.http.get(fx.url("/v2/everything")).send().await.unwrap();
    let (status, code, _) = refused(missing).await;
    assert_eq!((status, code), (404, ErrorCode::NotFound));
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}
