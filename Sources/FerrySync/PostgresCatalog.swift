import FerryBundle
import FerrySyncProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The scale-out catalogue: PostgreSQL shared by several stateless service instances.
///
/// Every mutation locks the model's row first (`SELECT … FOR UPDATE`), so publishes, rollouts and
/// rollbacks of one model are serialized across instances; a duplicate version is a clean 409
/// whichever instance it reaches. Every mutation also notifies the other instances on commit
/// (``PostgresChangeListener``), so their caches drop the model at once.
public final class PostgresCatalog: Catalog {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let listenerConfiguration: PostgresConnection.Configuration
    private let listeners = NIOLockedValueBox(Listeners())

    private struct Listeners {
        var tasks: [Task<Void, Never>] = []
        var closed = false
    }

    /// Connects to `url` (`postgres://user:password@host:port/database`).
    public init(url: String, logger: Logger) throws {
        let endpoint = try Endpoint(url)
        client = PostgresClient(configuration: endpoint.poolConfiguration, backgroundLogger: logger)
        listenerConfiguration = endpoint.listenerConfiguration
        self.logger = logger
        let client = self.client
        runner = Task { await client.run() }
    }

    deinit { close() }

    /// Stops the connection pool and any change listener.
    public func close() {
        runner.cancel()
        listeners.withLockedValue {
            $0.closed = true
            for task in $0.tasks { task.cancel() }
        }
    }

    /// Listens for other instances' writes on a dedicated connection, reconnecting until ``close()``.
    public func observeChanges(_ handler: @escaping @Sendable (CatalogChange) -> Void) {
        let listener = PostgresChangeListener(configuration: listenerConfiguration, logger: logger)
        listeners.withLockedValue {
            guard !$0.closed else { return }
            $0.tasks.append(Task { await listener.run(handler) })
        }
    }

