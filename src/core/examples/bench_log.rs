//! Capture-log throughput on 50,000 generated captures (Spanish and English).
//!
//! Run: `cargo run --release -p escucha-core --example bench_log [-- OPTIONS]`
//!   --emit FILE     also write the generated captures as a JSON export
//!                   (the browser benchmark `tests/bench/log_page.mjs` seeds
//!                   the log page with exactly these records)
//!   --results FILE  write the figures as JSON (the browser benchmark prints
//!                   its ratios against them)
//!
//! Reports the median of 7 runs for: index build, text searches (a typed
//! prefix sequence too), facet filters, sorts, CSV/JSON/JSON-LD export, and a
//! naive search that re-folds every record per query, for comparison.
//! No assertions on time: the numbers are for reading.

use std::hint::black_box;
use std::time::{Duration, Instant};

use escucha_core::log::dates::parse_rfc3339;
use escucha_core::log::export::{to_csv, to_json, to_web_annotations};
use escucha_core::log::query::{naive_text_matches, LogIndex, Query, SortKey};
use escucha_core::log::record::uuid_v7;
use escucha_core::log::{
    Capture, CaptureContext, CaptureEdit, CommentTime, Priority, Sentiment, Stamp, Status, Tags, TextPosition, TextQuote,
};

const N: usize = 50_000;
const RUNS: usize = 7;

/// xorshift64*: deterministic, no dependencies.
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

const BRANDS: &[(&str, &str)] = &[
    ("Telefónica", "Movistar"),
    ("Iberia", "Iberia"),
    ("Zara", "Zara"),
    ("BBVA", "BBVA"),
    ("Mercadona", "Mercadona"),
    ("Renfe", "Renfe"),
    ("Acme", "Acme"),
    ("Vodafone", "Vodafone"),
];
const ES: &[&str] = &[
    "me cobraron dos veces la factura de este mes y nadie responde",
    "la atención al cliente fue excelente, resolvieron todo en diez minutos",
    "¿alguien sabe cómo cancelar la suscripción sin penalización?",
    "llevo tres días sin conexión en Málaga y el técnico no aparece",
    "el envío llegó roto, la caja estaba aplastada y el pedido incompleto",
    "¡qué vergüenza! cambiaron la tarifa sin avisar a nadie",
    "muy contento con el cambio de compañía, el precio es mejor",
    "perdieron mi maleta en Barajas y todavía no sé nada de ella",
    "la aplicación se cierra cada vez que intento pagar con tarjeta",
    "el tren salió con cuarenta minutos de retraso otra vez",
];
const EN: &[&str] = &[
    "charged twice this month and support keeps closing my ticket",
    "great service at the store today, the staff were really helpful",
    "does anyone know how to get a refund for a cancelled flight?",
    "the app crashes every time I try to check out",
    "delivery was late again and the tracking page shows nothing",
    "honestly the best customer experience I have had this year",
];
const AUTHORS: &[&str] = &[
    "José Pérez",
    "María Núñez",
    "Zoë Martín",
    "Ana",
    "lucia_88",
    "Jörg",
    "Camille Dubois",
    "Peter Smith",
    "Ñandú Rojo",
    "<img src=x onerror=alert(1)>",
    "Íñigo",
    "Ramón García",
];
const SITES: &[&str] = &["forocoches.example", "x.example", "reddit.example", "tripadvisor.example", "news.example", "instagram.example"];
const DEPTS: &[&str] = &["Atención al cliente", "Facturación", "Logística", "PR", "Legal"];
const MEMBERS: &[&str] = &["ana", "luis", "marta", "team-bot"];
const TAGS: &[&str] = &["factura", "urgente", "retraso", "reembolso", "app", "envío", "elogio"];

