"""`ferry convert --target tflite` beside onnx2tf (which converts through TensorFlow and the TF
Lite converter), in one run, on full-size MobileNetV2 (224×224):

* speed and peak memory of each conversion (float32, and int8 with 32 calibration samples),
  each tool in its own process, wall-clock time and peak RSS from the kernel;
* size of each output beside the TF converter's for the same mode (float32, float16,
  dynamic-range int8, full-integer int8), both files produced from the same ONNX model.

onnx2tf and TensorFlow live in their own venv, build/bench-tf-venv (make bench-tflite makes it).
onnx2tf makes every flavour in one run: with -oiqt it writes float32, float16, dynamic-range and
integer models together, so its int8 time covers those too; its calibration data is the same
32 samples, in NHWC as it expects.

Usage: python benchmarks/tflite_vs_onnx2tf.py --ferry .build/release/ferry [--model build/bench/mobilenet_v2.onnx]
Prints a Markdown table and writes build/bench/tflite.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _measure import calibration_arrays, input_shapes, measure_one  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferry", required=True)
    parser.add_argument("--model", default=str(ROOT / "build" / "bench" / "mobilenet_v2.onnx"))
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    args = parser.parse_args()
    ferry = str(pathlib.Path(args.ferry).resolve())
    onnx2tf = shutil.which("onnx2tf", path=str(pathlib.Path(sys.executable).parent))
    if onnx2tf is None:
        raise SystemExit("onnx2tf is not installed in this venv (make bench-tflite installs it)")
    model = pathlib.Path(args.model)
    shapes = input_shapes(model)
    (name, shape), = shapes.items()
    results = {"model": model.name, "samples": args.samples, "speed": {}, "size": {}}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    # Outputs stay in build/bench/tflite/ for a closer look (sizes of names, buffers, ops).
    tmp = pathlib.Path(args.out) / "tflite"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if True:
        arrays = calibration_arrays(shapes, args.samples)
        np.savez(tmp / "calibration.npz", **arrays)
        np.save(tmp / "calibration_nhwc.npy", arrays[name].transpose(0, 2, 3, 1))
        # onnx2tf loads sample images for its own checks from the working folder, or downloads
        # them; a seeded local file keeps the run offline and repeatable.
        np.save(tmp / "calibration_image_sample_data_20x128x128x3_float32.npy",
                np.random.default_rng(1).random((20, 128, 128, 3), dtype=np.float32))
        channels = shape[1]
        zeros, ones = str([[[[0.0] * channels]]]), str([[[[1.0] * channels]]])

        runs = {
            "ferry float32": [ferry, "convert", str(model), "--out", str(tmp / "f32"), "--target", "tflite", "--threads", "2"],
            "ferry int8": [ferry, "convert", str(model), "--out", str(tmp / "i8"), "--target", "tflite", "--quantize", "int8",
                           "--calibration", str(tmp / "calibration.npz"), "--max-drift", "none", "--threads", "2"],
            "onnx2tf float32": [onnx2tf, "-i", str(model), "-o", str(tmp / "o2t_f32"), "-n"],
            "onnx2tf int8": [onnx2tf, "-i", str(model), "-o", str(tmp / "o2t_i8"), "-n", "-oiqt", "-qt", "per-channel",
                             "-cind", name, str(tmp / "calibration_nhwc.npy"), zeros, ones],
        }
        for label, cmd in runs.items():
            seconds, peak = measure_one(cmd, env=env, cwd=str(tmp))
            results["speed"][label] = {"seconds": round(seconds, 2), "peak_mb": round(peak, 1)}
            print(f"{label}: {seconds:.2f} s, {peak:.0f} MB", file=sys.stderr)
        for mode in ["fp16", "dynamic"]:
            measure_one([ferry, "convert", str(model), "--out", str(tmp / mode), "--target", "tflite", "--quantize", mode,
                         "--max-drift", "none", "--threads", "2"], env=env)
        ours = {"float32": tmp / "f32/model.tflite", "float16": tmp / "fp16/model.tflite",
                "dynamic-range int8": tmp / "dynamic/model.tflite", "full-integer int8": tmp / "i8/model.tflite"}
        stem = model.stem
        theirs = {"float32": tmp / f"o2t_f32/{stem}_float32.tflite", "float16": tmp / f"o2t_f32/{stem}_float16.tflite",
                  "dynamic-range int8": tmp / f"o2t_i8/{stem}_dynamic_range_quant.tflite",
                  "full-integer int8": tmp / f"o2t_i8/{stem}_integer_quant.tflite"}
        for mode in ours:
            results["size"][mode] = {"ferry": ours[mode].stat().st_size if ours[mode].exists() else None,
                                     "tf_converter": theirs[mode].stat().st_size if theirs[mode].exists() else None}
    s = results["speed"]
    rows = [
        f"| {model.name} float32 | {s['ferry float32']['seconds']:.2f} s, {s['ferry float32']['peak_mb']:.0f} MB | "
        f"{s['onnx2tf float32']['seconds']:.2f} s, {s['onnx2tf float32']['peak_mb']:.0f} MB | "
        f"{s['onnx2tf float32']['seconds'] / s['ferry float32']['seconds']:.1f}× faster, {s['ferry float32']['peak_mb'] / s['onnx2tf float32']['peak_mb']:.2f}× memory |",
        f"| {model.name} int8, {args.samples} samples | {s['ferry int8']['seconds']:.2f} s, {s['ferry int8']['peak_mb']:.0f} MB | "
        f"{s['onnx2tf int8']['seconds']:.2f} s, {s['onnx2tf int8']['peak_mb']:.0f} MB | "
        f"{s['onnx2tf int8']['seconds'] / s['ferry int8']['seconds']:.1f}× faster, {s['ferry int8']['peak_mb'] / s['onnx2tf int8']['peak_mb']:.2f}× memory |",
    ]
    sizes = [f"| {mode} | {v['ferry']:,} | {v['tf_converter']:,} | {v['ferry'] / v['tf_converter']:.3f} |" if v["ferry"] and v["tf_converter"]
             else f"| {mode} | {v['ferry']} | {v['tf_converter']} | |" for mode, v in results["size"].items()]
    text = ["| Conversion | ferry convert --target tflite | onnx2tf (TensorFlow + TF Lite converter) | ferry vs onnx2tf |", "|---|---|---|---|", *rows, "",
            "| Output size, same model and mode | ferry (bytes) | TF Lite converter via onnx2tf (bytes) | ferry / TF |", "|---|---|---|---|", *sizes]
    print("\n".join(text))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tflite.md").write_text("\n".join(text) + "\n")
    (out / "tflite.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
