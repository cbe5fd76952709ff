//! Issue 13's deliveries on the real binary, both engines, with real
//! receivers on 127.0.0.1 (tests/support/receivers.rs): Slack, Teams and
//! signed webhooks over HTTP, email over SMTP. A routed capture reaches its
//! department once; faults are retried (503, dropped connections, slow
//! answers, 429 with Retry-After) or dead-lettered (404, the attempt limit);
//! "retry now" revives a dead one; the SSRF guard refuses loopback unless the
//! server allows private targets; and after `kill -9` mid-delivery every
//! event still arrives, duplicates carrying the same `webhook-id`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use escucha_core::delivery::webhook;
use escucha_core::log::{Capture, CaptureContext, Sentiment, Stamp, Tags, TextQuote};
use serde_json::{json, Value};

#[macro_use]
mod common;
use common::*;
#[path = "support/receivers.rs"]
mod receivers;
use receivers::{Answer, HttpReceiver, SmtpReceiver};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const HOSTILE: &str = "<!channel> @here *bold* _it_ ~s~ <script>alert(1)</script> & [x](https://evil.example)";

/// Private targets allowed (the receivers are on loopback), fast retries.
const FAST: [&str; 12] = [
    "--allow-private-destinations",
    // The tests poll the delivery log; the per-token limit is not under test.
    "--rate-per-minute",
    "100000",
    "--rate-burst",
    "10000",
    "--delivery-base-ms",
    "100",
    "--delivery-max-backoff-ms",
    "400",
    "--delivery-poll-ms",
    "50",
    "--public-url=https://escucha.example",
];

fn admin_of(ws: &Workspace) -> String {
    let _ = ws.admin_raw(&["team", "create", "t"]);
    ws.admin(&["member", "add", "--team", "t", "--role", "admin", "ada"]);
    ws.admin(&["token", "issue", "--member", "ada", "--team", "t"]).lines().last().unwrap().trim().to_string()
}

/// The server binary the kill -9 test runs: the release build when it
/// exists (what ships; `cargo build --release -p escucha-server`, or set
/// ESCUCHA_SERVER_BIN), else this test build's.
fn release_bin() -> String {
    if let Ok(bin) = std::env::var("ESCUCHA_SERVER_BIN") {
        return bin;
    }
    let release = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/escucha-server");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    // An older release build than this test's binary is stale: not used.
    if release.is_file() && modified(&release) >= modified(std::path::Path::new(BIN)) {
        release.to_str().unwrap().to_string()
    } else {
        BIN.to_string()
    }
}

fn start_bin(ws: &Workspace, bin: &str, extra: &[&str]) -> Server {
    use std::io::BufRead;
    let log_path = ws.dir.path().join(format!("server-{}.log", now_ms()));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(bin)
        .args(["--db", ws.db(), "serve", "--addr", "127.0.0.1:0", "--www"])
        .arg(ws.dir.path().join("www"))
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            panic!("the server exited: {}", std::fs::read_to_string(&log_path).unwrap_or_default());
        }
        if let Some(url) = line.trim().strip_prefix("escucha-server listening on ") {
            break url.to_string();
        }
    };
    Server { child, base, agent: agent() }
}

/// A negative comment about a delivery problem, routed to `department`.
fn routed(n: u32, department: &str, text: &str) -> Capture {
    let ms = now_ms() - 60_000 + i64::from(n);
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        page_title: format!("Pedido {n} {HOSTILE}"),
        site: "foro.example".into(),
        comment_text: text.into(),
        author_name: Some(format!("cliente{n} {HOSTILE}")),
        permalink: Some(format!("https://foro.example/t/{n}#p{n}")),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
        ..Default::default()
    };
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    let id = escucha_core::log::record::uuid_v7(ms, random);
    let tags = Tags { department: Some(department.into()), sentiment: Sentiment::Negative, ..Tags::default() };
    Capture::new(id, ctx, &tags, "ada", Stamp { ms, counter: 0, actor: "ada-device".into() })
}

