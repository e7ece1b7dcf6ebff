import FerryBundle
import FerryDistributionTestSupport
import FerrySync
import FerrySyncProtocol
import Foundation
import Logging
import Testing

/// Two service instances sharing one real PostgreSQL (FERRY_TEST_POSTGRES_URL, started by
/// `make test` through scripts/start-test-postgres.sh) and one blob folder and metadata key.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_TEST_POSTGRES_URL"] != nil,
                            "needs FERRY_TEST_POSTGRES_URL (make test starts PostgreSQL)"))
struct PostgresTests {
    static var url: String { ProcessInfo.processInfo.environment["FERRY_TEST_POSTGRES_URL"] ?? "" }

    /// Two instances on one database; a model name of its own, so runs do not collide.
    func twoInstances(snapshotRefreshInterval: Double = 0) async throws -> (TestServer, TestServer, String) {
        let model = "pg-\(UUID().uuidString.prefix(8).lowercased())"
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-pg-\(UUID().uuidString)")
        var logger = Logger(label: "pg-test")
        logger.logLevel = .warning
        let publisher = SigningKey()
        let a = try await TestServer.start(model: model, publisher: publisher, dataDirectory: shared,
                                           catalog: try PostgresCatalog(url: Self.url, logger: logger)) {
            $0.snapshotRefreshInterval = snapshotRefreshInterval
        }
        let b = try await TestServer.start(model: model, publisher: publisher, dataDirectory: shared,
                                           catalog: try PostgresCatalog(url: Self.url, logger: logger)) {
            $0.snapshotRefreshInterval = snapshotRefreshInterval
        }
        return (a, b, model)
    }

    @Test func instancesShareOneCatalogue() async throws {
        let (a, b, model) = try await twoInstances()
        defer { Task { await a.stop(); await b.stop() } }
        #expect(a.service.metadataKey.publicKey == b.service.metadataKey.publicKey)
        let v1 = try a.bundle(model, version: "1.0.0", payload: weights(50_000, seed: 1))
        var (status, body) = try await a.publish(v1, model: model)
        #expect(status == 201, "\(a.errorMessage(body))")
        // Published through A, resolved and downloaded through B.
        let seen = try #require(try await b.resolve("device-1", model: model)?.release)
        #expect(seen.version == "1.0.0")
        let (blobStatus, blob, _) = try await b.request("GET", seen.bundle.url)
        #expect(blobStatus == 200 && blob == v1)
        // A rollout started on B, then a rollback on A: B follows with a higher sequence.
        var v2 = weights(50_000, seed: 1)
        v2.replaceSubrange(45_000..<50_000, with: weights(5_000, seed: 2))
        (status, body) = try await b.publish(try b.bundle(model, version: "2.0.0", payload: v2), model: model, rollout: 100)
        #expect(status == 201, "\(b.errorMessage(body))")
        let result = try JSONDecoder().decode(PublishResult.self, from: body)
        #expect(result.deltas.map(\.fromVersion) == ["1.0.0"])
        #expect(try await a.resolve("device-1", model: model)?.release?.version == "2.0.0")
        let before = try #require(try await b.resolve("device-1", model: model)).sequence
        let (rollback, _, _) = try await a.request("POST", "/v1/models/\(model)/channels/stable/rollback",
                                                   body: Data(#"{"version":"1.0.0"}"#.utf8), token: a.token)
        #expect(rollback == 200)
        let after = try #require(try await b.resolve("device-1", model: model))
        #expect(after.release?.version == "1.0.0" && after.sequence > before)
        let (_, auditData, _) = try await b.request("GET", "/v1/models/\(model)/audit", token: b.token)
        #expect(try JSONDecoder().decode([AuditEntry].self, from: auditData).map(\.action) == ["rollback", "publish", "publish"])
    }

    @Test func concurrentPublishesAcrossInstancesHaveOneWinner() async throws {
        let (a, b, model) = try await twoInstances()
        defer { Task { await a.stop(); await b.stop() } }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                let server = i % 2 == 0 ? a : b
                let bundle = try server.bundle(model, version: "1.0.0", payload: weights(30_000, seed: UInt64(i)))
                group.addTask { try await server.publish(bundle, model: model).0 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 409 }.count == 7, "\(statuses)")
        #expect(try await a.service.model(model).releases.count == 1)
    }
}
