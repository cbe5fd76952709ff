//! `cargo run --release -p escucha-corpus --bin capture-fidelity [CORPUS_DIR] [--misses] [--floors]`
//!
//! CORPUS_DIR defaults to `../shared/corpus` (with `forums/` and `pages/`).
//! `--misses` lists every field not correct at DEFAULT thresholds;
//! `--floors` prints the guard's table of measured figures as Rust.
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.iter().find(|a| !a.starts_with("--")) {
        Some(d) => PathBuf::from(d),
        None => match escucha_corpus::corpus_dir() {
            Some(d) => d,
            None => std::process::exit(2),
        },
    };
    let started = std::time::Instant::now();
    let bench = match escucha_corpus::fidelity::run_all(&dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot read the corpus at {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    bench.print();
    println!("({elapsed:.1} s)");
    if args.iter().any(|a| a == "--floors") {
        print!("{}", bench.floors_source());
    }
    if args.iter().any(|a| a == "--misses") {
        for m in &bench.forums.misses {
            println!("MISS\t{m}");
        }
    }
}
