//! `cargo run --release -p escucha-corpus --bin capture-fidelity [DIR] [--misses]`
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/forums"));
    let started = std::time::Instant::now();
    let report = match escucha_corpus::fidelity::run(&dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot read the corpus at {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    report.print();
    println!("({:.1} s)", started.elapsed().as_secs_f64());
    if args.iter().any(|a| a == "--misses") {
        for m in &report.misses {
            println!("MISS\t{m}");
        }
    }
}
