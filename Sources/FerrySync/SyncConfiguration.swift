import FerryBundle
import Foundation

/// How a sync service instance runs. Only `dataDirectory` and `trustedKeys` are required.
public struct SyncConfiguration: Sendable {
    /// Holds `catalog.sqlite`, `blobs/` and `metadata.key` (all created on first start).
    public var dataDirectory: URL
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Publisher keys whose bundles may be published.
    public var trustedKeys: [TrustedKey]
    /// Largest bundle accepted by publish.
    public var maxBundleSize: Int
    /// How long a signed resolve answer stays valid (freeze-attack window), in seconds.
    public var metadataLifetime: Int64
    /// Seconds a cached snapshot is trusted before checking the catalogue again: the fallback
    /// for writes through other instances, which a PostgreSQL catalogue announces at once.
    public var snapshotRefreshInterval: Double
    /// How many earlier versions get a patch to each new release.
    public var deltaHistory: Int
    /// The service's metadata signing key; default `DATA/metadata.key`, created if missing.
    public var metadataKeyPath: String?
    /// Memory for caching downloaded blobs (immutable, so never stale); 0 serves from disk.
    public var blobCacheBytes: Int

    public init(dataDirectory: URL, host: String = "127.0.0.1", port: Int = 8080, trustedKeys: [TrustedKey],
                maxBundleSize: Int = 2 << 30, metadataLifetime: Int64 = 86_400, snapshotRefreshInterval: Double = 2,
                deltaHistory: Int = 3, metadataKeyPath: String? = nil, blobCacheBytes: Int = 256 << 20) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.trustedKeys = trustedKeys
        self.maxBundleSize = maxBundleSize
        self.metadataLifetime = metadataLifetime
        self.snapshotRefreshInterval = snapshotRefreshInterval
        self.deltaHistory = deltaHistory
        self.metadataKeyPath = metadataKeyPath
        self.blobCacheBytes = blobCacheBytes
    }

    var catalogPath: String { dataDirectory.appendingPathComponent("catalog.sqlite").path }  // see SQLiteCatalog.open(dataDirectory:)
    var blobRoot: URL { dataDirectory.appendingPathComponent("blobs") }
    var resolvedMetadataKeyPath: String { metadataKeyPath ?? dataDirectory.appendingPathComponent("metadata.key").path }
}
