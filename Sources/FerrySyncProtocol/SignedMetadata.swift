import FerryBundle
import Foundation

/// A server-signed envelope: the exact metadata bytes and an Ed25519 signature over them.
///
/// The service signs every resolve answer with its metadata key. The decision inside carries a
/// per-model sequence number that only grows and an expiry time, so a client that remembers the
/// highest sequence it has seen refuses replayed (rollback) and stale (freeze) answers.
public struct SignedMetadata: Codable, Sendable, Equatable {
    /// Canonical JSON of a ``ResolveDecision``.
    public var metadata: Data
    /// Ed25519 signature of `"ferry-metadata-v1\n" + metadata`.
    public var signature: Data
    /// Identifier of the service's metadata key.
    public var keyID: String

    static let context = Data("ferry-metadata-v1\n".utf8)

    public init(metadata: Data, signature: Data, keyID: String) {
        self.metadata = metadata
        self.signature = signature
        self.keyID = keyID
    }

    /// Encodes and signs `decision`.
    public static func sign(_ decision: ResolveDecision, with key: SigningKey) throws -> SignedMetadata {
        let bytes = try WireJSON.encode(decision)
        return SignedMetadata(metadata: bytes, signature: try key.sign(context + bytes), keyID: key.publicKey.keyID)
    }

    /// Verifies the signature with one of `keys` and decodes the decision.
    public func verify(with keys: [TrustedKey]) throws -> ResolveDecision {
        guard keys.contains(where: { $0.isValidSignature(signature, for: Self.context + metadata) }) else {
            throw SyncProtocolError.badMetadataSignature(keyID: keyID)
        }
        return try decodeUnverified()
    }

    /// Decodes the decision without checking the signature (for trust-on-first-use of the key).
    public func decodeUnverified() throws -> ResolveDecision {
        do { return try JSONDecoder().decode(ResolveDecision.self, from: metadata) } catch {
            throw SyncProtocolError.malformed(what: "resolve metadata", reason: "\(error)")
        }
    }
}

/// Errors in reading what a service sent.
public enum SyncProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMetadataSignature(keyID: String)
    case malformed(what: String, reason: String)

    public var description: String {
        switch self {
        case .badMetadataSignature(let keyID): return "resolve metadata signature (key \(keyID)) does not verify with the trusted service key"
        case .malformed(let what, let reason): return "malformed \(what): \(reason)"
        }
    }
}

/// JSON as the service writes it: sorted keys, ISO dates not used (times are Unix seconds).
public enum WireJSON {
    /// Encodes with sorted keys and no whitespace.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes, reporting the failing field.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw SyncProtocolError.malformed(what: what, reason: "\(error)")
        }
    }
}
