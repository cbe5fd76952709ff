//! Every API failure as one JSON shape: `{"error": {"code", "message"}}`
//! with the status its code implies (and `Retry-After` for 429).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use escucha_core::sync::api::{ApiError, ErrorBody, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub error: ApiError,
    /// Seconds, sent as `Retry-After` (rate limits).
    pub retry_after_secs: Option<u64>,
}

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiFailure {
        ApiFailure { error: ApiError::new(code, message), retry_after_secs: None }
    }

    /// A write that would pass a per-team quota (`409 quota_exceeded`).
    pub fn quota(usage: escucha_core::sync::api::QuotaUsage) -> ApiFailure {
        ApiFailure { error: ApiError::quota_exceeded(usage, crate::quota::message(&usage)), retry_after_secs: None }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiFailure {
        ApiFailure::new(ErrorCode::BadRequest, message)
    }

    /// A server fault: the details go to the log, the client gets a sentence.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> ApiFailure {
        tracing::error!(%detail, "{context}");
        ApiFailure::new(ErrorCode::Internal, format!("The server failed while {context}; nothing was changed. Try again later."))
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(ErrorBody { error: self.error })).into_response();
        if let Some(secs) = self.retry_after_secs {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
