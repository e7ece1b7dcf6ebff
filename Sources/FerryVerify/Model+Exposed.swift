import FerryIR
import FerryRuntime

extension Model {
    /// The model and session options that compute what `options` asks and also output every
    /// intermediate value. Integer arithmetic is lowered first: once every value is a graph
    /// output, the lowering must keep each one and would lower nothing.
    public func exposingIntermediates(for options: SessionOptions) throws -> (Model, SessionOptions) {
        var model = self, options = options
        if let rounding = options.integerArithmetic {
            var graph = model.graph
            do {
                try graph.sortAndVerify()
            } catch let error as GraphError {
                throw RuntimeError.graph(error)
            }
            model.graph = try IntegerLowering.lower(graph, rounding: rounding)
            options.integerArithmetic = nil
        }
        return (model.exposingIntermediates(), options)
    }

    /// A copy whose graph also outputs every value its nodes compute (main graph only), after the
    /// original outputs, so one run yields the intermediates for per-layer drift. The runtime
    /// keeps graph outputs alive, so nothing else changes.
    func exposingIntermediates() -> Model {
        var copy = self
        var present = Set(graph.outputs.map(\.name))
        var constants = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        // Values computed from constants alone (dequantized weights, folded shapes) are not
        // layers, and exposing them would make the session recompute them on every run.
        var known = Set(graph.initializers.keys)
        for node in (try? sortedNodes()) ?? graph.nodes where node.inputs.allSatisfy({ $0.isEmpty || known.contains($0) })
            && node.attributes.values.allSatisfy({ $0.subgraphs.isEmpty }) {
            for output in node.outputs where !output.isEmpty {
                known.insert(output)
                constants.insert(output)
            }
        }
        for node in graph.nodes {
            for output in node.outputs where !output.isEmpty && !constants.contains(output) && present.insert(output).inserted {
                copy.graph.outputs.append(ValueInfo(name: output, type: nil))
            }
        }
        return copy
    }

    /// What per-layer drift walks, from one topological sort: every value the main graph's
    /// nodes compute, in order, with the node computing it (`order`), and among them the values
    /// it compares (`layers`: those computed from the inputs; values computed from constants
    /// alone, such as dequantized weights, are not layers).
    func layerWalk() throws -> (order: [(value: String, node: Node)], layers: [String]) {
        var sorted = graph
        try sorted.sortAndVerify()
        var known = Set(graph.initializers.keys)
        var order: [(value: String, node: Node)] = []
        var layers: [String] = []
        for node in sorted.nodes {
            let fromConstants = node.inputs.allSatisfy { $0.isEmpty || known.contains($0) }
                && node.attributes.values.allSatisfy { $0.subgraphs.isEmpty }
            for output in node.outputs where !output.isEmpty {
                order.append((output, node))
                if fromConstants { known.insert(output) } else { layers.append(output) }
            }
        }
        return (order, layers)
    }

    private func sortedNodes() throws -> [Node] {
        var sorted = graph
        try sorted.sortAndVerify()
        return sorted.nodes
    }
}
