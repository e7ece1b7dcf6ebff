#!/usr/bin/env bash
# Loopback benchmark of `ferry serve` beside nginx serving the same blob files, in one run:
# downloads of one bundle (ferry vs nginx) and resolve requests (ferry), each bounded by wrk's -d.
# Usage: benchmarks/sync/run.sh [path/to/ferry] [seconds per run] [bundle MiB]
set -euo pipefail
FERRY=${1:-.build/release/ferry}
SECONDS_PER_RUN=${2:-10}
MIB=${3:-4}
FERRY=$(readlink -f "$FERRY")
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not found (apt-get install nginx-light)"; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/ferry-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as www-data
FERRY_PORT=${FERRY_PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
cleanup() {
  [ -n "${FERRY_PID:-}" ] && kill "$FERRY_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$WORK"
"$FERRY" keygen --out pub.key >/dev/null
# A model-sized payload of incompressible bytes (weights barely compress).
head -c $((MIB * 1048576)) /dev/urandom > model.bin
"$FERRY" bundle model.bin --name bench --version 1.0.0 --runtime onnx --platform linux --key pub.key --out bench.ferry --level 3 >/dev/null
"$FERRY" serve --data data --port "$FERRY_PORT" --trusted-key pub.key.pub --log-level warning 2>serve.log &
FERRY_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$FERRY_PORT/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$("$FERRY" token create --data data --model bench)
"$FERRY" publish bench.ferry --server "http://127.0.0.1:$FERRY_PORT" --token "$TOKEN" >/dev/null
SHA=$(sha256sum bench.ferry | cut -d' ' -f1)

# nginx serves the very same content-addressed folder, as a CDN or static server would.
cat > nginx.conf <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /v1/blobs/ {
      alias $WORK/data/blobs/sha256/${SHA:0:2}/;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
  }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
sleep 0.5

run() { # name url [script]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" -s "$3" "$2"); else out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" "$2"); fi
  local rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local tr=$(echo "$out" | awk '/Transfer\/sec/ {print $2}')
  local errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf "%-22s %12s req/s %12s/s%s\n" "$1" "$rps" "$tr" "${errors:+  non-2xx: $errors}"
  echo "$rps" > "$WORK/$1.rps"
}
echo "ferry-bench: $(nproc) cores, bundle $(stat -c %s bench.ferry) bytes, wrk -t2 -c32 -d${SECONDS_PER_RUN}s, loopback"
run download-nginx "http://127.0.0.1:$NGINX_PORT/v1/blobs/$SHA"
run download-ferry "http://127.0.0.1:$FERRY_PORT/v1/blobs/$SHA"
run resolve-ferry "http://127.0.0.1:$FERRY_PORT/v1/resolve" "$HERE/resolve.lua"
awk -v f="$(cat download-ferry.rps)" -v n="$(cat download-nginx.rps)" 'BEGIN { printf "downloads: ferry/nginx = %.2f\n", f / n }'