fn put_destination(server: &Server, token: &str, name: &str, body: Value) -> Reply {
    server.send("PUT", &format!("/api/v1/destinations/{}", name.replace(' ', "%20")), Some(token), &[], Some(body.to_string()))
}

fn log_of(server: &Server, token: &str, query: &str) -> Value {
    let r = server.get(&format!("/api/v1/deliveries?{query}"), token);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Wait until every outbox row of the query is in `state`.
fn wait_state(server: &Server, token: &str, query: &str, n: usize, state: &str, secs: u64) -> Value {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let log = log_of(server, token, query);
        let rows = log["deliveries"].as_array().unwrap();
        if rows.len() == n && rows.iter().all(|r| r["state"] == state) {
            return log;
        }
        assert!(Instant::now() < end, "{query}: not all {n} {state}: {log}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

both_engines! {
fn a_routed_capture_reaches_each_channel_of_its_department_once(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ada = admin_of(&ws);
    let member = ws.member("t", "mo");
    let server = ws.start(&FAST);
    let slack = HttpReceiver::start(vec![]);
    let teams = HttpReceiver::start(vec![]);
    let hook = HttpReceiver::start(vec![]);
    let smtp = SmtpReceiver::start();
    let cases = [
        ("Logistics Slack", json!({"kind": "slack", "department": "Logistics", "language": "es", "webhookUrl": slack.url})),
        ("Logistics Teams", json!({"kind": "teams", "department": "Logistics", "webhookUrl": teams.url})),
        ("Logistics hook", json!({"kind": "webhook", "department": "Logistics", "url": hook.url, "secret": SECRET})),
        ("Logistics mail", json!({"kind": "email", "department": "Logistics", "language": "es", "smtpHost": "127.0.0.1",
            "smtpPort": smtp.port, "security": "none", "username": "bot", "password": "s3cret-pw",
            "from": "escucha@example.com", "to": ["logistica@example.com"]})),
        // Another department's destination hears nothing.
        ("PR Slack", json!({"kind": "slack", "department": "PR", "webhookUrl": format!("{}/pr", slack.url)})),
    ];
    for (name, body) in &cases {
        let r = put_destination(&server, &ada, name, body.clone());
        assert_eq!(r.status, 201, "{name}: {}", r.body);
    }
    // Secrets are write-only: no listing shows them, to anyone.
    let listed = server.get("/api/v1/destinations", &ada);
    assert_eq!(listed.status, 200);
    // (The generic webhook's URL is not a secret; Slack's and Teams' are.)
    for secret in [slack.url.as_str(), teams.url.as_str(), "MfKQ9r8", "s3cret-pw"] {
        assert!(!listed.body.contains(secret), "{secret} leaked: {}", listed.body);
    }
    assert_eq!(listed.json()["destinations"].as_array().unwrap().len(), 5);
    assert_eq!(server.get("/api/v1/destinations", &member).code(), "role_forbidden");
    // Nor does the team configuration browsers receive.
    assert!(!server.get("/api/v1/config", &member).body.contains("MfKQ9r8"));
    // Editing without the secret keeps it.
    let r = put_destination(&server, &ada, "Logistics hook", json!({"kind": "webhook", "department": "Logistics", "url": hook.url}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["secretSet"], true);

    let c = routed(1, "Logistics", &format!("El pedido no llegó, la entrega falló otra vez. {HOSTILE}"));
    server.push(&member, std::slice::from_ref(&c));
    // A re-sent push (the extension retrying) enqueues nothing new.
    server.push(&member, std::slice::from_ref(&c));
    let log = wait_state(&server, &ada, &format!("capture={}", c.id), 4, "delivered", 30);
    assert_eq!(log["attempts"].as_array().unwrap().len(), 4, "{log}");

    let s = slack.wait_for(10, "slack", |r| !r.is_empty());
    assert_eq!(s.len(), 1, "one Slack message, and none for PR");
    let body = s[0].json();
    let text = body.to_string();
    assert_eq!(body["blocks"][0]["type"], "header");
    assert!(body["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("Nuevo comentario para Logistics"), "{text}");
    assert!(text.contains("&lt;!channel&gt;") && !text.contains("<!channel>") && !text.contains("<script"), "{text}");
    assert!(text.contains("https://foro.example/t/1#p1") && text.contains(&format!("https://escucha.example/#capture={}", c.id)), "{text}");

    let t = teams.wait_for(10, "teams", |r| !r.is_empty());
    assert_eq!(t.len(), 1);
    let card = &t[0].json()["attachments"][0];
    assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
    assert!(card["content"]["body"].to_string().contains("El pedido no llegó"), "{card}");

    let h = hook.wait_for(10, "webhook", |r| !r.is_empty());
    assert_eq!(h.len(), 1);
    let (id, ts, sig) = (h[0].header("webhook-id").unwrap(), h[0].header("webhook-timestamp").unwrap(), h[0].header("webhook-signature").unwrap());
    let key = webhook::decode_secret(SECRET).unwrap();
    assert!(webhook::verify(&key, id, ts.parse().unwrap(), &h[0].body, sig), "the signature verifies with the secret");
    let payload = h[0].json();
    assert_eq!(payload["type"], "capture.routed");
    assert_eq!(payload["data"]["data"]["captureId"], c.id);
    assert_eq!(payload["data"]["data"]["department"], "Logistics");

    let mails = smtp.wait_for(10, "email", |m| !m.is_empty());
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!((m.from.as_str(), m.to.clone(), m.auth.as_deref()), ("escucha@example.com", vec!["logistica@example.com".to_string()], Some("bot:s3cret-pw")));
    assert!(m.data.contains("multipart/alternative"), "{}", m.data);
    assert!(m.data.contains("Content-Type: text/plain") && m.data.contains("Content-Type: text/html"), "{}", m.data);
    assert!(m.data.contains("Nuevo comentario para Logistics"), "Spanish, the department's language");
    // Plain text carries the page text as typed; the HTML part escapes it.
    let html = &m.data[m.data.find("Content-Type: text/html").unwrap()..];
    assert!(!html.contains("<script") && html.contains("&lt;script&gt;"), "the HTML part escapes page text: {html}");

    // A member's edit that routes another capture to Logistics tells it too;
    // moving it to PR tells PR; an unrelated edit tells no one.
    let c2 = routed(2, "Product", "Otra cosa");
    server.push(&member, std::slice::from_ref(&c2));
    let edit = |body: Value| server.send("POST", &format!("/api/v1/captures/{}/edit", c2.id), Some(&member), &[], Some(body.to_string()));
    assert_eq!(edit(json!({"department": "Logistics"})).status, 200);
    wait_state(&server, &ada, &format!("capture={}", c2.id), 4, "delivered", 30);
    assert_eq!(edit(json!({"status": "responded"})).status, 200);
    assert_eq!(edit(json!({"department": "PR"})).status, 200);
    wait_state(&server, &ada, &format!("capture={}", c2.id), 5, "delivered", 30);
    slack.wait_for(10, "PR's slack", |r| r.iter().any(|x| x.path == "/hook/pr"));
    assert_eq!(slack.requests().len(), 3, "Logistics twice (c, c2), PR once");

    // The per-destination log.
    let by_dest = log_of(&server, &ada, "destination=Logistics%20hook");
    assert_eq!(by_dest["deliveries"].as_array().unwrap().len(), 2, "{by_dest}");
    // Test-send, in the destination's language.
    let r = server.send("POST", "/api/v1/destinations/Logistics%20Slack/test", Some(&ada), &[], None);
    assert_eq!(r.status, 202, "{}", r.body);
    let got = slack.wait_for(10, "test send", |r| r.iter().any(|x| x.body.windows(7).any(|w| w == b"prueba ")));
    assert!(!got.is_empty());
}

fn faults_are_retried_refusals_dead_lettered_and_retry_now_revives(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ada = admin_of(&ws);
    let mut args = FAST.to_vec();
    args.extend(["--delivery-max-attempts", "7", "--delivery-timeout-ms", "700"]);
    let server = ws.start(&args);
    // 503, 503, dropped, 429 Retry-After: 1 (second), slow past the timeout, then OK.
    let flaky = HttpReceiver::start(vec![
        Answer::Status(503),
        Answer::Status(503),
        Answer::Drop,
        Answer::RetryAfter(429, "1".into()),
        Answer::Slow(Duration::from_millis(1500)),
    ]);
    let gone = HttpReceiver::start(vec![Answer::Status(404)]);
    let down = HttpReceiver::start(vec![]);
    *down.default.lock().unwrap() = Answer::Status(500);
    let smtp = SmtpReceiver::start();
    *smtp.fail_data.lock().unwrap() = 2;
    for (name, dept, url) in [("flaky", "Logistics", &flaky.url), ("gone", "PR", &gone.url), ("down", "Marketing", &down.url)] {
        let r = put_destination(&server, &ada, name, json!({"kind": "webhook", "department": dept, "url": url, "secret": SECRET}));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = put_destination(&server, &ada, "mail", json!({"kind": "email", "department": "Logistics", "smtpHost": "127.0.0.1",
        "smtpPort": smtp.port, "security": "none", "from": "escucha@example.com", "to": ["l@example.com"]}));
    assert_eq!(r.status, 201, "{}", r.body);
    let started = Instant::now();
    let (a, b, c) = (routed(1, "Logistics", "a"), routed(2, "PR", "b"), routed(3, "Marketing", "c"));
    server.push(&ada, &[a.clone(), b.clone(), c.clone()]);

    let log = wait_state(&server, &ada, "destination=flaky", 1, "delivered", 60);
    let took = started.elapsed();
    let reqs = flaky.requests();
    // 5 failures (503, 503, drop, 429, the slow one timed out) and the 6th delivered.
    assert_eq!(log["deliveries"][0]["attempts"], 6, "{log}");
    assert_eq!(reqs.len(), 6, "{:?}", reqs.iter().map(|r| r.answered).collect::<Vec<_>>());
    let ids: BTreeSet<&str> = reqs.iter().map(|r| r.header("webhook-id").unwrap()).collect();
    assert_eq!(ids.len(), 1, "every retry carries the same webhook-id");
    // Retry-After: 1 was honoured: the attempt after the 429 waited ≥ 1 s.
    assert!(reqs[4].at.duration_since(reqs[3].at) >= Duration::from_millis(1000), "{:?}", reqs[4].at.duration_since(reqs[3].at));
    let attempts = log["attempts"].as_array().unwrap();
    let results: Vec<(Value, Value)> = attempts.iter().rev().map(|a| (a["result"].clone(), a["httpStatus"].clone())).collect();
    assert_eq!(results[0], (json!("retry"), json!(503)), "{results:?}");
    assert_eq!(results[2].1, Value::Null, "a dropped connection has no status");
    assert_eq!(results[3], (json!("retry"), json!(429)));
    assert!(attempts[1]["error"].as_str().unwrap().contains("timed out"), "{}", attempts[1]);
    assert_eq!(results[5], (json!("delivered"), json!(200)));

    // 404: dead at once, one attempt.
    let log = wait_state(&server, &ada, "destination=gone", 1, "dead", 30);
    assert_eq!(log["deliveries"][0]["attempts"], 1, "{log}");
    assert_eq!(gone.requests().len(), 1);
    // Always 500: dead after the limit (7).
    let log = wait_state(&server, &ada, "destination=down", 1, "dead", 30);
    assert_eq!(log["deliveries"][0]["attempts"], 7, "{log}");
    assert_eq!(down.requests().len(), 7);
    // SMTP 451 twice, then accepted.
    let log = wait_state(&server, &ada, "destination=mail", 1, "delivered", 30);
    assert_eq!(log["deliveries"][0]["attempts"], 3, "{log}");
    assert_eq!(log["attempts"][2]["smtpCode"], 451, "{log}");
    assert_eq!(smtp.mails().len(), 1);

    // Retry now (admin only) on the dead one, after the receiver recovered.
    *down.default.lock().unwrap() = Answer::Status(200);
    let id = log_of(&server, &ada, "destination=down")["deliveries"][0]["id"].as_str().unwrap().to_string();
    let member = ws.member("t", "mo");
    assert_eq!(server.send("POST", &format!("/api/v1/deliveries/{id}/retry"), Some(&member), &[], None).code(), "role_forbidden");
    assert_eq!(server.send("POST", &format!("/api/v1/deliveries/{id}/retry"), Some(&ada), &[], None).status, 202);
    let log = wait_state(&server, &ada, "destination=down", 1, "delivered", 30);
    assert_eq!(log["deliveries"][0]["attempts"], 8);
    assert_eq!(server.send("POST", &format!("/api/v1/deliveries/{id}/retry"), Some(&ada), &[], None).code(), "not_found", "delivered: nothing to retry");
    println!(
        "FIGURES faults ({e:?}): flaky webhook delivered after {} attempts ({} retries) in {:.2} s; 404 dead after 1; 500 dead after 7 then delivered by retry now; SMTP 451×2 delivered on attempt 3",
        reqs.len(),
        reqs.len() - 1,
        took.as_secs_f64()
    );
}

fn rules_route_at_ingest_and_their_send_to_names_a_destination(e) {
    use escucha_core::routing::{Action, Condition, Rule};
    let Some(ws) = Workspace::new(e) else { return };
    let ada = admin_of(&ws);
    let member = ws.member("t", "mo");
    let server = ws.start(&FAST);
    let logistics = HttpReceiver::start(vec![]);
    let oncall = HttpReceiver::start(vec![]);
    assert_eq!(put_destination(&server, &ada, "Logistics hook", json!({"kind": "webhook", "department": "Logistics", "url": logistics.url, "secret": SECRET})).status, 201);
    // No department: it hears only what names it.
    assert_eq!(put_destination(&server, &ada, "On call", json!({"kind": "slack", "webhookUrl": oncall.url})).status, 201);
    let config = escucha_core::team_config::TeamConfig {
        rules: vec![Rule {
        name: "Entregas".into(),
        enabled: true,
        when: Condition::All { of: vec![Condition::Sentiment { is: Sentiment::Negative }, Condition::Words { words: vec!["entrega".into()] }] },
        then: vec![Action::SetDepartment { name: "Logistics".into() }, Action::SendTo { destination: "On call".into() }],
        stop: false,
        }],
        ..Default::default()
    };
    let r = server.send("PUT", "/api/v1/config", Some(&ada), &[("if-match", "\"0\"")], Some(json!({ "config": config }).to_string()));
    assert_eq!(r.status, 200, "{}", r.body);
    // Captured without a department; the rule routes it.
    let mut c = routed(7, "Product", "La entrega no llegó");
    c.department.value = None;
    server.push(&member, std::slice::from_ref(&c));
    let log = wait_state(&server, &ada, &format!("capture={}", c.id), 2, "delivered", 30);
    let kinds: BTreeSet<&str> = log["deliveries"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, BTreeSet::from(["capture_routed", "rule_send_to"]), "{log}");
    assert_eq!(logistics.wait_for(10, "logistics", |r| !r.is_empty()).len(), 1);
    assert_eq!(oncall.wait_for(10, "on call", |r| !r.is_empty()).len(), 1);
    // Re-sent: nothing new.
    server.push(&member, std::slice::from_ref(&c));
    assert_eq!(log_of(&server, &ada, &format!("capture={}", c.id))["deliveries"].as_array().unwrap().len(), 2);
}

fn private_targets_are_refused_unless_the_server_allows_them(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ada = admin_of(&ws);
    let server = ws.start(&["--delivery-poll-ms", "50"]);
    let rx = HttpReceiver::start(vec![]);
    // A literal loopback address is refused when saved.
    let r = put_destination(&server, &ada, "loop", json!({"kind": "slack", "department": "PR", "webhookUrl": rx.url}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Loopback"), "{}", r.body);
    for url in ["http://[::1]:9/x", "http://169.254.169.254/latest", "http://10.0.0.1/", "http://[::ffff:127.0.0.1]/"] {
        let r = put_destination(&server, &ada, "x", json!({"kind": "webhook", "department": "PR", "url": url, "secret": SECRET}));
        assert_eq!(r.status, 400, "{url}: {}", r.body);
    }
    // A name is checked on what it resolves to at send time: "localhost"
    // saves, and its delivery is refused (dead, nothing sent).
    let port = rx.url.trim_start_matches("http://127.0.0.1:").split('/').next().unwrap().to_string();
    let r = put_destination(&server, &ada, "named", json!({"kind": "slack", "department": "PR", "webhookUrl": format!("http://localhost:{port}/hook")}));
    assert_eq!(r.status, 201, "{}", r.body);
    server.push(&ada, &[routed(1, "PR", "x")]);
    let log = wait_state(&server, &ada, "destination=named", 1, "dead", 30);
    assert!(log["attempts"][0]["error"].as_str().unwrap().contains("private targets are not allowed"), "{log}");
    assert!(rx.requests().is_empty(), "nothing reached the loopback receiver");
}

// The release binary under `kill -9` mid-delivery: every event arrives after
// the restart, and the duplicates carry the same idempotency key.
fn kill_9_mid_delivery_loses_nothing(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ada = admin_of(&ws);
    let mut args = FAST.to_vec();
    args.extend(["--delivery-lease-ms", "1500"]);
    let bin = release_bin();
    let server = start_bin(&ws, &bin, &args);
    // Slow: each request waits 400 ms before its 200, so the kill lands
    // while some are received but not yet answered.
    let rx = HttpReceiver::start(vec![]);
    *rx.default.lock().unwrap() = Answer::Slow(Duration::from_millis(400));
    let smtp = SmtpReceiver::start();
    assert_eq!(put_destination(&server, &ada, "hook", json!({"kind": "webhook", "department": "Logistics", "url": rx.url, "secret": SECRET})).status, 201);
    assert_eq!(
        put_destination(&server, &ada, "mail", json!({"kind": "email", "department": "Logistics", "smtpHost": "127.0.0.1",
            "smtpPort": smtp.port, "security": "none", "from": "escucha@example.com", "to": ["l@example.com"]})).status,
        201
    );
    const N: u32 = 40;
    let captures: Vec<Capture> = (1..=N).map(|n| routed(n, "Logistics", &format!("entrega {n}"))).collect();
    let started = Instant::now();
    server.push(&ada, &captures);
    rx.wait_for(30, "some deliveries started", |r| r.len() >= 3);
    server.kill_hard();
    let at_kill = rx.requests().len();
    let server = start_bin(&ws, &bin, &args);
    let all = rx.wait_for(90, "every event after the restart", |r| {
        r.iter().filter_map(|x| x.json()["data"]["data"]["captureId"].as_str().map(str::to_string)).collect::<BTreeSet<_>>().len() == N as usize
    });
    let took = started.elapsed();
    smtp.wait_for(60, "every email", |m| m.iter().map(|x| x.data.lines().find(|l| l.starts_with("Idempotency-Key")).unwrap_or("").to_string()).collect::<BTreeSet<_>>().len() == N as usize);
    // Each capture's requests all carry one webhook-id, and ids differ per capture.
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &all {
        let capture = r.json()["data"]["data"]["captureId"].as_str().unwrap().to_string();
        ids.entry(capture).or_default().insert(r.header("webhook-id").unwrap().to_string());
    }
    assert!(ids.values().all(|s| s.len() == 1), "{ids:?}");
    assert_eq!(ids.values().flatten().collect::<BTreeSet<_>>().len(), N as usize);
    let duplicates = all.len() - N as usize;
    wait_state(&server, &ada, "destination=hook", N as usize, "delivered", 60);
    let mails = smtp.mails();
    println!(
        "FIGURES kill -9 ({e:?}, {bin}): {N} events; killed after {at_kill} webhook requests; all delivered {:.2} s after the push; webhook requests {} ({} duplicates, same webhook-id each); emails {} for {N} events ({} duplicates, same Idempotency-Key)",
        took.as_secs_f64(),
        all.len(),
        duplicates,
        mails.len(),
        mails.len() - N as usize
    );
}
}
