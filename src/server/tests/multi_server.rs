//! Stateless servers: two real `escucha-server` processes on one PostgreSQL
//! database behind a round-robin TCP proxy on 127.0.0.1 (below, a new
//! backend per connection, skipping one that refuses). Pushers and pullers
//! of two teams go through the proxy; one server is `kill -9`ed mid-run.
//! Nothing is lost or duplicated, and every client converges. Needs the test
//! PostgreSQL (`ESCUCHA_TEST_POSTGRES`; skipped with one line without it).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use escucha_core::log::Capture;
use escucha_core::sync::api::{ItemStatus, PullResponse, PushResponse};
use serde_json::json;

mod common;
use common::issue_token as token;

fn scratch() -> Option<String> {
    common::scratch_postgres("escucha_multi")
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str, www: &std::path::Path, extra: &[&str]) -> Server {
    let (child, base) = common::spawn_server(db, www, extra, Stdio::null(), String::new);
    let port = base.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Server { child, port }
}

/// Round robin over `backends`, one per connection; a backend that refuses
/// the connection is skipped. Bytes are copied both ways until either side
/// closes.
fn proxy(backends: Vec<u16>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let next = AtomicUsize::new(0);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let start = next.fetch_add(1, Ordering::Relaxed);
            let upstream = (0..backends.len()).find_map(|i| TcpStream::connect(("127.0.0.1", backends[(start + i) % backends.len()])).ok());
            let Some(upstream) = upstream else { continue }; // dropping the client closes it
            let pipe = |mut from: TcpStream, mut to: TcpStream| {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if to.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = to.shutdown(Shutdown::Write);
                    let _ = from.shutdown(Shutdown::Read);
                });
            };
            pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
            pipe(upstream, client);
        }
    });
    port
}

/// A client that opens a new connection per request, so the proxy spreads
/// its requests over both servers.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn capture(n: u32) -> Capture {
    common::capture_at(n, "x", 1_760_000_000_000 + i64::from(n))
}

