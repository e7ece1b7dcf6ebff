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

from support import conv_transpose_model, resize_model

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


# --- Resize → Interp, on graphs built here (no fixture) ---------------------------------------

# (input shape, attributes, scales, sizes, op, opset): the modes real exports use.
RESIZE_CASES = {
    # F.interpolate(scale_factor=2, mode="nearest"), and paddle2onnx's upsampling in PP-OCR.
    "nearest_x2": ([1, 3, 8, 10], dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"), [1, 1, 2, 2], None, "Resize", 13),
    # The same at opset 9 (Upsample).
    "upsample_nearest_x2": ([1, 3, 8, 10], dict(mode="nearest"), [1, 1, 2, 2], None, "Upsample", 9),
    # F.interpolate(size=(12, 15), mode="nearest"): a factor of 1.5.
    "nearest_to_size": ([1, 3, 8, 10], dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"), None, [1, 4, 12, 15], "Resize", 13),
    # Half-pixel nearest at an integer factor takes the same pixels as floor.
    "nearest_half_pixel_x2": ([1, 3, 8, 10], dict(mode="nearest"), [1, 1, 2, 2], None, "Resize", 13),
    # F.interpolate(scale_factor=2, mode="bilinear", align_corners=False).
    "bilinear_x2": ([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), [1, 1, 2, 2], None, "Resize", 13),
    # ... to a size that is no integer factor, and downscaling.
    "bilinear_to_size": ([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), None, [1, 4, 13, 7], "Resize", 13),
    # F.interpolate(size=..., mode="bilinear", align_corners=True).
    "bilinear_align_corners": ([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="align_corners"), None, [1, 4, 15, 19], "Resize", 13),
    # A global-pooled 1×1 map broadcast back (DeepLab's image pooling branch).
    "bilinear_from_one_pixel": ([1, 3, 1, 1], dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), None, [1, 4, 6, 5], "Resize", 13),
    # F.interpolate(scale_factor=2, mode="bicubic", align_corners=False / True).
    "bicubic_x2": ([1, 3, 8, 10], dict(mode="cubic", cubic_coeff_a=-0.75, coordinate_transformation_mode="pytorch_half_pixel"), [1, 1, 2, 2], None, "Resize", 13),
    "bicubic_align_corners": ([1, 3, 8, 10], dict(mode="cubic", cubic_coeff_a=-0.75, coordinate_transformation_mode="align_corners"), None, [1, 4, 11, 23], "Resize", 13),
}

# Resizes NCNN computes otherwise: refused, naming the node and what NCNN cannot follow.
NCNN_REFUSED_RESIZES = {
    "nearest_half_pixel_to_size": (([1, 3, 8, 10], dict(mode="nearest"), None, [1, 4, 12, 14], "Resize", 13), "nearest_mode 'round_prefer_floor'"),
    "bilinear_asymmetric_x2": (([1, 3, 8, 10], dict(mode="linear", coordinate_transformation_mode="asymmetric"), [1, 1, 2, 2], None, "Resize", 13),
                               "coordinate_transformation_mode 'asymmetric'"),
    "bicubic_a_half": (([1, 3, 8, 10], dict(mode="cubic", cubic_coeff_a=-0.5), [1, 1, 2, 2], None, "Resize", 13), "cubic_coeff_a -0.5"),
    "bicubic_exclude_outside": (([1, 3, 8, 10], dict(mode="cubic", exclude_outside=1), [1, 1, 2, 2], None, "Resize", 13), "exclude_outside"),
    "bilinear_one_row": (([1, 3, 1, 10], dict(mode="linear"), [1, 1, 1, 2], None, "Resize", 13), "axis of length 1"),
    "resize_channels": (([1, 3, 8, 10], dict(mode="nearest"), [1, 2, 1, 1], None, "Resize", 13), "channel axis"),
}


def convert_resize(tmp_path: pathlib.Path, case, target: str, *flags: str):
    shape, attributes, scales, sizes, op, opset = case
    source = resize_model(tmp_path / "source.onnx", shape, attributes, scales, sizes, op, opset)
    np.savez(tmp_path / "eval.npz", x=np.random.default_rng(3).standard_normal([4] + shape[1:]).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(tmp_path / "out"), "--target", target,
                             "--data", str(tmp_path / "eval.npz"), *flags], capture_output=True, text=True, timeout=600)
    return source, tmp_path / "out", result


