#!/usr/bin/env bash
# Set up, build, and run Escucha: the team-log server on 127.0.0.1 and, where a
# display exists, Chromium with the extension loaded on a demo forum page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
source scripts/env.sh

ADDR=${ESCUCHA_ADDR:-127.0.0.1:8787}
URL="http://$ADDR"
# Chromium names an unpacked extension after its folder: the first 32 hex digits
# of SHA-256(absolute path), written with a-p. That is the origin the
# extension's sync calls come from, so it is the one CORS lets in. More origins
# (a Firefox moz-extension://<uuid>, a hosted dashboard) go in ESCUCHA_CORS_ORIGINS,
# comma-separated.
EXT_ID=$(printf '%s' "$ROOT/build/chrome" | sha256sum | head -c32 | tr '0-9a-f' 'a-p')
ORIGINS="chrome-extension://$EXT_ID${ESCUCHA_CORS_ORIGINS:+,$ESCUCHA_CORS_ORIGINS}"
TOKEN_FILE=data/demo-token.txt
target/release/escucha-server serve --addr "$ADDR" --db data/escucha.sqlite3 --www "${ESCUCHA_BUILD:-build}/www" --demo tests/fixtures \
  --demo-token "$TOKEN_FILE" --cors-origin "$ORIGINS" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT INT TERM
for _ in $(seq 50); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$URL/healthz" >/dev/null || { echo "The team-log server did not start; see the lines above."; exit 1; }

cat <<MSG

  Escucha is running.
    Team log (dashboard):  $URL/
    Demo forum page:       $URL/demo/forum.html
    Unpacked extension:    $ROOT/build/chrome (Chrome), $ROOT/build/firefox (Firefox)
    Store zips:            $ROOT/build/escucha-chrome.zip, $ROOT/build/escucha-firefox.zip

  Team sync (demo team "demo", member "demo"):
    Server URL:            $URL
    Token:                 in $ROOT/$TOKEN_FILE (paste it in the extension's options)
    Allowed origin:        chrome-extension://$EXT_ID
    Try it:                curl -H "Authorization: Bearer \$(cat $TOKEN_FILE)" $URL/api/v1/me
    Admin:                 target/release/escucha-server --db data/escucha.sqlite3 --help

  Load the extension by hand:
    Chrome/Chromium: open chrome://extensions, turn on Developer mode,
                     click "Load unpacked" and choose $ROOT/build/chrome
    Firefox (140+):  open about:debugging#/runtime/this-firefox, click
                     "Load Temporary Add-on…" and choose build/firefox/manifest.json
                     (its origin moz-extension://<UUID>, shown there, goes in ESCUCHA_CORS_ORIGINS)

MSG
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
  PROFILE=$(mktemp -d /tmp/escucha-profile.XXXXXX)
  echo "  Launching Chromium with the extension (profile $PROFILE)…"
  "$CHROMIUM" --user-data-dir="$PROFILE" --no-first-run --disable-sync \
    --disable-extensions-except="$ROOT/build/chrome" --load-extension="$ROOT/build/chrome" \
    "$URL/demo/forum.html" >/dev/null 2>&1 &
else
  echo "  No display here: open the URLs above in a browser with the extension loaded."
fi
echo "  Press Ctrl-C to stop."
wait $SERVER
