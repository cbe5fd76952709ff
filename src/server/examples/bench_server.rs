//! `make bench-server`: the team-log server on both engines, measured
//! through its HTTP API (the release binary, a separate process) next to the
//! engine's own raw batched inserts of the same rows, in the same run.
//!
//! Per engine: ingest in batches of 100 with 1, 4 and 16 clients (one team),
//! raw inserts of the same rows in batches of 100 (one transaction each,
//! durable commits), bytes per capture on disk including indexes, CSV and
//! JSON export throughput with the server's peak memory, and the worst
//! `/healthz` latency while an export runs.
//!
//! Run: `cargo build --release -p escucha-server && cargo run --release -p
//! escucha-server --example bench_server -- [--captures N] [--engines sqlite,postgres]`
//! (N per client level, default 4000; PostgreSQL needs `ESCUCHA_TEST_POSTGRES`,
//! which `make bench-server` sets from scripts/pg.sh).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, CommentTime, Priority, Sentiment, Stamp, Status, Tags, TextQuote};
use serde_json::json;

const BATCH: usize = 100;
const LEVELS: [usize; 3] = [1, 4, 16];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SENTENCES: &[&str] = &[
    "me cobraron dos veces la factura de este mes y nadie responde",
    "la atención al cliente fue excelente, resolvieron todo en diez minutos",
    "¿alguien sabe cómo cancelar la suscripción sin penalización?",
    "llevo tres días sin conexión en Málaga y el técnico no aparece",
    "el envío llegó roto, la caja estaba aplastada y el pedido incompleto",
    "¡qué vergüenza! cambiaron la tarifa sin avisar a nadie",
    "charged twice this month and support keeps closing my ticket",
    "does anyone know how to get a refund for a cancelled flight?",
    "the app crashes every time I try to check out",
    "perdieron mi maleta en Barajas y todavía no sé nada de ella",
];
const SITES: &[&str] = &["forocoches.example", "x.example", "reddit.example", "tripadvisor.example", "news.example"];
const BRANDS: &[(&str, &str)] = &[("Telefónica", "Movistar"), ("Iberia", "Iberia"), ("Zara", "Zara"), ("BBVA", "BBVA")];

/// Realistic captures: a forum comment of 3 to 9 sentences (about 200 to
/// 600 characters), its page, author, time, quote and a manager's edit.
fn generate(n: usize, seed: u64) -> Vec<Capture> {
    let mut r = Rng(seed);
    let start = 1_735_689_600_000i64; // 2025-01-01
    (0..n)
        .map(|i| {
            let (brand, term) = BRANDS[r.below(BRANDS.len() as u64) as usize];
            let sentences: Vec<&str> = (0..3 + r.below(7)).map(|_| r.pick(SENTENCES)).collect();
            let text = format!("{term}: {}.", sentences.join(". "));
            let created = start + (i as i64) * 60_000 + r.below(60_000) as i64;
            let site = r.pick(SITES);
            let ctx = CaptureContext {
                page_url: format!("https://{site}/t/{}-opiniones-{}", r.below(100_000), term.to_lowercase()),
                page_title: format!("{term}: opiniones y quejas de clientes"),
                site: site.into(),
                lang: Some("es".into()),
                comment_text: text,
                comment_length: None,
                author_name: Some(format!("usuario_{}", r.below(5000))),
                author_url: Some(format!("https://{site}/u/{}", r.below(5000))),
                comment_time: Some(CommentTime {
                    utc: Some(escucha_core::log::dates::format_rfc3339(created - 3_600_000)),
                    original: "hace 1 hora".into(),
                    zone_assumed: false,
                }),
                permalink: Some(format!("https://{site}/p/{i}")),
                brand: brand.into(),
                term: term.into(),
                quote: TextQuote { exact: term.into(), prefix: String::new(), suffix: ": me cobraron".into() },
                position: None,
                platform: None,
            };
            let mut random = [0u8; 10];
            random.iter_mut().for_each(|b| *b = r.next() as u8);
            let stamp = Stamp { ms: created, counter: 0, actor: "dev-bench".into() };
            let mut c = Capture::new(uuid_v7(created, random), ctx, &Tags::default(), "bench", stamp.clone());
            let edit = CaptureEdit {
                sentiment: Some(Sentiment::ALL[r.below(4) as usize]),
                status: Some(Status::ALL[r.below(5) as usize]),
                priority: Some(Priority::ALL[r.below(4) as usize]),
                tags: Some(vec!["factura".into()]),
                ..Default::default()
            };
            c.apply(&edit, &Stamp::next(&stamp, created + 60_000, "dev-bench"), "ana").unwrap();
            c
        })
        .collect()
}

