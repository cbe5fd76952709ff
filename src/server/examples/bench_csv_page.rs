//! Where a CSV export's time goes, per page of stored records, without the
//! database or HTTP: decoding the stored JSON versus writing the cells.
//!
//!     cargo run --release -p escucha-server --example bench_csv_page -- [--records 20000] [--rounds 5]

use std::time::Instant;

use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, CommentTime, Priority, Sentiment, Stamp, Status, Tags, TextQuote};
use escucha_server::export;
use escucha_server::store::ExportRow;

const SENTENCES: &[&str] = &[
    "me cobraron dos veces la factura de este mes y nadie me da una solución",
    "llevo tres semanas sin fibra y el técnico no aparece",
    "la atención al cliente es excelente, me lo resolvieron en diez minutos",
    "perdieron mi maleta en Barajas y todavía no sé nada de ella",
    "el precio subió sin avisar, \"promoción\" dicen",
];

fn records(n: usize) -> Vec<ExportRow> {
    let start = 1_735_689_600_000i64;
    (0..n)
        .map(|i| {
            let created = start + i as i64 * 60_000;
            let text: Vec<&str> = (0..3 + i % 7).map(|k| SENTENCES[(i + k) % SENTENCES.len()]).collect();
            let ctx = CaptureContext {
                page_url: format!("https://foro.example/t/{i}-opiniones-movistar"),
                page_title: "Movistar: opiniones y quejas de clientes".into(),
                site: "foro.example".into(),
                lang: Some("es".into()),
                comment_text: format!("Movistar: {}.", text.join(". ")),
                author_name: Some(format!("usuario_{}", i % 5000)),
                author_url: Some(format!("https://foro.example/u/{}", i % 5000)),
                comment_time: Some(CommentTime {
                    utc: Some(escucha_core::log::dates::format_rfc3339(created - 3_600_000)),
                    original: "hace 1 hora".into(),
                    zone_assumed: false,
                }),
                permalink: Some(format!("https://foro.example/p/{i}")),
                brand: "Telefónica".into(),
                term: "Movistar".into(),
                quote: TextQuote { exact: "Movistar".into(), prefix: String::new(), suffix: ": me cobraron".into() },
                ..Default::default()
            };
            let stamp = Stamp { ms: created, counter: 0, actor: "dev-bench".into() };
            let mut c = Capture::new(uuid_v7(created, [i as u8; 10]), ctx, &Tags::default(), "bench", stamp.clone());
            let edit = CaptureEdit {
                sentiment: Some(Sentiment::ALL[i % 4]),
                status: Some(Status::ALL[i % 5]),
                priority: Some(Priority::ALL[i % 4]),
                tags: Some(vec!["factura".into()]),
                ..Default::default()
            };
            c.apply(&edit, &Stamp::next(&stamp, created + 60_000, "dev-bench"), "ana").unwrap();
            ExportRow { created_ms: c.created_ms, id: c.id.clone(), record: serde_json::to_string(&c).unwrap() }
        })
        .collect()
}

/// This thread's time on a CPU (ns, from /proc/thread-self/schedstat): on a
/// loaded machine wall time is mostly other processes' turns.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().unwrap())
    };
    let (n, rounds) = (arg("--records", 20_000), arg("--rounds", 5));
    let rows = records(n);
    let json_mb = rows.iter().map(|r| r.record.len()).sum::<usize>() as f64 / 1e6;
    println!("{n} records, {json_mb:.1} MB of stored JSON ({:.0} B each)", json_mb * 1e6 / n as f64);
    for _ in 0..rounds {
        let (t, c0) = (Instant::now(), cpu_ns());
        let caps: Vec<Capture> = rows.iter().map(|r| escucha_server::store::decode(&r.record).unwrap()).collect();
        let csv = export::csv_rows(&caps).unwrap();
        drop(caps);
        let (old_wall, old_cpu) = (t.elapsed().as_secs_f64(), (cpu_ns() - c0) as f64 / 1e9);
        let (t, c0) = (Instant::now(), cpu_ns());
        let direct = export::csv_page(&rows).unwrap();
        let (new_wall, new_cpu) = (t.elapsed().as_secs_f64(), (cpu_ns() - c0) as f64 / 1e9);
        assert_eq!(direct, csv, "the page writer writes what decoding and csv_rows write");
        let mb = csv.len() as f64 / 1e6;
        println!(
            "{mb:.1} MB of CSV: decode + csv_rows {:6.0} ms CPU = {:5.1} MB/s ({:5.1} wall) | csv_page {:6.0} ms CPU = {:5.1} MB/s ({:5.1} wall)",
            old_cpu * 1e3,
            mb / old_cpu,
            mb / old_wall,
            new_cpu * 1e3,
            mb / new_cpu,
            mb / new_wall
        );
    }
}
