//! Photos and documents on the command line: `visit photo add`, `customer document add` and
//! `media list|get|status`, on a store in a temporary directory; one scenario with a real
//! server on loopback, where a manager downloads a rep's photo.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::tenant::ACME_PASSWORD;
use fieldsales_testkit::{acme, LoopbackServer};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, RgbImage};
use serde_json::Value;
use tempfile::TempDir;

/// A scripted rep on a fresh store, at a fixed time (2026-03-02 09:00 China time).
struct Session {
    dir: TempDir,
}

impl Session {
    fn new() -> Self {
        Session {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("fieldsales").expect("binary built");
        cmd.env("FIELDSALES_DATA_DIR", self.dir.path().join("data"))
            .env("FIELDSALES_USER", "rep-1")
            .env("FIELDSALES_TEAM", "north")
            .env("FIELDSALES_NOW", "2026-03-02 09:00")
            .args(args);
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let out = self
            .cmd(&full)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("--json prints one JSON document")
    }

    fn text(&self, args: &[&str]) -> String {
        let out = self
            .cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8").trim().to_string()
    }

    /// A planned visit at a new customer.
    fn visit(&self) -> String {
        let customer = self.text(&["customer", "add", "--name", "上海明远机电"]);
        self.text(&["visit", "plan", &customer, "--at", "2026-03-02 10:00"])
    }

    /// A file in the session's directory (outside the store).
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A smooth colour gradient: a photo-like picture that JPEG encodes well.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// Writes a `width` × `height` gradient JPEG at `path`, as a camera would leave it.
fn write_jpeg(path: &Path, width: u32, height: u32) {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&gradient(width, height))
        .expect("the gradient encodes");
    std::fs::write(path, bytes).expect("the photo is written");
}

/// The JPEG at `path`: its width and height, checked to be a JPEG that decodes.
fn jpeg_dimensions(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the file was written");
    assert_eq!(
        image::guess_format(&bytes).expect("a known format"),
        ImageFormat::Jpeg
    );
    let decoded =
        image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).expect("the JPEG decodes");
    (decoded.width(), decoded.height())
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn a_visit_photo_is_listed_queued_counted_and_written_back_at_1920_px_with_a_320_px_thumbnail() {
    let s = Session::new();
    let visit = s.visit();
    let photo = s.path("IMG_0001.jpg");
    write_jpeg(&photo, 2000, 1500);
    let photo = photo.to_str().expect("a UTF-8 path");

    let said = s.text(&["visit", "photo", "add", &visit, photo]);
    let hash = said
        .split_whitespace()
        .nth(1)
        .expect("photo <hash> attached ...");
    assert!(is_hash(hash), "{said}");
    assert!(said.starts_with("photo "), "{said}");
    assert!(
        said.contains(&format!("attached to visit {visit}")),
        "{said}"
    );
    assert!(said.contains("1920×1440"), "{said}");
    // The same picture again is the same photo, stored once.
    let attached = s.json(&["visit", "photo", "add", &visit, photo]);
    assert_eq!(attached["hash"], hash);
    assert_eq!(attached["width"], 1920);
    assert_eq!(attached["height"], 1440);

    let items = s.json(&["media", "list", &visit]);
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["hash"], hash);
    assert_eq!(items[0]["role"], "photo");
    assert_eq!(items[0]["state"], "queued");
    assert_eq!(items[0]["local"], true);
    let listed = s.text(&["media", "list", &visit]);
    assert!(
        listed.contains(hash) && listed.contains("queued"),
        "{listed}"
    );

    let queue = s.json(&["media", "status"]);
    assert_eq!(queue["queued"], 2, "the photo and its thumbnail: {queue}");
    assert_eq!(queue["uploaded"], 0);
    assert_eq!(queue["failures"], serde_json::json!([]), "nothing failed");
    assert!(s.text(&["media", "status"]).contains("2 queued"));

    let out = s.path("out.jpg");
    let out_arg = out.to_str().expect("a UTF-8 path");
    let got = s.json(&["media", "get", hash, "--out", out_arg]);
    assert_eq!(got["hash"], hash);
    assert_eq!(jpeg_dimensions(&out), (1920, 1440));

    let small = s.path("small.jpg");
    let small_arg = small.to_str().expect("a UTF-8 path");
    let said = s.text(&["media", "get", hash, "--out", small_arg, "--thumbnail"]);
    assert!(said.contains("thumbnail"), "{said}");
    assert_eq!(jpeg_dimensions(&small), (320, 240));
}

#[test]
fn a_customer_document_is_attached_and_listed_as_a_document() {
    let s = Session::new();
    let customer = s.text(&["customer", "add", "--name", "深圳华强"]);
    let licence = s.path("licence.jpg");
    write_jpeg(&licence, 900, 1200);

    let attached = s.json(&[
        "customer",
        "document",
        "add",
        &customer,
        licence.to_str().expect("a UTF-8 path"),
    ]);
    let hash = attached["hash"].as_str().expect("a hash");
    assert!(is_hash(hash));
    assert_eq!(
        (attached["width"].as_u64(), attached["height"].as_u64()),
        (Some(900), Some(1200))
    );

    let items = s.json(&["media", "list", &customer]);
    assert_eq!(items[0]["hash"], hash);
    assert_eq!(items[0]["role"], "document");
}

