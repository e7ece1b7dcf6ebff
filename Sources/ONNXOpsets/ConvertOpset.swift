import FerryIR
import FerryPasses
import FerryRuntime

/// Rewrites a model for another ai.onnx opset: ops whose signature changed between the two are
/// converted (`opsetAdapters`), then every node is checked against its schema at the target
/// (the op exists and is not deprecated there; its attributes, inputs and element types are
/// ones that version has). A node that cannot be expressed is an `OpsetError` naming it and
/// the opset it needs. Run with the model's own opset, it is the check alone.
public struct ConvertOpset: GraphPass {
    /// The opsets Ferry writes: ONNX Runtime 1.0's opset 11 up to the newest the table knows.
    public static let supported = 11...ONNXSchemas.latestOpset

    public let target: Int
    public var name: String { "opset-\(target)" }

    public init(target: Int) throws {
        guard Self.supported.contains(target) else { throw OpsetError.unsupportedOpset(requested: target, range: Self.supported) }
        self.target = target
    }

    public func apply(to model: Model) throws -> Model {
        let source = model.opset
        // Each signature change crossed, in the order the versions pass: oldest first going up.
        let steps: [Step] =
            opsetAdapters.filter { source < $0.boundary && $0.boundary <= target }.sorted { $0.boundary < $1.boundary }.map { Step(adapter: $0, up: true) }
            + opsetAdapters.filter { target < $0.boundary && $0.boundary <= source }.sorted { $0.boundary > $1.boundary }.map { Step(adapter: $0, up: false) }
        // Types and ranks of every value: the Softmax rewrite needs ranks, the check needs types.
        let types = Self.types(of: model)
        var result = model
        result.graph = try convert(model.graph, types: types, steps: steps)
        result.opsets[""] = target
        result.opsets["ai.onnx"] = nil
        if let ir = ONNXSchemas.irVersionForOpset[target] ?? ONNXSchemas.irVersionForOpset.filter({ $0.key <= target }).max(by: { $0.key < $1.key })?.value {
            result.irVersion = ir
        }
        return result
    }

    private struct Step {
        let adapter: any OpsetAdapter
        let up: Bool
    }

    private func convert(_ graph: Graph, types: [String: ValueType], steps: [Step]) throws -> Graph {
        var context = AdapterContext(graph: graph, types: types, target: target)
        var nodes: [Node] = []
        for original in graph.nodes {
            var node = original
            // Subgraphs (If, Loop, Scan bodies) import the same opset.
            for (key, attribute) in node.attributes {
                switch attribute {
                case .graph(let body): node.attributes[key] = .graph(try convert(body, types: [:], steps: steps))
                case .graphs(let bodies): node.attributes[key] = .graphs(try bodies.map { try convert($0, types: [:], steps: steps) })
                default: break
                }
            }
            var replaced = [node]
            // Only the default domain's opset changes; ai.onnx.ml and other domains keep theirs.
            if Self.isDefaultDomain(node.domain) {
                for step in steps {
                    var next: [Node] = []
                    for candidate in replaced {
                        guard step.adapter.opTypes.contains(candidate.opType), Self.isDefaultDomain(candidate.domain) else {
                            next.append(candidate)
                            continue
                        }
                        next += step.up ? try step.adapter.upgrade(candidate, &context) : try step.adapter.downgrade(candidate, &context)
                    }
                    replaced = next
                }
            }
            nodes += replaced
        }
        var result = context.graph
        result.nodes = nodes
        for node in nodes where Self.isDefaultDomain(node.domain) {
            try SchemaCheck(target: target, types: types).check(node)
        }
        return result
    }

    static func isDefaultDomain(_ domain: String) -> Bool { domain.isEmpty || domain == "ai.onnx" }

    /// Inferred types of every value, from the graph's value_info and shape inference; empty
    /// when the model cannot run in the reference core (the check then skips element types).
    static func types(of model: Model) -> [String: ValueType] {
        var types: [String: ValueType] = [:]
        let inferred = (try? ShapeInference.infer(model)) ?? model
        for info in inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values) {
            if let type = info.type { types[info.name] = type }
        }
        for (name, tensor) in inferred.graph.initializers {
            types[name] = ValueType(dataType: tensor.dataType, shape: tensor.shape.map { .fixed($0) })
        }
        return types
    }
}
