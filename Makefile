# Ferry: `make demo` and `make test` do the whole set-up on a fresh Debian machine (as root).
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
CONFIG ?= release
BUILD_FLAGS := -c $(CONFIG)
BIN := .build/$(CONFIG)/ferry
VENV := .venv
PY := $(VENV)/bin/python
NODE_TESTS := build/onnx-node-tests

# Debian packages every stage needs; mk/*.mk add their own (APT_PACKAGES += …).
APT_PACKAGES := libprotobuf-c-dev protobuf-c-compiler libzstd-dev zstd zlib1g-dev pkg-config python3 python3-venv
# Commands that start services the tests need (mk/*.mk append), run before `swift test`.
TEST_SETUP :=
# Environment for the test run (mk/*.mk append VAR=value words).
TEST_ENV := FERRY_BIN=$(CURDIR)/$(BIN) FERRY_ONNX_NODE_TESTS=$(CURDIR)/$(NODE_TESTS) FERRY_PYTHON=$(CURDIR)/$(PY)

include $(sort $(wildcard mk/*.mk))

.PHONY: help deps deps-apt venv build build-tests test swift-test py-test conformance-data demo bench bench-quantize bench-tflite proto op-table fuzz fixtures clean

help:
	@echo "make demo   # install what is missing, build, convert a shipped model, show the result"
	@echo "make test   # install what is missing, run every test (Swift, conformance, runtimes)"
	@echo "make bench  # benchmarks beside the peer tools (see benchmarks/)"

deps: deps-apt venv

deps-apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install a Swift 6 toolchain (swift.org) and put it on PATH"; exit 1; }

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements-test.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

build: deps-apt
	$(SWIFT) build $(BUILD_FLAGS)

# The ONNX project's backend node tests, generated from the installed `onnx` package.
conformance-data: $(NODE_TESTS)/.stamp
$(NODE_TESTS)/.stamp: $(VENV)/.stamp tests/conformance/generate_node_tests.py
	$(PY) tests/conformance/generate_node_tests.py $(NODE_TESTS)
	@touch $@

# One build serves the tests and the `ferry` binary they drive: building the test targets with
# the executable avoids compiling every package a second time with testing enabled.
build-tests: deps-apt
	$(SWIFT) build $(BUILD_FLAGS) --build-tests

test: deps build-tests conformance-data
	@$(foreach cmd,$(TEST_SETUP),$(cmd) &&) true
	$(MAKE) --no-print-directory swift-test py-test

swift-test:
	env $(TEST_ENV) $(SWIFT) test $(BUILD_FLAGS) --skip-build

py-test:
	env $(TEST_ENV) $(PY) -m pytest -q tests

demo: deps build
	@bash scripts/demo.sh $(BIN)

bench: deps build
	@bash benchmarks/run.sh $(BIN)

proto:
	./scripts/gen-proto.sh

# Regenerates the committed fixtures (makes build/convert-venv with PyTorch; not needed by CI).
fixtures:
	bash fixtures/regenerate.sh

# Mutation-fuzzes the model loader, session builder and a run (FUZZ_SECONDS, default 600).
fuzz: deps-apt conformance-data
	$(SWIFT) build $(BUILD_FLAGS) --product ferry-fuzz
	.build/$(CONFIG)/ferry-fuzz --seconds $${FUZZ_SECONDS:-600} --out build/fuzz fixtures/*/model.onnx fixtures/bad/*.onnx \
	  $$(ls $(NODE_TESTS)/*/model.onnx | awk 'NR % 7 == 0')

# Regenerates README.md's supported-operator table from the ONNX node test results.
op-table: deps conformance-data
	$(SWIFT) build $(BUILD_FLAGS) --product ferry-conformance
	.build/$(CONFIG)/ferry-conformance $(NODE_TESTS) --update-readme README.md

clean:
	rm -rf .build build

# ferry convert --quantize int8 beside onnxruntime's quantize_static: speed, memory, drift.
bench-quantize: deps build
	@bash benchmarks/run.sh >/dev/null  # makes build/bench-venv and the full-size models if missing
	build/bench-venv/bin/python benchmarks/quantize_vs_ort.py --ferry $(BIN)

# ferry convert --target tflite beside onnx2tf (TensorFlow + TF Lite converter): speed, memory,
# output sizes. onnx2tf and TensorFlow get their own venv (a large download, and they pin an
# older onnxruntime and numpy than the other benchmarks use).
bench-tflite: deps build
	@bash benchmarks/run.sh >/dev/null  # makes build/bench-venv and the full-size models if missing
	@test -x build/bench-tf-venv/bin/python || python3 -m venv build/bench-tf-venv
	build/bench-tf-venv/bin/pip install -q --disable-pip-version-check -r benchmarks/requirements-tflite.txt
	build/bench-tf-venv/bin/python benchmarks/tflite_vs_onnx2tf.py --ferry $(BIN)