@pytest.mark.parametrize("case", sorted(RESIZE_CASES))
def test_resize_runs_in_ncnn_as_onnxruntime_computes_it(case: str, tmp_path) -> None:
    """Each mode real exports use becomes one Interp that NCNN (float32 options) runs within
    1e-4 of onnxruntime's range; Ferry's own read-back of the written file measured the same."""
    require_ferry()
    source, folder, result = convert_resize(tmp_path, RESIZE_CASES[case], "ncnn")
    assert result.returncode == 0, result.stderr + result.stdout
    param = (folder / "model.param").read_text()
    assert param.count("Interp") == 1, param
    details = json.loads((folder / "conversion.json").read_text())["target_details"]
    with np.load(tmp_path / "eval.npz") as data:
        feeds = [{"x": data["x"][i:i + 1]} for i in range(len(data["x"]))]
    session = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    drift = json.loads((folder / "drift.json").read_text())["outputs"][0]["metrics"]
    assert float(drift["rel"]) <= 1e-5, drift
    for sample, produced in zip(feeds, run_ncnn(folder, details, feeds, exact=True)):
        want = session.run(None, sample)[0].ravel()
        got = produced["y"]
        assert got.shape == want.shape
        span = float(want.max() - want.min()) or 1.0
        worst = float(np.abs(got - want).max())
        assert worst <= 1e-4 * span, f"{case}: max |ncnn - onnxruntime| {worst:.3g} of range {span:.3g}"


# ConvTranspose after the Conv's 4 channels: (weight shape, attributes), as decoders export it.
CONV_TRANSPOSE_CASES = {
    # PaddleOCR's DB head: kernel 2, stride 2.
    "k2_s2": ([4, 6, 2, 2], dict(strides=[2, 2])),
    # PyTorch ConvTranspose2d(k=3, s=2, p=1, output_padding=1) and DCGAN's (k=4, s=2, p=1).
    "k3_s2_p1_output_padding": ([4, 3, 3, 3], dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])),
    "k4_s2_p1": ([4, 3, 4, 4], dict(strides=[2, 2], pads=[1, 1, 1, 1])),
    "grouped_dilated": ([4, 2, 3, 3], dict(group=2, dilations=[2, 1], pads=[0, 1, 1, 0])),
    "depthwise": ([4, 1, 3, 3], dict(group=4, strides=[2, 2])),
    "output_shape": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[15, 19])),
    "same_upper": ([4, 3, 3, 3], dict(strides=[2, 2], auto_pad="SAME_UPPER")),
    # Odd total pads: onnxruntime cuts the extra pixel at the start, at the end for SAME_UPPER.
    "output_shape_odd": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[16, 18])),
    "output_shape_odd_same_upper": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[14, 20], auto_pad="SAME_UPPER")),
    "same_lower": ([4, 3, 3, 3], dict(strides=[2, 2], auto_pad="SAME_LOWER")),
    # One beyond the full 17×21 scatter: onnxruntime appends zeros, NCNN's output padding.
    "output_shape_beyond": ([4, 3, 3, 3], dict(strides=[2, 2], output_shape=[18, 22])),
}


@pytest.mark.parametrize("case", sorted(CONV_TRANSPOSE_CASES))
def test_conv_transpose_runs_in_ncnn_as_onnxruntime_computes_it(case: str, tmp_path) -> None:
    """ConvTranspose becomes Deconvolution (DeconvolutionDepthWise for groups) with the Relu
    fused; NCNN (float32 options) gives onnxruntime's output within 1e-4 of its range."""
    require_ferry()
    source = conv_transpose_model(tmp_path / "source.onnx", *CONV_TRANSPOSE_CASES[case], relu=True)
    np.savez(tmp_path / "eval.npz", x=np.random.default_rng(3).standard_normal([4, 3, 8, 10]).astype(np.float32))
    result = subprocess.run([FERRY, "convert", str(source), "--out", str(tmp_path / "out"), "--target", "ncnn",
                             "--data", str(tmp_path / "eval.npz")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr + result.stdout
    folder = tmp_path / "out"
    assert "Deconvolution" in (folder / "model.param").read_text()
    details = json.loads((folder / "conversion.json").read_text())["target_details"]
    with np.load(tmp_path / "eval.npz") as data:
        feeds = [{"x": data["x"][i:i + 1]} for i in range(len(data["x"]))]
    session = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    for sample, produced in zip(feeds, run_ncnn(folder, details, feeds, exact=True)):
        want = session.run(None, sample)[0].ravel()
        got = produced["y"]
        assert got.shape == want.shape
        span = float(want.max() - want.min()) or 1.0
        assert float(np.abs(got - want).max()) <= 1e-4 * span, case


@pytest.mark.parametrize("case", sorted(NCNN_REFUSED_RESIZES))
def test_resize_ncnn_computes_otherwise_is_refused_naming_the_attribute(case: str, tmp_path) -> None:
    require_ferry()
    spec, reason = NCNN_REFUSED_RESIZES[case]
    _, _, result = convert_resize(tmp_path, spec, "ncnn")
    assert result.returncode == 2, result.stderr + result.stdout
    assert "node 'resize' (Resize)" in result.stderr and reason in result.stderr, result.stderr
