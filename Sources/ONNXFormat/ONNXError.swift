import FerryIR

/// Why an ONNX file could not be read or written, naming the file and the field or tensor at fault.
public enum ONNXError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    /// The bytes are not a protobuf message of the expected kind (truncated, corrupt, not ONNX).
    case notONNX(file: String, reason: String)
    /// A field holds a value the format does not allow.
    case invalidField(file: String, field: String, reason: String)
    /// A tensor's data is missing, of the wrong size, or of an unsupported type.
    case invalidTensor(file: String, tensor: String, reason: String)
    /// The graph read fine but is not well formed.
    case invalidGraph(file: String, error: GraphError)
    /// The writer could not create, write or rename the file.
    case cannotWrite(file: String, reason: String)
    /// The serialized model exceeds protobuf's limit even with its initializers stored externally.
    case tooLarge(file: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason): return "\(file): cannot open: \(reason)"
        case .notONNX(let file, let reason): return "\(file): not a valid ONNX file: \(reason)"
        case .invalidField(let file, let field, let reason): return "\(file): field \(field): \(reason)"
        case .invalidTensor(let file, let tensor, let reason): return "\(file): tensor '\(tensor)': \(reason)"
        case .invalidGraph(let file, let error): return "\(file): \(error)"
        case .cannotWrite(let file, let reason): return "\(file): cannot write: \(reason)"
        case .tooLarge(let file, let bytes, let limit):
            return "\(file): the model needs \(bytes) bytes of protobuf, more than the \(limit) protobuf allows, even with its initializers in external data"
        }
    }
}
