"""Shared helpers of the benchmark scripts: one child process timed with its peak memory, and
seeded calibration data."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np


def measure_one(cmd, env=None, cwd=None):
    """Wall time (s) and peak RSS (MB) of `cmd`, run from a fresh Python so that RUSAGE_CHILDREN
    holds only its peak (ru_maxrss of children is the largest child so far)."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        f"r = subprocess.run({cmd!r}, capture_output=True, text=True, cwd={cwd!r})\n"
        "e = time.perf_counter() - t\n"
        "print(json.dumps({'rc': r.returncode, 'seconds': e, 'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 'err': (r.stderr + r.stdout)[-1500:]}))\n"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout)
    if out["rc"] != 0:
        raise SystemExit(f"{cmd[0]} failed: {out['err']}")
    return out["seconds"], out["peak_mb"]


def calibration_arrays(shapes: dict[str, list[int]], count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """`count` seeded uniform [0, 1) samples for every input (batch dimension first)."""
    rng = np.random.default_rng(seed)
    return {name: rng.random((count * shape[0], *shape[1:]), dtype=np.float32) for name, shape in shapes.items()}


def input_shapes(model: pathlib.Path) -> dict[str, list[int]]:
    import onnx

    graph = onnx.load(str(model), load_external_data=False).graph
    initializers = {t.name for t in graph.initializer}
    return {i.name: [d.dim_value or 1 for d in i.type.tensor_type.shape.dim] for i in graph.input if i.name not in initializers}
