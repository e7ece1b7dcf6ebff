import FerryIR

/// Typed access to a node's attributes; a wrong attribute type is an export error naming the node.
struct NCNNAttributes {
    let node: Node
    init(_ node: Node) { self.node = node }

    private func wrongType(_ name: String, _ expected: String, _ actual: Attribute) -> NCNNExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: "attribute '\(name)' should be \(expected), got \(actual.typeName)")
    }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let value = node.attributes[name] else { return fallback }
        guard case .int(let int) = value else { throw wrongType(name, "int", value) }
        return int
    }

    func float(_ name: String, default fallback: Float) throws -> Float {
        guard let value = node.attributes[name] else { return fallback }
        switch value {
        case .float(let float): return float
        case .int(let int): return Float(int)
        default: throw wrongType(name, "float", value)
        }
    }

    func ints(_ name: String) throws -> [Int]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .ints(let ints) = value else { throw wrongType(name, "ints", value) }
        return ints
    }

    func string(_ name: String, default fallback: String) throws -> String {
        guard let value = node.attributes[name] else { return fallback }
        guard case .string(let string) = value else { throw wrongType(name, "string", value) }
        return string
    }

    func strings(_ name: String) throws -> [String]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .strings(let strings) = value else { throw wrongType(name, "strings", value) }
        return strings
    }
}

extension NCNNEmitter {
    /// Integer values from input `index` (newer opsets) or attribute `name` (older ones).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if let input = node.input(index) {
            guard let tensor = constants[input] else { throw NCNNExportError.notConstant(node: node.label, op: node.opType, input: input) }
            return tensor.integers()
        }
        return try NCNNAttributes(node).ints(name)
    }
}
