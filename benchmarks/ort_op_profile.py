#!/usr/bin/env python3
"""Where onnxruntime spends its time on a model, per op type, to set beside Ferry's profile.

  build/bench-venv/bin/python benchmarks/ort_op_profile.py build/bench/mobilenet_v2.onnx [--threads 1]

Uses onnxruntime's own profiler (SessionOptions.enable_profiling) over --runs runs after a
warm-up, and prints, per op type of the *optimized* graph, the total and per-run kernel time
and node count. onnxruntime fuses ops at load (Conv+Clip becomes FusedConv, Conv+Add+Relu
too), so its op types are those a Ferry fusion pass would have to match.
`--no-optimize` profiles the graph as written (ORT_DISABLE_ALL) instead.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile

import numpy as np
import onnxruntime as ort


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-optimize", action="store_true", help="profile with graph optimizations off")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        if args.no_optimize:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        inputs = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"]).get_inputs()
        rng = np.random.default_rng(0)
        feeds = {}
        for tensor in inputs:
            shape = [d if isinstance(d, int) else 1 for d in tensor.shape]
            feeds[tensor.name] = (rng.integers(0, 10, size=shape).astype(np.int64) if "int" in tensor.type
                                  else rng.standard_normal(shape).astype(np.float32))
        # ORT profiles a whole session, so time warm-up + runs and keep only the runs' window.
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(tmp, "ort")
        timed = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        for _ in range(args.warmup + args.runs):
            timed.run(None, feeds)
        with open(timed.end_profiling()) as f:
            events = json.load(f)

    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    kept = runs[args.warmup:]
    if not kept:
        raise SystemExit("no model_run events in onnxruntime's profile")
    window = (kept[0]["ts"], kept[-1]["ts"] + kept[-1]["dur"])
    per_type = collections.defaultdict(lambda: [0.0, set()])
    for event in events:
        if event.get("cat") != "Node" or not event.get("name", "").endswith("_kernel_time"):
            continue
        if not window[0] <= event["ts"] <= window[1]:
            continue
        op = event.get("args", {}).get("op_name", "?")
        per_type[op][0] += event["dur"]
        per_type[op][1].add(event["name"])
    total_run_us = sum(r["dur"] for r in kept)
    kernel_us = sum(v[0] for v in per_type.values())
    print(f"{os.path.basename(args.model)}: onnxruntime {ort.__version__}, {args.threads} thread(s), "
          f"{len(kept)} runs, {total_run_us / len(kept) / 1000:.2f} ms per run "
          f"({'graph as written' if args.no_optimize else 'optimized graph'})")
    print(f"{'op type':<24}{'nodes':>6}{'ms/run':>10}{'share':>8}")
    for op, (us, nodes) in sorted(per_type.items(), key=lambda kv: -kv[1][0]):
        print(f"{op:<24}{len(nodes):>6}{us / len(kept) / 1000:>10.3f}{100 * us / kernel_us:>7.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
