//! `/console`: the manager console's pages, rendered on the server from one compiled template
//! (`templates/console.html`, askama) with the stylesheet embedded in the binary; no script.
//!
//! Signed out, `/console` is a plain sign-in form (tenant, username, password) that goes
//! through the devices' password check and lockouts ([`session`]). A rep is refused at sign-in
//! (403, no session is made): the console reviews a team, and a rep's day is on their phone.
//! Signed in, the pages are the visit list with its filters, one visit (photos served by
//! `GET /v1/media` to the same cookie), and the per-rep figures — the answers of the JSON API
//! (`super::console`, the same storage calls and the same reach), laid out as tables. The
//! words come from `strings.toml` in zh-CN unless `?lang=en` (remembered in a cookie) or the
//! browser's first language asks for English; times are the tenant's.

pub mod session;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::client_address::ClientAddress;
use super::console::{asker, query};
use super::login::{check_login, open_session, Credentials, Device, LoginGuard};
use super::AppState;
use crate::console::filter::{path_id, PeriodQuery, VisitQuery};
use crate::console::{Period, VisitDetail, VisitFilter, VisitPage, VisitRow};
use crate::error::ApiError;
use fieldsales_protocol::Role;
use session::{
    cleared_cookie, console_device, cookie, csrf_token, session_cookie, ConsoleSession, LANG_COOKIE,
};

/// The stylesheet, served from the binary.
const CSS: &str = include_str!("console.css");
/// The words, per language.
const STRINGS: &str = include_str!("strings.toml");

/// The console's words in one language.
pub struct Strings(HashMap<String, String>);

impl Strings {
    /// The word for `key` (the key itself when missing, so a gap shows rather than breaks).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.0.get(key).map(String::as_str).unwrap_or(key)
    }
}

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("en") {
            Some(Lang::En)
        } else if s.starts_with("zh") {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// `?lang=`, else the language cookie, else the browser's first language, else zh-CN.
    fn of(lang: Option<&str>, headers: &HeaderMap) -> Lang {
        lang.and_then(Lang::parse)
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next())
                    .and_then(Lang::parse)
            })
            .unwrap_or(Lang::Zh)
    }

    fn strings(self) -> &'static Strings {
        static ALL: OnceLock<HashMap<String, Arc<Strings>>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            let table: HashMap<String, HashMap<String, String>> =
                toml::from_str(STRINGS).expect("strings.toml is part of the binary and parses");
            table
                .into_iter()
                .map(|(lang, words)| (lang, Arc::new(Strings(words))))
                .collect()
        });
        let key = match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        all.get(key)
            .map(Arc::as_ref)
            .expect("strings.toml holds zh and en")
    }
}

/// The `?lang=` every page accepts.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The filters form.
struct Filters {
    full: bool,
    from: String,
    to: String,
    rep: String,
    verdict: String,
    customer: String,
    reps: Vec<(String, String)>,
}

struct Row {
    link: Option<String>,
    cells: Vec<String>,
}

struct Table {
    caption: Option<String>,
    headers: Vec<String>,
    rows: Vec<Row>,
}

/// Every console page: a heading and whichever parts it has.
#[derive(Template)]
#[template(path = "console.html")]
struct Page {
    t: &'static Strings,
    lang: &'static str,
    heading: String,
    signed_in: bool,
    csrf: String,
    notice: Option<String>,
    signin: bool,
    filters: Option<Filters>,
    time_zone: String,
    pairs: Vec<(String, String)>,
    photos: Vec<(String, String)>,
    tables: Vec<Table>,
    next: Option<String>,
}

impl Page {
    fn new(lang: Lang, heading: &str) -> Page {
        Page {
            t: lang.strings(),
            lang: lang.tag(),
            heading: heading.to_string(),
            signed_in: false,
            csrf: String::new(),
            notice: None,
            signin: false,
            filters: None,
            time_zone: String::new(),
            pairs: Vec::new(),
            photos: Vec::new(),
            tables: Vec::new(),
            next: None,
        }
    }

    fn signed_in(mut self, token_hash: &[u8]) -> Page {
        self.signed_in = true;
        self.csrf = csrf_token(token_hash);
        self
    }

    fn render(self, status: StatusCode, lang_query: Option<&str>) -> Response {
        let mut headers = vec![(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string())];
        if let Some(lang) = lang_query.and_then(Lang::parse) {
            headers.push((
                header::SET_COOKIE,
                format!(
                    "{LANG_COOKIE}={}; Path=/console; SameSite=Strict",
                    lang.tag()
                ),
            ));
        }
        match Template::render(&self) {
            Ok(html) => {
                let mut response = (status, html).into_response();
                for (name, value) in headers {
                    if let Ok(value) = value.parse() {
                        response.headers_mut().append(name, value);
                    }
                }
                response
            }
            Err(e) => {
                tracing::error!(error = %e, "console page failed to render");
                ApiError::internal().into_response()
            }
        }
    }
}

