"""`ferry convert --target ncnn` beside pnnx, and `ferry convert --target coreml` beside
coremltools, in one run (issue 6: output size no larger than the peer's for the same mode;
conversion time and peak memory beside the peer's):

* NCNN: pnnx (PyPI `pnnx`, which reads the same ONNX file) against `--target ncnn` in float32
  (pnnx fp16=0) and float16 storage (pnnx's default fp16=1, Ferry's `--quantize fp16`).
  Size is model.param + model.bin. Both outputs are then run in the `ncnn` Python package on
  one seeded input and compared with onnxruntime on the same input (max abs difference).
  NCNN's int8 tools (ncnn2table, ncnn2int8) are C++ programs that no PyPI package ships, so
  Ferry's `--quantize int8` NCNN file is listed without a peer.
* Core ML: coremltools (`ct.convert` of a TorchScript module to an ML Program, then
  `coremltools.optimize.coreml`) against `--target coreml`, float16 and float32 compute,
  int8 weights (`linear_quantize_weights`, linear_symmetric per channel; Ferry
  `--quantize dynamic`) and k-means palettes of 4 and 6 bits (`palettize_weights`; Ferry
  `--palettize N`). Size is the whole .mlpackage directory. coremltools no longer reads
  ONNX, so its input is a torchvision MobileNetV2 whose every weight is copied from the ONNX
  file's initializers (the exporter folded BatchNorm into the convolutions, so BatchNorm
  becomes Identity and each convolution takes the ONNX bias); the script checks that this
  module gives onnxruntime's outputs before converting it. Tracing it to TorchScript is
  preparation, outside the timing, as exporting the ONNX file is for Ferry. Core ML does not
  run on Linux: Ferry's own read-back check is in each conversion's drift.json.

Each conversion runs in its own process (`_measure.measure_one`: wall time, peak RSS from the
kernel). Ferry's time includes its verification of the result against the source (its
read-back and reference run, 4 synthetic samples); the peers do not verify.

Usage: python benchmarks/ncnn_coreml_vs_peers.py --ferry .build/release/ferry [--model build/bench/mobilenet_v2.onnx]
       [--ncnn-python .venv/bin/python] [--skip-ncnn] [--skip-coreml] [--repeat N]
Prints a Markdown table and writes build/bench/peers.{json,md}; outputs stay in build/bench/peers/.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _measure import calibration_arrays, input_shapes, measure_one  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# NCNN models: the full-size model and two fixtures (pnnx reads each ONNX file directly).
NCNN_FIXTURES = ["mobilenet_v3_small_w050", "digits_cnn"]
# Core ML models: ONNX files exported from torchvision.models.mobilenet_v2 (keyword arguments
# of the builder), so that coremltools can be given the same weights as a PyTorch module.
COREML_FIXTURES = {"mobilenet_v2_w035": {"width_mult": 0.35, "num_classes": 10}}

# Writes a TorchScript file whose weights are the ONNX initializers; prints the largest
# difference from onnxruntime on one seeded input (JSON).
TORCHSCRIPT_SCRIPT = r"""
import json, sys
import numpy as np, onnx, onnxruntime as ort, torch
from onnx import numpy_helper
sys.path.insert(0, sys.argv[4])
from _torchvision_compat import import_torchvision
src, dst, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
model = onnx.load(src)
init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
convs = [n for n in model.graph.node if n.op_type == "Conv"]
gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
net = import_torchvision().models.mobilenet_v2(weights=None, **kwargs).eval()
def drop_batchnorm(module):
    for key, child in module.named_children():
        if isinstance(child, torch.nn.BatchNorm2d):
            setattr(module, key, torch.nn.Identity())
        else:
            drop_batchnorm(child)
