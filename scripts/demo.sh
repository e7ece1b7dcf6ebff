#!/usr/bin/env bash
# `make demo`: takes a shipped model (fixtures/digits_cnn, a CNN trained on scikit-learn's
# digits) through what Ferry does today (inspect, run, convert to int8 ONNX, int8 TFLite, TFLM
# sources, Core ML and NCNN with verification, bench) and prints what it made. Usage: scripts/demo.sh FERRY_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
FERRY="${1:-.build/release/ferry}"
PY=.venv/bin/python
OUT=build/demo
MODEL=fixtures/digits_cnn/model.onnx
rm -rf "$OUT" && mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "ferry inspect $MODEL"
"$FERRY" inspect "$MODEL"

step "ferry run on 8 held-out digits (Ferry's reference CPU core)"
# Slice single samples out of the evaluation set (the model takes one 1x1x8x8 image).
"$PY" - "$OUT" <<'PY'
import sys, numpy as np
out = sys.argv[1]
with np.load("fixtures/digits_cnn/eval.npz") as data:
    for i in range(8):
        np.save(f"{out}/digit_{i}.npy", data["input"][i:i + 1])
    np.save(f"{out}/labels.npy", data["labels"][:8])
PY
correct=0
for i in $(seq 0 7); do
  "$FERRY" run "$MODEL" --input "input=$OUT/digit_$i.npy" --output-dir "$OUT/run_$i" > /dev/null
  read -r predicted label < <("$PY" -c "import numpy as np; print(int(np.load('$OUT/run_$i/output_0.npy').argmax()), int(np.load('$OUT/labels.npy')[$i]))")
  mark=$([ "$predicted" = "$label" ] && echo ok || echo MISS)
  [ "$predicted" = "$label" ] && correct=$((correct + 1))
  echo "  digit $i: predicted $predicted, label $label  $mark"
done
echo "  $correct of 8 correct; outputs in $OUT/run_*/output_0.npy with outputs.json"

step "ferry run vs onnxruntime on the same sample"
"$PY" - "$OUT" <<'PY'
import sys, numpy as np, onnxruntime as ort
out = sys.argv[1]
x = np.load(f"{out}/digit_0.npy")
ref = ort.InferenceSession("fixtures/digits_cnn/model.onnx", providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
got = np.load(f"{out}/run_0/output_0.npy")
print(f"  max |ferry - onnxruntime| = {np.abs(got - ref).max():.2e} (output range {ref.max() - ref.min():.2f})")
PY

step "ferry convert $MODEL --quantize int8 (calibrate, quantize under the drift budget, verify)"
"$FERRY" convert "$MODEL" --out "$OUT/int8" --quantize int8 \
  --calibration fixtures/digits_cnn/calibration.npz --data fixtures/digits_cnn/eval.npz
ls -l "$OUT/int8" | awk 'NR > 1 { printf "  %-16s %8d bytes\n", $9, $5 }'

step "the int8 model in onnxruntime"
"$PY" - "$OUT" <<'PY'
import sys, numpy as np, onnxruntime as ort
out = sys.argv[1]
with np.load("fixtures/digits_cnn/eval.npz") as data:
    x, labels = data["input"], data["labels"]
session = ort.InferenceSession(f"{out}/int8/model.onnx", providers=["CPUExecutionProvider"])
hits = sum(int(session.run(None, {"input": x[i:i + 1]})[0].argmax() == labels[i]) for i in range(len(labels)))
print(f"  int8 model.onnx in onnxruntime: {hits} of {len(labels)} test digits correct")
PY

step "ferry convert $MODEL --target tflite --quantize int8 --io int8 (read back and verified)"
"$FERRY" convert "$MODEL" --out "$OUT/tflite" --target tflite --quantize int8 --io int8 \
  --calibration fixtures/digits_cnn/calibration.npz --data fixtures/digits_cnn/eval.npz --max-samples 32
"$FERRY" inspect "$OUT/tflite/model.tflite" | head -3

step "the int8 model.tflite in LiteRT beside Ferry's integer kernels"
"$PY" - "$OUT" "$FERRY" <<'PY'
import json, subprocess, sys, numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType
out, ferry = sys.argv[1], sys.argv[2]
runner = Interpreter(f"{out}/tflite/model.tflite", experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
runner.allocate_tensors()
detail = runner.get_input_details()[0]
scale, zero = detail["quantization"]
with np.load("fixtures/digits_cnn/eval.npz") as data:
    x = np.clip(np.round(data["input"][:1] / scale) + zero, -128, 127).astype(np.int8)
runner.set_tensor(detail["index"], x); runner.invoke()
lite = runner.get_tensor(runner.get_output_details()[0]["index"])
np.save(f"{out}/digit_0_int8.npy", x)
subprocess.run([ferry, "run", f"{out}/tflite/model.tflite", "--input", f"input={out}/digit_0_int8.npy", "--output-dir", f"{out}/tflite_run"],
               check=True, capture_output=True)
ours = np.load(f"{out}/tflite_run/output_0.npy")
print(f"  LiteRT int8 logits {lite.ravel().tolist()}")
print(f"  Ferry  int8 logits {ours.ravel().tolist()}  ({int((lite == ours).sum())} of {lite.size} identical)")
PY

step "ferry convert $MODEL --target tflm (int8 C++ sources and the tensor arena)"
"$FERRY" convert "$MODEL" --out "$OUT/tflm" --target tflm --quantize int8 --io int8 --max-drift none \
  --calibration fixtures/digits_cnn/calibration.npz --data fixtures/digits_cnn/eval.npz --max-samples 32 | grep -E "wrote|arena"
ls -l "$OUT/tflm" | awk 'NR > 1 { printf "  %-16s %8d bytes\n", $9, $5 }'

step "ferry convert $MODEL --target coreml and --target ncnn"
"$FERRY" convert "$MODEL" --out "$OUT/coreml" --target coreml --data fixtures/digits_cnn/eval.npz --max-samples 32 | grep -E "wrote|PASS|FAIL"
"$FERRY" convert "$MODEL" --out "$OUT/ncnn" --target ncnn --data fixtures/digits_cnn/eval.npz --max-samples 32 | grep -E "wrote|PASS|FAIL"

step "ferry bench $MODEL"
"$FERRY" bench "$MODEL" --runs 50

step "ferry bench fixtures/mobilenet_v2_w035/model.onnx --profile"
"$FERRY" bench fixtures/mobilenet_v2_w035/model.onnx --runs 20 --profile

printf '\nDemo outputs are in %s. Next: `make test` runs every test; `make bench` compares with onnxruntime.\n' "$OUT"
