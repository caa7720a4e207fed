//! The sync protocol spoken by hand, for the server's own tests: a server on loopback seeded
//! with [`acme`](crate::acme) ([`Fixture`]), devices that push their real outbox and apply
//! answers themselves ([`Device`]), and the request steps the tests share — a login with its
//! raw answer, a bare pull, a push of one crafted document, logout, the event stream, metrics.
//!
//! Everything here runs on the test's own tokio runtime and panics when the server does not
//! answer at all: a test asserts on the answers, the kit only makes the requests.

mod device;

use std::path::Path;

use fieldsales_core::protocol::{ErrorBody, LoginRequest, LoginResponse, SyncRequest};
use fieldsales_server::{RunningServer, Server, ServerConfig};
use reqwest::StatusCode;
use tempfile::TempDir;

use crate::device::open_store;
use crate::tenant::{acme, seed, Accounts, Tenant, ACME_PASSWORD};

pub use device::Device;

/// The tenant of the fixture's server.
pub const TENANT: &str = "acme";
/// The password of everyone in it.
pub const PASSWORD: &str = ACME_PASSWORD;

/// A server on 127.0.0.1:0 over a fresh data directory, seeded with [`acme`](crate::acme).
pub struct Fixture {
    pub server: RunningServer,
    /// Holds the server's data (`server/`) and the devices' stores.
    pub data: TempDir,
    pub http: reqwest::Client,
    /// The seeded users by username.
    pub users: Accounts,
}

/// A server with the default test configuration.
pub async fn start() -> Fixture {
    start_with(|_| {}).await
}

/// A server whose configuration `adjust` changed first.
pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Fixture {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig::for_tests(data.path().join("server"));
    adjust(&mut config);
    let server = Server::start(config).await.expect("server starts");
    let users = seed(server.admin(), &acme()).await.expect("acme is seeded");
    Fixture {
        server,
        data,
        http: reqwest::Client::new(),
        users,
    }
}

/// One login's raw answer: status, `Retry-After` (seconds) and the JSON body.
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<u64>,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn error(&self) -> ErrorBody {
        serde_json::from_value(self.body.clone()).expect("an error body")
    }

    pub fn login(&self) -> LoginResponse {
        serde_json::from_value(self.body.clone()).expect("a login body")
    }
}

/// A request that pushes nothing and pulls from the start of the log.
pub fn pull(device_id: &str) -> SyncRequest {
    SyncRequest {
        device_id: device_id.into(),
        cursor: 0,
        docs: vec![],
        resume: None,
        max_answer_bytes: None,
    }
}

impl Fixture {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// Seeds one more tenant on this server (to show tenants apart).
    pub async fn seed(&self, tenant: &Tenant) -> Accounts {
        seed(self.server.admin(), tenant)
            .await
            .expect("the tenant is seeded")
    }

    /// Logs `username` in from a new device with its own store.
    pub async fn device(&self, username: &str) -> Device {
        let dir = self
            .data
            .path()
            .join(format!("device-{}", uuid::Uuid::now_v7()));
        self.device_at(username, &dir).await
    }

    /// Logs `username` in from the device whose store lives in `dir`.
    pub async fn device_at(&self, username: &str, dir: &Path) -> Device {
        let user = &self.users[username];
        let fs = open_store(dir, user).expect("store");
        let device_id = fs.device_id().to_string();
        let login = self
            .login(username, PASSWORD, &device_id)
            .await
            .expect("login succeeds");
        assert_eq!(login.user_id, user.id);
        Device {
            fs,
            dir: dir.to_path_buf(),
            device_id,
            token: login.token,
            user_id: login.user_id,
            team_id: login.team_id,
            role: login.role,
            base: self.server.url(),
            http: self.http.clone(),
            cursor: 0,
        }
    }

    /// A login to `tenant` from the phone "test phone", whatever the server answers.
    pub async fn login_answer(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        device_id: &str,
    ) -> Answer {
        let response = self
            .http
            .post(self.url("/v1/login"))
            .json(&LoginRequest {
                tenant: tenant.into(),
                username: username.into(),
                password: password.into(),
                device_id: device_id.into(),
                device_name: Some("test phone".into()),
            })
            .send()
            .await
            .expect("server answers");
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = response.json().await.expect("a JSON body");
        Answer {
            status,
            retry_after,
            body,
        }
    }

    /// A login to [`TENANT`]: the session, or the refusal's status and body.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        device_id: &str,
    ) -> Result<LoginResponse, (StatusCode, ErrorBody)> {
        let answer = self
            .login_answer(TENANT, username, password, device_id)
            .await;
        if answer.status.is_success() {
            Ok(answer.login())
        } else {
            Err((answer.status, answer.error()))
        }
    }

    /// Posts `request` to `/v1/sync` with `token`, whatever the server answers.
    pub async fn post_sync(&self, token: &str, request: &SyncRequest) -> reqwest::Response {
        self.http
            .post(self.url("/v1/sync"))
            .bearer_auth(token)
            .body(fieldsales_core::protocol::encode(request))
            .send()
            .await
            .expect("server answers")
    }

    /// Ends the session of `token`; the status says whether it was one.
    pub async fn logout(&self, token: &str) -> StatusCode {
        self.http
            .post(self.url("/v1/logout"))
            .bearer_auth(token)
            .send()
            .await
            .expect("server answers")
            .status()
    }

    /// Opens the event stream with `token`.
    pub async fn events(&self, token: &str) -> reqwest::Response {
        self.http
            .get(self.url("/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .expect("server answers")
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics text")
    }

    /// The value of one series of `/metrics` (`name` with its labels, as exported), if any.
    pub async fn metric(&self, series: &str) -> Option<f64> {
        let text = self.metrics().await;
        text.lines().find_map(|l| {
            let rest = l.strip_prefix(series)?;
            // `name` must not match a longer name (`x_total` is not `x_total_bytes`).
            rest.starts_with(' ').then(|| rest.trim().parse().ok())?
        })
    }

    /// The server still answers (after a bad request, say).
    pub async fn assert_healthy(&self) {
        let response = self
            .http
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("server answers");
        assert_eq!(response.status(), 200);
    }
}
