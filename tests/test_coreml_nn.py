"""Ferry's Core ML NeuralNetwork models (`ferry convert --target coreml --coreml-format neuralnetwork`).

Core ML cannot run on Linux, so this checks what can be checked without a Mac, with the real
`coremltools` from PyPI, for every fixture and weight mode (float32, float16, int8 linear):

- the spec loads (`ct.utils.load_spec`, `ct.models.MLModel(path, skip_model_load=True)`), is a
  NeuralNetwork of specification version 4 (iOS 13) with rank-N (EXACT_ARRAY_MAPPING) inputs;
- every layer is a NeuralNetworkLayer type the proto defines, reads only blobs made before it
  (or model inputs), and every output feature is made by a layer;
- input/output names (source names in the short descriptions) and shapes equal the source's;
- weights, dequantized by coremltools' own `_dequantize_nn_spec` where quantized, equal the
  source ONNX initializers (float32 exactly, float16 within its rounding, int8 within half a
  quantization step);
- `ferry convert` itself read the written file back into the reference core and verified it
  against the source on the fixture's eval samples under the default drift budget (exit 0; int8
  may end with the drift verdict 1 on random-weight fixtures, as the ML Program test allows).

Also: classifier labels, image input scale/bias, flexible shape ranges, metadata, palettes,
`ferry inspect` on the .mlmodel, byte-identical output.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
MODES = {"float32": [], "fp16": ["--quantize", "fp16"], "int8": ["--quantize", "int8"]}

ct = pytest.importorskip("coremltools")
onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402


def fixtures() -> list[str]:
    return sorted(p.parent.name for p in FIXTURES_DIR.glob("*/model.onnx"))


def convert(fixture: str, out: pathlib.Path, *flags: str, samples: str = "8") -> subprocess.CompletedProcess:
    if not pathlib.Path(FERRY).exists():
        pytest.skip(f"{FERRY} is missing: build it with `swift build -c release --product ferry` or set FERRY_BIN")
    folder = FIXTURES_DIR / fixture
    return subprocess.run([FERRY, "convert", folder / "model.onnx", "--out", out, "--target", "coreml",
                           "--coreml-format", "neuralnetwork", "--data", folder / "eval.npz", "--max-samples", samples, *flags],
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module", params=[(f, m) for f in fixtures() for m in MODES], ids=lambda p: f"{p[0]}-{p[1]}")
def mlmodel(request, tmp_path_factory):
    name, mode = request.param
    out = tmp_path_factory.mktemp(f"nn-{name}-{mode}")
    result = convert(name, out, *MODES[mode])
    ok = result.returncode == 0 or (mode == "int8" and result.returncode == 1 and (out / "drift.json").exists())
    assert ok, result.stdout + result.stderr
    return name, mode, out / "model.mlmodel"


def layer_types() -> set[str]:
    from coremltools.proto import NeuralNetwork_pb2
    return {f.name for f in NeuralNetwork_pb2.NeuralNetworkLayer.DESCRIPTOR.oneofs_by_name["layer"].fields}


def network(spec):
    kind = spec.WhichOneof("Type")
    assert kind in ("neuralNetwork", "neuralNetworkClassifier"), kind
    return getattr(spec, kind)


def test_spec_loads_with_valid_layers_and_the_source_interface(mlmodel):
    from coremltools.proto import NeuralNetwork_pb2
    name, mode, path = mlmodel
    spec = ct.utils.load_spec(str(path))
    model = ct.models.MLModel(str(path), skip_model_load=True)
    assert model.get_spec().specificationVersion == spec.specificationVersion == 4
    nn = network(spec)
    assert nn.arrayInputShapeMapping == NeuralNetwork_pb2.EXACT_ARRAY_MAPPING
    valid = layer_types()
    made = {f.name for f in spec.description.input}
    for layer in nn.layers:
        assert layer.WhichOneof("layer") in valid, layer.name
        for blob in layer.input:
            assert blob in made, f"layer '{layer.name}' reads '{blob}' before any layer makes it"
        made.update(layer.output)
    for feature in spec.description.output:
        assert feature.name in made, feature.name
    source = onnx.load(str(FIXTURES_DIR / name / "model.onnx"))
    initializers = {i.name for i in source.graph.initializer}
    inputs = [i for i in source.graph.input if i.name not in initializers]
    assert [f.shortDescription for f in spec.description.input] == [i.name for i in inputs]
    assert [f.shortDescription for f in spec.description.output] == [o.name for o in source.graph.output]
    for feature, value in zip(list(spec.description.input) + list(spec.description.output), inputs + list(source.graph.output)):
        dims = [d.dim_value if d.HasField("dim_value") else None for d in value.type.tensor_type.shape.dim]
        written = list(feature.type.multiArrayType.shape)
        assert [w if d is None else d for w, d in zip(written, dims)] == written and len(written) == len(dims), feature.name


def source_weights(name: str) -> dict[str, np.ndarray]:
    model = onnx.load(str(FIXTURES_DIR / name / "model.onnx"))
    return {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer
            if numpy_helper.to_array(i).dtype.kind == "f" and numpy_helper.to_array(i).size >= 64}


def test_weights_equal_the_source(mlmodel):
    """Every large weight of the source is found in a layer (in the layer's storage order), after
    coremltools' own dequantization of 8-bit linear weights."""
    from coremltools.models.neural_network.quantization_utils import _dequantize_nn_spec
    name, mode, path = mlmodel
    spec = ct.utils.load_spec(str(path))
    nn = network(spec)
    quantized = 0
    for layer in nn.layers:
        kind = layer.WhichOneof("layer")
        wp = getattr(getattr(layer, kind), "weights", None) if kind in ("convolution", "batchedMatmul") else None
        if wp is not None and wp.HasField("quantization"):
            quantized += 1
            assert wp.quantization.numberOfBits == 8 and len(wp.rawValue) > 0
    if mode == "int8":
        assert quantized > 0, "int8 mode wrote no linearly quantized weight"
        _dequantize_nn_spec(nn)
    written = []
    for layer in nn.layers:
        kind = layer.WhichOneof("layer")
        params = getattr(layer, kind)
        for field in ("weights", "data", "gamma", "beta", "bias"):
            if not hasattr(params, field) or not params.HasField(field):
                continue
            wp = getattr(params, field)
            if len(wp.floatValue):
                values = np.array(wp.floatValue, dtype=np.float64)
            elif len(wp.float16Value):
                values = np.frombuffer(wp.float16Value, dtype=np.float16).astype(np.float64)
            else:
                continue
            written.append(values)
        if kind == "uniDirectionalLSTM":
            # Core ML's gates i, f, z, o back in ONNX's order i, o, f, c (W, R, and the summed biases).
            w = params.weightParams
            for part in ("WeightMatrix", "RecursionMatrix", "BiasVector"):
                gates = [np.array(getattr(w, g + part).floatValue, dtype=np.float64) for g in ("inputGate", "outputGate", "forgetGate", "blockInput")]
                written.append(np.concatenate(gates))
    found = 0
    for key, expected in source_weights(name).items():
        candidates = [expected.ravel(), expected.T.ravel() if expected.ndim == 2 else expected.ravel()]
        if expected.ndim == 2 and expected.shape[0] == 1 and expected.shape[1] % 8 == 0:  # an LSTM's B: Wb + Rb
            half = expected.shape[1] // 2
            candidates.append(expected[0, :half] + expected[0, half:])
        step = np.abs(expected).max() * (2.0 ** -10 if mode == "fp16" else 1 / 127 if mode == "int8" else 0)
        for values in written:
            if any(values.size == c.size and np.abs(values - c).max() <= step * (0.5 if mode == "int8" else 1) + 1e-7 for c in candidates):
                found += 1
                break
    # Every large source weight is stored as it is (no fixture has a BatchNorm left to fold).
    assert found == len(source_weights(name)), f"{found} of {len(source_weights(name))} source weights found in the layers"


def test_classifier_image_input_ranges_and_metadata(tmp_path):
    """digits_cnn as a classifier with an image input: labels, scaler, metadata, as coremltools reads them."""
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"digit{i}\n" for i in range(10)))
    out = tmp_path / "out"
    run = convert("digits_cnn", out, "--labels", str(labels), "--input-mean", "127.5", "--input-std", "127.5",
                  "--author", "Ferry tests", "--license", "MIT", "--description", "digits")
    assert run.returncode == 0, run.stdout + run.stderr
    spec = ct.utils.load_spec(str(out / "model.mlmodel"))
    assert spec.WhichOneof("Type") == "neuralNetworkClassifier"
    nn = spec.neuralNetworkClassifier
    assert list(nn.stringClassLabels.vector) == [f"digit{i}" for i in range(10)]
    assert nn.labelProbabilityLayerName == spec.description.predictedProbabilitiesName
    assert any(nn.labelProbabilityLayerName in layer.output for layer in nn.layers)
    assert spec.description.predictedFeatureName == "classLabel"
    outputs = {f.name: f.type.WhichOneof("Type") for f in spec.description.output}
    assert outputs["classLabel"] == "stringType" and outputs[spec.description.predictedProbabilitiesName] == "dictionaryType"
    image = spec.description.input[0].type
    assert image.WhichOneof("Type") == "imageType" and image.imageType.width == 8 and image.imageType.height == 8
    assert image.imageType.colorSpace == ct.proto.FeatureTypes_pb2.ImageFeatureType.GRAYSCALE
    scaler = nn.preprocessing[0].scaler
    assert nn.preprocessing[0].featureName == spec.description.input[0].name
    assert scaler.channelScale == pytest.approx(1 / 127.5) and scaler.grayBias == pytest.approx(-1.0)
    meta = spec.description.metadata
    assert (meta.author, meta.license, meta.shortDescription) == ("Ferry tests", "MIT", "digits")
    shown = json.loads(subprocess.run([FERRY, "inspect", str(out / "model.mlmodel"), "--json"], capture_output=True, text=True, check=True).stdout)
    assert shown["model_type"] == "neuralNetworkClassifier" and shown["class_labels"][0] == "digit0"
    assert shown["inputs"][0]["dtype"] == "image"
    counts = {}
    for layer in nn.layers:
        counts[layer.WhichOneof("layer")] = counts.get(layer.WhichOneof("layer"), 0) + 1
    assert shown["layer_histogram"] == counts and shown["weights"]["fp32"]["values"] > 0


