//! Benchmark of the store's bulk paths (run by `tests/bench/store.mjs` in an
//! extension page). Figures only; nothing here asserts a speed.
//! `assert_eq!`s only check that each timed read returned every record.

use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CommentTime, Stamp, Tags, TextQuote};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{idb, MergeSource, Store, CAPTURES};

/// One run's figures, in milliseconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreBench {
    pub records: u32,
    /// Merging `records` new captures in one transaction (an import).
    pub merge_new_ms: f64,
    /// Merging the same records again (all already there, nothing written).
    pub merge_again_ms: f64,
    /// `Store::all()`: getAll plus one deserialization pass into `Capture`s.
    pub all_ms: f64,
    /// The floor: the same `getAll` returning JS objects, not deserialized.
    pub raw_get_all_ms: f64,
    /// `Store::newest(200)`: what the log page reads before its first paint.
    pub newest_ms: f64,
    /// The whole log through `Store::chunk` in pieces of 2,500 (the log page's
    /// background read), summed; the same records as `all()`.
    pub chunked_ms: f64,
    /// `Store::page_captures` for one page of the log.
    pub page_captures_ms: f64,
    pub page_captures_found: u32,
    /// Median of single `log_capture` calls into the full log (strict commit).
    pub log_capture_median_ms: f64,
    /// `Store::status()`: reads the kept totals.
    pub status_ms: f64,
    /// The same figures counted through the indexes (what `status()` did
    /// before the totals were kept, and what a database without them pays once).
    pub status_by_index_ms: f64,
}

/// Realistic captures: comment texts of a few hundred characters, 500 pages,
/// authors, times, quotes, a tag or two and sometimes a note.
pub fn sample(count: u32, start_ms: i64) -> Vec<Capture> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let words = [
        "Movistar",
        "factura",
        "me",
        "cobraron",
        "dos",
        "veces",
        "el",
        "router",
        "no",
        "funciona",
        "desde",
        "ayer",
        "atención",
        "al",
        "cliente",
        "llamé",
        "tres",
        "horas",
        "fibra",
        "precio",
        "subida",
        "nadie",
        "responde",
        "gracias",
    ];
    (0..count)
        .map(|n| {
            let len = 40 + (rnd() % 80) as usize;
            let text: Vec<&str> = (0..len).map(|_| words[(rnd() % words.len() as u64) as usize]).collect();
            let text = text.join(" ");
            let page = rnd() % 500;
            let ms = start_ms + n as i64 * 1_000;
            let mut random = [0u8; 10];
            random.iter_mut().for_each(|b| *b = rnd() as u8);
            let ctx = CaptureContext {
                page_url: format!("https://foro.example/t/{page}/hilo-sobre-facturas"),
                page_title: format!("Hilo {page}: problemas con la factura"),
                site: "Foro Example".into(),
                lang: Some("es".into()),
                comment_text: text.clone(),
                author_name: Some(format!("usuario{}", rnd() % 5_000)),
                author_url: Some(format!("https://foro.example/u/{}", rnd() % 5_000)),
                comment_time: Some(CommentTime {
                    utc: Some("2024-05-01T10:00:00Z".into()),
                    original: "hace 3 días".into(),
                    zone_assumed: false,
                }),
                permalink: Some(format!("https://foro.example/t/{page}/p/{n}")),
                brand: "Telefónica".into(),
                term: "Movistar".into(),
                quote: TextQuote {
                    exact: "Movistar".into(),
                    prefix: text.chars().take(32).collect(),
                    suffix: " me cobraron dos veces el".into(),
                },
                ..Default::default()
            };
            let tags = Tags {
                tags: (0..rnd() % 3).map(|i| format!("tag{}", (i + rnd()) % 20)).collect(),
                note: if rnd() % 4 == 0 { "Escalado a facturación, pendiente de respuesta.".into() } else { String::new() },
                ..Default::default()
            };
            Capture::new(uuid_v7(ms, random), ctx, &tags, "ana", Stamp { ms, counter: 0, actor: "dev-bench".into() })
        })
        .collect()
}

fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| js_sys::Reflect::get(&p, &"now".into()).ok().map(|f| (p, f)))
        .and_then(|(p, f)| f.dyn_into::<js_sys::Function>().ok()?.call0(&p).ok()?.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// Fill a fresh database `name` with `count` captures and time the bulk paths.
pub async fn run(name: &str, count: u32) -> Result<StoreBench, JsValue> {
    let err = |e: escucha_core::protocol::ProtocolError| JsValue::from_str(&e.to_string());
    let store = Store::open_named(name).await.map_err(err)?;
    let records = sample(count, 1_700_000_000_000);
    let probe_page = records[0].context.value.page_url.clone();

    let t = now();
    store.merge_records(records.clone(), MergeSource::Import).await.map_err(err)?;
    let merge_new_ms = now() - t;
    let t = now();
    store.merge_records(records, MergeSource::Import).await.map_err(err)?;
    let merge_again_ms = now() - t;

    // Alternate the reads so none always runs with a warm cache.
    let (mut all, mut raw, mut newest, mut chunked) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = now();
        let first = store.newest(200).await.map_err(err)?;
        newest.push(now() - t);
        assert_eq!(first.len(), 200.min(count as usize));
        let t = now();
        let mut after: Option<String> = None;
        let mut read = 0;
        loop {
            let piece = store.chunk(after.as_deref(), 2_500).await.map_err(err)?;
            read += piece.len();
            after = piece.last().map(|c| c.id.clone()).or(after);
            if piece.len() < 2_500 {
                break;
            }
        }
        chunked.push(now() - t);
        assert_eq!(read, count as usize);
        let t = now();
        let list = store.all().await.map_err(err)?;
        all.push(now() - t);
        assert_eq!(list.len(), count as usize);
        let t = now();
        let tx = idb::Tx::begin(&store.db, &[CAPTURES], false)?;
        let objects: js_sys::Array = idb::request(&tx.store(CAPTURES)?.get_all()?).await?.unchecked_into();
        tx.commit().await?;
        raw.push(now() - t);
        assert_eq!(objects.length(), count);
    }
    let t = now();
    let found = store.page_captures(&probe_page).await.map_err(err)?;
    let page_captures_ms = now() - t;

    let mut single = Vec::new();
    for (i, extra) in sample(21, 1_800_000_000_000).into_iter().enumerate() {
        let t = now();
        store.log_capture(extra.context.value, None, &Tags::default(), "ana", 1_800_000_000_000 + i as i64).await.map_err(err)?;
        single.push(now() - t);
    }
    let (mut status, mut by_index) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = now();
        let s = store.status().await.map_err(err)?;
        status.push(now() - t);
        let t = now();
        let counted = store.count_by_indexes().await.map_err(err)?;
        by_index.push(now() - t);
        assert_eq!((s.total, s.pending, s.quarantined), (counted.live, counted.pending, counted.quarantined));
    }
    store.close();
    Ok(StoreBench {
        records: count,
        merge_new_ms,
        merge_again_ms,
        all_ms: median(all),
        raw_get_all_ms: median(raw),
        newest_ms: median(newest),
        chunked_ms: median(chunked),
        page_captures_ms,
        page_captures_found: found.len() as u32,
        log_capture_median_ms: median(single),
        status_ms: median(status),
        status_by_index_ms: median(by_index),
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}
