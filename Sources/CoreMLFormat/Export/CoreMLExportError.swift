import FerryIR

/// Why a model could not be written as Core ML; each case names the node or value at fault.
public enum CoreMLExportError: Error, Sendable, CustomStringConvertible {
    /// The op has no Core ML form (or not with these attributes).
    case unsupportedOp(node: String, op: String, reason: String)
    /// This lowering needs a static shape and the value's is not.
    case dynamicShape(node: String, value: String)
    /// The element type has no Core ML equivalent.
    case unsupportedType(value: String, type: DataType)
    /// An input Core ML needs constant is computed at run time.
    case notConstant(node: String, op: String, input: String)
    /// The model could not be prepared (constant folding, shape inference).
    case preparation(String)

    public var description: String {
        switch self {
        case .unsupportedOp(let node, let op, let reason):
            return "node \(node): \(op) has no Core ML form: \(reason)"
        case .dynamicShape(let node, let value):
            return "node \(node): value '\(value)' needs a static shape for Core ML (fix the input dimensions with --input-shape)"
        case .unsupportedType(let value, let type):
            return "value '\(value)' is \(type), which Core ML has no tensor type for"
        case .notConstant(let node, let op, let input):
            return "node \(node): \(op) needs input '\(input)' to be a constant for Core ML"
        case .preparation(let message):
            return "could not prepare the model for Core ML export: \(message)"
        }
    }
}
