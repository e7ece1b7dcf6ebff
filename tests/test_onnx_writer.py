"""ONNX files written by Ferry's ONNX writer, checked by the onnx package and onnxruntime.

The Swift tests ONNXWriterTests.roundTripsEveryFixture and .roundTripsNodeTestModels read every
fixture and a set of ONNX node test models and write them back with ONNXWriter into
build/onnx-writer-roundtrip/ (each folder's source.txt names the original):

    <fixture>/model.onnx              every tensor inline
    <fixture>_external/model.onnx     initializers of 1 KiB or more in model.data beside it
    node/<case>/model.onnx            control flow (If, Loop, Scan) and the packed low-bit types

`make test` runs the Swift tests before pytest, so the folder is fresh. Without it these tests
skip, saying so (run `swift test --filter ONNXWriterTests` first).

For every written model: onnx.checker.check_model with full_check passes; onnx's own parser sees
the same graph as in the original (nodes, attributes, initializer bytes, value types and shapes);
external data lies at 4 KiB-aligned offsets inside model.data; and onnxruntime gives
bit-identical outputs for the original and the rewritten model on the fixture's evaluation data
or the node case's test data.
"""
from __future__ import annotations

import pathlib

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
WRITTEN = ROOT / "build" / "onnx-writer-roundtrip"
LOW_BIT = ROOT / "build" / "onnx-writer-lowbit"
# Element types onnxruntime's Python API cannot pass to or from numpy.
NO_NUMPY_EXCHANGE = ("float8", "int4", "uint4", "int2", "uint2", "float4", "float6")
SAMPLES = 2


def written_models() -> list[pathlib.Path]:
    if not WRITTEN.is_dir():
        return []
    return sorted(p.parent for p in WRITTEN.glob("**/model.onnx") if (p.parent / "source.txt").is_file())


MODELS = written_models()
IDS = [str(p.relative_to(WRITTEN)) for p in MODELS]


def source_of(folder: pathlib.Path) -> pathlib.Path:
    return pathlib.Path((folder / "source.txt").read_text().strip())


def test_round_trip_folder_exists():
    if not MODELS:
        pytest.skip(f"{WRITTEN} is missing or empty: the Swift test ONNXWriterTests writes it "
                    "(make test runs the Swift tests before pytest)")
    names = {str(p.relative_to(WRITTEN)) for p in MODELS}
    assert "digits_cnn" in names and "digits_cnn_external" in names, sorted(names)
    assert any(name.startswith("node/test_loop") for name in names), sorted(names)


@pytest.mark.parametrize("folder", MODELS, ids=IDS)
def test_checker_accepts(folder):
    onnx.checker.check_model(str(folder / "model.onnx"), full_check=True)


def dims(type_proto: onnx.TypeProto):
    if not type_proto.HasField("tensor_type"):
        return None
    tensor = type_proto.tensor_type
    if not tensor.HasField("shape"):
        return (tensor.elem_type, None)
    # The reader maps negative sizes and empty symbols to "unknown", written as an unset dim.
    out = []
    for d in tensor.shape.dim:
        if d.HasField("dim_value") and d.dim_value >= 0:
            out.append(d.dim_value)
        elif d.HasField("dim_param") and d.dim_param:
            out.append(d.dim_param)
        else:
            out.append(None)
    return (tensor.elem_type, tuple(out))


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and (
        a.tobytes() == b.tobytes() if a.dtype != object else a.tolist() == b.tolist())


