/// A computation graph: nodes in topological order, constant tensors, inputs and outputs.
///
/// Subgraphs of control-flow ops (`If`, `Loop`) are `Graph` values inside node attributes and may
/// refer to values of the enclosing graphs by name.
public struct Graph: Sendable {
    public var name: String
    public var nodes: [Node]
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// Constant tensors by name (ONNX initializers).
    public var initializers: [String: Tensor]
    /// Initializer names in file order, so that writers are deterministic.
    public var initializerOrder: [String]
    /// Known types of intermediate values (from the file or from shape inference).
    public var valueInfo: [String: ValueInfo]
    public var docString: String

    public init(name: String = "", nodes: [Node] = [], inputs: [ValueInfo] = [], outputs: [ValueInfo] = [],
                initializers: [String: Tensor] = [:], initializerOrder: [String]? = nil,
                valueInfo: [String: ValueInfo] = [:], docString: String = "") {
        self.name = name
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.initializers = initializers
        self.initializerOrder = initializerOrder ?? initializers.keys.sorted()
        self.valueInfo = valueInfo
        self.docString = docString
    }

    /// Graph inputs that are not also initializers: what a caller must feed.
    public var runtimeInputs: [ValueInfo] {
        inputs.filter { initializers[$0.name] == nil }
    }

    /// Adds or replaces a constant tensor.
    public mutating func setInitializer(_ name: String, _ tensor: Tensor) {
        if initializers.updateValue(tensor, forKey: name) == nil {
            initializerOrder.append(name)
        }
    }

    /// The node index producing each value.
    public func producers() -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { result[output] = index }
        }
        return result
    }

    /// For each value, the indices of the nodes that read it (directly or from a subgraph).
    public func consumers() -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            var seen = Set<String>()
            for input in node.inputs where !input.isEmpty && seen.insert(input).inserted {
                result[input, default: []].append(index)
            }
            for attribute in node.attributes.values {
                for subgraph in attribute.subgraphs {
                    for name in subgraph.outerReferences() where seen.insert(name).inserted {
                        result[name, default: []].append(index)
                    }
                }
            }
        }
        return result
    }

    public var outputNames: Set<String> { Set(outputs.map(\.name)) }

    /// Whether `name` is visible outside the graph (a graph input or output): such a value
    /// keeps its name through every rewrite.
    public func isInterface(_ name: String) -> Bool {
        outputs.contains { $0.name == name } || inputs.contains { $0.name == name }
    }

    /// Names this graph reads that it does not define itself (for subgraphs: the outer values).
    public func outerReferences() -> Set<String> {
        var defined = Set(inputs.map(\.name)).union(initializers.keys)
        var used = Set<String>()
        for node in nodes {
            for input in node.inputs where !input.isEmpty && !defined.contains(input) { used.insert(input) }
            for attribute in node.attributes.values {
                for subgraph in attribute.subgraphs {
                    for name in subgraph.outerReferences() where !defined.contains(name) { used.insert(name) }
                }
            }
            for output in node.outputs where !output.isEmpty { defined.insert(output) }
        }
        for output in outputs where !defined.contains(output.name) { used.insert(output.name) }
        return used
    }
}

extension Attribute {
    /// The graphs this attribute holds, if any.
    public var subgraphs: [Graph] {
        switch self {
        case .graph(let graph): return [graph]
        case .graphs(let graphs): return graphs
        default: return []
        }
    }
}
