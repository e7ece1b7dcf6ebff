import FerryIR

/// Typed access to a node's attributes; a wrong attribute type is an export error naming the node.
struct Attributes {
    let node: Node
    init(_ node: Node) { self.node = node }

    private func wrongType(_ name: String, _ expected: String, _ actual: Attribute) -> CoreMLExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: "attribute '\(name)' should be \(expected), got \(actual.typeName)")
    }

    func int(_ name: String) throws -> Int? {
        guard let value = node.attributes[name] else { return nil }
        guard case .int(let int) = value else { throw wrongType(name, "int", value) }
        return int
    }

    func int(_ name: String, default fallback: Int) throws -> Int { try int(name) ?? fallback }

    func float(_ name: String) throws -> Float? {
        guard let value = node.attributes[name] else { return nil }
        switch value {
        case .float(let float): return float
        case .int(let int): return Float(int)
        default: throw wrongType(name, "float", value)
        }
    }

    func float(_ name: String, default fallback: Float) throws -> Float { try float(name) ?? fallback }

    func ints(_ name: String) throws -> [Int]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .ints(let ints) = value else { throw wrongType(name, "ints", value) }
        return ints
    }

    func floats(_ name: String) throws -> [Float]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .floats(let floats) = value else { throw wrongType(name, "floats", value) }
        return floats
    }

    func string(_ name: String, default fallback: String) throws -> String {
        guard let value = node.attributes[name] else { return fallback }
        guard case .string(let string) = value else { throw wrongType(name, "string", value) }
        return string
    }

    func tensor(_ name: String) throws -> Tensor? {
        guard let value = node.attributes[name] else { return nil }
        guard case .tensor(let tensor) = value else { throw wrongType(name, "tensor", value) }
        return tensor
    }
}

extension MILEmitter {
    /// Normalizes a possibly negative axis of a rank-`rank` value.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// Integer values from input `index` (newer opsets) or attribute `name` (older ones).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if node.input(index) != nil { return try constantInput(node, index).integers() }
        return try Attributes(node).ints(name)
    }
}
