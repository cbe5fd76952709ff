//! Issue 11, what a hostile client tried: bodies that never come, paths and
//! headers that do not parse or do not end, guessed tokens, stamps from the
//! future, and records that differ only in content or in the case of their id.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use escucha_core::log::validate::Register;
use escucha_core::log::{CaptureEdit, Status, MAX_STAMP_COUNTER};
use escucha_core::sync::api::ItemStatus;
use http_body::Frame;

use super::*;
use crate::guard::{Guards, CONTENT_SECURITY_POLICY};

/// A body that sends a few bytes and then nothing, ever (a stalled client).
struct Stalled {
    sent: bool,
}

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.sent {
            Poll::Pending
        } else {
            self.sent = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{\"items\":[")))))
        }
    }
}

fn stalled_push(token: &str, content_length: u64) -> Request<Body> {
    Request::post("/api/v1/push")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("content-length", content_length)
        .body(Body::new(Stalled { sent: false }))
        .unwrap()
}

/// The answer within `secs`, or a failure naming what hung.
async fn within(h: &Harness, secs: u64, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let what = format!("{} {}", req.method(), req.uri());
    tokio::time::timeout(Duration::from_secs(secs), h.call(req)).await.unwrap_or_else(|_| panic!("{what} got no answer in {secs} s"))
}

both_engines! {
async fn an_oversized_content_length_is_refused_before_the_body_is_read(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    // Issue 11: 100 MB announced, 10 bytes sent, then silence: it hung for 40 s.
    let (status, _, v) = within(&h, 5, stalled_push(&ana, 100_000_000)).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")), "{v}");
    // Unauthenticated, too: nothing is read from a client that has not signed in.
    let anon = Request::post("/api/v1/push").header("content-length", 100_000_000u64).body(Body::new(Stalled { sent: false })).unwrap();
    let (status, _, _) = within(&h, 5, anon).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}
}

both_engines! {
async fn a_body_that_stops_arriving_times_out_with_408(e) {
    let Some(h) = harness_with(e, ServerConfig {
        guards: Guards { body_timeout: Duration::from_millis(300), ..Guards::default() },
        ..Default::default()
    }).await else { return };
    let ana = h.member("t", "ana").await;
    let (status, _, v) = within(&h, 5, stalled_push(&ana, 1000)).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::REQUEST_TIMEOUT, Some("request_timeout")), "{v}");
}
}