    public func migrate() async throws {
        try await transaction { db in
            // Serializes concurrent first starts of several instances.
            try await db.query("SELECT pg_advisory_xact_lock(727272)", logger: logger)
            for statement in Self.schema { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        }
    }

    static let schema = CatalogSchema.statements.map {
        $0.replacingOccurrences(of: "BLOB", with: "BYTEA")
            .replacingOccurrences(of: "id INTEGER PRIMARY KEY AUTOINCREMENT", with: "id BIGSERIAL PRIMARY KEY")
    }

    public func ping() async throws { try await client.query("SELECT 1", logger: logger) }

    public func createToken(id: String, hash: String, model: String, now: Int64) async throws {
        try await client.query("INSERT INTO tokens(id, hash, model, created_at) VALUES (\(id), \(hash), \(model), \(now))", logger: logger)
    }

    public func token(hash: String) async throws -> TokenRecord? {
        for try await (id, model) in try await client.query("SELECT id, model FROM tokens WHERE hash = \(hash)", logger: logger)
            .decode((String, String).self) {
            return TokenRecord(id: id, model: model)
        }
        return nil
    }

    public func publish(_ release: ReleaseRecord, deltas: [DeltaRecord], channel: String, rollout: Double,
                        actor: String, now: Int64) async throws -> (ChannelInfo, Int64) {
        try await mutate(model: release.model, conflict: Self.conflict(release)) { db in
            let existing = try await db.query("""
                SELECT 1 FROM releases WHERE model = \(release.model) AND version = \(release.version)
                  AND platform = \(release.platform) AND runtime = \(release.runtime)
                """, logger: self.logger).collect()
            guard existing.isEmpty else { throw Self.conflict(release) }
            try await db.query("""
                INSERT INTO releases(model, version, platform, runtime, blob_sha256, blob_size, payload_size, payload_sha256,
                                     min_runtime_version, manifest, signature, published_at)
                VALUES (\(release.model), \(release.version), \(release.platform), \(release.runtime), \(release.blobSHA256),
                        \(Int64(release.blobSize)), \(Int64(release.payloadSize)), \(release.payloadSHA256), \(release.minRuntimeVersion),
                        \(ByteBuffer(bytes: release.manifest)), \(ByteBuffer(bytes: release.signature)), \(release.publishedAt))
                """, logger: self.logger)
            for delta in deltas {
                try await db.query("""
                    INSERT INTO deltas(model, platform, runtime, from_version, to_version, from_payload_sha256, blob_sha256, blob_size)
                    VALUES (\(delta.model), \(delta.platform), \(delta.runtime), \(delta.fromVersion), \(delta.toVersion),
                            \(delta.fromPayloadSHA256), \(delta.blobSHA256), \(Int64(delta.blobSize)))
                    ON CONFLICT DO NOTHING
                    """, logger: self.logger)
            }
            let current = try await self.channel(db, model: release.model, name: channel)
            let next: ChannelInfo
            if let current, current.version == release.version || current.candidate == release.version {
                next = current
            } else {
                next = ChannelInfo.afterPublish(current, channel: channel, version: release.version, rollout: rollout)
            }
            try await self.store(db, model: release.model, channel: next)
            try await self.audit(db, at: now, actor: actor, action: "publish", model: release.model, channel: channel,
                                 version: release.version,
                                 detail: "\(release.platform)/\(release.runtime) bundle \(release.blobSHA256) (\(release.blobSize) bytes), rollout \(next.candidate == nil ? 100 : next.rollout)%, \(deltas.count) delta(s)")
            return next
        }
    }

    static func conflict(_ release: ReleaseRecord) -> SyncError {
        SyncError.conflict("\(release.model) \(release.version) for \(release.platform)/\(release.runtime) is already published; versions are immutable, publish a new version")
    }

    public func updateChannel(model: String, channel: String, update: ChannelUpdate, actor: String,
                              now: Int64) async throws -> (ChannelInfo, Int64) {
        try await mutate(model: model) { db in
            var versions = Set<String>()
            for try await version in try await db.query("SELECT DISTINCT version FROM releases WHERE model = \(model)", logger: self.logger)
                .decode(String.self) { versions.insert(version) }
            guard !versions.isEmpty else { throw SyncError.notFound("model '\(model)' has no releases") }
            let current = try await self.channel(db, model: model, name: channel)
            let next = try ChannelInfo.afterUpdate(current, channel: channel, update: update, published: versions.contains)
            try await self.store(db, model: model, channel: next)
            try await self.audit(db, at: now, actor: actor, action: "rollout", model: model, channel: channel,
                                 version: next.candidate ?? next.version,
                                 detail: "version \(next.version ?? "-") candidate \(next.candidate ?? "-") at \(next.rollout)%")
            return next
        }
    }

    public func rollback(model: String, channel: String, version: String, actor: String,
                         now: Int64) async throws -> (ChannelInfo, Int64) {
        try await mutate(model: model) { db in
            let found = try await db.query("SELECT 1 FROM releases WHERE model = \(model) AND version = \(version) LIMIT 1",
                                           logger: self.logger).collect()
            guard !found.isEmpty else { throw SyncError.notFound("\(model) \(version) is not published; cannot roll back to it") }
            let previous = try await self.channel(db, model: model, name: channel)
            let next = ChannelInfo.afterRollback(channel: channel, version: version)
            try await self.store(db, model: model, channel: next)
            try await self.audit(db, at: now, actor: actor, action: "rollback", model: model, channel: channel, version: version,
                                 detail: "from version \(previous?.version ?? "-") candidate \(previous?.candidate ?? "-")")
            return next
        }
    }

    public func snapshot(model: String) async throws -> ModelSnapshot? {
        try await transaction { db in
            try await db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: self.logger)
            var sequence: Int64?
            for try await value in try await db.query("SELECT sequence FROM models WHERE name = \(model)", logger: self.logger)
                .decode(Int64.self) { sequence = value }
            guard let sequence, sequence > 0 else { return nil }
            var releases: [ReleaseRecord] = []
            let releaseRows = try await db.query("""
                SELECT model, version, platform, runtime, blob_sha256, blob_size, payload_size, payload_sha256, min_runtime_version,
                       manifest, signature, published_at FROM releases WHERE model = \(model) ORDER BY published_at, version
                """, logger: self.logger)
            for try await row in releaseRows
                .decode((String, String, String, String, String, Int64, Int64, String, String?, ByteBuffer, ByteBuffer, Int64).self) {
                releases.append(ReleaseRecord(model: row.0, version: row.1, platform: row.2, runtime: row.3, blobSHA256: row.4,
                                              blobSize: Int(row.5), payloadSize: Int(row.6), payloadSHA256: row.7, minRuntimeVersion: row.8,
                                              manifest: Data(buffer: row.9), signature: Data(buffer: row.10), publishedAt: row.11))
            }
            var channels: [ChannelInfo] = []
            for try await row in try await db.query("""
                SELECT name, version, candidate, rollout, device_classes, min_app_version FROM channels WHERE model = \(model) ORDER BY name
                """, logger: self.logger).decode((String, String?, String?, Double, String, String?).self) {
                channels.append(Self.channel(row))
            }
            var deltas: [DeltaRecord] = []
            for try await row in try await db.query("""
                SELECT platform, runtime, from_version, to_version, from_payload_sha256, blob_sha256, blob_size FROM deltas WHERE model = \(model)
                """, logger: self.logger).decode((String, String, String, String, String, String, Int64).self) {
                deltas.append(DeltaRecord(model: model, platform: row.0, runtime: row.1, fromVersion: row.2, toVersion: row.3,
                                          fromPayloadSHA256: row.4, blobSHA256: row.5, blobSize: Int(row.6)))
            }
            return ModelSnapshot(name: model, sequence: sequence, releases: releases, channels: channels, deltas: deltas)
        }
    }

