import FerryIR

/// Removes nodes whose outputs nothing reads, then initializers nothing reads.
public struct DeadCodeElimination: GraphPass {
    public let name = "dead-code"
    /// Exact: only values nothing reads are removed.
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }
    public init() {}

    public func apply(to model: Model) throws -> Model {
        var result = model
        var graph = model.graph
        var live = graph.outputNames
        var keep = Array(repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            guard node.outputs.contains(where: { live.contains($0) }) else { continue }
            keep[index] = true
            live.formUnion(node.inputs.filter { !$0.isEmpty })
            for attribute in node.attributes.values {
                for subgraph in attribute.subgraphs { live.formUnion(subgraph.outerReferences()) }
            }
        }
        graph.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
        graph.dropUnusedInitializers()
        let defined = Set(graph.nodes.flatMap(\.outputs))
        graph.valueInfo = graph.valueInfo.filter { defined.contains($0.key) }
        result.graph = graph
        return result
    }
}
