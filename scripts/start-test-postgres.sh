#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the distribution tests on 127.0.0.1 only (idempotent).
# The cluster lives in build/test-postgres (initdb, trust auth on loopback, user "ferry",
# database "ferry_test"); run as root it runs as the "postgres" user the Debian package makes.
set -euo pipefail
PORT=${FERRY_TEST_PG_PORT:-55432}
DIR=${FERRY_TEST_PG_DIR:-$(pwd)/build/test-postgres}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "start-test-postgres: PostgreSQL server not installed (apt-get install postgresql)"; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$(dirname "$DIR")"
  # The server runs as "postgres": if it cannot reach the clone (a private home), use /tmp.
  (cd / && runuser -u postgres -- test -x "$(dirname "$DIR")") || DIR=/tmp/ferry-test-postgres
fi

if "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
  echo "start-test-postgres: already running on 127.0.0.1:$PORT"
else
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR" && chmod 700 "$DIR"
  if [ ! -f "$DIR/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$DIR" -U ferry -A trust --no-sync >/dev/null
  fi
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" >/dev/null
  echo "start-test-postgres: started on 127.0.0.1:$PORT (data $DIR)"
fi
if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U ferry -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferry_test'" | grep -q 1; then
  "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U ferry ferry_test
fi
