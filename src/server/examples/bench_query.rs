//! Server-side queries at scale, on SQLite or PostgreSQL: one big team plus
//! many small ones, captures stored through the server's own push
//! (`Storage::push`: merge, change counter, query row), then the
//! dashboard's and the extension's queries timed through `Storage`, as the
//! routes call them.
//!
//!     cargo run --release -p escucha-server --example bench_query -- [--size 1000000] [--teams 100] [--per-team 1000] [--rounds 3] [--engine sqlite|postgres] [--db PATH]
//!
//! PostgreSQL needs `ESCUCHA_TEST_POSTGRES` (a scratch database is made on
//! that cluster). `--size 10000000` is the 10 M run (about 10× the disk and
//! time). Prints p50/p95/p99 per kind of query and bytes per capture; no
//! assertions (figures, not tests).

use std::time::{Duration, Instant};

use escucha_core::log::query_api::{CaptureQuery, Cursor};
use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, Priority, Sentiment, Stamp, Status, Tags, TextQuote};
use escucha_server::accounts::{Authentication, Identity};
use escucha_server::{postgres, store, Storage};

const WORDS: &[&str] = &[
    "movistar",
    "cobró",
    "factura",
    "fibra",
    "atención",
    "cliente",
    "llamada",
    "router",
    "avería",
    "técnico",
    "semana",
    "precio",
    "oferta",
    "contrato",
    "baja",
    "portabilidad",
    "cobertura",
    "móvil",
    "datos",
    "roaming",
    "tienda",
    "devolución",
    "queja",
    "excelente",
    "pésimo",
    "rápido",
    "lento",
    "nunca",
    "siempre",
    "gracias",
    "problema",
    "solución",
    "España",
    "Cádiz",
    "Barajas",
    "maleta",
    "vuelo",
    "retraso",
    "equipaje",
    "reembolso",
    "tarjeta",
    "banco",
    "comisión",
    "app",
    "error",
    "pedido",
    "envío",
    "talla",
    "calidad",
    "servicio",
];
const BRANDS: &[&str] = &["Telefónica", "Vodafone", "Orange", "Iberia", "Vueling", "Zara", "Mango", "BBVA", "Santander", "Renfe"];
const DEPTS: &[&str] = &["Soporte", "Ventas", "Facturación", "PR", "Legal", "Redes"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn capture(rng: &mut Rng, n: u64, t0: i64) -> Capture {
    let ms = t0 + (n as i64) * 30_000; // one every 30 s: 1 M span about a year
    let site = format!("site{}.example", rng.below(200));
    let words: Vec<&str> = (0..8 + rng.below(30)).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let brand = BRANDS[rng.below(BRANDS.len())];
    let ctx = CaptureContext {
        page_url: format!("https://{site}/thread/{}", n / 5),
        page_title: format!("Hilo {} sobre {brand}", n / 5),
        site: site.clone(),
        comment_text: words.join(" "),
        author_name: Some(format!("autor{}", rng.below(20_000))),
        brand: brand.into(),
        term: brand.into(),
        quote: TextQuote { exact: brand.into(), ..Default::default() },
        ..Default::default()
    };
    let mut rnd = [0u8; 10];
    rnd[..8].copy_from_slice(&n.to_le_bytes());
    let member = format!("member{}", rng.below(20));
    let mut c = Capture::new(uuid_v7(ms, rnd), ctx, &Tags::default(), &member, Stamp { ms, counter: 0, actor: member.clone() });
    let edit = CaptureEdit {
        sentiment: Some(Sentiment::ALL[rng.below(4)]),
        status: Some(Status::ALL[rng.below(5)]),
        priority: Some(Priority::ALL[rng.below(4)]),
        department: Some((rng.below(3) > 0).then(|| DEPTS[rng.below(DEPTS.len())].to_string())),
        ..Default::default()
    };
    c.apply(&edit, &Stamp::next(c.last_stamp(), ms + 60_000, &member), "ana").unwrap();
    c
}

async fn identity(db: &Storage, team: &str) -> Identity {
    db.create_team(team).await.unwrap();
    db.add_member(team, "bench").await.unwrap();
    let token = db.issue_token("bench", Some(team)).await.unwrap().secret;
    match db.authenticate(&token).await.unwrap() {
        Authentication::Valid(who) => who,
        other => panic!("{other:?}"),
    }
}

async fn fill(db: &Storage, who: &Identity, count: u64, seed: u64) -> Duration {
    let mut rng = Rng(seed | 1);
    let t0 = 1_672_531_200_000; // 2023-01-01
    let start = Instant::now();
    let mut n = 0;
    while n < count {
        let batch: Vec<store::Checked> = (n..(n + 1000).min(count)).map(|i| Ok(capture(&mut rng, i, t0))).collect();
        n += batch.len() as u64;
        db.push(who, batch).await.unwrap();
        if n % 100_000 == 0 {
            eprintln!("  {n} captures stored ({:.0}/s)", n as f64 / start.elapsed().as_secs_f64());
        }
    }
    start.elapsed()
}

fn percentiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).saturating_sub(1).min(v.len() - 1)].as_secs_f64() * 1000.0;
    format!("p50 {:8.1} ms  p95 {:8.1} ms  p99 {:8.1} ms  (n={})", p(0.5), p(0.95), p(0.99), v.len())
}

