import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import NCNNFormat
import Testing

/// What audio and sequence models need from NCNN (Silero VAD's shape): a reflect Pad of a
/// [1, T] signal, 1-D convolutions, x², and an LSTM cell whose state the caller passes in and
/// gets back. Each is written, read back and run against the source in the reference core.
@Suite struct SequenceLayerTests {
    static func values(_ count: Int, _ scale: Double) -> [Float] { (0..<count).map { Float(sin(Double($0) * scale)) } }

    static func run(_ model: Model, _ feeds: [String: Tensor]) throws -> (param: String, error: Float) {
        let exported = try NCNNExporter.export(model)
        let compared = try ModelComparison.largestDifference(original: model, rewritten: try exported.readBack(like: model), feeds: feeds)
        #expect(compared.shapesMatch)
        return (String(decoding: exported.paramBytes, as: UTF8.self), compared.largest)
    }

    /// [1, 40] → reflect Pad (0, 8) → Unsqueeze → Conv1D (6 filters, k 8, stride 4) → Pow 2 →
    /// depthwise Conv1D (group 6, k 3, pad 1) → Relu.
    @Test func paddedOneDimensionalConvolutionsAndASquare() throws {
        let graph = Graph(name: "frontend", nodes: [
            Node(name: "pad", opType: "Pad", inputs: ["x", "pads"], outputs: ["p"], attributes: ["mode": .string("reflect")]),
            Node(name: "unsqueeze", opType: "Unsqueeze", inputs: ["p", "axes"], outputs: ["u"]),
            Node(name: "stft", opType: "Conv", inputs: ["u", "w1"], outputs: ["c"], attributes: ["strides": .ints([4])]),
            Node(name: "square", opType: "Pow", inputs: ["c", "two"], outputs: ["s"]),
            Node(name: "dw", opType: "Conv", inputs: ["s", "w2", "b2"], outputs: ["d"], attributes: ["group": .int(6), "pads": .ints([1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["d"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 40]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: [
            "pads": Tensor(shape: [4], values: [Int64(0), 0, 0, 8]),
            "axes": Tensor(shape: [1], values: [Int64(1)]),
            "w1": Tensor(shape: [6, 1, 8], values: Self.values(48, 0.7)),
            "two": Tensor(scalar: Float(2)),
            "w2": Tensor(shape: [6, 1, 3], values: Self.values(18, 1.1)),
            "b2": Tensor(shape: [6], values: Self.values(6, 0.3)),
        ])
        let model = Model(graph: graph, opsets: ["": 13])
        let (param, error) = try Self.run(model, ["x": Tensor(shape: [1, 40], values: Self.values(40, 0.37))])
        #expect(param.contains("Padding"))
        #expect(param.contains("Convolution1D"))
        #expect(param.contains("ConvolutionDepthWise1D"))
        #expect(param.contains("UnaryOp") && !param.contains("BinaryOp"))
        #expect(error <= 1e-5)
    }

    /// One LSTM step with the state given as inputs and the final state read as outputs.
    @Test func lstmTakesAndReturnsItsState() throws {
        let hidden = 5, inputSize = 3
        let graph = Graph(name: "cell", nodes: [
            Node(name: "lstm", opType: "LSTM", inputs: ["x", "w", "r", "b", "", "h0", "c0"], outputs: ["y", "hn", "cn"],
                 attributes: ["hidden_size": .int(hidden)]),
        ], inputs: [
            ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [2, 1, inputSize])),
            ValueInfo(name: "h0", type: ValueType(dataType: .float32, dims: [1, 1, hidden])),
            ValueInfo(name: "c0", type: ValueType(dataType: .float32, dims: [1, 1, hidden])),
        ], outputs: [ValueInfo(name: "y", type: nil), ValueInfo(name: "hn", type: nil), ValueInfo(name: "cn", type: nil)], initializers: [
            "w": Tensor(shape: [1, 4 * hidden, inputSize], values: Self.values(4 * hidden * inputSize, 0.9)),
            "r": Tensor(shape: [1, 4 * hidden, hidden], values: Self.values(4 * hidden * hidden, 0.45)),
            "b": Tensor(shape: [1, 8 * hidden], values: Self.values(8 * hidden, 0.2)),
        ])
        let model = Model(graph: graph, opsets: ["": 14])
        let (param, error) = try Self.run(model, [
            "x": Tensor(shape: [2, 1, inputSize], values: Self.values(2 * inputSize, 1.7)),
            "h0": Tensor(shape: [1, 1, hidden], values: Self.values(hidden, 2.3)),
            "c0": Tensor(shape: [1, 1, hidden], values: Self.values(hidden, 0.8)),
        ])
        let line = param.split(separator: "\n").first { $0.hasPrefix("LSTM") }.map(String.init) ?? ""
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).prefix(2) == ["3", "3"])
        #expect(error <= 1e-5)
    }
}
