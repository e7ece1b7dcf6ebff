import FerryIR
import FerryPasses
import FerryRuntime
import FerryTestSupport
import Foundation
import ONNXFormat
import Testing

@Suite struct PruningTests {
    func fixture(_ name: String) throws -> Model {
        let source = try ONNXReader.loadModel(path: ModelComparison.fixturesDirectory.appendingPathComponent("\(name)/model.onnx").path)
        return try PassPipeline.standard(fuseActivations: false).run(source).0
    }

    func weights(_ model: Model) -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for node in model.graph.nodes where ["Conv", "Gemm", "MatMul"].contains(node.opType) {
            if let name = node.input(1), let w = model.graph.initializers[name], w.dataType == .float32 { result[name] = w.elements(as: Float.self) }
        }
        return result
    }

    @Test func perLayerSparsityIsExactAndSkipsNamedLayers() throws {
        let model = try fixture("digits_cnn")
        let skipped = model.graph.nodes.first { $0.opType == "Gemm" }!.name
        let (pruned, report) = try MagnitudePruning(.perLayer(sparsity: 0.5), skip: [skipped]).applyReporting(to: model)
        #expect(!report.contains { $0.node == skipped })
        #expect(report.count == weights(model).count - 1)
        for layer in report {
            #expect(layer.zeros == layer.parameters / 2, "\(layer.node): \(layer.zeros) of \(layer.parameters)")
            // The survivors are the largest magnitudes.
            let original = model.graph.initializers[layer.weight]!.elements(as: Float.self)
            let kept = pruned.graph.initializers[layer.weight]!.elements(as: Float.self)
            let smallestKept = zip(original, kept).filter { $0.1 != 0 }.map { abs($0.0) }.min()!
            let largestDropped = zip(original, kept).filter { $0.1 == 0 }.map { abs($0.0) }.max()!
            #expect(smallestKept >= largestDropped)
        }
        _ = try InferenceSession(model: pruned).run(ModelComparison.randomFeeds(for: pruned))
    }

    @Test func globalSparsityUsesOneThreshold() throws {
        let model = try fixture("digits_cnn")
        let (_, report) = try MagnitudePruning(.global(sparsity: 0.7)).applyReporting(to: model)
        let total = report.reduce(0) { $0 + $1.parameters }, zeros = report.reduce(0) { $0 + $1.zeros }
        #expect(abs(Double(zeros) / Double(total) - 0.7) < 0.01)
        #expect(Set(report.map { ($0.sparsity * 100).rounded() }).count > 1, "layers should differ in sparsity")
    }

    @Test func twoOfFourKeepsTwoInEveryGroupOfFour() throws {
        let model = try fixture("mobilenet_v2_w035")
        let (pruned, report) = try MagnitudePruning(.nOfM(n: 2, m: 4)).applyReporting(to: model)
        #expect(!report.isEmpty)
        for node in pruned.graph.nodes where node.opType == "Conv" {
            let w = pruned.graph.initializers[node.inputs[1]]!
            let depth = w.count / w.shape[0]
            guard depth % 4 == 0 else { continue }
            let values = w.elements(as: Float.self)
            for row in 0..<w.shape[0] {
                for group in stride(from: 0, to: depth, by: 4) {
                    let nonzero = (0..<4).filter { values[row * depth + group + $0] != 0 }.count
                    #expect(nonzero <= 2)
                }
            }
        }
        #expect(PruningSpec.nOfM(n: 2, m: 4) == (try PruningSpec.parse("2:4")))
        #expect(throws: PassError.self) { try PruningSpec.parse("4:2") }
        #expect(throws: PassError.self) { try PruningSpec.parse("channels:1.5") }
    }

    @Test func channelPruningRemovesChannelsAndStillRuns() throws {
        let model = try fixture("mobilenet_v2_w035")
        let (pruned, report) = try ChannelPruning(fraction: 0.25).applyReporting(to: model)
        #expect(!report.isEmpty)
        for layer in report { #expect(layer.channels!.after == Int((Double(layer.channels!.before) * 0.75).rounded(.up))) }
        let params = { (m: Model) in m.graph.initializers.values.reduce(0) { $0 + $1.count } }
        #expect(params(pruned) < params(model) * 9 / 10, "\(params(pruned)) of \(params(model))")
        let feeds = ModelComparison.randomFeeds(for: model)
        let out = try InferenceSession(model: pruned).run(feeds)
        #expect(out[0].shape == (try InferenceSession(model: model).run(feeds))[0].shape)
    }

    @Test func removingDeadChannelsKeepsOutputs() throws {
        // conv1 has two all-zero filters (and zero bias there): pruning a third of its channels
        // must remove exactly those, through Relu and a depthwise conv, into conv2's inputs.
        var w1: [Float] = (0..<(6 * 3 * 9)).map { (i: Int) -> Float in Float((i * 7) % 11) / 11 - 0.4 }
        for c in [1, 4] { for i in 0..<27 { w1[c * 27 + i] = 0 } }
        var b1: [Float] = [0.1, 0, 0.2, -0.1, 0, 0.3]
        b1[1] = 0; b1[4] = 0
        let dw: [Float] = (0..<(6 * 9)).map { (i: Int) -> Float in Float((i * 5) % 7) / 7 - 0.3 }
        let db: [Float] = [0.05, 0, -0.05, 0.1, 0, 0.02]
        let w2: [Float] = (0..<(4 * 6)).map { (i: Int) -> Float in Float((i * 3) % 5) / 5 - 0.5 }
        let model = Model(graph: Graph(nodes: [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["a"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["r"]),
            Node(name: "dw", opType: "Conv", inputs: ["r", "dw", "db"], outputs: ["d"], attributes: ["group": .int(6), "pads": .ints([1, 1, 1, 1])]),
            Node(name: "conv2", opType: "Conv", inputs: ["d", "w2"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 3, 6, 6]))], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["w1": Tensor(shape: [6, 3, 3, 3], values: w1), "b1": Tensor(shape: [6], values: b1),
                          "dw": Tensor(shape: [6, 1, 3, 3], values: dw), "db": Tensor(shape: [6], values: db),
                          "w2": Tensor(shape: [4, 6, 1, 1], values: w2)]), opsets: ["": 17])
        let (pruned, report) = try ChannelPruning(fraction: 1.0 / 3).applyReporting(to: model)
        #expect(report.map(\.node) == ["conv1"])
        #expect(pruned.graph.initializers["w1"]?.shape == [4, 3, 3, 3])
        #expect(pruned.graph.initializers["dw"]?.shape == [4, 1, 3, 3])
        #expect(pruned.graph.initializers["w2"]?.shape == [4, 4, 1, 1])
        #expect(try ModelComparison.mismatch(original: model, rewritten: pruned, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    @Test func residualJoinsKeepTheirChannels() throws {
        let model = Model(graph: Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["a"]),
            Node(name: "add", opType: "Add", inputs: ["a", "x"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 4, 3, 3]))], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["w": Tensor(shape: [4, 4, 1, 1], values: (0..<16).map { (i: Int) -> Float in Float(i) })]), opsets: ["": 17])
        let (_, report) = try ChannelPruning(fraction: 0.5).applyReporting(to: model)
        #expect(report.isEmpty)
    }
}
