//! The real `escucha-server` binary, a real database (a SQLite file, and a
//! scratch PostgreSQL database when `ESCUCHA_TEST_POSTGRES` names a cluster)
//! and real HTTP on 127.0.0.1: what a teammate's extension (or a team's own
//! client) sees.

use escucha_core::log::{Capture, CaptureEdit, Stamp, Status};
use escucha_core::sync::api::{ItemStatus, PullResponse};
use serde_json::json;

#[macro_use]
mod common;
use common::*;

both_engines! {
fn push_and_pull_round_trip_and_resending_stores_nothing_twice(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("Atención", "ana");
    let bo = ws.member("Atención", "bo");
    let server = ws.start(&[]);
    let me = server.get("/api/v1/me", &ana);
    assert_eq!(me.json(), json!({"team": "Atención", "member": "ana", "protocol": 1}));

    let items: Vec<Capture> = (1..=30).map(|n| capture(n, "ana")).collect();
    let first = server.push(&ana, &items);
    assert!(first.results.iter().all(|r| r.status == ItemStatus::Stored));
    // The network dropped the reply; the client sends the same batch again.
    let again = server.push(&ana, &items);
    assert!(again.results.iter().all(|r| r.status == ItemStatus::Unchanged));
    // A teammate sees every capture exactly once.
    assert_eq!(by_id(server.pull_all(&bo)), by_id(items));
}
}

both_engines! {
fn concurrent_edits_from_two_members_converge_whatever_the_arrival_order(e) {
    let Some(ws) = Workspace::new(e) else { return };
    // Two teams on one server receive the same edits in opposite orders.
    let (ana1, bo1) = (ws.member("one", "ana"), ws.member("one", "bo"));
    let (ana2, bo2) = (ws.member("two", "ana"), ws.member("two", "bo"));
    let server = ws.start(&[]);
    let base = capture(1, "ana");
    let t = now_ms();
    let mut by_ana = base.clone();
    by_ana
        .apply(
            &CaptureEdit { status: Some(Status::Responded), add_comment: Some("la llamé".into()), ..Default::default() },
            &Stamp { ms: t, counter: 0, actor: "ana-device".into() }, "ana",
        )
        .unwrap();
    let mut by_bo = base.clone();
    by_bo
        .apply(
            &CaptureEdit { status: Some(Status::Escalated), tags: Some(vec!["factura".into()]), ..Default::default() },
            &Stamp { ms: t, counter: 0, actor: "bo-device".into() }, "ana",
        )
        .unwrap();
    let mut by_bo_later = by_bo.clone();
    by_bo_later
        .apply(&CaptureEdit { deleted: Some(true), ..Default::default() }, &Stamp { ms: t + 10, counter: 0, actor: "bo-device".into() }, "bo")
        .unwrap();
    // Ana undoes a delete she never saw, earlier than Bo's delete: the delete wins everywhere.
    by_ana
        .apply(&CaptureEdit { deleted: Some(false), ..Default::default() }, &Stamp { ms: t + 5, counter: 0, actor: "ana-device".into() }, "ana")
        .unwrap();

    server.push(&ana1, std::slice::from_ref(&base));
    server.push(&ana1, &[by_ana.clone()]);
    server.push(&bo1, &[by_bo.clone(), by_bo_later.clone()]);

    server.push(&bo2, &[by_bo_later.clone()]);
    server.push(&bo2, &[by_bo.clone()]);
    server.push(&ana2, &[by_ana.clone(), base.clone()]);

    let one = server.pull_all(&ana1);
    let mut two = server.pull_all(&bo2);
    assert_eq!(one.len(), 1);
    // The server credits a capture to the member who first pushed it (issue
    // 11): ana in team one, bo in team two, whatever the client wrote.
    assert_eq!((one[0].created_by.as_str(), two[0].created_by.as_str()), ("ana", "bo"));
    two[0].created_by = "ana".into();
    assert_eq!(one, two, "same final state whatever the order");
    let r = &one[0];
    assert_eq!(r.status.value, Status::Escalated, "equal times: the actor breaks the tie (bo-device > ana-device)");
    assert_eq!(r.comments_text(), "la llamé");
    assert_eq!(r.tags.values(), vec!["factura".to_string()]);
    assert!(r.deleted.value, "the later delete wins over the earlier undo");
    // The server's state is exactly what any client computes locally.
    let mut local = by_bo_later.clone();
    local.merge(&by_ana);
    local.merge(&base);
    assert_eq!(r, &local);
}
}

