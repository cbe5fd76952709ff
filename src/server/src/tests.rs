//! The whole router driven with `oneshot`, over a real SQLite file.

use super::*;
use axum::body::Body;
use axum::http::Request;
use escucha_core::log::{Capture, CaptureContext, Stamp, Tags, TextQuote};
use escucha_core::sync::api::{PullResponse, PushResponse};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

struct Harness {
    _dir: tempfile::TempDir,
    router: Router,
    storage: Storage,
}

/// Which engine a test runs on; every router test runs on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// Each test body as two tests, `<name>::sqlite` and `<name>::postgres`.
macro_rules! both_engines {
    ($(async fn $name:ident($e:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                body(Engine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                body(Engine::Postgres).await
            }
            async fn body($e: Engine) $body
        }
    )*};
}
// The other router test modules use the same two-engine wrapper.
pub(crate) use both_engines;

/// A router on a fresh database; `None` (the test is skipped, said in one
/// line) when PostgreSQL is asked for and none is configured.
async fn harness_with(engine: Engine, config: ServerConfig) -> Option<Harness> {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<h1>Team log</h1>").unwrap();
    let demo = dir.path().join("demo");
    std::fs::create_dir_all(&demo).unwrap();
    std::fs::write(demo.join("forum.html"), "<p>Telefónica</p>").unwrap();
    let storage = match engine {
        Engine::Sqlite => Storage::Sqlite(Db::open(&dir.path().join("t.sqlite3")).unwrap()),
        Engine::Postgres => {
            let admin = postgres::test_postgres_url()?;
            let url = postgres::scratch_database(&admin, "escucha_unit").await.unwrap();
            Storage::open(&url).await.unwrap()
        }
    };
    let router = app(AppState::new(storage.clone(), config), &StaticDirs { www, demo: Some(demo) });
    Some(Harness { _dir: dir, router, storage })
}

async fn harness(engine: Engine) -> Option<Harness> {
    harness_with(engine, ServerConfig::default()).await
}

