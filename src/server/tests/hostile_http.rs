//! Issue 11's hostile clients, through the real binary over HTTP on
//! 127.0.0.1 (both engines): one test per server-side item. They only use
//! the HTTP API and the admin CLI, so `scripts/issue11_before_after.sh` runs
//! this same file against the server as it was before issue 11 to show each
//! one fails there.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use escucha_core::log::{Capture, CaptureEdit, Stamp, Status};
use escucha_core::sync::api::{ItemStatus, PushResponse};
use serde_json::{json, Value};

#[macro_use]
mod common;
use common::*;

fn statuses(r: &PushResponse) -> Vec<ItemStatus> {
    r.results.iter().map(|x| x.status).collect()
}

fn edit(s: &Server, token: &str, id: &str, body: &str) -> Reply {
    s.send("POST", &format!("/api/v1/captures/{id}/edit"), Some(token), &[], Some(body.to_string()))
}

fn host(base: &str) -> String {
    base.trim_start_matches("http://").to_string()
}

both_engines! {
fn stamps_from_the_future_cannot_freeze_a_field(e) {
    let Some(w) = Workspace::new(e) else { return };
    let (ana, bo) = (w.member("t", "ana"), w.member("t", "bo"));
    let s = w.start(&[]);
    let mut frozen = capture(1, "ana");
    frozen.status.stamp = Stamp { ms: now_ms() + 24 * 3_600_000, counter: u32::MAX, actor: "zzz".into() };
    let stored = statuses(&s.push(&ana, std::slice::from_ref(&frozen))) == [ItemStatus::Stored];
    let r = edit(&s, &bo, &frozen.id, r#"{"status":"closed"}"#);
    let now = s.pull_all(&ana);
    // Refused at push, or taken and then overridden by the edit: never frozen.
    assert!(!stored || (r.status == 200 && now[0].status.value == Status::Closed), "frozen: {} {:?}", r.body, now[0].status);
}

fn a_push_that_loses_to_a_newer_edit_says_so(e) {
    let Some(w) = Workspace::new(e) else { return };
    let (ana, bo) = (w.member("t", "ana"), w.member("t", "bo"));
    let s = w.start(&[]);
    let c = capture(3, "ana");
    s.push(&ana, std::slice::from_ref(&c));
    assert_eq!(edit(&s, &bo, &c.id, r#"{"status":"closed"}"#).status, 200);
    let mut offline = c.clone();
    let stamp = Stamp { ms: c.status.stamp.ms + 1, counter: 0, actor: "ana-laptop".into() };
    offline.apply(&CaptureEdit { status: Some(Status::Escalated), add_comment: Some("llamar".into()), ..Default::default() }, &stamp, "ana").unwrap();
    let r = s.push_raw(&ana, std::slice::from_ref(&offline)).json();
    assert_eq!(r["results"][0]["superseded"], json!(["status"]), "{r}");
}

fn an_oversized_content_length_is_refused_before_the_body(e) {
    let Some(w) = Workspace::new(e) else { return };
    let s = w.start(&[]);
    let mut tcp = TcpStream::connect(host(&s.base)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    tcp.write_all(b"POST /api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{\"items\":").unwrap();
    let mut buf = [0u8; 512];
    let n = tcp.read(&mut buf).unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 413"), "after {:?}: {head:?}", started.elapsed());
}

fn guessing_tokens_is_throttled(e) {
    let Some(w) = Workspace::new(e) else { return };
    let _ana = w.member("t", "ana");
    let s = w.start(&[]);
    let answers: Vec<u16> = (0..30).map(|i| s.get("/api/v1/me", &format!("guess-{i}")).status).collect();
    assert!(answers.ends_with(&[429, 429]), "{answers:?}");
}

fn created_by_and_created_ms_belong_to_the_server(e) {
    let Some(w) = Workspace::new(e) else { return };
    let (ana, bo) = (w.member("t", "ana"), w.member("t", "bo"));
    let s = w.start(&[]);
    // Bo pushes a capture claiming ana made it.
    let claimed = capture(7, "ana");
    s.push(&bo, std::slice::from_ref(&claimed));
    // Then re-attributes ana's own capture to himself, with another date.
    let mine = capture(8, "ana");
    s.push(&ana, std::slice::from_ref(&mine));
    let mut stolen = mine.clone();
    stolen.created_by = "bo".into();
    stolen.created_ms -= 86_400_000;
    s.push(&bo, std::slice::from_ref(&stolen));
    let all = by_id(s.pull_all(&ana));
    let find = |id: &str| all.iter().find(|c| c.id == id).unwrap().clone();
    assert_eq!(find(&claimed.id).created_by, "bo");
    assert_eq!((find(&mine.id).created_by.as_str(), find(&mine.id).created_ms), ("ana", mine.created_ms));
}

fn one_validation_and_canonical_ids(e) {
    let Some(w) = Workspace::new(e) else { return };
    let ana = w.member("t", "ana");
    let s = w.start(&[]);
    let c = capture(5, "ana");
    let mut upper = c.clone();
    upper.id = c.id.to_uppercase();
    let r = s.push(&ana, &[c.clone(), upper]);
    assert_eq!(statuses(&r), [ItemStatus::Stored, ItemStatus::Rejected]);
    for body in [r#"{"tags":["a\u0000b"]}"#, r#"{"note":"one\ntwo\u0000"}"#, r#"{"status":null}"#] {
        let r = edit(&s, &ana, &c.id, body);
        assert_eq!((r.status, r.code()), (400, "bad_request".to_string()), "{body}: {}", r.body);
    }
    assert_eq!(s.pull_all(&ana), vec![c], "nothing changed");
}

fn every_error_is_json(e) {
    let Some(w) = Workspace::new(e) else { return };
    let ana = w.member("t", "ana");
    let s = w.start(&[]);
    let long = format!("/api/v1/pull?since={}", "9".repeat(9000));
    let big = "x".repeat(40_000);
    let cases: Vec<(Reply, u16)> = vec![
        (s.send("POST", "/api/v1/captures/%ff/edit", Some(&ana), &[], Some("{}".into())), 400),
        (s.send("GET", "/no-such-page.html", None, &[], None), 404),
        (s.send("POST", "/healthz", None, &[], None), 405),
        (s.get(&long, &ana), 414),
        (s.send("GET", "/api/v1/me", Some(&ana), &[("x-padding", &big)], None), 431),
    ];
    for (r, want) in cases {
        let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        assert_eq!(r.status, want, "{}", r.body);
        assert!(v["error"]["code"].is_string() && v["error"]["message"].is_string(), "HTTP {}: not the error shape: {:?}", r.status, r.body);
    }
}

fn the_dashboard_sends_a_strict_policy(e) {
    let Some(w) = Workspace::new(e) else { return };
    let s = w.start(&[]);
    let r = s.send("GET", "/", None, &[], None);
    let h = |k: &str| r.headers.get(k).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(h("content-security-policy").contains("frame-ancestors 'none'"), "{:?}", r.headers);
    assert!(!h("content-security-policy").contains("unsafe-inline"));
    assert_eq!(h("x-content-type-options"), "nosniff");
}

fn bidi_overrides_are_refused_in_names_and_urls(e) {
    let Some(w) = Workspace::new(e) else { return };
    let ana = w.member("t", "ana");
    assert!(!w.admin_raw(&["member", "add", "--team", "t", "ana\u{202e}gpj.exe"]).status.success(), "a name with U+202E");
    let s = w.start(&[]);
    let mut c = capture(9, "ana");
    c.context.value.page_url = "https://foro.example/\u{202e}lmth.x".into();
    assert_eq!(statuses(&s.push(&ana, &[c])), [ItemStatus::Rejected]);
}

fn quotas_refuse_growth_with_409_and_keep_edits_working(e) {
    let Some(w) = Workspace::new(e) else { return };
    let (ana, other) = (w.member("t", "ana"), w.member("u", "eva"));
    let s = w.start(&["--team-max-captures", "3"]);
    let first: Vec<Capture> = (0..3).map(|n| capture(20 + n, "ana")).collect();
    assert_eq!(statuses(&s.push(&ana, &first)), [ItemStatus::Stored; 3]);
    // A fourth new capture passes the limit: 409, the numbers, nothing written.
    let r = s.push_raw(&ana, &[capture(23, "ana"), {
        let mut edited = first[0].clone();
        edited.apply(&CaptureEdit { status: Some(Status::Closed), ..Default::default() }, &Stamp { ms: now_ms(), counter: 0, actor: "d".into() }, "ana").unwrap();
        edited
    }]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "quota_exceeded");
    assert_eq!(r.json()["error"]["quota"], json!({"kind": "captures", "limit": 3, "used": 3}));
    assert_eq!(s.pull_all(&ana), first, "nothing in the refused push was written");
    // Edits of stored captures still go through, by push and by edit.
    let mut edited = first[1].clone();
    edited.apply(&CaptureEdit { status: Some(Status::Escalated), ..Default::default() }, &Stamp { ms: now_ms(), counter: 0, actor: "d".into() }, "ana").unwrap();
    assert_eq!(statuses(&s.push(&ana, &[edited])), [ItemStatus::Stored]);
    assert_eq!(edit(&s, &ana, &first[2].id, r#"{"status":"closed","note":"hecho"}"#).status, 200);
    // Another team's room is its own.
    assert_eq!(statuses(&s.push(&other, &first)), [ItemStatus::Stored; 3]);
}

fn a_byte_quota_refuses_an_edit_that_grows_past_it(e) {
    let Some(w) = Workspace::new(e) else { return };
    let ana = w.member("t", "ana");
    let one = serde_json::to_string(&capture(30, "ana")).unwrap().len();
    // Room for a short comment (about 300 bytes with its id, author and
    // stamps since issue 12), not for a 1000-character one.
    let limit = (2 * one + 600).to_string();
    let s = w.start(&["--team-max-bytes", &limit]);
    let two = [capture(30, "ana"), capture(31, "ana")];
    assert_eq!(statuses(&s.push(&ana, &two)), [ItemStatus::Stored; 2]);
    let r = edit(&s, &ana, &two[0].id, &json!({ "note": "n".repeat(1000) }).to_string());
    assert_eq!((r.status, r.code()), (409, "quota_exceeded".to_string()), "{}", r.body);
    assert_eq!(r.json()["error"]["quota"]["kind"], "bytes");
    assert_eq!(edit(&s, &ana, &two[0].id, r#"{"note":"ok"}"#).status, 200, "a small edit fits");
}

fn concurrent_pushes_never_pass_the_quota_together(e) {
    let Some(w) = Workspace::new(e) else { return };
    let ana = w.member("t", "ana");
    let eva = w.member("u", "eva");
    let s = w.start(&["--team-max-captures", "5"]);
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12u32)
            .map(|n| {
                let (s, ana, eva) = (&s, &ana, &eva);
                scope.spawn(move || {
                    // Eva's team pushes at the same time: its own count.
                    let _ = s.push_raw(eva, &[capture(100 + n, "eva")]);
                    s.push_raw(ana, &[capture(40 + n, "ana")]).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers.iter().filter(|&&a| a == 200).count(), 5, "{answers:?}");
    assert_eq!(answers.iter().filter(|&&a| a == 409).count(), 7, "{answers:?}");
    assert_eq!(s.pull_all(&ana).len(), 5);
    assert_eq!(s.pull_all(&eva).len(), 5);
}
}
