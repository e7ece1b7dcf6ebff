/// Typed reading of a node's attributes, for the format writers: a missing attribute is nil
/// (or the given default), an attribute of another type is the error `wrongType` makes, so that
/// each writer reports it in its own error type, naming the node.
public struct NodeAttributes {
    public let node: Node
    private let wrongType: (_ name: String, _ expected: String, _ actual: Attribute) -> any Error

    public init(_ node: Node, wrongType: @escaping (_ name: String, _ expected: String, _ actual: Attribute) -> any Error) {
        self.node = node
        self.wrongType = wrongType
    }

    /// The usual message: "attribute 'axis' should be int, got floats".
    public static func message(_ name: String, _ expected: String, _ actual: Attribute) -> String {
        "attribute '\(name)' should be \(expected), got \(actual.typeName)"
    }

    public func int(_ name: String) throws -> Int? {
        guard let value = node.attributes[name] else { return nil }
        guard case .int(let int) = value else { throw wrongType(name, "int", value) }
        return int
    }

    public func int(_ name: String, default fallback: Int) throws -> Int { try int(name) ?? fallback }

    public func float(_ name: String) throws -> Float? {
        guard let value = node.attributes[name] else { return nil }
        switch value {
        case .float(let float): return float
        case .int(let int): return Float(int)
        default: throw wrongType(name, "float", value)
        }
    }

    public func float(_ name: String, default fallback: Float) throws -> Float { try float(name) ?? fallback }

    public func ints(_ name: String) throws -> [Int]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .ints(let ints) = value else { throw wrongType(name, "ints", value) }
        return ints
    }

    public func floats(_ name: String) throws -> [Float]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .floats(let floats) = value else { throw wrongType(name, "floats", value) }
        return floats
    }

    public func string(_ name: String, default fallback: String) throws -> String {
        guard let value = node.attributes[name] else { return fallback }
        guard case .string(let string) = value else { throw wrongType(name, "string", value) }
        return string
    }

    public func strings(_ name: String) throws -> [String]? {
        guard let value = node.attributes[name] else { return nil }
        guard case .strings(let strings) = value else { throw wrongType(name, "strings", value) }
        return strings
    }

    public func tensor(_ name: String) throws -> Tensor? {
        guard let value = node.attributes[name] else { return nil }
        guard case .tensor(let tensor) = value else { throw wrongType(name, "tensor", value) }
        return tensor
    }
}
