import FerryBundle
import FerrySyncProtocol
import Foundation
import Logging
import Prometheus

/// One service instance: catalogue, blobs, metadata key, caches and metrics. The HTTP layer
/// (``SyncServer``) is a thin shell over it.
public final class SyncService: Sendable {
    public let configuration: SyncConfiguration
    public let catalog: any Catalog
    public let blobs: BlobStore
    /// Signs resolve answers; clients pin its public key.
    public let metadataKey: SigningKey
    let cache: ResolveCache
    let blobCache: BlobCache
    let metrics: ServiceMetrics
    let logger: Logger
    /// The embedded catalogue this instance opened (and so closes); a catalogue passed in belongs to the caller.
    let ownedCatalog: SQLiteCatalog?

    /// Opens the data folder, creating the database, blob folders and metadata key on first start.
    /// `catalog` replaces the embedded SQLite catalogue (for example a ``PostgresCatalog``).
    public static func open(_ configuration: SyncConfiguration, catalog: (any Catalog)? = nil, logger: Logger) async throws -> SyncService {
        let fm = FileManager.default
        do { try fm.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true) } catch {
            throw BundleError.io(path: configuration.dataDirectory.path, reason: "cannot create data folder")
        }
        let keyPath = configuration.resolvedMetadataKeyPath
        let key: SigningKey
        if fm.fileExists(atPath: keyPath) {
            key = try SigningKey(contentsOf: keyPath)
        } else {
            key = SigningKey()
            try key.write(to: keyPath)
            logger.info("created metadata signing key", metadata: ["path": "\(keyPath)", "key_id": "\(key.publicKey.keyID)"])
        }
        if let catalog {
            try await catalog.migrate()
            // A shared database: other instances may share the blob folder too.
            let blobs = try BlobStore(root: configuration.blobRoot, exclusive: catalog is SQLiteCatalog)
            return SyncService(configuration: configuration, catalog: catalog, blobs: blobs, metadataKey: key, logger: logger)
        }
        // The embedded SQLite catalogue: this instance owns the data folder and the connection.
        let store = try await SQLiteCatalog.open(path: configuration.catalogPath, logger: logger)
        do {
            let blobs = try BlobStore(root: configuration.blobRoot, exclusive: true)
            return SyncService(configuration: configuration, catalog: store, blobs: blobs, metadataKey: key, logger: logger, owning: store)
        } catch {
            try? await store.close()
            throw error
        }
    }

    init(configuration: SyncConfiguration, catalog: any Catalog, blobs: BlobStore, metadataKey: SigningKey, logger: Logger,
         owning ownedCatalog: SQLiteCatalog? = nil) {
        self.ownedCatalog = ownedCatalog
        self.configuration = configuration
        self.catalog = catalog
        self.blobs = blobs
        self.metadataKey = metadataKey
        self.cache = ResolveCache(refreshInterval: configuration.snapshotRefreshInterval, resignAfter: 3600)
        self.blobCache = BlobCache(capacity: configuration.blobCacheBytes, maxBlob: 64 << 20)
        self.metrics = ServiceMetrics()
        self.logger = logger
        catalog.observeChanges { [cache, metrics] change in Self.apply(change, to: cache, metrics: metrics, logger: logger) }
    }

    /// Closes the catalogue connection this instance opened itself; call once the server has stopped.
    public func close() async throws {
        try await ownedCatalog?.close()
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
