//! The delivery routes.
//!
//! - `GET /api/v1/destinations` (admin): the team's destinations, secrets
//!   replaced by `secretSet`.
//! - `PUT /api/v1/destinations/{name}` (admin): create or replace; a secret
//!   sent empty keeps the stored one.
//! - `DELETE /api/v1/destinations/{name}` (admin).
//! - `POST /api/v1/destinations/{name}/test` (admin): enqueue a test message.
//! - `GET /api/v1/deliveries?capture=…|destination=…` (every role): the
//!   outbox rows and their attempts (no secrets in either).
//! - `POST /api/v1/deliveries/{id}/retry` (admin): "retry now".

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use escucha_core::delivery::{self as core, Destination, DestinationView, Notification, NotificationKind, Target};
use escucha_core::sync::api::ErrorCode;
use escucha_core::workspace::role::Action;
use serde::Deserialize;
use serde_json::json;

use super::store::LogFilter;
use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::{now_ms, AppState};

fn internal(context: &'static str) -> impl Fn(crate::db::DbError) -> ApiFailure {
    move |e| ApiFailure::internal(context, e)
}

pub async fn list(State(state): State<AppState>, Authed(who): Authed) -> Result<Json<serde_json::Value>, ApiFailure> {
    who.require(Action::Configure)?;
    let all = state.storage.destinations(who.team_id).await.map_err(internal("reading the destinations"))?;
    let views: Vec<DestinationView> = all.iter().map(Destination::view).collect();
    Ok(Json(json!({ "destinations": views })))
}

pub async fn put(
    State(state): State<AppState>,
    Authed(who): Authed,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    who.require(Action::Configure)?;
    let value = crate::routes::json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let mut d: Destination =
        serde_json::from_value(value).map_err(|e| ApiFailure::bad_request(format!("The body is not a destination: {e}.")))?;
    d.name = name.clone();
    let stored = state.storage.destination(who.team_id, &name).await.map_err(internal("reading the destination"))?;
    if let Some(stored) = &stored {
        d.keep_secrets_from(stored);
    }
    let departments = match state.storage.team_config(who.team_id).await.map_err(internal("reading the team configuration"))? {
        Some(doc) => doc.config.departments,
        None => escucha_core::team_config::TeamConfig::default().departments,
    };
    if let Err(problems) = d.validate(&departments) {
        let message = problems.iter().map(|p| p.english()).collect::<Vec<_>>().join("\n");
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": { "code": "bad_request", "message": message, "problems": problems } })),
        )
            .into_response());
    }
    // A literal private address is refused at once (a name is checked at
    // every send, on what it resolves to then).
    if !state.config.delivery.allow_private {
        let host = d.kind.url().and_then(|u| core::ssrf::parse_url(u).ok()).map(|u| u.host).or(match &d.kind {
            core::DestinationKind::Email { smtp_host, .. } => Some(smtp_host.clone()),
            _ => None,
        });
        if let Some(range) = host.and_then(|h| h.parse().ok()).and_then(core::ssrf::forbidden_range) {
            return Err(ApiFailure::bad_request(format!(
                "The destination points at a {range:?} address; this server does not deliver to private targets."
            )));
        }
    }
    state.storage.save_destination(who.team_id, &d, &who.member, now_ms()).await.map_err(internal("saving the destination"))?;
    tracing::info!(team = %who.team, member = %who.member, destination = %d.name, kind = d.kind.name(), "destination saved");
    let status = if stored.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(d.view())).into_response())
}

pub async fn delete(State(state): State<AppState>, Authed(who): Authed, Path(name): Path<String>) -> Result<StatusCode, ApiFailure> {
    who.require(Action::Configure)?;
    if state.storage.delete_destination(who.team_id, &name).await.map_err(internal("deleting the destination"))? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiFailure::new(ErrorCode::NotFound, format!("No destination named \u{201c}{name}\u{201d}.")))
    }
}

/// A test message in the destination's language, delivered like any other.
pub async fn test_send(State(state): State<AppState>, Authed(who): Authed, Path(name): Path<String>) -> Result<Response, ApiFailure> {
    who.require(Action::Configure)?;
    let Some(d) = state.storage.destination(who.team_id, &name).await.map_err(internal("reading the destination"))? else {
        return Err(ApiFailure::new(ErrorCode::NotFound, format!("No destination named \u{201c}{name}\u{201d}.")));
    };
    let (heading, text) = match d.language {
        core::Language::En => ("Escucha test message", format!("{} sent this test to \u{201c}{}\u{201d}.", who.member, d.name)),
        core::Language::Es => ("Mensaje de prueba de Escucha", format!("{} envió esta prueba a \u{201c}{}\u{201d}.", who.member, d.name)),
    };
    let now = now_ms();
    let n = Notification {
        kind: NotificationKind::Test,
        message: core::Message {
            subject: heading.into(),
            language: d.language,
            blocks: vec![core::Block::Heading { text: heading.into() }, core::Block::Paragraph { text }],
        },
        data: json!({ "destination": d.name, "by": who.member }),
        capture_id: None,
    };
    let key = format!("test:{now}");
    let done = state
        .storage
        .enqueue_notification(who.team_id, &Target::Destination(name.clone()), &n, &key)
        .await
        .map_err(internal("enqueueing the test"))?;
    if done.matched == 0 {
        return Err(ApiFailure::new(ErrorCode::Conflict, format!("The destination \u{201c}{name}\u{201d} is disabled.")));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": super::message_id(who.team_id, &name, &key) }))).into_response())
}

#[derive(Deserialize)]
pub struct LogQuery {
    capture: Option<String>,
    destination: Option<String>,
    limit: Option<u32>,
}

pub async fn log(
    State(state): State<AppState>,
    Authed(who): Authed,
    Query(q): Query<LogQuery>,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    who.require(Action::Read)?;
    let filter = match (q.capture, q.destination) {
        (Some(c), None) => LogFilter::Capture(c),
        (None, Some(d)) => LogFilter::Destination(d),
        (None, None) => LogFilter::All,
        (Some(_), Some(_)) => return Err(ApiFailure::bad_request("Ask for one capture or one destination, not both.")),
    };
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let (outbox, attempts) = state.storage.delivery_log(who.team_id, &filter, limit).await.map_err(internal("reading the delivery log"))?;
    Ok(Json(json!({ "deliveries": outbox, "attempts": attempts })))
}

pub async fn retry_now(State(state): State<AppState>, Authed(who): Authed, Path(id): Path<String>) -> Result<StatusCode, ApiFailure> {
    who.require(Action::Configure)?;
    if state.storage.retry_delivery(who.team_id, &id, now_ms()).await.map_err(internal("retrying the delivery"))? {
        super::WAKE.notify_one();
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiFailure::new(ErrorCode::NotFound, format!("No delivery {id} waiting or given up in this team.")))
    }
}
