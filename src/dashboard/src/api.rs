//! HTTP to the team-log server: bearer token, JSON in and out, a timeout.
//! Which requests to make and what failures mean is decided in
//! `escucha_core::dashboard::client`.

use escucha_core::dashboard::client::Failure;
use escucha_ui::http::{fetch, FetchFailure};
use serde::de::DeserializeOwned;

/// Every request gives up after this long (the sync contract: under 30 s).
const TIMEOUT_MS: u32 = 25_000;

/// `method path` with `Authorization: Bearer token` (if any) and a JSON body,
/// through the UI kit's one fetch with a timeout.
pub async fn request<T: DeserializeOwned>(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Result<T, Failure> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = vec![];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let resp = fetch(method, path, &headers, body.as_deref(), TIMEOUT_MS).await.map_err(|e| match e {
        FetchFailure::Network(_) | FetchFailure::Timeout => Failure::Network,
    })?;
    if !(200..300).contains(&resp.status) {
        return Err(Failure::Http { status: resp.status, body: resp.body, retry_after: resp.retry_after });
    }
    serde_json::from_str(&resp.body).map_err(|e| Failure::BadResponse(e.to_string()))
}

/// [`request`] for answers without a body (202, 204): only the status counts.
pub async fn request_empty(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Result<(), Failure> {
    match request::<serde_json::Value>(method, path, token, body).await {
        Ok(_) | Err(Failure::BadResponse(_)) => Ok(()),
        Err(f) => Err(f),
    }
}
