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
target/release/escucha-server serve --addr "$ADDR" --db data/escucha.sqlite3 --www "${ESCUCHA_BUILD:-build}/www" --demo tests/fixtures &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT INT TERM
for _ in $(seq 50); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$URL/healthz" >/dev/null || { echo "The team-log server did not start; see the lines above."; exit 1; }

cat <<MSG

  Escucha is running.
    Team log (dashboard):  $URL/
    Demo forum page:       $URL/demo/forum.html
    Unpacked extension:    $ROOT/build/extension
    Store zip:             $ROOT/build/escucha-extension.zip

  Load the extension by hand:
    Chrome/Chromium: open chrome://extensions, turn on Developer mode,
                     click "Load unpacked" and choose $ROOT/build/extension
    Firefox (128+):  open about:debugging#/runtime/this-firefox, click
                     "Load Temporary Add-on…" and choose build/extension/manifest.json

MSG
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
  PROFILE=$(mktemp -d /tmp/escucha-profile.XXXXXX)
  echo "  Launching Chromium with the extension (profile $PROFILE)…"
  "$CHROMIUM" --user-data-dir="$PROFILE" --no-first-run --disable-sync \
    --disable-extensions-except="$ROOT/build/extension" --load-extension="$ROOT/build/extension" \
    "$URL/demo/forum.html" >/dev/null 2>&1 &
else
  echo "  No display here: open the URLs above in a browser with the extension loaded."
fi
echo "  Press Ctrl-C to stop."
wait $SERVER
