//! Login under abuse: a flood of password checks is bounded (503 + Retry-After beyond the
//! queue), repeated wrong passwords lock the account or the address out for a while (429 +
//! Retry-After), device ids say nothing across tenants, and each user holds a bounded number
//! of sessions and devices. All on loopback, bounded in count; lockouts last one second.

use std::time::Duration;

use fieldsales_core::protocol::{ErrorCode, Role};
use fieldsales_server::ServerConfig;
use fieldsales_testkit::wire::{self, Answer};
use fieldsales_testkit::Tenant;
use reqwest::StatusCode;

/// A counter of `/metrics` (0 until it is first counted).
async fn metric(fx: &wire::Fixture, series: &str) -> u64 {
    fx.metric(series).await.map_or(0, |v| v as u64)
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
    let fx = wire::start_with(|c| {
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
            fx.login_answer(wire::TENANT, &user, "wrong password", &new_device())
                .await
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
    let ok = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &new_device())
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    fx.server.shutdown().await.unwrap();
}

/// Retries `attempt` until it is no longer 429, waiting what the server says (bounded).
async fn after_lockout(fx: &wire::Fixture, user: &str, device: &str) -> Answer {
    for _ in 0..10 {
        let answer = fx
            .login_answer(wire::TENANT, user, wire::PASSWORD, device)
            .await;
        if answer.status != StatusCode::TOO_MANY_REQUESTS {
            return answer;
        }
        tokio::time::sleep(Duration::from_secs(answer.retry_after.unwrap_or(1))).await;
    }
    panic!("the lockout never ended");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_with_429_until_the_lockout_ends() {
    let fx = wire::start_with(|c| {
        quick(c);
        c.login.account_max_failures = 3;
    })
    .await;
    let device = new_device();
    for _ in 0..3 {
        let wrong = fx
            .login_answer(wire::TENANT, "ann", "wrong password", &device)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &device)
        .await;
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
        let wrong = fx
            .login_answer(wire::TENANT, "nobody", "wrong password", &device)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let ghost = fx
        .login_answer(wire::TENANT, "nobody", "wrong password", &device)
        .await;
    assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ghost.body, locked.body);

    // Other accounts from the same address are not affected.
    let bob = fx
        .login_answer(wire::TENANT, "bob", wire::PASSWORD, &new_device())
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
    let fx = wire::start_with(|c| {
        quick(c);
        c.login.address_max_failures = 4;
    })
    .await;
    for i in 0..4 {
        let user = format!("guess-{i}");
        let wrong = fx
            .login_answer(wire::TENANT, &user, "wrong password", &new_device())
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = fx
        .login_answer(wire::TENANT, "bob", wire::PASSWORD, &new_device())
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
    let fx = wire::start().await;
    fx.seed(&Tenant::new("globex", wire::PASSWORD).member("zed", Role::Admin, None))
        .await;
    let device = new_device();
    let zed = fx
        .login_answer("globex", "zed", wire::PASSWORD, &device)
        .await;
    assert_eq!(zed.status, StatusCode::OK);

    let fresh = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &new_device())
        .await;
    let known_elsewhere = fx
        .login_answer(wire::TENANT, "bob", wire::PASSWORD, &device)
        .await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(
        known_elsewhere.status,
        StatusCode::OK,
        "another tenant's device id says nothing here: {}",
        known_elsewhere.body
    );
    // Both sessions on that id work, each in its own tenant.
    for token in [zed.login().token, known_elsewhere.login().token] {
        let status = fx.post_sync(&token, &wire::pull(&device)).await.status();
        assert_eq!(status, StatusCode::OK);
    }
    let listed = fx.server.admin().list_devices("globex").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].username, "zed");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_eleventh_session_ends_the_first() {
    let fx = wire::start().await;
    let device = new_device();
    let mut tokens = Vec::new();
    for _ in 0..11 {
        let answer = fx
            .login_answer(wire::TENANT, "ann", wire::PASSWORD, &device)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        tokens.push(answer.login().token);
    }
    assert_eq!(
        fx.logout(&tokens[0]).await,
        StatusCode::UNAUTHORIZED,
        "the oldest session ended"
    );
    for token in &tokens[1..] {
        assert_eq!(fx.logout(token).await, StatusCode::NO_CONTENT);
    }
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_sixth_device_is_refused_until_an_admin_allows_it() {
    let fx = wire::start().await;
    for _ in 0..5 {
        let answer = fx
            .login_answer(wire::TENANT, "ann", wire::PASSWORD, &new_device())
            .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let sixth = new_device();
    let refused = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &sixth)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let error = refused.error().error;
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("admin"), "{}", error.message);
    // Another user's devices are their own.
    let bob = fx
        .login_answer(wire::TENANT, "bob", wire::PASSWORD, &new_device())
        .await;
    assert_eq!(bob.status, StatusCode::OK);

    fx.server
        .admin()
        .allow_device(wire::TENANT, "ann", &sixth)
        .await
        .unwrap();
    let allowed = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &sixth)
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
    let seventh = fx
        .login_answer(wire::TENANT, "ann", wire::PASSWORD, &new_device())
        .await;
    assert_eq!(
        seventh.status,
        StatusCode::FORBIDDEN,
        "allowing one is not a new cap"
    );
    assert_eq!(
        fx.server
            .admin()
            .list_devices(wire::TENANT)
            .await
            .unwrap()
            .len(),
        7
    );
    fx.server.shutdown().await.unwrap();
}
