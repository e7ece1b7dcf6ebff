// swift-tools-version:6.0
// Ferry: one deterministic binary from a trained model export to on-device bundles.
// One target per pipeline stage; dependencies point one way (see ../shared/DESIGN.md):
//   CONNX → ONNXFormat ─┐
//              FerryIR ─┴→ FerryRuntime → ferry (CLI)
// The distribution stages (bundle, sync service, client) stand alone and are listed below them.
import PackageDescription

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "FerryIR", targets: ["FerryIR"]),
        .library(name: "ONNXFormat", targets: ["ONNXFormat"]),
        .library(name: "FerryRuntime", targets: ["FerryRuntime"]),
        // BEGIN tflite products
        .library(name: "TFLiteFormat", targets: ["TFLiteFormat"]),
        // END tflite products
        // BEGIN coreml products
        .library(name: "CoreMLFormat", targets: ["CoreMLFormat"]),
        // END coreml products
        // BEGIN ncnn products
        .library(name: "NCNNFormat", targets: ["NCNNFormat"]),
        // END ncnn products
        // BEGIN distribution products
        .library(name: "FerryBundle", targets: ["FerryBundle"]),
        .library(name: "FerrySync", targets: ["FerrySync"]),
        .library(name: "FerryClient", targets: ["FerryClient"]),
        // END distribution products
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // BEGIN distribution dependencies
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // END distribution dependencies
    ],
    targets: [
        // Protobuf-c code generated from proto/onnx.proto by scripts/gen-proto.sh (committed).
        .target(
            name: "CONNX",
            path: "Sources/CONNX",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        // Fast float kernels (blocked GEMM with an AVX2/FMA micro-kernel chosen at run time,
        // im2col, depthwise convolution), tested against the plain Swift reference kernels.
        .target(
            name: "CFerryKernels",
            path: "Sources/CFerryKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]
        ),
        // The graph IR: tensors, values, nodes, graphs; shape inference and the verifier.
        .target(name: "FerryIR"),
        // Reads and writes ONNX models and TensorProto files.
        .target(name: "ONNXFormat", dependencies: ["FerryIR", "CONNX"]),
        // The reference CPU inference core: planned execution, float and integer kernels.
        .target(name: "FerryRuntime", dependencies: ["FerryIR", "CFerryKernels"]),
        // zlib from the system (pkg-config zlib; Debian zlib1g-dev).
        .systemLibrary(name: "CFerryZlib", path: "Sources/CFerryZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // NumPy .npy/.npz tensor files.
        .target(
            name: "TensorIO",
            dependencies: ["FerryIR", "CFerryZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // Graph passes: folding, fusion, layout simplification, pruning, quantization.
        .target(name: "FerryPasses", dependencies: ["FerryIR", "FerryRuntime", "CFerryKernels"]),
        // The `ferry convert` pipeline: passes, calibration, quantization under a drift budget, verification.
        .target(
            name: "FerryConvert",
            dependencies: [
                "FerryIR", "FerryPasses", "FerryRuntime", "FerryVerify", "ONNXFormat", "TensorIO", "TFLiteFormat",
                // BEGIN ort FerryConvert dependencies
                "ONNXOpsets", "ORTFormat",
                // END ort FerryConvert dependencies
                // BEGIN coreml FerryConvert dependencies
                "CoreMLFormat",
                // END coreml FerryConvert dependencies
                // BEGIN ncnn FerryConvert dependencies
                "NCNNFormat",
                // END ncnn FerryConvert dependencies
            ]
        ),
        // Reusable checkers for tests.
        .target(
            name: "FerryTestSupport",
            dependencies: ["FerryIR", "ONNXFormat", "FerryRuntime"]
        ),
        // BEGIN verify targets
        // Drift between a source model and a candidate (optimized, quantized) run in the reference
        // core: per-output metrics and budgets, per-layer drift, JSON/JUnit/Markdown reports.
        .target(name: "FerryVerify", dependencies: ["FerryIR", "FerryRuntime", "TensorIO", "CFerryKernels"]),
        // END verify targets
        // BEGIN tflite targets
        // Reads and writes TensorFlow Lite flatbuffers (schema v3): a hand-written FlatBuffers
        // builder and bounds-checked reader, the exporter (NCHW IR → NHWC builtins) and the importer.
        // FerryRuntime folds constants and infers the static shapes the NHWC rewrite needs.
        // BEGIN ort (TFLiteFormat takes its FlatBuffers code from FerryFlatBuffers and re-exports it)
        .target(name: "TFLiteFormat", dependencies: ["FerryIR", "FerryRuntime", "FerryPasses", "FerryFlatBuffers"]),
        // END ort
        // END tflite targets
        // BEGIN ort targets
        // The hand-written FlatBuffers builder and bounds-checked reader (TFLite and ORT formats).
        .target(name: "FerryFlatBuffers"),
        // ONNX operator schemas by version (generated from the onnx package by
        // scripts/gen-onnx-schemas.py) and the conversion of a model to another opset.
        .target(name: "ONNXOpsets", dependencies: ["FerryIR", "FerryPasses", "FerryRuntime"]),
        // ONNX Runtime's ORT format (the .ort flatbuffer ONNX Runtime Mobile loads): writer and reader.
        .target(name: "ORTFormat", dependencies: ["FerryIR", "FerryFlatBuffers", "ONNXOpsets"]),
        // END ort targets
        // BEGIN coreml targets
        // Protobuf-c code generated from Apple's Core ML format protos (proto/coreml, from
        // apple/coremltools mlmodel/format) by scripts/gen-proto.sh (committed).
        .target(
            name: "CCoreML",
            path: "Sources/CCoreML",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        // Writes and reads Core ML: ML Program packages (.mlpackage: MIL program, weight blob
        // file) and NeuralNetwork .mlmodel files. FerryPasses folds constants before lowering;
        // FerryRuntime infers the static shapes the MIL types carry.
        .target(name: "CoreMLFormat", dependencies: ["FerryIR", "FerryPasses", "FerryRuntime", "CCoreML"]),
        // END coreml targets
        // BEGIN ncnn targets
        // Reads and writes Tencent NCNN models (.param text format 2 + .bin weights): the exporter
        // (NCHW IR → per-sample CHW blobs, float32/float16/int8 weights) and the importer that
        // verification runs. FerryPasses folds constants; FerryRuntime infers static shapes.
        .target(name: "NCNNFormat", dependencies: ["FerryIR", "FerryRuntime", "FerryPasses"]),
        // END ncnn targets
        // BEGIN distribution targets
        // libzstd from the system (pkg-config libzstd; Debian libzstd-dev).
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // A zstd decoder in pure Swift (RFC 8878) with reference prefixes for patch-from deltas,
        // so that reading bundles needs no libzstd (there is none on iOS).
        .target(name: "ZstdDecoder"),
        // Signed, reproducible, zstd-compressed model bundles: reading, verifying, unbundling,
        // applying deltas. Pure Swift + swift-crypto, so FerryClient builds for iOS.
        .target(
            name: "FerryBundle",
            dependencies: ["ZstdDecoder", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Making bundles and deltas with libzstd: for the CLI, the sync service and tests.
        .target(name: "FerryBundleWriter", dependencies: ["FerryBundle", "CZstd"]),
        // The wire types the service and the client share (signed resolve metadata, catalogue listings).
        .target(name: "FerrySyncProtocol", dependencies: ["FerryBundle"]),
        // The sync service: catalogue, publishing, resolve with staged rollout, downloads.
        .target(
            name: "FerrySync",
            dependencies: [
                "FerryBundle", "FerryBundleWriter", "FerrySyncProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The app-side client: check, download with resume, delta, verify, atomic install.
        // No libzstd anywhere below it (FerryBundle decodes with ZstdDecoder), so it builds for iOS.
        .target(name: "FerryClient", dependencies: ["FerryBundle", "FerrySyncProtocol"]),
        // An in-process sync service on an ephemeral loopback port, for the distribution tests.
        .target(
            name: "FerryDistributionTestSupport",
            dependencies: ["FerryBundle", "FerryBundleWriter", "FerrySyncProtocol", "FerrySync", .product(name: "Logging", package: "swift-log")]
        ),
        // END distribution targets
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryIR", "ONNXFormat", "FerryRuntime", "TensorIO", "FerryPasses", "FerryConvert",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // BEGIN verify CLI dependencies
                "FerryVerify",
                // END verify CLI dependencies
                // BEGIN tflite CLI dependencies
                "TFLiteFormat",
                // END tflite CLI dependencies
                // BEGIN ort CLI dependencies
                "ONNXOpsets", "ORTFormat",
                // END ort CLI dependencies
                // BEGIN coreml CLI dependencies
                "CoreMLFormat",
                // END coreml CLI dependencies
                // BEGIN ncnn CLI dependencies
                "NCNNFormat",
                // END ncnn CLI dependencies
                // BEGIN distribution CLI dependencies
                "FerryBundle", "FerryBundleWriter", "FerrySyncProtocol", "FerrySync", "FerryClient",
                .product(name: "Logging", package: "swift-log"),
                // END distribution CLI dependencies
            ]
        ),
        // Runs the ONNX backend node tests and prints the README's operator table.
        .executableTarget(name: "ferry-conformance", dependencies: [
            "FerryTestSupport", "FerryRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Mutation fuzzer for the model loader (make fuzz).
        .executableTarget(name: "ferry-fuzz", dependencies: [
            "ONNXFormat", "FerryRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "FerryIRTests", dependencies: ["FerryIR", "FerryTestSupport"]),
        .testTarget(name: "FerryPassesTests", dependencies: ["FerryPasses", "FerryRuntime", "ONNXFormat", "FerryTestSupport", "TensorIO", "CFerryKernels"]),
        .testTarget(name: "ONNXFormatTests", dependencies: ["ONNXFormat", "FerryTestSupport"]),
        .testTarget(
            name: "FerryRuntimeTests",
            dependencies: ["FerryRuntime", "ONNXFormat", "FerryTestSupport", "CFerryKernels"],
            exclude: ["conformance-exclusions.txt"]
        ),
        // BEGIN verify tests
        .testTarget(
            name: "FerryVerifyTests",
            dependencies: ["FerryVerify", "FerryIR", "FerryRuntime", "TensorIO", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Snapshots"]
        ),
        // END verify tests
        // BEGIN tflite tests
        .testTarget(
            name: "TFLiteFormatTests",
            dependencies: ["TFLiteFormat", "FerryIR", "FerryRuntime", "ONNXFormat", "TensorIO", "FerryTestSupport"]
        ),
        // END tflite tests
        // BEGIN ort tests
        .testTarget(
            name: "ONNXOpsetsTests",
            dependencies: ["ONNXOpsets", "ORTFormat", "FerryIR", "FerryRuntime", "FerryPasses", "ONNXFormat", "FerryTestSupport"]
        ),
        // END ort tests
        // BEGIN coreml tests
        .testTarget(
            name: "CoreMLFormatTests",
            dependencies: ["CoreMLFormat", "CCoreML", "FerryIR", "FerryRuntime", "ONNXFormat", "TensorIO", "FerryTestSupport"]
        ),
        // END coreml tests
        // BEGIN ncnn tests
        .testTarget(
            name: "NCNNFormatTests",
            dependencies: ["NCNNFormat", "FerryIR", "FerryRuntime", "FerryPasses", "ONNXFormat", "TensorIO", "FerryTestSupport"]
        ),
        // END ncnn tests
        // BEGIN distribution tests
        .testTarget(name: "FerryBundleTests", dependencies: ["FerryBundle", "FerryBundleWriter"]),
        // The Swift zstd decoder against libzstd (through FerryBundleWriter) and the zstd CLI.
        .testTarget(name: "ZstdDecoderTests", dependencies: ["ZstdDecoder", "FerryBundle", "FerryBundleWriter"]),
        .testTarget(
            name: "FerrySyncTests",
            dependencies: ["FerrySync", "FerrySyncProtocol", "FerryBundle", "FerryDistributionTestSupport"]
        ),
        .testTarget(
            name: "FerryClientTests",
            dependencies: ["FerryClient", "FerrySync", "FerrySyncProtocol", "FerryBundle", "FerryBundleWriter", "FerryDistributionTestSupport"]
        ),
        // END distribution tests
    ],
    swiftLanguageModes: [.v6]
)
