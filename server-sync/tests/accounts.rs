//! Login, sessions and devices over HTTP: tokens work until logout or expiry, a device belongs
//! to one user, and failures say nothing about which accounts exist.

use fieldsales_core::protocol::{ErrorCode, Role};
use fieldsales_testkit::wire::{self, pull};

#[tokio::test]
async fn login_issues_a_token_that_syncs_until_logout() {
    let fx = wire::start().await;
    let device = uuid::Uuid::now_v7().to_string();
    let login = fx.login("max", wire::PASSWORD, &device).await.unwrap();
    assert_eq!(login.role, Role::Manager);
    assert_eq!(login.user_id, fx.users["max"].id);
    assert_eq!(login.team_id, fx.users["max"].team_id);
    assert_eq!(login.token.len(), 64);
    assert!(chrono::DateTime::parse_from_rfc3339(&login.expires_at).is_ok());

    let sync = |token: String| {
        let fx = &fx;
        let pull = pull(&device);
        async move { fx.post_sync(&token, &pull).await.status() }
    };
    assert_eq!(sync(login.token.clone()).await, 200);

    assert_eq!(fx.logout(&login.token).await, 204);
    assert_eq!(
        sync(login.token.clone()).await,
        401,
        "a logged-out token is refused"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_refusal() {
    let fx = wire::start().await;
    let device = uuid::Uuid::now_v7().to_string();
    let (status, wrong) = fx
        .login("ann", "not the password", &device)
        .await
        .unwrap_err();
    assert_eq!(status, 401);
    assert_eq!(wrong.error.code, ErrorCode::Unauthorized);
    let (status, unknown) = fx.login("nobody", "whatever1", &device).await.unwrap_err();
    assert_eq!(status, 401);
    assert_eq!(
        wrong, unknown,
        "the answer does not reveal whether the user exists"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let fx = wire::start_with(|c| c.session_ttl_secs = 0).await;
    let device = uuid::Uuid::now_v7().to_string();
    let login = fx.login("ann", wire::PASSWORD, &device).await.unwrap();
    let response = fx.post_sync(&login.token, &pull(&device)).await;
    assert_eq!(response.status(), 401);
    let body: fieldsales_core::protocol::ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::Unauthorized);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_device_registered_to_one_user_cannot_log_in_as_another() {
    let fx = wire::start().await;
    let device = uuid::Uuid::now_v7().to_string();
    fx.login("ann", wire::PASSWORD, &device).await.unwrap();
    fx.login("ann", wire::PASSWORD, &device)
        .await
        .expect("the same user logs in again on the same device");
    let (status, body) = fx.login("bob", wire::PASSWORD, &device).await.unwrap_err();
    assert_eq!(status, 403);
    assert_eq!(body.error.code, ErrorCode::Forbidden);

    let devices = fx.server.admin().list_devices(wire::TENANT).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].id, device);
    assert_eq!(devices[0].user_id, fx.users["ann"].id);
    assert_eq!(devices[0].name.as_deref(), Some("test phone"));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_session_cannot_sync_as_another_device() {
    let fx = wire::start().await;
    let device = uuid::Uuid::now_v7().to_string();
    let login = fx.login("ann", wire::PASSWORD, &device).await.unwrap();
    let other = uuid::Uuid::now_v7().to_string();
    let response = fx.post_sync(&login.token, &pull(&other)).await;
    assert_eq!(response.status(), 403);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_the_new_password_works() {
    let fx = wire::start().await;
    let device = uuid::Uuid::now_v7().to_string();
    let old = fx.login("bob", wire::PASSWORD, &device).await.unwrap();
    fx.server
        .admin()
        .reset_password(wire::TENANT, "bob", "a brand new secret")
        .await
        .unwrap();
    let response = fx.post_sync(&old.token, &pull(&device)).await;
    assert_eq!(response.status(), 401);
    assert!(fx.login("bob", wire::PASSWORD, &device).await.is_err());
    assert!(fx.login("bob", "a brand new secret", &device).await.is_ok());
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn duplicate_names_and_unknown_teams_are_refused_by_the_admin_api() {
    let fx = wire::start().await;
    let admin = fx.server.admin();
    assert!(matches!(
        admin.create_tenant(wire::TENANT).await,
        Err(fieldsales_server::Error::AlreadyExists { what: "tenant" })
    ));
    assert!(matches!(
        admin.create_team(wire::TENANT, "north").await,
        Err(fieldsales_server::Error::AlreadyExists { what: "team" })
    ));
    let result = admin
        .create_user(fieldsales_server::UserSpec {
            tenant: wire::TENANT,
            username: "zed",
            password: wire::PASSWORD,
            role: Role::Rep,
            team: Some("west"),
        })
        .await;
    assert!(matches!(
        result,
        Err(fieldsales_server::Error::NotFound { what: "team" })
    ));
    fx.server.shutdown().await.unwrap();
}
