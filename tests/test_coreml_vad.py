"""Silero VAD v6 (the `silero-vad` wheel's silero_vad_16k_op15.onnx, the file
tests/test_external_models.py downloads) as Core ML, in both formats:

- ML Program: the reflect Pad of the [1, 640] signal is MIL's `pad` (mode reflect), the STFT
  and the encoder 1-D `conv`s, the LSTM cell `lstm` with initial_h/initial_c from the `state`
  input and its final h and c read into `stateN`. coremltools loads the package and its own
  MIL op definitions infer, for every op, the type and shape Ferry wrote.
- NeuralNetwork `.mlmodel`: the Pad is a `padding` layer (reflection) of the last axis, each
  1-D Conv a 2-D `convolution` of [N, C, 1, W] between reshapes, the LSTM a
  `uniDirectionalLSTM` taking x, h and c and giving y, h and c. coremltools loads the spec.

The `sr` input (int64, used only as `stateN + Cast(sr · 0)`) stays in the interface as an
int32 array of shape [1], as coremltools declares a scalar input: Core ML has no int64 arrays,
and the product computes in int32 (ML Program) or as float (NeuralNetwork blobs), zero either
way.

Each file is read back into Ferry's reference core and run on streamed windows of synthetic
speech (each window with the state onnxruntime returned for the one before, as Silero's
OnnxWrapper streams): drift.json must show the read-back computing the source's numbers, to
float32 rounding in float32, and with a float16 program's cosine in float16. Core ML itself
runs only on a Mac. Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from support import checked_mil_program
from test_external_models import FERRY, VAD_MODEL, VAD_SHAPES, VAD_WHEEL, speech_like, stream, wheel_models

ct = pytest.importorskip("coremltools")


@pytest.fixture(scope="module")
def vad():
    return wheel_models(VAD_WHEEL, "silero-vad", [VAD_MODEL]) / VAD_MODEL


@pytest.fixture(scope="module")
def windows(vad, tmp_path_factory):
    folder = tmp_path_factory.mktemp("vad-windows")
    evaluation, expected = stream(vad, speech_like(2.0, seed=1))
    np.savez(folder / "eval.npz", **evaluation)
    return folder / "eval.npz", len(expected)


def convert(source, out, *args):
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(out), "--target", "coreml", *map(str, args), *VAD_SHAPES],
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    return {entry["name"]: {key: float(value) for key, value in entry["metrics"].items() if isinstance(value, (int, float, str)) and key in ("rel", "cosine", "max_abs")}
            for entry in json.loads((out / "drift.json").read_text())["outputs"]}


def features(spec):
    kinds = {65568: "float32", 65600: "float64", 131104: "int32", 65552: "float16"}
    return {feature.name: (kinds[feature.type.multiArrayType.dataType], list(feature.type.multiArrayType.shape))
            for feature in spec.description.input}


@pytest.mark.parametrize("precision", ["float32", "float16"])
def test_silero_vad_converts_to_an_ml_program_that_reads_back_as_the_source(vad, windows, precision, tmp_path):
    data, count = windows
    out = tmp_path / precision
    drift = convert(vad, out, "--coreml-precision", precision, "--data", data)
    path = out / "model.mlpackage"
    spec, program = checked_mil_program(path)
    assert features(spec) == {"input": ("float32", [1, 576]), "state": ("float32", [2, 1, 128]), "sr": ("int32", [1])}
    operations = program.functions["main"].operations
    kinds = [op.op_type for op in operations]
    pads = [op for op in operations if op.op_type == "pad"]
    assert len(pads) == 1 and pads[0].mode.val == "reflect" and list(pads[0].pad.val) == [0, 0, 0, 64], pads
    assert kinds.count("conv") == 6 and kinds.count("lstm") == 1, kinds
    lstm = next(op for op in operations if op.op_type == "lstm")
    # The cell starts from the caller's state (sliced from `state`), not from constants.
    assert lstm.initial_h.val is None and lstm.initial_c.val is None
    print(f"Silero VAD ML Program {precision}, {count} streamed windows: read-back drift {drift}")
    if precision == "float32":
        assert all(metrics["rel"] <= 1e-4 for metrics in drift.values()), drift
    else:
        # float16 activations and weights (the LSTM runs in float32 between casts, as
        # coremltools writes it): the probability and the carried state stay close.
        assert all(metrics["cosine"] >= 0.999 for metrics in drift.values()), drift


def test_silero_vad_converts_to_a_neuralnetwork_mlmodel_that_reads_back_as_the_source(vad, windows, tmp_path):
    data, count = windows
    out = tmp_path / "nn"
    drift = convert(vad, out, "--coreml-format", "neuralnetwork", "--data", data)
    path = out / "model.mlmodel"
    spec = ct.utils.load_spec(str(path))
    ct.models.MLModel(str(path), skip_model_load=True)
    assert features(spec) == {"input": ("float32", [1, 576]), "state": ("float32", [2, 1, 128]), "sr": ("int32", [1])}
    layers = spec.neuralNetwork.layers
    kinds = [layer.WhichOneof("layer") for layer in layers]
    paddings = [layer.padding for layer in layers if layer.WhichOneof("layer") == "padding"]
    assert len(paddings) == 1 and paddings[0].WhichOneof("PaddingType") == "reflection", paddings
    edges = [(e.startEdgeSize, e.endEdgeSize) for e in paddings[0].paddingAmounts.borderAmounts]
    assert edges == [(0, 0), (0, 64)], edges
    assert kinds.count("convolution") == 6 and kinds.count("uniDirectionalLSTM") == 1, kinds
    lstm = next(layer for layer in layers if layer.WhichOneof("layer") == "uniDirectionalLSTM")
    assert len(lstm.input) == 3 and len(lstm.output) == 3, lstm
    print(f"Silero VAD NeuralNetwork, {count} streamed windows: read-back drift {drift}")
    assert all(metrics["rel"] <= 1e-4 for metrics in drift.values()), drift
