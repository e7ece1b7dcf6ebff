#!/usr/bin/env bash
# Regenerates the protobuf-c sources committed under Sources/CONNX from proto/onnx.proto and
# under Sources/CCoreML from proto/coreml/*.proto.
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

# Core ML: proto/coreml/*.proto are Apple's format protos from apple/coremltools
# (mlmodel/format/, BSD-3-Clause, see proto/coreml/LICENSE.txt and proto/coreml/SOURCE).
# Model.proto imports every other one, so all of them are generated. Headers go to include/
# (they include each other by bare name, which resolves there); the .c files point at include/.
mkdir -p "$out/coreml" Sources/CCoreML/include
rm -f Sources/CCoreML/*.pb-c.c Sources/CCoreML/include/*.pb-c.h
(cd proto/coreml && protoc-c --proto_path=. --c_out="$out/coreml" ./*.proto)
for header in "$out"/coreml/*.pb-c.h; do mv "$header" Sources/CCoreML/include/; done
for source in "$out"/coreml/*.pb-c.c; do
    name=$(basename "$source" .pb-c.c)
    sed "s|#include \"$name.pb-c.h\"|#include \"include/$name.pb-c.h\"|" "$source" > "Sources/CCoreML/$name.pb-c.c"
done
echo "regenerated Sources/CCoreML from proto/coreml ($(ls proto/coreml/*.proto | wc -l) protos)"
echo "regenerated Sources/CONNX from proto/onnx.proto ($(protoc-c --version 2>&1 | head -1))"
