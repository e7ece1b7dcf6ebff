"""Loading a model must not hold more than about 1.5x the model's size (foundation issue).

Writes a 256 MiB model (weights inline) and the same weights as external data, loads each with
`ferry inspect` and compares the process's peak RSS with that of a tiny model's load."""
from __future__ import annotations

import os
import pathlib
import resource
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
SIZE = 256 << 20


def peak_rss_bytes(*args) -> int:
    """Peak RSS of one `ferry` run, measured in a fresh child so earlier runs do not count."""
    script = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "assert r.returncode == 0, r.stderr\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(["python3", "-c", script, FERRY, *map(str, args)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) * 1024


def big_model(folder: pathlib.Path, external: bool) -> pathlib.Path:
    weights = np.arange(SIZE // 4, dtype=np.float32).reshape(-1, 1024)
    init = numpy_helper.from_array(weights, "w")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "big",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(weights.shape))], initializer=[init])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = folder / ("external.onnx" if external else "inline.onnx")
    if external:
        onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location="weights.bin")
    else:
        onnx.save_model(model, str(path))
    return path


def test_loading_holds_at_most_one_and_a_half_model_sizes(tmp_path):
    baseline = peak_rss_bytes("inspect", ROOT / "fixtures" / "bad" / "good.onnx")
    for external in (False, True):
        path = big_model(tmp_path, external)
        peak = peak_rss_bytes("inspect", path)
        grown = peak - baseline
        print(f"{'external' if external else 'inline'}: load grew peak RSS by {grown / SIZE:.2f}x the model size")
        assert grown <= 1.5 * SIZE, f"{'external' if external else 'inline'}: load grew RSS by {grown / SIZE:.2f}x the model size"
        assert grown >= 0.9 * SIZE, "the weights should be resident once"
