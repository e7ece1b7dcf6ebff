import FerryIR
import FerryRuntime
import FerryTestSupport
import XCTest
import TFLiteFormat

/// What streaming audio models (Silero VAD and its kind) are made of: an LSTM whose states the
/// caller feeds and reads back, a 1-D convolution after a reflect pad, and If nodes that test
/// shapes. Each exports, reads back and computes what the ONNX graph computes.
final class StreamingExportTests: XCTestCase {
    private func values(_ shape: [Int], seed: UInt64, scale: Float = 0.5) -> Tensor {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let count = shape.reduce(1, *)
        let data = (0..<count).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) - 0.5) * 2 * scale
        }
        return Tensor(shape: shape, values: data)
    }

    private func ops(_ bytes: [UInt8]) throws -> [TFLiteBuiltinOperator] {
        let model = try TFLiteReader.read(bytes)
        return model.subgraphs[0].operators.map { model.operatorCodes[Int($0.opcodeIndex)].builtin }
    }

    /// Exports `graph`, checks the read-back file against the source on `feeds`.
    private func assertRoundTrip(_ graph: Graph, feeds: [String: Tensor], opset: Int = 17, file: StaticString = #filePath,
                                 line: UInt = #line) throws -> [UInt8] {
        let model = Model(graph: graph, opsets: ["": opset])
        let bytes = try TFLiteExporter.export(model)
        let imported = try TFLiteImporter.importModel(bytes: bytes)
        let expected = try InferenceSession(model: model).run(feeds)
        let actual = try InferenceSession(model: imported).run(feeds)
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(a.shape, e.shape, file: file, line: line)
            XCTAssertNil(TensorComparison.mismatch(actual: a, expected: e, rtol: 0, atol: 1e-5), file: file, line: line)
        }
        return bytes
    }

    func testLSTMWithFedStatesAndFinalCellStateIsUnrolled() throws {
        let (steps, batch, input, hidden) = (3, 2, 4, 5)
        for (direction, count) in [("forward", 1), ("reverse", 1), ("bidirectional", 2)] {
            for layout in [0, 1] {
                let xShape = layout == 0 ? [steps, batch, input] : [batch, steps, input]
                let stateShape = layout == 0 ? [count, batch, hidden] : [batch, count, hidden]
                let yShape = layout == 0 ? [steps, count, batch, hidden] : [batch, steps, count, hidden]
                let graph = Graph(
                    name: "lstm",
                    nodes: [Node(name: "rnn", opType: "LSTM", inputs: ["x", "W", "R", "B", "", "h0", "c0", "P"], outputs: ["y", "yh", "yc"],
                                 attributes: ["hidden_size": .int(hidden), "direction": .string(direction), "layout": .int(layout)])],
                    inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: xShape)),
                             ValueInfo(name: "h0", type: ValueType(dataType: .float32, dims: stateShape)),
                             ValueInfo(name: "c0", type: ValueType(dataType: .float32, dims: stateShape))],
                    outputs: [ValueInfo(name: "y", type: ValueType(dataType: .float32, dims: yShape)),
                              ValueInfo(name: "yh", type: ValueType(dataType: .float32, dims: stateShape)),
                              ValueInfo(name: "yc", type: ValueType(dataType: .float32, dims: stateShape))],
                    initializers: ["W": values([count, 4 * hidden, input], seed: 1), "R": values([count, 4 * hidden, hidden], seed: 2),
                                   "B": values([count, 8 * hidden], seed: 3), "P": values([count, 3 * hidden], seed: 4)])
                let feeds = ["x": values(xShape, seed: 5, scale: 2), "h0": values(stateShape, seed: 6), "c0": values(stateShape, seed: 7)]
                let bytes = try assertRoundTrip(graph, feeds: feeds)
                XCTAssertFalse(try ops(bytes).contains(.unidirectionalSequenceLSTM), "\(direction) layout \(layout)")
            }
        }
    }

    func testZeroStateForwardLSTMStaysOneSequenceOp() throws {
        let graph = Graph(
            name: "lstm",
            nodes: [Node(name: "rnn", opType: "LSTM", inputs: ["x", "W", "R"], outputs: ["y"], attributes: ["hidden_size": .int(3)])],
            inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [4, 1, 2]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dataType: .float32, dims: [4, 1, 1, 3]))],
            initializers: ["W": values([1, 12, 2], seed: 1), "R": values([1, 12, 3], seed: 2)])
        XCTAssertTrue(try ops(try TFLiteExporter.export(Model(graph: graph, opsets: ["": 17]))).contains(.unidirectionalSequenceLSTM))
    }

    func testReflectPadThenStridedConv1D() throws {
        let graph = Graph(
            name: "stft",
            nodes: [Node(name: "pad", opType: "Pad", inputs: ["x", "pads"], outputs: ["padded"], attributes: ["mode": .string("reflect")]),
                    Node(name: "conv", opType: "Conv", inputs: ["padded", "w", "b"], outputs: ["y"],
                         attributes: ["kernel_shape": .ints([4]), "strides": .ints([2]), "pads": .ints([1, 2])]),
                    Node(name: "relu", opType: "Relu", inputs: ["y"], outputs: ["z"])],
            inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 3, 16]))],
            outputs: [ValueInfo(name: "z", type: ValueType(dataType: .float32, dims: [1, 5, 12]))],
            initializers: ["pads": Tensor(shape: [6], values: [Int64(0), 0, 3, 0, 0, 5]), "w": values([5, 3, 4], seed: 8), "b": values([5], seed: 9)])
        let bytes = try assertRoundTrip(graph, feeds: ["x": values([1, 3, 16], seed: 10)])
        XCTAssertEqual(try ops(bytes).filter { $0 == .mirrorPad || $0 == .conv2D }, [.mirrorPad, .conv2D])
    }

    func testIfOnAShapeBecomesTheBranchItTakes() throws {
        // rank(x) == 2 ? Unsqueeze(x) : Identity(x), as PyTorch writes for `if x.dim() == 2`.
        let then = Graph(name: "then", nodes: [Node(name: "unsqueeze", opType: "Unsqueeze", inputs: ["x", "axes"], outputs: ["t"])],
                         outputs: [ValueInfo(name: "t", type: nil)], initializers: ["axes": Tensor(shape: [1], values: [Int64(0)])])
        let otherwise = Graph(name: "else", nodes: [Node(name: "same", opType: "Identity", inputs: ["x"], outputs: ["e"])],
                              outputs: [ValueInfo(name: "e", type: nil)])
        let graph = Graph(
            name: "if",
            nodes: [Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
                    Node(name: "size", opType: "Size", inputs: ["s"], outputs: ["rank"]),
                    Node(name: "two", opType: "Equal", inputs: ["rank", "two"], outputs: ["cond"]),
                    Node(name: "branch", opType: "If", inputs: ["cond"], outputs: ["u"],
                         attributes: ["then_branch": .graph(then), "else_branch": .graph(otherwise)]),
                    Node(name: "sigmoid", opType: "Sigmoid", inputs: ["u"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [2, 3]))],
            outputs: [ValueInfo(name: "y", type: ValueType(dataType: .float32, dims: [1, 2, 3]))],
            initializers: ["two": Tensor(scalar: Int64(2))])
        let bytes = try assertRoundTrip(graph, feeds: ["x": values([2, 3], seed: 11)])
        XCTAssertEqual(try ops(bytes), [.reshape, .logistic])
    }
}
