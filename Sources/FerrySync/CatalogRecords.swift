import FerrySyncProtocol
import Foundation

/// A published release as stored.
public struct ReleaseRecord: Sendable, Equatable {
    public var model: String
    public var version: String
    public var platform: String
    public var runtime: String
    public var blobSHA256: String
    public var blobSize: Int
    public var payloadSize: Int
    public var payloadSHA256: String
    public var minRuntimeVersion: String?
    public var manifest: Data
    public var signature: Data
    public var publishedAt: Int64

    var summary: ReleaseSummary {
        ReleaseSummary(version: version, platform: platform, runtime: runtime,
                       bundle: BlobRef(sha256: blobSHA256, size: blobSize), payloadSize: payloadSize, publishedAt: publishedAt)
    }
}

/// A stored patch between two releases of one model, platform and runtime.
public struct DeltaRecord: Sendable, Equatable {
    public var model: String
    public var platform: String
    public var runtime: String
    public var fromVersion: String
    public var toVersion: String
    public var fromPayloadSHA256: String
    public var blobSHA256: String
    public var blobSize: Int

    var ref: DeltaRef {
        DeltaRef(fromVersion: fromVersion, fromPayloadSHA256: fromPayloadSHA256, blob: BlobRef(sha256: blobSHA256, size: blobSize))
    }
}

/// Everything resolve needs about one model, read in one transaction.
public struct ModelSnapshot: Sendable {
    public var name: String
    public var sequence: Int64
    public var releases: [ReleaseRecord]
    public var channels: [ChannelInfo]
    public var deltas: [DeltaRecord]

    var info: ModelInfo {
        ModelInfo(name: name, sequence: sequence, releases: releases.map(\.summary), channels: channels)
    }
}

/// A publisher token as stored: its id (shown in audit logs) and the model it may publish.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var model: String
}
