import FerryFlatBuffers
import FerryIR
import FerryRuntime
import FerryTestSupport
import ONNXOpsets
import ORTFormat
import Testing

/// The ORT writer and reader: a written file reads back into the same computation, Constant
/// nodes become initializers, the bytes are deterministic and the kernel type string section
/// covers every op version, sorted.
@Suite struct ORTFormatTests {
    func sample() throws -> Model {
        var g = SplitMix64(seed: 3)
        let weight = Tensor(shape: [4, 3, 3, 3], values: (0..<108).map { _ in Float(g.unit() - 0.5) })
        let model = Model(graph: Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "six", opType: "Constant", inputs: [], outputs: ["six"], attributes: ["value": .tensor(Tensor(scalar: Float(6)))]),
            Node(name: "clip", opType: "Clip", inputs: ["c", "", "six"], outputs: ["r"]),
            Node(name: "cat", opType: "Concat", inputs: ["r", "r", "c"], outputs: ["y"], attributes: ["axis": .int(1)]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.fixed(1), .fixed(3), .fixed(5), .fixed(5)]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: ["w": weight]), opsets: ["": 17], producerName: "ferry")
        return try ShapeInference.infer(model)
    }

    @Test func writtenFileReadsBackToTheSameOutputs() throws {
        let model = try sample()
        let bytes = try ORTWriter.serialize(model)
        #expect(try ORTWriter.serialize(model) == bytes, "deterministic")
        #expect(FlatBufferReader(bytes: bytes).fileIdentifier == "ORTM")
        let (readBack, summary) = try ORTReader.read(bytes)
        #expect(summary.formatVersion == ORTWriter.formatVersion)
        #expect(!readBack.graph.nodes.contains { $0.opType == "Constant" })
        #expect(readBack.graph.initializers["six"] != nil)
        #expect(readBack.opset == 17)
        let feeds = ModelComparison.randomFeeds(for: model)
        #expect(try ModelComparison.mismatch(original: model, rewritten: readBack, feeds: feeds, rtol: 0, atol: 0) == nil)
        // Clip-13, Concat-13, Conv-11: sorted by op id bytes.
        #expect(summary.kernelTypeStringOps == [":Clip:13", ":Concat:13", ":Conv:11"])
    }

    @Test func valuesWithoutTypesAndUnknownDomainsAreRefused() throws {
        var model = try sample()
        model.graph.valueInfo["c"] = nil
        #expect { try ORTWriter.serialize(model) } throws: { "\($0)".contains("value 'c'") }
        var custom = try sample()
        custom.graph.nodes[2].domain = "com.example"
        #expect { try ORTWriter.serialize(custom) } throws: { "\($0)".contains("node 'clip'") }
        #expect { try ORTReader.read(Array("not an ort file at all".utf8)) } throws: { "\($0)".contains("file identifier") }
    }
}
