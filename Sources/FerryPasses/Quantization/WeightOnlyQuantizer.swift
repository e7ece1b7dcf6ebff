import FerryIR

/// Weight-only quantization: float16 constants behind a Cast (`fp16`), or int8 per-channel
/// weights of Conv, Gemm and MatMul behind a DequantizeLinear (`dynamic`, which TFLite runs as
/// dynamic-range quantization). Activations stay float.
public struct WeightOnlyQuantizer: GraphPass {
    public let name = "quantize-weights"
    /// Every weight it converts gets a Cast or DequantizeLinear node; a model without one was
    /// left as it was.
    public func preservesValues(from before: Model, to after: Model) -> Bool {
        before.graph.nodes.count == after.graph.nodes.count
    }
    public var mode: QuantizationMode
    public var keepFloat: Set<String>
    /// Constants smaller than this stay float32 (scalars, shapes, clip bounds).
    public var minimumElements: Int
    /// `dynamic` only: also quantize Gather tables (embeddings, per row), for targets that
    /// dequantize constants once at load (ONNX Runtime); targets that map ops to their own int8
    /// kernels leave this off.
    public var embeddings = false
    /// `dynamic` only: also quantize the W and R weights of LSTM, GRU and RNN (per gate row).
    public var recurrent = false
    /// Leave Conv, Gemm and MatMul alone: only the embeddings and recurrent weights asked for
    /// (for the weights a QDQ quantizer leaves float).
    public var skipsLayerWeights = false

    public init(mode: QuantizationMode, keepFloat: Set<String> = [], minimumElements: Int = 16) {
        self.mode = mode
        self.keepFloat = keepFloat
        self.minimumElements = minimumElements
    }

    public func apply(to model: Model) throws -> Model {
        var graph = model.graph
        var taken = Set<String>()
        switch mode {
        case .fp16:
            let readers = graph.consumers()
            for name in graph.initializerOrder {
                guard let tensor = graph.initializers[name], tensor.dataType == .float32, tensor.count >= minimumElements,
                      let users = readers[name], users.allSatisfy({ !isKept(graph.nodes[$0]) && graph.nodes[$0].opType != "DequantizeLinear" }) else { continue }
                let half = graph.freshName(name + "_fp16", avoiding: &taken)
                graph.setInitializer(half, Tensor(shape: tensor.shape, values: tensor.elements(as: Float.self).map { Float16($0) }))
                graph.initializers[name] = nil
                graph.initializerOrder.removeAll { $0 == name }
                graph.inputs.removeAll { $0.name == name }
                graph.nodes.insert(Node(name: name + "/Cast", opType: "Cast", inputs: [half], outputs: [name],
                                        attributes: ["to": .int(Int(DataType.float32.rawValue))]), at: 0)
            }
        case .dynamic:
            var done = Set<String>()
            for node in graph.nodes where node.domain.isEmpty && !isKept(node) {
                for (w, axis) in weightInputs(node) {
                    guard let weightName = node.input(w),
                          let weight = graph.initializers[weightName], weight.dataType == .float32, weight.rank >= 2,
                          weight.count >= minimumElements, !done.contains(weightName) else { continue }
                    if node.opType == "MatMul" && weight.rank != 2 { continue }
                    done.insert(weightName)
                    let axis = axis ?? QuantizationTrait.weightAxis(node, weight: weight)
                    let (q, scales) = try WeightQuantizer.perChannel(weight, axis: axis, name: weightName)
                    let qName = graph.freshName(weightName + "_quantized", avoiding: &taken)
                    let sName = graph.freshName(weightName + "_scale", avoiding: &taken)
                    let zName = graph.freshName(weightName + "_zero_point", avoiding: &taken)
                    graph.setInitializer(qName, q)
                    graph.setInitializer(sName, Tensor(shape: [scales.count], values: scales))
                    graph.setInitializer(zName, Tensor(shape: [scales.count], values: [Int8](repeating: 0, count: scales.count)))
                    graph.initializers[weightName] = nil
                    graph.initializerOrder.removeAll { $0 == weightName }
                    graph.inputs.removeAll { $0.name == weightName }
                    graph.nodes.insert(Node(name: weightName + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [qName, sName, zName],
                                            outputs: [weightName], attributes: ["axis": .int(axis)]), at: 0)
                }
            }
        default:
            return model
        }
        try graph.sortAndVerify()
        var result = model
        result.graph = graph
        return result
    }

    /// The nodes whose weights this pass converts, in graph order: the layers a mixed-precision
    /// search can keep in float (by node name, through `keepFloat`).
    public func layerNodes(_ graph: Graph) -> [Node] {
        graph.nodes.filter { node in
            guard !isKept(node) else { return false }
            switch mode {
            case .fp16:
                return node.opType != "DequantizeLinear" && node.inputs.contains { name in
                    guard let tensor = graph.initializers[name] else { return false }
                    return tensor.dataType == .float32 && tensor.count >= minimumElements
                }
            case .dynamic:
                guard node.domain.isEmpty else { return false }
                return weightInputs(node).contains { w, _ in
                    guard let name = node.input(w), let weight = graph.initializers[name], weight.dataType == .float32,
                          weight.rank >= 2, weight.count >= minimumElements else { return false }
                    return node.opType != "MatMul" || weight.rank == 2
                }
            default:
                return false
            }
        }
    }

    /// The weight inputs of a node to quantize, with their channel axis (nil: the op's usual one).
    private func weightInputs(_ node: Node) -> [(index: Int, axis: Int?)] {
        if case .weighted(let w, _)? = QuantizationTrait.table[node.opType] { return skipsLayerWeights ? [] : [(w, nil)] }
        switch node.opType {
        case "Gather" where embeddings: return [(0, 0)]
        case "LSTM" where recurrent, "GRU" where recurrent, "RNN" where recurrent: return [(1, 1), (2, 1)]
        default: return []
        }
    }

    private func isKept(_ node: Node) -> Bool {
        keepFloat.contains(node.name) || node.outputs.contains(where: keepFloat.contains)
    }
}
