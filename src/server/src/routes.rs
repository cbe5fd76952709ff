//! The sync API v1 handlers. Each one authenticates through [`Authed`],
//! does its database work through [`crate::Storage`] (either engine), and
//! answers only after the database has committed.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use escucha_core::log::Capture;
use escucha_core::sync::api::{
    self, ErrorCode, Me, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, PROTOCOL_VERSION,
};
use escucha_core::sync::validate;
use escucha_core::workspace::role::Action;
use serde_json::Value;

use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::{export, now_ms, store, AppState};

/// The body as JSON, or a 400/413/415 that says what is wrong.
pub(crate) fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>, max_bytes: usize) -> Result<Value, ApiFailure> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiFailure::new(
            ErrorCode::UnsupportedMediaType,
            format!("Send the body as JSON with `Content-Type: application/json` (got \u{201c}{content_type}\u{201d})."),
        ));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::new(
                ErrorCode::PayloadTooLarge,
                format!("The body is larger than {} bytes; send fewer items per request.", max_bytes),
            )
        } else if rejection.body_text().contains(crate::guard::BODY_TIMED_OUT) {
            ApiFailure::new(ErrorCode::RequestTimeout, "The request body did not arrive in time; send it again.")
        } else {
            ApiFailure::bad_request(format!("Could not read the request body: {}", rejection.body_text()))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ApiFailure::bad_request(format!("The body is not valid JSON: {e}.")))
}

pub async fn me(Authed(who): Authed) -> Json<Me> {
    Json(Me { team: who.team, member: who.member, protocol: PROTOCOL_VERSION, role: Some(who.role) })
}

pub async fn push(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, ApiFailure> {
    // A push both adds captures and merges changes into existing ones.
    who.require(Action::Capture)?;
    who.require(Action::Edit)?;
    let limits = state.config.limits.clone();
    let value = json_body(&headers, body, limits.max_body_bytes)?;
    let request: PushRequest<Value> = validate::parse_strict(&value).map_err(ApiFailure::bad_request)?;
    if request.items.len() > limits.max_push_items {
        return Err(ApiFailure::new(
            ErrorCode::TooManyItems,
            format!("{} items in one push; send at most {} per request.", request.items.len(), limits.max_push_items),
        ));
    }
    let now = now_ms();
    let checked: Vec<store::Checked> = request
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            validate::parse_capture(item, now).map_err(|message| {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("").chars().take(100).collect();
                (id, format!("items[{i}]: {message}"))
            })
        })
        .collect();
    let results = state
        .storage
        .push_within(&who, checked, &state.config.quotas)
        .await
        .map_err(|e| ApiFailure::internal("storing the pushed captures", e))?
        .map_err(ApiFailure::quota)?;
    Ok(Json(PushResponse { results }))
}

pub async fn pull(
    State(state): State<AppState>,
    Authed(who): Authed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<PullResponse>, ApiFailure> {
    who.require(Action::Read)?;
    if let Some(k) = query.keys().find(|k| !matches!(k.as_str(), "since" | "limit")) {
        return Err(ApiFailure::bad_request(format!("{k}: unknown query parameter; pull takes since and limit.")));
    }
    let since = match query.get("since").map(String::as_str) {
        None | Some("") => 0,
        Some(s) => api::parse_cursor(s).ok_or_else(|| {
            ApiFailure::bad_request(format!("since: \u{201c}{s}\u{201d} is not a cursor from this server; omit it to start over."))
        })?,
    };
    let limit = match query.get("limit") {
        None => DEFAULT_PULL_LIMIT,
        Some(s) => s.parse::<u32>().ok().filter(|n| (1..=MAX_PULL_LIMIT).contains(n)).ok_or_else(|| {
            ApiFailure::bad_request(format!("limit: \u{201c}{s}\u{201d} must be a whole number from 1 to {MAX_PULL_LIMIT}."))
        })?,
    };
    let team_id = who.team_id;
    let (items, cursor, more) = state.storage.pull(team_id, since, limit).await.map_err(|e| ApiFailure::internal("reading changes", e))?;
    Ok(Json(PullResponse { items, cursor: api::format_cursor(cursor), more }))
}

pub async fn edit(
    State(state): State<AppState>,
    Authed(who): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Capture>, ApiFailure> {
    who.require(Action::Edit)?;
    validate::parse_id(&id).map_err(ApiFailure::bad_request)?;
    let value = json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let change = validate::parse_edit(&value).map_err(ApiFailure::bad_request)?;
    match state.storage.edit(&who, &id, &change, now_ms(), &state.config.quotas).await {
        Ok(record) => Ok(Json(record)),
        Err(store::EditError::NotFound) => Err(ApiFailure::new(ErrorCode::NotFound, "Your team's log has no capture with that id.")),
        Err(store::EditError::Invalid(message)) => Err(ApiFailure::bad_request(message)),
        Err(store::EditError::OverQuota(usage)) => Err(ApiFailure::quota(usage)),
        Err(store::EditError::Db(e)) => Err(ApiFailure::internal("applying the edit", e)),
    }
}

/// Export headers; the body streams.
fn attachment(content_type: &'static str, name: String, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

pub async fn export_csv(State(state): State<AppState>, Authed(who): Authed) -> Result<Response, ApiFailure> {
    who.require(Action::Read)?;
    let name = export::file_name(&who.team, now_ms(), "csv");
    Ok(attachment("text/csv; charset=utf-8", name, Body::from_stream(export::csv_stream(state.storage.clone(), who.team_id))))
}

pub async fn export_json(State(state): State<AppState>, Authed(who): Authed) -> Result<Response, ApiFailure> {
    who.require(Action::Read)?;
    let now = now_ms();
    let name = export::file_name(&who.team, now, "json");
    let body = Body::from_stream(export::json_stream(state.storage.clone(), who.team_id, who.team.clone(), now));
    Ok(attachment("application/json", name, body))
}

/// Any other path under /api/: a version this server does not speak, or
/// simply no such endpoint.
pub async fn api_fallback(uri: Uri) -> ApiFailure {
    let path = uri.path();
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        ApiFailure::new(ErrorCode::NotFound, format!("No endpoint {path}; see docs/sync-api.openapi.yaml."))
    } else {
        ApiFailure::new(
            ErrorCode::UnsupportedVersion,
            format!("This server speaks sync API v{PROTOCOL_VERSION} (/api/v{PROTOCOL_VERSION}/); {path} is not part of it."),
        )
    }
}

pub async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(ErrorCode::MethodNotAllowed, "This endpoint does not take that HTTP method; see docs/sync-api.openapi.yaml.")
}
