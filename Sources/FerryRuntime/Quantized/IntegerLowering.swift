import FerryIR

/// Rewrites a QDQ graph into the integer ops TFLite runs: a float op whose inputs come from
/// DequantizeLinear and whose output (after an optional Relu/Clip) goes to one QuantizeLinear
/// becomes one integer op reading the quantized inputs and writing the quantized output. Ops
/// that keep their input's scale run directly on the int8 values. What has no integer form
/// stays as written (dequantize, float op, quantize).
///
/// This is how the reference core computes "what the device will compute" for int8 models.
public enum IntegerLowering {
    static let keepsScale: Set<String> = [
        "MaxPool", "GlobalMaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
        "DepthToSpace", "SpaceToDepth", "Slice", "Gather",
    ]

    public static func lower(_ graph: Graph, rounding: IntegerRounding) throws -> Graph {
        var rewriter = Rewriter(graph: graph, rounding: rounding)
        try rewriter.run()
        return rewriter.graph
    }
}

/// A DequantizeLinear feeding a value: its quantized source and parameters.
struct DequantizedSource {
    let name: String
    let type: DataType
    let scales: [Float]
    let zeroPoints: [Int]
    let axis: Int
    let constant: Tensor?
    var isPerTensor: Bool { scales.count == 1 }
}

/// The QuantizeLinear that takes a float op's result, with the activation between them.
struct QuantizedSink {
    let output: String
    let scale: Float
    let zeroPoint: Int
    let removed: [Int]           // the activation and QuantizeLinear nodes
    let activation: (lo: Float, hi: Float)?
    let type: DataType           // int8, or int16 (16×8)
}

extension DataType {
    /// The activation types the integer kernels run: int8, and int16 for 16×8.
    var isIntegerActivation: Bool { self == .int8 || self == .int16 }
}

extension Node {
    /// QuantizeLinear/DequantizeLinear of the default domain or ONNX Runtime's com.microsoft
    /// (which carries 16-bit types below opset 21).
    func isLinearQuantization(_ opType: String) -> Bool {
        self.opType == opType && (domain.isEmpty || domain == "ai.onnx" || domain == "com.microsoft")
    }
}

private struct Rewriter {
    var graph: Graph
    let rounding: IntegerRounding
    var producers: [String: Int] = [:]
    var consumers: [String: [Int]] = [:]

    init(graph: Graph, rounding: IntegerRounding) {
        self.graph = graph
        self.rounding = rounding
    }

    mutating func refresh() {
        producers = graph.producers()
        consumers = graph.consumers()
    }

    func isInterface(_ name: String) -> Bool { graph.isInterface(name) }

    func scalars(_ name: String?) -> [Float]? {
        guard let name, let t = graph.initializers[name], t.dataType == .float32 else { return nil }
        return t.elements(as: Float.self)
    }

    func dequantized(_ name: String?) -> DequantizedSource? {
        guard let name, let index = producers[name] else { return nil }
        let node = graph.nodes[index]
        guard node.isLinearQuantization("DequantizeLinear"), let source = node.input(0),
              let scales = scalars(node.input(1)) else { return nil }
        var zeros = [Int](repeating: 0, count: scales.count)
        var type = graph.initializers[source]?.dataType
        if let zpName = node.input(2) {
            guard let zp = graph.initializers[zpName], zp.count == scales.count else { return nil }
            zeros = zp.integers()
            type = zp.dataType
        }
        if node.attributes["block_size"] != nil { return nil }
        var axis = 1
        if case .int(let a)? = node.attributes["axis"] { axis = a }
        guard let type else { return nil }
        return DequantizedSource(name: source, type: type, scales: scales, zeroPoints: zeros, axis: axis, constant: graph.initializers[source])
    }

    /// The QuantizeLinear (int8 or int16, per tensor) that alone reads `name`, possibly through one Relu/Clip.
    func sink(_ name: String) -> QuantizedSink? {
        guard !isInterface(name), let readers = consumers[name], readers.count == 1 else { return nil }
        var index = readers[0]
        var removed: [Int] = []
        var activation: (Float, Float)?
        let first = graph.nodes[index]
        if first.domain.isEmpty && (first.opType == "Relu" || first.opType == "Clip") {
            if first.opType == "Relu" {
                activation = (0, .infinity)
            } else {
                let lo = first.input(1).map { scalars($0)?.first } ?? -Float.infinity
                let hi = first.input(2).map { scalars($0)?.first } ?? Float.infinity
                guard let lo, let hi, first.attributes.isEmpty else { return nil }
                activation = (lo, hi)
            }
            removed.append(index)
            let out = first.outputs[0]
            guard !isInterface(out), let next = consumers[out], next.count == 1 else { return nil }
            index = next[0]
        }
        let q = graph.nodes[index]
        guard q.isLinearQuantization("QuantizeLinear"), q.attributes.isEmpty || q.attributes["axis"] != nil && q.attributes.count == 1,
              let scale = scalars(q.input(1)), scale.count == 1,
              let zpName = q.input(2), let zp = graph.initializers[zpName], zp.count == 1, zp.dataType.isIntegerActivation else { return nil }
        removed.append(index)
        return QuantizedSink(output: q.outputs[0], scale: scale[0], zeroPoint: zp.integers()[0], removed: removed, activation: activation,
                             type: zp.dataType)
    }

