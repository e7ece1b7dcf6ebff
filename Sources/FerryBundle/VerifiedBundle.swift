import Foundation

/// A bundle whose framing, manifest, signature and compressed-payload hash have been checked.
///
/// Nothing is decompressed until ``files()``, which checks every file's hash before returning.
public struct VerifiedBundle: Sendable {
    /// The signed manifest.
    public let manifest: Manifest
    /// The exact manifest bytes that were signed.
    public let manifestBytes: Data
    /// The Ed25519 signature over ``BundleFormat/signedMessage(manifestBytes:)``.
    public let signature: Data
    /// The zstd frame holding the payload.
    public let frame: Data
    /// Where the bundle came from, for messages.
    public let source: String

    /// Parses and verifies `data`. The signature must verify with one of `trustedKeys`.
    public init(data: Data, source: String, trustedKeys: [TrustedKey], limits: BundleLimits = .default) throws {
        let parsed = try Self.parse(data: data, source: source, limits: limits)
        let key = try Self.verifySignature(manifestBytes: parsed.manifestBytes, signature: parsed.signature,
                                           keyID: parsed.manifest.keyID, trustedKeys: trustedKeys, source: source)
        _ = key
        try parsed.manifest.validate(limits: limits)
        guard parsed.frame.count == parsed.manifest.payload.compressedSize else {
            throw BundleError.malformed(file: source, reason: "truncated or extended: payload is \(parsed.frame.count) bytes, manifest says \(parsed.manifest.payload.compressedSize)")
        }
        guard Digest.sha256Hex(parsed.frame) == parsed.manifest.payload.compressedSHA256 else {
            throw BundleError.hashMismatch(file: source, entry: "compressed payload")
        }
        manifest = parsed.manifest
        manifestBytes = parsed.manifestBytes
        signature = parsed.signature
        frame = parsed.frame
        self.source = source
    }

    /// Reads and verifies a bundle file, refusing files over the size limit before reading them.
    public init(contentsOf path: String, trustedKeys: [TrustedKey], limits: BundleLimits = .default) throws {
        let size: Int
        do { size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 } catch {
            throw BundleError.io(path: path, reason: "no such file")
        }
        guard size <= limits.maxBundleSize else { throw BundleError.tooLarge(file: path, what: "bundle file", limit: limits.maxBundleSize) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw BundleError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data, source: path, trustedKeys: trustedKeys, limits: limits)
    }

    /// Decompresses the payload (bounded by the signed size) and checks every hash.
    public func files() throws -> [BundleInput] {
        let payload = try Zstd.decompress(frame, expectedSize: manifest.payload.size, file: source)
        return try Payload.split(payload, manifest: manifest, file: source)
    }

    /// The uncompressed payload, hash-checked; the reference for deltas.
    public func payload() throws -> Data {
        let payload = try Zstd.decompress(frame, expectedSize: manifest.payload.size, file: source)
        guard Digest.sha256Hex(payload) == manifest.payload.sha256 else { throw BundleError.hashMismatch(file: source, entry: "payload") }
        return payload
    }

    /// Verifies a detached manifest signature (as served by the sync service) and decodes the manifest.
    public static func verifyManifest(_ manifestBytes: Data, signature: Data, trustedKeys: [TrustedKey],
                                      source: String, limits: BundleLimits = .default) throws -> Manifest {
        guard manifestBytes.count <= limits.maxManifestSize else {
            throw BundleError.tooLarge(file: source, what: "manifest", limit: limits.maxManifestSize)
        }
        let manifest = try BundleFormat.decodeManifest(manifestBytes, file: source)
        _ = try verifySignature(manifestBytes: manifestBytes, signature: signature, keyID: manifest.keyID,
                                trustedKeys: trustedKeys, source: source)
        try manifest.validate(limits: limits)
        return manifest
    }

    static func verifySignature(manifestBytes: Data, signature: Data, keyID: String, trustedKeys: [TrustedKey],
                                source: String) throws -> TrustedKey {
        let message = BundleFormat.signedMessage(manifestBytes: manifestBytes)
        guard signature.count == BundleFormat.signatureSize,
              let key = trustedKeys.first(where: { $0.isValidSignature(signature, for: message) })
        else { throw BundleError.badSignature(file: source, keyID: keyID) }
        return key
    }

    struct Parsed {
        var manifest: Manifest
        var manifestBytes: Data
        var signature: Data
        var frame: Data
    }

    static func parse(data: Data, source: String, limits: BundleLimits) throws -> Parsed {
        guard data.count <= limits.maxBundleSize else { throw BundleError.tooLarge(file: source, what: "bundle", limit: limits.maxBundleSize) }
        guard data.count >= BundleFormat.headerSize, data.prefix(8) == BundleFormat.magic else {
            throw BundleError.malformed(file: source, reason: "missing FERRYBDL magic (is this a bundle?)")
        }
        let version = BundleFormat.readUInt32(data, at: 8)
        guard version == BundleFormat.containerVersion else {
            throw BundleError.malformed(file: source, reason: "container version \(version) is not supported")
        }
        let length = Int(BundleFormat.readUInt32(data, at: 12))
        guard length <= limits.maxManifestSize else { throw BundleError.tooLarge(file: source, what: "manifest", limit: limits.maxManifestSize) }
        let manifestEnd = BundleFormat.headerSize + length
        guard data.count >= manifestEnd + BundleFormat.signatureSize else {
            throw BundleError.malformed(file: source, reason: "truncated before the end of the manifest and signature")
        }
        let base = data.startIndex
        let manifestBytes = data.subdata(in: (base + BundleFormat.headerSize)..<(base + manifestEnd))
        let signature = data.subdata(in: (base + manifestEnd)..<(base + manifestEnd + BundleFormat.signatureSize))
        let frame = data.subdata(in: (base + manifestEnd + BundleFormat.signatureSize)..<data.endIndex)
        let manifest = try BundleFormat.decodeManifest(manifestBytes, file: source)
        return Parsed(manifest: manifest, manifestBytes: manifestBytes, signature: signature, frame: frame)
    }

    /// Reads the manifest without verifying anything: for `inspect`, never for installing.
    public static func unverifiedManifest(data: Data, source: String, limits: BundleLimits = .default) throws -> Manifest {
        try parse(data: data, source: source, limits: limits).manifest
    }
}
