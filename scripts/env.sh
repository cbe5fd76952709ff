# Sourced by the other scripts: puts the project's own tools first and says
# how to build for wasm32 (rustup's target, or Debian's rustc-web fallback).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/.tools/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
WASM_MODE=$(cat "$ROOT/.tools/wasm-mode" 2>/dev/null || echo rustup)
if [ "$WASM_MODE" = debian ]; then
  # Debian's rustc-web ships no prebuilt std for wasm32: build it from rust-web-src.
  WASM_CARGO=(env RUSTC_BOOTSTRAP=1 /usr/bin/cargo)
  WASM_FLAGS=(-Zbuild-std=std,panic_abort --target wasm32-unknown-unknown)
else
  WASM_CARGO=(cargo)
  WASM_FLAGS=(--target wasm32-unknown-unknown)
fi
