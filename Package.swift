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
        // BEGIN distribution products
        .library(name: "FerryBundle", targets: ["FerryBundle"]),
        .library(name: "FerrySync", targets: ["FerrySync"]),
        .library(name: "FerryClient", targets: ["FerryClient"]),
        // END distribution products
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // BEGIN distribution dependencies
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // END distribution dependencies
    ],
    targets: [
        // Protobuf-c code generated from proto/onnx.proto by scripts/gen-proto.sh (committed).
        .target(
            name: "CONNX",
            path: "Sources/CONNX",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        // The graph IR: tensors, values, nodes, graphs; shape inference and the verifier.
        .target(name: "FerryIR"),
        // Reads and writes ONNX models and TensorProto files.
        .target(name: "ONNXFormat", dependencies: ["FerryIR", "CONNX"]),
        // The reference CPU inference core: planned execution, float and integer kernels.
        .target(name: "FerryRuntime", dependencies: ["FerryIR"]),
        // Reusable checkers for tests.
        .target(
            name: "FerryTestSupport",
            dependencies: ["FerryIR", "ONNXFormat", "FerryRuntime"]
        ),
        // BEGIN distribution targets
        // libzstd from the system (pkg-config libzstd; Debian libzstd-dev).
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // Signed, reproducible, zstd-compressed model bundles; zstd patch-from deltas.
        .target(
            name: "FerryBundle",
            dependencies: ["CZstd", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The sync service: catalogue, publishing, resolve with staged rollout, downloads.
        .target(
            name: "FerrySync",
            dependencies: [
                "FerryBundle",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The app-side client: check, download with resume, delta, verify, atomic install.
        .target(name: "FerryClient", dependencies: ["FerryBundle"]),
        // END distribution targets
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryIR", "ONNXFormat", "FerryRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // BEGIN distribution CLI dependencies
                "FerryBundle", "FerrySync", "FerryClient",
                // END distribution CLI dependencies
            ]
        ),
        .testTarget(name: "FerryIRTests", dependencies: ["FerryIR", "FerryTestSupport"]),
        .testTarget(name: "ONNXFormatTests", dependencies: ["ONNXFormat", "FerryTestSupport"]),
        .testTarget(
            name: "FerryRuntimeTests",
            dependencies: ["FerryRuntime", "ONNXFormat", "FerryTestSupport"]
        ),
        // BEGIN distribution tests
        .testTarget(name: "FerryBundleTests", dependencies: ["FerryBundle"]),
        .testTarget(name: "FerrySyncTests", dependencies: ["FerrySync", "FerryBundle"]),
        .testTarget(name: "FerryClientTests", dependencies: ["FerryClient", "FerrySync", "FerryBundle"]),
        // END distribution tests
    ],
    swiftLanguageModes: [.v6]
)
