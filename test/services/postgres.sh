#!/usr/bin/env bash
# Real PostgreSQL 15 (Debian's build) for the tests: loopback only, port 55432, trust auth.
# Root cannot run postgres, so every server command runs as the `postgres` OS user.
# Debian's binaries live in /usr/lib/postgresql/15/bin; /usr/local/bin/pg_ctl is another build,
# so the path is always spelled out.
set -euo pipefail

PORT=55432
BASE=/tmp/gx-test
DATA=$BASE/pg
SOCK=$BASE/pg-sock
LOG=$BASE/pg.log
BIN=/usr/lib/postgresql/15/bin
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

ensure_installed() {
  if [ ! -x "$BIN/postgres" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 >&2 ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  fi
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
}

running() {
  [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  ensure_installed
  mkdir -p "$BASE"
  chmod 755 "$BASE"
  mkdir -p "$DATA" "$SOCK"
  chown postgres:postgres "$DATA" "$SOCK"
  chmod 700 "$DATA"
  touch "$LOG" && chown postgres:postgres "$LOG"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
  fi
  if ! running; then
    # fsync off: throwaway test data, and it keeps the suite fast on a small machine
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
  fi
  for _ in $(seq 1 50); do
    if as_pg "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
      echo "GX_TEST_PG_URL=$URL"
      return 0
    fi
    sleep 0.2
  done
  echo "postgres did not become ready; see $LOG" >&2
  return 1
}

stop() {
  if running; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
