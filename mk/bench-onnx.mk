# ONNX target beside onnxruntime's own tools (issue 6): `ferry convert --target onnx` in fp16,
# dynamic and int8 beside onnxruntime.transformers.float16, quantize_dynamic and quantize_static
# on every fixture and full-size MobileNetV2: file size, conversion time and peak memory, drift,
# and the .ort size beside onnxruntime's own. Writes build/bench/onnx_target.{md,json}.
.PHONY: bench-onnx

bench-onnx: deps build
	@BENCH_MODELS=mobilenet_v2 BENCH_RUNS=1 BENCH_WARMUP=0 BENCH_THREADS=1 bash benchmarks/run.sh >/dev/null  # makes build/bench-venv and build/bench/mobilenet_v2.onnx if missing
	build/bench-venv/bin/python benchmarks/onnx_vs_ort_quantizer.py --ferry $(BIN)
