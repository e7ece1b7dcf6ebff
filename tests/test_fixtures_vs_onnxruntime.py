"""`ferry run` against onnxruntime on every committed fixture (fixtures/*/model.onnx).

Needs numpy, onnxruntime and pytest (requirements-test.txt); never torch. FERRY_BIN names the
`ferry` binary (`make test` sets it); without it the tests are skipped.

CLI contract exercised here:
  ferry run MODEL --input NAME=FILE ... --output-dir DIR [--threads N]
with FILE a .npy, or an .npz holding the array under the input's name; Ferry writes
DIR/output_0.npy, output_1.npy, ... in graph-output order and DIR/outputs.json naming them.

For every output: same shape and dtype as onnxruntime's; floats within 1e-4 of the reference
output's range (max - min), the range floored for (nearly) constant outputs; integers equal.
Reference outputs are computed live, never committed.

The data check (test_fixture_data_matches_model) needs no ferry and always runs.

Environment knobs: FERRY_FIXTURE_SAMPLES (eval samples per fixture, default 2, or `all`),
FERRY_FIXTURES (comma-separated names to restrict the run).
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
RELATIVE_TOLERANCE = 1e-4
TIMEOUT_SECONDS = 120


def fixture_names() -> list[str]:
    names = sorted(p.parent.name for p in FIXTURES_DIR.glob("*/model.onnx"))
    wanted = os.environ.get("FERRY_FIXTURES")
    if wanted:
        names = [n for n in names if n in wanted.split(",")]
    return names


def sample_count(name: str) -> int:
    with np.load(FIXTURES_DIR / name / "eval.npz") as data:
        available = min(len(data[k]) for k in data.files if k != "labels")
    setting = os.environ.get("FERRY_FIXTURE_SAMPLES", "2")
    return available if setting == "all" else min(int(setting), available)


def cases() -> list:
    out = []
    for name in fixture_names():
        out += [pytest.param(name, i, id=f"{name}-{i}") for i in range(sample_count(name))]
    return out


@pytest.fixture(scope="session")
def ferry_bin() -> str:
    path = os.environ.get("FERRY_BIN")
    if not path:
        pytest.skip("FERRY_BIN is not set")
    if not os.access(path, os.X_OK):
        pytest.fail(f"FERRY_BIN={path} is not an executable file")
    return path


_sessions: dict = {}


def ort_session(name: str):
    import onnxruntime as ort

    if name not in _sessions:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        _sessions[name] = ort.InferenceSession(str(FIXTURES_DIR / name / "model.onnx"), options,
                                               providers=["CPUExecutionProvider"])
    return _sessions[name]


def eval_inputs(name: str, index: int) -> dict[str, np.ndarray]:
    session = ort_session(name)
    with np.load(FIXTURES_DIR / name / "eval.npz") as data:
        return {i.name: np.ascontiguousarray(data[i.name][index:index + 1]) for i in session.get_inputs()}


def ort_outputs(name: str, feeds: dict[str, np.ndarray]) -> tuple[list[str], list[np.ndarray]]:
    session = ort_session(name)
    names = [o.name for o in session.get_outputs()]
    return names, session.run(names, feeds)


def output_files(out_dir: pathlib.Path, count: int) -> list[tuple[str | None, pathlib.Path]]:
    """(name, file) per output, in graph-output order, from outputs.json and output_K.npy."""
    files = [out_dir / f"output_{k}.npy" for k in range(count)]
    names: list[str | None] = [None] * count
    manifest = out_dir / "outputs.json"
    assert manifest.is_file(), f"ferry wrote no {manifest.name}; it wrote {sorted(p.name for p in out_dir.iterdir())}"
    mapping = json.loads(manifest.read_text())
    # Ferry writes {"outputs": [{"file", "name", "dtype", "shape"}, ...]}; also accepted:
    # {"name": "output_0.npy"} and {"output_0.npy": "name"}.
    if isinstance(mapping, dict) and "outputs" in mapping:
        mapping = mapping["outputs"]
    if isinstance(mapping, list):
        for k, item in enumerate(mapping[:count]):
            if isinstance(item, dict):
                names[k] = item.get("name")
                if item.get("file"):
                    files[k] = out_dir / item["file"]
            else:
                names[k] = item
    elif isinstance(mapping, dict):
        for key, value in mapping.items():
            file_, name = (key, value) if key.startswith("output_") and key.endswith(".npy") else (value, key)
            stem = pathlib.Path(str(file_)).name
            if stem.startswith("output_") and stem.endswith(".npy"):
                k = int(stem[len("output_"):-len(".npy")])
                if k < count:
                    names[k] = name
    return list(zip(names, files))


def run_ferry(ferry_bin: str, model: pathlib.Path, inputs: dict[str, pathlib.Path], out_dir: pathlib.Path,
              threads: int | None = None) -> None:
    command = [ferry_bin, "run", str(model)]
    for name, path in inputs.items():
        command += ["--input", f"{name}={path}"]
    command += ["--output-dir", str(out_dir)]
    if threads is not None:
        command += ["--threads", str(threads)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    assert result.returncode == 0, (
        f"{' '.join(command)} exited {result.returncode}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
    )


def assert_close(label: str, expected: np.ndarray, actual: np.ndarray) -> None:
    assert actual.shape == expected.shape, f"{label}: shape {actual.shape}, onnxruntime {expected.shape}"
    assert actual.dtype == expected.dtype, f"{label}: dtype {actual.dtype}, onnxruntime {expected.dtype}"
    if not np.issubdtype(expected.dtype, np.floating):
        mismatches = int(np.count_nonzero(actual != expected))
        assert mismatches == 0, f"{label}: {mismatches} of {expected.size} elements differ"
        return
    assert np.all(np.isfinite(actual) == np.isfinite(expected)), f"{label}: non-finite values differ"
    finite = np.isfinite(expected)
    reference = expected[finite].astype(np.float64)
    got = actual[finite].astype(np.float64)
    if reference.size == 0:
        return
    magnitude = float(np.abs(reference).max())
    # The range, floored so a (nearly) constant output is compared relative to its size.
    scale = max(float(reference.max() - reference.min()), 1e-3 * magnitude, 1e-6)
    error = float(np.abs(got - reference).max())
    assert error <= RELATIVE_TOLERANCE * scale, (
        f"{label}: max |ferry - onnxruntime| = {error:.3e} > {RELATIVE_TOLERANCE} × {scale:.3e} "
        f"(at flat index {int(np.argmax(np.abs(got - reference)))})"
    )


def compare(name: str, feeds: dict[str, np.ndarray], out_dir: pathlib.Path) -> None:
    expected_names, expected = ort_outputs(name, feeds)
    produced = output_files(out_dir, len(expected))
    for k, ((got_name, path), reference) in enumerate(zip(produced, expected)):
        assert path.is_file(), f"{name}: ferry wrote no {path.name}"
        if got_name is not None:
            assert got_name == expected_names[k], f"{name}: output {k} is {got_name!r}, graph says {expected_names[k]!r}"
        assert_close(f"{name} output {k} ({expected_names[k]})", reference, np.load(path))


@pytest.mark.parametrize("name,index", cases())
def test_matches_onnxruntime(ferry_bin, tmp_path, name, index):
    feeds = eval_inputs(name, index)
    inputs = {}
    for input_name, array in feeds.items():
        inputs[input_name] = tmp_path / f"in_{len(inputs)}.npy"
        np.save(inputs[input_name], array)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    run_ferry(ferry_bin, FIXTURES_DIR / name / "model.onnx", inputs, out_dir)
    compare(name, feeds, out_dir)


@pytest.mark.parametrize("name", fixture_names())
def test_npz_input_and_two_threads(ferry_bin, tmp_path, name):
    """The same check with the inputs given as one .npz and two threads."""
    feeds = eval_inputs(name, sample_count(name) - 1)
    archive = tmp_path / "inputs.npz"
    np.savez(archive, **feeds)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    run_ferry(ferry_bin, FIXTURES_DIR / name / "model.onnx", {n: archive for n in feeds}, out_dir, threads=2)
    compare(name, feeds, out_dir)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_data_matches_model(name):
    """The committed data fits the model, and the model still scores what manifest.json says.

    Needs only onnxruntime, so it runs without FERRY_BIN: it catches a fixture regenerated
    without its data (or the reverse) and a README/manifest left stale.
    """
    manifest = json.loads((FIXTURES_DIR / "manifest.json").read_text())
    assert name in manifest, f"{name} is not in fixtures/manifest.json: rerun fixtures/make_fixtures.py"
    entry = manifest[name]
    session = ort_session(name)
    dtypes = {"tensor(float)": np.float32, "tensor(int64)": np.int64}
    for kind in ("calibration", "eval"):
        with np.load(FIXTURES_DIR / name / f"{kind}.npz") as data:
            counts = set()
            for tensor in session.get_inputs():
                assert tensor.name in data.files, f"{name}/{kind}.npz has no {tensor.name!r}"
                array = data[tensor.name]
                assert array.dtype == dtypes[tensor.type], f"{name}/{kind}.npz[{tensor.name}] is {array.dtype}"
                assert list(array.shape[1:]) == list(tensor.shape[1:]), f"{name}/{kind}.npz[{tensor.name}] {array.shape}"
                counts.add(len(array))
            if "labels" in data.files:
                counts.add(len(data["labels"]))
            assert len(counts) == 1, f"{name}/{kind}.npz arrays have different sample counts {counts}"
    if entry.get("accuracy") is None:
        return
    with np.load(FIXTURES_DIR / name / "eval.npz") as data:
        arrays = {k: data[k] for k in data.files}
    labels = arrays.pop("labels")
    scores_index = [o.name for o in session.get_outputs()].index(entry["outputs"][-1]["name"])
    correct = 0
    for i in range(len(labels)):
        scores = session.run(None, {k: v[i:i + 1] for k, v in arrays.items()})[scores_index]
        correct += int(np.argmax(scores) == labels[i])
    # One sample of slack: another onnxruntime version may break a near-tie the other way.
    assert abs(correct - entry["accuracy"] * len(labels)) <= 1.01, (
        f"{name}: {correct}/{len(labels)} correct, manifest.json says {entry['accuracy']:.4f}: rerun make_fixtures.py"
    )