drop_batchnorm(net)
tconvs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
assert len(convs) == len(tconvs) and len(gemms) == len(linears) == 1, (len(convs), len(tconvs), len(gemms))
with torch.no_grad():
    for node, conv in zip(convs, tconvs):  # graph order is module order
        weight = torch.from_numpy(init[node.input[1]].copy())
        assert weight.shape == conv.weight.shape, (node.name, weight.shape, conv.weight.shape)
        conv.weight.copy_(weight)
        conv.bias = torch.nn.Parameter(torch.from_numpy(init[node.input[2]].copy()))
    attrs = {a.name: a for a in gemms[0].attribute}
    assert attrs["transB"].i == 1
    linears[0].weight.copy_(torch.from_numpy(init[gemms[0].input[1]].copy()))
    linears[0].bias.copy_(torch.from_numpy(init[gemms[0].input[2]].copy()))
shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
x = np.random.default_rng(0).random(shape, dtype=np.float32)
ref = ort.InferenceSession(src, providers=["CPUExecutionProvider"]).run(None, {model.graph.input[0].name: x})[0]
with torch.no_grad():
    y = net(torch.from_numpy(x)).numpy()
torch.jit.trace(net, torch.from_numpy(x)).save(dst)
print(json.dumps({"max_abs_diff": float(np.abs(y - ref).max()), "output_range": float(np.abs(ref).max()), "shape": shape,
                  "input": model.graph.input[0].name, "output": model.graph.output[0].name}))
"""

# One coremltools conversion: TorchScript -> ML Program (-> compressed weights) -> .mlpackage.
# coremltools imports TensorFlow at start-up when it is installed (bench-tflite's onnx2tf may
# have put it beside torch): about 10 s and 500 MB that its PyTorch path never uses, so it is
# hidden, as in a venv with only coremltools and torch.
COREMLTOOLS_SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
sys.modules["tensorflow"] = None
import coremltools as ct, torch
import coremltools.optimize.coreml as cto
src, dst, mode, name, shape, output = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]), sys.argv[6]
precision = ct.precision.FLOAT32 if mode == "float32" else ct.precision.FLOAT16
model = ct.convert(torch.jit.load(src), inputs=[ct.TensorType(name=name, shape=tuple(shape))], outputs=[ct.TensorType(name=output)],
                   convert_to="mlprogram", compute_precision=precision, minimum_deployment_target=ct.target.iOS15)
if mode == "int8":
    model = cto.linear_quantize_weights(model, cto.OptimizationConfig(
        global_config=cto.OpLinearQuantizerConfig(mode="linear_symmetric", granularity="per_channel", dtype="int8")))
elif mode.startswith("palette"):
    model = cto.palettize_weights(model, cto.OptimizationConfig(
        global_config=cto.OpPalettizerConfig(mode="kmeans", nbits=int(mode[len("palette"):]))))
model.save(dst)
"""

# Runs NCNN models in the `ncnn` package: argv = JSON list of [param, bin, in_blob, out_blob,
# input.npy, output.npy]; writes each output. Runs in an interpreter that has `ncnn`.
NCNN_SCRIPT = r"""
import json, sys
import ncnn, numpy as np
for param, weights, blob_in, blob_out, x_path, y_path in json.loads(sys.argv[1]):
    net = ncnn.Net()
    net.opt.use_fp16_storage = False
    net.opt.use_fp16_arithmetic = False
    net.opt.use_fp16_packed = False
    net.opt.num_threads = 1
    assert net.load_param(param) == 0, param
    assert net.load_model(weights) == 0, weights
    x = np.ascontiguousarray(np.load(x_path)[0], dtype=np.float32)  # NCNN blobs drop the batch axis
    ex = net.create_extractor()
    ex.input(blob_in, ncnn.Mat(x))
    ret, out = ex.extract(blob_out)
    assert ret == 0, (param, blob_out, ret)
    np.save(y_path, np.array(out).copy())
"""

