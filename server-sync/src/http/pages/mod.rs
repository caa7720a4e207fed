//! `/console`: the manager console's pages, rendered on the server from one compiled template
//! (`templates/console.html`, askama) with the stylesheet embedded in the binary. The only
//! script is the visit list's live update: it listens to `GET /v1/events` (the phones' event
//! stream, reached with the cookie) and reloads the first page when the tenant's log moves.
//!
//! Signed out, `/console` is a plain sign-in form (tenant, username, password) that goes
//! through the devices' password check and lockouts ([`session`]). A rep is refused at sign-in
//! (403, no session is made): the console reviews a team, and a rep's day is on their phone.
//! Signed in, the pages are the visit list with its filters, one visit (photos served by
//! `GET /v1/media` to the same cookie), and the per-rep figures — the answers of the JSON API
//! (`super::console`, the same storage calls and the same reach), laid out as tables. The
//! words come from `strings.toml` in zh-CN unless `?lang=en` (remembered in a cookie) or the
//! browser's first language asks for English; times are the tenant's.

mod entry;
mod review;
pub mod session;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::ApiError;
use session::{cookie, csrf_token, LANG_COOKIE};

pub use entry::{home, sign_in, sign_out};
pub use review::{figures, visit, visits};

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
    /// Reload when the team's phones sync (the event stream): the first page of the list.
    live: bool,
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
            live: false,
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
