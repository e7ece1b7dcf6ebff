import FerryIR

/// Typed access to a node's attributes; a wrong attribute type is an export error naming the node.
struct Attributes {
    let node: Node
    init(_ node: Node) { self.node = node }

    private func wrongType(_ name: String, _ expected: String, _ actual: Attribute) -> TFLiteExportError {
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

    func strings(_ name: String) throws -> [String]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .strings(let strings) = value else { throw wrongType(name, "strings", value) }
        return strings
    }

    func tensor(_ name: String) throws -> Tensor? {
        guard let value = node.attributes[name] else { return nil }
        guard case .tensor(let tensor) = value else { throw wrongType(name, "tensor", value) }
        return tensor
    }
}

extension TFLiteEmitter {
    /// The error for an op (or attribute combination) with no TFLite form.
    func unsupported(_ node: Node, _ reason: String) -> TFLiteExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: reason)
    }

    /// The constant behind input `index`, or an error naming it.
    func constantInput(_ node: Node, _ index: Int) throws -> Tensor {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        guard let tensor = constants[name] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: name) }
        return tensor
    }

    /// Integer values from input `index` (opset ≥ some version) or attribute `name` (before).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if let input = node.input(index) {
            guard let tensor = constants[input] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: input) }
            return tensor.integers()
        }
        return try Attributes(node).ints(name)
    }

    /// Normalizes a possibly negative axis of a rank-`rank` value.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// Float32 data of a constant, for folding weights.
    func floats(_ tensor: Tensor, _ node: Node) throws -> [Float] {
        guard tensor.dataType == .float32 else { throw unsupported(node, "a \(tensor.dataType) constant where float32 is needed") }
        return tensor.elements(as: Float.self)
    }
}
