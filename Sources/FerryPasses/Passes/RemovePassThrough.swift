import FerryIR

/// Removes nodes that pass their input through unchanged at inference: Identity, and Dropout
/// whose mask nobody reads (Dropout is the identity outside training).
public struct RemovePassThrough: GraphPass {
    public let name = "remove-pass-through"
    /// Exact: Identity and an inference-time Dropout pass their input through.
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }
    public init() {}

    public func apply(to model: Model) throws -> Model {
        var result = model
        result.graph = removePassThrough(in: model.graph)
        return result
    }

    func removePassThrough(in input: Graph) -> Graph {
        var graph = input
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            guard let source = passThroughSource(node, in: graph), let output = node.outputs.first else {
                index += 1
                continue
            }
            if !graph.isInterface(output) {
                graph.nodes.remove(at: index)
                graph.replaceUses(of: output, with: source)
            } else if !graph.isInterface(source) && graph.initializers[source] == nil {
                // The output is public: the producer of `source` takes over its name.
                graph.nodes.remove(at: index)
                graph.rename(source, to: output)
            } else {
                index += 1
            }
        }
        return graph
    }

    private func passThroughSource(_ node: Node, in graph: Graph) -> String? {
        guard node.domain.isEmpty || node.domain == "ai.onnx", let source = node.input(0) else { return nil }
        switch node.opType {
        case "Identity":
            return node.outputs.count == 1 ? source : nil
        case "Dropout":
            // A mask output that is read, or training_mode that may be true, keeps the node.
            if node.outputs.count > 1, !node.outputs[1].isEmpty,
               graph.consumers()[node.outputs[1]] != nil || graph.isInterface(node.outputs[1]) { return nil }
            if let mode = node.input(2) {
                guard let flag = graph.initializers[mode], flag.dataType == .bool,
                      flag.elements(as: Bool.self) == [false] else { return nil }
            }
            return source
        default:
            return nil
        }
    }
}
