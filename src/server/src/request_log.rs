//! One structured log line per request: method, path, status, member and
//! duration (microseconds). The path is logged without its query; tokens never appear.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Filled in by authentication, read back when the response is logged.
#[derive(Clone, Default)]
pub struct MemberSlot(Arc<OnceLock<String>>);

impl MemberSlot {
    pub fn set(&self, team: &str, member: &str) {
        let _ = self.0.set(format!("{team}/{member}"));
    }
}

pub async fn log_request(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let slot = MemberSlot::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let member = slot.0.get().map(String::as_str).unwrap_or("-");
    let duration_us = start.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::error!(target: "escucha_server::request", %method, %path, status, member, duration_us, "request");
    } else {
        tracing::info!(target: "escucha_server::request", %method, %path, status, member, duration_us, "request");
    }
    res
}
