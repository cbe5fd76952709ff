//! The export's memory peak for a large team log (issue 11): fill one team
//! to at least `--mb` MiB of JSON export, then stream `/api/v1/export.json`
//! and `/api/v1/export.csv` over HTTP from the release binary (a separate
//! process, started fresh for each format) while sampling its RSS from
//! `/proc/<pid>/status` every 10 ms; prints the peak, the kernel's own
//! high-water mark (`VmHWM`) and the bytes received.
//!
//! The fill goes straight through the storage layer (`Storage::push`, the
//! same merge and SQL the push route runs, batches of 500): the HTTP ingest
//! of 1 GB takes too long on a shared 2-core machine. The export is measured
//! only through HTTP.
//!
//! Run: `cargo build --release -p escucha-server && cargo run --release -p
//! escucha-server --example export_memory -- [--mb 1024] [--db <file, postgres URL or `postgres`>]`
//! (default: a SQLite file in a temporary directory; `postgres`: a scratch
//! database on `ESCUCHA_TEST_POSTGRES`, see scripts/pg.sh).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, Stamp, Tags, TextQuote};
use escucha_server::accounts::Authentication;
use escucha_server::Storage;

const BATCH: usize = 500;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// A capture of about 4 KB of JSON (a long forum comment).
fn capture(n: u64, base_ms: i64) -> Capture {
    const WORDS: [&str; 8] = ["factura", "cobro", "atención", "técnico", "Movistar", "conexión", "reembolso", "tarifa"];
    let mut text = String::with_capacity(3000);
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while text.len() < 3000 {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        text.push_str(WORDS[(x % 8) as usize]);
        text.push(' ');
    }
    let ms = base_ms + n as i64;
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{}", n / 10),
        comment_text: text,
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
        ..Default::default()
    };
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&n.to_be_bytes());
    Capture::new(uuid_v7(ms, random), ctx, &Tags::default(), "ana", Stamp { ms, counter: 0, actor: "ana-device".into() })
}

fn rss_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Start the server, stream one export, and return (bytes, peak sampled
/// RSS KiB, VmHWM KiB, RSS before KiB, seconds).
fn measure(bin: &str, db: &str, www: &std::path::Path, token: &str, path: &str) -> (u64, u64, u64, u64, f64) {
    let mut child = Command::new(bin)
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0", "--www"])
        .arg(www)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server exited");
        if let Some(u) = line.trim().strip_prefix("escucha-server listening on ") {
            break u.to_string();
        }
    };
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(300));
    let before = rss_kb(pid, "VmRSS:").unwrap_or(0);
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = rss_kb(pid, "VmRSS:") {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(3600))).build().into();
    let started = Instant::now();
    let mut res = agent.get(format!("{base}{path}")).header("authorization", format!("Bearer {token}")).call().expect("export");
    let mut reader = res.body_mut().with_config().limit(u64::MAX).reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = reader.read(&mut buf).expect("read the export");
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let hwm = rss_kb(pid, "VmHWM:").unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    (bytes, peak.load(Ordering::Relaxed), hwm, before, secs)
}

#[tokio::main]
async fn main() {
    let mb: u64 = arg("--mb").and_then(|v| v.parse().ok()).unwrap_or(1024);
    let bin = arg("--bin").unwrap_or_else(|| "target/release/escucha-server".into());
    let dir = tempfile::tempdir().unwrap();
    let db = match arg("--db").as_deref() {
        // A scratch database on the test cluster (ESCUCHA_TEST_POSTGRES, scripts/pg.sh).
        Some("postgres") => {
            let admin = escucha_server::postgres::test_postgres_url().expect("--db postgres needs ESCUCHA_TEST_POSTGRES");
            escucha_server::postgres::scratch_database(&admin, "escucha_export").await.expect("scratch database")
        }
        Some(spec) => spec.to_string(),
        None => dir.path().join("export.sqlite3").to_string_lossy().into_owned(),
    };
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<h1>Team log</h1>").unwrap();

    let storage = Storage::open(&db).await.expect("open the database");
    storage.create_team("big").await.expect("team");
    storage.add_member("big", "ana").await.expect("member");
    let token = storage.issue_token("ana", Some("big")).await.expect("token").secret;
    let Authentication::Valid(who) = storage.authenticate(&token).await.unwrap() else { panic!("token") };

    // Fill until the records' JSON alone passes the target (the export adds
    // its envelope, so the export is at least this large).
    let target = mb * 1024 * 1024;
    let base_ms = 1_760_000_000_000;
    let (mut n, mut json_bytes) = (0u64, 0u64);
    let started = Instant::now();
    while json_bytes < target {
        let batch: Vec<Capture> = (0..BATCH as u64).map(|i| capture(n + i, base_ms)).collect();
        json_bytes += batch.iter().map(|c| serde_json::to_string(c).unwrap().len() as u64).sum::<u64>();
        n += BATCH as u64;
        storage.push(&who, batch.into_iter().map(Ok).collect()).await.expect("push");
    }
    println!(
        "filled {} ({}): {n} captures, {:.0} MiB of record JSON in {:.0} s (storage layer, batches of {BATCH})",
        storage.engine(),
        db,
        json_bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    drop(storage);

    for (name, path) in [("JSON", "/api/v1/export.json"), ("CSV", "/api/v1/export.csv")] {
        let (bytes, peak, hwm, before, secs) = measure(&bin, &db, &www, &token, path);
        println!(
            "export {name}: {:.0} MiB in {secs:.1} s; server RSS before {:.0} MiB, peak sampled {:.0} MiB, VmHWM {:.0} MiB",
            bytes as f64 / 1048576.0,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
    }
}
