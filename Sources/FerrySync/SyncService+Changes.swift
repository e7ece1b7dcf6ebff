import Logging

extension SyncService {
    /// Drops what this instance cached about a model that a write through any instance changed
    /// (every model when changes may have been missed), so the next resolve reads the catalogue.
    ///
    /// Dropping the snapshot is enough for the signed answers too: they are keyed by the snapshot's
    /// sequence, which every write bumps.
    static func apply(_ change: CatalogChange, to cache: ResolveCache, metrics: ServiceMetrics, logger: Logger) {
        switch change {
        case .model(let name):
            cache.invalidate(name)
            logger.debug("catalogue change: cached snapshot dropped", metadata: ["model": "\(name)"])
        case .all:
            cache.invalidateAll()
            logger.debug("catalogue changes may have been missed: all cached snapshots dropped")
        }
        metrics.invalidated(change)
    }
}
