"""Ferry's `--target ncnn` output runs in Tencent NCNN (the `ncnn` package from PyPI) and matches
onnxruntime on the source model.

Every fixture is converted with the release `ferry` (FERRY_BIN, default .build/release/ferry) in
three modes: float32, `--quantize fp16` and `--quantize int8` (with the fixture's
calibration.npz and `--max-drift none`, so every layer with an int8 form is int8). Each `model.param`/`model.bin` pair is loaded with `ncnn.Net.load_param` /
`load_model` and run through an extractor on the fixture's eval.npz samples, feeding and
extracting the blobs `conversion.json` names in `target_details` (NCNN blobs are per sample,
batch axis dropped; token ids are fed as int32 bit patterns, as NCNN's Embed reads them).

- float32: NCNN's fp16 storage, fp16 arithmetic, bf16 storage and packed layouts are switched
  off (`net.opt.use_fp16_storage = False` …), so NCNN computes in float32; every output must be
  within 1e-4 of the onnxruntime output's range.
- fp16 and int8: NCNN runs with its default options (what a device runs). The worst-sample
  cosine must be no lower than the cosine Ferry predicted in drift.json minus a margin (0.01 for
  fp16, which NCNN also applies to activations where the CPU supports it; 0.03 for int8, where
  NCNN rounds half away from zero and clamps to ±127), and top-1 agreement no lower than
  predicted minus 2 samples' worth.

A fixture Ferry refuses for NCNN (sklearn_mlp: its ArgMax) must be refused with the node named.
Environment: FERRY_FIXTURE_SAMPLES (eval samples per fixture, default `all`).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
REFUSED = {"sklearn_mlp": "ArgMax"}
MODES = ["none", "fp16", "int8"]
COSINE_MARGIN = {"fp16": 0.01, "int8": 0.03}

ncnn = pytest.importorskip("ncnn", reason="the ncnn package (requirements-test.txt) is not installed")
ort = pytest.importorskip("onnxruntime")


def fixtures() -> list[str]:
    return sorted(p.parent.name for p in FIXTURES.glob("*/model.onnx"))


def require_ferry() -> None:
    if not (os.path.isfile(FERRY) and os.access(FERRY, os.X_OK)):
        pytest.skip(f"no ferry binary at {FERRY}: build it (swift build -c release --product ferry) or set FERRY_BIN")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    cache: dict[tuple[str, str], tuple[pathlib.Path, subprocess.CompletedProcess]] = {}

    def convert(name: str, mode: str):
        if (name, mode) not in cache:
            out = tmp_path_factory.mktemp(f"{name}-{mode}")
            args = [FERRY, "convert", FIXTURES / name / "model.onnx", "--out", out / "model", "--target", "ncnn",
                    "--data", FIXTURES / name / "eval.npz"]
            if mode != "none":
                args += ["--quantize", mode]
            if mode == "int8":
                # Every layer with an int8 form is quantized (no float fallback), so NCNN's int8
                # kernels are exercised on all of them; drift.json predicts what NCNN computes.
                args += ["--calibration", FIXTURES / name / "calibration.npz", "--max-drift", "none"]
            result = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=1800)
            cache[(name, mode)] = (out / "model", result)
        return cache[(name, mode)]

    return convert


def eval_samples(name: str) -> list[dict[str, np.ndarray]]:
    session = ort.InferenceSession(str(FIXTURES / name / "model.onnx"), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    with np.load(FIXTURES / name / "eval.npz") as data:
        available = min(len(data[n]) for n in names)
        setting = os.environ.get("FERRY_FIXTURE_SAMPLES", "all")
        count = available if setting == "all" else min(int(setting), available)
        return [{n: data[n][i:i + 1] for n in names} for i in range(count)]


def run_ncnn(folder: pathlib.Path, details: dict[str, str], feeds: list[dict[str, np.ndarray]], exact: bool):
    net = ncnn.Net()
    net.opt.num_threads = 1
    if exact:
        net.opt.use_fp16_storage = False
        net.opt.use_fp16_packed = False
        net.opt.use_fp16_arithmetic = False
        net.opt.use_bf16_storage = False
        net.opt.use_packing_layout = False
    assert net.load_param(str(folder / "model.param")) == 0
    assert net.load_model(str(folder / "model.bin")) == 0
    outputs = sorted(k.split(":", 1)[1] for k in details if k.startswith("output:"))
    results = []
    for sample in feeds:
        extractor = net.create_extractor()
        # ncnn.Mat wraps the numpy buffer without copying: keep the arrays alive until extraction.
        buffers = []
        for name, array in sample.items():
            shape = [int(d) for d in details[f"input_shape:{name}"].split(",")]
            if details.get(f"input_type:{name}") == "int32":
                # NCNN's Embed reads ids as the int32 bits of the float blob.
                array = array.astype(np.int32).view(np.float32)
            buffers.append(np.ascontiguousarray(array.astype(np.float32).reshape(shape)))
            assert extractor.input(details[f"input:{name}"], ncnn.Mat(buffers[-1])) == 0
        produced = {}
        for name in outputs:
            ret, mat = extractor.extract(details[f"output:{name}"])
            assert ret == 0, f"extract {name} failed ({ret})"
            produced[name] = np.array(mat).astype(np.float32).ravel()
        results.append(produced)
        del extractor
    net.clear()
    return results


def reference(name: str, feeds: list[dict[str, np.ndarray]]):
    session = ort.InferenceSession(str(FIXTURES / name / "model.onnx"), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return [{n: v.astype(np.float32).ravel() for n, v in zip(names, session.run(None, feed))} for feed in feeds]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64), b.astype(np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else float(na == nb)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", fixtures())
def test_ncnn_matches_onnxruntime(name: str, mode: str, converted) -> None:
    require_ferry()
    folder, result = converted(name, mode)
    if name in REFUSED:
        assert result.returncode == 2, result.stderr
        assert REFUSED[name] in result.stderr and "node" in result.stderr, result.stderr
        pytest.skip(f"{name}: refused as expected: {result.stderr.strip()}")
    assert result.returncode == 0, f"ferry convert failed ({result.returncode}): {result.stderr}{result.stdout}"
    details = json.loads((folder / "conversion.json").read_text())["target_details"]
    drift = {o["name"]: o["metrics"] for o in json.loads((folder / "drift.json").read_text())["outputs"]}
    feeds = eval_samples(name)
    actual = run_ncnn(folder, details, feeds, exact=(mode == "none"))
    expected = reference(name, feeds)
    for output in expected[0]:
        got = np.stack([a[output] for a in actual])
        want = np.stack([e[output] for e in expected])
        assert got.shape == want.shape, f"{output}: NCNN gave {got.shape}, onnxruntime {want.shape}"
        if mode == "none":
            span = float(want.max() - want.min()) or 1.0
            worst = float(np.abs(got - want).max())
            assert worst <= 1e-4 * span, f"{name} {output}: max |ncnn - onnxruntime| {worst:.3g} is {worst / span:.3g} of the range"
            continue
        predicted = drift[output]
        worst_cosine = min(cosine(g, w) for g, w in zip(got, want))
        assert worst_cosine >= float(predicted["cosine"]) - COSINE_MARGIN[mode], (
            f"{name} {output} {mode}: NCNN worst cosine {worst_cosine:.5f}, Ferry predicted {predicted['cosine']}")
        if "top1" in predicted and want.shape[1] > 1:
            top1 = float(np.mean(got.argmax(axis=1) == want.argmax(axis=1)))
            assert top1 >= float(predicted["top1"]) - 2.0 / len(feeds), (
                f"{name} {output} {mode}: NCNN top-1 agreement {top1:.4f}, Ferry predicted {predicted['top1']}")


@pytest.mark.parametrize("name", [n for n in fixtures() if n not in REFUSED])
def test_ncnn_conversion_is_deterministic(name: str, converted, tmp_path) -> None:
    require_ferry()
    folder, result = converted(name, "none")
    assert result.returncode == 0, result.stderr
    again = subprocess.run([FERRY, "convert", str(FIXTURES / name / "model.onnx"), "--out", str(tmp_path / "again"), "--target", "ncnn",
                            "--data", str(FIXTURES / name / "eval.npz")], capture_output=True, text=True, timeout=1800)
    assert again.returncode == 0, again.stderr
    for file in ["model.param", "model.bin"]:
        assert (folder / file).read_bytes() == (tmp_path / "again" / file).read_bytes(), f"{file} differs between runs"


def test_ferry_inspect_lists_ncnn_layers(converted) -> None:
    require_ferry()
    folder, result = converted("digits_cnn", "none")
    assert result.returncode == 0, result.stderr
    shown = subprocess.run([FERRY, "inspect", str(folder / "model.param"), "--json"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["format"] == "ncnn"
    assert summary["ncnn"]["layer_histogram"]["Convolution"] == 2
    assert summary["ncnn"]["input_blobs"] == ["input"]
