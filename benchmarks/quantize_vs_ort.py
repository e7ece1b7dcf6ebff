"""`ferry convert --quantize int8` beside onnxruntime's `quantize_static` (QDQ, per-channel int8
weights, int8 activations, MinMax calibration), in one run:

* speed and peak memory of the conversion itself, on full-size MobileNetV2 (224×224) with 32
  calibration samples: each tool runs in its own process, timed wall-clock, peak RSS from the
  kernel (ru_maxrss of the child);
* drift against the float model on every committed fixture that has labelled evaluation data:
  worst-sample cosine of the scores and top-1 agreement, both measured by running each
  quantized model in onnxruntime (node by node, and with its fused integer kernels).

Usage: python benchmarks/quantize_vs_ort.py --ferry .build/release/ferry [--model build/bench/mobilenet_v2.onnx] [--repeat 5]
Prints a Markdown table and writes build/bench/quantize.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _measure import calibration_arrays, input_shapes, measure_one  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

ORT_SCRIPT = r"""
import sys, numpy as np, onnxruntime as ort
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType, CalibrationMethod
src, dst, data, reduce_range = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
arrays = np.load(data)
names = [i.name for i in ort.InferenceSession(src, providers=["CPUExecutionProvider"]).get_inputs()]
count = arrays[names[0]].shape[0]
class Reader(CalibrationDataReader):
    def __init__(self): self.i = 0
    def get_next(self):
        if self.i >= count: return None
        feed = {n: arrays[n][self.i:self.i + 1] for n in names}
        self.i += 1
        return feed
quantize_static(src, dst, Reader(), quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QInt8,
                weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax, reduce_range=reduce_range)