def test_bgr_image_biases_follow_the_scalers_channel_names(tmp_path):
    """mean is given in the model's channel order; for a BGR input the blue bias is mean[0]'s."""
    run = convert("mobilenet_v2_w035", tmp_path, "--input-mean", "10,20,30", "--input-std", "2", "--color-space", "bgr", samples="2")
    assert run.returncode == 0, run.stdout + run.stderr
    spec = ct.utils.load_spec(str(tmp_path / "model.mlmodel"))
    assert spec.description.input[0].type.imageType.colorSpace == ct.proto.FeatureTypes_pb2.ImageFeatureType.BGR
    scaler = spec.neuralNetwork.preprocessing[0].scaler
    assert (scaler.blueBias, scaler.greenBias, scaler.redBias, scaler.channelScale) == (-5, -10, -15, 0.5)


def test_flexible_shapes_palette_and_determinism(tmp_path):
    """A dynamic batch becomes a ShapeRange; --palettize writes look-up tables; same input, same bytes."""
    from onnx import helper, TensorProto
    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.standard_normal((64, 10)).astype(np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"), helper.make_node("Relu", ["h"], ["y"], name="relu")],
                              "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])], [weight])
    dynamic = tmp_path / "dynamic.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(dynamic))
    out = tmp_path / "dyn"
    run = subprocess.run([FERRY, "convert", str(dynamic), "--out", str(out), "--target", "coreml", "--coreml-format", "neuralnetwork"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    spec = ct.utils.load_spec(str(out / "model.mlmodel"))
    ranges = spec.description.input[0].type.multiArrayType.shapeRange.sizeRanges
    assert len(ranges) == 2 and ranges[0].upperBound == -1 and ranges[1].lowerBound == ranges[1].upperBound == 64
    a, b = tmp_path / "p1", tmp_path / "p2"
    for folder in (a, b):
        run = convert("mobilenet_v2_w035", folder, "--palettize", "4", samples="2")
        assert run.returncode in (0, 1) and (folder / "drift.json").exists(), run.stdout + run.stderr
    assert (a / "model.mlmodel").read_bytes() == (b / "model.mlmodel").read_bytes()
    spec = ct.utils.load_spec(str(a / "model.mlmodel"))
    palettized = {l.name for l in spec.neuralNetwork.layers if l.WhichOneof("layer") == "convolution"
                  and l.convolution.weights.quantization.WhichOneof("QuantizationType") == "lookupTableQuantization"}
    assert palettized
    assert all(len(l.convolution.weights.quantization.lookupTableQuantization.floatValue) == 16
               for l in spec.neuralNetwork.layers if l.name in palettized)
    # coremltools' own dequantizer expands the 4-bit indices (packed MSB first) back to table values.
    from coremltools.models.neural_network.quantization_utils import _dequantize_nn_spec
    _dequantize_nn_spec(spec.neuralNetwork)
    for layer in spec.neuralNetwork.layers:
        if layer.name in palettized:
            values = np.array(layer.convolution.weights.floatValue)
            assert values.size >= 2048 and len(set(values.tolist())) <= 16, layer.name


def test_an_op_without_a_layer_is_an_error_naming_the_node(tmp_path):
    from onnx import helper, TensorProto
    graph = helper.make_graph([helper.make_node("Hardmax", ["x"], ["y"], name="odd")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    path = tmp_path / "hardmax.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    run = subprocess.run([FERRY, "convert", str(path), "--out", str(tmp_path / "o"), "--target", "coreml", "--coreml-format", "neuralnetwork"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "'odd'" in run.stderr and "Hardmax" in run.stderr, run.stderr
