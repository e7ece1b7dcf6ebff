"""ConvTranspose's odd total padding in Ferry's reference core against onnxruntime.

With output_shape, or auto_pad SAME_UPPER/SAME_LOWER, ONNX leaves a total padding to split
between the start and the end of each spatial axis; when it is odd, one side loses one pixel
more. The ONNX spec and onnxruntime 1.32 cut the extra pixel at the end for SAME_UPPER and at
the start otherwise (SAME_LOWER, or NOTSET with output_shape); older onnxruntime releases
reversed it when output_shape was given. `ferry run` must compute what the installed
onnxruntime computes, on 1-D and 2-D cases with strides, dilations and output_padding.

Needs numpy, onnx, onnxruntime and FERRY_BIN (skipped without it).
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

# (input spatial shape, kernel, attributes)
CASES = {
    "output_shape_odd_1d": ([5], [3], dict(strides=[2], output_shape=[10])),
    "output_shape_three_1d": ([5], [3], dict(strides=[2], output_shape=[8])),
    "output_shape_same_upper_1d": ([5], [3], dict(strides=[2], output_shape=[10], auto_pad="SAME_UPPER")),
    "output_shape_same_lower_1d": ([5], [3], dict(strides=[2], output_shape=[8], auto_pad="SAME_LOWER")),
    "output_shape_odd_2d": ([4, 5], [3, 3], dict(strides=[2, 2], output_shape=[8, 10])),
    "output_shape_mixed_2d": ([4, 5], [3, 4], dict(strides=[2, 3], output_shape=[7, 14], dilations=[1, 2])),
    "output_shape_output_padding_2d": ([4, 5], [3, 3], dict(strides=[3, 2], output_shape=[10, 9], output_padding=[1, 1])),
    "output_shape_same_upper_2d": ([4, 5], [3, 3], dict(strides=[2, 2], output_shape=[8, 10], auto_pad="SAME_UPPER")),
    "same_upper_2d": ([4, 5], [3, 3], dict(strides=[2, 2], auto_pad="SAME_UPPER")),
    "same_lower_2d": ([4, 5], [3, 3], dict(strides=[2, 2], auto_pad="SAME_LOWER")),
    "same_lower_dilated_2d": ([4, 5], [3, 2], dict(strides=[2, 2], dilations=[2, 3], auto_pad="SAME_LOWER")),
    # One beyond the full scatter: onnxruntime appends zeros (it refuses more than that).
    "output_shape_beyond_1d": ([5], [3], dict(strides=[2], output_shape=[12])),
    "output_shape_beyond_same_upper_2d": ([4, 5], [3, 3], dict(strides=[2, 2], output_shape=[10, 12], auto_pad="SAME_UPPER")),
    "explicit_pads_2d": ([4, 5], [3, 3], dict(strides=[2, 2], pads=[0, 1, 1, 0], output_padding=[1, 0])),
}


def model(path: pathlib.Path, spatial, kernel, attributes) -> pathlib.Path:
    from onnx import helper, numpy_helper, TensorProto

    rng = np.random.default_rng(5)
    weight = rng.standard_normal([3, 2] + kernel).astype(np.float32)
    bias = rng.standard_normal([2]).astype(np.float32)
    node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], name="deconv", **attributes)
    graph = helper.make_graph([node], "deconv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3] + spatial)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_ferry_places_the_odd_pad_as_onnxruntime(case: str, tmp_path) -> None:
    ferry = os.environ.get("FERRY_BIN")
    if not ferry:
        pytest.skip("FERRY_BIN is not set")
    spatial, kernel, attributes = CASES[case]
    source = model(tmp_path / "model.onnx", spatial, kernel, attributes)
    x = np.random.default_rng(9).standard_normal([1, 3] + spatial).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    result = subprocess.run([ferry, "run", str(source), "--input", f"x={tmp_path / 'x.npy'}", "--output-dir", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    outputs = json.loads((tmp_path / "out" / "outputs.json").read_text())["outputs"]
    got = np.load(tmp_path / "out" / outputs[0]["file"])
    want = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * float(np.abs(want).max()))
