import FerryBundle
import FerrySyncProtocol
import Foundation
import Logging
import SQLiteNIO

/// The embedded catalogue: one SQLite file in WAL mode, transactions serialized on one connection.
public final class SQLiteCatalog: Catalog {
    let connection: SQLiteConnection
    let lock = AsyncLock()

    /// Opens (creating if needed) the database at `path`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteCatalog {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let catalog = SQLiteCatalog(connection: connection)
        try await catalog.migrate()
        return catalog
    }

    init(connection: SQLiteConnection) { self.connection = connection }

    /// Closes the connection (once; later calls do nothing).
    public func close() async throws {
        guard !connection.isClosed else { return }
        try await connection.close()
    }

    public func migrate() async throws {
        _ = try await connection.query("PRAGMA journal_mode=WAL")
        _ = try await connection.query("PRAGMA synchronous=FULL")
        _ = try await connection.query("PRAGMA busy_timeout=5000")
        try await transaction { db in
            for statement in CatalogSchema.statements { _ = try await db.query(statement) }
        }
    }

    public func ping() async throws { _ = try await connection.query("SELECT 1") }

    public func createToken(id: String, hash: String, model: String, now: Int64) async throws {
        try await transaction { db in
            _ = try await db.query("INSERT INTO tokens(id, hash, model, created_at) VALUES (?, ?, ?, ?)",
                                   [.text(id), .text(hash), .text(model), .integer(Int(now))])
        }
    }

    public func token(hash: String) async throws -> TokenRecord? {
        let rows = try await connection.query("SELECT id, model FROM tokens WHERE hash = ?", [.text(hash)])
        return rows.first.map { TokenRecord(id: $0.column("id")?.string ?? "", model: $0.column("model")?.string ?? "") }
    }

    public func publish(_ release: ReleaseRecord, deltas: [DeltaRecord], channel: String, rollout: Double,
                        actor: String, now: Int64) async throws -> (ChannelInfo, Int64) {
        try await transaction { db in
            let existing = try await db.query(
                "SELECT blob_sha256 FROM releases WHERE model = ? AND version = ? AND platform = ? AND runtime = ?",
                [.text(release.model), .text(release.version), .text(release.platform), .text(release.runtime)])
            guard existing.isEmpty else {
                throw SyncError.conflict("\(release.model) \(release.version) for \(release.platform)/\(release.runtime) is already published; versions are immutable, publish a new version")
            }
            _ = try await db.query("""
                INSERT INTO releases(model, version, platform, runtime, blob_sha256, blob_size, payload_size, payload_sha256,
                                     min_runtime_version, manifest, signature, published_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(release.model), .text(release.version), .text(release.platform), .text(release.runtime),
                      .text(release.blobSHA256), .integer(release.blobSize), .integer(release.payloadSize),
                      .text(release.payloadSHA256), release.minRuntimeVersion.map { .text($0) } ?? .null,
                      .blob(ByteBuffer(bytes: release.manifest)), .blob(ByteBuffer(bytes: release.signature)),
                      .integer(Int(release.publishedAt))])
            for delta in deltas {
                _ = try await db.query("""
                    INSERT OR REPLACE INTO deltas(model, platform, runtime, from_version, to_version, from_payload_sha256, blob_sha256, blob_size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.text(delta.model), .text(delta.platform), .text(delta.runtime), .text(delta.fromVersion),
                          .text(delta.toVersion), .text(delta.fromPayloadSHA256), .text(delta.blobSHA256), .integer(delta.blobSize)])
            }
            let current = try await Self.channel(db, model: release.model, name: channel)
            // Another platform's release of a version the channel already serves changes nothing.
            let next: ChannelInfo
            if let current, current.version == release.version || current.candidate == release.version {
                next = current
            } else {
                next = ChannelInfo.afterPublish(current, channel: channel, version: release.version, rollout: rollout)
            }
            try await Self.store(db, model: release.model, channel: next)
            let sequence = try await Self.bump(db, model: release.model)
            try await Self.audit(db, at: now, actor: actor, action: "publish", model: release.model, channel: channel,
                                 version: release.version,
                                 detail: "\(release.platform)/\(release.runtime) bundle \(release.blobSHA256) (\(release.blobSize) bytes), rollout \(next.candidate == nil ? 100 : next.rollout)%, \(deltas.count) delta(s)")
            return (next, sequence)
        }
    }

    public func updateChannel(model: String, channel: String, update: ChannelUpdate, actor: String,
                              now: Int64) async throws -> (ChannelInfo, Int64) {
        try await transaction { db in
            let versions = Set(try await db.query("SELECT DISTINCT version FROM releases WHERE model = ?", [.text(model)])
                .compactMap { $0.column("version")?.string })
            guard !versions.isEmpty else { throw SyncError.notFound("model '\(model)' has no releases") }
            let current = try await Self.channel(db, model: model, name: channel)
            let next = try ChannelInfo.afterUpdate(current, channel: channel, update: update, published: versions.contains)
            try await Self.store(db, model: model, channel: next)
            let sequence = try await Self.bump(db, model: model)
            try await Self.audit(db, at: now, actor: actor, action: "rollout", model: model, channel: channel,
                                 version: next.candidate ?? next.version,
                                 detail: "version \(next.version ?? "-") candidate \(next.candidate ?? "-") at \(next.rollout)%")
            return (next, sequence)
        }
    }

    public func rollback(model: String, channel: String, version: String, actor: String,
                         now: Int64) async throws -> (ChannelInfo, Int64) {
        try await transaction { db in
            let found = try await db.query("SELECT 1 FROM releases WHERE model = ? AND version = ? LIMIT 1", [.text(model), .text(version)])
            guard !found.isEmpty else { throw SyncError.notFound("\(model) \(version) is not published; cannot roll back to it") }
            let previous = try await Self.channel(db, model: model, name: channel)
            let next = ChannelInfo.afterRollback(channel: channel, version: version)
            try await Self.store(db, model: model, channel: next)
            let sequence = try await Self.bump(db, model: model)
            try await Self.audit(db, at: now, actor: actor, action: "rollback", model: model, channel: channel, version: version,
                                 detail: "from version \(previous?.version ?? "-") candidate \(previous?.candidate ?? "-")")
            return (next, sequence)
        }
    }

    public func snapshot(model: String) async throws -> ModelSnapshot? {
        try await transaction { db in
            guard let seqRow = try await db.query("SELECT sequence FROM models WHERE name = ?", [.text(model)]).first,
                  let sequence = seqRow.column("sequence")?.integer else { return nil }
            let releases = try await db.query("SELECT * FROM releases WHERE model = ? ORDER BY published_at, version", [.text(model)])
                .map(Self.release)
            let channels = try await db.query("SELECT * FROM channels WHERE model = ? ORDER BY name", [.text(model)]).map(Self.channel)
            let deltas = try await db.query("SELECT * FROM deltas WHERE model = ?", [.text(model)]).map(Self.delta)
            return ModelSnapshot(name: model, sequence: Int64(sequence), releases: releases, channels: channels, deltas: deltas)
        }
    }

    public func modelSequences() async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await connection.query("SELECT name, sequence FROM models") {
            if let name = row.column("name")?.string, let seq = row.column("sequence")?.integer { out[name] = Int64(seq) }
        }
        return out
    }

    public func audit(model: String, limit: Int) async throws -> [AuditEntry] {
        try await connection.query("SELECT * FROM audit WHERE model = ? ORDER BY id DESC LIMIT ?", [.text(model), .integer(limit)]).map { row in
            AuditEntry(id: Int64(row.column("id")?.integer ?? 0), at: Int64(row.column("at")?.integer ?? 0),
                       actor: row.column("actor")?.string ?? "", action: row.column("action")?.string ?? "",
                       model: row.column("model")?.string ?? "", channel: row.column("channel")?.string,
                       version: row.column("version")?.string, detail: row.column("detail")?.string ?? "")
        }
    }

    // MARK: helpers run inside a transaction

    func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = self.connection
        return try await lock.withLock {
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                let value = try await body(connection)
                _ = try await connection.query("COMMIT")
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    static func channel(_ db: SQLiteConnection, model: String, name: String) async throws -> ChannelInfo? {
        try await db.query("SELECT * FROM channels WHERE model = ? AND name = ?", [.text(model), .text(name)]).first.map(channel)
    }

    static func store(_ db: SQLiteConnection, model: String, channel: ChannelInfo) async throws {
        let classes = String(decoding: try WireJSON.encode(channel.deviceClasses), as: UTF8.self)
        _ = try await db.query("""
            INSERT INTO channels(model, name, version, candidate, rollout, device_classes, min_app_version) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(model, name) DO UPDATE SET version = excluded.version, candidate = excluded.candidate,
              rollout = excluded.rollout, device_classes = excluded.device_classes, min_app_version = excluded.min_app_version
            """, [.text(model), .text(channel.name), channel.version.map { .text($0) } ?? .null,
                  channel.candidate.map { .text($0) } ?? .null, .float(channel.rollout), .text(classes),
                  channel.minAppVersion.map { .text($0) } ?? .null])
    }

    static func bump(_ db: SQLiteConnection, model: String) async throws -> Int64 {
        _ = try await db.query("INSERT INTO models(name, sequence) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET sequence = sequence + 1",
                               [.text(model)])
        let row = try await db.query("SELECT sequence FROM models WHERE name = ?", [.text(model)]).first
        return Int64(row?.column("sequence")?.integer ?? 0)
    }

    static func audit(_ db: SQLiteConnection, at: Int64, actor: String, action: String, model: String, channel: String?,
                      version: String?, detail: String) async throws {
        _ = try await db.query("INSERT INTO audit(at, actor, action, model, channel, version, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [.integer(Int(at)), .text(actor), .text(action), .text(model), channel.map { .text($0) } ?? .null,
                                version.map { .text($0) } ?? .null, .text(detail)])
    }

    static func release(_ row: SQLiteRow) -> ReleaseRecord {
        ReleaseRecord(
            model: row.column("model")?.string ?? "", version: row.column("version")?.string ?? "",
            platform: row.column("platform")?.string ?? "", runtime: row.column("runtime")?.string ?? "",
            blobSHA256: row.column("blob_sha256")?.string ?? "", blobSize: row.column("blob_size")?.integer ?? 0,
            payloadSize: row.column("payload_size")?.integer ?? 0, payloadSHA256: row.column("payload_sha256")?.string ?? "",
            minRuntimeVersion: row.column("min_runtime_version")?.string,
            manifest: Data(buffer: row.column("manifest")?.blob ?? ByteBuffer()),
            signature: Data(buffer: row.column("signature")?.blob ?? ByteBuffer()),
            publishedAt: Int64(row.column("published_at")?.integer ?? 0))
    }

    static func channel(_ row: SQLiteRow) -> ChannelInfo {
        let classes = (row.column("device_classes")?.string).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return ChannelInfo(name: row.column("name")?.string ?? "", version: row.column("version")?.string,
                           candidate: row.column("candidate")?.string, rollout: row.column("rollout")?.double ?? 100,
                           deviceClasses: classes, minAppVersion: row.column("min_app_version")?.string)
    }

    static func delta(_ row: SQLiteRow) -> DeltaRecord {
        DeltaRecord(model: row.column("model")?.string ?? "", platform: row.column("platform")?.string ?? "",
                    runtime: row.column("runtime")?.string ?? "", fromVersion: row.column("from_version")?.string ?? "",
                    toVersion: row.column("to_version")?.string ?? "",
                    fromPayloadSHA256: row.column("from_payload_sha256")?.string ?? "",
                    blobSHA256: row.column("blob_sha256")?.string ?? "", blobSize: row.column("blob_size")?.integer ?? 0)
    }
}

extension SQLiteCatalog {
    /// Opens the catalogue of a service data folder (`DATA/catalog.sqlite`), creating it if needed.
    public static func open(dataDirectory: URL, logger: Logger) async throws -> SQLiteCatalog {
        do { try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true) } catch {
            throw BundleError.io(path: dataDirectory.path, reason: "cannot create data folder")
        }
        return try await open(path: dataDirectory.appendingPathComponent("catalog.sqlite").path, logger: logger)
    }
}
