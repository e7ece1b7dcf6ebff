import FerryIR

/// An `If` whose condition is a constant (it folds from shapes, as in PyTorch exports that test
/// `x.dim()` or a batch size once `--input-shape` fixes them) becomes the nodes of the branch it
/// takes, so that quantization, calibration and every writer see plain ops instead of a
/// control-flow op with subgraphs. Nested shape tests fold and inline in turn.
public struct InlineStaticIf: GraphPass {
    public let name = "inline-static-if"
    /// Exact: the branch a constant condition always takes.
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }

    public init() {}

    public func apply(to model: Model) throws -> Model {
        var current = model
        while let inlined = try StaticIfInlining.inline(current.graph, constants: current.graph.initializers) {
            current.graph = inlined
            try current.graph.sortAndVerify()
            current = try ConstantFolding().apply(to: current)
        }
        return current
    }
}

/// Replaces `If` nodes whose condition is known by their taken branch.
public enum StaticIfInlining {
    /// `graph` with every `If` whose condition is in `constants` replaced by its taken branch,
    /// or nil when there is none. The branch's constants join `graph.initializers`; a value the
    /// branch defines under a name the graph already uses is renamed.
    public static func inline(_ graph: Graph, constants: [String: Tensor]) throws -> Graph? {
        var taken = Set(constants.keys).union(graph.inputs.map(\.name)).union(graph.initializers.keys)
        for node in graph.nodes { taken.formUnion(node.outputs) }
        var result = graph
        result.nodes = []
        var changed = false
        for node in graph.nodes {
            guard node.opType == "If", node.domain.isEmpty, let condition = node.input(0), let value = constants[condition] else {
                result.nodes.append(node)
                continue
            }
            guard value.count == 1 else {
                throw PassError.failed(pass: "inline-static-if", reason: "node \(node.label): the condition holds \(value.count) values, not one")
            }
            let key = value.integers()[0] != 0 ? "then_branch" : "else_branch"
            guard case .graph(let branch)? = node.attributes[key] else {
                throw PassError.failed(pass: "inline-static-if", reason: "node \(node.label): the \(key) attribute is missing")
            }
            guard branch.runtimeInputs.isEmpty, branch.outputs.count == node.outputs.count else {
                throw PassError.failed(pass: "inline-static-if",
                                       reason: "node \(node.label): the \(key) has \(branch.runtimeInputs.count) inputs and \(branch.outputs.count) outputs for \(node.outputs.count)")
            }
            changed = true
            // Values the branch defines whose names the enclosing graph already uses get fresh names.
            var defined = Set(branch.initializers.keys)
            for inner in branch.nodes { defined.formUnion(inner.outputs.filter { !$0.isEmpty }) }
            var renames: [String: String] = [:]
            for name in defined.sorted() where taken.contains(name) {
                var suffix = 1
                while taken.contains("\(name)/inlined_\(suffix)") { suffix += 1 }
                renames[name] = "\(name)/inlined_\(suffix)"
            }
            taken.formUnion(defined.map { renames[$0] ?? $0 })
            for (name, tensor) in branch.initializers { result.setInitializer(renames[name] ?? name, tensor) }
            for var inner in branch.nodes {
                inner.outputs = inner.outputs.map { renames[$0] ?? $0 }
                renameReads(of: &inner, renames)
                result.nodes.append(inner)
            }
            for (output, source) in zip(node.outputs, branch.outputs) where !output.isEmpty {
                result.nodes.append(Node(name: "\(node.name)/\(key)/\(output)", opType: "Identity",
                                         inputs: [renames[source.name] ?? source.name], outputs: [output]))
            }
        }
        return changed ? result : nil
    }

    /// Renames the values `node` reads, in its inputs and in what its subgraphs read from outside.
    private static func renameReads(of node: inout Node, _ renames: [String: String]) {
        guard !renames.isEmpty else { return }
        node.inputs = node.inputs.map { renames[$0] ?? $0 }
        for (key, attribute) in node.attributes {
            switch attribute {
            case .graph(let graph): node.attributes[key] = .graph(renamingOuterReads(graph, renames))
            case .graphs(let graphs): node.attributes[key] = .graphs(graphs.map { renamingOuterReads($0, renames) })
            default: break
            }
        }
    }

    /// `graph` with its reads of enclosing values renamed (names it defines itself shadow them).
    private static func renamingOuterReads(_ graph: Graph, _ renames: [String: String]) -> Graph {
        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        for node in graph.nodes { defined.formUnion(node.outputs) }
        let outer = renames.filter { !defined.contains($0.key) }
        guard !outer.isEmpty else { return graph }
        var result = graph
        for index in result.nodes.indices { renameReads(of: &result.nodes[index], outer) }
        for index in result.outputs.indices { result.outputs[index].name = outer[result.outputs[index].name] ?? result.outputs[index].name }
        return result
    }
}
