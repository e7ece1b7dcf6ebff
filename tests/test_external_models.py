"""Real trained models from outside this repository: PaddleOCR's v4 text detector and
recognizer and v2 direction classifier, as the `rapidocr_onnxruntime` wheel on PyPI ships them
(paddle2onnx exports at opset 12, dynamic dims spelt '?', a recognizer onnx2tf users report
trouble with). Each converts to TFLite with `--input-shape` and LiteRT computes what
onnxruntime computes on the source; the classifier also converts to full int8, where LiteRT
gives what Ferry's report predicted.

The wheel (15 MB) is downloaded from PyPI into build/external-models once; the tests skip,
saying so, only if PyPI cannot be reached. Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import onnxruntime as ort
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
CACHE = ROOT / "build" / "external-models"
WHEEL = "rapidocr_onnxruntime==1.4.4"
MODELS = {
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 320]),
    "det": ("ch_PP-OCRv4_det_infer.onnx", [1, 3, 320, 320]),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 192]),
}


@pytest.fixture(scope="module")
def models() -> pathlib.Path:
    folder = CACHE / "rapidocr"
    if not all((folder / name).exists() for name, _ in MODELS.values()):
        CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", str(CACHE)],
                                capture_output=True, text=True, timeout=600)
        wheels = sorted(CACHE.glob("rapidocr_onnxruntime-*.whl"))
        if result.returncode != 0 or not wheels:
            pytest.skip(f"PyPI unreachable, cannot fetch {WHEEL}: {result.stderr.strip()[-200:]}")
        folder.mkdir(exist_ok=True)
        with zipfile.ZipFile(wheels[-1]) as archive:
            for member in archive.namelist():
                if member.endswith(".onnx"):
                    (folder / pathlib.Path(member).name).write_bytes(archive.read(member))
    return folder


def image_like(shape, seed=0):
    """Inputs as PaddleOCR feeds them: an image normalized to about [-1, 1]."""
    return ((np.random.default_rng(seed).random(shape, dtype=np.float32) - 0.5) / 0.5).astype(np.float32)


def litert_run(path, x):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(path), num_threads=1)
    runner.allocate_tensors()
    detail = runner.get_input_details()[0]
    feed = x
    if detail["dtype"] != np.float32:
        scale, zero = detail["quantization"]
        feed = np.clip(np.round(x / scale) + zero, -128, 127).astype(detail["dtype"])
    runner.set_tensor(detail["index"], feed)
    runner.invoke()
    out_detail = runner.get_output_details()[0]
    out = runner.get_tensor(out_detail["index"])
    if out_detail["dtype"] != np.float32:
        scale, zero = out_detail["quantization"]
        out = (out.astype(np.float32) - zero) * scale
    return out


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30))


@pytest.mark.parametrize("key", sorted(MODELS))
def test_paddleocr_float_tflite_computes_what_onnxruntime_does(models, key, tmp_path):
    name, shape = MODELS[key]
    out = tmp_path / key
    result = subprocess.run([FERRY, "convert", str(models / name), "--out", str(out), "--target", "tflite",
                             "--input-shape", "x=" + ",".join(map(str, shape)), "--max-samples", "2"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    x = image_like(shape)
    expected = ort.InferenceSession(str(models / name), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = litert_run(out / "model.tflite", x)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    span = float(np.abs(expected).max())
    print(f"{key}: LiteRT vs onnxruntime max |diff| {np.abs(got - expected).max():.3g} of {span:.3g}, cosine {cosine(got, expected):.7f}")
    assert cosine(got, expected) > 0.9999
    assert float(np.abs(got - expected).max()) <= 1e-3 * max(span, 1e-6)
    if key != "det":
        np.testing.assert_array_equal(got.argmax(-1), expected.argmax(-1))


def test_paddleocr_classifier_int8_runs_in_litert_as_ferry_predicted(models, tmp_path):
    name, shape = MODELS["cls"]
    calibration = tmp_path / "calibration.npz"
    np.savez(calibration, x=np.concatenate([image_like(shape, seed) for seed in range(8)]))
    out = tmp_path / "cls-int8"
    result = subprocess.run([FERRY, "convert", str(models / name), "--out", str(out), "--target", "tflite", "--quantize", "int8",
                             "--calibration", str(calibration), "--max-drift", "none", "--io", "int8",
                             "--input-shape", "x=" + ",".join(map(str, shape))], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "drift.json").read_text())
    assert report["outputs"][0]["metrics"]["cosine"] > 0.99
    # LiteRT's reference kernels give Ferry's integers (within a step).
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    runner = Interpreter(model_path=str(out / "model.tflite"), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    runner.allocate_tensors()
    detail = runner.get_input_details()[0]
    scale, zero = detail["quantization"]
    for seed in range(3):
        q = np.clip(np.round(image_like(shape, 100 + seed) / scale) + zero, -128, 127).astype(np.int8)
        runner.set_tensor(detail["index"], q)
        runner.invoke()
        lite = runner.get_tensor(runner.get_output_details()[0]["index"]).astype(np.int64)
        np.save(tmp_path / "x.npy", q)
        subprocess.run([FERRY, "run", str(out / "model.tflite"), "--input", f"{detail['name']}={tmp_path / 'x.npy'}",
                        "--output-dir", str(tmp_path / "run")], check=True, capture_output=True, timeout=300)
        mapping = json.loads((tmp_path / "run" / "outputs.json").read_text())
        ours = np.load(tmp_path / "run" / mapping["outputs"][0]["file"]).astype(np.int64)
        assert np.abs(lite - ours).max() <= 1, (lite, ours)
