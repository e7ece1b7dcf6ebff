#!/usr/bin/env bash
# `make bench`: Ferry beside onnxruntime on full-size MobileNetV2 (224×224, the target) and
# MobileNetV3-Small, 1 and 2 threads, in one run. Usage: benchmarks/run.sh FERRY_BIN
#
# Makes build/bench-venv (torch, torchvision, onnx, onnxruntime; outside git) if missing,
# exports seeded full-size models to build/bench/ with converters/pytorch_to_onnx.py (kept
# between runs; BENCH_REEXPORT=1 redoes them), then runs benchmarks/bench_vs_ort.py, which
# prints a Markdown table and writes build/bench/results.{json,md}.
# Knobs: BENCH_RUNS (50), BENCH_WARMUP (5), BENCH_THREADS (1,2), BENCH_MODELS (names, see below),
# BENCH_VENV, PYTHON (interpreter to make the venv with).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FERRY="${1:-}"
if [[ -n "$FERRY" && "$FERRY" != /* ]]; then FERRY="$PWD/$FERRY"; fi
cd "$ROOT"

VENV="${BENCH_VENV:-build/bench-venv}"
OUT=build/bench
PY="$VENV/bin/python"
mkdir -p "$OUT"

if [[ ! -f "$VENV/.stamp" || benchmarks/requirements.txt -nt "$VENV/.stamp" ]]; then
  echo "bench: making $VENV (torch, torchvision, onnxruntime; first time takes a few minutes)"
  [[ -x "$PY" ]] || "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r benchmarks/requirements.txt
  touch "$VENV/.stamp"
fi

# name | converter arguments (seeded weights; BatchNorm statistics from random batches)
export_model() {
  local name="$1"; shift
  local file="$OUT/$name.onnx"
  if [[ -f "$file" && -z "${BENCH_REEXPORT:-}" ]]; then return; fi
  echo "bench: exporting $file"
  "$PY" converters/pytorch_to_onnx.py "$@" --bn-warmup 2 --randomize-affine --seed 0 -o "$file" >/dev/null
}

MODELS=()
for name in ${BENCH_MODELS:-mobilenet_v2 mobilenet_v3_small}; do
  case "$name" in
    mobilenet_v2) export_model mobilenet_v2 torchvision:mobilenet_v2 --input-shape 1,3,224,224 ;;
    mobilenet_v3_small) export_model mobilenet_v3_small torchvision:mobilenet_v3_small --input-shape 1,3,224,224 ;;
    *) echo "bench: unknown model $name (mobilenet_v2, mobilenet_v3_small)" >&2; exit 2 ;;
  esac
  MODELS+=("$OUT/$name.onnx")
done

if [[ -z "$FERRY" ]]; then
  echo "bench: no ferry binary given, measuring onnxruntime only" >&2
elif [[ ! -x "$FERRY" ]]; then
  echo "bench: $FERRY is not executable, measuring onnxruntime only" >&2
  FERRY=""
fi

exec "$PY" benchmarks/bench_vs_ort.py --ferry "$FERRY" --out "$OUT" \
  --threads "${BENCH_THREADS:-1,2}" --runs "${BENCH_RUNS:-50}" --warmup "${BENCH_WARMUP:-5}" "${MODELS[@]}"
