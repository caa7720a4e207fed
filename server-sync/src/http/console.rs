//! `GET /v1/console/...`: the manager console's JSON API, and `GET /v1/openapi.json`, its
//! description generated from these handlers and the answer types.
//!
//! The same session as a device's (`Authorization: Bearer`, from `POST /v1/login`). Who
//! reaches what is `access::console_reach`: an admin the whole tenant, a manager their own
//! team, a rep nothing — 403, because a rep's own day is on their phone and the console is
//! for reviewing a team. A visit or customer beyond the reader's reach is 404, the answer an
//! unknown id gets, so ids of other teams cannot be probed. A malformed filter, cursor, page
//! size or id is 400 naming the parameter (a page size above the maximum is refused, not
//! cut). Handlers only check and forward: the questions are `crate::console`, the answers
//! come from storage.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{AppState, Authenticated};
use crate::access::{console_reach, ConsoleRefusal};
use crate::accounts::Principal;
use crate::console::filter::{path_id, PeriodQuery, VisitQuery};
use crate::console::{
    Asker, CustomerView, Figures, HistoryEntry, Period, PhotoView, PresenceView, RepFigures,
    Timeline, TimelineEntry, VisitDetail, VisitFilter, VisitPage, VisitRow,
};
use crate::error::ApiError;

/// The console API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "fieldsales console API",
        description = "The team's synced visits, figures and customer timelines, as the manager \
            console shows them. Sign in with POST /v1/login (the devices' login) and send the \
            token as a bearer token. Admins see the whole tenant, managers their own team; \
            reps are refused (403). Times are RFC 3339 in the tenant's time zone."
    ),
    paths(visits, visit, figures, customer),
    components(schemas(
        VisitPage, VisitRow, VisitDetail, PresenceView, PhotoView, CustomerView, HistoryEntry,
        Figures, RepFigures, Timeline, TimelineEntry
    )),
    modifiers(&SessionAuth),
    security(("session" = []))
)]
pub struct ConsoleApi;

struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// `GET /v1/openapi.json`.
pub async fn openapi() -> Response {
    Json(ConsoleApi::openapi()).into_response()
}

/// The asker behind a request, or the console's refusal.
pub(super) fn asker(state: &AppState, principal: &Principal) -> Result<Asker, ApiError> {
    let viewer = crate::sync::viewer(principal);
    let reach = console_reach(&viewer).map_err(|refusal| match refusal {
        ConsoleRefusal::Rep => ApiError::forbidden(
            "the console is for managers and admins; a rep's day is on the phone",
        ),
        ConsoleRefusal::NoTeam => ApiError::forbidden("a manager in no team has nobody to review"),
    })?;
    Ok(Asker {
        tenant_id: principal.tenant_id.clone(),
        viewer,
        reach,
        zone: state.config.console.zone(),
        now_ms: Utc::now().timestamp_millis(),
    })
}

pub(super) fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|_| ApiError::invalid_field("the query string is malformed"))
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        fieldsales_protocol::ErrorCode::NotFound,
        format!("no such {what}"),
    )
}

/// The team's visits, newest first.
#[utoipa::path(
    get,
    path = "/v1/console/visits",
    params(VisitQuery),
    responses(
        (status = 200, description = "A page of visits", body = VisitPage),
        (status = 400, description = "A malformed filter, cursor or page size"),
        (status = 401, description = "No valid session"),
        (status = 403, description = "A rep, or a manager in no team"),
    )
)]
pub async fn visits(
    State(state): State<AppState>,
    auth: Authenticated,
    q: Result<Query<VisitQuery>, QueryRejection>,
) -> Result<Json<VisitPage>, ApiError> {
    let asker = asker(&state, &auth.principal)?;
    let filter = VisitFilter::parse(&query(q)?, asker.zone, asker.now_ms)?;
    Ok(Json(state.storage.console_visits(asker, filter).await?))
}

/// One visit: who, where, when, what was said and shown, and the record's history.
#[utoipa::path(
    get,
    path = "/v1/console/visits/{id}",
    params(("id" = String, Path, description = "The visit's id")),
    responses(
        (status = 200, description = "The visit", body = VisitDetail),
        (status = 400, description = "A malformed id"),
        (status = 401, description = "No valid session"),
        (status = 403, description = "A rep, or a manager in no team"),
        (status = 404, description = "No such visit within the reader's reach"),
    )
)]
pub async fn visit(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<VisitDetail>, ApiError> {
    let asker = asker(&state, &auth.principal)?;
    let id = path_id(&id, "id")?;
    let detail = state.storage.console_visit(asker, id).await?;
    detail.map(Json).ok_or_else(|| not_found("visit"))
}

/// Per-rep figures for a period.
#[utoipa::path(
    get,
    path = "/v1/console/figures",
    params(PeriodQuery),
    responses(
        (status = 200, description = "One row per rep", body = Figures),
        (status = 400, description = "A malformed period"),
        (status = 401, description = "No valid session"),
        (status = 403, description = "A rep, or a manager in no team"),
    )
)]
pub async fn figures(
    State(state): State<AppState>,
    auth: Authenticated,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Figures>, ApiError> {
    let asker = asker(&state, &auth.principal)?;
    let q = query(q)?;
    let period = Period::parse(q.from.as_deref(), q.to.as_deref(), asker.zone, asker.now_ms)?;
    Ok(Json(state.storage.console_figures(asker, period).await?))
}

/// A customer and the team's visits, quick-logs and tasks with it.
#[utoipa::path(
    get,
    path = "/v1/console/customers/{id}",
    params(("id" = String, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer's timeline", body = Timeline),
        (status = 400, description = "A malformed id"),
        (status = 401, description = "No valid session"),
        (status = 403, description = "A rep, or a manager in no team"),
        (status = 404, description = "No such customer within the reader's reach"),
    )
)]
pub async fn customer(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Timeline>, ApiError> {
    let asker = asker(&state, &auth.principal)?;
    let id = path_id(&id, "id")?;
    let timeline = state.storage.console_timeline(asker, id).await?;
    timeline.map(Json).ok_or_else(|| not_found("customer"))
}
