#!/usr/bin/env bash
# Build the extension (Rust → wasm + the extension/ sources) into build/extension,
# zip it for the stores, build the team-log dashboard into build/www, and build
# the team-log server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

BUILD=${ESCUCHA_BUILD:-build}   # overridable so parallel work does not clobber build/
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$BUILD/extension
echo "[build] wasm (escucha-web, release)"
"${WASM_CARGO[@]}" build --quiet --release -p escucha-web "${WASM_FLAGS[@]}"
rm -rf "$OUT" && mkdir -p "$OUT"
cp -R extension/. "$OUT/"
# One wasm module and one classic-script loader serve every context: the
# service worker (importScripts), content scripts (no modules there) and pages.
wasm-bindgen --target no-modules --no-typescript --remove-name-section --remove-producers-section --out-dir "$OUT/wasm" --out-name escucha_web \
  "$TARGET/wasm32-unknown-unknown/release/escucha_web.wasm"

python3 - "$OUT" "$BUILD/escucha-extension.zip" <<'PY'
import os, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in sorted(os.walk(src)):
        for f in sorted(files):
            p = os.path.join(base, f)
            z.write(p, os.path.relpath(p, src))
PY
raw=$(stat -c %s "$OUT/wasm/escucha_web_bg.wasm")
gz=$(gzip -9 -c "$OUT/wasm/escucha_web_bg.wasm" | wc -c)
echo "[build] extension: $OUT (wasm ${raw} bytes, ${gz} gzip), zip: $BUILD/escucha-extension.zip"

echo "[build] dashboard (escucha-dashboard, release)"
# The team-log dashboard: www/ sources, its own wasm module (an ES module
# loaded by www/main.js) and Chart.js from www/node_modules (setup.sh installs it).
WWW=$BUILD/www
"${WASM_CARGO[@]}" build --quiet --release -p escucha-dashboard "${WASM_FLAGS[@]}"
CHART_JS=www/node_modules/chart.js/dist/chart.umd.js
[ -f "$CHART_JS" ] || { echo "[build] $CHART_JS is missing: run scripts/setup.sh"; exit 1; }
rm -rf "$WWW" && mkdir -p "$WWW"
cp www/index.html www/main.js www/dashboard.css "$WWW/"
cp "$CHART_JS" "$WWW/chart.umd.js"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$WWW/wasm" --out-name escucha_dashboard \
  "$TARGET/wasm32-unknown-unknown/release/escucha_dashboard.wasm"
raw=$(stat -c %s "$WWW/wasm/escucha_dashboard_bg.wasm")
gz=$(gzip -9 -c "$WWW/wasm/escucha_dashboard_bg.wasm" | wc -c)
echo "[build] dashboard: $WWW (wasm ${raw} bytes, ${gz} gzip)"

echo "[build] team-log server (release)"
cargo build --quiet --release -p escucha-server
