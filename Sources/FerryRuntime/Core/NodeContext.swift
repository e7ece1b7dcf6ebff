import FerryIR

/// A node as its operator sees it at session creation: typed attribute access with defaults,
/// the opset in force, and the constant values of its inputs.
///
/// Every attribute an operator reads is marked; an attribute the operator never reads is
/// reported as unknown, so that a model never runs with an attribute silently ignored.
public final class NodeContext {
    public let node: Node
    public let opset: Int
    /// Constant values of inputs that are initializers (nil where not constant).
    public let constants: [Tensor?]
    /// Builds kernels for subgraphs (If/Loop bodies).
    let subgraphBuilder: (Graph) throws -> ExecutionPlan
    private(set) var readAttributes: Set<String> = []

    init(node: Node, opset: Int, constants: [Tensor?], subgraphBuilder: @escaping (Graph) throws -> ExecutionPlan) {
        self.node = node
        self.opset = opset
        self.constants = constants
        self.subgraphBuilder = subgraphBuilder
    }

    public var label: String { node.label }
    public var inputCount: Int { node.inputs.count }

    /// Whether input `index` is present.
    public func hasInput(_ index: Int) -> Bool { node.input(index) != nil }

    /// The constant value of input `index`, if it is an initializer.
    public func constant(_ index: Int) -> Tensor? {
        index < constants.count ? constants[index] : nil
    }

    public func invalid(_ attribute: String, _ reason: String) -> GraphError {
        .invalidAttribute(node: label, attribute: attribute, reason: reason)
    }

    public func invalidInput(_ index: Int, _ reason: String) -> GraphError {
        .invalidInput(node: label, input: index < node.inputs.count ? node.inputs[index] : "#\(index)", reason: reason)
    }

    private func value(_ name: String) -> Attribute? {
        readAttributes.insert(name)
        return node.attributes[name]
    }

    public func has(_ name: String) -> Bool { node.attributes[name] != nil }

    public func int(_ name: String, default fallback: Int) throws -> Int {
        try intIfPresent(name) ?? fallback
    }

    public func intIfPresent(_ name: String) throws -> Int? {
        switch value(name) {
        case nil: return nil
        case .int(let v)?: return v
        case let other?: throw invalid(name, "should be an int, not \(other.typeName)")
        }
    }

    public func float(_ name: String, default fallback: Float) throws -> Float {
        switch value(name) {
        case nil: return fallback
        case .float(let v)?: return v
        case .int(let v)?: return Float(v)
        case let other?: throw invalid(name, "should be a float, not \(other.typeName)")
        }
    }

    public func floatIfPresent(_ name: String) throws -> Float? {
        has(name) ? try float(name, default: 0) : { _ = value(name); return nil }()
    }

    public func string(_ name: String, default fallback: String) throws -> String {
        switch value(name) {
        case nil: return fallback
        case .string(let v)?: return v
        case let other?: throw invalid(name, "should be a string, not \(other.typeName)")
        }
    }

    public func ints(_ name: String) throws -> [Int]? {
        switch value(name) {
        case nil: return nil
        case .ints(let v)?: return v
        case .int(let v)?: return [v]
        case let other?: throw invalid(name, "should be a list of ints, not \(other.typeName)")
        }
    }

    public func floats(_ name: String) throws -> [Float]? {
        switch value(name) {
        case nil: return nil
        case .floats(let v)?: return v
        case .float(let v)?: return [v]
        case let other?: throw invalid(name, "should be a list of floats, not \(other.typeName)")
        }
    }

    public func strings(_ name: String) throws -> [String]? {
        switch value(name) {
        case nil: return nil
        case .strings(let v)?: return v
        case .string(let v)?: return [v]
        case let other?: throw invalid(name, "should be a list of strings, not \(other.typeName)")
        }
    }

    public func tensor(_ name: String) throws -> Tensor? {
        switch value(name) {
        case nil: return nil
        case .tensor(let v)?: return v
        case let other?: throw invalid(name, "should be a tensor, not \(other.typeName)")
        }
    }

    public func graph(_ name: String) throws -> Graph? {
        switch value(name) {
        case nil: return nil
        case .graph(let v)?: return v
        case let other?: throw invalid(name, "should be a graph, not \(other.typeName)")
        }
    }

    /// Marks attributes that do not change inference results (training-only settings, seeds).
    public func ignore(_ names: String...) {
        for name in names { readAttributes.insert(name) }
    }

    /// Builds an execution plan for a subgraph attribute.
    func plan(for graph: Graph) throws -> ExecutionPlan {
        try subgraphBuilder(graph)
    }

    /// Throws if the node has an attribute the operator did not read.
    func checkAllAttributesRead() throws {
        let unknown = Set(node.attributes.keys).subtracting(readAttributes).sorted()
        if let first = unknown.first {
            throw invalid(first, "is not an attribute of \(node.opType) that Ferry knows (opset \(opset))")
        }
    }
}
