#!/usr/bin/env bash
# Delta size for a fine-tuned model against its full bundle, through the real service:
# bundle MODEL as 1.0.0 and a copy with its last N weighted layers changed as 1.1.0, publish
# both, and report the bundle and the delta the service made (zstd patch-from).
# Usage: benchmarks/sync/delta.sh FERRY MODEL.onnx [LAST_N_LAYERS] [PYTHON with onnx+numpy]
set -euo pipefail
FERRY=$(readlink -f "$1"); MODEL=$(readlink -f "$2"); LAST=${3:-1}; PY=${4:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/ferry-delta.XXXXXX)
PORT=${FERRY_PORT:-18092}
trap '[ -n "${PID:-}" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
"$PY" "$HERE/finetune.py" "$MODEL" tuned.onnx "$LAST"
cp "$MODEL" model.onnx
"$FERRY" keygen --out k >/dev/null
"$FERRY" bundle model.onnx --name m --version 1.0.0 --runtime onnx --platform any --key k --out v1.ferry >/dev/null
cp tuned.onnx model.onnx
"$FERRY" bundle model.onnx --name m --version 1.1.0 --runtime onnx --platform any --key k --out v2.ferry >/dev/null
"$FERRY" serve --data data --port "$PORT" --trusted-key k.pub --log-level warning 2>/dev/null &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
T=$("$FERRY" token create --data data --model m)
"$FERRY" publish v1.ferry --server "http://127.0.0.1:$PORT" --token "$T" >/dev/null
OUT=$("$FERRY" publish v2.ferry --server "http://127.0.0.1:$PORT" --token "$T")
DELTA=$(echo "$OUT" | awk '/delta from 1.0.0/ {print $4}')
FULL=$(stat -c %s v2.ferry)
echo "model $(basename "$MODEL") $(stat -c %s "$MODEL") bytes; last $LAST layer(s) fine-tuned"
echo "full bundle $FULL bytes, delta ${DELTA:-none} bytes ($(awk -v d="${DELTA:-0}" -v f="$FULL" 'BEGIN {printf "%.1f%%", 100 * d / f}') of the bundle)"
