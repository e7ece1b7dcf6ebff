import FerryIR
import FerryPasses
import FerryRuntime
import FerryTestSupport
import ONNXOpsets
import Testing

/// Small graphs converted between opsets: each signature change is rewritten in both
/// directions, the outputs stay what the reference core computed at the source opset, and a
/// node an opset cannot express is refused by name.
@Suite struct OpsetConversionTests {
    func floats(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(g.unit() * 2 - 1) })
    }

    func input(_ name: String, _ shape: [Int], _ type: DataType = .float32) -> ValueInfo {
        ValueInfo(name: name, type: ValueType(dataType: type, shape: shape.map { .fixed($0) }))
    }

    func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [String], initializers: [String: Tensor] = [:], opset: Int) -> Model {
        Model(graph: Graph(nodes: nodes, inputs: inputs, outputs: outputs.map { ValueInfo(name: $0, type: nil) }, initializers: initializers),
              opsets: ["": opset])
    }

    /// Converts and checks outputs against the source on seeded random inputs.
    @discardableResult
    func convert(_ source: Model, to opset: Int, _ comment: Comment? = nil) throws -> Model {
        let (converted, _) = try PassPipeline([try ConvertOpset(target: opset), DeadCodeElimination()]).run(source)
        #expect(converted.opset == opset)
        #expect(converted.irVersion == ONNXSchemas.irVersionForOpset[opset])
        let feeds = ModelComparison.randomFeeds(for: source)
        #expect(try ModelComparison.mismatch(original: source, rewritten: converted, feeds: feeds, rtol: 1e-6, atol: 1e-6) == nil, comment)
        return converted
    }

    func refusal(_ source: Model, to opset: Int) -> String? {
        do {
            _ = try ConvertOpset(target: opset).apply(to: source)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func softmaxOnAMiddleAxisIsWrappedGoingDown() throws {
        for op in ["Softmax", "LogSoftmax", "Hardmax"] {
            let source = model([Node(name: "sm", opType: op, inputs: ["x"], outputs: ["y"], attributes: ["axis": .int(1)])],
                               inputs: [input("x", [2, 3, 4])], outputs: ["y"], opset: 13)
            let down = try convert(source, to: 11, "\(op)")
            #expect(down.graph.nodes.map(\.opType) == ["Transpose", op, "Transpose"], "\(op)")
            #expect(down.graph.nodes[1].attributes["axis"].flatMap { if case .int(let a) = $0 { a } else { nil } } == 2)
            // And back up: the axis is already last, so only the attribute is spelled out.
            let up = try convert(down, to: 13, "\(op) up")
            #expect(up.graph.nodes.map(\.opType) == ["Transpose", op, "Transpose"])
        }
    }

    @Test func softmaxBeforeOpset13FlattensWhenUpgraded() throws {
        // Opset 11: axis 1 of a rank-3 input normalizes over dims 1 and 2 together.
        let source = model([Node(name: "sm", opType: "Softmax", inputs: ["x"], outputs: ["y"])],
                           inputs: [input("x", [2, 3, 4])], outputs: ["y"], opset: 11)
        let up = try convert(source, to: 17)
        #expect(up.graph.nodes.map(\.opType).sorted() == ["Flatten", "Reshape", "Shape", "Softmax"])
        // On the last axis the two meanings agree: no extra nodes.
        let last = model([Node(name: "sm", opType: "Softmax", inputs: ["x"], outputs: ["y"], attributes: ["axis": .int(-1)])],
                         inputs: [input("x", [2, 3, 4])], outputs: ["y"], opset: 11)
        #expect(try convert(last, to: 13).graph.nodes.map(\.opType) == ["Softmax"])
    }

    @Test func axesMoveBetweenAttributeAndInput() throws {
        let axes = Tensor(shape: [1], values: [Int64(1)])
        let source = model([
            Node(name: "unsq", opType: "Unsqueeze", inputs: ["x", "axes"], outputs: ["u"]),
            Node(name: "sq", opType: "Squeeze", inputs: ["u", "axes"], outputs: ["s"]),
            Node(name: "sum", opType: "ReduceSum", inputs: ["s", "sum_axes"], outputs: ["r"], attributes: ["keepdims": .int(0)]),
            Node(name: "split", opType: "Split", inputs: ["x", "sizes"], outputs: ["a", "b"], attributes: ["axis": .int(1)]),
        ], inputs: [input("x", [3, 5])], outputs: ["r", "a", "b"],
           initializers: ["axes": axes, "sum_axes": Tensor(shape: [1], values: [Int64(0)]), "sizes": Tensor(shape: [2], values: [Int64(2), Int64(3)])],
           opset: 13)
        let down = try convert(source, to: 11)
        for node in down.graph.nodes {
            #expect(node.inputs.count == 1, "\(node.opType) keeps only its data input at opset 11")
        }
        #expect(down.graph.initializers.isEmpty, "the constant inputs became attributes")
        let up = try convert(down, to: 21)
        #expect(up.graph.nodes.allSatisfy { $0.inputs.count == 2 })
    }

    @Test func reductionsTakeAxesAsAnInputFrom18() throws {
        let source = model([Node(name: "mean", opType: "ReduceMean", inputs: ["x"], outputs: ["y"], attributes: ["axes": .ints([2, 3])])],
                           inputs: [input("x", [1, 4, 3, 3])], outputs: ["y"], opset: 17)
        let up = try convert(source, to: 18)
        #expect(up.graph.nodes[0].inputs.count == 2 && up.graph.nodes[0].attributes["axes"] == nil)
        let down = try convert(up, to: 13)
        #expect(down.graph.nodes[0].inputs == ["x"])
        // noop_with_empty_axes=1 and no axes returns the input; opset 17 has no way to say so.
        let noop = model([Node(name: "noop", opType: "ReduceMax", inputs: ["x"], outputs: ["y"], attributes: ["noop_with_empty_axes": .int(1)])],
                         inputs: [input("x", [2, 2])], outputs: ["y"], opset: 18)
        #expect(refusal(noop, to: 17)?.contains("node 'noop' (ReduceMax)") == true)
    }

    @Test func clipAndPadAttributesBecomeInputsAt11() throws {
        let source = model([
            Node(name: "pad", opType: "Pad", inputs: ["x"], outputs: ["p"], attributes: ["pads": .ints([0, 1, 0, 2]), "value": .float(0.5)]),
            Node(name: "clip", opType: "Clip", inputs: ["p"], outputs: ["y"], attributes: ["min": .float(-0.25), "max": .float(0.75)]),
        ], inputs: [input("x", [2, 3])], outputs: ["y"], opset: 10)
        let up = try convert(source, to: 11)
        #expect(up.graph.nodes.map { $0.inputs.count } == [3, 3])
        #expect(up.graph.nodes.allSatisfy { $0.attributes["min"] == nil && $0.attributes["pads"] == nil })
    }

    @Test func resizeDowngradeFillsTheInputsOpset11Requires() throws {
        let source = model([Node(name: "resize", opType: "Resize", inputs: ["x", "", "scales"], outputs: ["y"], attributes: ["mode": .string("nearest")])],
                           inputs: [input("x", [1, 1, 2, 2])], outputs: ["y"],
                           initializers: ["scales": Tensor(shape: [4], values: [Float(1), 1, 2, 2])], opset: 19)
        let down = try convert(source, to: 11)
        #expect(down.graph.nodes[0].inputs.count == 3 && down.graph.nodes[0].inputs.allSatisfy { !$0.isEmpty })
    }

    @Test func nodesAnOpsetCannotExpressAreRefusedByName() throws {
        let gelu = model([Node(name: "gelu", opType: "Gelu", inputs: ["x"], outputs: ["y"])], inputs: [input("x", [2, 4])], outputs: ["y"], opset: 20)
        let message = try #require(refusal(gelu, to: 17))
        #expect(message.contains("node 'gelu' (Gelu)") && message.contains("needs opset 20"), "\(message)")
        // LayerNormalization is spelled out below 17, but not its Mean output.
        let layerNorm = model([Node(name: "ln", opType: "LayerNormalization", inputs: ["x", "g"], outputs: ["y", "mean"])],
                              inputs: [input("x", [2, 4])], outputs: ["y", "mean"], initializers: ["g": floats([4], seed: 1)], opset: 17)
        let lnMessage = try #require(refusal(layerNorm, to: 13))
        #expect(lnMessage.contains("node 'ln' (LayerNormalization)") && lnMessage.contains("opset 17"), "\(lnMessage)")

        let perChannel = model([Node(name: "dq", opType: "DequantizeLinear", inputs: ["q", "s", "z"], outputs: ["y"], attributes: ["axis": .int(0)])],
                               inputs: [input("q", [3, 2], .int8)], outputs: ["y"],
                               initializers: ["s": Tensor(shape: [3], values: [Float(0.1), 0.2, 0.3]), "z": Tensor(shape: [3], values: [Int8(0), 0, 0])], opset: 13)
        let perChannelMessage = try #require(refusal(perChannel, to: 12))
        #expect(perChannelMessage.contains("node 'dq' (DequantizeLinear)") && perChannelMessage.contains("opset 13"), "\(perChannelMessage)")

        // Relu on int8 arrived in Relu-14.
        let intRelu = model([Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"])], inputs: [input("x", [4], .int8)], outputs: ["y"], opset: 14)
        let typeMessage = try #require(refusal(intRelu, to: 13))
        #expect(typeMessage.contains("node 'relu' (Relu)") && typeMessage.contains("int8") && typeMessage.contains("needs opset 14"), "\(typeMessage)")

        // Axes computed at run time cannot become an attribute.
        let computed = model([
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "axes", opType: "Slice", inputs: ["s", "zero", "one"], outputs: ["a"]),
            Node(name: "unsq", opType: "Unsqueeze", inputs: ["x", "a"], outputs: ["y"]),
        ], inputs: [input("x", [1, 2])], outputs: ["y"],
           initializers: ["zero": Tensor(shape: [1], values: [Int64(0)]), "one": Tensor(shape: [1], values: [Int64(1)])], opset: 13)
        let computedMessage = try #require(refusal(computed, to: 11))
        #expect(computedMessage.contains("node 'unsq' (Unsqueeze)") && computedMessage.contains("'a'"), "\(computedMessage)")

        #expect(throws: OpsetError.self) { try ConvertOpset(target: 10) }
    }

    @Test func neutralAttributesAreDroppedGoingDown() throws {
        let source = model([Node(name: "reshape", opType: "Reshape", inputs: ["x", "shape"], outputs: ["y"], attributes: ["allowzero": .int(0)])],
                           inputs: [input("x", [2, 3])], outputs: ["y"], initializers: ["shape": Tensor(shape: [1], values: [Int64(6)])], opset: 14)
        #expect(try convert(source, to: 13).graph.nodes[0].attributes["allowzero"] == nil)
        // allowzero=1 is moot for a constant shape without a 0, and kept (refused) for a computed one.
        var constantShape = source
        constantShape.graph.nodes[0].attributes["allowzero"] = .int(1)
        #expect(try convert(constantShape, to: 13).graph.nodes[0].attributes["allowzero"] == nil)
        let computed = model([
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "reshape", opType: "Reshape", inputs: ["x", "s"], outputs: ["y"], attributes: ["allowzero": .int(1)]),
        ], inputs: [input("x", [2, 3])], outputs: ["y"], opset: 14)
        #expect(refusal(computed, to: 13)?.contains("attribute 'allowzero'") == true)
    }

    @Test func hardSwishAndLayerNormalizationAreSpelledOutBelowTheirOpsets() throws {
        var g = SplitMix64(seed: 9)
        let scale = Tensor(shape: [8], values: (0..<8).map { _ in Float(0.5 + g.unit()) })
        let source = model([
            Node(name: "ln", opType: "LayerNormalization", inputs: ["x", "scale", "bias"], outputs: ["n"], attributes: ["epsilon": .float(1e-3)]),
            Node(name: "hs", opType: "HardSwish", inputs: ["n"], outputs: ["y"]),
        ], inputs: [input("x", [2, 3, 8])], outputs: ["y"], initializers: ["scale": scale, "bias": floats([8], seed: 4)], opset: 17)
        let (down, _) = try PassPipeline([try ConvertOpset(target: 13)]).run(source)
        #expect(!down.graph.nodes.contains { $0.opType == "LayerNormalization" || $0.opType == "HardSwish" })
        let feeds = ModelComparison.randomFeeds(for: source)
        #expect(try ModelComparison.mismatch(original: source, rewritten: down, feeds: feeds, rtol: 1e-5, atol: 1e-5) == nil)
    }
}