async fn time<T>(f: impl std::future::Future<Output = T>) -> (Duration, T) {
    let s = Instant::now();
    let r = f.await;
    (s.elapsed(), r)
}

/// Bytes on disk per capture, every table and index included, and where
/// they go (name → bytes).
async fn footprint(db: &Storage, path: &std::path::Path, rows: u64) -> (f64, Vec<(String, i64)>) {
    match db {
        Storage::Sqlite(d) => d.with(|c| {
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;").unwrap();
            let mut parts: Vec<(String, i64)> = c
                .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            parts.truncate(16);
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            (bytes as f64 / rows as f64, parts)
        }),
        Storage::Postgres(pg) => {
            pg.texts("VACUUM ANALYZE").await.unwrap();
            let parts: Vec<(String, i64)> = pg
                .texts(
                    "SELECT c.relname || '|' || pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't') ORDER BY pg_relation_size(c.oid) DESC LIMIT 16",
                )
                .await
                .unwrap()
                .iter()
                .map(|l| {
                    let (n, b) = l.split_once('|').unwrap();
                    (n.to_string(), b.parse().unwrap())
                })
                .collect();
            let total: i64 =
                pg.texts("SELECT (pg_total_relation_size('captures') + pg_total_relation_size('capture_query'))::text").await.unwrap()[0]
                    .parse()
                    .unwrap();
            (total as f64 / rows as f64, parts)
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: u64| -> u64 {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.replace('_', "").parse().expect(name))
    };
    let text = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let size = arg("--size", 1_000_000);
    let teams = arg("--teams", 100);
    let per_team = arg("--per-team", 1_000);
    let rounds = arg("--rounds", 3);
    let engine = text("--engine").unwrap_or_else(|| "sqlite".into());
    let dir = tempfile_dir();
    let path = text("--db").map_or(dir.join("bench.sqlite3"), std::path::PathBuf::from);
    let spec = if engine == "postgres" {
        let admin = std::env::var(postgres::TEST_URL_VAR).expect("ESCUCHA_TEST_POSTGRES for --engine postgres");
        postgres::scratch_database(&admin, "escucha_bench_query").await.unwrap()
    } else {
        let _ = std::fs::remove_file(&path);
        path.display().to_string()
    };
    println!("bench_query: {engine} at {spec}, {size} captures in one team + {teams} teams × {per_team}");
    let db = Storage::open(&spec).await.unwrap();
    let big = identity(&db, "big").await;
    for t in 0..teams {
        let who = identity(&db, &format!("team{t}")).await;
        fill(&db, &who, per_team, 1000 + t).await;
    }
    let took = fill(&db, &big, size, 7).await;
    println!("ingest (Storage::push, batches of 1000, one client): {:.0} captures/s", size as f64 / took.as_secs_f64());
    let total = size + teams * per_team;
    let (per_capture, parts) = footprint(&db, &path, total).await;
    println!("database: {per_capture:.0} bytes per capture (records, query rows, search index, every index); largest parts:");
    for (name, bytes) in parts {
        println!("  {name:<40} {:>10.1} MB  {:>6.0} B/capture", bytes as f64 / 1e6, bytes as f64 / total as f64);
    }

    let team = big.team_id;
    let parse = |qs: &str| {
        let pairs: Vec<(&str, &str)> = qs.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap()).collect();
        CaptureQuery::from_pairs(pairs).unwrap()
    };
    let searches = ["q=cobro factura", "q=cadiz", "q=reembolso maleta vuelo", "q=autor1234", "q=pesimo", "q=telefonica fibra lento"];
    let filters = [
        "",
        "brand=Telefónica",
        "status=needsResponse",
        "department=Soporte",
        "department=",
        "site=site7.example",
        "sentiment=negative&status=new",
        "brand=Iberia&department=Legal&sentiment=question",
    ];
    let mut rng = Rng(99);
    let mut first_render = Vec::new();
    let mut first_page = Vec::new();
    let mut facet_times = Vec::new();
    let mut search_pages = Vec::new();
    let mut search_facets = Vec::new();
    let mut aggregate_times = Vec::new();
    for _ in 0..rounds {
        // The dashboard's first render: page, facets and charts of the
        // unfiltered log, asked at once (as the dashboard does).
        let q = parse("");
        let (d, _) = time(async { tokio::join!(db.list(team, &q), db.facets(team, &q), db.aggregates(team, &q, 60)) }).await;
        first_render.push(d);
        for qs in filters {
            let q = parse(qs);
            first_page.push(time(db.list(team, &q)).await.0);
            facet_times.push(time(db.facets(team, &q)).await.0);
            aggregate_times.push(time(db.aggregates(team, &q, 60)).await.0);
        }
        for qs in searches {
            let q = parse(qs);
            search_pages.push(time(db.list(team, &q)).await.0);
            search_facets.push(time(db.facets(team, &q)).await.0);
        }
    }
    println!("first render (page + facets + charts at once, no filter): {}", percentiles(first_render));
    println!("filter, first page of 50 : {}", percentiles(first_page));
    println!("filter, facet counts     : {}", percentiles(facet_times));
    println!("search, first page of 50 : {}", percentiles(search_pages));
    println!("search, facet counts     : {}", percentiles(search_facets));
    println!("chart aggregates (5)     : {}", percentiles(aggregate_times));

    // Deep pages: follow cursors 20 pages into a filtered, sorted list.
    let mut deep = Vec::new();
    let mut q = parse("brand=Vodafone&sort=site&order=asc");
    for _ in 0..20 {
        let (d, page) = time(db.list(team, &q)).await;
        deep.push(d);
        q.after = page.unwrap().next.and_then(|n| Cursor::decode(&n)).map(|c| c.key);
    }
    println!("keyset paging, 20 pages  : {}", percentiles(deep));

    let mut lookups = Vec::new();
    for _ in 0..200 {
        let n = rng.below(size as usize) as u64;
        let url = format!("https://site{}.example/thread/{}", rng.below(200), n / 5);
        lookups.push(time(db.page_captures(team, &url)).await.0);
    }
    println!("page look-up             : {}", percentiles(lookups));

    // The team's counter is past every change it made: cursors spread over it.
    let max_seq = size as usize;
    let mut pulls = Vec::new();
    for _ in 0..200 {
        let at = rng.below(max_seq) as u64;
        pulls.push(time(db.pull(team, at, 200)).await.0);
    }
    println!("pull 200 at random cursor: {}", percentiles(pulls));
}
fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("escucha-bench-query-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