/// `n` realistic captures, deterministic.
pub fn generate(n: usize) -> Vec<Capture> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let start = parse_rfc3339("2024-01-01T00:00:00Z").unwrap();
    (0..n)
        .map(|i| {
            let (brand, term) = BRANDS[r.below(BRANDS.len() as u64) as usize];
            let spanish = r.below(10) < 7;
            let body = if spanish { r.pick(ES) } else { r.pick(EN) };
            let text = format!("{term} {body}. {}", if spanish { r.pick(ES) } else { r.pick(EN) });
            let created = start + (i as i64) * 300_000 + r.below(300_000) as i64; // ~6 months
            let site = r.pick(SITES);
            let comment_ms = created - r.below(86_400_000 * 3) as i64;
            let ctx = CaptureContext {
                page_url: format!("https://{site}/t/{}", r.below(20_000)),
                page_title: format!("{term}: {}", if spanish { "opiniones y quejas" } else { "reviews and complaints" }),
                site: site.into(),
                lang: Some(if spanish { "es" } else { "en" }.into()),
                comment_text: text,
                comment_length: None,
                author_name: Some(r.pick(AUTHORS).into()),
                author_url: None,
                comment_time: Some(CommentTime {
                    utc: Some(escucha_core::log::dates::format_rfc3339(comment_ms)),
                    original: "hace 2 días".into(),
                    zone_assumed: false,
                }),
                permalink: Some(format!("https://{site}/p/{i}")),
                brand: brand.into(),
                term: term.into(),
                quote: TextQuote {
                    exact: term.into(),
                    prefix: String::new(),
                    suffix: format!(" {}", &body[..body.char_indices().nth(12).map_or(body.len(), |(b, _)| b)]),
                },
                position: Some(TextPosition { start: 0, end: term.encode_utf16().count() as u32 }),
                platform: None,
            };
            let member = r.pick(MEMBERS);
            let mut random = [0u8; 10];
            random.iter_mut().for_each(|b| *b = r.next() as u8);
            let stamp = Stamp { ms: created, counter: 0, actor: format!("dev-{member}") };
            let mut c = Capture::new(uuid_v7(created, random), ctx, &Tags::default(), member, stamp.clone());
            let edit = CaptureEdit {
                sentiment: Some(Sentiment::ALL[r.below(4) as usize]),
                department: Some((r.below(3) > 0).then(|| r.pick(DEPTS).to_string())),
                status: Some(Status::ALL[r.below(5) as usize]),
                priority: Some(Priority::ALL[r.below(4) as usize]),
                tags: Some((0..r.below(3)).map(|_| r.pick(TAGS).to_string()).collect()),
                add_comment: (r.below(4) == 0).then(|| "Llamar al cliente mañana".into()),
                deleted: Some(r.below(50) == 0),
                ..Default::default()
            };
            c.apply(&edit, &Stamp::next(&stamp, created + 60_000 + r.below(86_400_000) as i64, &stamp.actor), member).unwrap();
            c
        })
        .collect()
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let captures = generate(N);
    let bytes: usize = captures.iter().map(|c| c.context.value.comment_text.len()).sum();
    println!("bench_log: {N} captures, {:.1} MB of comment text, median of {RUNS} runs\n", bytes as f64 / 1e6);
    if let Some(path) = arg("--emit") {
        std::fs::write(&path, to_json(captures.iter(), 0)).expect("write captures");
        println!("wrote {path}");
    }

    let mut figures: Vec<(String, f64)> = Vec::new();
    let mut report = |name: &str, d: Duration, extra: String| {
        println!("{name:<44} {:>9.2} ms  {extra}", ms(d));
        figures.push((name.to_string(), ms(d)));
    };

    let build = median(|| {
        black_box(LogIndex::new(captures.clone()));
    });
    let clone_only = median(|| {
        black_box(captures.clone());
    });
    report("index build (incl. clone)", build, format!("(clone alone {:.2} ms)", ms(clone_only)));
    report("index build", build.saturating_sub(clone_only), "(the above minus the clone)".into());
    let index = LogIndex::new(captures.clone());

    let searches = ["movistar", "factura", "cobraron dos veces", "malaga", "NUNEZ", "zzzz-nothing", "llamar manana"];
    let mut naive_total = 0.0;
    let mut indexed_total = 0.0;
    for s in searches {
        let q = Query { text: s.into(), ..Default::default() };
        let rows = index.run(&q).rows.len();
        let d = median(|| {
            black_box(index.run(&q));
        });
        let naive = median(|| {
            black_box(naive_text_matches(index.captures(), s));
        });
        naive_total += ms(naive);
        indexed_total += ms(d);
        report(&format!("search {s:?}"), d, format!("{rows} rows; naive re-fold {:.1} ms = {:.0}x slower", ms(naive), ms(naive) / ms(d)));
    }
    println!(
        "{:<44} {:>9.2} ms  naive {:.1} ms, ratio {:.0}x\n",
        "searches, total",
        indexed_total,
        naive_total,
        naive_total / indexed_total
    );

    let typed = "cobraron";
    let d = median(|| {
        for n in 1..=typed.len() {
            black_box(index.run(&Query { text: typed[..n].into(), ..Default::default() }));
        }
    });
    report("typing \"cobraron\" (8 queries)", d, format!("{:.2} ms per keystroke", ms(d) / typed.len() as f64));

    let filters: Vec<(&str, Query)> = vec![
        ("no filter (all rows + facets)", Query::default()),
        ("brand=Telefónica", Query { brands: vec!["Telefónica".into()], ..Default::default() }),
        (
            "sentiment=negative, status=new",
            Query { sentiments: vec![Sentiment::Negative], statuses: vec![Status::New], ..Default::default() },
        ),
        (
            "department=Facturación + site",
            Query { departments: vec![Some("Facturación".into())], sites: vec!["x.example".into()], ..Default::default() },
        ),
        (
            "March (created)",
            Query { from_ms: parse_rfc3339("2024-03-01T00:00:00Z"), to_ms: parse_rfc3339("2024-04-01T00:00:00Z"), ..Default::default() },
        ),
        (
            "text + brand + sentiment",
            Query {
                text: "factura".into(),
                brands: vec!["Telefónica".into()],
                sentiments: vec![Sentiment::Negative],
                ..Default::default()
            },
        ),
    ];
    for (name, q) in &filters {
        let rows = index.run(q).rows.len();
        report(
            &format!("filter {name}"),
            median(|| {
                black_box(index.run(q));
            }),
            format!("{rows} rows"),
        );
    }
    println!();
    for (name, key, desc) in [
        ("sort created desc", SortKey::Created, true),
        ("sort brand", SortKey::Brand, false),
        ("sort author", SortKey::Author, false),
        ("sort status", SortKey::Status, false),
    ] {
        let q = Query { sort: key, descending: desc, ..Default::default() };
        report(
            &format!("query + {name}"),
            median(|| {
                black_box(index.run(&q));
            }),
            String::new(),
        );
    }
    println!();
    let live: Vec<&Capture> = index.run(&Query::default()).rows.iter().map(|&i| &index.captures()[i as usize]).collect();
    let csv_len = to_csv(live.iter().copied()).len();
    report(
        "export CSV",
        median(|| {
            black_box(to_csv(live.iter().copied()));
        }),
        format!("{:.1} MB", csv_len as f64 / 1e6),
    );
    let json_len = to_json(live.iter().copied(), 0).len();
    report(
        "export JSON",
        median(|| {
            black_box(to_json(live.iter().copied(), 0));
        }),
        format!("{:.1} MB", json_len as f64 / 1e6),
    );
    let ld_len = to_web_annotations(live.iter().copied(), 0).len();
    report(
        "export JSON-LD",
        median(|| {
            black_box(to_web_annotations(live.iter().copied(), 0));
        }),
        format!("{:.1} MB", ld_len as f64 / 1e6),
    );
    let json = to_json(live.iter().copied(), 0);
    report(
        "import (parse + validate) JSON",
        median(|| {
            black_box(escucha_core::log::import::parse_import(&json, i64::MAX / 2).unwrap());
        }),
        String::new(),
    );

    if let Some(path) = arg("--results") {
        let obj: serde_json::Map<String, serde_json::Value> = figures.into_iter().map(|(k, v)| (k, serde_json::json!(v))).collect();
        std::fs::write(&path, serde_json::to_string_pretty(&obj).unwrap()).expect("write results");
        println!("\nwrote {path}");
    }
}
