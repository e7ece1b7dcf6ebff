import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import XCTest
import TFLiteFormat

/// Export → bytes → read → import → Ferry's reference core, against the ONNX source run in the
/// same core: the TFLite file must compute what the ONNX model computes.
final class RoundTripTests: XCTestCase {
    static let samples = 2

    func testExportedFixturesComputeWhatTheSourceComputes() throws {
        for name in Fixtures.names where Fixtures.blocked[name] == nil {
            let source = try Fixtures.model(name)
            let bytes = try TFLiteExporter.export(source)
            let imported = try TFLiteImporter.importModel(bytes: bytes)
            let reference = try InferenceSession(model: source)
            let candidate = try InferenceSession(model: imported)
            XCTAssertEqual(candidate.outputNames, reference.outputNames, name)
            XCTAssertEqual(candidate.inputs.map(\.name), reference.inputs.map(\.name), name)
            for index in 0..<Self.samples {
                let feeds = try Fixtures.evalSample(name, index: index)
                let expected = try reference.run(feeds), actual = try candidate.run(feeds)
                for (e, a) in zip(expected, actual) {
                    let values = e.doubles()
                    let range = max((values.max() ?? 0) - (values.min() ?? 0), 1e-6)
                    let tolerance = e.dataType.isFloatingPoint ? 1e-4 * range : 0
                    XCTAssertNil(TensorComparison.mismatch(actual: a, expected: e, rtol: 0, atol: tolerance), "\(name) sample \(index)")
                }
            }
        }
    }

    func testBlockedFixturesNameTheirOp() throws {
        for (name, op) in Fixtures.blocked {
            XCTAssertThrowsError(try TFLiteExporter.export(try Fixtures.model(name))) { error in
                XCTAssertTrue("\(error)".contains(op), "\(name): \(error)")
            }
        }
    }

    /// Ops with no TFLite form (an LSTM with coupled gates, an Erf outside GELU, a grouped convolution)
    /// are refused with the node's name, never written as something else.
    func testUnmappableOpsNameTheirNode() throws {
        let x = ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 4, 6, 6]))
        let seq = ValueInfo(name: "seq", type: ValueType(dataType: .float32, dims: [5, 1, 3]))
        func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, values: [Float](repeating: 0.25, count: shape.reduce(1, *))) }
        let cases: [(Graph, String)] = [
            (Graph(name: "g", nodes: [Node(name: "coupled lstm", opType: "LSTM", inputs: ["seq", "W", "R"], outputs: ["y"],
                                           attributes: ["hidden_size": .int(2), "input_forget": .int(1)])],
                   inputs: [seq], outputs: [ValueInfo(name: "y", type: nil)],
                   initializers: ["W": zeros([1, 8, 3]), "R": zeros([1, 8, 2])]), "coupled lstm"),
            (Graph(name: "g", nodes: [Node(name: "lone erf", opType: "Erf", inputs: ["x"], outputs: ["y"])],
                   inputs: [x], outputs: [ValueInfo(name: "y", type: nil)]), "lone erf"),
            (Graph(name: "g", nodes: [Node(name: "grouped", opType: "Conv", inputs: ["x", "w"], outputs: ["y"],
                                           attributes: ["group": .int(2), "kernel_shape": .ints([1, 1])])],
                   inputs: [x], outputs: [ValueInfo(name: "y", type: nil)], initializers: ["w": zeros([4, 2, 1, 1])]), "grouped"),
        ]
        for (graph, node) in cases {
            XCTAssertThrowsError(try TFLiteExporter.export(Model(graph: graph, opsets: ["": 17]))) { error in
                XCTAssertTrue("\(error)".contains(node), "\(error)")
            }
        }
    }

    /// Every exported fixture, mutated many times, must be refused or read — never crash —
    /// through the reader and the importer.
    func testMutatedExportsNeverCrashReaderOrImporter() throws {
      for name in ["keras_digits", "transformer_encoder", "mobilenet_v3_small_w050"] {
        let bytes = try TFLiteExporter.export(try Fixtures.model(name))
        var random = SplitMix64(seed: 42)
        var imported = 0
        for trial in 0..<500 {
            var mutated = bytes
            if trial % 3 == 0 {
                mutated = Array(bytes[..<Int(random.next() % UInt64(bytes.count))])
            } else {
                // Corrupt the graph part (the first 4 KiB: tables and vtables), not just weights.
                for _ in 0...(random.next() % 3) {
                    let at = Int(random.next() % UInt64(min(bytes.count, 4096)))
                    mutated[at] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            if let model = try? TFLiteReader.read(mutated), let ir = try? TFLiteImporter.importModel(model) {
                imported += 1
                // What `ferry run` does next: the session builder must refuse what the importer let through.
                _ = try? InferenceSession(model: ir)
            }
        }
        XCTAssertGreaterThan(imported, 0, "\(name): no mutation survived, so the importer was never exercised")
      }
    }
}
