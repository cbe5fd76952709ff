#!/usr/bin/env bash
# Build the extension (Rust → wasm + the extension/ sources) and package it twice
# from one source: build/chrome + build/escucha-chrome.zip and build/firefox +
# build/escucha-firefox.zip (the manifests differ only as
# extension/platform/manifest.browsers.json says); build the team-log dashboard
# into build/www, and build the team-log server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

BUILD=${ESCUCHA_BUILD:-build}   # overridable so parallel work does not clobber build/
# Extra escucha-web features: `bench` for the benchmarks' build (the Makefile's
# bench targets build it into build/bench); the shipped build has none.
FEATURES=${ESCUCHA_WEB_FEATURES:-}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$BUILD/staged   # the common tree; scripts/package_extension.py writes each browser's package from it
# escucha-web is built twice: `full` for the service worker and the extension
# pages, and `content` (its own cargo profile, hence its own output directory)
# for what every frame of every web page loads: the content script and the
# matcher frame. Classic no-modules loaders: the service worker uses
# importScripts and content scripts cannot be modules.
WASM_BINDGEN=(wasm-bindgen --target no-modules --no-typescript --remove-name-section --remove-producers-section --out-dir "$OUT/wasm")
echo "[build] wasm (escucha-web, release: full and content${FEATURES:+; features: $FEATURES})"
"${WASM_CARGO[@]}" build --quiet --release -p escucha-web ${FEATURES:+--features "$FEATURES"} "${WASM_FLAGS[@]}"
"${WASM_CARGO[@]}" build --quiet --profile release-content -p escucha-web --no-default-features --features "content${FEATURES:+,$FEATURES}" "${WASM_FLAGS[@]}"
rm -rf "$OUT" && mkdir -p "$OUT"
cp -R extension/. "$OUT/"
# A bench build's JavaScript names the benchmark requests too (generated, see
# src/core/src/protocol/generated.rs).
case ",$FEATURES," in *,bench,*) cp tests/bench/protocol.js "$OUT/platform/protocol.js" ;; esac
"${WASM_BINDGEN[@]}" --out-name escucha_web "$TARGET/wasm32-unknown-unknown/release/escucha_web.wasm"
"${WASM_BINDGEN[@]}" --out-name escucha_content "$TARGET/wasm32-unknown-unknown/release-content/escucha_web.wasm"

for browser in chrome firefox; do
  python3 scripts/package_extension.py "$browser" "$OUT" "$BUILD/$browser" "$BUILD/escucha-$browser.zip"
done
rm -rf "$OUT" "$BUILD/extension" "$BUILD/escucha-extension.zip" # the staged tree; names from before the two packages
sizes() { echo "$(stat -c %s "$1") bytes, $(gzip -9 -c "$1" | wc -c) gzip"; }
echo "[build] extension: $BUILD/chrome + $BUILD/escucha-chrome.zip, $BUILD/firefox + $BUILD/escucha-firefox.zip"
echo "[build]   wasm/escucha_web_bg.wasm (service worker, pages): $(sizes "$BUILD/chrome/wasm/escucha_web_bg.wasm")"
echo "[build]   wasm/escucha_content_bg.wasm (content scripts, matcher frame): $(sizes "$BUILD/chrome/wasm/escucha_content_bg.wasm")"

echo "[build] dashboard (escucha-dashboard, release)"
# The team-log dashboard: www/ sources, its own wasm module (an ES module
# loaded by www/main.js) and Chart.js from www/node_modules (setup.sh installs it).
WWW=$BUILD/www
"${WASM_CARGO[@]}" build --quiet --release -p escucha-dashboard "${WASM_FLAGS[@]}"
CHART_JS=www/node_modules/chart.js/dist/chart.umd.js
[ -f "$CHART_JS" ] || { echo "[build] $CHART_JS is missing: run scripts/setup.sh"; exit 1; }
rm -rf "$WWW" && mkdir -p "$WWW"
cp www/index.html www/main.js www/dashboard.css www/favicon.png "$WWW/"
cp "$CHART_JS" "$WWW/chart.umd.js"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$WWW/wasm" --out-name escucha_dashboard \
  "$TARGET/wasm32-unknown-unknown/release/escucha_dashboard.wasm"
raw=$(stat -c %s "$WWW/wasm/escucha_dashboard_bg.wasm")
gz=$(gzip -9 -c "$WWW/wasm/escucha_dashboard_bg.wasm" | wc -c)
echo "[build] dashboard: $WWW (wasm ${raw} bytes, ${gz} gzip)"

echo "[build] team-log server (release)"
cargo build --quiet --release -p escucha-server
