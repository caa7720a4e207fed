//! The manager console's JSON API over a real server: what a manager and an admin see of the
//! team's synced work (the list, its filters and pages, a visit with its photos and history,
//! the per-rep figures, a customer's timeline), and everyone it refuses — a rep, another
//! team's manager, another tenant, no session, an expired one, malformed questions, a flood.

use fieldsales_core::protocol::{media, Role};
use fieldsales_server::UserSpec;
use fieldsales_testkit::wire::{self, Fixture, PASSWORD};
use fieldsales_testkit::Tenant;
use reqwest::StatusCode;
use serde_json::Value;

mod console_day;

use console_day::{a_day_of_work, PHOTO, SHOP};

async fn get(fx: &Fixture, token: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut request = fx.http.get(fx.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("server answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn ids(page: &Value) -> Vec<String> {
    page["visits"]
        .as_array()
        .expect("a list of visits")
        .iter()
        .map(|v| v["id"].as_str().expect("an id").to_string())
        .collect()
}

/// A token for a user created after the fixture's seed.
async fn token_of_new_user(fx: &Fixture, username: &str, role: Role, team: Option<&str>) -> String {
    fx.server
        .admin()
        .create_user(UserSpec {
            tenant: wire::TENANT,
            username,
            password: PASSWORD,
            role,
            team,
        })
        .await
        .expect("user created");
    let device = uuid::Uuid::now_v7().to_string();
    fx.login(username, PASSWORD, &device)
        .await
        .expect("login")
        .token
}

#[tokio::test]
async fn a_manager_reviews_the_teams_synced_visits_and_an_admin_the_whole_tenant() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    let day = a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let max = fx.device("max").await;
    let root = fx.device("root").await;

    let (status, page) = get(&fx, Some(&max.token), "/v1/console/visits").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let seen = ids(&page);
    assert!(seen.contains(&day.ann_visit) && seen.contains(&day.bob_visit));
    assert!(
        !seen.contains(&day.cat_visit),
        "another team's visit stays out"
    );
    assert_eq!(page["time_zone"], "Asia/Shanghai");
    let ann_row = &page["visits"][seen.iter().position(|v| *v == day.ann_visit).unwrap()];
    assert_eq!(ann_row["rep"], "ann");
    assert_eq!(ann_row["customer_name"], "北京小米");
    assert_eq!(ann_row["verdict"], "verified");
    assert_eq!(ann_row["photos"], 1);
    assert_eq!(
        ann_row["task_done"], false,
        "the next action's task is open"
    );
    assert!(
        ann_row["at"].as_str().unwrap().ends_with("+08:00"),
        "times are the tenant's"
    );
    let bob_row = &page["visits"][seen.iter().position(|v| *v == day.bob_visit).unwrap()];
    assert_eq!(bob_row["verdict"], "out_of_range");
    assert!(bob_row["distance_m"].as_f64().unwrap() > 100_000.0);
    assert_eq!(
        bob_row["customer_name"],
        Value::Null,
        "bob's private customer is not the manager's to read"
    );

    // Filters: by rep, by verdict, by customer.
    let bob_id = &fx.users["bob"].id;
    let (_, by_rep) = get(
        &fx,
        Some(&max.token),
        &format!("/v1/console/visits?rep={bob_id}"),
    )
    .await;
    assert_eq!(ids(&by_rep), vec![day.bob_visit.clone()]);
    let (_, verified) = get(&fx, Some(&max.token), "/v1/console/visits?verdict=verified").await;
    assert_eq!(ids(&verified), vec![day.ann_visit.clone()]);
    let path = format!("/v1/console/visits?customer={}", day.shop);
    assert_eq!(
        ids(&get(&fx, Some(&max.token), &path).await.1),
        vec![day.ann_visit.clone()]
    );
    let (_, last_year) = get(
        &fx,
        Some(&max.token),
        "/v1/console/visits?from=2025-01-01&to=2025-01-31",
    )
    .await;
    assert!(ids(&last_year).is_empty(), "the period filters by day");

    // One visit: notes, pain points, distance, photo, and who changed what.
    let (status, detail) = get(
        &fx,
        Some(&max.token),
        &format!("/v1/console/visits/{}", day.ann_visit),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["notes"], "老板在，想看报价");
    assert_eq!(detail["pain_points"], serde_json::json!(["价格太高"]));
    assert_eq!(detail["check_in"]["distance_m"], 0.0);
    assert_eq!(detail["customer"]["lat"], SHOP.0);
    assert_eq!(day.photo, media::content_hash(PHOTO));
    assert_eq!(detail["photos"][0]["hash"], day.photo);
    assert_eq!(detail["photos"][0]["url"], media::path(&day.photo));
    let history = detail["history"].as_array().expect("a history");
    assert!(!history.is_empty());
    assert!(history.iter().all(|h| h["user"] == "ann"));
    let touched: Vec<&str> = history
        .iter()
        .flat_map(|h| h["fields"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    assert!(
        touched.contains(&"check_in") && touched.contains(&"notes"),
        "{touched:?}"
    );

    // The customer's timeline: ann's visit and call.
    let (status, timeline) = get(
        &fx,
        Some(&max.token),
        &format!("/v1/console/customers/{}", day.shop),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    let kinds: Vec<&str> = timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"visit") && kinds.contains(&"quick_log") && kinds.contains(&"task"));

    // The admin sees the whole tenant.
    let (_, everything) = get(&fx, Some(&root.token), "/v1/console/visits").await;
    assert!(ids(&everything).contains(&day.cat_visit));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn per_rep_figures_count_the_teams_visits_verified_share_calls_customers_and_tasks() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let max = fx.device("max").await;
    let (status, figures) = get(&fx, Some(&max.token), "/v1/console/figures").await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    let reps = figures["reps"].as_array().unwrap();
    let of = |name: &str| reps.iter().find(|r| r["rep"] == name).cloned();
    let ann = of("ann").expect("ann is in max's team");
    assert_eq!(
        (
            &ann["visits"],
            &ann["visits_verified"],
            &ann["verified_share"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(1.0))
    );
    assert_eq!(ann["calls"], 1);
    assert_eq!(ann["new_customers"], 1);
    assert!(ann["avg_time_on_site_s"].as_f64().is_some());
    assert!(ann["avg_sync_lag_s"].as_f64().unwrap() >= 0.0);
    let bob = of("bob").expect("bob is in max's team");
    assert_eq!(
        (&bob["visits"], &bob["visits_verified"]),
        (&Value::from(1), &Value::from(0))
    );
    assert!(of("cat").is_none(), "another team's rep is not counted");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_another_teams_manager_another_tenant_and_no_session_get_nothing() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    let day = a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let visit = format!("/v1/console/visits/{}", day.ann_visit);
    let shop = format!("/v1/console/customers/{}", day.shop);

    let (status, body) = get(&fx, Some(&ann.token), "/v1/console/visits").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a rep is refused: {body}");
    assert_eq!(
        get(&fx, Some(&ann.token), &visit).await.0,
        StatusCode::FORBIDDEN
    );

    let sue = token_of_new_user(&fx, "sue", Role::Manager, Some("south")).await;
    let (status, page) = get(&fx, Some(&sue), "/v1/console/visits").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), vec![day.cat_visit.clone()], "only team south");
    assert_eq!(get(&fx, Some(&sue), &visit).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&fx, Some(&sue), &shop).await.0, StatusCode::NOT_FOUND);
    let (_, figures) = get(&fx, Some(&sue), "/v1/console/figures").await;
    assert!(figures["reps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["rep"] != "ann" && r["rep"] != "bob"));

    fx.seed(&Tenant::new("globex", PASSWORD).team("north").member(
        "gus",
        Role::Manager,
        Some("north"),
    ))
    .await;
    let gus = fx
        .login_answer("globex", "gus", PASSWORD, &uuid::Uuid::now_v7().to_string())
        .await
        .login()
        .token;
    let (status, page) = get(&fx, Some(&gus), "/v1/console/visits").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ids(&page).is_empty(),
        "another tenant's team sees none of acme"
    );
    assert_eq!(get(&fx, Some(&gus), &visit).await.0, StatusCode::NOT_FOUND);

    assert_eq!(
        get(&fx, None, "/v1/console/visits").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&fx, Some("not-a-token"), "/v1/console/figures").await.0,
        StatusCode::UNAUTHORIZED
    );
    let max = fx.device("max").await;
    assert!(fx.logout(&max.token).await.is_success());
    assert_eq!(
        get(&fx, Some(&max.token), "/v1/console/visits").await.0,
        StatusCode::UNAUTHORIZED,
        "an ended session is refused"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let fx = wire::start_with(|config| config.session_ttl_secs = 0).await;
    let token = fx
        .login("max", PASSWORD, &uuid::Uuid::now_v7().to_string())
        .await
        .expect("login")
        .token;
    assert_eq!(
        get(&fx, Some(&token), "/v1/console/visits").await.0,
        StatusCode::UNAUTHORIZED
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_filters_cursors_ids_and_oversized_pages_are_refused_and_pages_follow_cursors() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    let day = a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let max = fx.device("max").await;
    for path in [
        "/v1/console/visits?limit=100000",
        "/v1/console/visits?limit=0",
        "/v1/console/visits?limit=many",
        "/v1/console/visits?cursor=not-a-cursor",
        "/v1/console/visits?cursor=12.x%27%20OR%201%3D1",
        "/v1/console/visits?from=yesterday",
        "/v1/console/visits?from=2026-02-01&to=2026-01-01",
        "/v1/console/visits?from=2020-01-01&to=2026-01-01",
        "/v1/console/visits?verdict=maybe",
        "/v1/console/visits?rep=%27%3B%20drop",
        "/v1/console/figures?from=2026-13-01",
        "/v1/console/visits/not%20an%20id",
        "/v1/console/customers/%27--",
    ] {
        let (status, body) = get(&fx, Some(&max.token), path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_field", "{path}");
    }

    // Pages of one follow each other to the end, newest first, without repeats.
    let (_, first) = get(&fx, Some(&max.token), "/v1/console/visits?limit=1").await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let (_, second) = get(
        &fx,
        Some(&max.token),
        &format!("/v1/console/visits?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["next_cursor"], Value::Null, "two visits: two pages");
    let mut both = [ids(&first), ids(&second)].concat();
    both.sort();
    let mut expected = vec![day.ann_visit, day.bob_visit];
    expected.sort();
    assert_eq!(both, expected);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bounded_flood_of_console_requests_is_answered_and_the_server_stays_healthy() {
    let fx = wire::start().await;
    let max = fx.device("max").await;
    let requests = (0..64).map(|i| {
        let path = if i % 2 == 0 {
            "/v1/console/visits?limit=200"
        } else {
            "/v1/console/figures"
        };
        get(&fx, Some(&max.token), path)
    });
    let answers = futures_util::future::join_all(requests).await;
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK));
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_read_model_is_rebuilt_from_the_documents_to_the_same_answers() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let root = fx.device("root").await;
    let (_, before) = get(&fx, Some(&root.token), "/v1/console/visits").await;
    let (records, unreadable) = fx.server.admin().rebuild_read_model().await.unwrap();
    assert_eq!(unreadable, 0);
    assert_eq!(
        records, 8,
        "three customers, three visits, the call and the next action's task"
    );
    let (_, after) = get(&fx, Some(&root.token), "/v1/console/visits").await;
    assert_eq!(before, after, "the same rows, arrival times kept");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_openapi_document_describes_the_console_api() {
    let fx = wire::start().await;
    let (status, doc) = get(&fx, None, "/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/v1/console/visits",
        "/v1/console/visits/{id}",
        "/v1/console/figures",
        "/v1/console/customers/{id}",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is described");
    }
    assert!(doc["components"]["schemas"]["VisitRow"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    fx.server.shutdown().await.unwrap();
}