both_engines! {
fn deletes_are_tombstones_that_sync_and_leave_the_export(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("t", "ana");
    let bo = ws.member("t", "bo");
    let server = ws.start(&[]);
    let (keep, gone) = (capture(1, "ana"), capture(2, "ana"));
    server.push(&ana, &[keep.clone(), gone.clone()]);
    let cursor = server.get("/api/v1/pull", &bo).json()["cursor"].as_str().unwrap().to_string();
    let r = server.send("POST", &format!("/api/v1/captures/{}/edit", gone.id), Some(&bo), &[], Some(r#"{"deleted":true}"#.into()));
    assert_eq!(r.status, 200, "{}", r.body);
    let changes: PullResponse = serde_json::from_str(&server.get(&format!("/api/v1/pull?since={cursor}"), &ana).body).unwrap();
    assert_eq!(changes.items.len(), 1);
    assert!(changes.items[0].deleted.value);
    assert_eq!(changes.items[0].deleted.stamp.actor, "member:bo");

    let export = server.get("/api/v1/export.json", &ana).json();
    assert_eq!(export["count"], 1);
    assert_eq!(export["captures"][0]["id"], keep.id.as_str());
    let csv = server.get("/api/v1/export.csv", &ana);
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("\u{feff}id,createdAt,"));
    assert!(csv.body.contains(&keep.id) && !csv.body.contains(&gone.id));
    assert!(csv.body.contains("Telefónica"));
}
}

both_engines! {
fn errors_carry_codes_and_messages_over_http(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("t", "ana");
    let revoked = ws.member("t", "bo");
    let server = ws.start(&["--max-body-bytes", "4096", "--max-push-items", "2", "--rate-per-minute", "1", "--rate-burst", "8"]);
    let id = ws.admin(&["token", "list"]).lines().find(|l| l.contains(" bo ")).unwrap().split_whitespace().next().unwrap().to_string();
    ws.admin(&["token", "revoke", &id]);

    let cases: Vec<(Reply, u16, &str)> = vec![
        (server.send("GET", "/api/v1/pull", None, &[], None), 401, "unauthorized"),
        (server.send("GET", "/api/v1/pull", Some("esc_wrong"), &[], None), 401, "unauthorized"),
        (server.send("GET", "/api/v1/pull", Some(&revoked), &[], None), 403, "forbidden"),
        (server.send("POST", "/api/v1/push", Some(&ana), &[], Some("{\"items\": [".into())), 400, "bad_request"),
        (server.send("POST", "/api/v1/push", Some(&ana), &[], Some(json!({"items": [1, 2, 3]}).to_string())), 413, "too_many_items"),
        (
            server.send("POST", "/api/v1/push", Some(&ana), &[], Some(json!({"items": ["x".repeat(5000)]}).to_string())),
            413,
            "payload_too_large",
        ),
        (server.send("GET", "/api/v1/pull?limit=5000", Some(&ana), &[], None), 400, "bad_request"),
    ];
    for (i, (reply, status, code)) in cases.iter().enumerate() {
        assert_eq!((reply.status, reply.code().as_str()), (*status, *code), "case {i}: {}", reply.body);
        assert!(!reply.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    // The burst of 8 is spent (5 authenticated requests above): 429 with Retry-After.
    let mut limited = None;
    for _ in 0..10 {
        let r = server.get("/api/v1/me", &ana);
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    let limited = limited.expect("rate limited within the burst");
    assert_eq!(limited.code(), "rate_limited");
    let wait: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}
}

both_engines! {
fn cors_allows_the_configured_extension_origin_only(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("t", "ana");
    let ext = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
    let server = ws.start(&["--cors-origin", ext, "--cors-origin", "https://team.example"]);
    let preflight = |origin: &str| {
        server.send(
            "OPTIONS",
            "/api/v1/push",
            None,
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "authorization,content-type"),
            ],
            None,
        )
    };
    let allowed = preflight(ext);
    assert_eq!(allowed.headers.get("access-control-allow-origin").unwrap(), ext);
    assert!(allowed.headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(preflight("https://evil.example").headers.get("access-control-allow-origin").is_none());
    let real = server.send("GET", "/api/v1/me", Some(&ana), &[("origin", "https://team.example")], None);
    assert_eq!((real.status, real.headers.get("access-control-allow-origin").unwrap().to_str().unwrap()), (200, "https://team.example"));
    assert!(real.headers["access-control-expose-headers"].to_str().unwrap().contains("retry-after"));
}
}

both_engines! {
fn data_survives_a_graceful_restart(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("t", "ana");
    let server = ws.start(&[]);
    let items: Vec<Capture> = (1..=5).map(|n| capture(n, "ana")).collect();
    server.push(&ana, &items);
    server.stop_gracefully();
    let server = ws.start(&[]);
    assert_eq!(by_id(server.pull_all(&ana)), by_id(items));
}
}

both_engines! {
fn a_2xx_means_on_disk_even_after_kill_9(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ana = ws.member("t", "ana");
    let mut sent = Vec::new();
    for round in 0..4u32 {
        let server = ws.start(&[]);
        let batch: Vec<Capture> = (0..50).map(|i| capture(round * 100 + i, "ana")).collect();
        // Half of it again: a client retrying a batch whose reply it lost.
        let mut with_resends = batch.clone();
        with_resends.extend(sent.iter().rev().take(25).cloned());
        let reply = server.push(&ana, &with_resends);
        assert_eq!(reply.results.len(), with_resends.len());
        server.kill_hard(); // right after the 2xx
        sent.extend(batch);
    }
    let server = ws.start(&[]);
    let pulled = server.pull_all(&ana);
    assert_eq!(pulled.len(), sent.len(), "every capture exactly once");
    assert_eq!(by_id(pulled), by_id(sent));
    let health = server.send("GET", "/healthz", None, &[], None).json();
    let want = match ws.engine {
        Engine::Sqlite => (Some("wal"), Some("full")),
        Engine::Postgres => (None, Some("on")),
    };
    assert_eq!((health["storage"]["journalMode"].as_str(), health["storage"]["synchronous"].as_str()), want);
}
}

both_engines! {
fn the_demo_token_is_written_once_and_works(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let file = ws.dir.path().join("data/demo-token.txt");
    let file_arg = file.to_str().unwrap();
    let server = ws.start(&["--demo-token", file_arg]);
    let token = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(server.get("/api/v1/me", &token).json()["team"], "demo");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    server.stop_gracefully();
    let server = ws.start(&["--demo-token", file_arg]);
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), token, "a valid token is kept");
    assert_eq!(server.get("/api/v1/me", &token).status, 200);
}
}

both_engines! {
fn admin_commands_explain_their_failures(e) {
    let Some(ws) = Workspace::new(e) else { return };
    ws.admin(&["team", "create", "t"]);
    let cases = [
        (vec!["team", "create", "t"], "already exists"),
        (vec!["member", "add", "--team", "nope", "ana"], "No team named"),
        (vec!["token", "issue", "--member", "ghost"], "No member named"),
        (vec!["token", "revoke", "tok_000000000000"], "No token with id"),
    ];
    for (args, want) in cases {
        let out = ws.admin_raw(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert!(ws.admin(&["token", "list"]).contains("No tokens yet"));
}
}
