//! The review pages: the visit list with its filters, one visit, the per-rep figures — the
//! JSON API's answers (the same storage calls, the same reach) laid out as tables.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::session::ConsoleSession;
use super::{refusal, to_sign_in, Filters, Lang, LangQuery, Page, Row, Strings, Table};
use crate::console::filter::{path_id, PeriodQuery, VisitQuery};
use crate::console::{Period, VisitDetail, VisitFilter, VisitPage, VisitRow};
use crate::error::ApiError;
use crate::http::console::{asker, query};
use crate::http::AppState;

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
        // The rep filter's choices: who is in reach, not the period's figures (a month of
        // figures is the console's heaviest query; the list is its most frequent page).
        let reps = state.storage.console_reps(asker.clone()).await?;
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
        reps,
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
    page.live = q.cursor.as_deref().is_none_or(str::is_empty);
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