# Size of each package's model.mlmodel with every MIL value name (op outputs, their `name`
# attributes and the arguments that read them) replaced by a short id, graph inputs and outputs
# kept: what the spec would weigh if names cost nothing. argv = JSON list of packages.
COREML_NAMES_SCRIPT = r"""
import json, sys
sys.modules["tensorflow"] = None
from coremltools.proto import Model_pb2
sizes = []
for package in json.loads(sys.argv[1]):
    spec = Model_pb2.Model()
    spec.ParseFromString(open(package + "/Data/com.apple.CoreML/model.mlmodel", "rb").read())
    function = spec.mlProgram.functions["main"]
    block = function.block_specializations[function.opset]
    keep = {i.name for i in function.inputs} | set(block.outputs)
    ids = {}
    short = lambda n: n if n in keep else ids.setdefault(n, f"v{len(ids)}")
    for op in block.operations:
        for out in op.outputs:
            out.name = short(out.name)
        for value in op.inputs.values():
            for argument in value.arguments:
                if argument.name:
                    argument.name = short(argument.name)
        if "name" in op.attributes:
            names = op.attributes["name"].immediateValue.tensor.strings.values
            if names:
                names[0] = short(names[0])
    sizes.append(len(spec.SerializeToString()))
print(json.dumps(sizes))
"""


def param_without_names(path: pathlib.Path) -> int:
    """Size of an NCNN .param with layers named l0, l1, … and blobs numbered in order of
    appearance, one space between fields: the same layers and parameters, names costing nothing."""
    lines = path.read_text().splitlines()
    blobs: dict[str, str] = {}
    out = lines[:2]
    for index, line in enumerate(lines[2:]):
        fields = line.split()
        kind, count_in, count_out = fields[0], int(fields[2]), int(fields[3])
        ios = [blobs.setdefault(b, str(len(blobs))) for b in fields[4:4 + count_in + count_out]]
        out.append(" ".join([kind, f"l{index}", fields[2], fields[3], *ios, *fields[4 + count_in + count_out:]]))
    return len(("\n".join(out) + "\n").encode())


COREML_MODES = {
    # mode: (ferry arguments, coremltools mode)
    "float16": ([], "float16"),
    "float32": (["--coreml-precision", "float32"], "float32"),
    "int8 weights": (["--quantize", "dynamic"], "int8"),
    "4-bit palette": (["--palettize", "4"], "palette4"),
    "6-bit palette": (["--palettize", "6"], "palette6"),
}


