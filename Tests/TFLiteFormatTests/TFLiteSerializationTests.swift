import XCTest
import TFLiteFormat

/// A small hand-built model with every kind of field the writer emits.
func sampleTFLiteModel() -> TFLiteModel {
    var model = TFLiteModel()
    model.description = "sample"
    model.operatorCodes = [
        TFLiteOperatorCode(builtin: .conv2D, version: 1),
        TFLiteOperatorCode(builtin: .gelu, version: 1),        // > 127: wide code only
        TFLiteOperatorCode(builtin: .reshape, version: 1),
    ]
    let weights: [Float] = (0..<8).map { Float($0) * 0.5 - 1 }
    model.buffers.append(TFLiteBuffer(data: weights.withUnsafeBytes { Array($0) }))
    model.buffers.append(TFLiteBuffer(data: Array("1.5.0".utf8)))
    var graph = TFLiteSubgraph()
    graph.name = "main"
    graph.tensors = [
        TFLiteTensor(shape: [1, 4, 4, 2], shapeSignature: [-1, 4, 4, 2], type: .float32, name: "in/put@0:x"),
        TFLiteTensor(shape: [2, 1, 2, 2], type: .float32, buffer: 1, name: "w",
                     quantization: .perChannel(scales: [0.5, 0.25], zeroPoints: [0, 0], dimension: 0)),
        TFLiteTensor(shape: [1, 4, 4, 2], type: .float32, name: "conv"),
        TFLiteTensor(shape: [1, 32], type: .float32, name: "out"),
    ]
    graph.inputs = [0]
    graph.outputs = [3]
    graph.operators = [
        TFLiteOperator(opcodeIndex: 0, inputs: [0, 1, -1], outputs: [2],
                       options: .conv2D(.init(padding: .same, strideW: 1, strideH: 1, activation: .relu6))),
        TFLiteOperator(opcodeIndex: 1, inputs: [2], outputs: [2], options: .gelu(approximate: true)),
        TFLiteOperator(opcodeIndex: 2, inputs: [2], outputs: [3], options: .reshape(newShape: [1, 32])),
    ]
    model.subgraphs = [graph]
    model.metadata = [TFLiteMetadata(name: "min_runtime_version", buffer: 2)]
    model.signatureDefs = [TFLiteSignatureDef(inputs: [.init(name: "in/put@0:x", tensorIndex: 0)],
                                              outputs: [.init(name: "out", tensorIndex: 3)], signatureKey: "serving_default")]
    return model
}

final class TFLiteSerializationTests: XCTestCase {
    func testWriteThenReadGivesTheSameModel() throws {
        let model = sampleTFLiteModel()
        let bytes = try TFLiteWriter.write(model)
        XCTAssertTrue(TFLiteReader.isTFLite(bytes))
        XCTAssertEqual(try TFLiteReader.read(bytes), model)
        XCTAssertEqual(try TFLiteWriter.write(model), bytes, "writing is deterministic")
    }

    func testWideOperatorCodesKeepThePlaceholderInTheNarrowField() throws {
        let bytes = try TFLiteWriter.write(sampleTFLiteModel())
        let root = try FlatBufferReader(bytes: bytes).rootTable()
        let codes = try root.tables(TFLiteFields.Model.operatorCodes)
        XCTAssertEqual(try codes[1].scalar(TFLiteFields.OperatorCode.deprecatedBuiltinCode, default: Int8(0)), 127)
        XCTAssertEqual(try codes[1].scalar(TFLiteFields.OperatorCode.builtinCode, default: Int32(0)), 150)
        XCTAssertEqual(try codes[0].scalar(TFLiteFields.OperatorCode.deprecatedBuiltinCode, default: Int8(0)), 3)
    }

    func testBufferDataIsSixteenByteAligned() throws {
        let bytes = try TFLiteWriter.write(sampleTFLiteModel())
        let root = try FlatBufferReader(bytes: bytes).rootTable()
        for buffer in try root.tables(TFLiteFields.Model.buffers) {
            if let data = try buffer.vector(TFLiteFields.Buffer.data, elementSize: 1) {
                XCTAssertEqual(data.start % 16, 0)
            }
        }
    }

    func testNonTFLiteBytesAreRefused() {
        XCTAssertThrowsError(try TFLiteReader.read(Array("not a model at all".utf8))) { error in
            guard case TFLiteReadError.notTFLite = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TFLiteReader.read([]))
    }

    func testBadCrossReferencesNameTheField() throws {
        var model = sampleTFLiteModel()
        model.subgraphs[0].operators[0].inputs[1] = 9
        let bytes = try TFLiteWriter.write(model)
        XCTAssertThrowsError(try TFLiteReader.read(bytes)) { error in
            XCTAssertEqual("\(error)", "subgraphs[0].operators[0].inputs[1]: tensor 9 of 4")
        }
    }

    /// Mutated and truncated models must throw or read, never crash. Fixed seed.
    func testMutatedModelsNeverCrashTheReader() throws {
        let bytes = try TFLiteWriter.write(sampleTFLiteModel())
        var random = SplitMix64(seed: 0x7f1e_5eed)
        var refused = 0
        for trial in 0..<4000 {
            var mutated = bytes
            switch trial % 4 {
            case 0:
                mutated = Array(bytes[..<Int(random.next() % UInt64(bytes.count))])
            case 1:
                for _ in 0...(random.next() % 4) {
                    let at = Int(random.next() % UInt64(mutated.count))
                    mutated[at] ^= UInt8(1 << (random.next() % 8))
                }
            case 2:
                let at = Int(random.next() % UInt64(mutated.count - 4))
                for i in 0..<4 { mutated[at + i] = UInt8(truncatingIfNeeded: random.next()) }
            default:
                let at = Int(random.next() % UInt64(mutated.count))
                mutated[at] = [0x00, 0xff, 0x7f, 0x80][Int(random.next() % 4)]
            }
            do { _ = try TFLiteReader.read(mutated) } catch { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 1000, "most truncations and many corruptions must be refused")
    }
}

/// A small deterministic generator (SplitMix64) for fuzz tests with a fixed seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