def compare_attribute(where: str, a: onnx.AttributeProto, b: onnx.AttributeProto) -> None:
    assert a.type == b.type, f"{where}: attribute type {a.type} vs {b.type}"
    va, vb = onnx.helper.get_attribute_value(a), onnx.helper.get_attribute_value(b)
    if a.type == onnx.AttributeProto.TENSOR:
        assert same_array(numpy_helper.to_array(va), numpy_helper.to_array(vb)), where
    elif a.type == onnx.AttributeProto.TENSORS:
        assert len(va) == len(vb) and all(
            same_array(numpy_helper.to_array(x), numpy_helper.to_array(y)) for x, y in zip(va, vb)), where
    elif a.type == onnx.AttributeProto.GRAPH:
        compare_graph(where, va, vb)
    elif a.type == onnx.AttributeProto.GRAPHS:
        assert len(va) == len(vb), where
        for i, (x, y) in enumerate(zip(va, vb)):
            compare_graph(f"{where}[{i}]", x, y)
    elif a.type == onnx.AttributeProto.FLOAT:
        assert np.float32(va).tobytes() == np.float32(vb).tobytes(), f"{where}: {va} vs {vb}"
    elif a.type == onnx.AttributeProto.FLOATS:
        assert np.asarray(va, np.float32).tobytes() == np.asarray(vb, np.float32).tobytes(), f"{where}: {va} vs {vb}"
    else:
        assert va == vb, f"{where}: {va!r} vs {vb!r}"


def compare_graph(where: str, a: onnx.GraphProto, b: onnx.GraphProto) -> None:
    assert a.name == b.name, f"{where}: graph name {a.name!r} vs {b.name!r}"
    assert [(i.name, dims(i.type)) for i in a.input] == [(i.name, dims(i.type)) for i in b.input], f"{where}: inputs"
    assert [(o.name, dims(o.type)) for o in a.output] == [(o.name, dims(o.type)) for o in b.output], f"{where}: outputs"
    assert {v.name: dims(v.type) for v in a.value_info} == {v.name: dims(v.type) for v in b.value_info}, f"{where}: value_info"
    assert [t.name for t in a.initializer] == [t.name for t in b.initializer], f"{where}: initializer order"
    for x, y in zip(a.initializer, b.initializer):
        assert same_array(numpy_helper.to_array(x), numpy_helper.to_array(y)), f"{where}: initializer {x.name!r}"
    assert len(a.node) == len(b.node), f"{where}: {len(a.node)} nodes vs {len(b.node)}"
    for k, (x, y) in enumerate(zip(a.node, b.node)):
        at = f"{where}.node[{k}] {x.op_type} {x.name!r}"
        assert (x.op_type, x.domain, x.name) == (y.op_type, y.domain, y.name), at
        assert list(x.input) == list(y.input) and list(x.output) == list(y.output), at
        xa, ya = sorted(x.attribute, key=lambda t: t.name), sorted(y.attribute, key=lambda t: t.name)
        assert [t.name for t in xa] == [t.name for t in ya], at
        assert [t.name for t in y.attribute] == [t.name for t in ya], f"{at}: attributes not sorted by name"
        for p, q in zip(xa, ya):
            compare_attribute(f"{at}.{p.name}", p, q)


@pytest.mark.parametrize("folder", MODELS, ids=IDS)
def test_onnx_sees_the_same_model(folder):
    original = onnx.load(str(source_of(folder)))
    written = onnx.load(str(folder / "model.onnx"))
    assert written.producer_name == "ferry"
    assert written.ir_version == original.ir_version
    normalize = lambda m: {("" if o.domain == "ai.onnx" else o.domain): o.version for o in m.opset_import}
    assert normalize(written) == normalize(original)
    assert {p.key: p.value for p in written.metadata_props} == {p.key: p.value for p in original.metadata_props}
    compare_graph("graph", original.graph, written.graph)


@pytest.mark.parametrize("folder", [m for m in MODELS if m.name.endswith("_external")],
                         ids=[i for i in IDS if i.endswith("_external")])