fn bin() -> String {
    std::env::var("ESCUCHA_SERVER_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/escucha-server").into())
}

fn admin(db: &str, args: &[&str]) -> String {
    let out = Command::new(bin()).args(["--db", db]).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str, www: &std::path::Path) -> Server {
    let mut child = Command::new(bin())
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0", "--rate-per-minute", "100000000", "--rate-burst", "10000000", "--www"])
        .arg(www)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!("the server exited");
        }
        if let Some(url) = line.trim().strip_prefix("escucha-server listening on ") {
            break url.to_string();
        }
    };
    Server { child, base }
}

/// kB of resident memory (VmRSS) or its peak (VmHWM) of a process.
fn memory_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(600))).build().into()
}

/// Push `captures` in batches of 100 with `clients` threads; captures/s.
fn ingest(base: &str, tokens: &[String], captures: &[Capture], clients: usize) -> f64 {
    let batches: Vec<String> = captures.chunks(BATCH).map(|b| json!({ "items": b }).to_string()).collect();
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (batches, next, base, token) = (batches.clone(), next.clone(), base.to_string(), tokens[c].clone());
            std::thread::spawn(move || {
                let agent = agent();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(body) = batches.get(i) else { return };
                    let mut r = agent
                        .post(&format!("{base}/api/v1/push"))
                        .header("authorization", &format!("Bearer {token}"))
                        .content_type("application/json")
                        .send(body.as_str())
                        .unwrap();
                    assert_eq!(r.status(), 200, "{}", r.body_mut().read_to_string().unwrap_or_default());
                    let _ = r.body_mut().read_to_string();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    captures.len() as f64 / t.elapsed().as_secs_f64()
}

/// Download an export while polling /healthz and the server's memory:
/// (MB, MB/s, peak RSS MB during the export, worst /healthz ms).
fn export(server: &Server, token: &str, path: &str) -> (f64, f64, f64, f64) {
    let pid = server.child.id();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (done, base) = (done.clone(), server.base.clone());
        std::thread::spawn(move || {
            let agent = agent();
            let (mut rss, mut worst) = (0u64, 0f64);
            while !done.load(Ordering::Relaxed) {
                rss = rss.max(memory_kb(pid, "VmRSS:"));
                let t = Instant::now();
                let mut r = agent.get(&format!("{base}/healthz")).call().unwrap();
                let _ = r.body_mut().read_to_string();
                worst = worst.max(t.elapsed().as_secs_f64() * 1000.0);
                std::thread::sleep(Duration::from_millis(20));
            }
            (rss, worst)
        })
    };
    let t = Instant::now();
    let mut r = agent().get(&format!("{}{path}", server.base)).header("authorization", &format!("Bearer {token}")).call().unwrap();
    assert_eq!(r.status(), 200);
    let mut reader = r.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let (rss, worst) = watcher.join().unwrap();
    let mb = bytes as f64 / 1e6;
    (mb, mb / secs, rss as f64 / 1024.0, worst)
}

struct Figures {
    engine: &'static str,
    ingest: Vec<f64>,
    many_teams: f64,
    raw: f64,
    bytes_per_capture: f64,
    record_bytes: f64,
    csv: (f64, f64, f64, f64),
    json: (f64, f64, f64, f64),
    idle_rss_mb: f64,
    before_export_mb: f64,
}

/// The engine's own batched insert of the same rows (same schema, another
/// team), one durable transaction per 100: captures/s.
fn raw_sqlite(path: &str, team_id: i64, member_id: i64, captures: &[Capture]) -> f64 {
    let mut c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;").unwrap();
    let rows: Vec<(String, String, i64, bool)> =
        captures.iter().map(|x| (x.id.clone(), serde_json::to_string(x).unwrap(), x.created_ms, x.deleted.value)).collect();
    let t = Instant::now();
    let mut seq = 1i64;
    for batch in rows.chunks(BATCH) {
        let tx = c.transaction().unwrap();
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO captures (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                )
                .unwrap();
            for (id, record, created, deleted) in batch {
                stmt.execute(rusqlite::params![team_id, id, seq, record, created, deleted, member_id]).unwrap();
                seq += 1;
            }
        }
        tx.commit().unwrap();
    }
    captures.len() as f64 / t.elapsed().as_secs_f64()
}

