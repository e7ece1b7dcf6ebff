import FerryIR

/// Evaluates, once at session creation, every node whose inputs are all constants (the
/// DequantizeLinear of quantized weights, a Cast of float16 weights, a Transpose of a weight,
/// a Constant),
/// so that `run` does not redo it per inference. The values are the ones the node would compute
/// on every run; random ops, nodes with subgraphs and graph outputs are left alone.
enum ConstantPrecompute {
    static let nondeterministic: Set<String> = ["RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli"]

    /// The nodes computable from constants run in waves, each wave's nodes side by side on
    /// `threads` (a quantized model dequantizes every weight here); initializers are then set in
    /// node order, as computing them one by one would.
    static func apply(_ graph: Graph, opset: Int, threads: Int = 1) throws -> Graph {
        var graph = graph
        let outputs = Set(graph.outputs.map(\.name))
        func inputs(_ node: Node) -> [String] { node.inputs.filter { !$0.isEmpty } }
        let candidates = graph.nodes.indices.filter { index in
            let node = graph.nodes[index]
            // Constant nodes too: a Clip's bounds from one are then constants the runtime can fuse.
            return (!inputs(node).isEmpty || (node.opType == "Constant" && node.domain.isEmpty))
                && !nondeterministic.contains(node.opType)
                && !node.attributes.values.contains(where: { !$0.subgraphs.isEmpty })
                && !node.outputs.contains(where: outputs.contains)
        }
        var known = graph.initializers
        var computed: [Int: [Tensor]] = [:]
        var pending = candidates
        while true {
            let ready = pending.filter { inputs(graph.nodes[$0]).allSatisfy { known[$0] != nil } }
            guard !ready.isEmpty else { break }
            let available = known
            let values = try ConcurrentWork.map(ready.count, workers: threads) { k -> [Tensor] in
                let node = graph.nodes[ready[k]]
                let single = Graph(name: "precompute", nodes: [node], inputs: [],
                                   outputs: node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0, type: nil) },
                                   initializers: Dictionary(uniqueKeysWithValues: Set(inputs(node)).map { ($0, available[$0]!) }))
                let plan = try ExecutionPlan(graph: single, opset: opset, outerScope: [], threads: 1)
                return try plan.execute(feeds: [], outer: [], context: ExecutionContext(threads: 1))
            }
            for (index, result) in zip(ready, values) {
                computed[index] = result
                for (name, value) in zip(graph.nodes[index].outputs.filter { !$0.isEmpty }, result) { known[name] = value }
            }
            let done = Set(ready)
            pending.removeAll { done.contains($0) }
        }
        var kept: [Node] = []
        for (index, node) in graph.nodes.enumerated() {
            guard let values = computed[index] else {
                kept.append(node)
                continue
            }
            for (name, value) in zip(node.outputs.filter { !$0.isEmpty }, values) { graph.setInitializer(name, value) }
        }
        graph.nodes = kept
        return graph
    }
}
