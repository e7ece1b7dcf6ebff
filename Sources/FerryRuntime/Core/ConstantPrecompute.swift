import FerryIR

/// Evaluates, once at session creation, every node whose inputs are all constants (the
/// DequantizeLinear of quantized weights, a Cast of float16 weights, a Transpose of a weight,
/// a Constant),
/// so that `run` does not redo it per inference. The values are the ones the node would compute
/// on every run; random ops, nodes with subgraphs and graph outputs are left alone.
enum ConstantPrecompute {
    static let nondeterministic: Set<String> = ["RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli"]

    static func apply(_ graph: Graph, opset: Int) throws -> Graph {
        var graph = graph
        let outputs = Set(graph.outputs.map(\.name))
        var kept: [Node] = []
        for node in graph.nodes {
            let inputs = node.inputs.filter { !$0.isEmpty }
            // Constant nodes too: a Clip's bounds from one are then constants the runtime can fuse.
            guard !inputs.isEmpty || (node.opType == "Constant" && node.domain.isEmpty), inputs.allSatisfy({ graph.initializers[$0] != nil }),
                  !nondeterministic.contains(node.opType),
                  !node.attributes.values.contains(where: { !$0.subgraphs.isEmpty }),
                  !node.outputs.contains(where: outputs.contains) else {
                kept.append(node)
                continue
            }
            let single = Graph(name: "precompute", nodes: [node], inputs: [],
                               outputs: node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0, type: nil) },
                               initializers: Dictionary(uniqueKeysWithValues: Set(inputs).map { ($0, graph.initializers[$0]!) }))
            let plan = try ExecutionPlan(graph: single, opset: opset, outerScope: [], threads: 1)
            let values = try plan.execute(feeds: [], outer: [], context: ExecutionContext(threads: 1))
            for (name, value) in zip(node.outputs.filter { !$0.isEmpty }, values) {
                graph.setInitializer(name, value)
            }
        }
        graph.nodes = kept
        return graph
    }
}
