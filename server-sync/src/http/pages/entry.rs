//! Signing in and out of the console: the form, the devices' password check, the cookie.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use fieldsales_protocol::Role;
use serde::Deserialize;

use super::session::{cleared_cookie, console_device, csrf_token, session_cookie, ConsoleSession};
use super::{message, refusal, Lang, LangQuery, Page};
use crate::error::ApiError;
use crate::http::client_address::ClientAddress;
use crate::http::login::{check_login, open_session, Credentials, Device, LoginGuard};
use crate::http::AppState;

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
