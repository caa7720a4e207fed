//! The binary's admin subcommands, as an IT person runs them: create a tenant, a team and a
//! user, list devices, reset a password — then a server started on the same data directory
//! lets that user log in.

use std::process::{Command, Output};

use fieldsales_core::protocol::{LoginRequest, LoginResponse, Role};
use fieldsales_server::{Server, ServerConfig};

fn admin(data: &std::path::Path, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldsales-server"));
    command.arg("--data").arg(data).args(args);
    command.env_remove("FIELDSALES_SERVER_PASSWORD");
    if let Some(password) = password {
        command.env("FIELDSALES_SERVER_PASSWORD", password);
    }
    command.output().expect("the binary runs")
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn an_admin_seeds_a_tenant_from_the_command_line_and_the_user_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    ok(admin(&data, &["tenant", "create", "acme"], None));
    ok(admin(
        &data,
        &["team", "create", "--tenant", "acme", "north"],
        None,
    ));
    let created = ok(admin(
        &data,
        &[
            "user", "create", "--tenant", "acme", "--role", "manager", "--team", "north", "max",
        ],
        Some("first secret 1"),
    ));
    assert!(created.contains("user max created"));
    assert!(
        !created.contains("first secret"),
        "the password is never printed"
    );

    let refused = admin(&data, &["tenant", "create", "acme"], None);
    assert!(!refused.status.success(), "a duplicate tenant is an error");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));
    let refused = admin(
        &data,
        &["user", "create", "--tenant", "acme", "--role", "boss", "x"],
        Some("first secret 1"),
    );
    assert!(!refused.status.success(), "an unknown role is an error");

    ok(admin(
        &data,
        &["user", "reset-password", "--tenant", "acme", "max"],
        Some("second secret 2"),
    ));

    let server = Server::start(ServerConfig::for_tests(&data)).await.unwrap();
    let device = uuid::Uuid::now_v7().to_string();
    let login = |password: &'static str| {
        let url = format!("{}/v1/login", server.url());
        let device = device.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&LoginRequest {
                    tenant: "acme".into(),
                    username: "max".into(),
                    password: password.into(),
                    device_id: device,
                    device_name: Some("Pixel 8".into()),
                })
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(login("first secret 1").await.status(), 401);
    let response = login("second secret 2").await;
    assert_eq!(response.status(), 200);
    let body: LoginResponse = response.json().await.unwrap();
    assert_eq!(body.role, Role::Manager);
    assert!(body.team_id.is_some());

    let listed = ok(admin(&data, &["devices", "list", "--tenant", "acme"], None));
    assert!(listed.contains(&device));
    assert!(listed.contains("Pixel 8"));
    server.shutdown().await.unwrap();
}

#[test]
fn a_config_file_that_does_not_parse_stops_the_binary_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("server.toml");
    std::fs::write(&config, "addr = 12\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fieldsales-server"))
        .arg("--config")
        .arg(&config)
        .args(["tenant", "create", "acme"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("configuration"));
}

#[test]
fn an_admin_turns_the_photo_watermark_on_and_sets_the_offset_and_nonsense_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    ok(admin(&data, &["tenant", "create", "acme"], None));
    let shown = ok(admin(&data, &["tenant", "settings", "acme"], None));
    assert_eq!(shown, "photo_watermark off\nutc_offset +08:00\n");
    let changed = ok(admin(
        &data,
        &[
            "tenant",
            "settings",
            "acme",
            "--photo-watermark",
            "on",
            "--utc-offset",
            "-03:30",
        ],
        None,
    ));
    assert_eq!(changed, "photo_watermark on\nutc_offset -03:30\n");
    for bad in [
        &["--photo-watermark", "yes"][..],
        &["--utc-offset", "Asia/Shanghai"][..],
        &["--utc-offset", "+15:00"][..],
    ] {
        let mut args = vec!["tenant", "settings", "acme"];
        args.extend_from_slice(bad);
        let refused = admin(&data, &args, None);
        assert!(!refused.status.success(), "{bad:?} is refused");
    }
    let refused = admin(&data, &["tenant", "settings", "globex"], None);
    assert!(!refused.status.success(), "an unknown tenant is an error");
    let shown = ok(admin(&data, &["tenant", "settings", "acme"], None));
    assert_eq!(
        shown, "photo_watermark on\nutc_offset -03:30\n",
        "unchanged"
    );
}

#[test]
fn the_read_model_is_rebuilt_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    ok(admin(&data, &["tenant", "create", "acme"], None));
    let rebuilt = ok(admin(&data, &["read-model", "rebuild"], None));
    assert!(
        rebuilt.contains("read model rebuilt: 0 records, 0 unreadable"),
        "{rebuilt}"
    );
}
