"""`ferry convert --target tflm`, run in TensorFlow Lite Micro's interpreter (`tflite-micro` from PyPI).

For every fixture, Ferry writes the int8 model (pure int8 with int8 inputs/outputs, and under
the default drift budget with float I/O) as model.tflite plus C++ sources. The TFLM interpreter
is created with exactly the arena size Ferry printed (conversion.json, target_details) and
runs eval samples; its outputs are compared with Ferry's reference core running the same file
(`ferry run`, integer kernels, double rounding):
- pure int8: within 1 step of Ferry's integers (and the test prints how many match exactly);
- default budget (float layers between QUANTIZE/DEQUANTIZE): output cosine ≥ 0.99.
The generated model_data.cc is compiled with the system C++ compiler and checked to hold the
same bytes as model.tflite, 16-byte aligned. Fixtures with ops or types TFLM has no kernels for
(int64 tensors, GELU) must be refused, naming the operator, with nothing written.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
NAMES = sorted(p.parent.name for p in FIXTURES.glob("*/model.onnx"))
REFUSED = {"sklearn_mlp": "INT64", "transformer_encoder": "GELU"}
SAMPLES = 4
CACHE: dict[tuple[str, str], object] = {}


def convert(name: str, mode: str, root: pathlib.Path):
    key = (name, mode)
    if key not in CACHE:
        out = root / f"{name}-{mode}"
        calibration = FIXTURES / name / "calibration.npz"
        args = [FERRY, "convert", str(FIXTURES / name / "model.onnx"), "--out", str(out), "--target", "tflm",
                "--quantize", "int8", "--calibration", str(calibration if calibration.exists() else FIXTURES / name / "eval.npz"),
                "--data", str(FIXTURES / name / "eval.npz"), "--max-samples", "16"]
        if mode == "int8-io":
            args += ["--io", "int8", "--max-drift", "none"]
        CACHE[key] = (out, subprocess.run(args, capture_output=True, text=True, timeout=900))
    return CACHE[key]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("tflm")


def tflm_interpreter(path: pathlib.Path, arena: int):
    from tflite_micro.python.tflite_micro import runtime

    return runtime.Interpreter.from_file(str(path), arena_size=arena)


def ferry_run(path: pathlib.Path, feeds: dict[str, np.ndarray], tmp: pathlib.Path) -> list[np.ndarray]:
    args = [FERRY, "run", str(path), "--output-dir", str(tmp)]
    for index, (name, value) in enumerate(feeds.items()):
        file = tmp / f"input_{index}.npy"
        np.save(file, value)
        args += ["--input", f"{name}={file}"]
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    mapping = json.loads((tmp / "outputs.json").read_text())
    return [np.load(tmp / entry["file"]) for entry in mapping["outputs"]]


def quantize(value: np.ndarray, detail: dict) -> np.ndarray:
    parameters = detail["quantization_parameters"]
    if len(parameters["scales"]) == 0 or detail["dtype"] == np.float32:
        return value.astype(detail["dtype"])
    scale, zero = float(parameters["scales"][0]), int(parameters["zero_points"][0])
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(value / scale) + zero, info.min, info.max).astype(detail["dtype"])


@pytest.mark.parametrize("mode", ["int8-io", "int8"])
@pytest.mark.parametrize("name", NAMES)
def test_tflm_runs_with_the_printed_arena_and_computes_what_ferry_predicts(name, mode, root, tmp_path):
    out, result = convert(name, mode, root)
    if name in REFUSED:
        assert result.returncode != 0, f"{name} should be refused for TFLM"
        assert REFUSED[name] in result.stderr, result.stderr
        assert not (out / "model.tflite").exists() and not (out / "model_data.cc").exists()
        return
    assert result.returncode == 0, result.stderr
    details = json.loads((out / "conversion.json").read_text())["target_details"]
    arena = int(details["arena_size"])
    assert f"tensor arena: {arena} bytes" in result.stdout
    interpreter = tflm_interpreter(out / "model.tflite", arena)
    with np.load(FIXTURES / name / "eval.npz") as data:
        names = [n for n in data.files if n != "labels"]
        inputs = [interpreter.get_input_details(i) for i in range(len(names))]
        exact = total = 0
        for index in range(min(SAMPLES, len(data[names[0]]))):
            feeds = {n: quantize(data[n][index:index + 1], inputs[i]) for i, n in enumerate(names)}
            for i, n in enumerate(names):
                interpreter.set_input(feeds[n], i)
            interpreter.invoke()
            expected = ferry_run(out / "model.tflite", feeds, tmp_path)
            for position, reference in enumerate(expected):
                got = interpreter.get_output(position)
                assert got.shape == reference.shape and got.dtype == reference.dtype, (got.shape, reference.shape)
                if got.dtype.kind in "iu":
                    difference = np.abs(got.astype(np.int64) - reference.astype(np.int64))
                    assert difference.max() <= 1, f"output {position} sample {index}: {difference.max()} steps from Ferry"
                    exact += int((difference == 0).sum())
                    total += got.size
                else:
                    a, e = got.astype(np.float64).ravel(), reference.astype(np.float64).ravel()
                    cosine = float(a @ e / max(np.linalg.norm(a) * np.linalg.norm(e), 1e-30))
                    assert cosine >= 0.99, f"output {position} sample {index}: cosine {cosine:.4f} to Ferry"
            interpreter.reset()
    if total:
        print(f"{name} {mode}: TFLM matched Ferry exactly in {exact}/{total} values with a {arena}-byte arena")


@pytest.mark.parametrize("name", ["digits_cnn", "mobilenet_v3_small_w050"])
def test_model_data_compiles_and_holds_the_flatbuffer(name, root, tmp_path):
    compiler = shutil.which("g++") or shutil.which("clang++")
    if compiler is None:
        pytest.skip("no C++ compiler on PATH")
    out, result = convert(name, "int8-io", root)
    assert result.returncode == 0, result.stderr
    main = tmp_path / "check.cc"
    main.write_text("""
        #include <cstdint>
        #include <cstdio>
        #include "model_data.h"
        int main(int argc, char** argv) {
          if (reinterpret_cast<std::uintptr_t>(g_model_data) % 16 != 0) return 2;
          if (kTensorArenaSize == 0 || kModelOpCount == 0) return 3;
          std::FILE* f = std::fopen(argv[1], "wb");
          std::fwrite(g_model_data, 1, g_model_data_len, f);
          std::fclose(f);
          return 0;
        }
    """)
    binary = tmp_path / "check"
    subprocess.run([compiler, "-std=c++17", "-Wall", "-Werror", "-I", str(out), str(main), str(out / "model_data.cc"), "-o", str(binary)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run([str(binary), str(tmp_path / "dump.tflite")], check=True, timeout=60)
    assert (tmp_path / "dump.tflite").read_bytes() == (out / "model.tflite").read_bytes()
    ops = (out / "model_ops.h").read_text()
    for method in json.loads((out / "conversion.json").read_text())["target_details"]["op_resolver"].split(","):
        assert f"resolver.{method}()" in ops


def test_square_is_written_as_mul_so_tflm_runs_it(tmp_path):
    """Pow(x, 2) (power spectra, variances) is written as MUL(x, x): the same correctly rounded
    value as x², and a kernel TFLM has, where it has no POW. Another exponent stays POW."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    nodes = [helper.make_node("Pow", ["x", "two"], ["sq"]), helper.make_node("Pow", ["x", "three"], ["cube"])]
    graph = helper.make_graph(nodes, "powers", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 64]) for n in ("sq", "cube")],
                              [numpy_helper.from_array(np.array(2, np.float32), "two"), numpy_helper.from_array(np.array(3, np.float32), "three")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "model.onnx")
    out = tmp_path / "out"
    subprocess.run([FERRY, "convert", str(tmp_path / "model.onnx"), "--out", str(out), "--target", "tflite"],
                   check=True, capture_output=True, timeout=300)
    runner = Interpreter(model_path=str(out / "model.tflite"), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    runner.allocate_tensors()
    assert sorted(op["op_name"] for op in runner._get_ops_details()) == ["MUL", "POW"]
    x = np.random.default_rng(0).standard_normal((1, 64)).astype(np.float32) * 3
    got = runner.get_signature_runner()(x=x)
    assert np.array_equal(got["sq"], x * x)

    square = tmp_path / "square.onnx"
    graph = helper.make_graph(nodes[:1], "square", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("sq", TensorProto.FLOAT, [1, 64])],
                              [numpy_helper.from_array(np.array(2, np.float32), "two")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), square)
    np.savez(tmp_path / "cal.npz", x=np.random.default_rng(1).standard_normal((8, 1, 64)).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(square), "--out", str(tmp_path / "tflm"), "--target", "tflm", "--quantize", "int8",
                             "--calibration", str(tmp_path / "cal.npz"), "--max-drift", "none", "--io", "int8"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    arena = int(json.loads((tmp_path / "tflm" / "conversion.json").read_text())["target_details"]["arena_size"])
    interpreter = tflm_interpreter(tmp_path / "tflm" / "model.tflite", arena)
    feeds = {"x": quantize(x, interpreter.get_input_details(0))}
    interpreter.set_input(feeds["x"], 0)
    interpreter.invoke()
    expected = ferry_run(tmp_path / "tflm" / "model.tflite", feeds, tmp_path)[0]
    assert np.abs(interpreter.get_output(0).astype(np.int64) - expected.astype(np.int64)).max() <= 1