#[test]
fn a_heic_photo_is_refused_with_a_clear_message_and_nothing_is_attached() {
    let s = Session::new();
    let visit = s.visit();
    // The start of an iPhone photo: an ISO media `ftyp` box of brand `heic`.
    let heic = s.path("王经理的名片.heic");
    let mut bytes = b"\0\0\0\x18ftypheic".to_vec();
    bytes.resize(1024, 0);
    std::fs::write(&heic, bytes).unwrap();
    let heic = heic.to_str().expect("a UTF-8 path");

    let refused = s
        .cmd(&["visit", "photo", "add", &visit, heic])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_lowercase();
    assert!(
        stderr.contains("heic") && stderr.contains("jpeg"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("王经理"),
        "no file name in errors: {stderr}"
    );
    assert!(refused.get_output().stdout.is_empty());

    let refused = s
        .cmd(&["--json", "visit", "photo", "add", &visit, heic])
        .assert()
        .code(2);
    let err: Value = serde_json::from_slice(&refused.get_output().stderr).unwrap();
    assert_eq!(err["error"]["kind"], "media");

    assert_eq!(s.json(&["media", "list", &visit]), Value::Array(Vec::new()));
    assert_eq!(s.json(&["media", "status"])["queued"], 0);
}

#[test]
fn a_photo_for_an_unknown_visit_or_a_missing_file_is_refused() {
    let s = Session::new();
    let photo = s.path("photo.jpg");
    write_jpeg(&photo, 400, 300);
    let photo = photo.to_str().expect("a UTF-8 path");

    let missing = s
        .cmd(&[
            "--json",
            "visit",
            "photo",
            "add",
            "00000000-0000-4000-8000-000000000000",
            photo,
        ])
        .assert()
        .code(3);
    let err: Value = serde_json::from_slice(&missing.get_output().stderr).unwrap();
    assert_eq!(err["error"]["kind"], "not_found");
    assert_eq!(err["error"]["record"], "visit");

    let visit = s.visit();
    let gone = s.path("gone.jpg");
    let refused = s
        .cmd(&[
            "--json",
            "visit",
            "photo",
            "add",
            &visit,
            gone.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    let err: Value = serde_json::from_slice(&refused.get_output().stderr).unwrap();
    assert_eq!(err["error"]["field"], "file");
    assert_eq!(s.json(&["media", "status"])["queued"], 0);
}

// ----- with a server -----

fn fieldsales(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fieldsales").unwrap();
    cmd.env_remove("FIELDSALES_USER")
        .env_remove("FIELDSALES_NOW")
        .env("FIELDSALES_PASSWORD", ACME_PASSWORD)
        .arg("--data-dir")
        .arg(data)
        .arg("--json");
    cmd
}

fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("one JSON document")
}

fn login(data: &Path, url: &str, username: &str) {
    fieldsales(data)
        .args([
            "login",
            "--server",
            url,
            "--tenant",
            "acme",
            "--username",
            username,
        ])
        .assert()
        .success();
}

#[test]
fn a_manager_downloads_a_reps_photo_byte_for_byte_after_both_sync() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = LoopbackServer::start(ServerConfig::for_tests(server_dir.path()))
        .expect("the server starts");
    server.seed(&acme()).expect("acme is seeded");
    let url = server.url();
    let files = tempfile::tempdir().unwrap();
    let (ann, max) = (files.path().join("ann"), files.path().join("max"));
    login(&ann, &url, "ann");
    login(&max, &url, "max");

    let customer = run_json(fieldsales(&ann).args(["customer", "add", "--name", "深圳华强"]));
    let customer = customer["id"].as_str().expect("an id");
    let visit = run_json(fieldsales(&ann).args(["visit", "check-in", customer]));
    let visit = visit["id"].as_str().expect("an id");
    let photo = files.path().join("IMG_0002.jpg");
    write_jpeg(&photo, 2000, 1500);
    let attached = run_json(
        fieldsales(&ann)
            .args(["visit", "photo", "add", visit])
            .arg(&photo),
    );
    let hash = attached["hash"].as_str().expect("a hash");

    let sent = run_json(fieldsales(&ann).arg("sync"));
    assert_eq!(
        sent["media_uploaded"], 2,
        "the photo and its thumbnail: {sent}"
    );
    assert_eq!(
        run_json(fieldsales(&ann).args(["media", "status"]))["uploaded"],
        2
    );

    let pulled = run_json(fieldsales(&max).arg("sync"));
    assert_eq!(
        pulled["media_downloaded"], 1,
        "the thumbnail comes with the sync: {pulled}"
    );
    let listed = run_json(fieldsales(&max).args(["media", "list", visit]));
    assert_eq!(listed[0]["hash"], hash);
    assert_eq!(listed[0]["local"], false, "full images come on demand");

    let (from_ann, from_max) = (files.path().join("ann.jpg"), files.path().join("max.jpg"));
    fieldsales(&ann)
        .args(["media", "get", hash, "--out"])
        .arg(&from_ann)
        .assert()
        .success();
    fieldsales(&max)
        .args(["media", "get", hash, "--out"])
        .arg(&from_max)
        .assert()
        .success();
    let (a, m) = (
        std::fs::read(&from_ann).unwrap(),
        std::fs::read(&from_max).unwrap(),
    );
    assert_eq!(a.len(), attached["bytes"].as_u64().unwrap() as usize);
    assert!(
        a == m,
        "the manager's copy is the rep's photo, byte for byte"
    );
    let listed = run_json(fieldsales(&max).args(["media", "list", visit]));
    assert_eq!(
        listed[0]["local"], true,
        "kept in the cache once downloaded"
    );
}
