"""Helpers shared by the converters: describe an ONNX file and check it with onnxruntime."""

from __future__ import annotations

import json
import os
from collections import Counter

import numpy as np


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse `1,3,224,224` or `1x3x224x224` into a tuple of ints."""
    parts = text.replace("x", ",").split(",")
    try:
        shape = tuple(int(p) for p in parts if p.strip())
    except ValueError as error:
        raise SystemExit(f"bad shape {text!r}: {error}") from None
    if not shape or any(d <= 0 for d in shape):
        raise SystemExit(f"bad shape {text!r}: dimensions must be positive integers")
    return shape


def describe(path: str) -> dict:
    """Opset, op histogram, parameter count and file size of an ONNX model."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    onnx.checker.check_model(model)
    ops = Counter(
        (node.domain + "." if node.domain not in ("", "ai.onnx") else "") + node.op_type
        for node in model.graph.node
    )
    params = sum(int(np.prod(numpy_helper.to_array(t).shape)) for t in model.graph.initializer)
    opsets = {imp.domain or "ai.onnx": imp.version for imp in model.opset_import}

    def value_infos(values):
        out = []
        for v in values:
            tt = v.type.tensor_type
            dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in tt.shape.dim]
            out.append({"name": v.name, "dtype": onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type).name, "shape": dims})
        return out

    initializer_names = {t.name for t in model.graph.initializer}
    return {
        "file": path,
        "bytes": os.path.getsize(path),
        "opsets": opsets,
        "ir_version": model.ir_version,
        "ops": dict(sorted(ops.items())),
        "nodes": len(model.graph.node),
        "params": params,
        "inputs": value_infos(i for i in model.graph.input if i.name not in initializer_names),
        "outputs": value_infos(model.graph.output),
    }


def print_description(info: dict) -> None:
    print(f"wrote {info['file']} ({info['bytes'] / 1024:.1f} KiB, {info['params']:,} params, {info['nodes']} nodes)")
    print(f"  opsets: {json.dumps(info['opsets'])}, IR version {info['ir_version']}")
    print(f"  inputs: {json.dumps(info['inputs'])}")
    print(f"  outputs: {json.dumps(info['outputs'])}")
    print(f"  ops: {', '.join(f'{k}×{v}' for k, v in info['ops'].items())}")


def run_onnxruntime(path: str, feeds: dict[str, np.ndarray], threads: int = 1) -> list[np.ndarray]:
    """Run the model once with onnxruntime on the CPU."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def max_relative_error(reference: np.ndarray, actual: np.ndarray) -> float:
    """max |actual - reference| divided by the range of the reference (floor 1)."""
    reference = np.asarray(reference, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if reference.size == 0:
        return 0.0
    scale = float(reference.max() - reference.min()) or max(1.0, float(np.abs(reference).max()))
    return float(np.abs(actual - reference).max()) / scale


def remove_noop_nodes(path: str) -> int:
    """Drop Identity nodes and Casts to the type their input already has; rewrites `path`.

    Keras on the torch backend and skl2onnx leave many such nodes (float32 → float32 casts).
    They are correct ONNX, only noise. A node whose output is a graph output is kept when its
    input is a graph input or initializer (renaming would then change the graph's interface).
    Returns how many nodes were removed.
    """
    import onnx

    model = onnx.load(path)
    inferred = onnx.shape_inference.infer_shapes(model)
    elem_type = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        elem_type[value.name] = value.type.tensor_type.elem_type
    for t in inferred.graph.initializer:
        elem_type[t.name] = t.data_type
    graph = model.graph
    graph_outputs = {o.name for o in graph.output}
    graph_inputs = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    removed = 0
    for node in list(graph.node):
        if node.domain not in ("", "ai.onnx"):
            continue
        noop = node.op_type == "Identity"
        if node.op_type == "Cast":
            to = next(a.i for a in node.attribute if a.name == "to")
            noop = elem_type.get(node.input[0]) == to
        if not noop:
            continue
        source, target = node.input[0], node.output[0]
        if target in graph_outputs:
            if source in graph_inputs or source in graph_outputs:
                continue
            # The producer of `source` now writes the graph output directly.
            for other in graph.node:
                other.output[:] = [target if o == source else o for o in other.output]
                other.input[:] = [target if i == source else i for i in other.input]
        else:
            for other in graph.node:
                other.input[:] = [source if i == target else i for i in other.input]
        graph.node.remove(node)
        removed += 1
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return removed
