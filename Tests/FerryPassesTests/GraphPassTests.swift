import FerryIR
import FerryPasses
import FerryRuntime
import FerryTestSupport
import Foundation
import ONNXFormat
import Testing

/// Small graphs built in code: each pass must rewrite what it claims and keep the outputs.
@Suite struct GraphPassTests {
    func floats(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(g.unit() * 2 - 1) })
    }

    func positive(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(0.5 + g.unit()) })
    }

    func input(_ name: String, _ dims: [Dim]) -> ValueInfo { ValueInfo(name: name, type: ValueType(dataType: .float32, shape: dims)) }

    func convBNRelu() -> Model {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "s", "sh", "m", "v"], outputs: ["n"], attributes: ["epsilon": .float(1e-3)]),
            Node(name: "relu", opType: "Relu", inputs: ["n"], outputs: ["r"]),
            Node(name: "id", opType: "Identity", inputs: ["r"], outputs: ["y"]),
        ]
        let inits: [String: Tensor] = [
            "w": floats([4, 3, 3, 3], seed: 1), "b": floats([4], seed: 2), "s": floats([4], seed: 3),
            "sh": floats([4], seed: 4), "m": floats([4], seed: 5), "v": positive([4], seed: 6),
        ]
        return Model(graph: Graph(nodes: nodes, inputs: [input("x", [.symbol("n"), .fixed(3), .fixed(8), .fixed(8)])],
                                  outputs: [ValueInfo(name: "y", type: nil)], initializers: inits), opsets: ["": 17])
    }

    @Test func batchNormFoldsIntoConvAndReluFuses() throws {
        let model = convBNRelu()
        let (optimized, _) = try PassPipeline.standard(fuseActivations: true).run(model)
        #expect(optimized.graph.nodes.map(\.opType) == ["FusedConv"])
        #expect(optimized.graph.nodes[0].domain == "com.microsoft")
        #expect(optimized.graph.nodes[0].outputs == ["y"])
        #expect(optimized.opsets["com.microsoft"] == 1)
        let feeds = ModelComparison.randomFeeds(for: model)
        #expect(try ModelComparison.mismatch(original: model, rewritten: optimized, feeds: feeds, rtol: 1e-5, atol: 1e-5) == nil)
    }

    /// Passes that claim exactness leave every output bit for bit (the claim lets `ferry
    /// convert` take the optimized model's outputs for the source's); folding a BatchNormalization
    /// does not claim it, and a pipeline with nothing to fold does.
    @Test func exactPassesKeepOutputsBitForBit() throws {
        let model = convBNRelu()
        let (optimized, steps) = try PassPipeline.standard(fuseActivations: false).run(model)
        #expect(steps.filter { !$0.preservesValues }.map(\.pass) == ["fold-batch-norm"])
        let exactOnly = PassPipeline(PassPipeline.standard(fuseActivations: false).passes.filter { !($0 is FoldBatchNormalization) })
        let (exact, exactSteps) = try exactOnly.run(model)
        #expect(exactSteps.allSatisfy(\.preservesValues) && exact.graph.nodes.count < model.graph.nodes.count)
        let feeds = ModelComparison.randomFeeds(for: model)
        #expect(try ModelComparison.mismatch(original: model, rewritten: exact, feeds: feeds, rtol: 0, atol: 0) == nil)
        // Run again on the folded model: nothing left to fold, so every step is exact.
        #expect(try PassPipeline.standard(fuseActivations: false).run(optimized).1.allSatisfy(\.preservesValues))
    }

    @Test func batchNormFoldsIntoGemmAndMatMul() throws {
        for op in ["Gemm", "MatMul"] {
            var attributes: [String: Attribute] = [:]
            if op == "Gemm" { attributes = ["transB": .int(1), "alpha": .float(0.5), "beta": .float(2)] }
            let weight = op == "Gemm" ? floats([5, 6], seed: 7) : floats([6, 5], seed: 7)
            let inputs = op == "Gemm" ? ["x", "w", "c"] : ["x", "w"]
            let model = Model(graph: Graph(nodes: [
                Node(name: "fc", opType: op, inputs: inputs, outputs: ["h"], attributes: attributes),
                Node(name: "bn", opType: "BatchNormalization", inputs: ["h", "s", "sh", "m", "v"], outputs: ["y"]),
            ], inputs: [input("x", [.fixed(3), .fixed(6)])], outputs: [ValueInfo(name: "y", type: nil)],
               initializers: ["w": weight, "c": floats([5], seed: 8), "s": floats([5], seed: 3), "sh": floats([5], seed: 4),
                              "m": floats([5], seed: 5), "v": positive([5], seed: 6)]), opsets: ["": 17])
            let folded = try FoldBatchNormalization().apply(to: model)
            #expect(!folded.graph.nodes.contains { $0.opType == "BatchNormalization" }, "\(op)")
            #expect(try ModelComparison.mismatch(original: model, rewritten: folded, feeds: ModelComparison.randomFeeds(for: model)) == nil, "\(op)")
        }
    }

    @Test func sharedWeightsAreCopiedNotRewritten() throws {
        var model = convBNRelu()
        // A second conv reads the same weight: folding must leave its copy alone.
        model.graph.nodes.append(Node(name: "conv2", opType: "Conv", inputs: ["x", "w"], outputs: ["z"], attributes: ["pads": .ints([1, 1, 1, 1])]))
        model.graph.outputs.append(ValueInfo(name: "z", type: nil))
        let folded = try FoldBatchNormalization().apply(to: model)
        #expect(folded.graph.initializers["w"]?.elements(as: Float.self) == model.graph.initializers["w"]?.elements(as: Float.self))
        #expect(try ModelComparison.mismatch(original: model, rewritten: folded, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    @Test func shapeSubgraphsFoldAway() throws {
        // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])): with x's shape fixed, all constant.
        let model = Model(graph: Graph(nodes: [
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "gather", opType: "Gather", inputs: ["s", "zero"], outputs: ["n"], attributes: ["axis": .int(0)]),
            Node(name: "unsq", opType: "Unsqueeze", inputs: ["n", "axes"], outputs: ["n1"]),
            Node(name: "concat", opType: "Concat", inputs: ["n1", "minus"], outputs: ["target"], attributes: ["axis": .int(0)]),
            Node(name: "reshape", opType: "Reshape", inputs: ["x", "target"], outputs: ["y"]),
        ], inputs: [input("x", [.fixed(2), .fixed(3), .fixed(4)])], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["zero": Tensor(scalar: Int64(0)), "axes": Tensor(shape: [1], values: [Int64(0)]),
                          "minus": Tensor(shape: [1], values: [Int64(-1)])]), opsets: ["": 17])
        let (folded, _) = try PassPipeline([ConstantFolding(), DeadCodeElimination()]).run(model)
        #expect(folded.graph.nodes.map(\.opType) == ["Reshape"])
        #expect(folded.graph.initializers.keys.sorted() == ["target"])
        #expect(folded.graph.initializers["target"]?.integers() == [2, -1])
        #expect(try ModelComparison.mismatch(original: model, rewritten: folded, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    @Test func dynamicShapesStayUntilFixed() throws {
        var model = convBNRelu()
        model.graph.nodes.append(Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["xs"]))
        model.graph.outputs.append(ValueInfo(name: "xs2", type: nil))
        model.graph.nodes.append(Node(name: "id2", opType: "Identity", inputs: ["xs"], outputs: ["xs2"]))
        let folded = try ConstantFolding().apply(to: model)
        #expect(folded.graph.nodes.contains { $0.opType == "Shape" }, "batch is symbolic: Shape must stay")
        let fixed = try PassPipeline([FixInputShapes(["x": [2, 3, 8, 8]]), ConstantFolding(), DeadCodeElimination()]).run(model).0
        #expect(!fixed.graph.nodes.contains { $0.opType == "Shape" })
        #expect(fixed.graph.inputs[0].type?.staticShape == [2, 3, 8, 8])
    }

    @Test func inputShapeErrorsNameTheInput() throws {
        let model = convBNRelu()
        #expect(throws: PassError.unknownInput(name: "y", known: ["x"])) { try FixInputShapes(["y": [1]]).apply(to: model) }
        #expect(throws: PassError.badShape(input: "x", reason: "dim 1 is fixed to 3, not 4")) {
            try FixInputShapes(["x": [1, 4, 8, 8]]).apply(to: model)
        }
        #expect(try FixInputShapes.parse(["1,3,8,8"], inputs: model.graph.inputs) == ["x": [1, 3, 8, 8]])
        #expect(throws: PassError.self) { try FixInputShapes.parse(["x=1,a"], inputs: model.graph.inputs) }
    }

    @Test func transposeChainsCompose() throws {
        let model = Model(graph: Graph(nodes: [
            Node(name: "t1", opType: "Transpose", inputs: ["x"], outputs: ["a"], attributes: ["perm": .ints([0, 2, 3, 1])]),
            Node(name: "t2", opType: "Transpose", inputs: ["a"], outputs: ["b"], attributes: ["perm": .ints([0, 3, 1, 2])]),
            Node(name: "relu", opType: "Relu", inputs: ["b"], outputs: ["c"]),
            Node(name: "t3", opType: "Transpose", inputs: ["c"], outputs: ["d"], attributes: ["perm": .ints([0, 2, 1, 3])]),
            Node(name: "t4", opType: "Transpose", inputs: ["d"], outputs: ["e"], attributes: ["perm": .ints([1, 0, 2, 3])]),
            Node(name: "flat", opType: "Flatten", inputs: ["e"], outputs: ["f"]),
            Node(name: "reshape", opType: "Reshape", inputs: ["f", "shape"], outputs: ["y"]),
        ], inputs: [input("x", [.fixed(2), .fixed(3), .fixed(4), .fixed(5)])], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["shape": Tensor(shape: [2], values: [Int64(6), Int64(-1)])]), opsets: ["": 17])
        let simplified = try SimplifyTransposes().apply(to: model)
        #expect(simplified.graph.nodes.map(\.opType) == ["Relu", "Transpose", "Reshape"])
        #expect(try ModelComparison.mismatch(original: model, rewritten: simplified, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    @Test func passThroughNodesGoAndPublicNamesStay() throws {
        let model = Model(graph: Graph(nodes: [
            Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"]),
            Node(name: "drop", opType: "Dropout", inputs: ["r"], outputs: ["d", ""]),
            Node(name: "id", opType: "Identity", inputs: ["d"], outputs: ["y"]),
            Node(name: "unused", opType: "Neg", inputs: ["x"], outputs: ["dead"]),
        ], inputs: [input("x", [.fixed(4)])], outputs: [ValueInfo(name: "y", type: nil)]), opsets: ["": 17])
        let (clean, _) = try PassPipeline([RemovePassThrough(), DeadCodeElimination()]).run(model)
        #expect(clean.graph.nodes.map(\.opType) == ["Relu"])
        #expect(clean.graph.nodes[0].outputs == ["y"])
        #expect(try ModelComparison.mismatch(original: model, rewritten: clean, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    @Test func clipWithConstantBoundsFusesAsRelu6() throws {
        var model = convBNRelu()
        model.graph.nodes[2] = Node(name: "clip", opType: "Clip", inputs: ["n", "lo", "hi"], outputs: ["r"])
        model.graph.setInitializer("lo", Tensor(scalar: Float(0)))
        model.graph.setInitializer("hi", Tensor(scalar: Float(6)))
        let (optimized, _) = try PassPipeline.standard(fuseActivations: true).run(model)
        #expect(optimized.graph.nodes.map(\.opType) == ["FusedConv"])
        if case .floats(let params)? = optimized.graph.nodes[0].attributes["activation_params"] { #expect(params == [0, 6]) } else { Issue.record("no activation_params") }
        #expect(try ModelComparison.mismatch(original: model, rewritten: optimized, feeds: ModelComparison.randomFeeds(for: model)) == nil)
    }

    /// A PyTorch-style shape test (`if x.dim() == 2`) with a nested one in its branch: once the
    /// shape is fixed, both fold and the branches taken become plain nodes.
    @Test func ifsOnFixedShapesAreInlined() throws {
        let inner = Graph(name: "inner", nodes: [Node(name: "neg", opType: "Neg", inputs: ["x"], outputs: ["n"])],
                          outputs: [ValueInfo(name: "n", type: nil)])
        let never = Graph(name: "never", nodes: [Node(name: "abs", opType: "Abs", inputs: ["x"], outputs: ["a"])],
                          outputs: [ValueInfo(name: "a", type: nil)])
        // The then branch defines `s`, a name the outer graph uses too: it must be renamed.
        let then = Graph(name: "then", nodes: [
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "first", opType: "Gather", inputs: ["s", "zero"], outputs: ["d0"]),
            Node(name: "three", opType: "Equal", inputs: ["d0", "three"], outputs: ["c2"]),
            Node(name: "nested", opType: "If", inputs: ["c2"], outputs: ["t"],
                 attributes: ["then_branch": .graph(inner), "else_branch": .graph(never)]),
        ], outputs: [ValueInfo(name: "t", type: nil)],
           initializers: ["zero": Tensor(scalar: Int64(0)), "three": Tensor(scalar: Int64(3))])
        let otherwise = Graph(name: "else", nodes: [Node(name: "same", opType: "Identity", inputs: ["x"], outputs: ["e"])],
                              outputs: [ValueInfo(name: "e", type: nil)])
        let model = Model(graph: Graph(nodes: [
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "rank", opType: "Size", inputs: ["s"], outputs: ["rank"]),
            Node(name: "two", opType: "Equal", inputs: ["rank", "two"], outputs: ["cond"]),
            Node(name: "branch", opType: "If", inputs: ["cond"], outputs: ["u"],
                 attributes: ["then_branch": .graph(then), "else_branch": .graph(otherwise)]),
            Node(name: "sigmoid", opType: "Sigmoid", inputs: ["u"], outputs: ["y"]),
        ], inputs: [input("x", [.symbol("n"), .fixed(4)])], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["two": Tensor(scalar: Int64(2))]), opsets: ["": 17])

        // Dynamic batch: the outer condition (rank 2) folds, the nested one (batch 3) does not.
        let (dynamic, _) = try PassPipeline.standard(fuseActivations: false).run(model)
        #expect(dynamic.graph.nodes.filter { $0.opType == "If" }.count == 1)
        let (fixed, _) = try PassPipeline([FixInputShapes(["x": [3, 4]])] + PassPipeline.standard(fuseActivations: false).passes).run(model)
        #expect(!fixed.graph.nodes.contains { $0.opType == "If" })
        #expect(fixed.graph.nodes.contains { $0.opType == "Neg" } && !fixed.graph.nodes.contains { $0.opType == "Abs" })
        let feeds = ["x": floats([3, 4], seed: 9)]
        #expect(try ModelComparison.mismatch(original: model, rewritten: fixed, feeds: feeds, rtol: 0, atol: 0) == nil)
        #expect(try ModelComparison.mismatch(original: model, rewritten: dynamic, feeds: feeds, rtol: 0, atol: 0) == nil)
    }
}