/// A page saying only `message`, for refusals.
fn message(lang: Lang, status: StatusCode, key: &str) -> Response {
    let t = lang.strings();
    let mut page = Page::new(lang, t.get("title"));
    page.notice = Some(t.get(key).to_string());
    page.render(status, None)
}

/// The refusal page for an API refusal.
fn refusal(lang: Lang, error: ApiError) -> Response {
    let key = match error.status {
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::BAD_REQUEST => "bad_filter",
        _ => "busy",
    };
    message(lang, error.status, key)
}

/// Where a page sends a browser that is not signed in.
fn to_sign_in() -> Response {
    Redirect::to("/console").into_response()
}

/// `GET /console`: the sign-in form, or the visits when signed in.
pub async fn home(
    session: ConsoleSession,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    if session.principal.is_some() {
        return Redirect::to("/console/visits").into_response();
    }
    let lang = Lang::of(q.lang.as_deref(), &headers);
    let mut page = Page::new(lang, lang.strings().get("sign_in"));
    page.signin = true;
    page.render(StatusCode::OK, q.lang.as_deref())
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    tenant: String,
    username: String,
    password: String,
}

/// `POST /console/login`.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(guard): Extension<Arc<LoginGuard>>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<SignIn>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = Lang::of(None, &headers);
    let t = lang.strings();
    let again = |status: StatusCode, key: &str| {
        let mut page = Page::new(lang, t.get("sign_in"));
        page.signin = true;
        page.notice = Some(t.get(key).to_string());
        page.render(status, None)
    };
    let Ok(Form(form)) = form else {
        return again(StatusCode::BAD_REQUEST, "invalid");
    };
    let credentials = Credentials {
        tenant: &form.tenant,
        username: &form.username,
        password: &form.password,
    };
    let account = match check_login(&state, &guard, address, credentials).await {
        Ok(account) => account,
        Err(refused) => {
            let status = refused.status();
            let key = match status {
                StatusCode::UNAUTHORIZED => "wrong_password",
                StatusCode::TOO_MANY_REQUESTS => "locked",
                StatusCode::BAD_REQUEST => "invalid",
                _ => "busy",
            };
            let mut page = again(status, key);
            if let Some(retry) = refused.headers().get(header::RETRY_AFTER) {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, retry.clone());
            }
            return page;
        }
    };
    if account.role == Role::Rep {
        state.metrics.logins.with_label_values(&["refused"]).inc();
        return again(StatusCode::FORBIDDEN, "reps_refused");
    }
    let device_id = console_device(&account.user_id);
    let device = Device {
        id: &device_id,
        name: None,
        capped: false,
    };
    match open_session(&state, account, device).await {
        Ok(session) => {
            state.metrics.logins.with_label_values(&["ok"]).inc();
            let cookie = session_cookie(
                &session.token,
                state.config.tls.is_some(),
                state.config.session_ttl_secs,
            );
            let mut response = Redirect::to("/console/visits").into_response();
            if let Ok(value) = cookie.parse() {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => refusal(lang, ApiError::from(e)),
    }
}

/// The sign-out form's field.
#[derive(Debug, Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/logout`: ends the session, if the form carries its CSRF token.
pub async fn sign_out(
    State(state): State<AppState>,
    session: ConsoleSession,
    headers: HeaderMap,
    form: Result<Form<SignOut>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = Lang::of(None, &headers);
    let forged = match (&session.principal, &form) {
        (Some(_), Ok(Form(f))) => f.csrf != csrf_token(&session.token_hash),
        _ => true,
    };
    if forged {
        return message(lang, StatusCode::FORBIDDEN, "forged");
    }
    if let Err(e) = state.storage.delete_session(&session.token_hash).await {
        return refusal(lang, e.into());
    }
    let mut response = Redirect::to("/console").into_response();
    if let Ok(value) = cleared_cookie(state.config.tls.is_some()).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /console/assets/console.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

fn or_dash(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

/// `2026-12-01T09:30:00+08:00` as `2026-12-01 09:30` (the zone is named on the page).
fn when(value: &Option<String>) -> String {
    match value {
        Some(t) if t.len() >= 16 => t[..16].replace('T', " "),
        _ => "-".into(),
    }
}

fn number(value: Option<f64>, scale: f64) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:.0}", v / scale))
}

fn visit_cells(t: &Strings, v: &VisitRow) -> Vec<String> {
    vec![
        when(&v.at),
        or_dash(&v.rep),
        v.customer_name
            .clone()
            .or_else(|| v.customer_id.clone())
            .unwrap_or_else(|| "-".into()),
        t.get(&v.verdict).to_string(),
        number(v.distance_m, 1.0),
        number(v.time_on_site_s.map(|s| s as f64), 60.0),
        or_dash(&v.outcome),
        or_dash(&v.next_action),
        match v.task_done {
            Some(true) => t.get("yes").into(),
            Some(false) => t.get("no").into(),
            None => "-".into(),
        },
        v.photos.to_string(),
    ]
}

fn visit_headers(t: &Strings) -> Vec<String> {
    [
        "at",
        "rep",
        "customer",
        "verdict",
        "distance_m",
        "time_on_site",
        "outcome",
        "next_action",
        "task_done",
        "photos",
    ]
    .iter()
    .map(|k| t.get(k).to_string())
    .collect()
}

/// `GET /console/visits`: the team's visits with the filters form.
pub async fn visits(
    State(state): State<AppState>,
    session: ConsoleSession,
    headers: HeaderMap,
    q: Result<Query<VisitQuery>, QueryRejection>,
    Query(lq): Query<LangQuery>,
) -> Response {
    let Some(principal) = session.principal.as_ref() else {
        return to_sign_in();
    };
    let lang = Lang::of(lq.lang.as_deref(), &headers);
    let result = async {
        let asker = asker(&state, principal)?;
        let q = query(q)?;
        let filter = VisitFilter::parse(&q, asker.zone, asker.now_ms)?;
        let period = filter.period;
        let reps = state.storage.console_figures(asker.clone(), period).await?;
        let page: VisitPage = state.storage.console_visits(asker, filter).await?;
        Ok::<_, ApiError>((q, period, reps, page))
    }
    .await;
    let (q, period, reps, answer) = match result {
        Ok(parts) => parts,
        Err(e) => return refusal(lang, e),
    };
    let t = lang.strings();
    let mut page = Page::new(lang, t.get("visits")).signed_in(&session.token_hash);
    page.time_zone = answer.time_zone.clone();
    page.filters = Some(Filters {
        full: true,
        from: period.first_day.to_string(),
        to: period.last_day.to_string(),
        rep: q.rep.clone().unwrap_or_default(),
        verdict: q.verdict.clone().unwrap_or_default(),
        customer: q.customer.clone().unwrap_or_default(),
        reps: reps.reps.into_iter().map(|r| (r.rep_id, r.rep)).collect(),
    });
    page.tables.push(Table {
        caption: None,
        headers: visit_headers(t),
        rows: answer
            .visits
            .iter()
            .map(|v| Row {
                link: Some(format!("/console/visits/{}", v.id)),
                cells: visit_cells(t, v),
            })
            .collect(),
    });
    page.next = answer.next_cursor.map(|cursor| {
        let mut pairs = vec![
            ("from", period.first_day.to_string()),
            ("to", period.last_day.to_string()),
            ("cursor", cursor),
        ];
        for (key, value) in [
            ("rep", &q.rep),
            ("verdict", &q.verdict),
            ("customer", &q.customer),
        ] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((key, v.clone()));
            }
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect();
        format!("/console/visits?{}", query.join("&"))
    });
    page.render(StatusCode::OK, lq.lang.as_deref())
}

