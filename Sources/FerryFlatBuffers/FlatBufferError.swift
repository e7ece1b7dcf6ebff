/// Why a FlatBuffer could not be read: every case names the byte offset at fault.
public enum FlatBufferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `length` bytes at `offset` do not fit in a buffer of `size` bytes.
    case outOfBounds(what: String, offset: Int, length: Int, size: Int)
    /// A vtable that is too short, odd-sized, or claims fields outside its table.
    case badVTable(offset: Int, reason: String)
    /// A string whose bytes are not UTF-8.
    case invalidUTF8(offset: Int)
    /// A union's type tag says nothing, or something this reader does not know.
    case badUnion(offset: Int, type: Int)

    public var description: String {
        switch self {
        case .outOfBounds(let what, let offset, let length, let size):
            return "\(what) at byte \(offset) (\(length) bytes) runs past the end of the \(size)-byte buffer"
        case .badVTable(let offset, let reason):
            return "vtable at byte \(offset) is malformed: \(reason)"
        case .invalidUTF8(let offset):
            return "string at byte \(offset) is not UTF-8"
        case .badUnion(let offset, let type):
            return "union at byte \(offset) has unknown type \(type)"
        }
    }
}
