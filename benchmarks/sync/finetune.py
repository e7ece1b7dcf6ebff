"""Makes a "fine-tuned" copy of an ONNX model: the initializers of the last N weight-bearing
nodes get small seeded perturbations (what training only the head does), everything else is
byte-identical. Usage: finetune.py IN.onnx OUT.onnx [LAST_N_LAYERS]"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

source, target = sys.argv[1], sys.argv[2]
last = int(sys.argv[3]) if len(sys.argv) > 3 else 1
model = onnx.load(source)
initializers = {t.name: t for t in model.graph.initializer}
weighted = [n for n in model.graph.node if any(i in initializers for i in n.input)]
rng = np.random.default_rng(0)
changed = 0
for node in weighted[-last:]:
    for name in node.input:
        if name in initializers:
            tensor = initializers[name]
            array = numpy_helper.to_array(tensor)
            if array.dtype.kind != "f":
                continue
            tuned = (array + rng.normal(0, 0.01, array.shape) * (np.abs(array).mean() + 1e-6)).astype(array.dtype)
            tensor.CopyFrom(numpy_helper.from_array(tuned, name))
            changed += tuned.size
onnx.save(model, target)
print(f"{target}: changed {changed} parameters in the last {last} weighted node(s)")