/// Percent-encodes a query value (ids, dates and cursors are ASCII; anything else is encoded).
fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn detail_page(lang: Lang, token_hash: &[u8], d: VisitDetail) -> Page {
    let t = lang.strings();
    let mut page = Page::new(lang, t.get("visits")).signed_in(token_hash);
    let v = &d.visit;
    let cells = visit_cells(t, v);
    page.pairs = visit_headers(t).into_iter().zip(cells).collect();
    page.pairs
        .insert(3, (t.get("check_in").into(), when(&v.check_in_at)));
    page.pairs
        .insert(4, (t.get("check_out").into(), when(&v.check_out_at)));
    page.pairs.push((t.get("notes").into(), d.notes.clone()));
    page.pairs
        .push((t.get("pain_points").into(), d.pain_points.join("、")));
    page.photos = d
        .photos
        .iter()
        .map(|p| {
            (
                p.thumbnail_url.clone().unwrap_or_else(|| p.url.clone()),
                p.url.clone(),
            )
        })
        .collect();
    page.tables.push(Table {
        caption: Some(t.get("history").into()),
        headers: vec![
            t.get("at").into(),
            t.get("who").into(),
            t.get("fields").into(),
        ],
        rows: d
            .history
            .iter()
            .map(|h| Row {
                link: None,
                cells: vec![when(&h.at), or_dash(&h.user), h.fields.join(", ")],
            })
            .collect(),
    });
    page
}

