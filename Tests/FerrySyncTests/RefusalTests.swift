import FerryBundle
import FerrySync
import FerrySyncProtocol
import FerryDistributionTestSupport
import Foundation
import Testing

/// Bad input is refused with the right status and a message that names the problem; nothing is stored.
@Suite(.serialized) struct RefusalTests {
    @Test func tokensAreRequiredAndScoped() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let bundle = try server.bundle(version: "1.0.0", payload: weights(1000, seed: 1))
        var (status, body) = try await server.publish(bundle, token: "")
        #expect(status == 401)
        #expect(server.errorMessage(body).contains("Authorization"))
        (status, body) = try await server.publish(bundle, token: "ferry_0000_wrong")
        #expect(status == 401)
        #expect(server.errorMessage(body) == "unknown or revoked publisher token")
        let other = try await PublisherToken.create(model: "other", catalog: server.service.catalog, now: 0)
        (status, body) = try await server.publish(bundle, token: other)
        #expect(status == 403)
        // Publishing a bundle for another model under this model's URL is refused.
        (status, body) = try await server.publish(try server.bundle("other", version: "1.0.0", payload: Data([1])), token: server.token)
        #expect(status == 400)
        #expect(server.errorMessage(body).contains("'other'"))
        #expect(try await server.service.catalog.modelSequences().isEmpty)
    }

    @Test func badBundlesAreRefusedWithTheRightStatus() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let good = try server.bundle(version: "1.0.0", payload: weights(50_000, seed: 1))
        var corrupt = good
        corrupt[corrupt.count - 10] ^= 0xff
        let cases: [(String, Data, Int, String)] = [
            ("corrupt", corrupt, 400, "SHA-256 mismatch"),
            ("truncated", good.prefix(good.count - 100), 400, "truncated"),
            ("empty", Data(), 400, "empty body"),
            ("not a bundle", Data("hello".utf8), 400, "FERRYBDL"),
            ("wrongly signed", try server.bundle(version: "1.0.0", payload: Data([1]), key: SigningKey()), 422, "does not verify"),
            ("oversized", Data(count: 9 << 20), 413, "limit"),
        ]
        for (name, data, expected, message) in cases {
            let (status, body) = try await server.publish(data)
            #expect(status == expected, "\(name): \(server.errorMessage(body))")
            #expect(server.errorMessage(body).contains(message), "\(name): \(server.errorMessage(body))")
        }
        #expect(try await server.service.catalog.modelSequences().isEmpty)
        // Nothing half-written is left in the blob store.
        let stored = FileManager.default.enumerator(atPath: server.service.blobs.root.appendingPathComponent("sha256").path)?
            .compactMap { $0 as? String }.filter { $0.count == 67 } ?? []
        #expect(stored.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.service.blobs.root.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func concurrentPublishesOfOneVersionHaveOneWinner() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<6 {
                let bundle = try server.bundle(version: "1.0.0", payload: weights(20_000, seed: UInt64(i)))
                group.addTask { try await server.publish(bundle).0 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1)
        #expect(statuses.filter { $0 == 409 }.count == 5)
        let info = try await server.service.model("mobilenet")
        #expect(info.releases.count == 1)
    }

    @Test func hostileNamesAndParametersAreRefused() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let cases: [(String, String, Int)] = [
            ("GET", "/v1/models/..%2F..%2Fetc", 400),
            ("GET", "/v1/models/UPPER", 400),
            ("GET", "/v1/resolve?model=m&platform=android&runtime=tflite", 400),
            ("GET", "/v1/resolve?model=m&platform=an%20droid&runtime=tflite&deviceId=x", 400),
            ("GET", "/v1/resolve?model=m&platform=android&runtime=tflite&deviceId=" + String(repeating: "x", count: 200), 400),
            ("GET", "/v1/resolve?model=nothere&platform=android&runtime=tflite&deviceId=x", 404),
            ("GET", "/v1/blobs/../../catalog.sqlite", 404),
            ("GET", "/v1/blobs/zz", 400),
            ("GET", "/v1/blobs/" + String(repeating: "a", count: 64), 404),
            ("POST", "/v1/models/mobilenet/releases?rollout=150", 400),
            ("POST", "/v1/models/mobilenet/releases?channel=bad%2Fname", 400),
        ]
        for (method, path, expected) in cases {
            let (status, body, _) = try await server.request(method, path, body: method == "POST" ? Data([1]) : nil, token: server.token)
            #expect(status == expected, "\(method) \(path): \(status) \(server.errorMessage(body))")
        }
        // A rollout or rollback to versions that do not exist, or with broken JSON.
        _ = try await server.publish(try server.bundle(version: "1.0.0", payload: Data([1])))
        let bodies: [(String, String, Int)] = [
            ("/v1/models/mobilenet/channels/stable/rollback", #"{"version":"9.9.9"}"#, 404),
            ("/v1/models/mobilenet/channels/stable/rollback", #"{"version":"nope"}"#, 400),
            ("/v1/models/mobilenet/channels/stable/rollback", #"{"ver"#, 400),
        ]
        for (path, json, expected) in bodies {
            let (status, body, _) = try await server.request("POST", path, body: Data(json.utf8), token: server.token)
            #expect(status == expected, "\(json): \(server.errorMessage(body))")
        }
        let (status, _, _) = try await server.request("PUT", "/v1/models/mobilenet/channels/stable", body: Data(#"{"rollout":-1}"#.utf8),
                                                      token: server.token)
        #expect(status == 400)
    }
}