def test_external_data_is_aligned_and_inside_its_file(folder):
    model = onnx.load(str(folder / "model.onnx"), load_external_data=False)
    data = folder / "model.data"
    external = [t for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if not external:
        assert not data.exists()
        return
    size = data.stat().st_size
    for tensor in external:
        info = {e.key: e.value for e in tensor.external_data}
        assert info["location"] == "model.data", tensor.name
        offset, length = int(info["offset"]), int(info["length"])
        assert offset % 4096 == 0, f"{tensor.name}: offset {offset}"
        assert offset + length <= size, f"{tensor.name}: {offset}+{length} > {size}"
        assert not tensor.HasField("raw_data")
    assert all(len(t.raw_data) < 1024 for t in model.graph.initializer if t.data_location != onnx.TensorProto.EXTERNAL)


def session(path: pathlib.Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def feeds_for(folder: pathlib.Path, names: list[str]) -> list[dict[str, np.ndarray]]:
    """Fixtures: the first samples of eval.npz. Node cases: their test_data_set_*/input_K.pb.
    Models with neither (fixtures/bad): seeded random float32 inputs of the declared shapes."""
    source = source_of(folder)
    eval_file = source.parent / "eval.npz"
    if eval_file.is_file():
        with np.load(eval_file) as data:
            return [{n: np.ascontiguousarray(data[n][i:i + 1]) for n in names} for i in range(SAMPLES)]
    sets = []
    for data_set in sorted(source.parent.glob("test_data_set_*")):
        feeds = {}
        for k, name in enumerate(names):
            tensor = onnx.TensorProto()
            tensor.ParseFromString((data_set / f"input_{k}.pb").read_bytes())
            feeds[name] = numpy_helper.to_array(tensor)
        sets.append(feeds)
    if not sets:
        rng = np.random.default_rng(0)
        inputs = session(source).get_inputs()
        assert all(i.type == "tensor(float)" for i in inputs), [i.type for i in inputs]
        sets = [{i.name: rng.standard_normal([d if isinstance(d, int) else 1 for d in i.shape]).astype(np.float32)
                 for i in inputs}]
    return sets


@pytest.mark.parametrize("folder", MODELS, ids=IDS)
def test_onnxruntime_gives_identical_outputs(folder):
    try:
        reference = session(source_of(folder))
    except Exception as error:  # onnxruntime lacks a kernel for some node cases (int2, float4 …)
        pytest.skip(f"onnxruntime cannot run the original model either: {str(error).splitlines()[0][:200]}")
    rewritten = session(folder / "model.onnx")
    types = [v.type for v in reference.get_inputs() + reference.get_outputs()]
    if any(word in t for t in types for word in NO_NUMPY_EXCHANGE):
        pytest.skip(f"onnxruntime's Python API cannot exchange {types} with numpy (checked by onnx above)")
    names = [i.name for i in reference.get_inputs()]
    assert names == [i.name for i in rewritten.get_inputs()]
    for feeds in feeds_for(folder, names):
        expected = reference.run(None, feeds)
        actual = rewritten.run(None, feeds)
        assert len(expected) == len(actual)
        for k, (e, a) in enumerate(zip(expected, actual)):
            assert same_array(np.asarray(e), np.asarray(a)), f"output {k} differs"


def test_low_bit_initializers_decode_as_written():
    """Every packed element type, written by Ferry with odd element counts, read by onnx."""
    if not (LOW_BIT / "model.onnx").is_file():
        pytest.skip(f"{LOW_BIT} is missing: the Swift test ONNXWriterPackingTests writes it "
                    "(make test runs the Swift tests before pytest)")
    onnx.checker.check_model(str(LOW_BIT / "model.onnx"), full_check=True)
    model = onnx.load(str(LOW_BIT / "model.onnx"))
    arrays = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    expected = {}
    for line in (LOW_BIT / "expected.txt").read_text().splitlines():
        name, *values = line.split()
        expected[name] = np.array([float(v) for v in values], dtype=np.float64)
    assert sorted(arrays) == sorted(expected)
    for name, want in expected.items():
        got = arrays[name].astype(np.float64)
        assert got.shape == want.shape, name
        assert np.array_equal(got, want, equal_nan=True), f"{name}: onnx reads {got}, Ferry wrote {want}"
        assert np.array_equal(np.signbit(got), np.signbit(want)), f"{name}: signs differ"
