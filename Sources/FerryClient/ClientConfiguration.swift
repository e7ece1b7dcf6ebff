import FerryBundle
import Foundation

/// Who the device is, which service it asks, and which keys it trusts.
public struct ClientConfiguration: Sendable {
    /// Base URL of the sync service.
    public var server: URL
    public var model: String
    public var channel: String
    public var platform: String
    public var runtime: String
    public var runtimeVersion: String?
    public var appID: String?
    public var appVersion: String?
    public var deviceClass: String?
    /// A stable, app-scoped identifier; decides the rollout bucket.
    public var deviceID: String
    /// Publisher keys: every manifest must be signed by one of them.
    public var trustedKeys: [TrustedKey]
    /// The service's metadata keys. Empty: the key is pinned the first time (trust on first use).
    public var metadataKeys: [TrustedKey]
    /// Holds installed versions, partial downloads and the client state.
    public var cacheDirectory: URL
    /// Size limits applied to everything downloaded.
    public var limits: BundleLimits

    public init(server: URL, model: String, channel: String = "stable", platform: String, runtime: String,
                runtimeVersion: String? = nil, appID: String? = nil, appVersion: String? = nil, deviceClass: String? = nil,
                deviceID: String, trustedKeys: [TrustedKey], metadataKeys: [TrustedKey] = [], cacheDirectory: URL,
                limits: BundleLimits = .default) {
        self.server = server
        self.model = model
        self.channel = channel
        self.platform = platform
        self.runtime = runtime
        self.runtimeVersion = runtimeVersion
        self.appID = appID
        self.appVersion = appVersion
        self.deviceClass = deviceClass
        self.deviceID = deviceID
        self.trustedKeys = trustedKeys
        self.metadataKeys = metadataKeys
        self.cacheDirectory = cacheDirectory
        self.limits = limits
    }
}

/// A verified model version on disk.
public struct InstalledModel: Sendable, Equatable {
    public var version: String
    /// The folder holding the model files (and `.ferry/manifest.json`).
    public var directory: URL
    public var manifest: Manifest
}

/// What ``FerryClient/update()`` did.
public enum UpdateOutcome: Sendable, Equatable {
    /// The installed version is the one to run.
    case upToDate(InstalledModel)
    /// A new version was installed, from a patch or the full bundle.
    case installed(InstalledModel, viaDelta: Bool, bytesDownloaded: Int)
    /// The service could not be reached; the cached version is in use.
    case offline(InstalledModel, reason: String)
    /// No release fits this device; the cached version (if any) stays.
    case noRelease(InstalledModel?)
}
