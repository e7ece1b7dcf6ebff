#!/usr/bin/env python3
"""Export a PyTorch model to ONNX for Ferry.

The model is named one of three ways:

  torchvision:mobilenet_v2            a torchvision.models builder
  my_package.models:TinyNet           an importable module and a class or factory in it
  path/to/net.py:TinyNet              a Python file and a class or factory in it

Weights come from `--weights FILE` (a state_dict saved with torch.save, or a whole pickled
module), or else from the builder's own seeded initialisation (`--seed`). With seeded
weights, `--bn-warmup N` runs N random batches in train mode first so that BatchNorm
running statistics are not the trivial 0/1 (otherwise BN folds to an identity and
outputs are nearly degenerate). The model is exported in eval mode.

Examples:

  python converters/pytorch_to_onnx.py torchvision:mobilenet_v2 --input-shape 1,3,224,224 \\
      --bn-warmup 4 -o build/bench/mobilenet_v2.onnx
  python converters/pytorch_to_onnx.py net.py:TinyNet --kwargs '{"width": 16}' \\
      --weights tiny.pt --input-shape 1,1,8,8 --dynamic-batch -o tiny.onnx --check

By default the TorchScript-based exporter (`dynamo=False`) is used: on torch 2.x it still
gives the smallest graphs, with BatchNorm folded into Conv and constants folded.
`--exporter dynamo` uses the torch.export-based one (needs the `onnxscript` package).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import describe, max_relative_error, parse_shape, print_description, run_onnxruntime  # noqa: E402

DTYPES = {"float32": "float32", "float16": "float16", "int64": "int64", "int32": "int32"}


def load_model(spec: str, kwargs: dict):
    """Build the nn.Module named by `spec` (see the module docstring)."""
    if ":" not in spec:
        raise SystemExit(f"model {spec!r}: expected torchvision:NAME, module:Class or file.py:Class")
    where, name = spec.rsplit(":", 1)
    if where == "torchvision":
        from _torchvision_compat import import_torchvision

        torchvision = import_torchvision()
        builder = getattr(torchvision.models, name, None)
        if builder is None:
            raise SystemExit(f"torchvision.models has no {name!r}")
        kwargs = {"weights": None, **kwargs}  # never download: weights are seeded or given
        return builder(**kwargs)
    if where.endswith(".py"):
        module_name = os.path.splitext(os.path.basename(where))[0]
        spec_ = importlib.util.spec_from_file_location(module_name, where)
        if spec_ is None or spec_.loader is None:
            raise SystemExit(f"cannot import {where}")
        module = importlib.util.module_from_spec(spec_)
        sys.modules[module_name] = module
        spec_.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    factory = getattr(module, name, None)
    if factory is None:
        raise SystemExit(f"{where} has no {name!r}")
    return factory(**kwargs)


def warm_batchnorm(model, input_shapes, dtypes, batches: int, seed: int) -> None:
    """Give BatchNorm layers non-trivial running statistics from random batches."""
    import torch

    if batches <= 0:
        return
    has_bn = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    if not has_bn:
        return
    generator = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None  # cumulative average over the warm-up batches
            m.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            inputs = []
            for shape, dtype in zip(input_shapes, dtypes):
                batch_shape = (max(shape[0], 8),) + tuple(shape[1:])  # BN needs >1 sample
                inputs.append(torch.randn(batch_shape, generator=generator).to(getattr(torch, dtype)))
            model(*inputs)
    model.eval()


def randomize_affine(model, seed: int) -> None:
    """Give seeded weights more realistic spread than the builders' init.

    torchvision initialises BatchNorm to scale 1 / shift 0 and classifier Linears with
    std 0.01, so a seeded network's logits are nearly constant. This draws BatchNorm scales
    from U(0.5, 1.5) and shifts from N(0, 0.2), and Linear weights from N(0, 1/fan_in), so
    folded convolutions differ per channel and outputs spread like a trained network's.
    """
    import torch

    generator = torch.Generator().manual_seed(seed + 2)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.affine:
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.2)
            elif isinstance(m, torch.nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) / m.in_features ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)


def export(
    model,
    example_inputs,
    path: str,
    input_names: list[str],
    output_names: list[str],
    opset: int = 17,
    dynamic_batch: bool = False,
    exporter: str = "legacy",
) -> None:
    """Export an eval-mode module with example inputs to `path`."""
    import torch

    model.eval()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    dynamic_axes = None
    if dynamic_batch:
        dynamic_axes = {name: {0: "batch"} for name in list(input_names) + list(output_names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exporter == "legacy":
            torch.onnx.export(
                model,
                tuple(example_inputs),
                path,
                dynamo=False,
                opset_version=opset,
                input_names=input_names,
                output_names=output_names,
                dynamic_axes=dynamic_axes,
                do_constant_folding=True,
            )
        elif exporter == "dynamo":
            dynamic_shapes = None
            if dynamic_batch:
                batch = torch.export.Dim("batch")
                dynamic_shapes = tuple({0: batch} for _ in example_inputs)
            program = torch.onnx.export(
                model,
                tuple(example_inputs),
                dynamo=True,
                opset_version=opset,
                input_names=input_names,
                output_names=output_names,
                dynamic_shapes=dynamic_shapes,
                optimize=True,
            )
            program.save(path)
            tidy_dynamo_output(path, opset)
        else:
            raise ValueError(f"unknown exporter {exporter!r}")


def tidy_dynamo_output(path: str, opset: int) -> None:
    """Strip the dynamo exporter's per-node provenance and hold it to the requested opset.

    It records stack traces and FX names in `metadata_props` (a third of a small model's
    bytes), and can leave ops at a newer opset than asked for when its own down-conversion
    gives up; onnx's version converter brings those down.
    """
    import onnx
    from onnx import version_converter

    model = onnx.load(path)
    for graph in [model.graph] + [a.g for n in model.graph.node for a in n.attribute if a.HasField("g")]:
        for node in graph.node:
            del node.metadata_props[:]
            node.doc_string = ""
        for value in list(graph.value_info) + list(graph.input) + list(graph.output):
            del value.metadata_props[:]
    del model.metadata_props[:]
    current = next(i.version for i in model.opset_import if i.domain in ("", "ai.onnx"))
    if current > opset:
        model = version_converter.convert_version(model, opset)
        if opset < 18:
            drop_reduce_noop_attribute(model)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def drop_reduce_noop_attribute(model) -> None:
    """onnx's 18→17 converter moves ReduceX's `axes` input to an attribute but leaves
    `noop_with_empty_axes`, which ReduceX below opset 18 does not have (ReduceSum aside)."""
    reduces = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
               "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}
    for node in model.graph.node:
        if node.op_type not in reduces or node.domain not in ("", "ai.onnx"):
            continue
        for attribute in list(node.attribute):
            if attribute.name == "noop_with_empty_axes":
                if attribute.i != 0:
                    raise ValueError(f"{node.name}: noop_with_empty_axes=1 has no opset-17 equivalent")
                node.attribute.remove(attribute)


def check_with_onnxruntime(model, example_inputs, path: str, input_names: list[str]) -> float:
    """Compare torch and onnxruntime on the example inputs; returns the worst relative error."""
    import torch

    with torch.no_grad():
        expected = model(*example_inputs)
    if isinstance(expected, torch.Tensor):
        expected = [expected]
    feeds = {n: t.numpy() for n, t in zip(input_names, example_inputs)}
    actual = run_onnxruntime(path, feeds)
    return max(max_relative_error(e.numpy(), a) for e, a in zip(expected, actual))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="torchvision:NAME, package.module:Class or file.py:Class")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--input-shape", action="append", required=True, type=parse_shape,
                        help="shape of one input, e.g. 1,3,224,224 (repeat for several inputs)")
    parser.add_argument("--input-dtype", action="append", choices=sorted(DTYPES),
                        help="dtype of each input (default float32; int64 for token ids)")
    parser.add_argument("--input-name", action="append", help="graph input names (default input, input_1, ...)")
    parser.add_argument("--output-name", action="append", help="graph output names (default output, ...)")
    parser.add_argument("--kwargs", default="{}", help="JSON keyword arguments for the builder/class")
    parser.add_argument("--weights", help="state_dict (or whole module) saved with torch.save")
    parser.add_argument("--seed", type=int, default=0, help="seed for initial weights and example inputs")
    parser.add_argument("--bn-warmup", type=int, default=0, metavar="N",
                        help="random train-mode batches to set BatchNorm statistics (seeded weights)")
    parser.add_argument("--randomize-affine", action="store_true",
                        help="seeded weights: random BatchNorm scale/shift and unit-gain Linears (see randomize_affine)")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--dynamic-batch", action="store_true", help="make dimension 0 symbolic ('batch')")
    parser.add_argument("--exporter", choices=["legacy", "dynamo"], default="legacy")
    parser.add_argument("--vocab", type=int, default=100, help="upper bound for random int64 example inputs")
    parser.add_argument("--check", action="store_true", help="compare with onnxruntime after export")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    shapes = args.input_shape
    dtypes = args.input_dtype or ["float32"] * len(shapes)
    if len(dtypes) != len(shapes):
        raise SystemExit("give --input-dtype once per --input-shape (or not at all)")
    input_names = args.input_name or (["input"] + [f"input_{i}" for i in range(1, len(shapes))])
    output_names = args.output_name or ["output"]

    model = load_model(args.model, json.loads(args.kwargs))
    if args.weights:
        loaded = torch.load(args.weights, map_location="cpu", weights_only=False)
        if isinstance(loaded, torch.nn.Module):
            model = loaded
        else:
            model.load_state_dict(loaded)
    else:
        if args.randomize_affine:
            randomize_affine(model, args.seed)
        warm_batchnorm(model, shapes, dtypes, args.bn_warmup, args.seed)
    model.eval()

    generator = torch.Generator().manual_seed(args.seed)
    example = []
    for shape, dtype in zip(shapes, dtypes):
        if dtype.startswith("int"):
            example.append(torch.randint(0, args.vocab, shape, generator=generator, dtype=getattr(torch, dtype)))
        else:
            example.append(torch.randn(shape, generator=generator).to(getattr(torch, dtype)))

    export(model, example, args.output, input_names, output_names, args.opset, args.dynamic_batch, args.exporter)
    print_description(describe(args.output))
    if args.check:
        error = check_with_onnxruntime(model, example, args.output, input_names)
        print(f"  onnxruntime vs torch: max error {error:.2e} of the output range")
        if error > 1e-4:
            print("  WARNING: larger than 1e-4", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
