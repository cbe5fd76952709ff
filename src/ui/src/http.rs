//! The one `fetch` with a timeout, for the extension (service worker and
//! pages) and the dashboard: no cookies, no cache, one deadline for the whole
//! exchange, and a failure that says only what the browser can know.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::describe_js_error;

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// `fetch` rejected (DNS, refused, reset, TLS, CORS): the browser does
    /// not say which, on purpose.
    Network(String),
    /// Our timeout fired, before the answer or while reading it.
    Timeout,
}

/// `fetch` with a hard timeout covering the whole exchange (headers and
/// body), via `AbortSignal.timeout`. `headers` are set as given; callers put
/// the token only in `Authorization`.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    timeout_ms: u32,
) -> Result<HttpResponse, FetchFailure> {
    let network = |e: JsValue| {
        let name = Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        if name == "TimeoutError" || name == "AbortError" {
            FetchFailure::Timeout
        } else {
            FetchFailure::Network(describe_js_error(&e))
        }
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let h = web_sys::Headers::new().map_err(network)?;
    for (k, v) in headers {
        h.set(k, v).map_err(network)?;
    }
    init.set_headers(&h);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    // No cookies or cached answers: the token is the only credential.
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_cache(web_sys::RequestCache::NoStore);
    let signal = web_sys::AbortSignal::timeout_with_u32(timeout_ms);
    init.set_signal(Some(&signal));
    let fetch_fn: Function = Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| FetchFailure::Network("fetch is not available here".into()))?;
    let promise: Promise = fetch_fn.call2(&js_sys::global(), &url.into(), &init).map_err(network)?.unchecked_into();
    let response: web_sys::Response = JsFuture::from(promise).await.map_err(network)?.unchecked_into();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = JsFuture::from(response.text().map_err(network)?).await.map_err(network)?;
    Ok(HttpResponse { status: response.status(), retry_after, body: text.as_string().unwrap_or_default() })
}
