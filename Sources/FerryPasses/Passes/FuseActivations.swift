import FerryIR

/// Fuses an activation into the Conv or Gemm that produces its input, as ONNX Runtime's
/// `com.microsoft` FusedConv/FusedGemm: Relu, Clip with constant bounds (Relu6), LeakyRelu,
/// Sigmoid, Tanh, HardSigmoid. The producer's output must have no other reader.
public struct FuseActivations: GraphPass {
    public let name = "fuse-activations"
    public static let domain = "com.microsoft"
    public init() {}

    public func apply(to model: Model) throws -> Model {
        var graph = model.graph
        var changed = true
        while changed {
            changed = false
            let consumers = graph.consumers()
            let producers = graph.producers()
            for (index, node) in graph.nodes.enumerated() where node.domain.isEmpty {
                guard let source = node.input(0), let producerIndex = producers[source],
                      consumers[source]?.count == 1, !graph.isInterface(source),
                      let (activation, parameters) = activation(of: node, graph: graph, opset: model.opset) else { continue }
                var producer = graph.nodes[producerIndex]
                guard producer.domain.isEmpty, producer.outputs.count == 1,
                      producer.opType == "Conv" || producer.opType == "Gemm",
                      graph.constant(producer.input(1))?.dataType == .float32 else { continue }
                producer.domain = Self.domain
                producer.opType = "Fused" + producer.opType
                producer.attributes["activation"] = .string(activation)
                if producer.opType == "FusedConv" {
                    if !parameters.isEmpty { producer.attributes["activation_params"] = .floats(parameters) }
                } else {
                    if parameters.count > 0 { producer.attributes["activation_alpha"] = .float(parameters[0]) }
                    if parameters.count > 1 { producer.attributes["activation_beta"] = .float(parameters[1]) }
                }
                graph.nodes[producerIndex] = producer
                let output = node.outputs[0]
                graph.nodes.remove(at: index)
                graph.rename(source, to: output)
                changed = true
                break
            }
        }
        var result = model
        result.graph = graph
        if graph.nodes.contains(where: { $0.domain == Self.domain }) { result.opsets[Self.domain] = 1 }
        return result
    }

    private func activation(of node: Node, graph: Graph, opset: Int) -> (String, [Float])? {
        guard node.outputs.count == 1 else { return nil }
        func float(_ key: String, _ fallback: Float) -> Float {
            if case .float(let v)? = node.attributes[key] { return v }
            return fallback
        }
        switch node.opType {
        case "Relu", "Sigmoid", "Tanh":
            return (node.opType, [])
        case "LeakyRelu":
            return ("LeakyRelu", [float("alpha", 0.01)])
        case "HardSigmoid":
            return ("HardSigmoid", [float("alpha", 0.2), float("beta", 0.5)])
        case "Clip":
            if opset < 11 { return ("Clip", [float("min", -.infinity), float("max", .infinity)]) }
            func bound(_ index: Int, _ fallback: Float) -> Float? {
                guard let name = node.input(index) else { return fallback }
                guard let t = graph.constant(name), t.dataType == .float32, t.count == 1 else { return nil }
                return t.elements(as: Float.self)[0]
            }
            guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity) else { return nil }
            return ("Clip", [lo, hi])
        default:
            return nil
        }
    }
}
