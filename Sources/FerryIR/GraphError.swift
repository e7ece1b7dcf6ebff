/// What is wrong with a graph, with where: the node, the value or the attribute at fault.
public enum GraphError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A node reads a value that no input, initializer or earlier node defines.
    case danglingInput(node: String, input: String)
    /// Nodes depend on each other in a circle.
    case cycle(nodes: [String])
    /// Two producers define the same value.
    case duplicateDefinition(value: String, node: String)
    /// A graph output that nothing defines.
    case undefinedOutput(String)
    /// No kernel or definition exists for this operator.
    case unsupportedOperator(node: String, opType: String, domain: String)
    /// An attribute is missing, of the wrong type, or out of range.
    case invalidAttribute(node: String, attribute: String, reason: String)
    /// An input has the wrong count, type or shape for its operator.
    case invalidInput(node: String, input: String, reason: String)
    /// The model as a whole violates a rule (no default opset, an opset too old…).
    case invalidModel(String)

    public var description: String {
        switch self {
        case .danglingInput(let node, let input):
            return "node \(node) reads '\(input)', which no graph input, initializer or earlier node defines"
        case .cycle(let nodes):
            return "the graph has a cycle through nodes \(nodes.prefix(6).joined(separator: ", "))\(nodes.count > 6 ? ", …" : "")"
        case .duplicateDefinition(let value, let node):
            return "value '\(value)' is defined twice (again by node \(node))"
        case .undefinedOutput(let name):
            return "graph output '\(name)' is not produced by any node, input or initializer"
        case .unsupportedOperator(let node, let opType, let domain):
            let op = domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain).\(opType)"
            return "unsupported op \(op) at node \(node)"
        case .invalidAttribute(let node, let attribute, let reason):
            return "node \(node): attribute '\(attribute)' \(reason)"
        case .invalidInput(let node, let input, let reason):
            return "node \(node): input '\(input)' \(reason)"
        case .invalidModel(let reason):
            return reason
        }
    }
}
