import CoreMLFormat
import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import Testing

/// What audio and sequence models need from Core ML (Silero VAD's shape): Pad (a reflect Pad
/// of a [1, T] signal), 1-D convolutions, x², and an LSTM cell whose state the caller passes in
/// and gets back. Each model is written as a float32 ML Program and as a NeuralNetwork
/// `.mlmodel`, read back and run against the source in the reference core.
@Suite struct SequenceLayerTests {
    static func values(_ count: Int, _ scale: Double) -> [Float] { (0..<count).map { Float(sin(Double($0) * scale)) } }

    enum Format { case mlProgram, neuralNetwork }

    /// The op (MIL) or layer (NeuralNetwork) types written and the read-back's largest
    /// difference from the source over every output.
    static func run(_ model: Model, _ feeds: [String: Tensor], _ format: Format) throws -> (ops: [String], error: Float) {
        let ops: [String], read: Model
        switch format {
        case .mlProgram:
            let spec = try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: .float32))
            guard case .mlProgram(let program) = spec.body, let main = program.main else { throw CoreMLExportError.preparation("no main") }
            ops = main.operations.map(\.type)
            read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode())
        case .neuralNetwork:
            let decoded = try NNDecoder().decode(NNEncoder().encode(try NeuralNetworkExporter.export(model)))
            ops = decoded.layers.map(\.kind.typeName)
            read = try NeuralNetworkImporter.importModel(decoded)
        }
        return (ops, try ModelComparison.largestDifference(original: model, rewritten: read, feeds: feeds).largest)
    }

    /// [1, 40] → reflect Pad (0, 8) → Unsqueeze → Conv1D (6 filters, k 8, stride 4) → Pow 2 →
    /// depthwise Conv1D (group 6, k 3, pad 1) → Relu.
    static let frontEnd: Model = {
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
            "w1": Tensor(shape: [6, 1, 8], values: values(48, 0.7)),
            "two": Tensor(scalar: Float(2)),
            "w2": Tensor(shape: [6, 1, 3], values: values(18, 1.1)),
            "b2": Tensor(shape: [6], values: values(6, 0.3)),
        ])
        return Model(graph: graph, opsets: ["": 13])
    }()

    @Test func paddedOneDimensionalConvolutionsInAnMLProgram() throws {
        let (ops, error) = try Self.run(Self.frontEnd, ["x": Tensor(shape: [1, 40], values: Self.values(40, 0.37))], .mlProgram)
        #expect(ops.contains("pad") && ops.filter { $0 == "conv" }.count == 2)
        #expect(error <= 1e-5)
    }

    @Test func paddedOneDimensionalConvolutionsInANeuralNetwork() throws {
        let (ops, error) = try Self.run(Self.frontEnd, ["x": Tensor(shape: [1, 40], values: Self.values(40, 0.37))], .neuralNetwork)
        #expect(ops.contains("padding") && ops.filter { $0 == "convolution" }.count == 2)
        #expect(error <= 1e-5)
    }

    /// One LSTM step with the state given as inputs and the final state read as outputs.
    static let cell: Model = {
        let hidden = 5, inputSize = 3
        let graph = Graph(name: "cell", nodes: [
            Node(name: "lstm", opType: "LSTM", inputs: ["x", "w", "r", "b", "", "h0", "c0"], outputs: ["y", "hn", "cn"],
                 attributes: ["hidden_size": .int(hidden)]),
        ], inputs: [
            ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [2, 1, inputSize])),
            ValueInfo(name: "h0", type: ValueType(dataType: .float32, dims: [1, 1, hidden])),
            ValueInfo(name: "c0", type: ValueType(dataType: .float32, dims: [1, 1, hidden])),
        ], outputs: [ValueInfo(name: "y", type: nil), ValueInfo(name: "hn", type: nil), ValueInfo(name: "cn", type: nil)], initializers: [
            "w": Tensor(shape: [1, 4 * hidden, inputSize], values: values(4 * hidden * inputSize, 0.9)),
            "r": Tensor(shape: [1, 4 * hidden, hidden], values: values(4 * hidden * hidden, 0.45)),
            "b": Tensor(shape: [1, 8 * hidden], values: values(8 * hidden, 0.2)),
        ])
        return Model(graph: graph, opsets: ["": 14])
    }()

    static let cellFeeds = [
        "x": Tensor(shape: [2, 1, 3], values: values(6, 1.7)),
        "h0": Tensor(shape: [1, 1, 5], values: values(5, 2.3)),
        "c0": Tensor(shape: [1, 1, 5], values: values(5, 0.8)),
    ]

    @Test(arguments: [Format.mlProgram, .neuralNetwork])
    func lstmTakesAndReturnsItsState(_ format: Format) throws {
        let (ops, error) = try Self.run(Self.cell, Self.cellFeeds, format)
        #expect(ops.contains(format == .mlProgram ? "lstm" : "uniDirectionalLSTM"))
        #expect(error <= 1e-5)
    }

    /// Silero's `y = x + Cast(sr · 0)` with an int64 scalar `sr`: declared as an int32 [1]
    /// array (as coremltools declares scalars) and read back taking the source's scalar.
    @Test(arguments: [Format.mlProgram, .neuralNetwork])
    func aScalarIntegerInputIsDeclaredAsOneElement(_ format: Format) throws {
        let graph = Graph(name: "scalar", nodes: [
            Node(name: "mul", opType: "Mul", inputs: ["sr", "zero"], outputs: ["m"]),
            Node(name: "cast", opType: "Cast", inputs: ["m"], outputs: ["f"], attributes: ["to": .int(Int(DataType.float32.rawValue))]),
            Node(name: "add", opType: "Add", inputs: ["x", "f"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [2, 3])),
                    ValueInfo(name: "sr", type: ValueType(dataType: .int64, dims: []))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: ["zero": Tensor(scalar: Int64(0))])
        let model = Model(graph: graph, opsets: ["": 13])
        let description = format == .mlProgram
            ? try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: .float32)).description
            : try NeuralNetworkExporter.export(model).description
        let sr = description.inputs.first { $0.name == "sr" }
        #expect(sr?.dataType == .int32 && sr?.shape == [1])
        let (_, error) = try Self.run(model, ["x": Tensor(shape: [2, 3], values: Self.values(6, 0.5)), "sr": Tensor(scalar: Int64(16000))], format)
        #expect(error == 0)
    }

    /// A Pad of `x` [1, 2, 4, 5] (or the rank-1 [5]) with `pads` and `mode`.
    static func pad(_ pads: [Int64], mode: String, value: Float? = nil, rank1: Bool = false) -> Model {
        var inputs = ["x", "pads"]
        var initializers = ["pads": Tensor(shape: [pads.count], values: pads)]
        if let value {
            inputs.append("value")
            initializers["value"] = Tensor(scalar: value)
        }
        let graph = Graph(name: "pad", nodes: [
            Node(name: "pad", opType: "Pad", inputs: inputs, outputs: ["y"], attributes: ["mode": .string(mode)]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: rank1 ? [5] : [1, 2, 4, 5]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: initializers)
        return Model(graph: graph, opsets: ["": 13])
    }

    static let padCases: [(Model, mlProgram: String, neuralNetwork: String)] = [
        (pad([0, 0, 1, 2, 0, 0, 3, 1], mode: "reflect"), "pad", "padding"),
        (pad([0, 0, 0, 4, 0, 0, 2, 0], mode: "edge"), "pad", "padding"),
        (pad([0, 0, 2, 1, 0, 0, 1, 3], mode: "constant", value: 1.5), "pad", "padding"),
        (pad([0, 1, 0, 0, 0, 2, 1, 0], mode: "constant", value: -2), "pad", "constantPad"),
        (pad([2, 3], mode: "reflect", rank1: true), "pad", "padding"),
    ]

    @Test func padModesAndAxes() throws {
        for (model, milOp, layer) in Self.padCases {
            let shape = model.graph.inputs[0].type?.staticShape ?? []
            let x = Tensor(shape: shape, values: Self.values(shape.reduce(1, *), 0.61))
            let program = try Self.run(model, ["x": x], .mlProgram)
            #expect(program.ops.contains(milOp) && program.error == 0)
            let network = try Self.run(model, ["x": x], .neuralNetwork)
            #expect(network.ops.contains(layer) && network.error == 0)
        }
    }

    @Test func whatCoreMLCannotPadIsRefusedNamingTheNode() {
        func refused(_ body: () throws -> Void, _ reason: String) {
            #expect {
                try body()
            } throws: { error in
                guard case CoreMLExportError.unsupportedOp(let node, _, let message) = error else { return false }
                return node == "'pad' (Pad)" && message.contains(reason)
            }
        }
        let wrap = Self.pad([0, 0, 1, 1, 0, 0, 1, 1], mode: "wrap")
        refused({ _ = try CoreMLExporter.export(wrap) }, "mode 'wrap'")
        refused({ _ = try NeuralNetworkExporter.export(wrap) }, "mode 'wrap'")
        let farReflection = Self.pad([0, 0, 0, 5, 0, 0, 0, 0], mode: "reflect")
        refused({ _ = try CoreMLExporter.export(farReflection) }, "at most 4")
        let channelReflection = Self.pad([0, 1, 0, 0, 0, 1, 0, 0], mode: "reflect")
        refused({ _ = try NeuralNetworkExporter.export(channelReflection) }, "last two axes")
        let crop = Self.pad([0, 0, -1, 0, 0, 0, 0, 0], mode: "constant")
        refused({ _ = try CoreMLExporter.export(crop) }, "negative pads")
    }
}
