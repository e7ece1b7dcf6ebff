import FerryIR

/// Why a writer could not read or check a node with the pieces it shares with the reference
/// core (`ResizeAttributes`, `ResizeProbe`, `WindowAttributes` read from `NodeAttributes`).
/// Neutral: each writer maps it to its own error type, naming the node.
public enum LoweringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An attribute has a value the op does not define.
    case invalidAttribute(name: String, reason: String)
    /// An input the check needs constant is computed at run time.
    case notConstant(input: String)
    /// The reference core gave another shape than shape inference did.
    case unexpectedShape(actual: [Int], expected: [Int])
    /// The reference core could not run the node on the probe.
    case notRunnable(String)

    public var description: String {
        switch self {
        case .invalidAttribute(let name, let reason): return "attribute '\(name)' \(reason)"
        case .notConstant(let input): return "input '\(input)' is not a constant"
        case .unexpectedShape(let actual, let expected): return "gives shape \(actual) on a probe where \(expected) was inferred"
        case .notRunnable(let reason): return "could not be run on a probe image: \(reason)"
        }
    }
}

/// A writer's export error, with the cases a `LoweringError` (or a `KernelError` from a shared
/// geometry) becomes; the enum cases of NCNN's, Core ML's and TFLite's errors satisfy it.
public protocol LoweringErrorMapping: Error {
    static func unsupportedOp(node: String, op: String, reason: String) -> Self
    static func notConstant(node: String, op: String, input: String) -> Self
    static func preparation(_ message: String) -> Self
}

extension LoweringErrorMapping {
    /// Runs `body`, its neutral errors made this writer's, naming `node`; other errors pass through.
    public static func mapping<T>(_ node: Node, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LoweringError {
            switch error {
            case .notConstant(let input): throw notConstant(node: node.label, op: node.opType, input: input)
            case .invalidAttribute: throw unsupportedOp(node: node.label, op: node.opType, reason: "\(error)")
            case .unexpectedShape, .notRunnable: throw preparation("\(node.label) \(error)")
            }
        } catch let error as KernelError {
            throw unsupportedOp(node: node.label, op: node.opType, reason: error.message)
        }
    }
}
