import FerryIR

/// Simplifies chains of layout ops: drops identity Transposes, composes Transpose∘Transpose
/// into one (or none), and lets a Reshape to a constant shape read past an earlier Reshape,
/// Flatten, Squeeze or Unsqueeze (only the element order matters to a Reshape).
public struct SimplifyTransposes: GraphPass {
    public let name = "simplify-layout"
    /// Exact: layout ops move elements; composing them moves them to the same places.
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }
    public init() {}

    static let reshapeLike: Set<String> = ["Reshape", "Flatten", "Squeeze", "Unsqueeze"]

    public func apply(to model: Model) throws -> Model {
        var graph = model.graph
        var changed = true
        // Every rewrite shortens a chain, so a valid graph settles within a few rounds per node;
        // the bound turns a malformed graph (a value defined twice) into an error, not a hang.
        var rounds = 0
        while changed {
            rounds += 1
            if rounds > 4 * graph.nodes.count + 16 {
                throw PassError.failed(pass: name, reason: "did not settle after \(rounds - 1) rewrites (is a value defined twice?)")
            }
            changed = false
            let producers = graph.producers()
            for index in graph.nodes.indices {
                let node = graph.nodes[index]
                guard node.domain.isEmpty, let source = node.input(0) else { continue }
                if node.opType == "Transpose", let perm = perm(of: node) {
                    if perm == Array(0..<perm.count), removeIdentity(at: index, in: &graph) {
                        changed = true
                        break
                    }
                    if let p = producers[source], graph.nodes[p].opType == "Transpose", graph.nodes[p].domain.isEmpty,
                       let inner = self.perm(of: graph.nodes[p]), inner.count == perm.count, let x = graph.nodes[p].input(0) {
                        // out[i] = mid[perm[i]] = x[inner[perm[i]]]
                        graph.nodes[index].inputs[0] = x
                        graph.nodes[index].attributes["perm"] = .ints(perm.map { inner[$0] })
                        changed = true
                        break
                    }
                }
                if node.opType == "Reshape", let shape = graph.constant(node.input(1)),
                   !shape.integers().contains(0) || allowZero(node),
                   let p = producers[source], Self.reshapeLike.contains(graph.nodes[p].opType), graph.nodes[p].domain.isEmpty,
                   let x = graph.nodes[p].input(0) {
                    graph.nodes[index].inputs[0] = x
                    changed = true
                    break
                }
            }
            if changed {
                // Producers left without readers go here, not in a separate pass, so the graph
                // this pass returns has no dangling layout ops.
                graph = (try? DeadCodeElimination().apply(to: Model(graph: graph, opsets: model.opsets)).graph) ?? graph
            }
        }
        var result = model
        result.graph = graph
        return result
    }

    private func perm(of node: Node) -> [Int]? {
        if case .ints(let perm)? = node.attributes["perm"] { return perm }
        return nil
    }

    private func allowZero(_ node: Node) -> Bool {
        if case .int(let flag)? = node.attributes["allowzero"] { return flag != 0 }
        return false
    }

    private func removeIdentity(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard let source = node.input(0), let output = node.outputs.first else { return false }
        if !graph.isInterface(output) {
            graph.nodes.remove(at: index)
            graph.replaceUses(of: output, with: source)
            return true
        }
        if !graph.isInterface(source) && graph.initializers[source] == nil {
            graph.nodes.remove(at: index)
            graph.rename(source, to: output)
            return true
        }
        return false
    }
}
