//! Regression guard for the capture fidelity benchmark (needs
//! `../shared/corpus`; skips without it unless `ESCUCHA_REQUIRE_CORPUS=1`).
//! Fails when ANY figure drops more than [`MARGIN`] below what was measured
//! when the guard was set: per-field precision and recall, in-sample with
//! `Thresholds::DEFAULT` and leave-one-site-out; the agreement of the three
//! placements in a post; the WCXB and trafilatura text checks.
//!
//! To re-set after an improvement: `cargo run --release -p escucha-corpus
//! --bin capture-fidelity -- --floors` prints `MEASURED` as below; paste it.

/// Measured after issue 9's third round (body inside a dated "content"
/// wrapper, a post's own heading, pagination and action links never a
/// permalink; gold permalinks naming no post not scored). Every figure is at
/// or above the one it replaced.
const MEASURED: &[(&str, f64)] = &[
    ("default text precision", 0.9822),
    ("default text recall", 0.9362),
    ("default author precision", 0.9974),
    ("default author recall", 0.8630),
    ("default time precision", 0.9893),
    ("default time recall", 0.8684),
    ("default permalink precision", 0.9845),
    ("default permalink recall", 0.9194),
    ("loso text precision", 0.9822),
    ("loso text recall", 0.9362),
    ("loso author precision", 0.9970),
    ("loso author recall", 0.8816),
    ("loso time precision", 0.9884),
    ("loso time recall", 0.8724),
    ("loso permalink precision", 0.9845),
    ("loso permalink recall", 0.9194),
    ("consistency text", 0.9849),
    ("consistency author", 0.9918),
    ("consistency time", 0.9918),
    ("consistency permalink", 0.9918),
    ("consistency all", 0.9849),
    ("wcxb text ok", 0.6177),
    ("wcxb text ok among returned", 0.6177),
    ("trafilatura text ok", 0.9918),
    ("trafilatura text ok among returned", 0.9918),
];

/// How far a figure may fall below `MEASURED` (one point).
const MARGIN: f64 = 0.01;

#[test]
fn capture_fidelity_does_not_regress() {
    let Some(corpus) = escucha_corpus::corpus_dir() else { return };
    let bench = escucha_corpus::fidelity::run_all(&corpus).unwrap_or_else(|e| panic!("reading {}: {e}", corpus.display()));
    bench.print();
    assert_eq!(bench.forums.threads, 58, "the corpus has 58 threads");
    assert!(bench.forums.posts >= 700, "gold posts: {}", bench.forums.posts);
    let figures = bench.figures();
    let mut drops = Vec::new();
    for (name, floor) in MEASURED {
        match figures.iter().find(|(n, _)| n == name) {
            Some((_, v)) if *v + MARGIN < *floor => drops.push(format!("{name}: {:.2}% < {:.2}% measured", 100.0 * v, 100.0 * floor)),
            Some(_) => {}
            None => drops.push(format!("{name}: no longer measured")),
        }
    }
    for (name, _) in &figures {
        if !MEASURED.iter().any(|(n, _)| n == name) {
            drops.push(format!("{name}: measured but has no floor in MEASURED"));
        }
    }
    assert!(drops.is_empty(), "fidelity dropped:\n  {}\nmeasured:\n{}\n{}", drops.join("\n  "), bench.table(), bench.floors_source());
}
