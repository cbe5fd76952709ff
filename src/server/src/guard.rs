//! What every request passes before any handler, and what every response
//! carries after: the per-address rate limit (before authentication), bounds
//! on the request line, headers and declared body size (refused before a
//! byte of body is read), a deadline for the body, security headers, and one
//! JSON error shape for every failure, including the ones axum and the static
//! file service answer in plain text or with an empty body.

use std::future::Future as _;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use escucha_core::sync::api::ErrorCode;
use http_body::{Frame, SizeHint};

use crate::errors::ApiFailure;
use crate::AppState;

/// The client's IP address, put on each request by [`crate::connections::serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The address a request is accounted to (in-process tests have none).
pub fn client_ip(extensions: &axum::http::Extensions) -> IpAddr {
    extensions.get::<ClientAddr>().map(|a| a.0).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Request bounds that apply before authentication.
#[derive(Clone, Debug)]
pub struct Guards {
    /// Longest request target (path and query) in bytes; more is 414.
    pub max_uri_bytes: usize,
    /// Most bytes of headers (names and values); more is 431.
    pub max_header_bytes: usize,
    /// The whole body must arrive within this; slower is 408.
    pub body_timeout: Duration,
    /// Requests per minute from one client address, whatever the token,
    /// and the burst allowed; generous, as a team may share one address.
    pub address_rate_per_minute: u32,
    pub address_burst: u32,
    /// Failed authentications (unknown or revoked token) per minute from
    /// one address; past it every token from there waits.
    pub auth_failures_per_minute: u32,
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            body_timeout: Duration::from_secs(30),
            address_rate_per_minute: 3000,
            address_burst: 600,
            auth_failures_per_minute: 20,
        }
    }
}

/// The dashboard's policy: its own scripts (and wasm), styles and images;
/// nothing inline, no framing, no plug-ins, no other origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The message a timed-out body's error carries (how the body reader knows it).
pub const BODY_TIMED_OUT: &str = "the request body did not arrive in time";

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response<Body> {
    let is_demo = req.uri().path().starts_with("/demo/");
    let res = match check(&state, req) {
        Ok(req) => next.run(req).await,
        Err(failure) => failure.into_response(),
    };
    finish(res, is_demo).await
}

fn check(state: &AppState, req: Request) -> Result<Request, ApiFailure> {
    let guards = &state.config.guards;
    let ip = client_ip(req.extensions());
    // Loopback is this machine: a reverse proxy in front (every client would
    // share its address, so it must limit per address itself), or the tests
    // and benchmarks. Failed authentications still count for it (auth.rs).
    let checked = if ip.is_loopback() { Ok(()) } else { state.address_limit.check(ip) };
    if let Err(wait) = checked {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut failure = ApiFailure::new(ErrorCode::RateLimited, format!("Too many requests from your address; try again in {secs} s."));
        failure.retry_after_secs = Some(secs.max(1));
        return Err(failure);
    }
    let uri_len = req.uri().path_and_query().map(|p| p.as_str().len()).unwrap_or(0);
    if uri_len > guards.max_uri_bytes {
        return Err(ApiFailure::new(
            ErrorCode::UriTooLong,
            format!("The request target is {uri_len} bytes; at most {} are accepted.", guards.max_uri_bytes),
        ));
    }
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if header_bytes > guards.max_header_bytes {
        return Err(ApiFailure::new(
            ErrorCode::HeadersTooLarge,
            format!("The request headers are {header_bytes} bytes; at most {} are accepted.", guards.max_header_bytes),
        ));
    }
    if let Some(declared) = req.headers().get(header::CONTENT_LENGTH) {
        let max = state.config.limits.max_body_bytes;
        let len = declared.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok());
        match len {
            None => return Err(ApiFailure::bad_request("Content-Length is not a whole number of bytes.")),
            Some(len) if len > max as u64 => {
                return Err(ApiFailure::new(
                    ErrorCode::PayloadTooLarge,
                    format!("The body would be {len} bytes; at most {max} are accepted. Send fewer items per request."),
                ))
            }
            Some(_) => {}
        }
    }
    let timeout = guards.body_timeout;
    Ok(req.map(|body| {
        if http_body::Body::is_end_stream(&body) {
            body
        } else {
            Body::new(Deadline { inner: body, sleep: Box::pin(tokio::time::sleep(timeout)) })
        }
    }))
}

/// Security headers on everything; a JSON body on every error that lacks one.
async fn finish(res: Response<Body>, is_demo: bool) -> Response<Body> {
    let mut res = if res.status().is_client_error() || res.status().is_server_error() { as_json_error(res).await } else { res };
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // The demo pages are test fixtures that stand in for third-party sites
    // (inline scripts and all); everything else is ours and locked down.
    if !is_demo {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

fn is_json(res: &Response<Body>) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

/// An error answered in plain text (axum's extractor rejections) or with an
/// empty body (the static file service): the same status and headers, the
/// body as `{"error": {"code", "message"}}`.
async fn as_json_error(res: Response<Body>) -> Response<Body> {
    if is_json(&res) {
        return res;
    }
    let status = res.status();
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.ok().map(|b| String::from_utf8_lossy(&b).trim().to_string()).unwrap_or_default();
    let code = code_for(status);
    let message = if text.is_empty() { default_message(status) } else { format!("{text}.") };
    let json = ApiFailure::new(code, message).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let (_, body) = json.into_parts();
    Response::from_parts(parts, body)
}

/// The error code that goes with a status another layer chose.
pub fn code_for(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        408 => ErrorCode::RequestTimeout,
        413 => ErrorCode::PayloadTooLarge,
        414 => ErrorCode::UriTooLong,
        415 => ErrorCode::UnsupportedMediaType,
        429 => ErrorCode::RateLimited,
        431 => ErrorCode::HeadersTooLarge,
        503 => ErrorCode::StorageUnavailable,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    }
}

fn default_message(status: StatusCode) -> String {
    match status.as_u16() {
        404 => "Nothing here.".into(),
        405 => "This path does not take that HTTP method.".into(),
        s => format!("The request failed ({s} {}).", status.canonical_reason().unwrap_or("error")),
    }
}

/// A request body that fails once its deadline passes.
struct Deadline {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

#[derive(Debug)]
struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(BODY_TIMED_OUT)
    }
}

impl std::error::Error for BodyTimedOut {}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
