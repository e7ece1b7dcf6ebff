import FerryIR
import Foundation
import ONNXFormat
import Testing

/// The ONNX writer: read → write → read gives the same model, the bytes are deterministic,
/// external data round-trips, and errors leave nothing half-written.
///
/// `roundTripsEveryFixture` and `roundTripsNodeTestModels` also leave their rewritten models in
/// build/onnx-writer-roundtrip/, where tests/test_onnx_writer.py checks them with onnx's checker
/// and onnxruntime (`make test` runs the Swift tests before pytest).
@Suite struct ONNXWriterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let outputRoot = root.appendingPathComponent("build/onnx-writer-roundtrip")
    static let nodeTests: URL = {
        if let path = ProcessInfo.processInfo.environment["FERRY_ONNX_NODE_TESTS"] { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent("build/onnx-node-tests")
    }()
    /// Node cases pytest runs through onnxruntime after the rewrite: control flow and every
    /// packed element type.
    static let nodeCasesForRuntimes = [
        "test_if", "test_loop11", "test_scan9_sum", "test_scan_sum", "test_range_float_type_positive_delta_expanded",
        "test_cast_FLOAT_to_INT4", "test_cast_UINT4_to_FLOAT", "test_cast_INT2_to_FLOAT", "test_cast_FLOAT_to_FLOAT4E2M1",
        "test_cast_FLOAT8E4M3FN_to_FLOAT", "test_dequantizelinear_int4", "test_quantizelinear_uint4",
        "test_dequantizelinear_e4m3fn", "test_cast_e8m0_FLOAT8E8M0_to_FLOAT",
    ]

    static func fixtureModels() -> [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("fixtures").path)) ?? []
        let models = folders.sorted().map { "fixtures/\($0)/model.onnx" }
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        return models + ["fixtures/bad/good.onnx", "fixtures/bad/external/model.onnx"]
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-writer-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `model` to `path` (as given), reads it back and returns the difference, if any.
    /// Notes beside a model kept for pytest which file it was rewritten from.
    func recordSource(_ source: String, in folder: URL) throws {
        try Data((source + "\n").utf8).write(to: folder.appendingPathComponent("source.txt"))
    }

    func roundTrip(_ model: Model, to path: String, threshold: Int? = nil) throws -> (Model, String?) {
        try ONNXWriter.write(model, to: path, externalDataThreshold: threshold)
        let again = try ONNXReader.loadModel(path: path)
        return (again, ModelDifference.between(model, again))
    }

    @Test(arguments: fixtureModels())
    func roundTripsEveryFixture(_ relative: String) throws {
        let source = Self.root.appendingPathComponent(relative).path
        let original = try ONNXReader.loadModel(path: source)
        // fixtures/digits_cnn/model.onnx → digits_cnn; fixtures/bad/good.onnx → bad_good
        let name = relative.dropFirst("fixtures/".count).replacingOccurrences(of: "/model.onnx", with: "")
            .replacingOccurrences(of: ".onnx", with: "").replacingOccurrences(of: "/", with: "_")
        let folder = Self.outputRoot.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try recordSource(source, in: folder)
        let (written, difference) = try roundTrip(original, to: folder.appendingPathComponent("model.onnx").path)
        #expect(difference == nil, "\(relative): \(difference ?? "")")
        #expect(written.producerName == "ferry" && written.producerVersion == ONNXWriter.producerVersion)

        // The same model with its weights in a data file beside it.
        let externalFolder = Self.outputRoot.appendingPathComponent(name + "_external")
        try FileManager.default.createDirectory(at: externalFolder, withIntermediateDirectories: true)
        try recordSource(source, in: externalFolder)
        let (_, externalDifference) = try roundTrip(original, to: externalFolder.appendingPathComponent("model.onnx").path, threshold: 1024)
        #expect(externalDifference == nil, "\(relative) with external data: \(externalDifference ?? "")")
        let hasLargeTensor = original.graph.initializers.values.contains { $0.byteCount >= 1024 }
        #expect(FileManager.default.fileExists(atPath: externalFolder.appendingPathComponent("model.data").path) == hasLargeTensor)
    }

    @Test func roundTripsNodeTestModels() throws {
        guard FileManager.default.fileExists(atPath: Self.nodeTests.path) else {
            Issue.record("no ONNX node test cases at \(Self.nodeTests.path): run `make conformance-data` (make test does)")
            return
        }
        let folder = try Self.temporaryFolder("node")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = try FileManager.default.contentsOfDirectory(atPath: Self.nodeTests.path).sorted()
        var roundTripped = 0
        var opsSeen = Set<String>()
        for name in cases {
            let source = Self.nodeTests.appendingPathComponent(name).appendingPathComponent("model.onnx").path
            // Cases with sequence or optional values or unknown element types are not readable.
            guard let original = try? ONNXReader.loadModel(path: source) else { continue }
            let keep = Self.nodeCasesForRuntimes.contains(name)
            let target = keep ? Self.outputRoot.appendingPathComponent("node/\(name)") : folder
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            if keep { try recordSource(source, in: target) }
            let (_, difference) = try roundTrip(original, to: target.appendingPathComponent("model.onnx").path)
            #expect(difference == nil, "\(name): \(difference ?? "")")
            roundTripped += 1
            opsSeen.formUnion(original.graph.nodes.map(\.opType))
        }
        #expect(roundTripped > 1000, "only \(roundTripped) node test models were readable")
        #expect(opsSeen.isSuperset(of: ["If", "Loop", "Scan", "Constant", "Cast", "QuantizeLinear"]))
    }

    @Test func writesTheSameBytesEveryTime() throws {
        let model = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/transformer_encoder/model.onnx").path)
        let first = try ONNXWriter.serialize(model)
        #expect(try ONNXWriter.serialize(model) == first)
        // A copy whose dictionaries were filled in another order still gives the same bytes.
        var shuffled = model
        shuffled.graph.valueInfo = Dictionary(uniqueKeysWithValues: model.graph.valueInfo.reversed())
        shuffled.graph.nodes = model.graph.nodes.map { node in
            var copy = node
            copy.attributes = Dictionary(minimumCapacity: 64)
            for (key, value) in node.attributes.reversed() { copy.attributes[key] = value }
            return copy
        }
        shuffled.metadata = ["b": "2", "a": "1"]
        var reordered = model
        reordered.metadata = ["a": "1", "b": "2"]
        #expect(try ONNXWriter.serialize(shuffled) == ONNXWriter.serialize(reordered))

        let folder = try Self.temporaryFolder("determinism")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.onnx").path, b = folder.appendingPathComponent("b.onnx").path
        try ONNXWriter.write(model, to: a)
        try ONNXWriter.write(model, to: b)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(first))
    }

    @Test func keepsMetadataDocStringsAndEveryDimKind() throws {
        var graph = Graph(name: "g", docString: "graph doc")
        graph.inputs = [
            ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.symbol("batch"), .unknown, .fixed(3)]), docString: "input doc"),
            ValueInfo(name: "unranked", type: ValueType(dataType: .int64, shape: nil)),
            ValueInfo(name: "untyped", type: nil),
        ]
        graph.outputs = [ValueInfo(name: "y", type: ValueType(dataType: .float32, shape: []))]
        graph.setInitializer("s", Tensor(shape: [2], values: ["a", "ü"]))
        graph.setInitializer("empty", Tensor(dataType: .float32, shape: [0, 3]))
        graph.setInitializer("h", Tensor(shape: [2], values: [Float16(1.5), Float16(-2)]))
        graph.nodes = [Node(name: "n", opType: "Custom", domain: "com.example", inputs: ["x", "", "s"], outputs: ["y"],
                            attributes: ["f": .float(.nan), "fs": .floats([]), "i": .int(-3), "is": .ints([1, -2]),
                                         "s": .string("text"), "ss": .strings(["p", ""]),
                                         "t": .tensor(Tensor(shape: [1], values: [true])),
                                         "ts": .tensors([Tensor(scalar: Int8(-5)), Tensor(scalar: UInt64.max)]),
                                         "gs": .graphs([Graph(name: "inner", outputs: [ValueInfo(name: "x", type: nil)])])],
                            docString: "node doc")]
        let model = Model(graph: graph, opsets: ["": 21, "com.example": 1], irVersion: 10, modelVersion: 7,
                          docString: "model doc", metadata: ["author": "ferry tests", "license": "MIT"])
        let folder = try Self.temporaryFolder("kinds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (again, difference) = try roundTrip(model, to: folder.appendingPathComponent("m.onnx").path)
        #expect(difference == nil, "\(difference ?? "")")
        #expect(again.metadata == ["author": "ferry tests", "license": "MIT"])
    }

    @Test func externalDataLiesBesideTheModelAtAlignedOffsets() throws {
        let model = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/mobilenet_v2_w035/model.onnx").path)
        let folder = try Self.temporaryFolder("external")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("net.onnx").path
        let (_, difference) = try roundTrip(model, to: path, threshold: 4096)
        #expect(difference == nil, "\(difference ?? "")")
        let data = folder.appendingPathComponent("net.data").path
        let modelSize = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let dataSize = try FileManager.default.attributesOfItem(atPath: data)[.size] as! Int
        let large = model.graph.initializers.values.filter { $0.byteCount >= 4096 }
        #expect(dataSize >= large.map(\.byteCount).reduce(0, +))
        let inlineSize = try ONNXWriter.serialize(model).count
        // The weights left the model; each left behind a reference of under 100 bytes.
        #expect(modelSize < inlineSize - large.map(\.byteCount).reduce(0, +) + 100 * large.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["net.data", "net.onnx"])
    }

    /// A staged model (written while `ferry convert` verifies it) is nowhere to be seen until
    /// it is committed, and leaves nothing behind when dropped.
    @Test func stagedModelsAppearOnlyOnCommit() throws {
        let model = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/mobilenet_v2_w035/model.onnx").path)
        let folder = try Self.temporaryFolder("staged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.onnx").path
        do {
            let dropped = try ONNXWriter.stage(model, to: path, externalDataThreshold: 4096)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { $0.hasPrefix(".") })
            _ = dropped
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        let staged = try ONNXWriter.stage(model, to: path, externalDataThreshold: 4096)
        #expect(!FileManager.default.fileExists(atPath: path))
        try staged.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["model.data", "model.onnx"])
        #expect(ModelDifference.between(model, try ONNXReader.loadModel(path: path)) == nil)
    }

    @Test func goesExternalByItselfWhenTheProtobufWouldBeTooLarge() throws {
        let model = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/digits_cnn/model.onnx").path)
        let folder = try Self.temporaryFolder("limit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.onnx").path
        try ONNXWriter.write(model, to: path, protobufLimit: 64 << 10)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.data").path))
        #expect(ModelDifference.between(model, try ONNXReader.loadModel(path: path)) == nil)

        // Too large even with external data: an error, and nothing left behind.
        let small = folder.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        #expect(throws: ONNXError.self) { try ONNXWriter.write(model, to: small.appendingPathComponent("model.onnx").path, protobufLimit: 100) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: small.path).isEmpty)
    }

    @Test func aFailedWriteLeavesTheOldFileAlone() throws {
        let folder = try Self.temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.onnx").path
        let good = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/bad/good.onnx").path)
        try ONNXWriter.write(good, to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        var bad = good
        // Storage too short for the shape: the writer must name the tensor and write nothing.
        bad.graph.setInitializer("short", Tensor(dataType: .float32, shape: [4], storage: TensorStorage(byteCount: 8)))
        do {
            try ONNXWriter.write(bad, to: path)
            Issue.record("a tensor with short storage was written")
        } catch {
            #expect("\(error)".contains("tensor 'short'"), "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.onnx"])

        do {
            try ONNXWriter.write(good, to: folder.appendingPathComponent("missing/model.onnx").path)
            Issue.record("wrote into a folder that does not exist")
        } catch {
            #expect("\(error)".contains("missing/model.onnx: cannot write"), "\(error)")
        }
    }

    @Test func namesTheNodeWithoutAnOpType() throws {
        var model = try ONNXReader.loadModel(path: Self.root.appendingPathComponent("fixtures/bad/good.onnx").path)
        model.graph.nodes[0].opType = ""
        do {
            _ = try ONNXWriter.serialize(model)
            Issue.record("a node without op_type was written")
        } catch {
            #expect("\(error)".contains("node '\(model.graph.nodes[0].name)'"), "\(error)")
        }
    }
}

/// The element types narrower than a byte are packed in files, low bits first, and unpacked on
/// reading; the float8 types are one byte each.
@Suite struct ONNXWriterPackingTests {
    func model(_ tensors: [String: Tensor]) -> Model {
        var graph = Graph(name: "packed")
        for name in tensors.keys.sorted() { graph.setInitializer(name, tensors[name]!) }
        graph.outputs = tensors.keys.sorted().map { ValueInfo(name: $0, type: ValueType(dataType: tensors[$0]!.dataType, dims: tensors[$0]!.shape)) }
        return Model(graph: graph, opsets: ["": 25], irVersion: 11)
    }

    @Test func everyLowBitTypeRoundTripsWithOddCounts() throws {
        func values<T: NumericElement>(_: T.Type, _ doubles: [Double]) -> Tensor {
            Tensor(shape: [doubles.count], values: doubles.map { T(castingFrom: $0) })
        }
        let tensors: [String: Tensor] = [
            "int4": values(Int4.self, [-8, 7, 1, -1, 0]),
            "uint4": values(UInt4.self, [15, 0, 9]),
            "int2": values(Int2.self, [-2, 1, 0, -1, 1]),
            "uint2": values(UInt2.self, [3, 2, 1, 0, 3, 3, 1]),
            "float4e2m1": values(Float4E2M1.self, [-6, 0.5, 3]),
            "float6e2m3": values(Float6E2M3.self, [7.5, -0.125, 1, 2, 3]),
            "float6e3m2": values(Float6E3M2.self, [28, -0.0625, 5]),
            "float8e4m3fn": values(Float8E4M3FN.self, [448, -0.5, .nan]),
            "float8e5m2fnuz": values(Float8E5M2FNUZ.self, [57344, -1]),
            "float8e8m0": values(Float8E8M0.self, [1, 0.25, 1024]),
            "empty_int4": Tensor(dataType: .int4, shape: [0]),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-packing-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Left for tests/test_onnx_writer.py, which decodes it with onnx's numpy_helper.
        let kept = ONNXWriterTests.root.appendingPathComponent("build/onnx-writer-lowbit")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try ONNXWriter.write(model(tensors), to: kept.appendingPathComponent("model.onnx").path)
        let expected = tensors.keys.sorted().map { name in ([name] + tensors[name]!.doubles().map { "\($0)" }).joined(separator: " ") }
        try Data((expected.joined(separator: "\n") + "\n").utf8).write(to: kept.appendingPathComponent("expected.txt"))

        for threshold in [nil, 0] as [Int?] {
            let path = folder.appendingPathComponent("m.onnx").path
            try ONNXWriter.write(model(tensors), to: path, externalDataThreshold: threshold)
            let again = try ONNXReader.loadModel(path: path)
            for (name, tensor) in tensors {
                let read = try #require(again.graph.initializers[name])
                #expect(ModelDifference.between(tensor, read) == nil, "\(name), threshold \(threshold.map(String.init) ?? "none")")
            }
        }
    }

    @Test func packsTheFirstElementInTheLowBits() throws {
        let int4 = Tensor(shape: [3], values: [Int4(castingFrom: 1), Int4(castingFrom: -2), Int4(castingFrom: 3)])
        let uint2 = Tensor(shape: [5], values: [1, 2, 3, 0, 1].map { UInt2(castingFrom: $0) })
        let bytes = try ONNXWriter.serialize(model(["a": int4, "b": uint2]))
        // raw_data is field 9, length-delimited: 0x4A, length, payload.
        #expect(bytes.contains(subsequence: [0x4A, 2, 0xE1, 0x03]))   // 1 | −2 << 4, then 3 and a zero pad nibble
        #expect(bytes.contains(subsequence: [0x4A, 2, 0x39, 0x01]))   // 1 | 2 << 2 | 3 << 4 | 0 << 6, then 1
    }

    @Test func refusesAnElementOutsideItsType() throws {
        let bad = Tensor(dataType: .int4, shape: [2])
        bad.storage.bytes.storeBytes(of: UInt8(0x10), toByteOffset: 1, as: UInt8.self)
        do {
            _ = try ONNXWriter.serialize(model(["weights": bad]))
            Issue.record("an int4 element of 16 was written")
        } catch {
            #expect("\(error)".contains("tensor 'weights'") && "\(error)".contains("element 1"), "\(error)")
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