/// `GET /console/visits/{id}`.
pub async fn visit(
    State(state): State<AppState>,
    session: ConsoleSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(lq): Query<LangQuery>,
) -> Response {
    let Some(principal) = session.principal.as_ref() else {
        return to_sign_in();
    };
    let lang = Lang::of(lq.lang.as_deref(), &headers);
    let result = async {
        let asker = asker(&state, principal)?;
        let id = path_id(&id, "id")?;
        state
            .storage
            .console_visit(asker, id)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    fieldsales_protocol::ErrorCode::NotFound,
                    "no such visit",
                )
            })
    }
    .await;
    match result {
        Ok(detail) => detail_page(lang, &session.token_hash, detail)
            .render(StatusCode::OK, lq.lang.as_deref()),
        Err(e) => refusal(lang, e),
    }
}

/// `GET /console/figures`.
pub async fn figures(
    State(state): State<AppState>,
    session: ConsoleSession,
    headers: HeaderMap,
    q: Result<Query<PeriodQuery>, QueryRejection>,
    Query(lq): Query<LangQuery>,
) -> Response {
    let Some(principal) = session.principal.as_ref() else {
        return to_sign_in();
    };
    let lang = Lang::of(lq.lang.as_deref(), &headers);
    let result = async {
        let asker = asker(&state, principal)?;
        let q = query(q)?;
        let period = Period::parse(q.from.as_deref(), q.to.as_deref(), asker.zone, asker.now_ms)?;
        state
            .storage
            .console_figures(asker, period)
            .await
            .map_err(ApiError::from)
    }
    .await;
    let figures = match result {
        Ok(f) => f,
        Err(e) => return refusal(lang, e),
    };
    let t = lang.strings();
    let mut page = Page::new(lang, t.get("figures")).signed_in(&session.token_hash);
    page.time_zone = figures.time_zone.clone();
    page.filters = Some(Filters {
        full: false,
        from: figures.from.clone(),
        to: figures.to.clone(),
        rep: String::new(),
        verdict: String::new(),
        customer: String::new(),
        reps: Vec::new(),
    });
    let headers = [
        "rep",
        "visits",
        "verified_share",
        "calls",
        "new_customers",
        "new_leads",
        "tasks_due",
        "tasks_overdue",
        "tasks_done",
        "time_on_site",
        "sync_lag",
    ];
    page.tables.push(Table {
        caption: None,
        headers: headers.iter().map(|k| t.get(k).to_string()).collect(),
        rows: figures
            .reps
            .iter()
            .map(|r| Row {
                link: Some(format!(
                    "/console/visits?rep={}&from={}&to={}",
                    r.rep_id, figures.from, figures.to
                )),
                cells: vec![
                    r.rep.clone(),
                    r.visits.to_string(),
                    r.verified_share
                        .map_or_else(|| "-".into(), |s| format!("{:.0}%", s * 100.0)),
                    r.calls.to_string(),
                    r.new_customers.to_string(),
                    r.new_leads.to_string(),
                    r.tasks_due.to_string(),
                    r.tasks_overdue.to_string(),
                    r.tasks_done.to_string(),
                    number(r.avg_time_on_site_s, 60.0),
                    number(r.avg_sync_lag_s, 60.0),
                ],
            })
            .collect(),
    });
    page.render(StatusCode::OK, lq.lang.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_exists_in_both_languages() {
        let table: HashMap<String, HashMap<String, String>> = toml::from_str(STRINGS).unwrap();
        let (zh, en) = (&table["zh"], &table["en"]);
        let mut zh_keys: Vec<_> = zh.keys().collect();
        let mut en_keys: Vec<_> = en.keys().collect();
        zh_keys.sort();
        en_keys.sort();
        assert_eq!(zh_keys, en_keys);
    }

    #[test]
    fn chinese_unless_english_is_asked_for() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::of(None, &headers), Lang::Zh);
        headers.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::of(None, &headers), Lang::En);
        assert_eq!(Lang::of(Some("zh-CN"), &headers), Lang::Zh);
        assert_eq!(Lang::of(Some("fr"), &HeaderMap::new()), Lang::Zh);
    }
}
