//! Brand-matcher throughput on ~4 MB of Spanish forum-like text.
//!
//! Run: `cargo run --release -p escucha-core --example bench_matcher`
//!
//! Reports the median of 7 runs for:
//! * floor — a plain byte-iteration checksum over the same text;
//! * peer  — a bare aho-corasick LeftmostLongest, ASCII-case-insensitive
//!   search for the same terms on the raw text (no folding, no boundaries);
//! * Matcher::find_into with 10 and with 300 terms.
//!
//! No assertions on time: the numbers are for reading.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use escucha_core::brands::{BrandGroup, BrandKind, BrandList, Term, TermOptions};
use escucha_core::matching::{Matcher, Mention, Scratch, BLOCK_SEPARATOR};

const POSTS: usize = 10_000;
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

const WORDS: &[&str] = &[
    "el",
    "la",
    "de",
    "que",
    "y",
    "en",
    "un",
    "una",
    "los",
    "las",
    "por",
    "con",
    "para",
    "no",
    "es",
    "lo",
    "se",
    "me",
    "mi",
    "pero",
    "muy",
    "más",
    "también",
    "está",
    "están",
    "tengo",
    "hace",
    "días",
    "semana",
    "servicio",
    "cliente",
    "atención",
    "factura",
    "precio",
    "oferta",
    "móvil",
    "teléfono",
    "internet",
    "fibra",
    "cobertura",
    "tienda",
    "compré",
    "llamé",
    "ayer",
    "hoy",
    "mañana",
    "nadie",
    "contesta",
    "problema",
    "solución",
    "gracias",
    "alguien",
    "sabe",
    "cómo",
    "cuándo",
    "dónde",
    "porque",
    "después",
    "antes",
    "siempre",
    "nunca",
    "mejor",
    "peor",
    "barato",
    "caro",
    "envío",
    "pedido",
    "devolución",
    "garantía",
    "reclamación",
    "opinión",
    "experiencia",
    "recomiendo",
    "año",
    "niño",
    "España",
    "Madrid",
    "Barcelona",
    "Zaragoza",
    "Sevilla",
    "Valencia",
    "información",
    "aplicación",
    "velocidad",
    "router",
    "técnico",
    "instalación",
    "contrato",
    "permanencia",
    "tarifa",
    "datos",
    "llamadas",
    "mensajes",
    "red",
    "señal",
    "batería",
    "pantalla",
    "cámara",
    "calidad",
    "rápido",
    "lento",
    "fácil",
    "difícil",
];
const PUNCT: &[&str] = &[" ", " ", " ", " ", " ", " ", " ", ", ", ". ", "? ", "! ", "\n", " ¿", " ¡", " (", ") "];

/// The 10 "real" brands the posts mention.
const BRANDS: &[&str] =
    &["Telefónica", "Movistar", "Orange", "Vodafone", "Yoigo", "El Corte Inglés", "Zara", "Mercadona", "Carrefour", "ACME Corp"];

fn synth_brands(n: usize) -> Vec<String> {
    const SYL: &[&str] =
        &["ba", "ve", "lo", "mar", "ti", "sol", "na", "ca", "ri", "ex", "tel", "no", "va", "cor", "za", "fi", "lu", "pe", "dro", "mu"];
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let mut out = Vec::new();
    while out.len() < n {
        let k = 2 + rng.below(3) as usize;
        let mut s: String = (0..k).map(|_| rng.pick(SYL)).collect();
        s[..1].make_ascii_uppercase();
        if rng.below(4) == 0 {
            s.push_str(" Group");
        }
        if !out.contains(&s) && !BRANDS.iter().any(|b| b.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    }
    out
}

fn make_text() -> String {
    let mut rng = Rng(0x5EED_0000_DEAD_BEEF);
    let mentions: Vec<&str> = BRANDS.iter().copied().chain(["telefonica", "MOVISTAR", "Acme", "El Corte Ingles", "ZARA"]).collect();
    let mut text = String::with_capacity(4_300_000);
    for p in 0..POSTS {
        if p > 0 {
            text.push(BLOCK_SEPARATOR);
        }
        let words = 35 + rng.below(30);
        for w in 0..words {
            if w > 0 {
                text.push_str(rng.pick(PUNCT));
            }
            if rng.below(40) == 0 {
                text.push_str(rng.pick(&mentions));
            } else {
                text.push_str(rng.pick(WORDS));
            }
        }
        text.push('.');
    }
    text
}

fn list_of(terms: &[String]) -> BrandList {
    // 10 groups, terms dealt round-robin.
    let mut groups: Vec<BrandGroup> = (0..10)
        .map(|i| BrandGroup {
            id: format!("g{i}"),
            name: format!("Grupo {i}"),
            kind: BrandKind::Competitor,
            color: "#f90".into(),
            enabled: true,
            terms: vec![],
            exclusions: vec![],
        })
        .collect();
    for (i, t) in terms.iter().enumerate() {
        groups[i % 10].terms.push(Term::new(t.clone()));
    }
    BrandList { version: 1, groups }
}

fn median(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        count = black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[RUNS / 2], count)
}

