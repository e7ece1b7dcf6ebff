"""`ferry convert --target onnx --onnx-opset N --ort`: every fixture at opsets 11, 13, 17, 21 and
the source's own, float and int8, runs in onnxruntime; the .onnx file carries the requested
opset, agrees with Ferry's reference core (`ferry run`) and, for int8, shows the drift Ferry
predicted; the .ort file (ONNX Runtime's ORT format, loaded by the full onnxruntime build through
the same flatbuffer loader ONNX Runtime Mobile uses) gives bit-identical outputs to the .onnx
file with graph optimizations off, and its kernel type string section equals what onnxruntime
itself writes for the same graph. Refusals name the node and the opset it needs. The generated
schema table (Sources/ONNXOpsets/ONNXSchemaTable.swift) must match the installed onnx package.
Needs FERRY_BIN (set by `make test`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
PYTHON = os.environ.get("FERRY_PYTHON", sys.executable)
FIXTURE_NAMES = sorted(p.parent.name for p in FIXTURES.glob("*/model.onnx"))
OPSETS = [11, 13, 17, 21, None]  # None: the source's own opset
SAMPLES = 4

sys.path.insert(0, str(pathlib.Path(ort.__file__).parent / "tools" / "ort_format_model"))
from ort_flatbuffers_py.fbs import InferenceSession as OrtSession  # noqa: E402


def ferry(*args, check=None, timeout=600):
    result = subprocess.run([FERRY, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    return result


def session(path, optimized=True, save_ort=None):
    options = ort.SessionOptions()
    if not optimized:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    if save_ort is not None:
        options.optimized_model_filepath = str(save_ort)
        options.add_session_config_entry("session.save_model_format", "ORT")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def samples(fixture, limit=SAMPLES):
    data = np.load(FIXTURES / fixture / "eval.npz")
    names = [i.name for i in session(FIXTURES / fixture / "model.onnx").get_inputs()]
    count = min(limit, data[names[0]].shape[0])
    return [{n: data[n][i:i + 1] for n in names} for i in range(count)]


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30))


def close(actual, expected, rtol):
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected)
        return
    scale = max(float(np.abs(expected).max()), 1e-6)
    assert float(np.abs(actual.astype(np.float64) - expected).max()) <= rtol * scale


def resolver(path):
    """The kernel_type_str_resolver section: op id → type string → [(arg type, index)]."""
    root = OrtSession.InferenceSession.GetRootAsInferenceSession(pathlib.Path(path).read_bytes(), 0)
    table = root.KernelTypeStrResolver()
    assert table is not None, f"{path} has no kernel_type_str_resolver"
    result = {}
    for i in range(table.OpKernelTypeStrArgsLength()):
        entry = table.OpKernelTypeStrArgs(i)
        result[entry.OpId().decode()] = {
            entry.KernelTypeStrArgs(j).KernelTypeStr().decode(): [
                (entry.KernelTypeStrArgs(j).Args(k).ArgType(), entry.KernelTypeStrArgs(j).Args(k).Index())
                for k in range(entry.KernelTypeStrArgs(j).ArgsLength())]
            for j in range(entry.KernelTypeStrArgsLength())}
    return result, root.OrtVersion().decode()


def ferry_run(model, feed, out):
    out.mkdir(parents=True, exist_ok=True)
    args = []
    for name, array in feed.items():
        path = out / f"{name.replace('/', '_')}.npy"
        np.save(path, array)
        args += ["--input", f"{name}={path}"]
    ferry("run", model, *args, "--output-dir", out, check=0)
    listed = json.loads((out / "outputs.json").read_text())["outputs"]
    return {entry["name"]: np.load(out / entry["file"]) for entry in listed}


CASES = [(f, o, m) for f in FIXTURE_NAMES for o in OPSETS for m in ("float", "int8") if not (m == "int8" and o == 11)]


@pytest.mark.parametrize("fixture,opset,mode", CASES, ids=[f"{f}-{o or 'source'}-{m}" for f, o, m in CASES])
def test_converted_model_runs_in_onnxruntime_and_the_ort_file_matches(fixture, opset, mode, tmp_path):
    source = FIXTURES / fixture / "model.onnx"
    args = ["--target", "onnx", "--ort", "--data", FIXTURES / fixture / "eval.npz", "--max-samples", 8]
    if opset is not None:
        args += ["--onnx-opset", opset]
    if mode == "int8":
        args += ["--quantize", "int8", "--calibration", FIXTURES / fixture / "calibration.npz"]
    ferry("convert", source, "--out", tmp_path, *args, check=0)

    model = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(model)
    written = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    expected_opset = opset or {o.domain or "ai.onnx": o.version for o in onnx.load(source).opset_import}["ai.onnx"]
    assert written["ai.onnx"] == expected_opset
    details = json.loads((tmp_path / "conversion.json").read_text())["target_details"]
    assert details["opset"] == str(expected_opset) and details["ort_format_version"] == "5"

    feeds = samples(fixture)
    plain_onnx, plain_ort = session(tmp_path / "model.onnx", optimized=False), session(tmp_path / "model.ort", optimized=False)
    reference = session(source)
    for feed in feeds:
        # The .ort file is the same graph: bit-identical node by node.
        for a, b in zip(plain_onnx.run(None, feed), plain_ort.run(None, feed)):
            np.testing.assert_array_equal(a, b)
    if mode == "float":
        optimized = session(tmp_path / "model.onnx")
        for feed in feeds:
            for a, b in zip(optimized.run(None, feed), reference.run(None, feed)):
                close(a, b, 1e-4)
        # Ferry's reference core on the written file computes what onnxruntime computes.
        ours = ferry_run(tmp_path / "model.onnx", feeds[0], tmp_path / "run")
        for output, value in zip(optimized.get_outputs(), optimized.run(None, feeds[0])):
            close(ours[output.name], value, 1e-4)
    else:
        report = json.loads((tmp_path / "drift.json").read_text())
        predicted = min(o["metrics"]["cosine"] for o in report["outputs"] if o["metrics"].get("cosine") is not None)
        floats = [i for i, o in enumerate(reference.get_outputs()) if o.type == "tensor(float)"]
        worst = 1.0
        for feed in samples(fixture, 8):
            a, b = reference.run(None, feed)[floats[0]], plain_onnx.run(None, feed)[floats[0]]
            worst = min(worst, cosine(a, b))
        # Node by node onnxruntime computes the QDQ graph Ferry verified (the MobileNets' random
        # weights amplify one-step rounding flips, so they are held to the budget instead).
        if fixture.startswith("mobilenet"):
            assert worst >= 0.99, (worst, predicted)
        else:
            assert abs(worst - predicted) < 1e-4, (worst, predicted)


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_kernel_type_strings_equal_what_onnxruntime_writes(fixture, tmp_path):
    ferry("convert", FIXTURES / fixture / "model.onnx", "--out", tmp_path, "--ort", check=0)
    theirs = tmp_path / "onnxruntime.ort"
    session(tmp_path / "model.onnx", optimized=False, save_ort=theirs)
    ours, version = resolver(tmp_path / "model.ort")
    reference, _ = resolver(theirs)
    assert version == "5"
    assert ours == reference
    # Same graph, names shared as onnxruntime shares them: no larger than onnxruntime's own file.
    assert (tmp_path / "model.ort").stat().st_size <= theirs.stat().st_size


def test_ort_version_picks_the_opset_that_release_runs(tmp_path):
    ferry("convert", FIXTURES / "keras_digits" / "model.onnx", "--out", tmp_path, "--ort-version", "1.14.1", check=0)
    opsets = {o.domain or "ai.onnx": o.version for o in onnx.load(tmp_path / "model.onnx").opset_import}
    assert opsets["ai.onnx"] == 18
    reduce_mean = next(n for n in onnx.load(tmp_path / "model.onnx").graph.node if n.op_type == "ReduceMean")
    assert len(reduce_mean.input) == 2 and not any(a.name == "axes" for a in reduce_mean.attribute)


def small_model(path, node, inputs, outputs, opset, initializers=()):
    graph = helper.make_graph([node], "g", inputs, outputs, initializer=list(initializers))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)


def test_refusals_name_the_node_and_the_opset_it_needs(tmp_path):
    gelu = tmp_path / "gelu.onnx"
    small_model(gelu, helper.make_node("Gelu", ["x"], ["y"], name="gelu"),
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], 20)
    result = ferry("convert", gelu, "--out", tmp_path / "a", "--onnx-opset", 17)
    assert result.returncode == 2
    assert "node 'gelu' (Gelu)" in result.stderr and "needs opset 20" in result.stderr, result.stderr
    assert not (tmp_path / "a" / "model.onnx").exists()

    dq = tmp_path / "dq.onnx"
    small_model(dq, helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq", axis=0),
                [helper.make_tensor_value_info("q", TensorProto.INT8, [3, 2])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])], 13,
                [helper.make_tensor("s", TensorProto.FLOAT, [3], [0.1, 0.2, 0.3]), helper.make_tensor("z", TensorProto.INT8, [3], [0, 0, 0])])
    result = ferry("convert", dq, "--out", tmp_path / "b", "--onnx-opset", 12, "--no-optimize")
    assert result.returncode == 2
    assert "node 'dq' (DequantizeLinear)" in result.stderr and "opset 13" in result.stderr, result.stderr


BAD = [
    (["--onnx-opset", "9"], "opsets 11 to"),
    (["--ort-version", "one.two"], "--ort-version 'one.two'"),
    (["--onnx-opset", "17", "--ort-version", "1.17"], "give one of them"),
    (["--target", "tflite", "--ort"], "apply to --target onnx only"),
    (["--onnx-opset", "11", "--quantize", "int8", "--calibration", str(FIXTURES / "digits_cnn" / "calibration.npz")], "needs opset 13"),
]


@pytest.mark.parametrize("args,words", BAD, ids=[" ".join(a[:2]) for a, _ in BAD])
def test_bad_flags_exit_2_with_one_line(args, words, tmp_path):
    result = ferry("convert", FIXTURES / "digits_cnn" / "model.onnx", "--out", tmp_path / "out", *args)
    assert result.returncode == 2, result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ferry: error: ") and words in lines[0], result.stderr


def test_schema_table_is_generated_from_the_installed_onnx():
    result = subprocess.run([PYTHON, str(ROOT / "scripts" / "gen-onnx-schemas.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_function_ops_without_an_onnxruntime_kernel_are_listed():
    """Sources/ORTFormat/ORTFunctionOps.swift lists the ai.onnx function ops onnxruntime runs only by
    expanding them while loading ONNX (so an ORT file must hold them expanded)."""
    import re
    import onnx.defs
    kernels = {k.op_name for k in ort.capi._pybind_state.get_all_opkernel_def()
               if k.provider == "CPUExecutionProvider" and k.domain in ("", "ai.onnx")}
    functions = {s.name for s in onnx.defs.get_all_schemas_with_history()
                 if s.domain == "" and (s.has_function or s.has_context_dependent_function)}
    text = (ROOT / "Sources" / "ORTFormat" / "ORTFunctionOps.swift").read_text()
    listed = set(re.findall(r'"(\w+)"', text[text.index("withoutKernel"):text.index("]", text.index("withoutKernel"))]))
    assert listed == functions - kernels


def test_inspect_and_run_read_the_ort_file(tmp_path):
    fixture = FIXTURES / "keras_digits"
    ferry("convert", fixture / "model.onnx", "--out", tmp_path, "--ort", "--onnx-opset", 13, check=0)
    summary = json.loads(ferry("inspect", tmp_path / "model.ort", "--json", check=0).stdout)
    assert summary["format"] == "ort"
    assert summary["opsets"]["ai.onnx"] == 13 and summary["op_histogram"]["Softmax"] == 1
    feed = samples("keras_digits", 1)[0]
    from_ort = ferry_run(tmp_path / "model.ort", feed, tmp_path / "ort")
    from_onnx = ferry_run(tmp_path / "model.onnx", feed, tmp_path / "onnx")
    for name, value in from_onnx.items():
        np.testing.assert_array_equal(from_ort[name], value)


def test_onnx_and_ort_files_are_byte_identical_across_runs_and_thread_counts(tmp_path):
    fixture = FIXTURES / "digits_cnn"
    for threads in (1, 2):
        ferry("convert", fixture / "model.onnx", "--out", tmp_path / str(threads), "--ort", "--onnx-opset", 13, "--quantize", "int8",
              "--calibration", fixture / "calibration.npz", "--threads", threads, check=0)
    for name in ["model.onnx", "model.ort", "conversion.json"]:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
