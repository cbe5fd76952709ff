//! HTTP to the team-log server: bearer token, JSON in and out, a timeout.
//! Which requests to make and what failures mean is decided in
//! `escucha_core::dashboard::client`.

use escucha_core::dashboard::client::Failure;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

/// Every request gives up after this long (the sync contract: under 30 s).
const TIMEOUT_MS: i32 = 25_000;

/// `method path` with `Authorization: Bearer token` (if any) and a JSON body.
pub async fn request<T: DeserializeOwned>(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Result<T, Failure> {
    let window = web_sys::window().ok_or(Failure::Network)?;
    let headers = Headers::new().map_err(|_| Failure::Network)?;
    if let Some(t) = token {
        headers.set("Authorization", &format!("Bearer {t}")).map_err(|_| Failure::Network)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        headers.set("Content-Type", "application/json").map_err(|_| Failure::Network)?;
        init.set_body(&JsValue::from_str(&b));
    }
    init.set_headers(&headers);
    let abort = AbortController::new().ok();
    if let Some(a) = &abort {
        init.set_signal(Some(&a.signal()));
        let a = a.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || a.abort());
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), TIMEOUT_MS);
    }
    let req = Request::new_with_str_and_init(path, &init).map_err(|_| Failure::Network)?;
    let resp: Response = JsFuture::from(window.fetch_with_request(&req)).await.map_err(|_| Failure::Network)?.unchecked_into();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !resp.ok() {
        let retry_after = resp.headers().get("Retry-After").ok().flatten();
        return Err(Failure::Http { status: resp.status(), body: text, retry_after });
    }
    serde_json::from_str(&text).map_err(|e| Failure::BadResponse(e.to_string()))
}
