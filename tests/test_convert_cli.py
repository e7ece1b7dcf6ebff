"""`ferry convert --target onnx`: every mode writes DIR/model.onnx that onnxruntime loads and
runs, agreeing with Ferry's reference core and within the drift Ferry's report predicted;
DIR/drift.json and DIR/conversion.json are written; bad usage exits 2; outputs are
byte-identical whatever the thread count. Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))


def ferry(*args, check=None, timeout=600):
    result = subprocess.run([FERRY, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    return result


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def samples(fixture, file, limit):
    data = np.load(FIXTURES / fixture / f"{file}.npz")
    names = [i.name for i in session(FIXTURES / fixture / "model.onnx").get_inputs()]
    count = min(limit, data[names[0]].shape[0])
    return [{n: data[n][i:i + 1] for n in names} for i in range(count)]


def first_float(outputs):
    return next(o for o in outputs if o.dtype == np.float32)


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30))


FIXTURE_NAMES = sorted(p.parent.name for p in FIXTURES.glob("*/model.onnx"))


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_float_conversion_runs_in_onnxruntime_unchanged(fixture, tmp_path):
    ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--data", FIXTURES / fixture / "eval.npz",
          "--max-samples", 8, check=0)
    model = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(model)
    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["passed"] is True
    source, converted = session(FIXTURES / fixture / "model.onnx"), session(tmp_path / "model.onnx")
    for feed in samples(fixture, "eval", 8):
        for a, b in zip(source.run(None, feed), converted.run(None, feed)):
            if a.dtype.kind == "f":
                scale = max(float(np.abs(a).max()), 1e-6)
                assert float(np.abs(a - b).max()) <= 1e-4 * scale, fixture
            else:
                np.testing.assert_array_equal(a, b)


def measured_drift(fixture, model_path, limit=64, optimized=True):
    options = ort.SessionOptions()
    if not optimized:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    source = session(FIXTURES / fixture / "model.onnx")
    converted = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    worst, agree, total = 1.0, 0, 0
    for feed in samples(fixture, "eval", limit):
        a, b = first_float(source.run(None, feed)), first_float(converted.run(None, feed))
        worst = min(worst, cosine(a, b))
        agree += int(a.argmax() == b.argmax())
        total += 1
    return worst, agree / total


@pytest.mark.parametrize("fixture", ["digits_cnn", "sklearn_mlp", "mobilenet_v2_w035"])
def test_int8_runs_in_onnxruntime_with_the_drift_ferry_predicted(fixture, tmp_path):
    # --reduce-range (7-bit weights): onnxruntime's AVX2 int8 kernels (x86 without VNNI) sum
    # pairs of u8·s8 products in int16 and saturate with 8-bit weights; 7-bit weights never do.
    result = ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--quantize", "int8", "--reduce-range",
                   "--calibration", FIXTURES / fixture / "calibration.npz", "--data", FIXTURES / fixture / "eval.npz",
                   "--max-samples", 32, "--threads", 2, check=0)
    assert "PASS" in result.stdout
    model = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(model)
    assert {"QuantizeLinear", "DequantizeLinear"} <= {n.op_type for n in model.graph.node}
    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["passed"] is True
    predicted = min(o["metrics"]["cosine"] for o in report["outputs"] if o["metrics"].get("cosine") is not None)
    # Node by node (no fusion), onnxruntime computes what Ferry's reference core ran: the same
    # drift on the trained fixtures. The MobileNet fixture has random weights, which amplify a
    # one-step rounding flip (float sums in another order) layer after layer; it must stay
    # within the budget.
    plain, _ = measured_drift(fixture, tmp_path / "model.onnx", limit=32, optimized=False)
    if fixture.startswith("mobilenet"):
        assert plain >= 0.99, (plain, predicted)
    else:
        assert abs(plain - predicted) < 1e-4, (plain, predicted)
    # With its integer kernels fused in, onnxruntime rounds differently but stays within the budget.
    fused, top1 = measured_drift(fixture, tmp_path / "model.onnx", limit=32)
    assert fused >= 0.99 and top1 >= 0.99, (fused, top1, predicted)


@pytest.mark.parametrize("fixture", ["digits_cnn", "keras_digits", "transformer_encoder", "mobilenet_v2_w035"])
def test_int16x8_runs_in_onnxruntime_with_the_drift_ferry_predicted(fixture, tmp_path):
    # 16x8: int16 activations (symmetric) and int8 weights. Below opset 21 the int16
    # QuantizeLinear/DequantizeLinear go in onnxruntime's com.microsoft domain, as its own
    # quantizer writes them; everything else stays standard.
    result = ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--quantize", "int16x8",
                   "--calibration", FIXTURES / fixture / "calibration.npz", "--data", FIXTURES / fixture / "eval.npz",
                   "--max-samples", 16, "--max-drift", "none", check=0)
    assert "PASS" in result.stdout
    model = onnx.load(tmp_path / "model.onnx")
    qdq = [n for n in model.graph.node if n.op_type in ("QuantizeLinear", "DequantizeLinear")]
    assert qdq and any(n.domain == "com.microsoft" for n in qdq)
    assert {o.domain for o in model.opset_import} >= {"", "com.microsoft"}
    int16 = {t.name for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT16}
    assert int16, "no int16 zero points"
    report = json.loads((tmp_path / "drift.json").read_text())
    predicted = min(o["metrics"]["cosine"] for o in report["outputs"] if o["metrics"].get("cosine") is not None)
    # Node by node, onnxruntime computes what Ferry ran; int16 steps are fine enough that float
    # sums in another order flip some of them, so the drift agrees closely rather than exactly.
    plain, _ = measured_drift(fixture, tmp_path / "model.onnx", limit=16, optimized=False)
    assert abs(plain - predicted) < 2e-3, (plain, predicted)
    int8_free = {n.op_type for n in model.graph.node} & {"QLinearConv", "QLinearMatMul"}
    assert not int8_free


def test_budget_none_quantizes_everything_and_tight_budgets_keep_layers_float(tmp_path):
    fixture = FIXTURES / "mobilenet_v2_w035"
    common = ["--quantize", "int8", "--calibration", fixture / "calibration.npz", "--max-samples", 8, "--threads", 2]
    ferry("convert", fixture / "model.onnx", "--out", tmp_path / "all", "--max-drift", "none", *common, check=0)
    conversion = json.loads((tmp_path / "all" / "conversion.json").read_text())
    assert conversion["float_layers"] == []
    ferry("convert", fixture / "model.onnx", "--out", tmp_path / "mixed", "--max-drift", "cosine=0.999", *common, check=0)
    mixed = json.loads((tmp_path / "mixed" / "conversion.json").read_text())
    assert 0 < len(mixed["float_layers"]) < conversion["quantized_layers"]
    for layer in mixed["float_layers"]:
        assert layer["reason"] and layer["sensitivity_cosine"] <= 1
    report = json.loads((tmp_path / "mixed" / "drift.json").read_text())
    assert report["passed"] is True
    session(tmp_path / "mixed" / "model.onnx")


def test_dynamic_mode_keeps_the_most_sensitive_layers_float_to_meet_a_tight_budget(tmp_path):
    fixture = FIXTURES / "mobilenet_v2_w035"
    common = ["--quantize", "dynamic", "--data", fixture / "eval.npz", "--threads", 2]
    ferry("convert", fixture / "model.onnx", "--out", tmp_path / "all", "--max-drift", "none", *common, check=0)
    everything = json.loads((tmp_path / "all" / "conversion.json").read_text())
    assert everything["float_layers"] == [] and everything["quantized_layers"] > 40
    loose = json.loads((tmp_path / "all" / "drift.json").read_text())["outputs"][0]["metrics"]["cosine"]
    assert loose < 0.99999, loose   # so that the budget below needs some layers in float
    ferry("convert", fixture / "model.onnx", "--out", tmp_path / "mixed", "--max-drift", "cosine=0.99999", *common, check=0)
    mixed = json.loads((tmp_path / "mixed" / "conversion.json").read_text())
    kept = mixed["float_layers"]
    assert 0 < len(kept) < everything["quantized_layers"]
    assert mixed["quantized_layers"] == everything["quantized_layers"] - len(kept)
    assert all(layer["sensitivity_cosine"] < 0.99999 and "alone" in layer["reason"] for layer in kept[:1])
    assert json.loads((tmp_path / "mixed" / "drift.json").read_text())["passed"] is True
    # The kept layers read float weights; the others int8 behind a DequantizeLinear.
    model = onnx.load(tmp_path / "mixed" / "model.onnx")
    dequantized = {n.output[0] for n in model.graph.node if n.op_type == "DequantizeLinear"}
    for node in model.graph.node:
        if node.op_type == "Conv":
            assert (node.input[1] in dequantized) == (node.name not in {layer["node"] for layer in kept}), node.name
    session(tmp_path / "mixed" / "model.onnx")


@pytest.mark.parametrize("mode", ["fp16", "dynamic"])
def test_weight_only_modes_run_in_onnxruntime(mode, tmp_path):
    fixture = "mobilenet_v3_small_w050"
    ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--quantize", mode,
          "--data", FIXTURES / fixture / "eval.npz", check=0)
    source_size = (FIXTURES / fixture / "model.onnx").stat().st_size
    assert (tmp_path / "model.onnx").stat().st_size < source_size * (0.6 if mode == "fp16" else 0.4)
    worst, top1 = measured_drift(fixture, tmp_path / "model.onnx", limit=4)
    assert worst > (0.9999 if mode == "fp16" else 0.999), worst
    assert top1 == 1


def test_channel_pruning_shrinks_the_model_and_onnxruntime_runs_it(tmp_path):
    fixture = FIXTURES / "mobilenet_v2_w035"
    result = ferry("convert", fixture / "model.onnx", "--out", tmp_path, "--prune", "channels:0.25", "--max-drift", "none", check=0)
    assert "pruned" in result.stdout
    conversion = json.loads((tmp_path / "conversion.json").read_text())
    assert conversion["pruned_layers"] and all(l["channels_after"] < l["channels_before"] for l in conversion["pruned_layers"])
    assert (tmp_path / "model.onnx").stat().st_size < 0.85 * (fixture / "model.onnx").stat().st_size
    feed = samples("mobilenet_v2_w035", "eval", 1)[0]
    expected = session(fixture / "model.onnx").run(None, feed)[0].shape
    assert session(tmp_path / "model.onnx").run(None, feed)[0].shape == expected


def test_two_of_four_sparsity_is_reported_per_layer(tmp_path):
    fixture = FIXTURES / "digits_cnn"
    ferry("convert", fixture / "model.onnx", "--out", tmp_path, "--prune", "2:4", "--max-drift", "none", check=0)
    layers = json.loads((tmp_path / "conversion.json").read_text())["pruned_layers"]
    # Groups of 4 along each reduction row keep 2; a row whose length is not a multiple of 4
    # ends in a shorter group (the 3×3 single-channel filters: 4+4+1 → 2+2+1 kept).
    assert layers and all(0.4 <= l["sparsity"] <= 0.5 for l in layers)
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in onnx.load(tmp_path / "model.onnx").graph.initializer}
    for layer in layers:
        assert np.isclose((weights[layer["weight"]] == 0).mean(), layer["sparsity"])


def test_conversion_is_byte_identical_across_thread_counts(tmp_path):
    fixture = FIXTURES / "digits_cnn"
    for threads in (1, 3):
        ferry("convert", fixture / "model.onnx", "--out", tmp_path / str(threads), "--quantize", "int8",
              "--calibration-method", "entropy", "--calibration", fixture / "calibration.npz", "--threads", threads, check=0)
    for name in ["model.onnx", "drift.json", "drift.md", "conversion.json"]:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "3" / name).read_bytes(), name


@pytest.mark.parametrize("fixture", ["mobilenet_v2_w035", "lstm", "transformer_encoder"])
def test_report_is_the_same_whether_or_not_the_source_runs_again(fixture, tmp_path):
    # Without --data, verification measures the calibration samples, and where the optimized
    # float model computes the source's values bit for bit, it takes the source's outputs from
    # the calibration runs; naming the same file as --data runs the source on every sample.
    folder = FIXTURES / fixture
    for name, extra in [("reused", []), ("rerun", ["--data", folder / "calibration.npz"])]:
        ferry("convert", folder / "model.onnx", "--out", tmp_path / name, "--quantize", "int8", "--calibration",
              folder / "calibration.npz", "--max-drift", "none", "--threads", 2, *extra, check=0)
    for name in ["model.onnx", "drift.json", "drift.md"]:
        assert (tmp_path / "reused" / name).read_bytes() == (tmp_path / "rerun" / name).read_bytes(), name


BAD = [
    (["--quantize", "int8"], ["--quantize int8 needs calibration data"]),
    (["--quantize", "int4x"], ["--quantize 'int4x'"]),
    (["--target", "coreml9"], ["--target 'coreml9'"]),
    (["--keep-float", "no_such_layer"], ["--keep-float no_such_layer"]),
    (["--input-shape", "input=1,a"], ["--input-shape 'input=1,a'"]),
    (["--input-shape", "nope=1,1,8,8"], ["no input named 'nope'"]),
    (["--prune", "5:4"], ["--prune '5:4'"]),
    (["--max-drift", "cosine=2"], ["cosine"]),
    (["--calibration-method", "magic", "--quantize", "int8"], ["--calibration-method 'magic'"]),
]


@pytest.mark.parametrize("args,words", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_usage_exits_2_with_one_line(args, words, tmp_path):
    result = ferry("convert", FIXTURES / "digits_cnn" / "model.onnx", "--out", tmp_path / "out", *args)
    assert result.returncode == 2, result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ferry: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_corrupt_calibration_archive_names_the_member(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, **np.load(FIXTURES / "digits_cnn" / "calibration.npz"))  # stored, not deflated
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the array's bytes: only the CRC-32 can tell
    bad.write_bytes(bytes(data))
    result = ferry("convert", FIXTURES / "digits_cnn" / "model.onnx", "--out", tmp_path / "out", "--quantize", "int8",
                   "--calibration", bad)
    assert result.returncode == 2, result.stderr
    assert "bad.npz:" in result.stderr and "corrupt member" in result.stderr, result.stderr
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_truncated_source_names_the_file(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes((FIXTURES / "digits_cnn" / "model.onnx").read_bytes()[:5000])
    result = ferry("convert", broken, "--out", tmp_path / "out")
    assert result.returncode == 2 and "broken.onnx" in result.stderr


@pytest.mark.parametrize("mode", ["int8", "dynamic"])
def test_nan_weight_is_refused_by_name(mode, tmp_path):
    model = onnx.load(FIXTURES / "digits_cnn" / "model.onnx")
    weight = next(i for i in model.graph.initializer if len(i.dims) == 4)
    values = onnx.numpy_helper.to_array(weight).copy()
    values.flat[3] = np.nan
    weight.CopyFrom(onnx.numpy_helper.from_array(values, weight.name))
    onnx.save(model, tmp_path / "nan.onnx")
    args = ["--calibration", FIXTURES / "digits_cnn" / "calibration.npz"] if mode == "int8" else []
    result = ferry("convert", tmp_path / "nan.onnx", "--out", tmp_path / "out", "--quantize", mode, *args)
    assert result.returncode == 2, result.stderr
    assert f"weight '{weight.name}'" in result.stderr and "NaN" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fixture", ["digits_cnn", "mobilenet_v3_small_w050", "transformer_encoder"])
def test_tflite_target_runs_in_litert_as_verified(fixture, tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--target", "tflite",
          "--data", FIXTURES / fixture / "eval.npz", "--max-samples", 4, check=0)
    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["candidate"] == "model.tflite" and report["passed"] is True
    runner = Interpreter(model_path=str(tmp_path / "model.tflite"), num_threads=1)
    runner.allocate_tensors()
    signature = runner.get_signature_runner("serving_default")
    source = session(FIXTURES / fixture / "model.onnx")
    for feed in samples(fixture, "eval", 4):
        expected = source.run(None, feed)
        actual = signature(**feed)
        for info, reference in zip(source.get_outputs(), expected):
            if reference.dtype.kind == "f":
                span = max(float(reference.max() - reference.min()), 1e-6)
                assert float(np.abs(actual[info.name] - reference).max()) <= 1e-4 * span
            else:
                np.testing.assert_array_equal(actual[info.name], reference)


def test_tflite_target_names_the_op_it_cannot_write(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    # Erf on its own (outside a GELU) has no TFLite builtin.
    graph = helper.make_graph([helper.make_node("Erf", ["x"], ["y"], name="lonely_erf")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    source = tmp_path / "erf.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), source)
    out = tmp_path / "out"
    result = ferry("convert", source, "--out", out, "--target", "tflite")
    assert result.returncode == 2
    assert "lonely_erf" in result.stderr and "erf.onnx" in result.stderr
    assert not (out / "model.tflite").exists()


@pytest.mark.parametrize("mode", ["int4-weights", "int8-weights"])
@pytest.mark.parametrize("opset", [None, 21])
def test_block_weight_only_quantization_runs_in_onnxruntime(mode, opset, tmp_path):
    # Below opset 21: ONNX Runtime's MatMulNBits (com.microsoft), as its own block quantizer
    # writes it; from opset 21: a standard blocked DequantizeLinear with int4/int8 values.
    source = FIXTURES / "transformer_encoder" / "model.onnx"
    if opset:
        from onnx import version_converter
        upgraded = version_converter.convert_version(onnx.load(source), opset)
        source = tmp_path / "source.onnx"
        onnx.save(upgraded, source)
    out = tmp_path / "out"
    result = ferry("convert", source, "--out", out, "--quantize", mode, "--block-size", 16,
                   "--data", FIXTURES / "transformer_encoder" / "eval.npz", "--max-samples", 16, "--max-drift", "none", check=0)
    assert "PASS" in result.stdout
    model = onnx.load(out / "model.onnx")
    ops = {(n.domain, n.op_type) for n in model.graph.node}
    if opset:
        assert ("", "DequantizeLinear") in ops and ("com.microsoft", "MatMulNBits") not in ops
        blocked = [n for n in model.graph.node if n.op_type == "DequantizeLinear"]
        assert all(any(a.name == "block_size" and a.i == 16 for a in n.attribute) for n in blocked)
    else:
        assert ("com.microsoft", "MatMulNBits") in ops
        assert all(a.i == (4 if mode == "int4-weights" else 8) for n in model.graph.node if n.op_type == "MatMulNBits"
                   for a in n.attribute if a.name == "bits")
    assert (out / "model.onnx").stat().st_size < 0.5 * (FIXTURES / "transformer_encoder" / "model.onnx").stat().st_size
    # Node by node, onnxruntime computes what Ferry's reference core ran, to float rounding. With
    # its optimizations on, it fuses a blocked DequantizeLinear + MatMul into its own MatMulNBits
    # kernel (which may quantize activations), so that drift is bounded, not equal.
    report = json.loads((out / "drift.json").read_text())
    predicted = min(o["metrics"]["cosine"] for o in report["outputs"] if o["metrics"].get("cosine") is not None)
    plain, _ = measured_drift("transformer_encoder", out / "model.onnx", limit=16, optimized=False)
    assert abs(plain - predicted) < 1e-4, (plain, predicted)
    fused, _ = measured_drift("transformer_encoder", out / "model.onnx", limit=16)
    assert fused > predicted - 0.005, (fused, predicted)
    assert predicted > (0.99 if mode == "int4-weights" else 0.9999), predicted


def test_block_weights_refuse_other_targets(tmp_path):
    result = ferry("convert", FIXTURES / "digits_cnn" / "model.onnx", "--out", tmp_path, "--quantize", "int4-weights",
                   "--target", "tflite")
    assert result.returncode == 2 and "int4-weights" in result.stderr and "--target onnx" in result.stderr
