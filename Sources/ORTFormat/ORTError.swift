/// Why a model could not be written as, or read from, an ORT format file; cases name the node,
/// value or field at fault.
public enum ORTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model holds something the ORT format (or Ferry's writer of it) cannot express.
    case unsupported(what: String, reason: String)
    /// An ORT file that is malformed or not an ORT file.
    case invalid(file: String, field: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported(let what, let reason): return "ORT format: \(what) \(reason)"
        case .invalid(let file, let field, let reason): return "\(file): \(field) \(reason)"
        }
    }
}
