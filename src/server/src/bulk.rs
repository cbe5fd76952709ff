//! `POST /api/v1/captures/bulk-edit` (queue12): one change to a selection
//! of captures from the dashboard's queue.
//!
//! The request is read by the core's [`parse_bulk`] (the one edit validator
//! plus the selection's own limits). Each capture then goes through the
//! same edit path as `POST /api/v1/captures/{id}/edit` — its own
//! transaction, stamp, history and quota check, on either engine — and the
//! answer says per capture whether it changed. Per item rather than one
//! transaction: a capture deleted by a teammate meanwhile must not undo the
//! change to the other 49.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Json;
use escucha_core::dashboard::bulk::{parse_bulk, BulkEditResponse, BulkItem, BulkRefusal};
use escucha_core::sync::api::ErrorCode;
use escucha_core::workspace::role::Action;

use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::store::EditError;
use crate::{now_ms, AppState};

/// The same refusal the one-capture edit gives.
fn edit_failure(e: EditError) -> ApiFailure {
    match e {
        EditError::NotFound => ApiFailure::new(ErrorCode::NotFound, "Your team's log has no capture with that id."),
        EditError::Invalid(message) => ApiFailure::bad_request(message),
        EditError::OverQuota(usage) => ApiFailure::quota(usage),
        EditError::Db(e) => ApiFailure::internal("applying the edit", e),
    }
}

pub async fn bulk_edit(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BulkEditResponse>, ApiFailure> {
    // A viewer (read only) is refused before the body is even read.
    who.require(Action::Edit)?;
    let value = crate::routes::json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let request = parse_bulk(&value).map_err(|r| match r {
        BulkRefusal::TooMany { .. } => ApiFailure::new(ErrorCode::TooManyItems, r.to_string()),
        BulkRefusal::Invalid(_) => ApiFailure::bad_request(r.to_string()),
    })?;
    let mut results = Vec::with_capacity(request.ids.len());
    for id in request.ids {
        let outcome = state.storage.edit(&who, &id, &request.edit, now_ms(), &state.config.quotas).await;
        results.push(match outcome {
            Ok(_) => BulkItem { id, ok: true, error: None },
            Err(e) => BulkItem { id, ok: false, error: Some(edit_failure(e).error) },
        });
    }
    Ok(Json(BulkEditResponse { results }))
}
