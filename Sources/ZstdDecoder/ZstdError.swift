/// Why a zstd frame was refused, and where in the input the decoder was when it found out.
public struct ZstdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of failure, for callers that branch on it.
    public enum Kind: Sendable, Equatable {
        /// The input ends before the frame does.
        case truncated
        /// A field, table or bitstream is invalid.
        case corrupt
        /// Valid zstd that this decoder does not take (dictionaries, frames without a content size).
        case unsupported
        /// The frame's content size is not the one the caller expects, or its blocks overrun it.
        case sizeMismatch
        /// The content checksum does not match the decoded bytes.
        case checksumMismatch
        /// Bytes follow the frame.
        case trailingBytes
    }

    public let kind: Kind
    /// Byte offset in the input of the field or section being decoded.
    public let offset: Int
    public let message: String

    public init(_ kind: Kind, _ message: String, at offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    /// One line: what is wrong and at which input byte.
    public var description: String { "\(message) (at byte \(offset))" }

    static func corrupt(_ message: String, at offset: Int) -> ZstdError { ZstdError(.corrupt, message, at: offset) }
    static func truncated(_ what: String, at offset: Int) -> ZstdError { ZstdError(.truncated, "input ends inside \(what)", at: offset) }
}
