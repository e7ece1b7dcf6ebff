#!/usr/bin/env python3
"""Convert a Keras 3 model file (.keras) to ONNX for Ferry, without TensorFlow.

  python converters/keras_to_onnx.py model.keras --input-shape 1,28,28,1 -o model.onnx --check

Route: Keras 3 runs on its PyTorch backend (KERAS_BACKEND=torch, set here before keras is
imported), where a loaded model is a torch.nn.Module; it is then exported with torch.onnx's
TorchScript-based exporter, the same code path as `pytorch_to_onnx.py`. This needs only the
`keras` and `torch` wheels (no tensorflow, no tf2onnx). `.keras` files are backend-neutral,
so a model trained and saved on the TensorFlow or JAX backend loads the same way, as long as
it uses built-in layers (custom layers must be importable: pass `--import MODULE`).

Keras layers keep Keras's NHWC layout, so convolutions come out wrapped in Transposes, and
Keras's dtype policy adds float32→float32 Casts; those no-op Casts and Identities are removed
after export (`--keep-noops` keeps them).

Input shape: taken from the model's Input with the batch dimension set to 1 unless
`--input-shape` is given (one per input).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

os.environ["KERAS_BACKEND"] = "torch"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from _common import describe, max_relative_error, parse_shape, print_description, remove_noop_nodes, run_onnxruntime  # noqa: E402,E501


def model_input_shapes(model, batch: int = 1) -> list[tuple[int, ...]]:
    shapes = []
    for tensor in model.inputs:
        dims = [batch if i == 0 and d is None else d for i, d in enumerate(tensor.shape)]
        if any(d is None for d in dims):
            raise SystemExit(f"input {tensor.name} has unknown dimensions {tensor.shape}: give --input-shape")
        shapes.append(tuple(int(d) for d in dims))
    return shapes


def convert(model, path: str, input_shapes, input_names=None, output_names=None, opset: int = 17,
            dynamic_batch: bool = False, keep_noops: bool = False, seed: int = 0):
    """Export a loaded Keras (torch backend) model; returns the example inputs used."""
    import keras
    import torch

    from pytorch_to_onnx import export

    if keras.backend.backend() != "torch":
        raise SystemExit(f"Keras backend is {keras.backend.backend()!r}, expected 'torch' (set KERAS_BACKEND=torch)")
    generator = torch.Generator().manual_seed(seed)
    example = [torch.randn(shape, generator=generator) for shape in input_shapes]
    with torch.no_grad():
        model(*example) if len(example) > 1 else model(example[0])  # builds the layers
    if not input_names:
        input_names = [getattr(t, "name", None) or f"input_{i}" for i, t in enumerate(model.inputs)]
    output_names = output_names or ["output" if len(model.outputs) == 1 else f"output_{i}" for i in range(len(model.outputs))]
    export(model, example, path, input_names, output_names, opset, dynamic_batch)
    if not keep_noops:
        remove_noop_nodes(path)
    return example, input_names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help=".keras file (Keras 3 format)")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--input-shape", action="append", type=parse_shape, help="e.g. 1,28,28,1 (one per input)")
    parser.add_argument("--input-name", action="append", help="graph input names (default: the Keras input names)")
    parser.add_argument("--output-name", action="append", help="graph output names (default output, output_1, ...)")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--dynamic-batch", action="store_true")
    parser.add_argument("--keep-noops", action="store_true", help="keep Identity and same-type Cast nodes")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                        help="module defining custom layers, imported before loading")
    parser.add_argument("--check", action="store_true", help="compare with onnxruntime after export")
    args = parser.parse_args(argv)

    import keras
    import torch

    torch.set_num_threads(1)
    for module in args.imports:
        importlib.import_module(module)
    model = keras.saving.load_model(args.model, compile=False)
    shapes = args.input_shape or model_input_shapes(model)
    example, input_names = convert(model, args.output, shapes, args.input_name, args.output_name, args.opset,
                                   args.dynamic_batch, args.keep_noops)
    print_description(describe(args.output))
    if args.check:
        with torch.no_grad():
            expected = model(*example) if len(example) > 1 else model(example[0])
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        actual = run_onnxruntime(args.output, {n: t.numpy() for n, t in zip(input_names, example)})
        error = max(max_relative_error(np.asarray(e.detach().cpu()), a) for e, a in zip(expected, actual))
        print(f"  onnxruntime vs keras: max error {error:.2e} of the output range")
        if error > 1e-4:
            print("  WARNING: larger than 1e-4", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
