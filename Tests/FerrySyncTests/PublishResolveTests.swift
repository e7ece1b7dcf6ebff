import FerryBundle
import FerrySync
import FerrySyncProtocol
import FerryDistributionTestSupport
import Foundation
import Testing

@Suite(.serialized) struct PublishResolveTests {
    @Test func publishResolveRolloutAndRollback() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let v1 = weights(300_000, seed: 1)
        var v2 = v1
        v2.replaceSubrange(290_000..<300_000, with: weights(10_000, seed: 2))

        let (status1, body1) = try await server.publish(try server.bundle(version: "1.0.0", payload: v1))
        #expect(status1 == 201, "\(server.errorMessage(body1))")
        let first = try await server.resolve("device-a")
        #expect(first?.release?.version == "1.0.0")
        #expect(first?.sequence == 1)

        // 2.0.0 to 30% of devices: bucketing decides, deterministically.
        let (status2, body2) = try await server.publish(try server.bundle(version: "2.0.0", payload: v2), rollout: 30)
        #expect(status2 == 201, "\(server.errorMessage(body2))")
        let result = try JSONDecoder().decode(PublishResult.self, from: body2)
        #expect(result.channel.candidate == "2.0.0" && result.channel.version == "1.0.0")
        #expect(result.deltas.first?.fromVersion == "1.0.0")
        var counts: [String: Int] = [:]
        for i in 0..<200 {
            let id = "device-\(i)"
            let decision = try await server.resolve(id)
            let version = try #require(decision?.release?.version)
            counts[version, default: 0] += 1
            let expected = Rollout.bucket(model: "mobilenet", channel: "stable", candidate: "2.0.0", deviceID: id) < 3000 ? "2.0.0" : "1.0.0"
            #expect(version == expected)
        }
        #expect((40...80).contains(counts["2.0.0"] ?? 0), "\(counts)")

        // A device on 1.0.0 in the rollout is offered the patch, which is far smaller than the bundle.
        let inRollout = (0..<200).map { "device-\($0)" }.first {
            Rollout.bucket(model: "mobilenet", channel: "stable", candidate: "2.0.0", deviceID: $0) < 3000
        }!
        let withDelta = try #require(try await server.resolve(inRollout, have: "1.0.0")?.release)
        let delta = try #require(withDelta.delta)
        #expect(delta.blob.size < withDelta.bundle.size / 5, "delta \(delta.blob.size) vs bundle \(withDelta.bundle.size)")

        // Rollback pins everyone to 1.0.0 at once, with a higher sequence.
        let before = try #require(try await server.resolve(inRollout)).sequence
        let (status3, body3, _) = try await server.request("POST", "/v1/models/mobilenet/channels/stable/rollback",
                                                           body: Data(#"{"version":"1.0.0"}"#.utf8), token: server.token)
        #expect(status3 == 200, "\(server.errorMessage(body3))")
        let after = try #require(try await server.resolve(inRollout))
        #expect(after.release?.version == "1.0.0")
        #expect(after.sequence > before)

        // Promote 2.0.0 to everyone.
        let (status4, _, _) = try await server.request("PUT", "/v1/models/mobilenet/channels/stable",
                                                       body: Data(#"{"version":"2.0.0","rollout":100}"#.utf8), token: server.token)
        #expect(status4 == 200)
        #expect(try await server.resolve("device-0")?.release?.version == "2.0.0")

        // The audit log has every publish, rollout change and rollback, newest first.
        let (status5, auditData, _) = try await server.request("GET", "/v1/models/mobilenet/audit", token: server.token)
        #expect(status5 == 200)
        let audit = try JSONDecoder().decode([AuditEntry].self, from: auditData)
        #expect(audit.map(\.action) == ["rollout", "rollback", "publish", "publish"])
        #expect(!String(decoding: auditData, as: UTF8.self).contains(server.token))

        // Listing shows releases and channels.
        let (_, listData, _) = try await server.request("GET", "/v1/models")
        let models = try JSONDecoder().decode([ModelInfo].self, from: listData)
        #expect(models.first?.releases.map(\.version) == ["1.0.0", "2.0.0"])
    }

    @Test func manifestInResolveVerifiesWithPublisherKey() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(1000, seed: 3)))
        let release = try #require(try await server.resolve("d")?.release)
        let manifest = try VerifiedBundle.verifyManifest(release.manifest, signature: release.manifestSignature,
                                                         trustedKeys: [server.publisher.publicKey], source: "resolve")
        #expect(manifest.version == "1.0.0")
        // A resolve answer does not verify with another key.
        let (_, data, _) = try await server.request("GET", "/v1/resolve?model=mobilenet&platform=android&runtime=tflite&deviceId=d")
        let signed = try JSONDecoder().decode(SignedMetadata.self, from: data)
        #expect(throws: SyncProtocolError.self) { try signed.verify(with: [SigningKey().publicKey]) }
    }

    @Test func targetingRulesAndRuntimeVersion() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: weights(1000, seed: 3)))
        _ = try await server.publish(try server.bundle(version: "1.1.0", payload: weights(1000, seed: 4)), rollout: 100)
        // Limit a 1.2.0 candidate to 100% of "high" devices only.
        _ = try await server.publish(try server.bundle(version: "1.2.0", payload: weights(1000, seed: 5)), rollout: 0)
        let (status, body, _) = try await server.request("PUT", "/v1/models/mobilenet/channels/stable",
                                                         body: Data(#"{"rollout":100,"deviceClasses":["high"]}"#.utf8), token: server.token)
        // rollout 100 promotes; use 99.99 to keep it a candidate with rules.
        #expect(status == 200, "\(server.errorMessage(body))")
        let channel = try JSONDecoder().decode(ChannelInfo.self, from: body)
        #expect(channel.version == "1.2.0" && channel.candidate == nil)
        _ = try await server.publish(try server.bundle(version: "1.3.0", payload: weights(1000, seed: 6)), rollout: 0)
        let (status2, body2, _) = try await server.request("PUT", "/v1/models/mobilenet/channels/stable",
                                                           body: Data(#"{"rollout":99.99,"deviceClasses":["high"]}"#.utf8), token: server.token)
        #expect(status2 == 200, "\(server.errorMessage(body2))")
        let low = try await server.resolve("abc", extra: "&deviceClass=low")
        #expect(low?.release?.version == "1.2.0")
        // Most "high" devices get the candidate.
        var high = 0
        for i in 0..<20 where try await server.resolve("h\(i)", extra: "&deviceClass=high")?.release?.version == "1.3.0" { high += 1 }
        #expect(high >= 19)
    }

    @Test func rolloutBucketsAreStableAndUniform() {
        var inside = 0
        for i in 0..<10_000 where Rollout.bucket(model: "m", channel: "stable", candidate: "2.0.0", deviceID: "d\(i)") < 1000 { inside += 1 }
        #expect((900...1100).contains(inside))
        #expect(Rollout.bucket(model: "m", channel: "stable", candidate: "2.0.0", deviceID: "x")
                == Rollout.bucket(model: "m", channel: "stable", candidate: "2.0.0", deviceID: "x"))
    }
}
