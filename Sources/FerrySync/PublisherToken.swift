import Crypto
import FerryBundle
import Foundation

/// Publisher tokens: `ferry_<id>_<secret>`. Only the SHA-256 of the whole token is stored; the id
/// names the token in audit logs without revealing it.
public enum PublisherToken {
    /// A new token for `model`, stored as a hash in `catalog`; returns the token text (shown once).
    public static func create(model: String, catalog: any Catalog, now: Int64) async throws -> String {
        try FerryBundle.Manifest.checkName(model, field: "model")
        let id = randomHex(8)
        let token = "ferry_\(id)_\(randomHex(32))"
        try await catalog.createToken(id: id, hash: hash(token), model: model, now: now)
        return token
    }

    /// SHA-256 of the token text.
    public static func hash(_ token: String) -> String { Digest.sha256Hex(Data(token.utf8)) }

    /// Checks the `Authorization` header and the token's scope; 401 without a valid token, 403 out of scope.
    static func authorize(header: String?, model: String, catalog: any Catalog) async throws -> TokenRecord {
        guard let header, !header.isEmpty else {
            throw SyncError(.unauthorized, "missing Authorization header; send 'Authorization: Bearer <publisher token>'")
        }
        guard header.utf8.count <= 256, header.hasPrefix("Bearer ") else {
            throw SyncError(.unauthorized, "Authorization header must be 'Bearer <publisher token>'")
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let record = try await catalog.token(hash: hash(token)) else {
            throw SyncError(.unauthorized, "unknown or revoked publisher token")
        }
        guard record.model == model else {
            throw SyncError(.forbidden, "token \(record.id) may publish '\(record.model)', not '\(model)'")
        }
        return record
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