impl Harness {
    /// A member with a fresh token (creating the team if needed).
    async fn member(&self, team: &str, name: &str) -> String {
        if self.storage.find_team(team).await.unwrap().is_none() {
            self.storage.create_team(team).await.unwrap();
        }
        self.storage.add_member(team, name).await.unwrap();
        self.storage.issue_token(name, Some(team)).await.unwrap().secret
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        (status, headers, value)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.call(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, token: &str, body: impl Into<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let req = Request::post(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap();
        self.call(req).await
    }

    async fn push(&self, token: &str, items: &[Capture]) -> PushResponse {
        let (status, _, body) = self.post("/api/v1/push", token, serde_json::to_vec(&json!({ "items": items })).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    async fn pull(&self, token: &str, query: &str) -> PullResponse {
        let (status, _, body) = self.get(&format!("/api/v1/pull{query}"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }
}

fn capture(n: u8, actor: &str) -> Capture {
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        comment_text: format!("Movistar me cobró dos veces ({n})"),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
        ..Default::default()
    };
    let ms = now_ms() - 60_000 + i64::from(n);
    let id = escucha_core::log::record::uuid_v7(ms, [n; 10]);
    Capture::new(id, ctx, &Tags::default(), actor, Stamp { ms, counter: 0, actor: actor.into() })
}

fn statuses(r: &PushResponse) -> Vec<&str> {
    r.results
        .iter()
        .map(|r| match r.status {
            escucha_core::sync::api::ItemStatus::Stored => "stored",
            escucha_core::sync::api::ItemStatus::Unchanged => "unchanged",
            escucha_core::sync::api::ItemStatus::Rejected => "rejected",
        })
        .collect()
}

both_engines! {
async fn health_reports_durable_storage(e) {
    let Some(h) = harness(e).await else { return };
    let (status, _, v) = h.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    match e {
        Engine::Sqlite => {
            assert_eq!(v["storage"]["engine"], "sqlite");
            assert_eq!(v["storage"]["journalMode"], "wal");
            assert_eq!(v["storage"]["synchronous"], "full");
        }
        Engine::Postgres => {
            assert_eq!(v["storage"]["engine"], "postgres");
            assert_eq!(v["storage"]["synchronous"], "on");
        }
    }
    assert!(v["storage"]["schemaVersion"].as_u64().unwrap() >= 1);
}
}

both_engines! {
async fn serves_the_dashboard_and_demo_pages(e) {
    let Some(h) = harness(e).await else { return };
    assert_eq!(h.get("/", None).await.2, json!("<h1>Team log</h1>"));
    assert_eq!(h.get("/demo/forum.html", None).await.2, json!("<p>Telefónica</p>"));
    assert_eq!(h.get("/nope.html", None).await.0, StatusCode::NOT_FOUND);
}
}

both_engines! {
async fn tokens_decide_who_is_asking(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    let (status, _, me) = h.get("/api/v1/me", Some(&ana)).await;
    assert_eq!((status, me), (StatusCode::OK, json!({"team": "Atención", "member": "ana", "protocol": 1, "role": "member"})));

    let cases = [
        (None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (Some("esc_0000"), StatusCode::UNAUTHORIZED, "unauthorized"),
        (Some(""), StatusCode::UNAUTHORIZED, "unauthorized"),
    ];
    for (token, want_status, want_code) in cases {
        let (status, _, body) = h.get("/api/v1/me", token).await;
        assert_eq!((status, body["error"]["code"].as_str()), (want_status, Some(want_code)), "{token:?}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 20);
    }
    let basic = Request::get("/api/v1/pull").header("authorization", format!("Basic {ana}")).body(Body::empty()).unwrap();
    assert_eq!(h.call(basic).await.0, StatusCode::UNAUTHORIZED);

    let id = h.storage.list_tokens().await.unwrap()[0].id.clone();
    h.storage.revoke_token(&id).await.unwrap();
    let (status, _, body) = h.get("/api/v1/me", Some(&ana)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert!(body["error"]["message"].as_str().unwrap().contains("revoked"));
}
}

both_engines! {
async fn push_then_pull_round_trips_and_resending_is_harmless(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let items = [capture(1, "ana"), capture(2, "ana")];
    assert_eq!(statuses(&h.push(&ana, &items).await), ["stored", "stored"]);
    let first = h.pull(&ana, "").await;
    assert_eq!(first.items, items.to_vec());
    assert!(!first.more);

    // Re-sending changes nothing and does not move the cursor.
    assert_eq!(statuses(&h.push(&ana, &items).await), ["unchanged", "unchanged"]);
    let again = h.pull(&ana, &format!("?since={}", first.cursor)).await;
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, first.cursor);
    let count = h.storage.capture_rows().await.unwrap();
    assert_eq!(count, 2);

    // An edit is a change: it comes back once, merged.
    let mut edited = items[0].clone();
    let stamp = Stamp::next(edited.last_stamp(), now_ms(), "ana-laptop");
    edited.apply(&escucha_core::log::CaptureEdit { add_comment: Some("llamado".into()), ..Default::default() }, &stamp, "ana").unwrap();
    assert_eq!(statuses(&h.push(&ana, &[edited.clone(), items[1].clone()]).await), ["stored", "unchanged"]);
    let changes = h.pull(&ana, &format!("?since={}", first.cursor)).await;
    assert_eq!(changes.items, vec![edited]);
}
}

both_engines! {
async fn an_unnamed_capture_is_named_after_its_pusher_and_stays_so(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let mut unnamed = capture(1, "dev-a");
    unnamed.created_by = String::new();
    assert_eq!(statuses(&h.push(&ana, &[unnamed.clone()]).await), ["stored"]);
    let pulled = h.pull(&ana, "").await.items;
    assert_eq!(pulled[0].created_by, "ana");
    // The client's own unnamed copy merges into the named one, whichever side merges.
    let mut local = unnamed.clone();
    local.merge(&pulled[0]);
    assert_eq!(local, pulled[0]);
    assert_eq!(statuses(&h.push(&ana, &[unnamed]).await), ["unchanged"]);
}
}

both_engines! {
async fn pull_pages_through_changes_in_order(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let items: Vec<Capture> = (1..=5).map(|n| capture(n, "ana")).collect();
    h.push(&ana, &items).await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = h.pull(&ana, &format!("?since={cursor}&limit=2")).await;
        pages += 1;
        seen.extend(page.items.into_iter().map(|c| c.id));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, items.iter().map(|c| c.id.clone()).collect::<Vec<_>>());
}
}

both_engines! {
async fn teams_see_only_their_own_log(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("a", "ana").await;
    let bo = h.member("b", "bo").await;
    let c = capture(1, "ana");
    h.push(&ana, std::slice::from_ref(&c)).await;
    assert!(h.pull(&bo, "").await.items.is_empty());
    let (status, _, _) = h.post(&format!("/api/v1/captures/{}/edit", c.id), &bo, r#"{"status":"closed"}"#).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The same id pushed by another team is that team's own record.
    assert_eq!(statuses(&h.push(&bo, &[c]).await), ["stored"]);
}
}

both_engines! {
async fn invalid_items_are_rejected_alone_with_the_field_named(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let good = capture(1, "ana");
    let mut bad_url = capture(2, "ana");
    bad_url.context.value.page_url = "javascript:alert(1)".into();
    let mut bad_json = serde_json::to_value(capture(3, "ana")).unwrap();
    bad_json["status"]["value"] = json!("whenever");
    let body = json!({ "items": [good, bad_url, bad_json, {"id": "nope"}] });
    let (status, _, v) = h.post("/api/v1/push", &ana, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let r: PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!(statuses(&r), ["stored", "rejected", "rejected", "rejected"]);
    let msg = |i: usize| r.results[i].error.as_ref().unwrap().message.clone();
    assert!(msg(1).starts_with("items[1]: context.value.pageUrl:"), "{}", msg(1));
    assert!(msg(2).starts_with("items[2]: status.value: unknown variant `whenever`"), "{}", msg(2));
    assert_eq!(r.results[3].id, "nope");
    assert_eq!(h.pull(&ana, "").await.items.len(), 1);
}
}

both_engines! {
async fn malformed_requests_get_clear_400s_413s_and_415s(e) {
    let Some(h) = harness_with(e, ServerConfig {
        limits: Limits { max_body_bytes: 4096, max_push_items: 3, ..Limits::default() },
        ..Default::default()
    })
    .await else { return };
    let ana = h.member("t", "ana").await;
    let four = json!({ "items": [1, 2, 3, 4] }).to_string();
    let cases: [(&str, String, StatusCode, &str, &str); 7] = [
        ("/api/v1/push", "{".into(), StatusCode::BAD_REQUEST, "bad_request", "not valid JSON"),
        ("/api/v1/push", r#"{"items": 5}"#.into(), StatusCode::BAD_REQUEST, "bad_request", "items: invalid type"),
        ("/api/v1/push", r#"{"itemz": []}"#.into(), StatusCode::BAD_REQUEST, "bad_request", "unknown field `itemz`"),
        ("/api/v1/push", four, StatusCode::PAYLOAD_TOO_LARGE, "too_many_items", "at most 3"),
        (
            "/api/v1/push",
            format!(r#"{{"items": ["{}"]}}"#, "x".repeat(5000)),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "4096 bytes",
        ),
        ("/api/v1/captures/not-a-uuid/edit", "{}".into(), StatusCode::BAD_REQUEST, "bad_request", "not a UUID"),
        (
            "/api/v1/captures/01890a5d-ac96-774b-bcce-b302099a8057/edit",
            r#"{"stauts":"closed"}"#.into(),
            StatusCode::BAD_REQUEST,
            "bad_request",
            "stauts: unknown field",
        ),
    ];
    for (path, body, want_status, want_code, want_msg) in cases {
        let (status, _, v) = h.post(path, &ana, body.clone()).await;
        assert_eq!(status, want_status, "{path} {}: {v}", &body[..body.len().min(40)]);
        assert_eq!(v["error"]["code"], want_code, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(want_msg), "{v}");
    }
    let form = Request::post("/api/v1/push")
        .header("authorization", format!("Bearer {ana}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("items=1"))
        .unwrap();
    let (status, _, v) = h.call(form).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));

    let pulls =
        [("?since=abc", "since:"), ("?limit=0", "limit:"), ("?limit=1001", "limit:"), ("?cursor=1", "cursor: unknown query parameter")];
    for (query, want) in pulls {
        let (status, _, v) = h.get(&format!("/api/v1/pull{query}"), Some(&ana)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with(want), "{query}: {v}");
    }
}
}

both_engines! {
async fn unknown_paths_and_methods_answer_in_the_error_shape(e) {
    let Some(h) = harness(e).await else { return };
    let cases = [
        (Request::get("/api/v1/nothing"), StatusCode::NOT_FOUND, "not_found"),
        (Request::get("/api/v2/pull"), StatusCode::NOT_FOUND, "unsupported_version"),
        (Request::get("/api/v1/push"), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (Request::delete("/api/v1/me"), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
    ];
    for (req, want_status, want_code) in cases {
        let (status, _, v) = h.call(req.body(Body::empty()).unwrap()).await;
        assert_eq!((status, v["error"]["code"].as_str()), (want_status, Some(want_code)), "{v}");
    }
}
}

both_engines! {
async fn dashboard_edits_are_stamped_by_the_member_and_flow_to_pull(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let bo = h.member("t", "bo").await;
    let mut c = capture(1, "ana");
    // A device whose clock runs ahead: the server's edit must still win.
    c.status.stamp.ms = now_ms() + 300_000;
    h.push(&ana, std::slice::from_ref(&c)).await;
    let cursor = h.pull(&ana, "").await.cursor;
    let (status, _, v) = h
        .post(&format!("/api/v1/captures/{}/edit", c.id), &bo, r#"{"status":"escalated","tags":["factura"," Factura "],"deleted":true}"#)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let edited: Capture = serde_json::from_value(v).unwrap();
    assert_eq!(edited.status.value.as_str(), "escalated");
    assert_eq!(edited.tags.values(), vec!["factura".to_string()]);
    assert!(edited.deleted.value, "a tombstone");
    assert_eq!(edited.status.stamp.actor, "member:bo");
    assert_eq!(edited.status.stamp.ms, c.status.stamp.ms, "after the record's latest stamp");
    assert_eq!(edited.status.stamp.counter, 1);
    let changes = h.pull(&ana, &format!("?since={cursor}")).await;
    assert_eq!(changes.items, vec![edited.clone()]);
    // Tombstones leave the export but stay in pull, so deletes sync.
    let (_, _, export) = h.get("/api/v1/export.json", Some(&ana)).await;
    assert_eq!(export["count"], 0);
    let (status, _, v) = h.post(&format!("/api/v1/captures/{}/edit", capture(9, "x").id), &bo, r#"{"note":"x"}"#).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, _, v) = h.post(&format!("/api/v1/captures/{}/edit", c.id), &bo, format!(r#"{{"note":"{}"}}"#, "n".repeat(10_001))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}
}

both_engines! {
async fn each_token_is_rate_limited_with_retry_after(e) {
    let n = |v| NonZeroU32::new(v).unwrap();
    let Some(h) = harness_with(e, ServerConfig {
        limits: Limits { rate_per_minute: n(1), rate_burst: n(2), ..Limits::default() },
        ..Default::default()
    })
    .await else { return };
    let ana = h.member("t", "ana").await;
    let bo = h.member("t", "bo").await;
    assert_eq!(h.get("/api/v1/me", Some(&ana)).await.0, StatusCode::OK);
    assert_eq!(h.get("/api/v1/me", Some(&ana)).await.0, StatusCode::OK);
    let (status, headers, v) = h.get("/api/v1/me", Some(&ana)).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(h.get("/api/v1/me", Some(&bo)).await.0, StatusCode::OK, "other tokens are not affected");
}
}

both_engines! {
async fn cors_answers_only_configured_origins(e) {
    let ext = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
    let Some(h) = harness_with(e, ServerConfig { cors_origins: vec![parse_origin(ext).unwrap()], ..Default::default() }).await else { return };
    let preflight = |origin: &str| {
        Request::options("/api/v1/push")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = h.call(preflight(ext)).await;
    assert!(status.is_success());
    assert_eq!(headers["access-control-allow-origin"], ext);
    assert!(headers["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    let (_, headers, _) = h.call(preflight("https://evil.example")).await;
    assert!(headers.get("access-control-allow-origin").is_none());
    // No origins configured: no CORS headers at all.
    let closed = harness(e).await.unwrap();
    assert!(closed.call(preflight(ext)).await.1.get("access-control-allow-origin").is_none());
    for bad in ["*", "chrome-extension://", "https://x.example/", "x.example", "https://a b"] {
        assert!(parse_origin(bad).is_err(), "{bad}");
    }
}
}

both_engines! {
async fn exports_hold_the_live_team_log(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención al Cliente", "ana").await;
    let mut c = capture(1, "ana");
    c.context.value.comment_text = "Pésimo servicio, ¿alguien más?".into();
    h.push(&ana, &[c.clone(), capture(2, "ana")]).await;
    let res = h
        .router
        .clone()
        .oneshot(Request::get("/api/v1/export.csv").header("authorization", format!("Bearer {ana}")).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("escucha-atenci-n-al-cliente-"));
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFid,createdAt,createdBy,"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(text.matches("\r\n").count(), 3, "header + 2 rows");
    assert!(text.contains("\"Pésimo servicio, ¿alguien más?\""));
    let (_, _, v) = h.get("/api/v1/export.json", Some(&ana)).await;
    assert_eq!(v["team"], "Atención al Cliente");
    assert_eq!(v["count"], 2);
    let first: Capture = serde_json::from_value(v["captures"][0].clone()).unwrap();
    assert_eq!(first, c);
    assert_eq!(h.get("/api/v1/export.csv", None).await.0, StatusCode::UNAUTHORIZED);
}
}

/// The contract file lists exactly the routes the router serves.
#[test]
fn the_openapi_contract_matches_the_router() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sync-api.openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("docs/sync-api.openapi.yaml");
    let doc: Value = serde_norway::from_str(&text).expect("valid YAML");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = Vec::new();
    for (path, ops) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if ops.get(method).is_some() {
                documented.push((method.to_string(), path.clone()));
            }
        }
    }
    let mut served: Vec<(String, String)> = API_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // Every $ref points at something that exists.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50);
    for r in all {
        let pointer = r.strip_prefix('#').expect("local refs only");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }
    let codes: Vec<&str> =
        doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let ours: Vec<&str> = escucha_core::sync::api::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ours);
}

/// Issue 11: what hostile clients tried (tests/security.rs).
mod security;
// wsmodel12 (issue 12): assignment, comments, history on the team log.
mod workspace_model;