"""


def calibration_file(model, count, folder):
    path = pathlib.Path(folder) / "calibration.npz"
    np.savez(path, **calibration_arrays(input_shapes(model), count))
    return path


def drift(fixture, quantized, optimized):
    options = ort.SessionOptions()
    if not optimized:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    source = ort.InferenceSession(str(FIXTURES / fixture / "model.onnx"), providers=["CPUExecutionProvider"])
    candidate = ort.InferenceSession(str(quantized), options, providers=["CPUExecutionProvider"])
    data = np.load(FIXTURES / fixture / "eval.npz")
    names = [i.name for i in source.get_inputs()]
    worst, agree, total = 1.0, 0, 0
    for k in range(min(200, data[names[0]].shape[0])):
        feed = {n: data[n][k:k + 1] for n in names}
        a = next(o for o in source.run(None, feed) if o.dtype == np.float32).ravel().astype(np.float64)
        b = next(o for o in candidate.run(None, feed) if o.dtype == np.float32).ravel().astype(np.float64)
        worst = min(worst, float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30)))
        agree += int(a.argmax() == b.argmax())
        total += 1
    return worst, agree / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferry", required=True)
    parser.add_argument("--model", default=str(ROOT / "build" / "bench" / "mobilenet_v2.onnx"))
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tool, alternating (medians reported)")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    args = parser.parse_args()
    ferry = str(pathlib.Path(args.ferry).resolve())
    rows, results = [], {"speed": [], "drift": []}
    with tempfile.TemporaryDirectory() as tmp:
        model = pathlib.Path(args.model)
        if model.exists():
            data = calibration_file(model, args.samples, tmp)
            ort_cmd = [sys.executable, "-c", ORT_SCRIPT, str(model), f"{tmp}/ort.onnx", str(data), "0"]
            # Same work as quantize_static: calibrate and write; --max-drift none skips the
            # mixed-precision search, and Ferry still verifies the result on the same samples.
            ferry_cmd = [ferry, "convert", str(model), "--out", f"{tmp}/ferry", "--quantize", "int8",
                         "--calibration", str(data), "--max-drift", "none", "--threads", "2"]
            # What `ferry convert --quantize int8` does without --max-drift: the default budget,
            # so the mixed-precision search too (quantize_static has none), when int8 misses it.
            default_cmd = [ferry, "convert", str(model), "--out", f"{tmp}/ferry-default", "--quantize", "int8",
                           "--calibration", str(data), "--threads", "2"]
            # The tools alternate, --repeat times each, so that a machine whose speed drifts
            # (shared hosts do) slows them alike; the medians and each run's ratio are reported.
            runs = []
            for _ in range(args.repeat):
                t_ort, m_ort = measure_one(ort_cmd)
                t_ferry, m_ferry = measure_one(ferry_cmd)
                t_default, m_default = measure_one(default_cmd)
                runs.append({"ferry_s": round(t_ferry, 3), "ferry_peak_mb": round(m_ferry, 1),
                             "ort_s": round(t_ort, 3), "ort_peak_mb": round(m_ort, 1),
                             "ferry_default_s": round(t_default, 3), "ferry_default_peak_mb": round(m_default, 1)})
            median = lambda key: statistics.median(run[key] for run in runs)
            t_ferry, m_ferry, t_ort, m_ort = median("ferry_s"), median("ferry_peak_mb"), median("ort_s"), median("ort_peak_mb")
            ratios = sorted(run["ferry_s"] / run["ort_s"] for run in runs)
            results["speed"] = {"model": model.name, "samples": args.samples, "repeat": args.repeat, "ferry_s": round(t_ferry, 2),
                                "ferry_peak_mb": round(m_ferry, 1), "ort_s": round(t_ort, 2), "ort_peak_mb": round(m_ort, 1),
                                "time_ratios": [round(r, 3) for r in ratios], "runs": runs}
            spread = f" (runs: {ratios[0]:.2f}–{ratios[-1]:.2f}×)" if len(runs) > 1 else ""
            rows.append(f"| {model.name}, int8, {args.samples} samples, median of {args.repeat} | {t_ferry:.2f} s, {m_ferry:.0f} MB | "
                        f"{t_ort:.2f} s, {m_ort:.0f} MB | time {t_ferry / t_ort:.2f}×{spread}, peak memory {m_ferry / m_ort:.2f}× |")
            t_default, m_default = median("ferry_default_s"), median("ferry_default_peak_mb")
            default_ratios = sorted(run["ferry_default_s"] / run["ort_s"] for run in runs)
            results["speed"].update({"ferry_default_s": round(t_default, 2), "ferry_default_peak_mb": round(m_default, 1),
                                     "default_time_ratios": [round(r, 3) for r in default_ratios]})
            spread = f" (runs: {default_ratios[0]:.2f}–{default_ratios[-1]:.2f}×)" if len(runs) > 1 else ""
            rows.append(f"| same with Ferry's default drift budget (no `--max-drift`: mixed-precision search when int8 misses it) | "
                        f"{t_default:.2f} s, {m_default:.0f} MB | {t_ort:.2f} s, {m_ort:.0f} MB | "
                        f"time {t_default / t_ort:.2f}×{spread}, peak memory {m_default / m_ort:.2f}× |")
            # The same conversion again with --timings: the part of Ferry's run that does
            # quantize_static's work (everything but the verification stage), for a like-for-like row.
            started = time.perf_counter()
            timed = subprocess.run(ferry_cmd + ["--timings"], capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            stages = {line.rsplit(None, 2)[0].strip(): float(line.rsplit(None, 2)[1])
                      for line in timed.stderr.splitlines() if line.rstrip().endswith(" s") and len(line.rsplit(None, 2)) == 3}
            without_verify = wall - stages.get("verify", 0.0)
            results["speed"]["ferry_without_verify_s"] = round(without_verify, 2)
            results["speed"]["ferry_stages"] = stages
            rows.append(f"| same, Ferry without its verification stage (read, calibrate, quantize, write; `--timings`) | "
                        f"{without_verify:.2f} s | {t_ort:.2f} s | time {without_verify / t_ort:.2f}× |")
        drift_rows = []
        for fixture in ["digits_cnn", "sklearn_mlp", "lstm", "transformer_encoder", "keras_digits"]:
            folder = FIXTURES / fixture
            if not (folder / "eval.npz").exists():
                continue
            cal = folder / "calibration.npz"
            ort_out = pathlib.Path(tmp) / f"{fixture}-ort.onnx"
            subprocess.run([sys.executable, "-c", ORT_SCRIPT, str(folder / "model.onnx"), str(ort_out), str(cal), "0"],
                           check=True, capture_output=True)
            ferry_out = pathlib.Path(tmp) / f"{fixture}-ferry"
            result = subprocess.run([ferry, "convert", str(folder / "model.onnx"), "--out", str(ferry_out), "--quantize", "int8",
                                     "--calibration", str(cal), "--threads", "2"], capture_output=True, text=True)
            if result.returncode not in (0, 1):
                drift_rows.append(f"| {fixture} | ferry failed: {result.stderr.strip()[:120]} | | |")
                continue
            entry = {"fixture": fixture}
            for name, path in [("ferry", ferry_out / "model.onnx"), ("ort", ort_out)]:
                entry[name] = {"plain": drift(fixture, path, False), "fused": drift(fixture, path, True)}
            results["drift"].append(entry)
            f, o = entry["ferry"], entry["ort"]
            drift_rows.append(f"| {fixture} | {f['plain'][0]:.4f} / {f['plain'][1]:.3f} ({f['fused'][0]:.4f} / {f['fused'][1]:.3f}) | "
                              f"{o['plain'][0]:.4f} / {o['plain'][1]:.3f} ({o['fused'][0]:.4f} / {o['fused'][1]:.3f}) |")
    text = ["| Conversion | ferry convert (calibrate, quantize, verify) | onnxruntime quantize_static (calibrate, quantize) | ferry / ORT |", "|---|---|---|---|", *rows, "",
            "Drift against the float model on the fixtures' evaluation data, run in onnxruntime: worst-sample cosine / top-1 agreement, node by node (and with onnxruntime's fused integer kernels).", "",
            "| Fixture | ferry int8 (default budget) | onnxruntime quantize_static |", "|---|---|---|", *drift_rows]
    print("\n".join(text))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "quantize.md").write_text("\n".join(text) + "\n")
    (out / "quantize.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
