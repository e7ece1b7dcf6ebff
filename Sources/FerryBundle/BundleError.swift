import Foundation

/// Everything that can go wrong while making, reading, verifying or unpacking a bundle.
///
/// Each case carries where: the file, the manifest field or the path inside the bundle.
public enum BundleError: Error, Equatable, Sendable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The input to `bundle` is not acceptable (missing file, link, empty, too large, …).
    case badInput(path: String, reason: String)
    /// A manifest field is missing or malformed.
    case invalidField(field: String, reason: String)
    /// A path inside the bundle is unsafe (traversal, absolute, control characters, duplicate).
    case unsafePath(path: String, reason: String)
    /// The file is not a Ferry bundle, or its framing is damaged or truncated.
    case malformed(file: String, reason: String)
    /// The manifest signature does not verify with any trusted key.
    case badSignature(file: String, keyID: String)
    /// A hash in the signed manifest does not match the bytes.
    case hashMismatch(file: String, entry: String)
    /// Declared or actual sizes exceed the configured limits (decompression bombs, huge uploads).
    case tooLarge(file: String, what: String, limit: Int)
    /// zstd compression (libzstd) or decompression failed; the reason says how.
    case compression(file: String, reason: String)
    /// A key file is malformed.
    case badKey(path: String, reason: String)
    /// The destination already exists and would be overwritten.
    case exists(path: String)
}

extension BundleError: LocalizedError, CustomStringConvertible {
    /// One line for people: what went wrong and where.
    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .badInput(let path, let reason): return "\(path): \(reason)"
        case .invalidField(let field, let reason): return "manifest field '\(field)': \(reason)"
        case .unsafePath(let path, let reason): return "unsafe path '\(path)' in bundle: \(reason)"
        case .malformed(let file, let reason): return "\(file): not a valid Ferry bundle: \(reason)"
        case .badSignature(let file, let keyID):
            return "\(file): manifest signature (key \(keyID)) does not verify with any trusted key"
        case .hashMismatch(let file, let entry): return "\(file): SHA-256 mismatch for \(entry)"
        case .tooLarge(let file, let what, let limit): return "\(file): \(what) exceeds the limit of \(limit) bytes"
        case .compression(let file, let reason): return "\(file): zstd: \(reason)"
        case .badKey(let path, let reason): return "\(path): \(reason)"
        case .exists(let path): return "\(path): already exists; refusing to overwrite"
        }
    }

    public var errorDescription: String? { description }

    /// True when the error is the caller's input (usage exit code 2), false for environment failures.
    public var isBadInput: Bool {
        if case .io = self { return false }
        return true
    }
}