    public func modelSequences() async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for try await (name, sequence) in try await client.query("SELECT name, sequence FROM models WHERE sequence > 0", logger: logger)
            .decode((String, Int64).self) { out[name] = sequence }
        return out
    }

    public func audit(model: String, limit: Int) async throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        for try await row in try await client.query("""
            SELECT id, at, actor, action, model, channel, version, detail FROM audit WHERE model = \(model) ORDER BY id DESC LIMIT \(Int64(limit))
            """, logger: logger).decode((Int64, Int64, String, String, String, String?, String?, String).self) {
            out.append(AuditEntry(id: row.0, at: row.1, actor: row.2, action: row.3, model: row.4, channel: row.5, version: row.6, detail: row.7))
        }
        return out
    }

    // MARK: helpers

    /// Runs a transaction, rethrowing what its body threw (PostgresNIO wraps it) and turning a
    /// unique-key violation into `conflict`.
    func transaction<T>(conflict: SyncError? = nil, _ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            let inner: (any Error)? = error.closureError ?? error.commitError ?? error.beginError
            if let psql = inner as? PSQLError, psql.serverInfo?[.sqlState] == "23505", let conflict { throw conflict }
            throw inner ?? error
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && conflict != nil {
            throw conflict ?? error
        }
    }

    /// Runs `body` in a transaction holding the model's row lock, then bumps its sequence and
    /// announces the change to every listening instance (delivered only if the transaction commits).
    func mutate(model: String, conflict: SyncError? = nil,
                _ body: @escaping (PostgresConnection) async throws -> ChannelInfo) async throws -> (ChannelInfo, Int64) {
        try await transaction(conflict: conflict) { db in
            try await db.query("INSERT INTO models(name, sequence) VALUES (\(model), 0) ON CONFLICT (name) DO NOTHING", logger: self.logger)
            try await db.query("SELECT sequence FROM models WHERE name = \(model) FOR UPDATE", logger: self.logger)
            let info = try await body(db)
            var sequence: Int64 = 0
            for try await value in try await db.query(
                "UPDATE models SET sequence = sequence + 1 WHERE name = \(model) RETURNING sequence", logger: self.logger).decode(Int64.self) {
                sequence = value
            }
            try await db.query("SELECT pg_notify(\(PostgresChangeListener.channel), \(model))", logger: self.logger)
            return (info, sequence)
        }
    }

    func channel(_ db: PostgresConnection, model: String, name: String) async throws -> ChannelInfo? {
        for try await row in try await db.query("""
            SELECT name, version, candidate, rollout, device_classes, min_app_version FROM channels WHERE model = \(model) AND name = \(name)
            """, logger: logger).decode((String, String?, String?, Double, String, String?).self) {
            return Self.channel(row)
        }
        return nil
    }

    static func channel(_ row: (String, String?, String?, Double, String, String?)) -> ChannelInfo {
        let classes = (try? JSONDecoder().decode([String].self, from: Data(row.4.utf8))) ?? []
        return ChannelInfo(name: row.0, version: row.1, candidate: row.2, rollout: row.3, deviceClasses: classes, minAppVersion: row.5)
    }

    func store(_ db: PostgresConnection, model: String, channel: ChannelInfo) async throws {
        let classes = String(decoding: try WireJSON.encode(channel.deviceClasses), as: UTF8.self)
        try await db.query("""
            INSERT INTO channels(model, name, version, candidate, rollout, device_classes, min_app_version)
            VALUES (\(model), \(channel.name), \(channel.version), \(channel.candidate), \(channel.rollout), \(classes), \(channel.minAppVersion))
            ON CONFLICT (model, name) DO UPDATE SET version = excluded.version, candidate = excluded.candidate,
              rollout = excluded.rollout, device_classes = excluded.device_classes, min_app_version = excluded.min_app_version
            """, logger: logger)
    }

    func audit(_ db: PostgresConnection, at: Int64, actor: String, action: String, model: String, channel: String?,
               version: String?, detail: String) async throws {
        try await db.query("""
            INSERT INTO audit(at, actor, action, model, channel, version, detail)
            VALUES (\(at), \(actor), \(action), \(model), \(channel), \(version), \(detail))
            """, logger: logger)
    }
}
