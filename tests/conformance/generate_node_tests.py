#!/usr/bin/env python3
"""Writes the ONNX project's backend node test cases in the ONNX test layout.

Each case becomes OUT/<name>/model.onnx with test_data_set_N/input_K.pb and output_K.pb, plus
OUT/<name>/case.json carrying the case's tolerances (rtol, atol). The cases come from the
installed `onnx` package (onnx.backend.test.case.node), so the set follows the pinned version in
requirements-test.txt. Usage: generate_node_tests.py OUT
"""
import json
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
from onnx import numpy_helper
import onnx.backend.test.case.node as node_cases


def write_value(path, value, value_info):
    if isinstance(value, onnx.TensorProto):
        data = value.SerializeToString()
    elif value_info.type.HasField("tensor_type"):
        data = numpy_helper.from_array(np.asarray(value), value_info.name).SerializeToString()
    elif value_info.type.HasField("sequence_type"):
        data = numpy_helper.from_list(value, value_info.name).SerializeToString()
    elif value_info.type.HasField("optional_type"):
        data = numpy_helper.from_optional(value, value_info.name).SerializeToString()
    else:
        data = numpy_helper.from_dict(value, value_info.name).SerializeToString()
    with open(path, "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            cases = node_cases.collect_testcases(None)
    written = 0
    for case in cases:
        if case.model is None or not case.data_sets:
            continue
        case_dir = os.path.join(out, case.name)
        os.makedirs(case_dir)
        with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        with open(os.path.join(case_dir, "case.json"), "w") as f:
            json.dump({"rtol": case.rtol, "atol": case.atol, "onnx": onnx.__version__}, f)
        graph = case.model.graph
        for i, (inputs, outputs) in enumerate(case.data_sets):
            ds = os.path.join(case_dir, f"test_data_set_{i}")
            os.makedirs(ds)
            for j, value in enumerate(inputs):
                write_value(os.path.join(ds, f"input_{j}.pb"), value, graph.input[j])
            for j, value in enumerate(outputs):
                write_value(os.path.join(ds, f"output_{j}.pb"), value, graph.output[j])
        written += 1
    print(f"wrote {written} ONNX node test cases (onnx {onnx.__version__}) to {out}")


if __name__ == "__main__":
    main()
