import FerryBundle
import FerryDistributionTestSupport
import FerrySync
import FerrySyncProtocol
import Foundation
import Testing

/// Cross-instance cache invalidation by LISTEN/NOTIFY. The snapshots are trusted for 600 s, so
/// polling cannot be what lets B see A's writes within the two seconds these tests wait.
extension PostgresTests {
    @Test func writesThroughOneInstanceReachTheOtherAtOnce() async throws {
        let (a, b, model) = try await twoInstances(snapshotRefreshInterval: 600)
        defer { Task { await a.stop(); await b.stop() } }
        try await waitUntilListening(a, b)
        var (status, body) = try await a.publish(try a.bundle(model, version: "1.0.0", payload: weights(40_000, seed: 1)), model: model)
        #expect(status == 201, "\(a.errorMessage(body))")
        #expect(try await b.resolve("device-1", model: model)?.release?.version == "1.0.0")

        (status, body) = try await a.publish(try a.bundle(model, version: "2.0.0", payload: weights(40_000, seed: 2)), model: model)
        #expect(status == 201, "\(a.errorMessage(body))")
        #expect(try await eventually { try await b.resolve("device-1", model: model)?.release?.version == "2.0.0" },
                "B still answers 1.0.0 after A published 2.0.0")

        let (rollback, _, _) = try await a.request("POST", "/v1/models/\(model)/channels/stable/rollback",
                                                   body: Data(#"{"version":"1.0.0"}"#.utf8), token: a.token)
        #expect(rollback == 200)
        #expect(try await eventually { try await b.resolve("device-1", model: model)?.release?.version == "1.0.0" },
                "B still answers 2.0.0 after A rolled back to 1.0.0")
        #expect(try await invalidations(b, reason: "notify") >= 3)
    }

    @Test func invalidationsArriveAfterTheListenerReconnects() async throws {
        let (a, b, model) = try await twoInstances(snapshotRefreshInterval: 600)
        defer { Task { await a.stop(); await b.stop() } }
        try await waitUntilListening(a, b)
        let (status, body) = try await a.publish(try a.bundle(model, version: "1.0.0", payload: weights(40_000, seed: 1)), model: model)
        #expect(status == 201, "\(a.errorMessage(body))")
        let v2 = try a.bundle(model, version: "2.0.0", payload: weights(40_000, seed: 2))
        #expect(try await a.publish(v2, model: model).0 == 201)
        #expect(try await b.resolve("device-1", model: model)?.release?.version == "2.0.0")

        // Both instances' listening connections are killed; each reconnects and listens again.
        let killed = try Self.psql("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'ferry-catalog-listener' AND datname = current_database()
            """)
        #expect(killed.split(separator: "\n").count >= 2, "listeners found: \(killed)")
        #expect(try await eventually(within: 10) { try await invalidations(b, reason: "connect") >= 2 },
                "B's listener did not reconnect")

        #expect(try await b.resolve("device-1", model: model)?.release?.version == "2.0.0")
        let (rollback, _, _) = try await a.request("POST", "/v1/models/\(model)/channels/stable/rollback",
                                                   body: Data(#"{"version":"1.0.0"}"#.utf8), token: a.token)
        #expect(rollback == 200)
        #expect(try await eventually { try await b.resolve("device-1", model: model)?.release?.version == "1.0.0" },
                "B still answers 2.0.0 after A rolled back, once its listener had reconnected")
    }

    // MARK: helpers

    /// Polls `check` until it holds or `within` seconds pass.
    func eventually(within seconds: Double = 2, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(50))
        } while Date() < deadline
        return try await check()
    }

    /// Waits until both instances' listeners have connected (each reports one `connect` then).
    func waitUntilListening(_ servers: TestServer...) async throws {
        for server in servers {
            let listening = try await eventually(within: 10) { try await invalidations(server, reason: "connect") >= 1 }
            try #require(listening, "an instance never started listening for catalogue changes")
        }
    }

    /// `ferry_cache_invalidations_total{reason=…}` from the instance's /metrics.
    func invalidations(_ server: TestServer, reason: String) async throws -> Int {
        let (_, data, _) = try await server.request("GET", "/metrics")
        let prefix = #"ferry_cache_invalidations_total{reason="\#(reason)"} "#
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// Runs SQL through psql against the test database; one output line per row.
    static func psql(_ sql: String) throws -> String {
        let candidates = ["/usr/bin/psql"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin/psql" }
        let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "psql not found")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [url, "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "psql failed")
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
