"""The `ferry` command-line contract that scripts and CI jobs rely on: inspect, run and bench
flags and outputs, exit codes, one-line errors naming what is wrong, determinism across
thread counts. Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BAD = ROOT / "fixtures" / "bad"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))


def ferry(*args, check=None):
    result = subprocess.run([FERRY, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    return result


def test_binary_exists():
    assert pathlib.Path(FERRY).is_file(), f"no ferry binary at {FERRY}: build with `make build`"


# (model, extra args, words the one-line error must contain)
BAD_CASES = [
    ("truncated.onnx", [], ["truncated.onnx", "truncated or corrupt"]),
    ("corrupted.onnx", [], ["corrupted.onnx", "not a valid ONNX file"]),
    ("not_onnx.onnx", [], ["not_onnx.onnx", "not a valid ONNX file"]),
    ("cycle.onnx", [], ["cycle.onnx", "cycle", "'first' (Add)"]),
    ("dangling_input.onnx", [], ["dangling_input.onnx", "'add_missing' (Add)", "missing_weight"]),
    ("unknown_op.onnx", [], ["unknown_op.onnx", "unsupported op FrobnicateLayer", "'mystery'"]),
    ("unknown_attribute.onnx", [], ["unknown_attribute.onnx", "'relu_extra' (Relu)", "'alpha'"]),
    ("opset6.onnx", [], ["opset6.onnx", "opset 6"]),
    ("short_initializer.onnx", [], ["short_initializer.onnx", "tensor 'b'", "raw_data has 8 bytes"]),
    ("external/escaping.onnx", [], ["escaping.onnx", "leaves the model's folder"]),
    ("good.onnx", ["--input", f"x={BAD / 'input_int.npy'}"], ["input 'x'", "float32", "int32"]),
    ("good.onnx", ["--input", f"x={BAD / 'input_wrong_shape.npy'}"], ["input 'x'", "[1,4]", "[2,3]"]),
    ("good.onnx", ["--input", f"z={BAD / 'input_ok.npy'}"], ["no input 'z'", "'x'"]),
    ("good.onnx", [], ["input 'x' was not given"]),
    ("does_not_exist.onnx", [], ["does_not_exist.onnx", "does not exist"]),
    ("good.onnx", ["--input", f"x={BAD / 'good.onnx'}"], ["expected .npy, .npz or .pb"]),
]


@pytest.mark.parametrize("model,args,words", BAD_CASES, ids=[f"{c[0]}{'+' + c[1][1].split('/')[-1] if c[1] else ''}" for c in BAD_CASES])
def test_bad_input_gives_one_clear_line_and_exit_2(model, args, words):
    default_input = [] if args or model == "good.onnx" else ["--input", f"x={BAD / 'input_ok.npy'}"]
    result = ferry("run", BAD / model, *args, *default_input)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ferry: error: ")
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert "Fatal error" not in result.stderr and "Stack dump" not in result.stderr


def test_bad_models_are_refused_by_inspect_too():
    for name in ["truncated.onnx", "not_onnx.onnx", "cycle.onnx"]:
        result = ferry("inspect", BAD / name)
        assert result.returncode == 2 and name in result.stderr


def test_external_data_is_read(tmp_path):
    ferry("run", BAD / "external" / "model.onnx", "--input", f"x={BAD / 'input_ok.npy'}", "--output-dir", tmp_path, check=0)
    y = np.load(tmp_path / "output_0.npy")
    np.testing.assert_allclose(y, 1 + np.linspace(-1, 1, 4, dtype=np.float32).reshape(1, 4), rtol=0, atol=0)


def test_run_writes_outputs_and_mapping(tmp_path):
    ferry("run", BAD / "good.onnx", "--input", f"x={BAD / 'input_ok.npy'}", "--output-dir", tmp_path, check=0)
    mapping = json.loads((tmp_path / "outputs.json").read_text())
    assert mapping["outputs"] == [{"file": "output_0.npy", "name": "y", "dtype": "float32", "shape": [1, 4]}]
    np.testing.assert_array_equal(np.load(tmp_path / "output_0.npy"), [[1, 2, 3, 4]])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_inspect_json_fields():
    info = json.loads(ferry("inspect", ROOT / "fixtures" / "digits_cnn" / "model.onnx", "--json", check=0).stdout)
    assert info["format"] == "onnx"
    assert info["inputs"][0]["shape"] == [1, 1, 8, 8] and info["inputs"][0]["dtype"] == "float32"
    assert info["op_histogram"]["Conv"] == 2
    assert info["parameter_count"] == 38282
    assert info["weight_bytes_by_dtype"]["float32"] == 38282 * 4
    assert info["opsets"]["ai.onnx"] == 17


def test_bench_json_fields():
    out = ferry("bench", ROOT / "fixtures" / "digits_cnn" / "model.onnx", "--json", "--runs", "3", check=0).stdout
    result = json.loads(out)
    for key in ["load_ms", "median_ms", "p90_ms", "peak_rss_mb"]:
        assert isinstance(result[key], (int, float)) and result[key] >= 0
    assert result["p90_ms"] >= result["median_ms"]


@pytest.mark.parametrize("fixture", ["mobilenet_v2_w035", "transformer_encoder", "lstm"])
def test_outputs_identical_for_any_thread_count(tmp_path, fixture):
    folder = ROOT / "fixtures" / fixture
    with np.load(folder / "eval.npz") as data:
        feeds = {k: data[k][:1] for k in data.files if k != "labels"}
    args = []
    for name, value in feeds.items():
        np.save(tmp_path / f"{name}.npy", value)
        args += ["--input", f"{name}={tmp_path / f'{name}.npy'}"]
    outputs = []
    for threads in (1, 2, 3):
        out = tmp_path / f"t{threads}"
        ferry("run", folder / "model.onnx", *args, "--threads", threads, "--output-dir", out, check=0)
        outputs.append((out / "output_0.npy").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_inspect_describes_bundles_and_refuses_truncated_ones(tmp_path):
    key = tmp_path / "key"
    ferry("keygen", "--out", key, check=0)
    bundle = tmp_path / "digits.ferry"
    ferry("bundle", ROOT / "fixtures" / "digits_cnn" / "model.onnx", "--name", "digits", "--version", "1.0.0",
          "--runtime", "onnxruntime", "--platform", "any", "--key", key, "--out", bundle, check=0)
    text = ferry("inspect", bundle, check=0).stdout
    assert "digits 1.0.0" in text and "model.onnx" in text
    cut = tmp_path / "cut.ferry"
    cut.write_bytes(bundle.read_bytes()[:100])
    result = ferry("inspect", cut)
    assert result.returncode == 2 and "cut.ferry" in result.stderr and len(result.stderr.strip().splitlines()) == 1
