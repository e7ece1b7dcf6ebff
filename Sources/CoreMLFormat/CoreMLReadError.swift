/// Why a Core ML file could not be read; each case names the file and the place at fault.
public enum CoreMLReadError: Error, Sendable, CustomStringConvertible {
    /// The weight file is malformed at `offset`.
    case weights(file: String, offset: UInt64, String)
    /// The model spec (protobuf) could not be parsed or lacks something required.
    case spec(file: String, String)
    /// The package layout (Manifest.json, item paths) is wrong.
    case package(path: String, String)
    /// A MIL op has no reference-core form, or its inputs are not what the op needs.
    case unsupportedOp(op: String, output: String, reason: String)

    public var description: String {
        switch self {
        case .weights(let file, let offset, let message): return "\(file): blob at offset \(offset): \(message)"
        case .spec(let file, let message): return "\(file): \(message)"
        case .package(let path, let message): return "\(path): \(message)"
        case .unsupportedOp(let op, let output, let reason): return "MIL op '\(op)' producing '\(output)': \(reason)"
        }
    }
}
