"""`ferry verify`: the drift gate CI jobs rely on. Exit codes (0 within budget, 1 over budget,
2 bad usage or input), one-line errors naming what is wrong, the first drifting layer, JUnit and
JSON reports, integer-I/O QDQ candidates, and byte-identical reports for any thread count.
Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
DIGITS = ROOT / "fixtures" / "digits_cnn"
MODEL = DIGITS / "model.onnx"
DATA = DIGITS / "eval.npz"
# The second convolution of digits_cnn: the layer the perturbed model changes.
CONV2 = "/features/features.3/Conv"
CONV2_OUT = "/features/features.3/Conv_output_0"

JSON_KEYS = ["format", "version", "source", "candidate", "samples", "passed", "budget", "outputs", "violations", "layers"]
OUTPUT_KEYS = ["name", "source_dtype", "candidate_dtype", "dequantized", "shape", "classifier", "metrics", "checks"]
METRIC_KEYS = ["max_abs", "mean_abs", "rel", "rel_mean", "cosine", "cosine_mean", "snr_db", "snr_db_mean", "top1", "topk", "k"]


def ferry(*args, check=None):
    result = subprocess.run([FERRY, *map(str, args)], capture_output=True, text=True, timeout=300)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    return result


def one_error_line(result, *words):
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ferry: error: "), lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert "Fatal error" not in result.stderr


@pytest.fixture(scope="module")
def perturbed(tmp_path_factory):
    """digits_cnn with the second convolution's weights scrambled (fixed seed): everything before
    that layer is unchanged, everything from it on drifts."""
    model = onnx.load(MODEL)
    conv = next(n for n in model.graph.node if n.name == CONV2)
    weight = next(i for i in model.graph.initializer if i.name == conv.input[1])
    values = numpy_helper.to_array(weight)
    rng = np.random.default_rng(0)
    scrambled = values * rng.normal(0.0, 1.5, size=values.shape).astype(np.float32)
    weight.CopyFrom(numpy_helper.from_array(scrambled.astype(np.float32), weight.name))
    path = tmp_path_factory.mktemp("perturbed") / "perturbed.onnx"
    onnx.save(model, path)
    return path


@pytest.fixture(scope="module")
def qdq_io(tmp_path_factory):
    """digits_cnn in QDQ form with integer I/O: a uint8 input read by a DequantizeLinear (scale
    1/16, exact for this data) and an int8 output written by a QuantizeLinear."""
    model = onnx.load(MODEL)
    graph = model.graph
    for node in graph.node:
        node.input[:] = ["input_dq" if name == "input" else name for name in node.input]
        node.output[:] = ["logits_f" if name == "logits" else name for name in node.output]
    logits_range = 40.0
    graph.initializer.extend([
        numpy_helper.from_array(np.array(1 / 16, np.float32), "in_scale"),
        numpy_helper.from_array(np.array(0, np.uint8), "in_zero"),
        numpy_helper.from_array(np.array(logits_range / 127, np.float32), "out_scale"),
        numpy_helper.from_array(np.array(0, np.int8), "out_zero"),
    ])
    graph.node.insert(0, helper.make_node("DequantizeLinear", ["input", "in_scale", "in_zero"], ["input_dq"], name="dq_input"))
    graph.node.append(helper.make_node("QuantizeLinear", ["logits_f", "out_scale", "out_zero"], ["logits"], name="q_logits"))
    graph.input[0].type.tensor_type.elem_type = TensorProto.UINT8
    graph.output[0].type.tensor_type.elem_type = TensorProto.INT8
    onnx.checker.check_model(model)
    path = tmp_path_factory.mktemp("qdq") / "qdq.onnx"
    onnx.save(model, path)
    return path


def test_identical_model_is_within_budget(tmp_path):
    result = ferry("verify", MODEL, MODEL, "--data", DATA, "--json", tmp_path / "r.json", check=0)
    assert "PASS" in result.stdout and "logits" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["passed"] is True and report["samples"] == 360
    metrics = report["outputs"][0]["metrics"]
    assert metrics["max_abs"] == 0 and metrics["cosine"] == 1 and metrics["snr_db"] == "inf"
    assert metrics["top1"] == 1 and metrics["k"] == 5
    assert report["layers"]["first_drift"] is None
    assert report["layers"]["compared"] == 9   # every node output of digits_cnn is float


def test_perturbed_weights_fail_with_the_right_first_layer(tmp_path, perturbed):
    result = ferry("verify", MODEL, perturbed, "--data", DATA, "--json", tmp_path / "r.json", "--markdown", tmp_path / "r.md")
    assert result.returncode == 1, result.stderr + result.stdout
    assert "FAIL" in result.stdout and CONV2_OUT in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["passed"] is False
    first = report["layers"]["first_drift"]
    assert first["value"] == CONV2_OUT and first["node"] == CONV2 and first["op"] == "Conv"
    values = report["layers"]["values"]
    before = values[: first["index"]]
    assert [v["value"] for v in before] == ["/features/features.0/Conv_output_0", "/features/features.2/Relu_output_0"]
    assert all(v["metrics"]["max_abs"] == 0 for v in before)
    assert {(v["output"], v["metric"]) for v in report["violations"]} >= {("logits", "cosine")}
    assert CONV2_OUT in (tmp_path / "r.md").read_text()


def test_junit_has_a_failure_only_when_over_budget(tmp_path, perturbed):
    ferry("verify", MODEL, perturbed, "--data", DATA, "--junit", tmp_path / "bad.xml", check=1)
    root = ET.parse(tmp_path / "bad.xml").getroot()
    assert root.tag == "testsuites" and int(root.get("failures")) >= 1
    failures = root.findall(".//testcase/failure")
    assert failures and any("cosine" in f.get("message") for f in failures)
    assert CONV2_OUT in root.find(".//system-out").text

    ferry("verify", MODEL, MODEL, "--data", DATA, "--junit", tmp_path / "good.xml", check=0)
    good = ET.parse(tmp_path / "good.xml").getroot()
    assert good.get("failures") == "0" and not good.findall(".//failure")
    assert len(good.findall(".//testcase")) == 2   # logits: cosine and top1


def test_budget_flags_config_and_none(tmp_path, perturbed):
    # A loose enough bound passes; flags override the config file; none checks nothing.
    config = tmp_path / "verify.json"
    config.write_text(json.dumps({"max_drift": {"cosine": -1, "logits": {"max_abs": 1e9}}, "layer_bound": "none"}))
    result = ferry("verify", MODEL, perturbed, "--data", DATA, "--config", config, "--json", "-", check=0)
    report = json.loads(result.stdout)
    assert [(b["output"], b["metric"]) for b in report["budget"]] == [(None, "cosine"), ("logits", "max_abs")]
    assert report["layers"]["values"] == [] and report["layers"]["bound"] == []
    ferry("verify", MODEL, perturbed, "--data", DATA, "--config", config, "--max-drift", "cosine=0.99", check=1)
    ferry("verify", MODEL, perturbed, "--data", DATA, "--max-drift", "none", check=0)
    ferry("verify", MODEL, perturbed, "--data", DATA, "--max-drift", "logits:top1=0.0", check=0)


@pytest.mark.parametrize("args,words", [
    (["--max-drift", "cosin=0.9"], ["'cosin=0.9'", "unknown metric"]),
    (["--max-drift", "cosine=high"], ["'cosine=high'", "not a number"]),
    (["--max-drift", "probs:cosine=0.9"], ["no output 'probs'", "'logits'"]),
    (["--layer-bound", "top1=0.5"], ["'top1=0.5'"]),
    (["--threads", "0"], ["--threads", "'0'"]),
    (["--bogus"], ["unknown option '--bogus'"]),
    (["--config", "/nonexistent/verify.json"], ["/nonexistent/verify.json", "does not exist"]),
    (["--classifier", "nope"], ["no output 'nope'"]),
])
def test_bad_usage_exits_2_naming_the_token(args, words):
    one_error_line(ferry("verify", MODEL, MODEL, "--data", DATA, *args), *words)


def test_bad_inputs_exit_2_naming_file_and_input(tmp_path):
    one_error_line(ferry("verify", MODEL, MODEL, "--data", tmp_path / "missing.npz"), "missing.npz", "does not exist")
    one_error_line(ferry("verify", MODEL, tmp_path / "nope.onnx", "--data", DATA), "nope.onnx", "does not exist")
    one_error_line(ferry("verify", MODEL, ROOT / "fixtures" / "bad" / "truncated.onnx", "--data", DATA), "truncated.onnx")
    one_error_line(ferry("verify", MODEL, "--data", DATA), "SOURCE and CANDIDATE")
    one_error_line(ferry("verify", MODEL, MODEL), "--data")
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((2, 3), np.float32))
    one_error_line(ferry("verify", MODEL, MODEL, "--data", wrong), "wrong.npy", "input 'input'", "[1,1,8,8]", "[2,3]")
    doubles = tmp_path / "doubles.npz"
    np.savez(doubles, input=np.zeros((4, 1, 1, 8, 8), np.float64))
    one_error_line(ferry("verify", MODEL, MODEL, "--data", doubles), "doubles.npz", "'input'", "float32", "float64")
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros((1, 1, 8, 8), np.float32), labels=np.zeros(1))
    one_error_line(ferry("verify", MODEL, MODEL, "--data", other), "other.npz", "no array for input 'input'")


def test_integer_io_qdq_candidate_is_quantized_and_dequantized(tmp_path, qdq_io):
    result = ferry("verify", MODEL, qdq_io, "--data", DATA, "--json", "-", check=0)
    report = json.loads(result.stdout)
    output = report["outputs"][0]
    assert output["candidate_dtype"] == "int8" and output["source_dtype"] == "float32" and output["dequantized"]
    # The input grid (1/16) is exact for this data, so only the output's rounding remains:
    # at most half a step, unless a logit falls outside the int8 range.
    step = np.float32(40.0 / 127)
    assert output["metrics"]["max_abs"] <= step / 2 + 1e-6
    assert output["metrics"]["cosine"] > 0.999
    # Intermediates are float in both and unchanged by the integer boundary.
    assert report["layers"]["values"][0]["metrics"]["max_abs"] == 0


def test_reports_are_identical_for_any_thread_count(tmp_path, perturbed):
    texts = []
    for threads in (1, 3):
        out = tmp_path / f"t{threads}"
        out.mkdir()
        ferry("verify", MODEL, perturbed, "--data", DATA, "--threads", threads, "--json", out / "r.json",
              "--junit", out / "r.xml", "--markdown", out / "r.md", check=1)
        texts.append([(out / name).read_bytes() for name in ("r.json", "r.xml", "r.md")])
        assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert texts[0] == texts[1]


def test_json_keys_are_stable(tmp_path, perturbed):
    for candidate in (MODEL, perturbed):
        out = ferry("verify", MODEL, candidate, "--data", DATA, "--max-samples", 20, "--json", "-").stdout
        report = json.loads(out)
        assert list(report) == JSON_KEYS
        assert report["samples"] == 20
        assert list(report["outputs"][0]) == OUTPUT_KEYS
        assert list(report["outputs"][0]["metrics"]) == METRIC_KEYS
        assert list(report["layers"]) == ["bound", "samples", "compared", "skipped", "first_drift", "values"]
        assert list(report["layers"]["values"][0]) == ["index", "value", "node", "op", "dequantized", "metrics", "exceeds"]


def test_folder_and_named_data(tmp_path):
    with np.load(DATA) as data:
        x = data["input"][:5]
    folder = tmp_path / "samples"
    folder.mkdir()
    for i in range(5):
        np.save(folder / f"s{i}.npy", x[i : i + 1])
    a = json.loads(ferry("verify", MODEL, MODEL, "--data", folder, "--json", "-", check=0).stdout)
    np.save(tmp_path / "x.npy", x)
    b = json.loads(ferry("verify", MODEL, MODEL, "--data", f"input={tmp_path / 'x.npy'}", "--json", "-", check=0).stdout)
    assert a["samples"] == b["samples"] == 5


def test_help_documents_metrics_budgets_and_exit_codes():
    text = " ".join(ferry("verify", "--help", check=0).stdout.split())
    for word in ["max_abs", "mean_abs", "rel", "cosine", "snr_db", "top1", "topk", "upper bounds", "lower bounds",
                 "cosine=0.99 and top1=0.99", "--max-drift none", "--layer-bound", "0 within budget",
                 "1 drift over budget", "2 bad usage or input"]:
        assert word in text, word


def test_onnxruntime_qdq_candidate_pairs_layers_after_their_quantization(tmp_path):
    """onnxruntime's quantize_static (QDQ, per-channel int8) drops each Relu after a Conv or Gemm
    and gives its output name to the value its QuantizeLinear clips; verify compares such values
    as they leave the QuantizeLinear → DequantizeLinear pair, so no layer looks broken."""
    quantization = pytest.importorskip("onnxruntime.quantization")
    with np.load(DIGITS / "calibration.npz") as data:
        calibration = [{"input": data["input"][i : i + 1]} for i in range(len(data["input"]))]

    class Reader(quantization.CalibrationDataReader):
        def __init__(self):
            self.items = iter(calibration)

        def get_next(self):
            return next(self.items, None)

    candidate = tmp_path / "int8.onnx"
    quantization.quantize_static(str(MODEL), str(candidate), Reader(), quant_format=quantization.QuantFormat.QDQ,
                                 per_channel=True, activation_type=quantization.QuantType.QInt8,
                                 weight_type=quantization.QuantType.QInt8)
    report = json.loads(ferry("verify", MODEL, candidate, "--data", DATA, "--json", "-", check=0).stdout)
    assert report["outputs"][0]["metrics"]["top1"] >= 0.99
    values = {v["value"]: v for v in report["layers"]["values"]}
    relu = values["/features/features.2/Relu_output_0"]
    assert relu["dequantized"] and relu["metrics"]["cosine"] > 0.99
    assert report["layers"]["first_drift"] is None
