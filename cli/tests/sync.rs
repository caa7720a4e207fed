//! `fieldsales login`, `sync` and `status` against a real server on loopback.

use std::path::Path;

use assert_cmd::Command;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::tenant::ACME_PASSWORD;
use fieldsales_testkit::{acme, LoopbackServer};
use serde_json::Value;

/// A server on loopback over `dir`, seeded with the tests' `acme` tenant.
fn server(dir: &Path) -> LoopbackServer {
    let server = LoopbackServer::start(ServerConfig::for_tests(dir)).expect("the server starts");
    server.seed(&acme()).expect("acme is seeded");
    server
}

fn fieldsales(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fieldsales").unwrap();
    cmd.env_remove("FIELDSALES_USER")
        .env_remove("FIELDSALES_PASSWORD")
        .arg("--data-dir")
        .arg(data)
        .arg("--json");
    cmd
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("one JSON document")
}

#[test]
fn a_rep_logs_in_syncs_and_a_colleague_sees_the_customer() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = server(server_dir.path());
    let url = server.url();
    let ann = tempfile::tempdir().unwrap();
    let bob = tempfile::tempdir().unwrap();

    let login = fieldsales(ann.path())
        .args([
            "login",
            "--server",
            &url,
            "--tenant",
            "acme",
            "--username",
            "ann",
        ])
        .env("FIELDSALES_PASSWORD", ACME_PASSWORD)
        .assert()
        .success();
    let session = json(&login.get_output().stdout);
    assert_eq!(session["role"], "rep");
    assert!(!String::from_utf8_lossy(&login.get_output().stdout).contains("token"));

    fieldsales(ann.path())
        .args(["customer", "add", "--name", "深圳华强"])
        .assert()
        .success();
    let status = json(
        &fieldsales(ann.path())
            .arg("status")
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(status["status"]["pending_changes"], 1);
    let synced = json(
        &fieldsales(ann.path())
            .arg("sync")
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(synced["sent"], 1);

    // Bob gives his password on stdin.
    fieldsales(bob.path())
        .args([
            "login",
            "--server",
            &url,
            "--tenant",
            "acme",
            "--username",
            "bob",
        ])
        .write_stdin(format!("{ACME_PASSWORD}\n"))
        .assert()
        .success();
    let pulled = json(
        &fieldsales(bob.path())
            .arg("sync")
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(pulled["received"], 1);
    let list = fieldsales(bob.path())
        .args(["customer", "list"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&list.get_output().stdout).contains("深圳华强"));
    let status = json(
        &fieldsales(bob.path())
            .arg("status")
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(status["status"]["signed_in"], true);
    assert!(status["status"]["last_success_at"].is_string());
}

#[test]
fn a_wrong_password_and_plain_http_elsewhere_are_refused() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = server(server_dir.path());
    let data = tempfile::tempdir().unwrap();
    let refused = fieldsales(data.path())
        .args([
            "login",
            "--server",
            &server.url(),
            "--tenant",
            "acme",
            "--username",
            "ann",
        ])
        .env("FIELDSALES_PASSWORD", "wrong-password")
        .assert()
        .failure();
    let err = json(&refused.get_output().stderr);
    assert_eq!(err["error"]["kind"], "unauthorized");

    let insecure = fieldsales(data.path())
        .args([
            "login",
            "--server",
            "http://sync.example.com",
            "--tenant",
            "acme",
            "--username",
            "ann",
        ])
        .env("FIELDSALES_PASSWORD", ACME_PASSWORD)
        .assert()
        .failure();
    let err = json(&insecure.get_output().stderr);
    assert_eq!(err["error"]["field"], "server_url");

    fieldsales(data.path()).arg("sync").assert().failure();
}
