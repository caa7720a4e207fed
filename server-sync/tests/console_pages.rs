//! The console's pages over a real server, as a browser without script uses them: the sign-in
//! form and its cookie, the visit list and detail in Chinese or English, photos served to the
//! cookie, a forged sign-out refused for want of its CSRF token, a rep refused at sign-in, and
//! another team's manager kept out.

use fieldsales_core::protocol::{media, Role};
use fieldsales_server::UserSpec;
use fieldsales_testkit::wire::{self, Fixture, PASSWORD};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

mod console_day;

use console_day::{a_day_of_work, PHOTO};

/// A browser that does not follow redirects, so the tests see them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs in through the form; the answer's status, `Location` and session cookie.
async fn sign_in(
    fx: &Fixture,
    username: &str,
    password: &str,
) -> (StatusCode, Option<String>, Option<String>, String) {
    let response = browser()
        .post(fx.url("/console/login"))
        .form(&[
            ("tenant", wire::TENANT),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("server answers");
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    (
        status,
        location,
        cookie,
        response.text().await.unwrap_or_default(),
    )
}

/// The `name=value` part of a `Set-Cookie`.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

async fn page(fx: &Fixture, cookie: &str, path: &str) -> (StatusCode, String) {
    let response = browser()
        .get(fx.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("server answers");
    (response.status(), response.text().await.unwrap_or_default())
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a sign-out form")
        + 19;
    html[at..at + 64].to_string()
}

#[tokio::test]
async fn a_manager_signs_in_and_reviews_the_teams_visits_with_photos_in_chinese_or_english() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    let day = a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    // Ann's phone uploads the photo.
    let upload = fx
        .http
        .patch(fx.url(&media::path(&day.photo)))
        .bearer_auth(&ann.token)
        .header(media::UPLOAD_OFFSET, "0")
        .header(media::UPLOAD_LENGTH, PHOTO.len().to_string())
        .header("content-type", media::CHUNK_CONTENT_TYPE)
        .body(PHOTO.to_vec())
        .send()
        .await
        .unwrap();
    assert!(upload.status().is_success(), "{}", upload.status());

    let (status, form) = page(&fx, "", "/console").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("name=\"tenant\"") && form.contains("登录"),
        "the sign-in form, in Chinese"
    );

    let (status, _, cookie, body) = sign_in(&fx, "max", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none() && body.contains("公司、用户名或密码错误"));

    let (status, location, cookie, _) = sign_in(&fx, "max", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/console/visits"));
    let set_cookie = cookie.expect("a session cookie");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    assert!(!set_cookie.contains("Secure"), "plain HTTP on loopback");
    let cookie = pair(&set_cookie);

    let (status, list) = page(&fx, &cookie, "/console/visits").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains("北京小米") && list.contains("已核验") && list.contains("超出范围"));
    assert!(list.contains(&format!("/console/visits/{}", day.ann_visit)));
    assert!(list.contains(&format!("/console/visits/{}", day.bob_visit)));
    assert!(
        !list.contains(&day.cat_visit),
        "another team's visit stays out"
    );
    assert!(list.contains("Asia/Shanghai"));
    let (_, english) = page(&fx, &cookie, "/console/visits?lang=en").await;
    assert!(english.contains("Verified") && english.contains("Out of range"));

    let (status, detail) = page(&fx, &cookie, &format!("/console/visits/{}", day.ann_visit)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("老板在，想看报价") && detail.contains("价格太高"));
    assert!(detail.contains(&format!("<img src=\"{}\"", media::path(&day.photo))));
    let (status, photo) = {
        let response = browser()
            .get(fx.url(&media::path(&day.photo)))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.bytes().await.unwrap())
    };
    assert_eq!(
        status,
        StatusCode::OK,
        "the console's cookie reaches the photo"
    );
    assert_eq!(&photo[..], PHOTO);
    let (status, figures) = page(&fx, &cookie, "/console/figures").await;
    assert_eq!(status, StatusCode::OK);
    assert!(figures.contains("ann") && figures.contains("bob") && !figures.contains(">cat<"));
    let (_, of_shop) = page(
        &fx,
        &cookie,
        &format!("/console/visits?customer={}", day.shop),
    )
    .await;
    assert!(of_shop.contains(&day.ann_visit) && !of_shop.contains(&day.bob_visit));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_forged_sign_out_without_its_csrf_token_is_refused_and_the_real_one_ends_the_session() {
    let fx = wire::start().await;
    let (_, _, cookie, _) = sign_in(&fx, "max", PASSWORD).await;
    let cookie = pair(&cookie.expect("signed in"));
    let (_, list) = page(&fx, &cookie, "/console/visits").await;
    let csrf = csrf_of(&list);
    for forged in [vec![], vec![("csrf", "0".repeat(64))]] {
        let response = browser()
            .post(fx.url("/console/logout"))
            .header(COOKIE, &cookie)
            .form(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(
        page(&fx, &cookie, "/console/visits").await.0,
        StatusCode::OK,
        "still signed in"
    );
    let response = browser()
        .post(fx.url("/console/logout"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&fx, &cookie, "/console/visits").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "signed out: back to the sign-in form"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_is_refused_at_sign_in_and_another_teams_manager_sees_nothing_of_the_team() {
    let fx = wire::start().await;
    let (mut ann, mut bob, mut cat) = (
        fx.device("ann").await,
        fx.device("bob").await,
        fx.device("cat").await,
    );
    let day = a_day_of_work(&mut ann, &mut bob, &mut cat).await;
    let (status, _, cookie, body) = sign_in(&fx, "ann", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(cookie.is_none(), "no session for a rep");
    assert!(body.contains("控制台仅供经理和管理员使用"));

    fx.server
        .admin()
        .create_user(UserSpec {
            tenant: wire::TENANT,
            username: "sue",
            password: PASSWORD,
            role: Role::Manager,
            team: Some("south"),
        })
        .await
        .unwrap();
    let (_, _, cookie, _) = sign_in(&fx, "sue", PASSWORD).await;
    let cookie = pair(&cookie.expect("sue signs in"));
    let (_, list) = page(&fx, &cookie, "/console/visits").await;
    assert!(list.contains(&day.cat_visit));
    assert!(
        !list.contains(&day.ann_visit)
            && !list.contains(&day.bob_visit)
            && !list.contains("北京小米")
    );
    let (status, _) = page(&fx, &cookie, &format!("/console/visits/{}", day.ann_visit)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&fx, &cookie, &media::path(&day.photo)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nor its photo");
    let (status, _) = page(&fx, "", &media::path(&day.photo)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    fx.server.shutdown().await.unwrap();
}

/// The `seq` of the next event on an event stream.
async fn next_seq(stream: &mut reqwest::Response) -> u64 {
    let mut text = String::new();
    loop {
        let chunk = stream
            .chunk()
            .await
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(at) = text.find("data: ") {
            let data = text[at + 6..].lines().next().unwrap_or_default();
            if let Ok(event) = serde_json::from_str::<serde_json::Value>(data) {
                return event["seq"].as_u64().expect("a seq");
            }
        }
    }
}

#[tokio::test]
async fn the_visit_list_listens_to_the_event_stream_with_its_cookie_and_hears_a_reps_sync() {
    let fx = wire::start().await;
    let (_, _, cookie, _) = sign_in(&fx, "max", PASSWORD).await;
    let cookie = pair(&cookie.expect("signed in"));
    let (_, list) = page(&fx, &cookie, "/console/visits").await;
    assert!(
        list.contains("new EventSource(\"/v1/events\")"),
        "the first page listens"
    );
    let mut stream = browser()
        .get(fx.url("/v1/events"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stream.status(),
        StatusCode::OK,
        "the cookie opens the stream"
    );
    let head = next_seq(&mut stream).await;
    let mut ann = fx.device("ann").await;
    ann.fs
        .customers()
        .create(fieldsales_core::customer::NewCustomer {
            name: "新客户".into(),
            ..Default::default()
        })
        .unwrap();
    ann.sync().await;
    assert!(
        next_seq(&mut stream).await > head,
        "a rep's sync moves the head"
    );
    drop(stream);
    fx.server.shutdown().await.unwrap();
}
