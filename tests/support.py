"""Helpers several test files share (not collected as tests): the small ONNX graphs the NCNN
and Core ML Resize/ConvTranspose tests convert, and the check that coremltools' own MIL op
definitions infer every type and shape a written ML Program declares."""
from __future__ import annotations

import pathlib

import numpy as np


def resize_model(path: pathlib.Path, shape, attributes, scales=None, sizes=None, op="Resize", opset=13):
    """A 3×3 Conv (3 → 4 channels) and a Resize (or opset-9 Upsample) of its output, as
    PyTorch's F.interpolate exports it: scales or sizes as constant inputs."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    rng = np.random.default_rng(7)
    c = shape[1]
    initializers = [numpy_helper.from_array(rng.standard_normal((4, c, 3, 3)).astype(np.float32) * 0.3, "w")]
    if op == "Upsample":
        initializers.append(numpy_helper.from_array(np.array(scales, np.float32), "scales"))
        inputs = ["h", "scales"]
    else:
        initializers.append(numpy_helper.from_array(np.array([], np.float32), "roi"))
        initializers.append(numpy_helper.from_array(np.array(scales or [], np.float32), "scales"))
        inputs = ["h", "roi", "scales"]
        if sizes is not None:
            initializers.append(numpy_helper.from_array(np.array(sizes, np.int64), "sizes"))
            inputs = ["h", "roi", "", "sizes"]
    nodes = [helper.make_node("Conv", ["x", "w"], ["h"], pads=[1, 1, 1, 1]),
             helper.make_node(op, inputs, ["y"], name="resize", **attributes)]
    graph = helper.make_graph(nodes, "resize", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return path


def conv_transpose_model(path: pathlib.Path, weight_shape, attributes, relu=False):
    """The 3×3 Conv of `resize_model` and a ConvTranspose with bias (and a Relu after it, which
    NCNN fuses, when `relu`)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    rng = np.random.default_rng(11)
    group = attributes.get("group", 1)
    initializers = [numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.3, "w"),
                    numpy_helper.from_array(rng.standard_normal(weight_shape).astype(np.float32) * 0.3, "wt"),
                    numpy_helper.from_array(rng.standard_normal(weight_shape[1] * group).astype(np.float32) * 0.1, "bt")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["h"], pads=[1, 1, 1, 1]),
             helper.make_node("ConvTranspose", ["h", "wt", "bt"], ["t" if relu else "y"], name="deconv", **attributes)]
    if relu:
        nodes.append(helper.make_node("Relu", ["t"], ["y"]))
    graph = helper.make_graph(nodes, "deconv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 10])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def checked_mil_program(path: pathlib.Path):
    """The `.mlpackage`'s spec and its program as coremltools' milproto frontend rebuilds it,
    after asserting that coremltools infers for every op output the
    type and shape Ferry wrote."""
    import coremltools as ct
    from coremltools.converters.mil.frontend.milproto.load import load as milproto_load
    from coremltools.converters.mil.mil import types

    spec = ct.utils.load_spec(str(path))
    program = milproto_load(spec, spec.specificationVersion, str(path / "Data" / "com.apple.CoreML" / "weights"))
    operations = program.functions["main"].operations
    inferred = {var.name: (types.builtin_to_string(var.dtype), tuple(int(d) for d in var.shape))
                for op in operations for var in op.outputs}
    names = {1: "bool", 2: "string", 10: "fp16", 11: "fp32", 23: "int32"}
    function = spec.mlProgram.functions["main"]
    for op in function.block_specializations[function.opset].operations:
        for output in op.outputs:
            t = output.type.tensorType
            assert inferred[output.name] == (names[t.dataType], tuple(d.constant.size for d in t.dimensions)), op.type
    return spec, program
