//! `photo_sync`: a rep's day of photos going up after their records, over loopback, with the
//! connection lost once mid-way.
//!
//! A rep checks in at [`PHOTOS`] customers, one photo each (camera-like JPEGs made here, shrunk
//! by the core as an app would hand them over), offline; then syncs. The connection is cut
//! once, when about half the photos' bytes have gone up: that sync fails, and the next one
//! finishes the queue. `photos_per_s` is the photos uploaded over the wall time of both syncs
//! (the records go first in each: they are part of what the rep waits for); `resumed_bytes`
//! is what the server already held of blobs the cut left unfinished, so was not sent again;
//! `wire_bytes_up` is everything that crossed the proxy, HTTP included, against `media_bytes`,
//! the photos and thumbnails themselves.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use fieldsales_core::customer::{NewCustomer, Visibility};
use fieldsales_core::Config;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{device, LoopbackServer};
use serde_json::{json, Map};

use super::photo::camera_jpeg;
use super::sync_world::{tenant, CountingProxy, SEED};
use super::{round, Outcome};
use crate::Result;

/// Photos in the day.
const PHOTOS: usize = 100;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let work = dir.join("photo_sync");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let server = LoopbackServer::start(ServerConfig::for_tests(work.join("server")))?;
    server.seed(&tenant())?;
    let proxy = CountingProxy::start(&server.runtime, server.addr())?;
    let rep = device::sign_in(
        &work.join("rep"),
        &tenant().login(&proxy.url(), SEED),
        Config::default(),
    )?;

    // The day, offline: a check-in and a photo at each customer.
    for n in 0..PHOTOS {
        let customer = rep.customers().create(NewCustomer {
            name: format!("照片客户{n}"),
            visibility: Visibility::Team,
            ..Default::default()
        })?;
        let visit = rep.visits().check_in(&customer, None, None)?;
        let file = work.join("camera.jpg");
        camera_jpeg(&file, 2400, 1800, n as u64)?;
        rep.media().attach_to_visit(&visit.id, &file)?;
    }
    let media_bytes = rep.media().queue()?.bytes_pending;

    proxy.take();
    proxy.cut_after(media_bytes / 2);
    let start = Instant::now();
    let cut = rep.sync().sync_now();
    let after_cut = rep.media().queue()?;
    // What the server already holds of what is still queued: sent before the cut, not again.
    let mut resumed = 0u64;
    for item in rep.media().pending_uploads(u32::MAX)? {
        let (held, complete) = rep.sync().media_offset(&item.hash)?;
        if !complete {
            resumed += held;
        }
    }
    let report = rep.sync().sync_now()?;
    let secs = start.elapsed().as_secs_f64();
    let (up, _) = proxy.take();
    let done = rep.media().queue()?;
    server.shutdown()?;

    let mut figures = Map::new();
    figures.insert("photos".into(), json!(PHOTOS));
    figures.insert("seconds".into(), json!(round(secs)));
    figures.insert("photos_per_s".into(), json!(round(PHOTOS as f64 / secs)));
    figures.insert("media_bytes".into(), json!(media_bytes));
    figures.insert("wire_bytes_up".into(), json!(up));
    figures.insert("cut_sync_failed".into(), json!(cut.is_err()));
    figures.insert("uploaded_before_cut".into(), json!(after_cut.uploaded));
    figures.insert("resumed_bytes".into(), json!(resumed));
    figures.insert("uploaded_after_resume".into(), json!(report.media_uploaded));
    let mut targets = BTreeMap::new();
    targets.insert(
        "every photo and thumbnail uploaded, once".to_string(),
        done.uploaded == 2 * PHOTOS as u64 && done.queued + done.failed + done.uploading == 0,
    );
    targets.insert(
        "the cut sync failed and was finished by the next".to_string(),
        cut.is_err(),
    );
    Ok(Outcome { figures, targets })
}
