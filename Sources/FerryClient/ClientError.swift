import FerryBundle
import Foundation

/// Why the client could not install something trustworthy; each case says where.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The service could not be reached or answered with a transport error.
    case unreachable(url: String, reason: String)
    /// The service answered with an error status.
    case http(url: String, status: Int, message: String)
    /// Signed metadata failed a check: signature, expiry, sequence, or a field not matching the request.
    case untrustedMetadata(reason: String)
    /// A bundle, patch or manifest failed verification.
    case verification(BundleError)
    /// A downloaded blob's size or SHA-256 is not what the signed metadata says.
    case blobMismatch(url: String, reason: String)
    /// No release fits this device and nothing is installed.
    case noRelease(model: String)
    /// The local cache could not be read or written.
    case cache(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): return "\(url): service unreachable: \(reason)"
        case .http(let url, let status, let message): return "\(url): HTTP \(status): \(message)"
        case .untrustedMetadata(let reason): return "refusing resolve metadata: \(reason)"
        case .verification(let error): return "verification failed: \(error.description)"
        case .blobMismatch(let url, let reason): return "\(url): \(reason)"
        case .noRelease(let model): return "no release of '\(model)' fits this device and none is installed"
        case .cache(let path, let reason): return "\(path): \(reason)"
        }
    }
}
