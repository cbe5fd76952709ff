#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks: Debian's
# postgresql (installed by scripts/setup.sh), initdb in a temp dir, a free
# loopback port, trust auth on 127.0.0.1 only.
#   bash scripts/pg.sh start   # prints the admin URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   bash scripts/pg.sh url     # the running cluster's URL
#   bash scripts/pg.sh stop    # stops it and removes its directory
# State lives in $ESCUCHA_PG_STATE (default target/pg-cluster.env), so one
# work tree has at most one cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${ESCUCHA_PG_STATE:-$PWD/target/pg-cluster.env}
BIN=${ESCUCHA_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

die() { echo "pg.sh: $*" >&2; exit 1; }
# initdb refuses to run as root: as root, run the cluster as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$STATE" ] && . "$STATE" && as_owner "$BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    [ -x "$BIN/initdb" ] || die "no PostgreSQL binaries (looked in /usr/lib/postgresql/*/bin); run scripts/setup.sh."
    if running; then echo "$URL"; exit 0; fi
    PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/escucha-pg.XXXXXX")
    chmod 755 "$PGDIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 \
      || { cat "$PGDIR/initdb.log" >&2; die "initdb failed"; }
    # Durable like production (fsync, synchronous_commit on); enough
    # connections for parallel tests, each with its own pool.
    as_owner "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
      -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=128MB" start >/dev/null \
      || { cat "$PGDIR/server.log" >&2; die "the cluster did not start"; }
    URL="postgres://postgres@127.0.0.1:$PORT/postgres"
    mkdir -p "$(dirname "$STATE")"
    printf 'PGDIR=%q\nPORT=%q\nURL=%q\n' "$PGDIR" "$PORT" "$URL" >"$STATE"
    echo "$URL"
    ;;
  url)
    running || die "no cluster running; start one with: bash scripts/pg.sh start"
    echo "$URL"
    ;;
  stop)
    if [ -f "$STATE" ]; then
      . "$STATE"
      as_owner "$BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$PGDIR" "$STATE"
    fi
    ;;
  *) die "usage: scripts/pg.sh start|url|stop" ;;
esac
