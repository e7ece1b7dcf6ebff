import Foundation

/// The service's answer to "what should I run?", signed inside ``SignedMetadata``.
public struct ResolveDecision: Codable, Sendable, Equatable {
    public var model: String
    public var channel: String
    /// Per-model catalogue sequence: grows with every publish, rollout change and rollback.
    public var sequence: Int64
    /// Unix seconds when the answer was signed.
    public var issuedAt: Int64
    /// Unix seconds after which a client must not trust the answer.
    public var expiresAt: Int64
    /// The platform and runtime the answer is for.
    public var platform: String
    public var runtime: String
    /// The release to run, or nil when none fits this device.
    public var release: ReleaseInfo?

    public init(model: String, channel: String, sequence: Int64, issuedAt: Int64, expiresAt: Int64,
                platform: String, runtime: String, release: ReleaseInfo?) {
        self.model = model
        self.channel = channel
        self.sequence = sequence
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.platform = platform
        self.runtime = runtime
        self.release = release
    }
}

/// One published bundle as a client sees it.
public struct ReleaseInfo: Codable, Sendable, Equatable {
    public var version: String
    /// The bundle's manifest bytes, exactly as signed by the publisher.
    public var manifest: Data
    /// The publisher's Ed25519 signature over the manifest.
    public var manifestSignature: Data
    /// The full bundle.
    public var bundle: BlobRef
    /// A patch from the version the device said it has, when one exists and is smaller.
    public var delta: DeltaRef?

    public init(version: String, manifest: Data, manifestSignature: Data, bundle: BlobRef, delta: DeltaRef?) {
        self.version = version
        self.manifest = manifest
        self.manifestSignature = manifestSignature
        self.bundle = bundle
        self.delta = delta
    }
}

/// A content-addressed blob: its SHA-256 is its name.
public struct BlobRef: Codable, Sendable, Equatable {
    public var sha256: String
    public var size: Int
    /// Path on the service (`/v1/blobs/SHA256`), relative to the server URL.
    public var url: String

    public init(sha256: String, size: Int) {
        self.sha256 = sha256
        self.size = size
        self.url = "/v1/blobs/\(sha256)"
    }
}

/// A zstd patch from one version's payload to another's.
public struct DeltaRef: Codable, Sendable, Equatable {
    public var fromVersion: String
    /// SHA-256 of the uncompressed payload the patch applies to.
    public var fromPayloadSHA256: String
    public var blob: BlobRef

    public init(fromVersion: String, fromPayloadSHA256: String, blob: BlobRef) {
        self.fromVersion = fromVersion
        self.fromPayloadSHA256 = fromPayloadSHA256
        self.blob = blob
    }
}
