import Crypto
import Foundation

/// An Ed25519 private key that signs bundle manifests (or, in the service, resolve metadata).
public struct SigningKey: Sendable {
    // Raw bytes, not the Crypto type, which is not Sendable on every platform.
    let raw: Data
    /// The matching public key.
    public let publicKey: TrustedKey
    static let prefix = "ferry-ed25519-private-key "

    /// A fresh random key.
    public init() {
        let key = Curve25519.Signing.PrivateKey()
        raw = key.rawRepresentation
        publicKey = TrustedKey(raw: key.publicKey.rawRepresentation)
    }

    /// Signs `message`; Ed25519 signatures are deterministic, so bundles stay reproducible.
    public func sign(_ message: Data) throws -> Data {
        try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: message)
    }

    /// The key file's text: one line, `ferry-ed25519-private-key BASE64`.
    public var fileText: String { Self.prefix + raw.base64EncodedString() + "\n" }

    /// Parses the text of a private key file.
    public init(fileText: String, path: String) throws {
        raw = try KeyText.decode(fileText, prefix: Self.prefix, path: path)
        do {
            publicKey = TrustedKey(raw: try Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey.rawRepresentation)
        } catch {
            throw BundleError.badKey(path: path, reason: "not an Ed25519 private key")
        }
    }

    /// Reads a private key file.
    public init(contentsOf path: String) throws {
        try self.init(fileText: KeyText.read(path), path: path)
    }

    /// Writes `PATH` (mode 0600) and `PATH.pub`; refuses to overwrite either.
    public func write(to path: String) throws {
        for target in [path, path + ".pub"] where FileManager.default.fileExists(atPath: target) {
            throw BundleError.exists(path: target)
        }
        try AtomicFile.write(Data(fileText.utf8), to: path, permissions: 0o600)
        try AtomicFile.write(Data(publicKey.fileText.utf8), to: path + ".pub", permissions: 0o644)
    }
}

/// An Ed25519 public key trusted to sign manifests.
public struct TrustedKey: Sendable, Hashable {
    let raw: Data
    static let prefix = "ferry-ed25519-public-key "

    init(raw: Data) { self.raw = raw }

    /// First 16 hex digits of the SHA-256 of the raw key; recorded in manifests.
    public var keyID: String { String(Digest.sha256Hex(raw).prefix(16)) }

    /// The raw 32 bytes.
    public var rawRepresentation: Data { raw }

    /// True when `signature` is a valid signature of `message` by this key.
    public func isValidSignature(_ signature: Data, for message: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// The public key file's text: one line, `ferry-ed25519-public-key BASE64`.
    public var fileText: String { Self.prefix + raw.base64EncodedString() + "\n" }

    /// Parses a public key from its file text.
    public init(fileText: String, path: String) throws {
        raw = try KeyText.decode(fileText, prefix: Self.prefix, path: path)
    }

    /// Reads a public key file.
    public init(contentsOf path: String) throws {
        try self.init(fileText: KeyText.read(path), path: path)
    }

    /// Parses a raw 32-byte key.
    public init(rawRepresentation: Data) throws {
        guard rawRepresentation.count == 32 else {
            throw BundleError.badKey(path: "<raw>", reason: "not a 32-byte Ed25519 public key")
        }
        raw = rawRepresentation
    }

}

enum KeyText {
    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError.io(path: path, reason: "cannot read key file")
        }
        guard data.count < 4096, let text = String(data: data, encoding: .utf8) else {
            throw BundleError.badKey(path: path, reason: "not a Ferry key file")
        }
        return text
    }

    static func decode(_ text: String, prefix: String, path: String) throws -> Data {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix(prefix) else {
            let kind = prefix.contains("private") ? "private" : "public"
            throw BundleError.badKey(path: path, reason: "expected a Ferry Ed25519 \(kind) key ('\(prefix.trimmingCharacters(in: .whitespaces)) …')")
        }
        guard let raw = Data(base64Encoded: String(line.dropFirst(prefix.count))), raw.count == 32 else {
            throw BundleError.badKey(path: path, reason: "key material is not 32 bytes of base64")
        }
        return raw
    }
}
