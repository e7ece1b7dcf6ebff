"""ONNX Resize (and opset-9 Upsample) and ConvTranspose, the upsampling of detectors and
decoders, in Ferry's Core ML ML Programs, on graphs built here.

For each mode real exports use (PyTorch's F.interpolate: nearest at scale 2 → asymmetric/floor,
bilinear align_corners=False → pytorch_half_pixel, align_corners=True → align_corners; TF-style
half-pixel nearest to a size) the package must load in coremltools, coremltools' milproto
frontend must rebuild the program and infer every op's type and shape as Ferry wrote it, the
resize must be the MIL op coremltools itself writes for that mode, and Ferry's read-back of the
written package (the reference core running the MIL ops as ONNX Resize) must compute what the
source computes (float32: drift.json rel ≤ 1e-5). Resizes no MIL op samples alike (bicubic,
nearest at fractional factors with floor rounding, …) are refused with the node named.
ConvTranspose in the forms decoders export (kernel 2 stride 2 as PaddleOCR's DB head, PyTorch's
padding with output_padding, groups) is conv_transpose, checked the same way.
The same models as NeuralNetwork .mlmodel files (`--coreml-format neuralnetwork`): Resize is
`upsample` by integer factors or `resizeBilinear` to other sizes, with the fields and spec
version NeuralNetwork.proto documents for the source's grid, and ConvTranspose a deconvolution
whose padding amounts and weights are checked field by field; coremltools loads each spec and
Ferry's read-back computes what the source computes.
Core ML itself does not run on Linux: what a device computes is for a Mac to check.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

from support import checked_mil_program, conv_transpose_model, resize_model

ROOT = pathlib.Path(__file__).resolve().parent.parent
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))

ct = pytest.importorskip("coremltools")
onnx = pytest.importorskip("onnx")


NEAREST_FLOOR = dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")

# name: ((input shape, attributes, scales, sizes, op, opset), the MIL op, its parameters)
CASES = {
    "nearest_x2": (([1, 3, 8, 10], NEAREST_FLOOR, [1, 1, 2, 2], None, "Resize", 13), "upsample_nearest_neighbor",
                   {"scale_factor_height": 2, "scale_factor_width": 2}),
    "nearest_x3x2_sizes": (([1, 3, 8, 10], NEAREST_FLOOR, None, [1, 4, 24, 20], "Resize", 13), "upsample_nearest_neighbor",
                           {"scale_factor_height": 3, "scale_factor_width": 2}),
    "upsample_nearest_x2": (([1, 3, 8, 10], dict(mode="nearest"), [1, 1, 2, 2], None, "Upsample", 9), "upsample_nearest_neighbor",
                            {"scale_factor_height": 2, "scale_factor_width": 2}),
    # TensorFlow's half-pixel nearest (tf.image.resize), which coremltools writes as resize_nearest_neighbor.
    "nearest_half_pixel_to_size": (([1, 3, 8, 10], dict(mode="nearest", nearest_mode="round_prefer_ceil"), None, [1, 4, 12, 15], "Resize", 13),
                                   "resize_nearest_neighbor", {"target_size_height": 12, "target_size_width": 15}),
    "bilinear_x2": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), [1, 1, 2, 2], None, "Resize", 13),
                    "upsample_bilinear", {"scale_factor_height": 2, "scale_factor_width": 2, "align_corners": False}),
    "bilinear_align_corners_x2": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="align_corners"), [1, 1, 2, 2], None, "Resize", 13),
                                  "upsample_bilinear", {"scale_factor_height": 2, "scale_factor_width": 2, "align_corners": True}),
    "bilinear_to_size": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), None, [1, 4, 13, 7], "Resize", 13),
                         "resize_bilinear", {"target_size_height": 13, "target_size_width": 7, "sampling_mode": "UNALIGN_CORNERS"}),
    "bilinear_align_corners_to_size": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="align_corners"), None, [1, 4, 15, 19], "Resize", 13),
                                       "resize_bilinear", {"target_size_height": 15, "target_size_width": 19, "sampling_mode": "STRICT_ALIGN_CORNERS"}),
    "bilinear_asymmetric_x2": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="asymmetric"), [1, 1, 2, 2], None, "Resize", 13),
                               "resize_bilinear", {"target_size_height": 16, "target_size_width": 20, "sampling_mode": "DEFAULT"}),
}

REFUSED = {
    "bicubic_x2": (([1, 3, 8, 10], dict(mode="cubic", coordinate_transformation_mode="pytorch_half_pixel"), [1, 1, 2, 2], None, "Resize", 13), "mode 'cubic'"),
    "nearest_floor_to_size": (([1, 3, 8, 10], NEAREST_FLOOR, None, [1, 4, 12, 15], "Resize", 13), "nearest_mode 'floor'"),
    "nearest_half_pixel_floor_to_size": (([1, 3, 8, 10], dict(mode="nearest"), None, [1, 4, 12, 15], "Resize", 13), "nearest_mode 'round_prefer_floor'"),
    "tf_crop_and_resize": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="tf_crop_and_resize"), [1, 1, 2, 2], None, "Resize", 13),
                           "tf_crop_and_resize"),
}


def convert(tmp_path: pathlib.Path, case, *flags: str) -> tuple[pathlib.Path, subprocess.CompletedProcess]:
    if not pathlib.Path(FERRY).exists():
        pytest.skip(f"{FERRY} is missing: build it with `swift build -c release --product ferry` or set FERRY_BIN")
    shape, attributes, scales, sizes, op, opset = case
    source = resize_model(tmp_path / "source.onnx", shape, attributes, scales, sizes, op, opset)
    np.savez(tmp_path / "eval.npz", x=np.random.default_rng(3).standard_normal([4] + shape[1:]).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(tmp_path / "out"), "--target", "coreml",
                             "--data", str(tmp_path / "eval.npz"), *flags], capture_output=True, text=True, timeout=600)
    return tmp_path / "out", result


def checked_program(path: pathlib.Path):
    """The package's MIL program as coremltools' milproto frontend rebuilds it, after checking
    that the spec loads (iOS 15) and that coremltools infers every type and shape Ferry wrote."""
    ct.models.MLModel(str(path), skip_model_load=True)
    spec, program = checked_mil_program(path)
    assert spec.specificationVersion == 6  # iOS 15: every op here is in the CoreML5 opset
    return program


@pytest.mark.parametrize("precision", ["float32", "float16"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_resize_is_the_mil_op_coremltools_writes_and_reads_back_as_the_source(case: str, precision: str, tmp_path) -> None:
    spec_case, op_type, parameters = CASES[case]
    folder, result = convert(tmp_path, spec_case, "--coreml-precision", precision)
    assert result.returncode == 0, result.stdout + result.stderr
    program = checked_program(folder / "model.mlpackage")
    resizes = [op for op in program.functions["main"].operations if "resize" in op.op_type or "upsample" in op.op_type]
    assert [op.op_type for op in resizes] == [op_type]
    for name, value in parameters.items():
        got = getattr(resizes[0], name).val
        assert (str(got) if isinstance(value, str) else got) == value, (name, got)
    # The read-back package computes what the source computes (float16 rounds activations).
    metrics = json.loads((folder / "drift.json").read_text())["outputs"][0]["metrics"]
    assert float(metrics["rel"]) <= (1e-5 if precision == "float32" else 3e-3), metrics


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_resize_no_mil_op_samples_alike_is_refused_naming_the_node(case: str, tmp_path) -> None:
    spec_case, reason = REFUSED[case]
    _, result = convert(tmp_path, spec_case)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "node 'resize' (Resize)" in result.stderr and reason in result.stderr, result.stderr


# (weight shape, attributes) of a ConvTranspose after the Conv's 4 channels.
CONV_TRANSPOSE_CASES = {
    "k2_s2": ([4, 6, 2, 2], dict(strides=[2, 2])),
    "k3_s2_p1_output_padding": ([4, 3, 3, 3], dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])),
    "k4_s2_p1": ([4, 3, 4, 4], dict(strides=[2, 2], pads=[1, 1, 1, 1])),
    "grouped": ([4, 2, 3, 3], dict(group=2, strides=[2, 2], pads=[1, 0, 1, 0])),
    # Odd total pads, placed as onnxruntime places them (tests/test_convtranspose_padding.py).
    "output_shape_odd": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[16, 18])),
    "output_shape_odd_same_upper": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[14, 20], auto_pad="SAME_UPPER")),
    "same_lower": ([4, 3, 3, 3], dict(strides=[2, 2], auto_pad="SAME_LOWER")),
}


@pytest.mark.parametrize("case", sorted(CONV_TRANSPOSE_CASES))
def test_conv_transpose_is_conv_transpose_and_reads_back_as_the_source(case: str, tmp_path) -> None:
    if not pathlib.Path(FERRY).exists():
        pytest.skip(f"{FERRY} is missing")
    source = conv_transpose_model(tmp_path / "source.onnx", *CONV_TRANSPOSE_CASES[case])
    np.savez(tmp_path / "eval.npz", x=np.random.default_rng(3).standard_normal([4, 3, 8, 10]).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(tmp_path / "out"), "--target", "coreml",
                             "--coreml-precision", "float32", "--data", str(tmp_path / "eval.npz")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    program = checked_program(tmp_path / "out" / "model.mlpackage")
    assert [op.op_type for op in program.functions["main"].operations if op.op_type.startswith("conv")] == ["conv", "conv_transpose"]
    metrics = json.loads((tmp_path / "out" / "drift.json").read_text())["outputs"][0]["metrics"]
    assert float(metrics["rel"]) <= 1e-5, metrics


# --- The same ops in a NeuralNetwork .mlmodel (--coreml-format neuralnetwork) ------------------

# name: (case spec as above, the layer, its fields, the specification version)
NN_CASES = {
    "nearest_x2": (CASES["nearest_x2"][0], "upsample", {"scalingFactor": [2, 2], "mode": 0}, 4),
    "nearest_x3x2_sizes": (CASES["nearest_x3x2_sizes"][0], "upsample", {"scalingFactor": [3, 2], "mode": 0}, 4),
    "upsample_nearest_x2": (CASES["upsample_nearest_x2"][0], "upsample", {"scalingFactor": [2, 2], "mode": 0}, 4),
    # PyTorch's bilinear align_corners=False: ALIGN_CORNERS_FALSE (2), an iOS 14 field.
    "bilinear_x2": (CASES["bilinear_x2"][0], "upsample", {"scalingFactor": [2, 2], "mode": 1, "linearUpsampleMode": 2}, 5),
    "bilinear_align_corners_x2": (CASES["bilinear_align_corners_x2"][0], "upsample",
                                  {"scalingFactor": [2, 2], "mode": 1, "linearUpsampleMode": 1}, 5),
    "bilinear_asymmetric_x2": (CASES["bilinear_asymmetric_x2"][0], "upsample", {"scalingFactor": [2, 2], "mode": 1, "linearUpsampleMode": 0}, 4),
    "bilinear_align_corners_to_size": (CASES["bilinear_align_corners_to_size"][0], "resizeBilinear",
                                       {"targetSize": [15, 19], "mode.samplingMethod": 0}, 4),
    "bilinear_asymmetric_to_size": ((([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="asymmetric"), None, [1, 4, 12, 13],
                                      "Resize", 13)), "resizeBilinear", {"targetSize": [12, 13], "mode.samplingMethod": 2}, 4),
}

NN_REFUSED = {
    # NeuralNetwork has no nearest resize to a size, nor a half-pixel bilinear one that Ferry writes.
    "nearest_half_pixel_to_size": (CASES["nearest_half_pixel_to_size"][0], "nearest_mode 'round_prefer_ceil'"),
    "bilinear_half_pixel_to_size": (CASES["bilinear_to_size"][0], "coordinate_transformation_mode 'pytorch_half_pixel'"),
    "bicubic_x2": REFUSED["bicubic_x2"],
}


def field(message, path: str):
    for name in path.split("."):
        message = getattr(message, name)
    return list(message) if hasattr(message, "__len__") and not isinstance(message, str) else message


def neuralnetwork_layers(path: pathlib.Path, version: int):
    """The layers of the .mlmodel after checking that coremltools loads it at `version`."""
    spec = ct.utils.load_spec(str(path))
    ct.models.MLModel(str(path), skip_model_load=True)
    assert spec.specificationVersion == version
    return spec.neuralNetwork.layers


@pytest.mark.parametrize("case", sorted(NN_CASES))
def test_resize_is_the_neuralnetwork_layer_of_its_grid_and_reads_back_as_the_source(case: str, tmp_path) -> None:
    spec_case, layer_type, fields, version = NN_CASES[case]
    folder, result = convert(tmp_path, spec_case, "--coreml-format", "neuralnetwork")
    assert result.returncode == 0, result.stdout + result.stderr
    layers = [layer for layer in neuralnetwork_layers(folder / "model.mlmodel", version)
              if layer.WhichOneof("layer") in ("upsample", "resizeBilinear")]
    assert [layer.WhichOneof("layer") for layer in layers] == [layer_type]
    params = getattr(layers[0], layer_type)
    for name, value in fields.items():
        assert field(params, name) == value, (name, field(params, name))
    assert not layers[0].upsample.fractionalScalingFactor
    metrics = json.loads((folder / "drift.json").read_text())["outputs"][0]["metrics"]
    assert float(metrics["rel"]) <= 1e-5, metrics


@pytest.mark.parametrize("case", sorted(NN_REFUSED))
def test_resize_no_neuralnetwork_layer_samples_alike_is_refused_naming_the_node(case: str, tmp_path) -> None:
    spec_case, reason = NN_REFUSED[case]
    _, result = convert(tmp_path, spec_case, "--coreml-format", "neuralnetwork")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "node 'resize' (Resize)" in result.stderr and reason in result.stderr, result.stderr


# ConvTranspose forms a deconvolution takes (the ML Program cases, odd pads included) with the
# [top, left, bottom, right] padding amounts it must carry.
NN_CONV_TRANSPOSE_CASES = {
    "k2_s2": (CONV_TRANSPOSE_CASES["k2_s2"], [0, 0, 0, 0]),
    "k3_s2_p1_output_padding": (CONV_TRANSPOSE_CASES["k3_s2_p1_output_padding"], [1, 1, 0, 0]),
    "k4_s2_p1": (CONV_TRANSPOSE_CASES["k4_s2_p1"], [1, 1, 1, 1]),
    "grouped": (CONV_TRANSPOSE_CASES["grouped"], [1, 0, 1, 0]),
    "output_shape_odd": (CONV_TRANSPOSE_CASES["output_shape_odd"], [1, 2, 0, 1]),
    "output_shape_odd_same_upper": (CONV_TRANSPOSE_CASES["output_shape_odd_same_upper"], [1, 0, 2, 1]),
    "same_lower": (CONV_TRANSPOSE_CASES["same_lower"], [1, 1, 0, 0]),
}


@pytest.mark.parametrize("case", sorted(NN_CONV_TRANSPOSE_CASES))
def test_conv_transpose_is_a_deconvolution_and_reads_back_as_the_source(case: str, tmp_path) -> None:
    """The deconvolution's fields as NeuralNetwork.proto defines them: kernelChannels = C_in,
    weights [C_in, C_out/groups, kH, kW] equal to the ONNX weight, valid padding amounts that
    give the output size, no outputShape; and the read-back computes what the source does."""
    from onnx import numpy_helper

    if not pathlib.Path(FERRY).exists():
        pytest.skip(f"{FERRY} is missing")
    (weight_shape, attributes), pads = NN_CONV_TRANSPOSE_CASES[case]
    source = conv_transpose_model(tmp_path / "source.onnx", weight_shape, attributes)
    np.savez(tmp_path / "eval.npz", x=np.random.default_rng(3).standard_normal([4, 3, 8, 10]).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(tmp_path / "out"), "--target", "coreml", "--coreml-format", "neuralnetwork",
                             "--data", str(tmp_path / "eval.npz")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    layers = neuralnetwork_layers(tmp_path / "out" / "model.mlmodel", 4)
    deconvolutions = [layer.convolution for layer in layers if layer.WhichOneof("layer") == "convolution" and layer.convolution.isDeconvolution]
    assert len(deconvolutions) == 1
    d = deconvolutions[0]
    group = attributes.get("group", 1)
    assert (d.kernelChannels, d.outputChannels, max(d.nGroups, 1)) == (weight_shape[0], weight_shape[1] * group, group)
    assert not d.outputShape and d.WhichOneof("ConvolutionPaddingType") == "valid"
    borders = d.valid.paddingAmounts.borderAmounts
    assert [borders[0].startEdgeSize, borders[1].startEdgeSize, borders[0].endEdgeSize, borders[1].endEdgeSize] == pads
    weight = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(source)).graph.initializer}["wt"]
    np.testing.assert_array_equal(np.array(d.weights.floatValue, np.float32), weight.ravel())
    metrics = json.loads((tmp_path / "out" / "drift.json").read_text())["outputs"][0]["metrics"]
    assert float(metrics["rel"]) <= 1e-5, metrics
