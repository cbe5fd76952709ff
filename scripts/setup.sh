#!/usr/bin/env bash
# Idempotent set-up of every tool Escucha's build and tests need, on Debian 12.
# A second run checks what is present and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS"

say()  { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die()  { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

need_cmd() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif need_cmd sudo; then sudo "$@"
  else die "Installing Debian packages needs root: re-run as root or install sudo."
  fi
}

APT_UPDATED=0
apt_install() {
  need_cmd apt-get || die "apt-get not found: this set-up targets Debian 12; install these by hand: $*"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed: check network access to Debian's mirrors."
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get could not install $*: run 'apt-get install $*' to see why."
}

# --- Rust --------------------------------------------------------------------
need_cmd cargo || die "cargo not found: install Rust with rustup (https://rustup.rs) and re-run."

# The wasm32 target: rustup first; Debian's rustc-web with build-std as the fallback.
WASM_MODE_FILE="$TOOLS/wasm-mode"
if [ -f "$WASM_MODE_FILE" ] && [ "$(cat "$WASM_MODE_FILE")" = debian ] && [ -x /usr/bin/cargo ]; then
  :
elif need_cmd rustup && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo rustup >"$WASM_MODE_FILE"
elif need_cmd rustup && rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  say "installed the wasm32-unknown-unknown target with rustup"
  echo rustup >"$WASM_MODE_FILE"
else
  say "rustup could not add wasm32-unknown-unknown; falling back to Debian's rustc-web"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm
  echo debian >"$WASM_MODE_FILE"
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate: the one pin is in Cargo.toml,
# Cargo.lock carries the resolved version, and we read it from there.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock 2>/dev/null || true)
[ -n "$WB_VERSION" ] || WB_VERSION=$(grep -E '^wasm-bindgen *= *"=' Cargo.toml | sed -E 's/.*"=([^"]+)".*/\1/')
[ -n "$WB_VERSION" ] || die "could not read the wasm-bindgen version from Cargo.lock or Cargo.toml."
if [ -x "$TOOLS/bin/wasm-bindgen" ] && [ "$("$TOOLS/bin/wasm-bindgen" --version | awk '{print $2}')" = "$WB_VERSION" ] \
   && [ -x "$TOOLS/bin/wasm-bindgen-test-runner" ]; then
  :
else
  say "cargo install wasm-bindgen-cli $WB_VERSION (about 2 minutes, once)"
  cargo install --quiet --root "$TOOLS" wasm-bindgen-cli --version "$WB_VERSION" \
    || die "cargo install wasm-bindgen-cli $WB_VERSION failed: check access to crates.io."
fi

# --- Browser -----------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
need_cmd python3 || missing+=(python3)
need_cmd curl || missing+=(curl)
need_cmd gzip || missing+=(gzip)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# --- PostgreSQL: the server's second engine (tests start a throw-away cluster, scripts/pg.sh)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_install postgresql postgresql-contrib; fi
# --- Firefox (tier 4) ---------------------------------------------------------
# Debian's firefox-esr: 153 esr comes from the security suite (bookworm itself
# has 140, the oldest version the Firefox package admits). geckodriver from
# crates.io, built into .tools/ like wasm-bindgen-cli; its version is pinned
# here and nowhere else.
GECKODRIVER_VERSION=0.37.1
if [ ! -x /usr/bin/firefox-esr ]; then
  if [ "$( (. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}") )" = bookworm ] \
     && ! grep -rqsE '(^|[[:space:]])bookworm-security([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "adding the bookworm-security suite to apt's sources (firefox-esr updates come from it)"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | as_root tee /etc/apt/sources.list.d/escucha-debian-security.sources >/dev/null
    APT_UPDATED=0 # the new suite's lists are needed now
  fi
  apt_install firefox-esr
fi
# Read whole, not piped into head: under pipefail a closed pipe would fail the check.
GD_SAYS=$([ -x "$TOOLS/bin/geckodriver" ] && "$TOOLS/bin/geckodriver" --version 2>/dev/null || true)
GD_SAYS=${GD_SAYS%%$'\n'*} # its first line: "geckodriver X.Y.Z", maybe followed by " (build)"
if [ "$GD_SAYS" = "geckodriver $GECKODRIVER_VERSION" ] || [[ "$GD_SAYS" == "geckodriver $GECKODRIVER_VERSION "* ]]; then
  :
else
  say "cargo install geckodriver $GECKODRIVER_VERSION (about 10 minutes on 2 cores, once)"
  # Built into a scratch root and moved in whole: an interrupted build never looks installed.
  GD_ROOT=$(mktemp -d)
  cargo install --quiet --locked --root "$GD_ROOT" geckodriver --version "$GECKODRIVER_VERSION" \
    || die "cargo install geckodriver $GECKODRIVER_VERSION failed: check access to crates.io."
  mkdir -p "$TOOLS/bin" && cp "$GD_ROOT/bin/geckodriver" "$TOOLS/bin/geckodriver.part" && mv "$TOOLS/bin/geckodriver.part" "$TOOLS/bin/geckodriver"
  rm -rf "$GD_ROOT"
fi

# --- npm test dependencies, from the committed lockfile ------------------------
need_cmd npm || apt_install nodejs npm
LOCK=tests/package-lock.json
STAMP=tests/node_modules/.escucha-lock-stamp
if [ ! -f "$STAMP" ] || ! cmp -s "$LOCK" "$STAMP"; then
  say "npm ci (tests/)"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in tests/ failed: check access to the npm registry."
  cp "$LOCK" "$STAMP"
fi

# The dashboard's runtime dependency (Chart.js), from www/'s committed lockfile.
LOCK=www/package-lock.json
STAMP=www/node_modules/.escucha-lock-stamp
if [ ! -f "$STAMP" ] || ! cmp -s "$LOCK" "$STAMP"; then
  say "npm ci (www/)"
  (cd www && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in www/ failed: check access to the npm registry."
  cp "$LOCK" "$STAMP"
fi

say "tools ready (wasm: $(cat "$WASM_MODE_FILE"), wasm-bindgen $WB_VERSION, $(/usr/bin/chromium --version 2>/dev/null | head -1), $(/usr/bin/firefox-esr --version 2>/dev/null | head -1), geckodriver $GECKODRIVER_VERSION)"
