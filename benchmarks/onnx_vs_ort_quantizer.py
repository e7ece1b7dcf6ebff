"""`ferry convert --target onnx` beside onnxruntime's own quantization tools, mode by mode, in one
run, on every committed fixture and full-size MobileNetV2 (224×224):

* fp16: `ferry convert --quantize fp16` beside onnxruntime.transformers.float16
  (`convert_float_to_float16`, keep_io_types=True: float inputs and outputs, as Ferry keeps);
* dynamic: `--quantize dynamic` beside `quantize_dynamic` (per-channel int8 weights);
* int8: `--quantize int8 --max-drift none` beside `quantize_static` (QDQ, per-channel int8
  weights, int8 activations, MinMax calibration), both on the same calibration samples (the
  script and helpers of benchmarks/quantize_vs_ort.py).

For each: size of the written .onnx file; wall time and peak memory of the conversion process
(benchmarks/_measure.py: a fresh child, ru_maxrss); and the drift each output shows when
onnxruntime runs it against the float model (worst-sample cosine and top-1 agreement on the
fixture's evaluation data; seeded uniform inputs for MobileNetV2). Ferry's time includes its
verification of the result (it reads the file back and runs it beside the source); onnxruntime's
tools do not verify. The timed Ferry run writes the .onnx file only, as the tools do; the size of
Ferry's `.ort` file (`--ort`, a second run) is listed beside the .ort that onnxruntime writes for
the same ONNX file (optimizations off, so the same graph).

Usage: python benchmarks/onnx_vs_ort_quantizer.py --ferry .build/release/ferry [--model build/bench/mobilenet_v2.onnx]
Prints a Markdown table and writes build/bench/onnx_target.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _measure import calibration_arrays, input_shapes, measure_one  # noqa: E402
from quantize_vs_ort import ORT_SCRIPT as ORT_STATIC  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MODES = ["fp16", "dynamic", "int8"]

ORT_DYNAMIC = r"""
import sys
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic(sys.argv[1], sys.argv[2], per_channel=True, weight_type=QuantType.QInt8)
"""

ORT_FP16 = r"""
import sys, onnx
from onnxruntime.transformers.float16 import convert_float_to_float16
model = convert_float_to_float16(onnx.load(sys.argv[1]), keep_io_types=True)
onnx.save(model, sys.argv[2])
"""


def ort_command(mode, source, target, calibration):
    if mode == "int8":
        return [sys.executable, "-c", ORT_STATIC, str(source), str(target), str(calibration), "0"]
    return [sys.executable, "-c", ORT_DYNAMIC if mode == "dynamic" else ORT_FP16, str(source), str(target)]


def ferry_command(ferry, mode, source, out, calibration, ort_file=False):
    cmd = [ferry, "convert", str(source), "--out", str(out), "--target", "onnx", *(["--ort"] if ort_file else []), "--quantize", mode,
           "--max-drift", "none", "--threads", "2", "--max-samples", "32"]
    if mode == "int8":
        cmd += ["--calibration", str(calibration)]
    return cmd


def evaluation(source, count=16):
    """Feeds for the drift measurement: the fixture's eval.npz, else seeded uniform inputs."""
    names = [i.name for i in ort.InferenceSession(str(source), providers=["CPUExecutionProvider"]).get_inputs()]
    folder = source.parent
    if (folder / "eval.npz").exists() and folder.parent == FIXTURES:
        data = np.load(folder / "eval.npz")
        arrays = {n: data[n] for n in names}
    else:
        arrays = calibration_arrays(input_shapes(source), count, seed=1)
    rows = min(count, arrays[names[0]].shape[0])
    return [{n: arrays[n][k:k + 1] for n in names} for k in range(rows)]


def drift(source, candidate, feeds):
    reference = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    converted = ort.InferenceSession(str(candidate), providers=["CPUExecutionProvider"])
    worst, agree = 1.0, 0
    for feed in feeds:
        a = next(o for o in reference.run(None, feed) if o.dtype == np.float32).ravel().astype(np.float64)
        b = next(o for o in converted.run(None, feed) if o.dtype == np.float32).ravel().astype(np.float64)
        worst = min(worst, float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30)))
        agree += int(a.argmax() == b.argmax())
    return worst, agree / len(feeds)


