import FerryIR

/// A failure found while a kernel runs (a shape that only shows at run time). The session
/// wraps it into `RuntimeError.node` with the node's name.
public struct KernelError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Why a session could not be created or run, naming the input or node at fault.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
    case unknownInput(name: String, expected: [String])
    case missingInput(name: String)
    case inputType(name: String, expected: DataType, actual: DataType)
    case inputShape(name: String, expected: String, actual: [Int])
    case node(label: String, message: String)
    case graph(GraphError)

    public var description: String {
        switch self {
        case .unknownInput(let name, let expected):
            return "the model has no input '\(name)'; its inputs are \(expected.map { "'\($0)'" }.joined(separator: ", "))"
        case .missingInput(let name): return "input '\(name)' was not given"
        case .inputType(let name, let expected, let actual):
            return "input '\(name)' should be \(expected), got \(actual)"
        case .inputShape(let name, let expected, let actual):
            return "input '\(name)' should have shape \(expected), got [\(actual.map(String.init).joined(separator: ","))]"
        case .node(let label, let message): return "node \(label): \(message)"
        case .graph(let error): return error.description
        }
    }
}