fn main() {
    let text = make_text();
    let mb = text.len() as f64 / 1e6;
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    println!(
        "text: {:.2} MB, {} posts, {} non-ASCII chars ({:.1}%), {} UTF-16 units",
        mb,
        POSTS,
        non_ascii,
        100.0 * non_ascii as f64 / text.chars().count() as f64,
        text.encode_utf16().count()
    );

    let (floor, sum) = median(|| text.as_bytes().iter().fold(0u64, |a, &b| a.wrapping_add(b as u64)) as usize);
    println!("{:<34} {:>8.2} ms {:>9.0} MB/s   (checksum {sum})", "floor (byte checksum)", ms(floor), mb / floor.as_secs_f64());

    let mut synth = synth_brands(290);
    let ten: Vec<String> = BRANDS.iter().map(|s| s.to_string()).collect();
    let mut three_hundred = ten.clone();
    three_hundred.append(&mut synth);

    for terms in [&ten, &three_hundred] {
        let peer_ac =
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).ascii_case_insensitive(true).build(terms.iter()).unwrap();
        let (peer, peer_count) = median(|| peer_ac.find_iter(&text).count());

        let t = Instant::now();
        let matcher = Matcher::new(&list_of(terms)).unwrap();
        let build = t.elapsed();
        let mut scratch = Scratch::default();
        let mut out: Vec<Mention> = Vec::new();
        let (ours, count) = median(|| {
            matcher.find_into(&text, &mut scratch, &mut out);
            out.len()
        });
        println!("--- {} terms (Matcher::new {:.2} ms)", terms.len(), ms(build));
        println!(
            "{:<34} {:>8.2} ms {:>9.0} MB/s   {} matches",
            "peer (raw aho-corasick, ASCII-ci)",
            ms(peer),
            mb / peer.as_secs_f64(),
            peer_count
        );
        println!(
            "{:<34} {:>8.2} ms {:>9.0} MB/s   {} mentions   {:.1}x floor, {:.2}x peer",
            "Matcher::find_into",
            ms(ours),
            mb / ours.as_secs_f64(),
            count,
            ours.as_secs_f64() / floor.as_secs_f64(),
            ours.as_secs_f64() / peer.as_secs_f64()
        );
    }

    // For information: what one regex term adds (regex terms run a Pike VM).
    let mut with_regex = list_of(&ten);
    with_regex.groups[0]
        .terms
        .push(Term { text: r"telef[oó]nica\s+espa[nñ]a|movistar\+?".into(), options: TermOptions { regex: true, ..Default::default() } });
    let matcher = Matcher::new(&with_regex).unwrap();
    let mut scratch = Scratch::default();
    let mut out: Vec<Mention> = Vec::new();
    let (ours, count) = median(|| {
        matcher.find_into(&text, &mut scratch, &mut out);
        out.len()
    });
    println!("--- 10 terms + 1 regex term");
    println!("{:<34} {:>8.2} ms {:>9.0} MB/s   {} mentions", "Matcher::find_into", ms(ours), mb / ours.as_secs_f64(), count);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