/// POST or GET until the server answers 200 (a killed server's connection
/// fails; the client retries, as the extension does). Returns the body and
/// how many attempts failed.
fn until_ok(agent: &ureq::Agent, url: &str, token: &str, body: Option<&str>) -> (String, u32) {
    let mut failures = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let res = match body {
            Some(b) => agent.post(url).header("authorization", &format!("Bearer {token}")).content_type("application/json").send(b),
            None => agent.get(url).header("authorization", &format!("Bearer {token}")).call(),
        };
        match res {
            Ok(mut r) if r.status() == 200 => {
                if let Ok(text) = r.body_mut().read_to_string() {
                    return (text, failures);
                }
            }
            _ => {}
        }
        failures += 1;
        assert!(Instant::now() < deadline, "no 200 from {url} for 60 s");
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn two_servers_behind_a_proxy_survive_a_kill_9_of_one() {
    let Some(db) = scratch() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>Team log</h1>").unwrap();
    const TEAMS: usize = 2;
    const PUSHERS: usize = 3;
    const PULLERS: usize = 2;
    const BATCHES: usize = 20;
    const PER_BATCH: usize = 5;
    let pusher_tokens: Vec<Vec<String>> =
        (0..TEAMS).map(|t| (0..PUSHERS).map(|p| token(&db, &format!("team{t}"), &format!("p{p}"))).collect()).collect();
    let puller_tokens: Vec<Vec<String>> =
        (0..TEAMS).map(|t| (0..PULLERS).map(|p| token(&db, &format!("team{t}"), &format!("r{p}"))).collect()).collect();
    let limits = ["--rate-per-minute", "1000000", "--rate-burst", "100000"];
    let a = start(&db, dir.path(), &limits);
    let b = start(&db, dir.path(), &limits);
    let base = format!("http://127.0.0.1:{}", proxy(vec![a.port, b.port]));

    let batches_done = Arc::new(AtomicUsize::new(0));
    let retries = Arc::new(AtomicUsize::new(0));
    let pushing_done = Arc::new(AtomicBool::new(false));
    let mut pushers = Vec::new();
    for (t, tokens) in pusher_tokens.iter().enumerate() {
        for (p, tok) in tokens.iter().enumerate() {
            let (base, tok, done, retries) = (base.clone(), tok.clone(), batches_done.clone(), retries.clone());
            pushers.push(std::thread::spawn(move || {
                let agent = agent();
                let mut ids = Vec::new();
                for k in 0..BATCHES {
                    let first = ((t * PUSHERS + p) * BATCHES + k) * PER_BATCH;
                    let batch: Vec<Capture> = (first..first + PER_BATCH).map(|n| capture(n as u32)).collect();
                    let (body, failed) =
                        until_ok(&agent, &format!("{base}/api/v1/push"), &tok, Some(&json!({ "items": batch }).to_string()));
                    retries.fetch_add(failed as usize, Ordering::Relaxed);
                    let reply: PushResponse = serde_json::from_str(&body).unwrap();
                    // A retried batch whose first attempt committed is "unchanged".
                    assert!(reply.results.iter().all(|r| r.status != ItemStatus::Rejected));
                    ids.extend(batch.into_iter().map(|c| c.id));
                    done.fetch_add(1, Ordering::Relaxed);
                }
                (t, ids)
            }));
        }
    }
    // (team, captures seen in order, pulls) per puller.
    type Seen = Vec<(usize, Vec<String>, usize)>;
    let seen_by: Arc<Mutex<Seen>> = Arc::default();
    let mut pullers = Vec::new();
    for (t, tokens) in puller_tokens.iter().enumerate() {
        for tok in tokens {
            let (base, tok, pushing_done, seen_by, retries) =
                (base.clone(), tok.clone(), pushing_done.clone(), seen_by.clone(), retries.clone());
            pullers.push(std::thread::spawn(move || {
                let agent = agent();
                let mut cursor = String::new();
                let mut seen = Vec::new();
                let mut pulls = 0;
                loop {
                    let finished = pushing_done.load(Ordering::SeqCst);
                    loop {
                        let (body, failed) = until_ok(&agent, &format!("{base}/api/v1/pull?since={cursor}&limit=17"), &tok, None);
                        retries.fetch_add(failed as usize, Ordering::Relaxed);
                        pulls += 1;
                        let page: PullResponse = serde_json::from_str(&body).unwrap();
                        seen.extend(page.items.into_iter().map(|c| c.id));
                        cursor = page.cursor;
                        if !page.more {
                            break;
                        }
                    }
                    if finished {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                seen_by.lock().unwrap().push((t, seen, pulls));
            }));
        }
    }
    // Kill server A once a third of the batches are in.
    let total = TEAMS * PUSHERS * BATCHES;
    while batches_done.load(Ordering::Relaxed) < total / 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut a = a;
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    let killed_at = batches_done.load(Ordering::Relaxed);

    let mut expected: Vec<HashSet<String>> = vec![HashSet::new(); TEAMS];
    for p in pushers {
        let (t, ids) = p.join().unwrap();
        expected[t].extend(ids);
    }
    pushing_done.store(true, Ordering::SeqCst);
    for p in pullers {
        p.join().unwrap();
    }
    println!(
        "two servers, {total} batches of {PER_BATCH} from {} pushers, server A killed after {killed_at} batches, {} failed requests retried",
        TEAMS * PUSHERS,
        retries.load(Ordering::Relaxed)
    );
    for (t, seen, pulls) in seen_by.lock().unwrap().iter() {
        let unique: HashSet<&String> = seen.iter().collect();
        println!("team{t} puller: {pulls} pulls, {} seen, {} distinct, {} pushed", seen.len(), unique.len(), expected[*t].len());
        assert_eq!(seen.len(), unique.len(), "a capture reached a puller twice");
        assert_eq!(unique.len(), expected[*t].len(), "a puller missed a capture");
        assert!(seen.iter().all(|id| expected[*t].contains(id)));
    }
    // The surviving server alone holds everything, once.
    let direct = format!("http://127.0.0.1:{}", b.port);
    for (t, tokens) in puller_tokens.iter().enumerate() {
        let (body, _) = until_ok(&agent(), &format!("{direct}/api/v1/export.json"), &tokens[0], None);
        let export: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(export["count"].as_u64().unwrap() as usize, expected[t].len());
    }
}

/// The per-token rate limit lives in the database: a token spending its
/// burst on one server is limited on the other too.
#[test]
fn the_rate_limit_is_shared_by_every_server() {
    let Some(db) = scratch() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>Team log</h1>").unwrap();
    let tok = token(&db, "t", "ana");
    let limits = ["--rate-per-minute", "1", "--rate-burst", "4"];
    let servers = [start(&db, dir.path(), &limits), start(&db, dir.path(), &limits)];
    let agent = agent();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let s = &servers[i % 2];
        let r =
            agent.get(&format!("http://127.0.0.1:{}/api/v1/me", s.port)).header("authorization", &format!("Bearer {tok}")).call().unwrap();
        statuses.push(r.status().as_u16());
    }
    // Four in total, not four per server.
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
}
