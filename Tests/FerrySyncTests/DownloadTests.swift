import FerryBundle
import FerrySync
import FerrySyncProtocol
import FerryDistributionTestSupport
import Foundation
import Testing

@Suite(.serialized) struct DownloadTests {
    @Test func etagsRangesAndCacheHeaders() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let bundle = try server.bundle(version: "1.0.0", payload: weights(400_000, seed: 9))
        let (status, body) = try await server.publish(bundle)
        #expect(status == 201)
        let digest = try JSONDecoder().decode(PublishResult.self, from: body).bundle.sha256
        #expect(digest == Digest.sha256Hex(bundle))
        let path = "/v1/blobs/\(digest)"

        let (s1, full, r1) = try await server.request("GET", path)
        #expect(s1 == 200)
        #expect(full == bundle)
        #expect(r1.value(forHTTPHeaderField: "ETag") == "\"\(digest)\"")
        #expect(r1.value(forHTTPHeaderField: "Cache-Control") == "public, max-age=31536000, immutable")
        #expect(r1.value(forHTTPHeaderField: "Accept-Ranges") == "bytes")

        let (s2, none, _) = try await server.request("GET", path, headers: ["If-None-Match": "\"\(digest)\""])
        #expect(s2 == 304 && none.isEmpty)

        let (s3, part, r3) = try await server.request("GET", path, headers: ["Range": "bytes=100-199"])
        #expect(s3 == 206)
        #expect(part == bundle.subdata(in: 100..<200))
        #expect(r3.value(forHTTPHeaderField: "Content-Range") == "bytes 100-199/\(bundle.count)")

        let (s4, tail, _) = try await server.request("GET", path, headers: ["Range": "bytes=\(bundle.count - 10)-"])
        #expect(s4 == 206 && tail == bundle.suffix(10))

        let (s5, _, r5) = try await server.request("GET", path, headers: ["Range": "bytes=\(bundle.count)-"])
        #expect(s5 == 416)
        #expect(r5.value(forHTTPHeaderField: "Content-Range") == nil || r5.value(forHTTPHeaderField: "Content-Range") == "bytes */\(bundle.count)")

        // If-Range with another validator sends the whole blob.
        let (s6, whole, _) = try await server.request("GET", path, headers: ["Range": "bytes=0-9", "If-Range": "\"other\""])
        #expect(s6 == 200 && whole == bundle)
    }

    @Test func healthReadinessAndMetrics() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        #expect(try await server.request("GET", "/healthz").0 == 200)
        #expect(try await server.request("GET", "/readyz").0 == 200)
        _ = try await server.request("GET", "/v1/resolve?model=nothere&platform=android&runtime=tflite&deviceId=x")
        let (status, body, _) = try await server.request("GET", "/metrics")
        #expect(status == 200)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#"ferry_http_requests_total{route="resolve",status="404"} 1"#), "\(text)")
        #expect(text.contains("ferry_http_request_duration_seconds"))
    }
}
