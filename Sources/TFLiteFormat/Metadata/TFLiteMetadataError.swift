/// Why support-library metadata could not be written or read; cases name the field or file.
public enum TFLiteMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The metadata buffer's file identifier is not "M001".
    case notMetadata(found: String)
    /// A declared input or option does not fit the model (names the input and why).
    case invalid(String)
    /// The zip of associated files appended to the model is malformed.
    case badArchive(String)

    public var description: String {
        switch self {
        case .notMetadata(let found): return "TFLITE_METADATA buffer has file identifier '\(found)', expected 'M001'"
        case .invalid(let message): return message
        case .badArchive(let message): return "associated files: \(message)"
        }
    }
}
