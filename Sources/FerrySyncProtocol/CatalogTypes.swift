import Foundation

/// A channel's state: the version everyone gets, and optionally a candidate in staged rollout.
public struct ChannelInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The version devices outside the rollout get (nil before the first publish).
    public var version: String?
    /// The version being rolled out, if any.
    public var candidate: String?
    /// Share of devices that get the candidate, 0 to 100 (two decimals).
    public var rollout: Double
    /// Device classes the candidate is limited to (empty: all).
    public var deviceClasses: [String]
    /// Lowest app version that gets the candidate, if any.
    public var minAppVersion: String?

    public init(name: String, version: String?, candidate: String?, rollout: Double,
                deviceClasses: [String] = [], minAppVersion: String? = nil) {
        self.name = name
        self.version = version
        self.candidate = candidate
        self.rollout = rollout
        self.deviceClasses = deviceClasses
        self.minAppVersion = minAppVersion
    }
}

/// A published release in listings.
public struct ReleaseSummary: Codable, Sendable, Equatable {
    public var version: String
    public var platform: String
    public var runtime: String
    public var bundle: BlobRef
    public var payloadSize: Int
    public var publishedAt: Int64

    public init(version: String, platform: String, runtime: String, bundle: BlobRef, payloadSize: Int, publishedAt: Int64) {
        self.version = version
        self.platform = platform
        self.runtime = runtime
        self.bundle = bundle
        self.payloadSize = payloadSize
        self.publishedAt = publishedAt
    }
}

/// A model with its releases and channels.
public struct ModelInfo: Codable, Sendable, Equatable {
    public var name: String
    public var sequence: Int64
    public var releases: [ReleaseSummary]
    public var channels: [ChannelInfo]

    public init(name: String, sequence: Int64, releases: [ReleaseSummary], channels: [ChannelInfo]) {
        self.name = name
        self.sequence = sequence
        self.releases = releases
        self.channels = channels
    }
}

/// Body of `PUT /v1/models/{model}/channels/{channel}`: start, change or finish a rollout.
public struct ChannelUpdate: Codable, Sendable, Equatable {
    /// The version to roll out; nil keeps the current candidate.
    public var version: String?
    /// Share of devices, 0 to 100; 100 promotes the candidate to everyone.
    public var rollout: Double
    public var deviceClasses: [String]?
    public var minAppVersion: String?

    public init(version: String? = nil, rollout: Double, deviceClasses: [String]? = nil, minAppVersion: String? = nil) {
        self.version = version
        self.rollout = rollout
        self.deviceClasses = deviceClasses
        self.minAppVersion = minAppVersion
    }
}

/// Body of `POST /v1/models/{model}/channels/{channel}/rollback`.
public struct RollbackRequest: Codable, Sendable, Equatable {
    public var version: String

    public init(version: String) { self.version = version }
}

/// Answer to a publish.
public struct PublishResult: Codable, Sendable, Equatable {
    public var model: String
    public var version: String
    public var platform: String
    public var runtime: String
    public var bundle: BlobRef
    public var channel: ChannelInfo
    public var sequence: Int64
    /// Patches made from earlier versions: from-version and size.
    public var deltas: [DeltaRef]

    public init(model: String, version: String, platform: String, runtime: String, bundle: BlobRef,
                channel: ChannelInfo, sequence: Int64, deltas: [DeltaRef]) {
        self.model = model
        self.version = version
        self.platform = platform
        self.runtime = runtime
        self.bundle = bundle
        self.channel = channel
        self.sequence = sequence
        self.deltas = deltas
    }
}

/// One audit-log entry.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    /// Which token acted (its id, never the secret).
    public var actor: String
    /// `publish`, `rollout` or `rollback`.
    public var action: String
    public var model: String
    public var channel: String?
    public var version: String?
    public var detail: String

    public init(id: Int64, at: Int64, actor: String, action: String, model: String, channel: String?, version: String?, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.model = model
        self.channel = channel
        self.version = version
        self.detail = detail
    }
}

/// The body of every error response.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// One line saying what was wrong, naming the field or header.
    public var error: String

    public init(error: String) { self.error = error }
}