    func activationRange(_ sink: QuantizedSink) -> (Int, Int) {
        let (qmin, qmax) = sink.type == .int16 ? (-32768, 32767) : (-128, 127)
        guard let (lo, hi) = sink.activation else { return (qmin, qmax) }
        func quantize(_ f: Float) -> Int {
            let q = (Double(f) / Double(sink.scale)).rounded(.toNearestOrAwayFromZero)
            return Int(max(min(q, 1e9), -1e9)) + sink.zeroPoint
        }
        let qlo = lo.isFinite ? max(qmin, quantize(lo)) : qmin
        let qhi = hi.isFinite ? min(qmax, quantize(hi)) : qmax
        return (qlo, qhi)
    }

    /// One pass in graph order: a replacement takes the place of the node it lowers (its sink
    /// nodes come after it), so nodes before it keep their indices and the scan goes on from
    /// there; the graph is sorted once at the end.
    mutating func run() throws {
        refresh()
        var index = 0
        while index < graph.nodes.count {
            if let replacement = lowered(index) {
                apply(replacement)
                refresh()
            }
            index += 1
        }
        try graph.sortAndVerify()
        removeDeadNodes()
    }

    struct Replacement {
        var node: Node
        var removed: [Int]
        var constants: [String: Tensor] = [:]
    }

    mutating func apply(_ r: Replacement) {
        for (name, tensor) in r.constants { graph.setInitializer(name, tensor) }
        let first = r.removed.min()!
        for index in r.removed.sorted(by: >) { graph.nodes.remove(at: index) }
        graph.nodes.insert(r.node, at: min(first, graph.nodes.count))
    }

    mutating func removeDeadNodes() {
        var changed = true
        while changed {
            changed = false
            refresh()
            let outputs = Set(graph.outputs.map(\.name))
            for index in graph.nodes.indices.reversed() {
                let node = graph.nodes[index]
                guard node.isLinearQuantization("DequantizeLinear") || node.isLinearQuantization("QuantizeLinear") else { continue }
                if node.outputs.allSatisfy({ consumers[$0] == nil && !outputs.contains($0) }) {
                    graph.nodes.remove(at: index)
                    changed = true
                }
            }
        }
        // `consumers` also counts what subgraphs read (an If branch's LSTM weights).
        let used = Set(graph.nodes.flatMap(\.inputs)).union(consumers.keys).union(graph.outputs.map(\.name))
        for name in graph.initializerOrder where !used.contains(name) && !graph.inputs.contains(where: { $0.name == name }) {
            graph.initializers[name] = nil
        }
        graph.initializerOrder.removeAll { graph.initializers[$0] == nil }
    }

    func common(_ node: Node, _ sink: QuantizedSink, _ x: DequantizedSource) -> [String: Attribute] {
        let (lo, hi) = activationRange(sink)
        return [
            "x_scale": .float(x.scales[0]), "x_zero_point": .int(x.zeroPoints[0]),
            "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint),
            "activation_min": .int(lo), "activation_max": .int(hi), "rounding": .string(rounding.rawValue),
        ]
    }

