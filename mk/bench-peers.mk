# ferry convert --target ncnn beside pnnx and --target coreml beside coremltools: output size,
# conversion time and peak memory in one run (benchmarks/ncnn_coreml_vs_peers.py). The peers go
# into the bench venv (they use its torch); the ncnn package that runs both NCNN outputs is the
# test venv's, so `venv` comes first.
.PHONY: bench-peers

bench-peers: deps build venv
	@bash benchmarks/run.sh >/dev/null  # makes build/bench-venv and the full-size models if missing
	build/bench-venv/bin/pip install -q --disable-pip-version-check -r benchmarks/requirements-peers.txt
	build/bench-venv/bin/python benchmarks/ncnn_coreml_vs_peers.py --ferry $(BIN) --ncnn-python $(PY) --repeat $${BENCH_REPEAT:-1}
