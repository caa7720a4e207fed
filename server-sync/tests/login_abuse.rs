//! Login under abuse: a flood of password checks is bounded (503 + Retry-After beyond the
//! queue), repeated wrong passwords lock the account or the address out for a while (429 +
//! Retry-After), device ids say nothing across tenants, and each user holds a bounded number
//! of sessions and devices. All on loopback, bounded in count; lockouts last one second.

mod fixture;

use std::time::Duration;

use fieldsales_core::protocol::{ErrorBody, ErrorCode, LoginRequest, LoginResponse, Role};
use fieldsales_server::{ServerConfig, UserSpec};
use reqwest::StatusCode;

/// One login's answer: status, `Retry-After` (seconds) and the body.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: serde_json::Value,
}

impl Answer {
    fn error(&self) -> ErrorBody {
        serde_json::from_value(self.body.clone()).expect("an error body")
    }

    fn login(&self) -> LoginResponse {
        serde_json::from_value(self.body.clone()).expect("a login body")
    }
}

async fn login(
    fx: &fixture::Fixture,
    tenant: &str,
    username: &str,
    password: &str,
    device_id: &str,
) -> Answer {
    let response = fx
        .http
        .post(fx.url("/v1/login"))
        .json(&LoginRequest {
            tenant: tenant.into(),
            username: username.into(),
            password: password.into(),
            device_id: device_id.into(),
            device_name: None,
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

async fn metric(fx: &fixture::Fixture, series: &str) -> u64 {
    let text = fx
        .http
        .get(fx.url("/metrics"))
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

fn new_device() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Short lockouts, and limits that the test in question does not exercise set out of reach.
fn quick(config: &mut ServerConfig) {
    config.login.lockout_secs = 1;
    config.login.failure_window_secs = 60;
    config.login.account_max_failures = 1_000;
    config.login.address_max_failures = 1_000;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_logins_beyond_the_queue_gets_503_with_retry_after_and_is_not_hashed() {
    let fx = fixture::start_with(|c| {
        quick(c);
        c.login.max_concurrent_hashes = 1;
        c.login.max_waiting = 2;
        c.login.max_waiting_per_address = 2;
    })
    .await;
    const BURST: usize = 40;
    let attempts = (0..BURST).map(|i| {
        let fx = &fx;
        async move {
            let user = format!("nobody-{i}");
            login(fx, fixture::TENANT, &user, "wrong password", &new_device()).await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let busy: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(
        busy.len() + refused,
        BURST,
        "every login answered 401 or 503"
    );
    assert!(!busy.is_empty(), "logins beyond the queue are turned away");
    for a in &busy {
        assert!(
            a.retry_after.is_some_and(|s| s >= 1),
            "503 says when to retry"
        );
    }
    let hashed = metric(&fx, "fieldsales_password_checks_total").await;
    assert_eq!(
        hashed as usize, refused,
        "only the admitted logins were hashed"
    );
    assert!(hashed < BURST as u64);
    assert_eq!(
        metric(&fx, "fieldsales_logins_total{outcome=\"busy\"}").await as usize,
        busy.len()
    );
    // The flood is over: a real login goes through.
    let ok = login(
        &fx,
        fixture::TENANT,
        "ann",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    fx.server.shutdown().await.unwrap();
}

/// Retries `attempt` until it is no longer 429, waiting what the server says (bounded).
async fn after_lockout(fx: &fixture::Fixture, user: &str, device: &str) -> Answer {
    for _ in 0..10 {
        let answer = login(fx, fixture::TENANT, user, fixture::PASSWORD, device).await;
        if answer.status != StatusCode::TOO_MANY_REQUESTS {
            return answer;
        }
        tokio::time::sleep(Duration::from_secs(answer.retry_after.unwrap_or(1))).await;
    }
    panic!("the lockout never ended");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_with_429_until_the_lockout_ends() {
    let fx = fixture::start_with(|c| {
        quick(c);
        c.login.account_max_failures = 3;
    })
    .await;
    let device = new_device();
    for _ in 0..3 {
        let wrong = login(&fx, fixture::TENANT, "ann", "wrong password", &device).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = login(&fx, fixture::TENANT, "ann", fixture::PASSWORD, &device).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits for the lockout"
    );
    assert_eq!(locked.error().error.code, ErrorCode::RateLimited);
    assert!(locked.retry_after.is_some_and(|s| (1..=1).contains(&s)));
    assert!(!locked.body.to_string().contains("ann"));

    // An unknown account locks the same way: a lockout does not tell which names exist.
    for _ in 0..3 {
        let wrong = login(&fx, fixture::TENANT, "nobody", "wrong password", &device).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let ghost = login(&fx, fixture::TENANT, "nobody", "wrong password", &device).await;
    assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ghost.body, locked.body);

    // Other accounts from the same address are not affected.
    let bob = login(
        &fx,
        fixture::TENANT,
        "bob",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    assert_eq!(bob.status, StatusCode::OK);

    let checks_before = metric(&fx, "fieldsales_password_checks_total").await;
    let after = after_lockout(&fx, "ann", &device).await;
    assert_eq!(after.status, StatusCode::OK, "the lockout ended");
    assert_eq!(after.login().user_id, fx.users["ann"].id);
    assert!(metric(&fx, "fieldsales_password_checks_total").await > checks_before);
    assert_eq!(
        metric(&fx, "fieldsales_login_lockouts_total{scope=\"account\"}").await,
        2
    );
    assert!(metric(&fx, "fieldsales_login_throttled_total{scope=\"account\"}").await >= 2);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn repeated_wrong_passwords_from_one_address_lock_the_address() {
    let fx = fixture::start_with(|c| {
        quick(c);
        c.login.address_max_failures = 4;
    })
    .await;
    for i in 0..4 {
        let user = format!("guess-{i}");
        let wrong = login(&fx, fixture::TENANT, &user, "wrong password", &new_device()).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = login(
        &fx,
        fixture::TENANT,
        "bob",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.retry_after.is_some_and(|s| s >= 1));
    assert_eq!(
        metric(&fx, "fieldsales_login_throttled_total{scope=\"address\"}").await,
        1
    );
    assert_eq!(
        metric(&fx, "fieldsales_login_lockouts_total{scope=\"address\"}").await,
        1
    );
    let after = after_lockout(&fx, "bob", &new_device()).await;
    assert_eq!(after.status, StatusCode::OK);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_device_id_registered_in_another_tenant_is_answered_like_a_new_device() {
    let fx = fixture::start().await;
    let admin = fx.server.admin();
    admin.create_tenant("globex").await.unwrap();
    admin
        .create_user(UserSpec {
            tenant: "globex",
            username: "zed",
            password: fixture::PASSWORD,
            role: Role::Admin,
            team: None,
        })
        .await
        .unwrap();
    let device = new_device();
    let zed = login(&fx, "globex", "zed", fixture::PASSWORD, &device).await;
    assert_eq!(zed.status, StatusCode::OK);

    let fresh = login(
        &fx,
        fixture::TENANT,
        "ann",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    let known_elsewhere = login(&fx, fixture::TENANT, "bob", fixture::PASSWORD, &device).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(
        known_elsewhere.status,
        StatusCode::OK,
        "another tenant's device id says nothing here: {}",
        known_elsewhere.body
    );
    // Both sessions on that id work, each in its own tenant.
    for token in [zed.login().token, known_elsewhere.login().token] {
        let pull = fieldsales_core::protocol::SyncRequest {
            device_id: device.clone(),
            cursor: 0,
            docs: vec![],
            resume: None,
            max_answer_bytes: None,
        };
        let status = fx
            .http
            .post(fx.url("/v1/sync"))
            .bearer_auth(token)
            .body(fieldsales_core::protocol::encode(&pull))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK);
    }
    let listed = admin.list_devices("globex").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].username, "zed");
    fx.server.shutdown().await.unwrap();
}

async fn logout_status(fx: &fixture::Fixture, token: &str) -> StatusCode {
    fx.http
        .post(fx.url("/v1/logout"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_eleventh_session_ends_the_first() {
    let fx = fixture::start().await;
    let device = new_device();
    let mut tokens = Vec::new();
    for _ in 0..11 {
        let answer = login(&fx, fixture::TENANT, "ann", fixture::PASSWORD, &device).await;
        assert_eq!(answer.status, StatusCode::OK);
        tokens.push(answer.login().token);
    }
    assert_eq!(
        logout_status(&fx, &tokens[0]).await,
        StatusCode::UNAUTHORIZED,
        "the oldest session ended"
    );
    for token in &tokens[1..] {
        assert_eq!(logout_status(&fx, token).await, StatusCode::NO_CONTENT);
    }
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_sixth_device_is_refused_until_an_admin_allows_it() {
    let fx = fixture::start().await;
    for _ in 0..5 {
        let answer = login(
            &fx,
            fixture::TENANT,
            "ann",
            fixture::PASSWORD,
            &new_device(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let sixth = new_device();
    let refused = login(&fx, fixture::TENANT, "ann", fixture::PASSWORD, &sixth).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let error = refused.error().error;
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("admin"), "{}", error.message);
    // Another user's devices are their own.
    let bob = login(
        &fx,
        fixture::TENANT,
        "bob",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    assert_eq!(bob.status, StatusCode::OK);

    fx.server
        .admin()
        .allow_device(fixture::TENANT, "ann", &sixth)
        .await
        .unwrap();
    let allowed = login(&fx, fixture::TENANT, "ann", fixture::PASSWORD, &sixth).await;
    assert_eq!(allowed.status, StatusCode::OK);
    let seventh = login(
        &fx,
        fixture::TENANT,
        "ann",
        fixture::PASSWORD,
        &new_device(),
    )
    .await;
    assert_eq!(
        seventh.status,
        StatusCode::FORBIDDEN,
        "allowing one is not a new cap"
    );
    assert_eq!(
        fx.server
            .admin()
            .list_devices(fixture::TENANT)
            .await
            .unwrap()
            .len(),
        7
    );
    fx.server.shutdown().await.unwrap();
}
