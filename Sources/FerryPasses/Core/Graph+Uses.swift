import FerryIR

extension Graph {
    /// Makes every reader of `old` read `new` instead, in subgraphs too.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices {
            nodes[index].renameInputs([old: new])
        }
        for index in outputs.indices where outputs[index].name == old {
            outputs[index].name = new
        }
    }

    /// Renames a value everywhere: its producer's output, its readers, graph outputs, value info.
    mutating func rename(_ old: String, to new: String) {
        for index in nodes.indices {
            nodes[index].outputs = nodes[index].outputs.map { $0 == old ? new : $0 }
            nodes[index].renameInputs([old: new])
        }
        for index in outputs.indices where outputs[index].name == old { outputs[index].name = new }
        if var info = valueInfo.removeValue(forKey: old) {
            info.name = new
            valueInfo[new] = info
        }
    }

    /// Makes `old`'s producer write `new` (and moves its value info), leaving every reader and
    /// graph output on `old`: what `rename(old, to: new)` then `replaceUses(of: new, with: old)`
    /// leave when `new` is unused, in one pass over the nodes.
    mutating func renameProducedValue(_ old: String, to new: String) {
        for index in nodes.indices where nodes[index].outputs.contains(old) {
            nodes[index].outputs = nodes[index].outputs.map { $0 == old ? new : $0 }
        }
        if var info = valueInfo.removeValue(forKey: old) {
            info.name = new
            valueInfo[new] = info
        }
    }

    /// A name not used by any value in the graph, derived from `base`.
    func freshName(_ base: String, avoiding taken: inout Set<String>) -> String {
        if taken.isEmpty {
            taken = Set(initializers.keys).union(inputs.map(\.name))
            for node in nodes { taken.formUnion(node.outputs) }
        }
        var candidate = base
        var suffix = 1
        while taken.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// The constant value of `name` when it is an initializer.
    func constant(_ name: String?) -> Tensor? {
        guard let name, !name.isEmpty else { return nil }
        return initializers[name]
    }

    /// Removes initializers no node, subgraph or output reads.
    mutating func dropUnusedInitializers() {
        let used = Set(consumers().keys).union(outputNames)
        let dropped = Set(initializerOrder.filter { !used.contains($0) })
        guard !dropped.isEmpty else { return }
        for name in dropped { initializers[name] = nil }
        initializerOrder.removeAll { dropped.contains($0) }
        // Older exports also list initializers as graph inputs.
        inputs.removeAll { dropped.contains($0.name) }
    }
}

extension Node {
    /// Renames inputs (and outer references inside subgraphs) by `map`.
    mutating func renameInputs(_ map: [String: String]) {
        inputs = inputs.map { map[$0] ?? $0 }
        for (key, attribute) in attributes {
            switch attribute {
            case .graph(var graph):
                graph.renameOuterReferences(map)
                attributes[key] = .graph(graph)
            case .graphs(var graphs):
                for i in graphs.indices { graphs[i].renameOuterReferences(map) }
                attributes[key] = .graphs(graphs)
            default:
                break
            }
        }
    }
}

extension Graph {
    /// Renames references to enclosing-scope values, leaving names this graph defines alone.
    mutating func renameOuterReferences(_ map: [String: String]) {
        var defined = Set(inputs.map(\.name)).union(initializers.keys)
        for node in nodes { defined.formUnion(node.outputs) }
        let outer = map.filter { !defined.contains($0.key) }
        guard !outer.isEmpty else { return }
        for index in nodes.indices { nodes[index].renameInputs(outer) }
        for index in outputs.indices { if let new = outer[outputs[index].name] { outputs[index].name = new } }
    }
}