def ort_own_ort_size(onnx_path, out):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = str(out)
    options.add_session_config_entry("session.save_model_format", "ORT")
    ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    return out.stat().st_size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferry", required=True)
    parser.add_argument("--model", default=str(ROOT / "build" / "bench" / "mobilenet_v2.onnx"))
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    args = parser.parse_args()
    ferry = str(pathlib.Path(args.ferry).resolve())
    sources = [p for p in sorted(FIXTURES.glob("*/model.onnx"))]
    if pathlib.Path(args.model).exists():
        sources.append(pathlib.Path(args.model))
    else:
        print(f"bench: {args.model} is missing (make bench-onnx makes it); fixtures only", file=sys.stderr)
    results, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for source in sources:
            name = source.parent.name if source.parent.parent == FIXTURES else source.stem
            calibration = source.parent / "calibration.npz" if source.parent.parent == FIXTURES else None
            if calibration is None:
                calibration = tmp / f"{name}-calibration.npz"
                np.savez(calibration, **calibration_arrays(input_shapes(source), args.samples))
            feeds = evaluation(source)
            for mode in MODES:
                ferry_out, ort_out = tmp / f"{name}-{mode}-ferry", tmp / f"{name}-{mode}-ort.onnx"
                try:
                    t_ort, m_ort = measure_one(ort_command(mode, source, ort_out, calibration))
                    t_ferry, m_ferry = measure_one(ferry_command(ferry, mode, source, ferry_out, calibration))
                except SystemExit as failure:
                    rows.append(f"| {name} | {mode} | failed: {str(failure)[:160]} | | | | |")
                    continue
                ferry_size, ort_size = (ferry_out / "model.onnx").stat().st_size, ort_out.stat().st_size
                # The .ort file in a second, untimed run: the timed one writes what the tools write.
                subprocess.run(ferry_command(ferry, mode, source, tmp / f"{name}-{mode}-ferry-ort", calibration, ort_file=True),
                               check=True, capture_output=True)
                ferry_ort = (tmp / f"{name}-{mode}-ferry-ort" / "model.ort").stat().st_size
                their_ort = ort_own_ort_size(ferry_out / "model.onnx", tmp / f"{name}-{mode}-theirs.ort")
                d_ferry, d_ort = drift(source, ferry_out / "model.onnx", feeds), drift(source, ort_out, feeds)
                entry = {"model": name, "mode": mode,
                         "ferry": {"bytes": ferry_size, "ort_bytes": ferry_ort, "seconds": round(t_ferry, 3),
                                   "peak_mb": round(m_ferry, 1), "cosine": d_ferry[0], "top1": d_ferry[1]},
                         "onnxruntime": {"bytes": ort_size, "seconds": round(t_ort, 3), "peak_mb": round(m_ort, 1),
                                         "cosine": d_ort[0], "top1": d_ort[1]},
                         "onnxruntime_ort_bytes_of_ferry_onnx": their_ort}
                results.append(entry)
                rows.append(f"| {name} | {mode} | {ferry_size:,} ({ferry_size / ort_size:.3f}×) | {ort_size:,} | "
                            f"{t_ferry:.2f} s, {m_ferry:.0f} MB | {t_ort:.2f} s, {m_ort:.0f} MB | "
                            f"{d_ferry[0]:.4f} / {d_ferry[1]:.2f} | {d_ort[0]:.4f} / {d_ort[1]:.2f} | {ferry_ort:,} / {their_ort:,} |")
    text = ["| Model | Mode | ferry .onnx bytes (÷ ORT) | onnxruntime tool .onnx bytes | ferry convert time, peak RSS | "
            "onnxruntime tool time, peak RSS | ferry cosine / top-1 | onnxruntime tool cosine / top-1 | "
            "ferry .ort / onnxruntime's .ort of the same graph |",
            "|---|---|---:|---:|---|---|---|---|---|", *rows]
    print("\n".join(text))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "onnx_target.md").write_text("\n".join(text) + "\n")
    (out / "onnx_target.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