async fn raw_postgres(url: &str, team_id: i64, member_id: i64, captures: &[Capture]) -> f64 {
    let (mut c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    c.batch_execute("SET synchronous_commit = on").await.unwrap();
    let rows: Vec<(String, String, i64, bool)> =
        captures.iter().map(|x| (x.id.clone(), serde_json::to_string(x).unwrap(), x.created_ms, x.deleted.value)).collect();
    let stmt = c
        .prepare(
            "INSERT INTO captures (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by)
             SELECT $1, u.id, u.seq, u.record, u.created_ms, u.deleted, $2, $2
             FROM unnest($3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::boolean[]) AS u(id, seq, record, created_ms, deleted)",
        )
        .await
        .unwrap();
    let t = Instant::now();
    let mut seq = 1i64;
    for batch in rows.chunks(BATCH) {
        let ids: Vec<&str> = batch.iter().map(|r| r.0.as_str()).collect();
        let records: Vec<&str> = batch.iter().map(|r| r.1.as_str()).collect();
        let created: Vec<i64> = batch.iter().map(|r| r.2).collect();
        let deleted: Vec<bool> = batch.iter().map(|r| r.3).collect();
        let seqs: Vec<i64> = (seq..seq + batch.len() as i64).collect();
        seq += batch.len() as i64;
        let tx = c.transaction().await.unwrap();
        tx.execute(&stmt, &[&team_id, &member_id, &ids, &seqs, &records, &created, &deleted]).await.unwrap();
        tx.commit().await.unwrap();
    }
    captures.len() as f64 / t.elapsed().as_secs_f64()
}

fn run(engine: &'static str, n: usize, rt: &tokio::runtime::Runtime) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>bench</h1>").unwrap();
    let db = match engine {
        "sqlite" => dir.path().join("bench.sqlite3").to_str().unwrap().to_string(),
        _ => {
            let admin_url =
                std::env::var(escucha_server::postgres::TEST_URL_VAR).expect("ESCUCHA_TEST_POSTGRES (make bench-server sets it)");
            rt.block_on(escucha_server::postgres::scratch_database(&admin_url, "escucha_bench")).unwrap()
        }
    };
    admin(&db, &["team", "create", "bench"]);
    admin(&db, &["team", "create", "raw"]);
    admin(&db, &["member", "add", "--team", "raw", "raw"]);
    let tokens: Vec<String> = (0..16)
        .map(|i| {
            let name = format!("client{i}");
            admin(&db, &["member", "add", "--team", "bench", &name]);
            admin(&db, &["token", "issue", "--member", &name, "--team", "bench"]).lines().last().unwrap().trim().to_string()
        })
        .collect();
    let all = generate(n * (LEVELS.len() + 1), 0x9E37_79B9_7F4A_7C15);
    let server = start(&db, dir.path());
    let idle_rss_mb = memory_kb(server.child.id(), "VmRSS:") as f64 / 1024.0;
    let mut ingest_rates = Vec::new();
    for (i, clients) in LEVELS.iter().enumerate() {
        let rate = ingest(&server.base, &tokens, &all[i * n..(i + 1) * n], *clients);
        println!("  {engine}: {clients:>2} client(s), one team: {rate:>7.0} captures/s through the API");
        ingest_rates.push(rate);
    }
    // 16 clients of 16 teams: a team's pushes are serialized by its change
    // counter, other teams' are not.
    let team_tokens: Vec<String> = (0..16)
        .map(|i| {
            let team = format!("other{i}");
            admin(&db, &["team", "create", &team]);
            admin(&db, &["member", "add", "--team", &team, "m"]);
            admin(&db, &["token", "issue", "--member", "m", "--team", &team]).lines().last().unwrap().trim().to_string()
        })
        .collect();
    let spread = generate(n, 0x1234_5678_9ABC_DEF1);
    let many_teams = ingest(&server.base, &team_tokens, &spread, 16);
    println!("  {engine}: 16 clients of 16 teams: {many_teams:>7.0} captures/s through the API");
    // Raw: the same rows as the 1-client level, into team "raw".
    let raw_rows = &all[..n];
    let raw = match engine {
        "sqlite" => {
            let ids = |sql: &str| -> i64 { rusqlite::Connection::open(&db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap() };
            let team = ids("SELECT id FROM teams WHERE name = 'raw'");
            let member = ids("SELECT id FROM members WHERE name = 'raw'");
            raw_sqlite(&db, team, member, raw_rows)
        }
        _ => rt.block_on(async {
            let (c, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            let team: i64 = c.query_one("SELECT id FROM teams WHERE name = 'raw'", &[]).await.unwrap().get(0);
            let member: i64 = c.query_one("SELECT id FROM members WHERE name = 'raw'", &[]).await.unwrap().get(0);
            raw_postgres(&db, team, member, raw_rows).await
        }),
    };
    println!("  {engine}: raw batched inserts of the same rows: {raw:.0} captures/s");
    let record_bytes = raw_rows.iter().map(|c| serde_json::to_string(c).unwrap().len()).sum::<usize>() as f64 / n as f64;
    let rows = (n * (LEVELS.len() + 2)) as f64;
    let bytes_per_capture = match engine {
        "sqlite" => {
            let c = rusqlite::Connection::open(&db).unwrap();
            let _: (i64, i64, i64) = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
            let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
            let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
            (pages * size) as f64 / rows
        }
        _ => rt.block_on(async {
            let (c, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            c.batch_execute("VACUUM ANALYZE captures").await.unwrap();
            c.batch_execute("VACUUM ANALYZE capture_query").await.unwrap();
            let total: i64 = c
                .query_one("SELECT pg_total_relation_size('captures') + pg_total_relation_size('capture_query')", &[])
                .await
                .unwrap()
                .get(0);
            total as f64 / rows
        }),
    };
    let before_export_mb = memory_kb(server.child.id(), "VmRSS:") as f64 / 1024.0;
    let csv = export(&server, &tokens[0], "/api/v1/export.csv");
    let json = export(&server, &tokens[0], "/api/v1/export.json");
    Figures { engine, ingest: ingest_rates, many_teams, raw, bytes_per_capture, record_bytes, csv, json, idle_rss_mb, before_export_mb }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let n: usize = arg("--captures").map(|v| v.parse().expect("--captures N")).unwrap_or(4000);
    let engines = arg("--engines").unwrap_or_else(|| "sqlite,postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("bench_server: {n} captures per client level, batches of {BATCH}, release binary {}", bin());
    let mut figures = Vec::new();
    for engine in engines.split(',') {
        let engine: &'static str = if engine == "sqlite" { "sqlite" } else { "postgres" };
        figures.push(run(engine, n, &rt));
    }
    println!("\n| | {} |", figures.iter().map(|f| f.engine).collect::<Vec<_>>().join(" | "));
    println!("| --- |{}", " --- |".repeat(figures.len()));
    let row = |label: &str, f: &dyn Fn(&Figures) -> String| {
        println!("| {label} | {} |", figures.iter().map(f).collect::<Vec<_>>().join(" | "));
    };
    row("ingest via API, 1 / 4 / 16 clients of one team (captures/s)", &|f| {
        f.ingest.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(" / ")
    });
    row("ingest via API, 16 clients of 16 teams (captures/s)", &|f| {
        format!("{:.0} ({:.0} % of raw)", f.many_teams, 100.0 * f.many_teams / f.raw)
    });
    row("raw batched inserts, same rows (captures/s)", &|f| format!("{:.0}", f.raw));
    row("API ÷ raw, 1 / 4 / 16 clients", &|f| {
        f.ingest.iter().map(|r| format!("{:.0} %", 100.0 * r / f.raw)).collect::<Vec<_>>().join(" / ")
    });
    row("bytes per capture on disk, indexes included", &|f| format!("{:.0} (record JSON {:.0})", f.bytes_per_capture, f.record_bytes));
    row("CSV export: MB, MB/s", &|f| format!("{:.1} MB at {:.1} MB/s", f.csv.0, f.csv.1));
    row("JSON export: MB, MB/s", &|f| format!("{:.1} MB at {:.1} MB/s", f.json.0, f.json.1));
    row("server RSS: at start, after ingest, peak during exports (MB)", &|f| {
        format!("{:.0}, {:.0}, {:.0}", f.idle_rss_mb, f.before_export_mb, f.csv.2.max(f.json.2))
    });
    row("worst /healthz during exports (ms)", &|f| format!("{:.0}", f.csv.3.max(f.json.3)));
}