def dir_bytes(path: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(results, key, cmd, env, repeat, cwd=None, before=None):
    """Best of `repeat` runs (least disturbed by other work on the machine), peak memory of that run."""
    best = None
    for _ in range(repeat):
        if before:
            before()
        seconds, peak = measure_one(cmd, env=env, cwd=cwd)
        if best is None or seconds < best[0]:
            best = (seconds, peak)
    results[key] = {"seconds": round(best[0], 2), "peak_mb": round(best[1], 1)}
    print(f"{key}: {best[0]:.2f} s, {best[1]:.0f} MB", file=sys.stderr)
    return results[key]


def ncnn_models(main_model: pathlib.Path):
    models = [(main_model.stem, main_model, None)]
    for name in NCNN_FIXTURES:
        folder = FIXTURES / name
        models.append((name, folder / "model.onnx", folder / "calibration.npz"))
    return models


def run_ncnn(args, ferry, env, work, results):
    import onnxruntime as ort

    rows, checks = [], []
    for name, model, calibration in ncnn_models(pathlib.Path(args.model)):
        if not model.exists():
            continue
        folder = work / "ncnn" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shapes = input_shapes(model)
        (input_name, shape), = shapes.items()
        if calibration is None:
            calibration = folder / "calibration.npz"
            np.savez(calibration, **calibration_arrays(shapes, args.samples))
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
        np.save(folder / "input.npy", x)
        session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        reference = session.run(None, {input_name: x})[0]
        entry = results.setdefault(name, {})
        for mode, fp16 in [("float32", "0"), ("float16", "1")]:
            out = folder / f"pnnx_{mode}"
            out.mkdir()
            # pnnx writes its own .pnnx.* files and Python scripts as well; all go to out/, and it
            # reads a copy of the model (it leaves a simplified .pnnxsim.onnx beside its input).
            source = out / model.name
            shutil.copyfile(model, source)
            cmd = [args.pnnx, str(source), f"inputshape=[{','.join(map(str, shape))}]", f"fp16={fp16}",
                   f"pnnxparam={out}/model.pnnx.param", f"pnnxbin={out}/model.pnnx.bin", f"pnnxpy={out}/model_pnnx.py",
                   f"pnnxonnx={out}/model.pnnx.onnx", f"ncnnparam={out}/model.ncnn.param", f"ncnnbin={out}/model.ncnn.bin",
                   f"ncnnpy={out}/model_ncnn.py"]
            peer = timed(entry, f"pnnx {mode}", cmd, env, args.repeat, cwd=str(out))
            ferry_out = folder / f"ferry_{mode}"
            cmd = [ferry, "convert", str(model), "--out", str(ferry_out), "--target", "ncnn", "--threads", "2"]
            if mode == "float16":
                cmd += ["--quantize", "fp16"]
            ours = timed(entry, f"ferry ncnn {mode}", cmd, env, args.repeat, before=lambda p=ferry_out: shutil.rmtree(p, ignore_errors=True))
            details = json.loads((ferry_out / "conversion.json").read_text())["target_details"]
            output_name = session.get_outputs()[0].name
            files = {"ferry": (ferry_out / "model.param", ferry_out / "model.bin", details[f"input:{input_name}"], details[f"output:{output_name}"]),
                     "pnnx": (out / "model.ncnn.param", out / "model.ncnn.bin", "in0", "out0")}
            size = {tool: {"param": p.stat().st_size, "bin": b.stat().st_size} for tool, (p, b, _, _) in files.items()}
            for tool, (p, _, _, _) in files.items():
                size[tool]["param_without_names"] = param_without_names(p)
            entry[f"size {mode}"] = size
            for tool, (p, b, blob_in, blob_out) in files.items():
                checks.append((name, mode, tool, [str(p), str(b), blob_in, blob_out, str(folder / "input.npy"), str(folder / f"out_{tool}_{mode}.npy")]))
            rows.append({"model": name, "target": "NCNN", "mode": mode, "ferry": ours, "peer": peer, "peer_name": "pnnx",
                         "ferry_bytes": size["ferry"]["param"] + size["ferry"]["bin"], "peer_bytes": size["pnnx"]["param"] + size["pnnx"]["bin"],
                         "split": f"param {size['ferry']['param']:,} / {size['pnnx']['param']:,}; bin {size['ferry']['bin']:,} / {size['pnnx']['bin']:,}",
                         "unnamed": f"param {size['ferry']['param_without_names']:,} / {size['pnnx']['param_without_names']:,}"})
        # int8: Ferry only (ncnn2table/ncnn2int8 are not on PyPI).
        ferry_out = folder / "ferry_int8"
        cmd = [ferry, "convert", str(model), "--out", str(ferry_out), "--target", "ncnn", "--quantize", "int8",
               "--calibration", str(calibration), "--max-drift", "none", "--threads", "2"]
        ours = timed(entry, "ferry ncnn int8", cmd, env, args.repeat, before=lambda p=ferry_out: shutil.rmtree(p, ignore_errors=True))
        p, b = ferry_out / "model.param", ferry_out / "model.bin"
        details = json.loads((ferry_out / "conversion.json").read_text())["target_details"]
        checks.append((name, "int8", "ferry", [str(p), str(b), details[f"input:{input_name}"], details[f"output:{session.get_outputs()[0].name}"],
                                               str(folder / "input.npy"), str(folder / "out_ferry_int8.npy")]))
        entry["size int8"] = {"ferry": {"param": p.stat().st_size, "bin": b.stat().st_size}}
        rows.append({"model": name, "target": "NCNN", "mode": "int8", "ferry": ours, "peer": None, "peer_name": "ncnn2int8 (not on PyPI)",
                     "ferry_bytes": p.stat().st_size + b.stat().st_size, "peer_bytes": None,
                     "split": f"param {p.stat().st_size:,}; bin {b.stat().st_size:,}", "unnamed": f"param {param_without_names(p):,}"})
        entry["reference"] = str(folder / "reference.npy")
        np.save(folder / "reference.npy", reference)
    # Run every NCNN file in the ncnn package, then compare with onnxruntime.
    result = subprocess.run([args.ncnn_python, "-c", NCNN_SCRIPT, json.dumps([c[3] for c in checks])], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"ncnn check failed: {result.stderr[-1500:]}", file=sys.stderr)
    for name, mode, tool, spec in checks:
        out = pathlib.Path(spec[5])
        reference = np.load(results[name]["reference"])
        if out.exists():
            y = np.load(out).reshape(-1)
            diff = float(np.abs(y - reference.reshape(-1)).max())
            note = f"max abs diff {diff:.2g} (range {float(np.abs(reference).max()):.3g})"
        else:
            diff, note = None, "did not run in ncnn"
        results[name][f"ncnn check {tool} {mode}"] = {"max_abs_diff_vs_ort": diff}
        for row in rows:
            if row["model"] == name and row["target"] == "NCNN" and row["mode"] == mode:
                row.setdefault("check", {})[tool] = note
    return rows


def run_coreml(args, ferry, env, work, results):
    rows, packages = [], []
    models = [(pathlib.Path(args.model).stem, pathlib.Path(args.model), {})]
    models += [(name, FIXTURES / name / "model.onnx", kwargs) for name, kwargs in COREML_FIXTURES.items()]
    for name, model, kwargs in models:
        if not model.exists():
            continue
        folder = work / "coreml" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        script = folder / "model.pt"
        prep = subprocess.run([sys.executable, "-c", TORCHSCRIPT_SCRIPT, str(model), str(script), json.dumps(kwargs), str(ROOT / "converters")],
                              capture_output=True, text=True, env=env)
        if prep.returncode != 0:
            raise SystemExit(f"TorchScript from {model} failed: {prep.stderr[-1500:]}")
        same = json.loads(prep.stdout.strip().splitlines()[-1])
        entry = results.setdefault(name, {})
        entry["torchscript_vs_onnx"] = same
        print(f"{name}: TorchScript from the ONNX weights, max abs diff from onnxruntime {same['max_abs_diff']:.2g}", file=sys.stderr)
        for mode, (ferry_args, ct_mode) in COREML_MODES.items():
            ct_out = folder / f"coremltools_{ct_mode}.mlpackage"
            cmd = [sys.executable, "-c", COREMLTOOLS_SCRIPT, str(script), str(ct_out), ct_mode, same["input"], json.dumps(same["shape"]), same["output"]]
            peer = timed(entry, f"coremltools {mode}", cmd, env, args.repeat, before=lambda p=ct_out: shutil.rmtree(p, ignore_errors=True))
            ferry_out = folder / f"ferry_{ct_mode}"
            cmd = [ferry, "convert", str(model), "--out", str(ferry_out), "--target", "coreml", "--threads", "2", "--max-drift", "none", *ferry_args]
            ours = timed(entry, f"ferry coreml {mode}", cmd, env, args.repeat, before=lambda p=ferry_out: shutil.rmtree(p, ignore_errors=True))
            package = ferry_out / "model.mlpackage"
            split = {}
            for tool, path in [("ferry", package), ("coremltools", ct_out)]:
                data = path / "Data" / "com.apple.CoreML"
                split[tool] = {"total": dir_bytes(path), "model.mlmodel": (data / "model.mlmodel").stat().st_size,
                               "weight.bin": (data / "weights" / "weight.bin").stat().st_size}
            entry[f"size {mode}"] = split
            drift = json.loads((ferry_out / "drift.json").read_text())
            packages += [str(package), str(ct_out)]
            rows.append({"model": name, "target": "Core ML", "mode": mode, "ferry": ours, "peer": peer, "peer_name": "coremltools",
                         "ferry_bytes": split["ferry"]["total"], "peer_bytes": split["coremltools"]["total"],
                         "split": f"spec {split['ferry']['model.mlmodel']:,} / {split['coremltools']['model.mlmodel']:,}; "
                                  f"weights {split['ferry']['weight.bin']:,} / {split['coremltools']['weight.bin']:,}",
                         "check": {"ferry": summarize_drift(drift)}})
    names = subprocess.run([sys.executable, "-c", COREML_NAMES_SCRIPT, json.dumps(packages)], capture_output=True, text=True, env=env)
    if names.returncode == 0:
        sizes = json.loads(names.stdout.strip().splitlines()[-1])
        for row, ours, theirs in zip(rows, sizes[0::2], sizes[1::2]):
            row["unnamed"] = f"spec {ours:,} / {theirs:,}"
            results[row["model"]][f"size {row['mode']}"]["spec_without_names"] = {"ferry": ours, "coremltools": theirs}
    else:
        print(f"spec name count failed: {names.stderr[-1000:]}", file=sys.stderr)
    return rows


def summarize_drift(drift) -> str:
    """Worst output cosine of Ferry's read-back package against the source (drift.json)."""
    cosines = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "cosine" and isinstance(item, (int, float)):
                    cosines.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(drift.get("outputs", drift))
    return f"read-back cosine {min(cosines):.4f}" if cosines else "read-back checked"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferry", required=True)
    parser.add_argument("--model", default=str(ROOT / "build" / "bench" / "mobilenet_v2.onnx"))
    parser.add_argument("--samples", type=int, default=32, help="calibration samples for Ferry's NCNN int8 file")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--pnnx", default=shutil.which("pnnx", path=str(pathlib.Path(sys.executable).parent)))
    parser.add_argument("--ncnn-python", default=str(ROOT / ".venv" / "bin" / "python"), help="an interpreter with the ncnn package")
    parser.add_argument("--repeat", type=int, default=1, help="time each conversion N times and keep the fastest")
    parser.add_argument("--skip-ncnn", action="store_true")
    parser.add_argument("--skip-coreml", action="store_true")
    args = parser.parse_args()
    ferry = str(pathlib.Path(args.ferry).resolve())
    if not args.skip_ncnn and not args.pnnx:
        raise SystemExit("pnnx is not installed in this venv (make bench-peers installs it)")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", PYTHONWARNINGS="ignore")
    work = pathlib.Path(args.out) / "peers"
    work.mkdir(parents=True, exist_ok=True)
    results = {"load_before": os.getloadavg(), "models": {}}
    rows = []
    if not args.skip_ncnn:
        rows += run_ncnn(args, ferry, env, work, results["models"])
    if not args.skip_coreml:
        rows += run_coreml(args, ferry, env, work, results["models"])
    results["load_after"] = os.getloadavg()
    results["rows"] = rows

    def cell(m):
        return f"{m['seconds']:.2f} s, {m['peak_mb']:.0f} MB" if m else "—"

    lines = ["| Model | Target | Mode | ferry bytes | peer bytes | ferry / peer | ferry time, peak RSS | peer time, peak RSS | where the bytes are (ferry / peer) | names as short ids (ferry / peer) | check |",
             "|---|---|---|---:|---:|---:|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['ferry_bytes'] / r['peer_bytes']:.4f}" if r["peer_bytes"] else "—"
        peer_bytes = f"{r['peer_bytes']:,}" if r["peer_bytes"] else "—"
        check = "; ".join(f"{tool}: {note}" for tool, note in r.get("check", {}).items())
        lines.append(f"| {r['model']} | {r['target']} | {r['mode']} | {r['ferry_bytes']:,} | {peer_bytes} | {ratio} | {cell(r['ferry'])} | "
                     f"{r['peer_name']}: {cell(r['peer'])} | {r['split']} | {r.get('unnamed', '')} | {check} |")
    load = ", ".join(f"{x:.2f}" for x in results["load_before"])
    lines += ["", f"Load average at the start: {load} (2 cores). Times are the best of {args.repeat} run(s); "
              "Ferry's include verifying the result against the source."]
    text = "\n".join(lines)
    print(text)
    out = pathlib.Path(args.out)
    (out / "peers.md").write_text(text + "\n")
    (out / "peers.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