    func lowered(_ index: Int) -> Replacement? {
        let node = graph.nodes[index]
        guard node.domain.isEmpty, let output = node.outputs.first else { return nil }
        switch node.opType {
        case "Conv":
            guard let x = dequantized(node.input(0)), x.type.isIntegerActivation, x.isPerTensor,
                  let w = dequantized(node.input(1)), let weight = w.constant, weight.dataType == .int8, weight.rank == 4,
                  w.zeroPoints.allSatisfy({ $0 == 0 }), w.isPerTensor || w.axis == 0,
                  let sink = sink(output), sink.type == x.type else { return nil }
            var inputs = [x.name, w.name]
            if let biasName = node.input(2) {
                guard let b = dequantized(biasName), b.type == .int32 || (x.type == .int16 && b.type == .int64), b.constant != nil else { return nil }
                inputs.append(b.name)
            }
            var attributes = common(node, sink, x)
            for key in ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"] { if let v = node.attributes[key] { attributes[key] = v } }
            attributes["w_scales"] = .floats(w.scales)
            return Replacement(node: Node(name: node.name, opType: "IntegerConv", domain: "ai.ferry", inputs: inputs, outputs: [sink.output],
                                          attributes: attributes), removed: [index] + sink.removed)
        case "Gemm", "MatMul":
            var transB = false
            if node.opType == "Gemm" {
                for (key, value) in node.attributes {
                    switch (key, value) {
                    case ("alpha", .float(1)), ("beta", .float(1)), ("transA", .int(0)): continue
                    case ("transB", .int(let t)): transB = t != 0
                    default: return nil
                    }
                }
            }
            guard let x = dequantized(node.input(0)), x.type.isIntegerActivation, x.isPerTensor,
                  let w = dequantized(node.input(1)), let weight = w.constant, weight.dataType == .int8, weight.rank == 2,
                  w.zeroPoints.allSatisfy({ $0 == 0 }), w.isPerTensor || w.axis == (transB ? 0 : 1),
                  let sink = sink(output), sink.type == x.type else { return nil }
            var constants: [String: Tensor] = [:]
            var weightName = w.name
            if !transB {
                // TFLite's FullyConnected holds one weight row per output.
                weightName = w.name + "_rows"
                constants[weightName] = weight.transposed([1, 0])
            }
            var inputs = [x.name, weightName]
            if node.opType == "Gemm", let biasName = node.input(2) {
                guard let b = dequantized(biasName), b.type == .int32 || (x.type == .int16 && b.type == .int64), let bias = b.constant,
                      bias.count == weight.shape[transB ? 0 : 1] else { return nil }
                inputs.append(b.name)
            }
            var attributes = common(node, sink, x)
            attributes["w_scales"] = .floats(w.scales)
            return Replacement(node: Node(name: node.name, opType: "IntegerFullyConnected", domain: "ai.ferry", inputs: inputs,
                                          outputs: [sink.output], attributes: attributes),
                               removed: [index] + sink.removed, constants: constants)
        case "Add", "Sub", "Mul":
            guard let a = dequantized(node.input(0)), a.type.isIntegerActivation, a.isPerTensor,
                  let b = dequantized(node.input(1)), b.type == a.type, b.isPerTensor,
                  let sink = sink(output), sink.type == a.type else { return nil }
            let (lo, hi) = activationRange(sink)
            let attributes: [String: Attribute] = [
                "a_scale": .float(a.scales[0]), "a_zero_point": .int(a.zeroPoints[0]),
                "b_scale": .float(b.scales[0]), "b_zero_point": .int(b.zeroPoints[0]),
                "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint),
                "activation_min": .int(lo), "activation_max": .int(hi), "rounding": .string(rounding.rawValue),
            ]
            return Replacement(node: Node(name: node.name, opType: "Integer" + node.opType, domain: "ai.ferry", inputs: [a.name, b.name],
                                          outputs: [sink.output], attributes: attributes), removed: [index] + sink.removed)
        case "AveragePool":
            guard let x = dequantized(node.input(0)), x.type.isIntegerActivation, x.isPerTensor,
                  let sink = sink(output), sink.type == x.type, sink.scale == x.scales[0], sink.zeroPoint == x.zeroPoints[0] else { return nil }
            if case .int(let include)? = node.attributes["count_include_pad"], include != 0 { return nil }
            var attributes: [String: Attribute] = [:]
            for (key, value) in node.attributes where key != "count_include_pad" { attributes[key] = value }
            let (lo, hi) = activationRange(sink)
            attributes["activation_min"] = .int(lo)
            attributes["activation_max"] = .int(hi)
            return Replacement(node: Node(name: node.name, opType: "IntegerAveragePool", domain: "ai.ferry", inputs: [x.name],
                                          outputs: [sink.output], attributes: attributes), removed: [index] + sink.removed)
        case "HardSwish":
            guard let x = dequantized(node.input(0)), x.type == .int8, x.isPerTensor, let sink = sink(output), sink.type == .int8,
                  sink.activation == nil else { return nil }
            return Replacement(node: Node(name: node.name, opType: "IntegerHardSwish", domain: "ai.ferry", inputs: [x.name], outputs: [sink.output],
                                          attributes: ["x_scale": .float(x.scales[0]), "x_zero_point": .int(x.zeroPoints[0]),
                                                       "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint)]),
                               removed: [index] + sink.removed)
        case "Softmax" where dequantized(node.input(0))?.type == .int8:
            // TFLite's int8 SOFTMAX (float32 table of exponentials), over the last axis.
            guard let x = dequantized(node.input(0)), x.isPerTensor, let sink = sink(output), sink.type == .int8,
                  sink.activation == nil, case .int(-1)? = node.attributes["axis"] else { return nil }
            return Replacement(node: Node(name: node.name, opType: "IntegerSoftmax", domain: "ai.ferry", inputs: [x.name], outputs: [sink.output],
                                          attributes: ["x_scale": .float(x.scales[0]), "x_zero_point": .int(x.zeroPoints[0]),
                                                       "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint),
                                                       "beta": .float(1)]),
                               removed: [index] + sink.removed)
        case "Sigmoid" where dequantized(node.input(0))?.type == .int8, "Tanh" where dequantized(node.input(0))?.type == .int8:
            // TFLite's int8 LOGISTIC/TANH: a table made in float32.
            guard let x = dequantized(node.input(0)), x.isPerTensor, let sink = sink(output), sink.type == .int8,
                  sink.activation == nil else { return nil }
            return Replacement(node: Node(name: node.name, opType: "IntegerLookupTable", domain: "ai.ferry", inputs: [x.name], outputs: [sink.output],
                                          attributes: ["x_scale": .float(x.scales[0]), "x_zero_point": .int(x.zeroPoints[0]),
                                                       "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint),
                                                       "function": .string(node.opType == "Sigmoid" ? "sigmoid" : "tanh")]),
                               removed: [index] + sink.removed)
        case "Softmax":
            // TFLite's int16 SOFTMAX.
            guard let x = dequantized(node.input(0)), x.type == .int16, x.isPerTensor, x.zeroPoints[0] == 0,
                  let sink = sink(output), sink.type == .int16, sink.activation == nil, sink.zeroPoint == 0,
                  sink.scale == 1.0 / 32768, case .int(-1)? = node.attributes["axis"] else { return nil }
            return Replacement(node: Node(name: node.name, opType: "IntegerSoftmax", domain: "ai.ferry", inputs: [x.name], outputs: [sink.output],
                                          attributes: ["x_scale": .float(x.scales[0]), "x_zero_point": .int(0)]),
                               removed: [index] + sink.removed)
        case "Sigmoid", "Tanh":
            // TFLite's int16 LOGISTIC/TANH.
            guard let x = dequantized(node.input(0)), x.type == .int16, x.isPerTensor, x.zeroPoints[0] == 0,
                  let sink = sink(output), sink.type == .int16, sink.activation == nil, sink.zeroPoint == 0,
                  sink.scale == 1.0 / 32768 else { return nil }
            return Replacement(node: Node(name: node.name, opType: node.opType == "Sigmoid" ? "IntegerSigmoid" : "IntegerTanh", domain: "ai.ferry",
                                          inputs: [x.name], outputs: [sink.output],
                                          attributes: ["x_scale": .float(x.scales[0]), "x_zero_point": .int(0)]),
                               removed: [index] + sink.removed)
        case "GlobalAveragePool", "ReduceMean":
            guard let x = dequantized(node.input(0)), x.type.isIntegerActivation, x.isPerTensor, let sink = sink(output), sink.type == x.type,
                  sink.activation == nil else { return nil }
            var attributes: [String: Attribute] = ["x_scale": .float(x.scales[0]), "x_zero_point": .int(x.zeroPoints[0]),
                                                   "y_scale": .float(sink.scale), "y_zero_point": .int(sink.zeroPoint),
                                                   "rounding": .string(rounding.rawValue)]
            if node.opType == "ReduceMean" {
                // Axes from the attribute (opset < 18) or a constant input; a mean over every
                // axis (no axes) stays as written.
                if let axesName = node.input(1) {
                    guard let axes = graph.initializers[axesName] else { return nil }
                    attributes["axes"] = .ints(axes.integers())
                } else if case .ints(let axes)? = node.attributes["axes"] {
                    attributes["axes"] = .ints(axes)
                } else {
                    return nil
                }
                if case .int(let noop)? = node.attributes["noop_with_empty_axes"], noop != 0 { return nil }
                if case .int(let keep)? = node.attributes["keepdims"] { attributes["keepdims"] = .int(keep) }
            }
            return Replacement(node: Node(name: node.name, opType: "IntegerMean", domain: "ai.ferry", inputs: [x.name], outputs: [sink.output],
                                          attributes: attributes),
                               removed: [index] + sink.removed)
        default:
            guard IntegerLowering.keepsScale.contains(node.opType), node.outputs.count == 1,
                  let x = dequantized(node.input(0)), x.type.isIntegerActivation, x.isPerTensor,
                  let sink = sink(output), sink.type == x.type, sink.activation == nil,
                  sink.scale == x.scales[0], sink.zeroPoint == x.zeroPoints[0] else { return nil }
            var moved = node
            moved.inputs[0] = x.name
            moved.outputs = [sink.output]
            return Replacement(node: moved, removed: [index] + sink.removed)
        }
    }
}
