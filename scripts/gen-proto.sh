#!/usr/bin/env bash
# Regenerates the protobuf-c sources committed under Sources/CONNX from proto/onnx.proto.
# proto/onnx.proto is copied from the `onnx` Python package (onnx/onnx.proto); refresh it with
#   cp .venv/lib/python3*/site-packages/onnx/onnx.proto proto/onnx.proto
# Needs protoc-c (Debian: protobuf-c-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc-c --proto_path=proto --c_out="$out" proto/onnx.proto
mkdir -p Sources/CONNX/include
mv "$out/onnx.pb-c.h" Sources/CONNX/include/onnx.pb-c.h
# The generated C includes its own header by path relative to the proto; point it at include/.
sed 's|#include "onnx.pb-c.h"|#include "include/onnx.pb-c.h"|' "$out/onnx.pb-c.c" > Sources/CONNX/onnx.pb-c.c
echo "regenerated Sources/CONNX from proto/onnx.proto ($(protoc-c --version 2>&1 | head -1))"
