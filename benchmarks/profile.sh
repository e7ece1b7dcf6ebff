#!/usr/bin/env bash
# Where does `ferry bench` spend its time? Samples it with perf and prints the hottest
# functions, inclusive and self, with Swift names demangled.
#   benchmarks/profile.sh FERRY_BIN [MODEL] [THREADS]     (MODEL default build/bench/mobilenet_v2.onnx)
# Needs `perf` (Debian: apt-get install linux-perf); uses swift-demangle from the toolchain if found.
set -euo pipefail
FERRY="${1:?usage: benchmarks/profile.sh FERRY_BIN [MODEL] [THREADS]}"
MODEL="${2:-build/bench/mobilenet_v2.onnx}"
THREADS="${3:-1}"
command -v perf >/dev/null || { echo "perf not found: apt-get install linux-perf" >&2; exit 1; }
DEMANGLE=cat
if command -v swift-demangle >/dev/null; then DEMANGLE="swift-demangle --simplified"
elif [[ -x /opt/swift/usr/bin/swift-demangle ]]; then DEMANGLE="/opt/swift/usr/bin/swift-demangle --simplified"; fi
OUT=build/bench/profile
mkdir -p "$OUT"
perf record -q -F 999 -g -o "$OUT/perf.data" "$FERRY" bench "$MODEL" --threads "$THREADS" --runs 20 --warmup 2
for mode in children no-children; do
  echo "== $( [[ $mode == children ]] && echo 'inclusive (with callees)' || echo 'self' ): top 25"
  perf report -i "$OUT/perf.data" --$mode --sort symbol --stdio -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -25 | $DEMANGLE | cut -c1-160
done
