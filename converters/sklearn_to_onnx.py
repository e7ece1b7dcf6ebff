#!/usr/bin/env python3
"""Convert a pickled or joblib-saved scikit-learn estimator to ONNX for Ferry (via skl2onnx).

  python converters/sklearn_to_onnx.py model.joblib --n-features 64 -o model.onnx
  python converters/sklearn_to_onnx.py model.pkl --sample X.npy --batch 1 -o model.onnx --check X.npy

Ferry prefers standard ai.onnx ops, so by default:
  * classifiers get no ZipMap (probabilities come out as one float tensor, `--zipmap` keeps it);
  * ai.onnx.ml ops with exact standard equivalents are rewritten (`--keep-ml-ops` skips this):
    ArrayFeatureExtractor on constant labels → Gather; Scaler → Sub, Mul; Normalizer → Abs,
    ReduceSum / ReduceL2 / ReduceMax, Div; LinearRegressor → Gemm; LinearClassifier with
    integer labels → Gemm, Sigmoid or Softmax, ArgMax, Gather. So MLPs, linear/logistic
    regression and StandardScaler pipelines come out with standard ops only;
  * any ai.onnx.ml op that remains (tree ensembles, SVMs, string labels, ...) is listed on
    stderr: such models need Ferry's ai.onnx.ml support.

The batch dimension is symbolic ("N") unless `--batch` fixes it.
Loading a pickle runs code from it: convert only files you trust.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import describe, max_relative_error, print_description, run_onnxruntime  # noqa: E402


def load_estimator(path: str):
    """Load an estimator saved with joblib.dump or pickle.dump."""
    try:
        import joblib

        return joblib.load(path)
    except Exception:
        with open(path, "rb") as f:
            return pickle.load(f)


def rewrite_array_feature_extractor(model) -> int:
    """Replace ArrayFeatureExtractor on a 1-D constant with the equivalent standard Gather.

    Returns how many nodes were rewritten. ArrayFeatureExtractor(X, Y) picks X[..., Y]; for a
    1-D X that is Gather(X, Y, axis=0) with the output shaped like Y, as skl2onnx expects.
    """
    from onnx import helper, numpy_helper

    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    rewritten = 0
    for index, node in enumerate(model.graph.node):
        if node.domain != "ai.onnx.ml" or node.op_type != "ArrayFeatureExtractor":
            continue
        data = constants.get(node.input[0])
        if data is None or data.ndim != 1:
            continue
        gather = helper.make_node("Gather", list(node.input), list(node.output), name=node.name, axis=0)
        model.graph.node.remove(node)
        model.graph.node.insert(index, gather)
        rewritten += 1
    return rewritten


def _attributes(node) -> dict:
    from onnx import helper

    values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in values.items()}


def _standard_nodes_for(node, make_constant):
    """Standard-op nodes computing the same as one ai.onnx.ml node, or None to keep it.

    Covers what skl2onnx emits for scalers and linear models: Scaler, Normalizer,
    LinearRegressor and LinearClassifier (integer labels, one coefficient row per class).
    """
    from onnx import helper

    a = _attributes(node)
    name = node.name or node.output[0]
    x = node.input[0]
    if node.op_type == "Scaler":
        offset = make_constant(f"{name}_offset", np.asarray(a.get("offset", [0.0]), np.float32))
        scale = make_constant(f"{name}_scale", np.asarray(a.get("scale", [1.0]), np.float32))
        return [helper.make_node("Sub", [x, offset], [f"{name}_centered"], name=f"{name}_sub"),
                helper.make_node("Mul", [f"{name}_centered", scale], [node.output[0]], name=f"{name}_mul")]
    if node.op_type == "Normalizer":
        norm = a.get("norm", "MAX")
        axes = make_constant(f"{name}_axes", np.asarray([1], np.int64))
        if norm == "L1":
            nodes = [helper.make_node("Abs", [x], [f"{name}_abs"], name=f"{name}_abs"),
                     helper.make_node("ReduceSum", [f"{name}_abs", axes], [f"{name}_norm"], name=f"{name}_sum", keepdims=1)]
        elif norm == "L2":
            nodes = [helper.make_node("ReduceL2", [x], [f"{name}_norm"], name=f"{name}_l2", axes=[1], keepdims=1)]
        else:
            nodes = [helper.make_node("ReduceMax", [x], [f"{name}_norm"], name=f"{name}_max", axes=[1], keepdims=1)]
        return nodes + [helper.make_node("Div", [x, f"{name}_norm"], [node.output[0]], name=f"{name}_div")]
    if node.op_type in ("LinearRegressor", "LinearClassifier"):
        intercepts = np.asarray(a.get("intercepts", []), np.float32)
        coefficients = np.asarray(a["coefficients"], np.float32)
        if node.op_type == "LinearRegressor":
            if a.get("post_transform", "NONE") != "NONE":
                return None
            rows = int(a.get("targets", 1))
        else:
            labels = a.get("classlabels_ints")
            if not labels or a.get("classlabels_strings"):
                return None  # string labels need a string Gather; keep the ml op
            rows = len(labels)
            if a.get("post_transform", "NONE") not in ("NONE", "LOGISTIC", "SOFTMAX"):
                return None
        if coefficients.size % rows or (intercepts.size not in (0, rows)):
            return None  # e.g. a binary classifier stored with one row
        weights = make_constant(f"{name}_weights", coefficients.reshape(rows, -1))
        inputs = [x, weights]
        if intercepts.size:
            inputs.append(make_constant(f"{name}_intercepts", intercepts))
        if node.op_type == "LinearRegressor":
            return [helper.make_node("Gemm", inputs, [node.output[0]], name=f"{name}_gemm", transB=1)]
        transform = a.get("post_transform", "NONE")
        scores = node.output[1] if transform == "NONE" else f"{name}_scores"
        nodes = [helper.make_node("Gemm", inputs, [scores], name=f"{name}_gemm", transB=1)]
        if transform == "LOGISTIC":
            nodes.append(helper.make_node("Sigmoid", [scores], [node.output[1]], name=f"{name}_sigmoid"))
        elif transform == "SOFTMAX":
            nodes.append(helper.make_node("Softmax", [scores], [node.output[1]], name=f"{name}_softmax", axis=1))
        classes = make_constant(f"{name}_classes", np.asarray(labels, np.int64))
        nodes += [helper.make_node("ArgMax", [node.output[1]], [f"{name}_index"], name=f"{name}_argmax", axis=1, keepdims=0),
                  helper.make_node("Gather", [classes, f"{name}_index"], [node.output[0]], name=f"{name}_label", axis=0)]
        return nodes
    return None


def rewrite_ml_ops(model) -> int:
    """Replace the ai.onnx.ml ops that have exact standard-op equivalents (see above)."""
    from onnx import numpy_helper

    opset = next((i.version for i in model.opset_import if i.domain in ("", "ai.onnx")), 0)
    if opset < 13:
        return 0
    added = []

    def make_constant(name: str, array: np.ndarray) -> str:
        added.append(numpy_helper.from_array(array, name))
        return name

    rewritten = 0
    index = 0
    while index < len(model.graph.node):
        node = model.graph.node[index]
        replacement = _standard_nodes_for(node, make_constant) if node.domain == "ai.onnx.ml" else None
        if replacement is None:
            index += 1
            continue
        model.graph.node.remove(node)
        for offset, new in enumerate(replacement):
            model.graph.node.insert(index + offset, new)
        index += len(replacement)
        rewritten += 1
    model.graph.initializer.extend(added)
    return rewritten


def drop_unused_opsets(model) -> None:
    used = {node.domain or "" for node in model.graph.node}
    for imp in list(model.opset_import):
        if imp.domain not in ("", "ai.onnx") and imp.domain not in used:
            model.opset_import.remove(imp)


def convert(estimator, n_features: int, path: str, opset: int = 17, batch: int | None = None,
            zipmap: bool = False, standard_ops: bool = True, input_name: str = "input",
            dtype=np.float32) -> list[str]:
    """Convert `estimator` and save it; returns the ai.onnx.ml ops left in the graph."""
    import onnx
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    tensor_type = FloatTensorType if np.dtype(dtype) == np.float32 else DoubleTensorType
    initial_types = [(input_name, tensor_type([batch, n_features]))]
    options = None
    if hasattr(estimator, "predict_proba") or hasattr(estimator, "classes_"):
        options = {id(estimator): {"zipmap": False}} if not zipmap else None
    model = convert_sklearn(
        estimator,
        initial_types=initial_types,
        target_opset={"": opset, "ai.onnx.ml": 3},
        options=options,
    )
    # skl2onnx names the graph with a random uuid; a stable name keeps reruns byte-identical.
    model.graph.name = type(estimator).__name__
    if standard_ops:
        rewrite_array_feature_extractor(model)
        rewrite_ml_ops(model)
        drop_unused_opsets(model)
    if batch is not None:
        # skl2onnx leaves outputs symbolic; fix dimension 0 where there is one.
        for output in model.graph.output:
            dims = output.type.tensor_type.shape.dim
            if len(dims) > 0 and not dims[0].HasField("dim_value"):
                dims[0].dim_value = batch
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    onnx.save(model, path)
    return sorted({n.op_type for n in model.graph.node if n.domain == "ai.onnx.ml"})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("estimator", help="file saved with joblib.dump or pickle.dump")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    features = parser.add_mutually_exclusive_group()
    features.add_argument("--n-features", type=int, help="number of input features")
    features.add_argument("--sample", help=".npy of input rows; gives the feature count")
    parser.add_argument("--batch", type=int, help="fix the batch dimension (default symbolic)")
    parser.add_argument("--input-name", default="input")
    parser.add_argument("--double", action="store_true", help="float64 input instead of float32")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--zipmap", action="store_true", help="keep skl2onnx's ZipMap on classifiers")
    parser.add_argument("--keep-ml-ops", action="store_true", help="do not rewrite ai.onnx.ml ops")
    parser.add_argument("--check", metavar="X.npy", help="compare onnxruntime with the estimator on these rows")
    args = parser.parse_args(argv)

    estimator = load_estimator(args.estimator)
    n_features = args.n_features
    if args.sample:
        n_features = np.load(args.sample).shape[1]
    if n_features is None:
        n_features = getattr(estimator, "n_features_in_", None)
    if n_features is None:
        raise SystemExit("give --n-features or --sample (the estimator does not record n_features_in_)")
    dtype = np.float64 if args.double else np.float32
    left = convert(estimator, int(n_features), args.output, args.opset, args.batch, args.zipmap,
                   not args.keep_ml_ops, args.input_name, dtype)
    print_description(describe(args.output))
    if left:
        print(f"  note: ai.onnx.ml ops remain: {', '.join(left)}", file=sys.stderr)
    if args.check:
        rows = np.load(args.check).astype(dtype)
        batch = args.batch or len(rows)
        worst, mismatches = 0.0, 0
        for start in range(0, len(rows) - batch + 1, batch):
            chunk = rows[start:start + batch]
            outputs = run_onnxruntime(args.output, {args.input_name: chunk})
            expected = estimator.predict_proba(chunk) if hasattr(estimator, "predict_proba") else estimator.predict(chunk)
            got = outputs[-1] if hasattr(estimator, "predict_proba") else outputs[0]
            worst = max(worst, max_relative_error(np.asarray(expected), np.asarray(got).reshape(np.shape(expected))))
            if hasattr(estimator, "predict_proba"):
                labels = np.asarray(outputs[0]).reshape(-1)
                mismatches += int(np.count_nonzero(labels != estimator.predict(chunk).reshape(-1)))
        print(f"  onnxruntime vs scikit-learn: max error {worst:.2e} of the output range"
              + (f", {mismatches} labels differ" if hasattr(estimator, "predict_proba") else ""))
        if worst > 1e-4 or mismatches:
            print("  WARNING: larger than 1e-4", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