both_engines! {
async fn every_error_is_json_in_the_error_shape(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let auth = format!("Bearer {ana}");
    let long_uri = format!("/api/v1/pull?since={}", "9".repeat(9000));
    let big_header = "x".repeat(40_000);
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        // A path axum cannot decode answered in plain text before.
        (
            Request::post("/api/v1/captures/%ff/edit")
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        // The static file service answered with an empty body.
        (Request::get("/no-such-page.html").body(Body::empty()).unwrap(), StatusCode::NOT_FOUND, "not_found"),
        (Request::post("/healthz").body(Body::empty()).unwrap(), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (
            Request::get(long_uri.as_str()).header("authorization", &auth).body(Body::empty()).unwrap(),
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
        ),
        (
            Request::get("/api/v1/me").header("authorization", &auth).header("x-padding", big_header.as_str()).body(Body::empty()).unwrap(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        ),
        (
            Request::post("/api/v1/push").header("authorization", &auth).header("content-length", "lots").body(Body::empty()).unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for (req, want_status, want_code) in cases {
        let what = format!("{} {:.60}", req.method(), req.uri().to_string());
        let res = h.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{what}: not JSON: {:?}", String::from_utf8_lossy(&body)));
        assert_eq!((status, v["error"]["code"].as_str()), (want_status, Some(want_code)), "{what}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{what}");
        assert_eq!(content_type.as_deref(), Some("application/json"), "{what}");
    }
}
}

both_engines! {
async fn the_dashboard_is_served_with_a_strict_policy(e) {
    let Some(h) = harness(e).await else { return };
    for path in ["/", "/index.html", "/healthz", "/api/v1/me", "/missing.js"] {
        let (_, headers, _) = h.get(path, None).await;
        assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY, "{path}");
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
    // The demo pages stand in for third-party sites: no policy of ours.
    let (status, headers, _) = h.get("/demo/forum.html", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-security-policy").is_none());
    assert_eq!(headers["x-content-type-options"], "nosniff");
}
}

both_engines! {
async fn one_address_is_throttled_before_authentication(e) {
    let Some(h) = harness_with(e, ServerConfig {
        guards: Guards { address_rate_per_minute: 1, address_burst: 3, ..Guards::default() },
        ..Default::default()
    }).await else { return };
    for i in 0..3 {
        assert_eq!(h.get("/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED, "request {i}");
    }
    let (status, headers, v) = h.get("/api/v1/me", None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")), "{v}");
    assert!(headers.contains_key("retry-after"));
    // Static files count too: the limit is the address's, whatever it asks.
    assert_eq!(h.get("/index.html", None).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Loopback (a reverse proxy on this machine, or the tests) is exempt.
    for _ in 0..5 {
        let mut req = Request::get("/index.html").body(Body::empty()).unwrap();
        req.extensions_mut().insert(crate::guard::ClientAddr(std::net::Ipv4Addr::LOCALHOST.into()));
        assert_eq!(h.call(req).await.0, StatusCode::OK);
    }
}
}

both_engines! {
async fn guessing_tokens_is_throttled_per_address(e) {
    let Some(h) = harness_with(e, ServerConfig { guards: Guards { auth_failures_per_minute: 5, ..Guards::default() }, ..Default::default() }).await else { return };
    let ana = h.member("t", "ana").await;
    let revoked = h.member("t", "bo").await;
    let id = h.storage.list_tokens().await.unwrap().into_iter().find(|t| t.member == "bo").unwrap().id;
    h.storage.revoke_token(&id).await.unwrap();
    assert_eq!(h.get("/api/v1/me", Some(&ana)).await.0, StatusCode::OK);
    let mut answers = Vec::new();
    for i in 0..8 {
        let token = if i % 2 == 0 { format!("guess-{i}") } else { revoked.clone() };
        answers.push(h.get("/api/v1/me", Some(&token)).await.0.as_u16());
    }
    assert_eq!(answers, [401, 403, 401, 403, 401, 429, 429, 429]);
    let (status, headers, v) = h.get("/api/v1/me", Some(&ana)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the address waits, whatever token it sends next: {v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("unknown or revoked tokens"), "{v}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}
}

both_engines! {
async fn a_stamp_from_the_future_cannot_freeze_a_field(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let bo = h.member("t", "bo").await;
    // Issue 11's push: a day ahead with a saturated counter.
    let mut frozen = capture(1, "ana");
    frozen.status.stamp = Stamp { ms: now_ms() + 24 * 3_600_000, counter: u32::MAX, actor: "zzz".into() };
    let r = h.push(&ana, std::slice::from_ref(&frozen)).await;
    assert_eq!(statuses(&r), ["rejected"]);
    let message = &r.results[0].error.as_ref().unwrap().message;
    assert!(message.contains(": status.stamp."), "{message}");
    // The most a stamp may claim: minutes ahead, the largest counter. A
    // dashboard edit still wins at once, and says what it set.
    let mut ahead = capture(2, "ana");
    ahead.status.stamp = Stamp { ms: now_ms() + 5 * 60_000, counter: MAX_STAMP_COUNTER, actor: "zzz".into() };
    assert_eq!(statuses(&h.push(&ana, std::slice::from_ref(&ahead)).await), ["stored"]);
    let (status, _, v) = h.post(&format!("/api/v1/captures/{}/edit", ahead.id), &bo, r#"{"status":"closed"}"#).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let edited: Capture = serde_json::from_value(v).unwrap();
    assert_eq!(edited.status.value, Status::Closed);
    assert!(edited.status.stamp > ahead.status.stamp);
}
}

both_engines! {
async fn a_push_that_loses_to_a_newer_edit_says_so(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let bo = h.member("t", "bo").await;
    let c = capture(3, "ana");
    h.push(&ana, std::slice::from_ref(&c)).await;
    let (status, _, _) = h.post(&format!("/api/v1/captures/{}/edit", c.id), &bo, r#"{"status":"closed"}"#).await;
    assert_eq!(status, StatusCode::OK);
    // Ana, offline, had escalated it and written a note before bo's edit.
    let mut offline = c.clone();
    let stamp = Stamp { ms: c.status.stamp.ms + 1, counter: 0, actor: "ana-laptop".into() };
    offline.apply(&CaptureEdit { status: Some(Status::Escalated), add_comment: Some("llamar".into()), ..Default::default() }, &stamp, "ana").unwrap();
    let r = h.push(&ana, std::slice::from_ref(&offline)).await;
    assert_eq!(r.results[0].status, ItemStatus::Stored, "the note was taken");
    assert_eq!(r.results[0].superseded, vec![Register::Status], "the status lost to bo's edit");
    let pulled = h.pull(&ana, "").await.items;
    assert_eq!((pulled[0].status.value, pulled[0].comments_text().as_str()), (Status::Closed, "llamar"));
}
}

both_engines! {
async fn same_id_and_stamps_with_different_content_converge_on_every_replica(e) {
    let Some(h) = harness(e).await else { return };
    let one = h.member("one", "ana").await;
    let two = h.member("two", "bo").await;
    let a = capture(4, "x");
    let mut b = a.clone();
    b.department.value = Some("otra nota".into());
    b.context.value.comment_text = "otro texto".into();
    // Two replicas (two teams' logs) receive the copies in opposite orders.
    h.push(&one, std::slice::from_ref(&a)).await;
    let second = h.push(&one, std::slice::from_ref(&b)).await;
    h.push(&two, std::slice::from_ref(&b)).await;
    h.push(&two, std::slice::from_ref(&a)).await;
    let (x, mut y) = (h.pull(&one, "").await.items, h.pull(&two, "").await.items);
    // Each log credits its own first pusher (the server sets createdBy); the
    // rest must be the same whatever the order of arrival.
    assert_eq!((x[0].created_by.as_str(), y[0].created_by.as_str()), ("ana", "bo"));
    y[0].created_by = x[0].created_by.clone();
    assert_eq!(x, y);
    // Before, the second copy was "unchanged" and silently dropped; now one
    // of its fields won or its pusher is told which lost.
    let r = &second.results[0];
    assert!(r.status == ItemStatus::Stored || !r.superseded.is_empty(), "{r:?}");
}
}

both_engines! {
async fn ids_are_canonical_lower_case(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let c = capture(5, "ana");
    let mut upper = c.clone();
    upper.id = c.id.to_uppercase();
    let r = h.push(&ana, &[c.clone(), upper]).await;
    assert_eq!(statuses(&r), ["stored", "rejected"]);
    assert!(r.results[1].error.as_ref().unwrap().message.contains("lower case"));
    assert_eq!(h.pull(&ana, "").await.items.len(), 1, "never a second record");
    let (status, _, v) = h.post(&format!("/api/v1/captures/{}/edit", c.id.to_uppercase()), &ana, r#"{"status":"closed"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains(&c.id), "names the canonical id: {v}");
}
}

both_engines! {
async fn edits_refuse_what_a_push_refuses(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let c = capture(6, "ana");
    h.push(&ana, std::slice::from_ref(&c)).await;
    let path = format!("/api/v1/captures/{}/edit", c.id);
    let cases = [
        (r#"{"tags":["a\u0000b"]}"#, "tags[0]: contains control characters"),
        (r#"{"tags":["one\ntwo"]}"#, "tags[0]: contains control characters"),
        (r#"{"note":"nul\u0000"}"#, "note: contains control characters"),
        (r#"{"status":null}"#, "status: null is not a value"),
    ];
    for (body, want) in cases {
        let (status, _, v) = h.post(&path, &ana, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with(want), "{body}: {v}");
    }
    let stored = h.pull(&ana, "").await.items;
    assert_eq!(stored, vec![c], "nothing was changed");
}
}
