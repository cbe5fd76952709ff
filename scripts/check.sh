#!/usr/bin/env bash
# The fast checks (`make check`, and the first step of `make test`): formatting
# and clippy with warnings as errors, on every crate — the wasm ones included,
# in each of escucha-web's feature sets (full, content, and the benchmarks' bench).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
echo "[check] cargo fmt --check"
cargo fmt --all --check
echo "[check] clippy (native crates)"
cargo clippy --quiet --workspace --exclude escucha-web --exclude escucha-dashboard --exclude escucha-ui --all-targets -- -D warnings
echo "[check] clippy (wasm: escucha-web full and content, escucha-dashboard)"
"${WASM_CARGO[@]}" clippy --quiet -p escucha-ui -p escucha-web -p escucha-dashboard --all-targets "${WASM_FLAGS[@]}" -- -D warnings
"${WASM_CARGO[@]}" clippy --quiet -p escucha-web --no-default-features --features content "${WASM_FLAGS[@]}" -- -D warnings
# The benchmarks' build (`bench` feature, see the Makefile) is linted too.
"${WASM_CARGO[@]}" clippy --quiet -p escucha-web --features bench "${WASM_FLAGS[@]}" -- -D warnings
echo "[check] fmt and clippy clean"
