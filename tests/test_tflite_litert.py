"""Ferry's TFLite exports run in LiteRT (ai-edge-litert) and match onnxruntime on the source.

The Swift test `TFLiteFormatTests.FixtureExportTests` writes build/tflite-export/NAME.tflite for
every exportable fixture (and report.txt naming the op that blocks each of the others); run
`swift test` first. Without that folder these tests skip, saying so.

Each file is loaded by LiteRT's interpreter (whose flatbuffer verifier runs on load), and run
twice: with the default XNNPACK delegate and with the builtin kernels only. Outputs are compared
with onnxruntime on the fixture's eval samples within 1e-4 of the reference output's range
(floats) or exactly (integers), through the "serving_default" signature keyed by the ONNX
input/output names.

Environment knobs: FERRY_FIXTURE_SAMPLES (eval samples per fixture, default 4, or `all`).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "fixtures"
EXPORT_DIR = ROOT / "build" / "tflite-export"
RELATIVE_TOLERANCE = 1e-4


def exported() -> list[str]:
    """Every fixture; those the exporter refused skip with the blocker from report.txt."""
    return sorted(p.parent.name for p in FIXTURES_DIR.glob("*/model.onnx"))


def sample_count(name: str) -> int:
    with np.load(FIXTURES_DIR / name / "eval.npz") as data:
        available = min(len(data[k]) for k in data.files if k != "labels")
    setting = os.environ.get("FERRY_FIXTURE_SAMPLES", "4")
    return available if setting == "all" else min(int(setting), available)


def require_export(name: str) -> pathlib.Path:
    if not EXPORT_DIR.is_dir():
        pytest.skip(f"{EXPORT_DIR} is missing: run `swift test --filter TFLiteFormatTests` to export the fixtures")
    path = EXPORT_DIR / f"{name}.tflite"
    if not path.exists():
        report = (EXPORT_DIR / "report.txt").read_text() if (EXPORT_DIR / "report.txt").exists() else ""
        reason = next((line for line in report.splitlines() if line.startswith(f"{name}:")), f"{name}: not exported")
        pytest.skip(reason)
    return path


def interpreter(path: pathlib.Path, delegates: bool):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.AUTO if delegates else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    runner = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver, num_threads=1)
    runner.allocate_tensors()
    return runner


@pytest.mark.parametrize("delegates", [True, False], ids=["xnnpack", "builtin"])
@pytest.mark.parametrize("name", exported())
def test_litert_matches_onnxruntime(name: str, delegates: bool) -> None:
    import onnxruntime as ort

    path = require_export(name)
    runner = interpreter(path, delegates)
    signatures = runner.get_signature_list()
    assert list(signatures) == ["serving_default"], signatures
    session = ort.InferenceSession(str(FIXTURES_DIR / name / "model.onnx"), providers=["CPUExecutionProvider"])
    assert sorted(signatures["serving_default"]["inputs"]) == sorted(i.name for i in session.get_inputs())
    assert sorted(signatures["serving_default"]["outputs"]) == sorted(o.name for o in session.get_outputs())
    signature = runner.get_signature_runner("serving_default")
    worst = 0.0
    with np.load(FIXTURES_DIR / name / "eval.npz") as data:
        for index in range(sample_count(name)):
            feeds = {i.name: data[i.name][index:index + 1] for i in session.get_inputs()}
            expected = session.run(None, feeds)
            # Recurrent ops keep their state in variable tensors between invocations; each
            # sample starts from zero state, as the ONNX model does.
            runner.reset_all_variables()
            actual = signature(**feeds)
            for info, reference in zip(session.get_outputs(), expected):
                got = actual[info.name]
                assert got.shape == reference.shape, f"{info.name}: shape {got.shape}, expected {reference.shape}"
                assert got.dtype == reference.dtype, f"{info.name}: {got.dtype}, expected {reference.dtype}"
                if reference.dtype.kind == "f":
                    span = max(float(reference.max() - reference.min()), 1e-6)
                    error = float(np.abs(got.astype(np.float64) - reference).max()) / span
                    worst = max(worst, error)
                    assert error <= RELATIVE_TOLERANCE, f"{info.name} sample {index}: error {error:.3g} of the output range"
                else:
                    np.testing.assert_array_equal(got, reference, err_msg=f"{info.name} sample {index}")
    print(f"{name} ({'xnnpack' if delegates else 'builtin'}): worst error {worst:.3g} of the output range")


@pytest.mark.parametrize("name", exported())
def test_graph_inputs_and_outputs_keep_onnx_names_and_shapes(name: str) -> None:
    import onnx

    path = require_export(name)
    runner = interpreter(path, delegates=False)
    model = onnx.load(str(FIXTURES_DIR / name / "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}

    def dims(value) -> list[int]:
        return [d.dim_value for d in value.type.tensor_type.shape.dim]

    inputs = [(v.name, dims(v)) for v in model.graph.input if v.name not in initializers]
    assert [(d["name"], list(d["shape"])) for d in runner.get_input_details()] == inputs
    assert [(d["name"], list(d["shape"])) for d in runner.get_output_details()] == [(v.name, dims(v)) for v in model.graph.output]
