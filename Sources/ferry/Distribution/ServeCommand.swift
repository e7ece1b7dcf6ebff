import ArgumentParser
import FerryBundle
import FerrySync
import Foundation
import Logging

/// `ferry serve --data DIR [--port N] [--database URL] --trusted-key KEY.pub…`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the sync service: publish, resolve with staged rollout, downloads, deltas, audit, metrics.")

    @Option(help: "Data folder: catalogue database, blobs and the metadata key; created on first start.") var data: String
    @Option(help: "TCP port (0 picks a free one).") var port: Int = 8080
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "Catalogue database: postgres://user:password@host:port/db lets several instances share one catalogue (give them one --data volume and --metadata-key); default: SQLite in the data folder.")
    var database: String?
    @Option(name: .customLong("trusted-key"), help: "Publisher public key(s) whose bundles may be published.") var trustedKeys: [String] = []
    @Option(help: "Largest bundle accepted, in MiB.") var maxBundleMib: Int = 2048
    @Option(help: "Metadata signing key (default DATA/metadata.key, created if missing); share it between instances.")
    var metadataKey: String?
    @Option(help: "Seconds a signed resolve answer stays valid.") var metadataLifetime: Int64 = 86_400
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"

    func run() async throws {
        try await reportingDistributionErrors {
            guard (0...65_535).contains(port) else { throw CLIError("--port must be 0 to 65535") }
            guard maxBundleMib > 0 else { throw CLIError("--max-bundle-mib must be positive") }
            guard let level = Logger.Level(rawValue: logLevel) else { throw CLIError("--log-level '\(logLevel)' is not a log level") }
            if let database, !database.hasPrefix("postgres://"), !database.hasPrefix("postgresql://") {
                throw CLIError("--database must be a postgres:// URL (omit it for the embedded SQLite catalogue)")
            }
            let keys = try loadTrustedKeys(trustedKeys)
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "ferry.serve")
            let configuration = SyncConfiguration(
                dataDirectory: URL(fileURLWithPath: data), host: host, port: port, trustedKeys: keys,
                maxBundleSize: maxBundleMib << 20, metadataLifetime: metadataLifetime, metadataKeyPath: metadataKey)
            let catalog: (any Catalog)? = try database.map { try PostgresCatalog(url: $0, logger: logger) }
            let service = try await SyncService.open(configuration, catalog: catalog, logger: logger)
            let keyID = service.metadataKey.publicKey.keyID
            do {
                try await SyncServer.run(service) { bound in
                    logger.notice("listening", metadata: ["url": "http://\(host):\(bound)", "data": "\(data)", "metadata_key_id": "\(keyID)",
                                                          "trusted_keys": "\(keys.map(\.keyID).joined(separator: ","))"])
                }
            } catch {
                try? await service.close()
                try? await catalog?.close()
                throw error
            }
            try await service.close()
            try await catalog?.close()
        }
    }
}
