import FerryBundle
import FerryClient
import FerryDistributionTestSupport
import FerrySync
import FerrySyncProtocol
import Foundation
import Testing

func clientConfiguration(_ server: TestServer, device: String = "device-1", cache: URL? = nil, keys: [TrustedKey]? = nil) -> ClientConfiguration {
    ClientConfiguration(
        server: URL(string: server.base)!, model: "mobilenet", platform: "android", runtime: "tflite", deviceID: device,
        trustedKeys: keys ?? [server.publisher.publicKey],
        cacheDirectory: cache ?? FileManager.default.temporaryDirectory.appendingPathComponent("ferry-client-\(UUID().uuidString)"))
}

/// A fine-tune: the same weights with the last 4% (the head) replaced.
func fineTuned(_ base: Data, seed: UInt64) -> Data {
    var out = base
    let head = base.count - base.count / 25
    out.replaceSubrange(head..<base.count, with: weights(base.count - head, seed: seed))
    return out
}

@Suite(.serialized) struct ClientUpdateTests {
    @Test func installsThenDeltaUpdatesThenFallsBack() async throws {
        let server = try await TestServer.start()
        let v1 = weights(1 << 20, seed: 1)
        let v2 = fineTuned(v1, seed: 2)
        #expect(try await server.publish(try server.bundle(version: "1.0.0", payload: v1)).0 == 201)
        let client = FerryClient(clientConfiguration(server))

        guard case .installed(let first, let viaDelta1, _) = try await client.update() else { Issue.record("no install"); return }
        #expect(first.version == "1.0.0" && !viaDelta1)
        #expect(try Data(contentsOf: first.directory.appendingPathComponent("model.tflite")) == v1)
        guard case .upToDate = try await client.update() else { Issue.record("expected up to date"); return }

        let bundle2 = try server.bundle(version: "1.1.0", payload: v2)
        #expect(try await server.publish(bundle2).0 == 201)
        guard case .installed(let second, let viaDelta2, let bytes) = try await client.update() else { Issue.record("no update"); return }
        #expect(second.version == "1.1.0" && viaDelta2)
        #expect(bytes < bundle2.count / 5, "patch \(bytes) bytes vs bundle \(bundle2.count)")
        #expect(try Data(contentsOf: second.directory.appendingPathComponent("model.tflite")) == v2)

        // The previous version is kept to fall back to.
        let previous = try client.fallBackToPrevious()
        #expect(previous.version == "1.0.0")
        #expect(try client.installed()?.version == "1.0.0")

        // Offline: the cached version keeps working.
        await server.stop()
        guard case .offline(let cached, _) = try await client.update() else { Issue.record("expected offline"); return }
        #expect(cached.version == "1.0.0")
    }

    @Test func serverRollbackIsFollowedButReplayedMetadataIsRefused() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(10_000, seed: 1)))
        _ = try await server.publish(try server.bundle(version: "2.0.0", payload: weights(10_000, seed: 2)))
        let config = clientConfiguration(server)
        let client = FerryClient(config)
        _ = try await client.update()
        #expect(try client.installed()?.version == "2.0.0")
        // A legitimate rollback carries a higher sequence: the client follows it.
        let publisher = PublisherClient(server: URL(string: server.base)!, token: server.token)
        _ = try await publisher.rollback(model: "mobilenet", channel: "stable", version: "1.0.0")
        _ = try await client.update()
        #expect(try client.installed()?.version == "1.0.0")
        // An answer older than what the client has seen (a replay) is refused.
        let statePath = config.cacheDirectory.appendingPathComponent("state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: statePath)) as! [String: Any]
        state["sequence"] = 1_000
        try JSONSerialization.data(withJSONObject: state).write(to: statePath)
        await #expect(throws: ClientError.self) { try await client.update() }
        #expect(try client.installed()?.version == "1.0.0")
    }

    @Test func expiredMetadataIsRefused() async throws {
        let server = try await TestServer.start { $0.metadataLifetime = -1 }
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(1000, seed: 1)))
        let client = FerryClient(clientConfiguration(server))
        do {
            _ = try await client.update()
            Issue.record("expired metadata accepted")
        } catch let error as ClientError {
            #expect(error.description.contains("freeze"))
        }
        #expect(try client.installed() == nil)
    }

    @Test func untrustedPublisherKeyInstallsNothing() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(1000, seed: 1)))
        let client = FerryClient(clientConfiguration(server, keys: [SigningKey().publicKey]))
        await #expect(throws: ClientError.self) { try await client.update() }
        #expect(try client.installed() == nil)
    }

    @Test func pinnedMetadataKeyRefusesAnotherService() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(1000, seed: 1)))
        var config = clientConfiguration(server)
        config.metadataKeys = [SigningKey().publicKey]
        await #expect(throws: ClientError.self) { try await FerryClient(config).update() }
        config.metadataKeys = [server.service.metadataKey.publicKey]
        guard case .installed = try await FerryClient(config).update() else { Issue.record("no install"); return }
    }

    @Test func interruptedDownloadResumes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let bundle = try server.bundle(version: "1.0.0", payload: weights(500_000, seed: 4))
        let result = try JSONDecoder().decode(PublishResult.self, from: try await server.publish(bundle).1)
        let config = clientConfiguration(server)
        // Leave the first 300,000 bytes as an earlier attempt would have.
        let downloads = config.cacheDirectory.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        try bundle.prefix(300_000).write(to: downloads.appendingPathComponent(result.bundle.sha256 + ".part"))
        guard case .installed(_, _, let bytes) = try await FerryClient(config).update() else { Issue.record("no install"); return }
        #expect(bytes == bundle.count - 300_000)

        // A damaged partial file is detected by the hash and discarded; the next attempt succeeds.
        let other = clientConfiguration(server)
        let otherDownloads = other.cacheDirectory.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: otherDownloads, withIntermediateDirectories: true)
        try Data(count: 300_000).write(to: otherDownloads.appendingPathComponent(result.bundle.sha256 + ".part"))
        await #expect(throws: ClientError.self) { try await FerryClient(other).update() }
        guard case .installed = try await FerryClient(other).update() else { Issue.record("no install after retry"); return }
    }
}
